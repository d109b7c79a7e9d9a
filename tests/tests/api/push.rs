//! Web Push against a local push service: a real HTTP server in the test stands in for
//! the browser vendor's. It checks each request's VAPID JWT (ES256, RFC 8292) against the
//! key in the `Authorization` header and decrypts the RFC 8291 `aes128gcm` payload with
//! the browser's private key — with this file's own code, not the server's.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use aes_gcm::{Aes128Gcm, KeyInit, Nonce, aead::Aead};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use hkdf::Hkdf;
use p256::{
    PublicKey, SecretKey,
    ecdh::diffie_hellman,
    ecdsa::{Signature, VerifyingKey, signature::Verifier},
    elliptic_curve::sec1::ToEncodedPoint,
};
use poem::{
    Body, EndpointExt, IntoResponse, Request, Response, Route, Server, handler,
    http::StatusCode as PoemStatus,
    listener::{Acceptor, Listener, TcpListener},
    post,
    web::{Data, Path},
};
use sha2::Sha256;

use crate::common::*;

/// One push as the service received it.
#[derive(Debug, Clone)]
struct Push {
    /// Which browser (the last segment of the endpoint).
    browser: String,
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

#[derive(Clone, Default)]
struct Service {
    url: String,
    received: Arc<Mutex<Vec<Push>>>,
}

#[handler]
async fn receive(req: &Request, Path(browser): Path<String>, body: Body, service: Data<&Service>) -> Response {
    let headers = req
        .headers()
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), value.to_str().unwrap_or_default().to_owned()))
        .collect();
    let body = body.into_vec().await.unwrap_or_default();
    let gone = browser == "gone";
    service.received.lock().unwrap().push(Push { browser, headers, body });
    // A browser that unsubscribed: the service says so, as FCM and Mozilla do.
    if gone { PoemStatus::GONE.into_response() } else { PoemStatus::CREATED.into_response() }
}

impl Service {
    async fn start() -> Self {
        let acceptor = TcpListener::bind("127.0.0.1:0").into_acceptor().await.unwrap();
        let port = acceptor.local_addr()[0].as_socket_addr().unwrap().port();
        let service = Service { url: format!("http://127.0.0.1:{port}"), ..Service::default() };
        let app = Route::new().at("/push/:browser", post(receive)).data(service.clone());
        tokio::spawn(Server::new_with_acceptor(acceptor).run(app));
        service
    }

    /// Waits until the `n`th push (counting from 1) arrived; returns it.
    async fn nth(&self, n: usize) -> Push {
        system_tests::eventually(&format!("push {n}"), || async { self.received.lock().unwrap().get(n - 1).cloned() })
            .await
    }
}

/// A browser's side of a subscription: its key pair and auth secret.
struct Browser {
    name: &'static str,
    key: SecretKey,
    auth: [u8; 16],
}

impl Browser {
    fn new(name: &'static str) -> Self {
        let mut auth = [0u8; 16];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut auth);
        Self { name, key: SecretKey::random(&mut rand::rngs::OsRng), auth }
    }

    fn public(&self) -> Vec<u8> {
        self.key.public_key().to_encoded_point(false).as_bytes().to_vec()
    }

    /// As `PushSubscription.toJSON()` would give it.
    fn subscription(&self, service: &Service) -> Value {
        json!({"endpoint": format!("{}/push/{}", service.url, self.name),
               "keys": {"p256dh": URL_SAFE_NO_PAD.encode(self.public()), "auth": URL_SAFE_NO_PAD.encode(self.auth)}})
    }

    /// RFC 8291 §3 and RFC 8188 §2, from the receiving side.
    fn decrypt(&self, body: &[u8]) -> Value {
        let salt = &body[..16];
        let record_size = u32::from_be_bytes(body[16..20].try_into().unwrap());
        assert!(record_size >= 18, "record size {record_size}");
        let id_len = body[20] as usize;
        assert_eq!(id_len, 65, "the key id is the sender's uncompressed public key");
        let sender = PublicKey::from_sec1_bytes(&body[21..21 + id_len]).expect("a P-256 sender key");
        let ciphertext = &body[21 + id_len..];

        let shared = diffie_hellman(self.key.to_nonzero_scalar(), sender.as_affine());
        let mut info = b"WebPush: info\0".to_vec();
        info.extend_from_slice(&self.public());
        info.extend_from_slice(sender.to_encoded_point(false).as_bytes());
        let mut ikm = [0u8; 32];
        Hkdf::<Sha256>::new(Some(&self.auth), shared.raw_secret_bytes().as_slice()).expand(&info, &mut ikm).unwrap();
        let prk = Hkdf::<Sha256>::new(Some(salt), &ikm);
        let (mut cek, mut nonce) = ([0u8; 16], [0u8; 12]);
        prk.expand(b"Content-Encoding: aes128gcm\0", &mut cek).unwrap();
        prk.expand(b"Content-Encoding: nonce\0", &mut nonce).unwrap();
        let mut plain = Aes128Gcm::new_from_slice(&cek)
            .unwrap()
            .decrypt(Nonce::from_slice(&nonce), ciphertext)
            .expect("the payload decrypts with the browser's keys");
        // The last record ends with the delimiter 2, after optional zero padding.
        while plain.last() == Some(&0) {
            plain.pop();
        }
        assert_eq!(plain.pop(), Some(2), "a single, last record");
        serde_json::from_slice(&plain).expect("a JSON payload")
    }
}

/// Checks the VAPID signature and claims; returns the key the request carried.
fn check_vapid(push: &Push, service: &Service) -> String {
    let header = push.headers.get("authorization").expect("an Authorization header");
    let rest = header.strip_prefix("vapid ").unwrap_or_else(|| panic!("not a vapid scheme: {header}"));
    let mut token = None;
    let mut key = None;
    for part in rest.split(',').map(str::trim) {
        if let Some(t) = part.strip_prefix("t=") {
            token = Some(t);
        } else if let Some(k) = part.strip_prefix("k=") {
            key = Some(k);
        }
    }
    let (token, key) = (token.expect("t="), key.expect("k="));
    let mut pieces = token.split('.');
    let (head, claims, signature) = (pieces.next().unwrap(), pieces.next().unwrap(), pieces.next().unwrap());
    let head: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(head).unwrap()).unwrap();
    assert_eq!(head["alg"], "ES256");
    let verifier = VerifyingKey::from_sec1_bytes(&URL_SAFE_NO_PAD.decode(key).unwrap()).expect("a P-256 key");
    let signature = Signature::from_slice(&URL_SAFE_NO_PAD.decode(signature).unwrap()).expect("a 64-byte signature");
    verifier
        .verify(format!("{}.{claims}", token.split('.').next().unwrap()).as_bytes(), &signature)
        .expect("the JWT is signed by the key in the header");
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(claims).unwrap()).unwrap();
    assert_eq!(claims["aud"], service.url, "the audience is the push service's origin");
    let exp = claims["exp"].as_i64().unwrap();
    let now = chrono::Utc::now().timestamp();
    assert!(exp > now && exp <= now + 24 * 3600, "expires within a day: {claims}");
    let sub = claims["sub"].as_str().unwrap();
    assert!(sub.starts_with("mailto:") || sub.starts_with("https://"), "{sub}");
    assert_eq!(push.headers.get("content-encoding").map(String::as_str), Some("aes128gcm"));
    assert!(push.headers.get("ttl").is_some_and(|t| t.parse::<u32>().is_ok()), "a TTL");
    key.to_owned()
}

/// A named visitor starts a conversation.
async fn visitor_writes(app: &TestApp, owner: &str, site_key: &str, name: &str, text: &str) -> Uuid {
    let (status, session) = app.call(Method::POST, "/widget/session", None, Some(json!({"site_key": site_key}))).await;
    assert_eq!(status, StatusCode::OK, "{session}");
    let visitor = id(&session["visitor_id"]);
    let (status, body) = app.patch(&format!("/visitors/{visitor}"), owner, json!({"name": name})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.start_conversation(session["visitor_token"].as_str().unwrap(), text).await
}

#[tokio::test]
async fn an_agent_with_the_console_closed_gets_signed_encrypted_pushes_that_say_who_and_what() {
    let env = vec![("RAPPORT_WEBHOOKS_ALLOW_PRIVATE".to_owned(), "true".to_owned())];
    let app = spawn_app_with(AppOptions { env, ..AppOptions::default() }).await;
    let ws = app.signup("Acme").await;
    let (_, site_key) = app.create_site(&ws.token).await;
    let (ada_id, ada) = agent_session(&app, &ws.token, "ada@acme.test", "agent").await;
    let service = Service::start().await;
    let (phone, laptop, old) = (Browser::new("ada-phone"), Browser::new("owner-laptop"), Browser::new("gone"));
    for (token, browser) in [(&ada, &phone), (&ws.token, &laptop), (&ws.token, &old)] {
        let (status, body) = app.post("/push/subscriptions", token, browser.subscription(&service)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    // Bad subscriptions are refused and change nothing.
    let mut bad = phone.subscription(&service);
    bad["keys"]["auth"] = json!("c2hvcnQ");
    let (status, body) = app.post("/push/subscriptions", &ada, bad).await;
    assert_invalid(status, &body, "keys");
    let mut bad = phone.subscription(&service);
    bad["endpoint"] = json!("ftp://push.example/x");
    let (status, body) = app.post("/push/subscriptions", &ada, bad).await;
    assert_invalid(status, &body, "endpoint");
    let (_, key) = app.get("/push/key", &ada).await;
    let server_key = key["public_key"].as_str().unwrap().to_owned();

    // A new conversation: every browser of an agent without a console open.
    let first = visitor_writes(&app, &ws.token, &site_key, "Jane Doe", "Where is my order?").await;
    let mut seen = Vec::new();
    for n in 1..=3 {
        seen.push(service.nth(n).await);
    }
    for push in &seen {
        assert_eq!(check_vapid(push, &service), server_key, "signed with the server's published key");
    }
    let to_phone = seen.iter().find(|p| p.browser == "ada-phone").expect("Ada's phone was alerted");
    let payload = phone.decrypt(&to_phone.body);
    assert_eq!(payload["title"], "New conversation: Jane Doe");
    assert_eq!(payload["body"], "Where is my order?");
    assert_eq!(payload["conversation_id"], json!(first));
    assert!(payload["url"].as_str().unwrap().ends_with(&format!("/console/?conversation={first}")), "{payload}");
    let to_laptop = seen.iter().find(|p| p.browser == "owner-laptop").unwrap();
    assert_eq!(laptop.decrypt(&to_laptop.body)["title"], "New conversation: Jane Doe");
    // The browser the service said is gone is forgotten.
    let endpoints = system_tests::eventually("the gone browser forgotten", || async {
        let (_, mine) = app.get("/push/subscriptions", &ws.token).await;
        let endpoints: Vec<String> =
            mine["items"].as_array().unwrap().iter().map(|s| s["endpoint"].as_str().unwrap().to_owned()).collect();
        (endpoints.len() == 1).then_some(endpoints)
    })
    .await;
    assert!(endpoints[0].ends_with("/owner-laptop"), "{endpoints:?}");

    // Ada only wants assignments now: a new conversation reaches the owner's laptop alone;
    // assigned to Ada, it reaches her phone.
    let (status, body) =
        put(&app, "/push/preferences", &ada, json!({"new_conversations": false, "assigned": true})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let second = visitor_writes(&app, &ws.token, &site_key, "Omar", "Can I change my address?").await;
    let push = service.nth(4).await;
    assert_eq!(push.browser, "owner-laptop", "Ada turned new conversations off");
    assert_eq!(laptop.decrypt(&push.body)["title"], "New conversation: Omar");
    let (status, body) =
        app.patch(&format!("/conversations/{second}"), &ws.token, json!({"assignee_id": ada_id})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let push = service.nth(5).await;
    assert_eq!(push.browser, "ada-phone");
    let payload = phone.decrypt(&push.body);
    assert_eq!(payload["title"], "Assigned to you: Omar");
    assert_eq!(payload["body"], "Can I change my address?");

    // With her console open, Ada's own alerts ring there, not on her phone.
    let (status, _) = put(&app, "/push/preferences", &ada, json!({"new_conversations": true, "assigned": true})).await;
    assert_eq!(status, StatusCode::OK);
    let mut console =
        system_tests::ws::connect(&app.address, "/ws/agent", system_tests::ws::Credential::Protocol(&ada), None)
            .await
            .expect("Ada's console");
    console.send(&openapi::realtime::ClientFrame::Ping).await;
    console.recv_until("pong", |f| matches!(f, openapi::realtime::ServerFrame::Pong)).await;
    let ada_online = async || {
        let (_, presence) = app.get("/presence", &ws.token).await;
        presence["agents"].as_array().unwrap().iter().any(|a| a["agent_id"] == json!(ada_id))
    };
    system_tests::until("Ada's console counted as open", async || ada_online().await).await;
    visitor_writes(&app, &ws.token, &site_key, "Lea", "Hello?").await;
    // Her phone was subscribed first: had it been alerted, it would have come first.
    let push = service.nth(6).await;
    assert_eq!(push.browser, "owner-laptop", "the owner has no console open; Ada has");
    assert_eq!(laptop.decrypt(&push.body)["title"], "New conversation: Lea");
    drop(console);
    system_tests::until("Ada's console counted as closed", async || !ada_online().await).await;
    // Closed again: the next assignment reaches her phone — and nothing came between.
    let (status, body) = app.patch(&format!("/conversations/{first}"), &ws.token, json!({"assignee_id": ada_id})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let push = service.nth(7).await;
    assert_eq!(push.browser, "ada-phone");
    assert_eq!(phone.decrypt(&push.body)["title"], "Assigned to you: Jane Doe");
}
