//! The README's examples, as a newcomer pastes them. Every block after a
//! `<!-- README example … -->` line runs: the shell ones in one bash session (later blocks
//! use what earlier ones set) against a fresh server with the demo workspace, its
//! `localhost:8080` being that server; the Python one against a delivery signed here.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::common::*;

const README: &str = include_str!("../../../README.md");
const MARKER: &str = "<!-- README example";

/// The marked blocks as (language, code), in README order.
fn examples() -> Vec<(&'static str, &'static str)> {
    README
        .split(MARKER)
        .skip(1)
        .map(|rest| {
            let fence = rest.find("```").expect("a code block after a README example marker");
            let block = &rest[fence + 3..];
            let (language, body) = block.split_once('\n').expect("a fenced block");
            let end = body.find("\n```").expect("the block's closing fence");
            (language.trim(), &body[..end + 1])
        })
        .collect()
}

#[tokio::test]
async fn the_readme_shell_examples_run_on_a_fresh_demo() {
    let app = spawn_app_with(AppOptions { demo: true, ..AppOptions::default() }).await;
    let host = app.address.trim_start_matches("http://").to_owned();
    let script: String = examples()
        .into_iter()
        .filter(|(language, _)| *language == "sh")
        .map(|(_, code)| code.replace("localhost:8080", &host))
        .collect();
    assert!(script.contains("Idempotency-Key"), "the API examples are marked: {script}");
    let output = tokio::process::Command::new("bash")
        .args(["-euo", "pipefail", "-c", &script])
        .output()
        .await
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the examples failed: {stderr}\n{stdout}");
    // `curl -s` prints error bodies and succeeds: every answer must be a success.
    assert!(!stdout.contains("\"code\":"), "an example got an error answer: {stdout}");

    // What they did, seen from the API.
    let (status, session) = app
        .call(Method::POST, "/signin", None, Some(json!({"email": "demo@rapport.test", "password": "rapport-demo"})))
        .await;
    assert_eq!(status, 200, "{session}");
    let token = session["token"].as_str().unwrap();
    let (_, keys) = app.get("/api-keys", token).await;
    assert_eq!(keys["items"][0]["name"], "CRM", "{keys}");
    let (_, conversations) = app.get("/conversations?status=open", token).await;
    let conversation = id(&conversations["items"][0]["id"]);
    let (_, messages) = app.get(&format!("/conversations/{conversation}/messages"), token).await;
    let bodies: Vec<&str> = messages["items"].as_array().unwrap().iter().map(|m| m["body"].as_str().unwrap()).collect();
    assert_eq!(bodies, ["Where is my order #2291?", "Your order has shipped."], "{messages}");
}

#[tokio::test]
async fn the_readme_webhook_check_accepts_a_signed_delivery_and_refuses_a_changed_one() {
    let (_, code) = examples().into_iter().find(|(language, _)| *language == "python").expect("the Python example");
    let key = b"0123456789abcdef0123456789abcdef";
    let secret = format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(key));
    let (id, timestamp, body) = ("msg_2aq8", chrono::Utc::now().timestamp(), r#"{"type":"webhook.test"}"#);
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap();
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    let signature = format!("v1,{}", base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()));
    let check = format!(
        "{code}\nheaders = {{'webhook-id': '{id}', 'webhook-timestamp': '{timestamp}', 'webhook-signature': 'v1,old {signature}'}}\n\
         print(verify('{secret}', headers, b'{body}'), verify('{secret}', headers, b'{body} '))\n"
    );
    let output = tokio::process::Command::new("python3").args(["-c", &check]).output().await.expect("python3 runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the Python example failed: {stderr}");
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "True False");
}
