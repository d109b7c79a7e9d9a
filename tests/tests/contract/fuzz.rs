//! The committed spec, checked by a fuzzer against a live server: schemathesis (PyPI)
//! generates requests for every operation from `openapi/openapi.json` — valid ones from
//! the schemas and examples, and invalid ones — and fails on any 5xx and on any response
//! whose body does not match the documented schema.
//!
//! `cargo xtask test` installs the pinned schemathesis into
//! `~/.cache/rapport-tools/schemathesis-<version>` (or set `RAPPORT_SCHEMATHESIS` to a
//! binary). Two passes, seeded and bounded (a few examples per operation), about half a
//! minute on two cores: the widget's operations as a visitor, then the rest as the owner.

use std::{path::PathBuf, process::Stdio, time::Duration};

use serde_json::json;
use system_tests::{AppOptions, spawn_app_with};

/// Keep in step with `SCHEMATHESIS_VERSION` in xtask/src/prereqs.rs.
const VERSION: &str = "4.32.5";

fn schemathesis() -> PathBuf {
    if let Some(path) = std::env::var_os("RAPPORT_SCHEMATHESIS") {
        return path.into();
    }
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| "/tmp".into());
    home.join(".cache/rapport-tools").join(format!("schemathesis-{VERSION}")).join("bin/schemathesis")
}

#[tokio::test]
async fn schemathesis_finds_no_server_error_and_no_schema_violation() {
    let binary = schemathesis();
    assert!(
        binary.is_file(),
        "schemathesis is not installed at {}: run `cargo xtask test` (it installs it), or set RAPPORT_SCHEMATHESIS",
        binary.display()
    );
    // The fuzzer sends thousands of requests with one credential: no rate limit here.
    let env = vec![("RAPPORT_RATE_LIMIT_PER_MINUTE".to_owned(), "0".to_owned())];
    let app = spawn_app_with(AppOptions { env, ..AppOptions::default() }).await;
    let ws = app.signup("Fuzz").await;
    // Some data, so that reads find something to return.
    let (_, site_key) = app.create_site(&ws.token).await;
    let visitor = app.visitor(&site_key).await;
    let conversation = app.start_conversation(&visitor, "Hello").await;
    let (status, _) =
        app.post(&format!("/conversations/{conversation}/messages"), &ws.token, json!({"body": "Hi!"})).await;
    assert_eq!(status, 201);
    let (status, _) = app.post("/api-keys", &ws.token, json!({"name": "CRM", "scope": "read"})).await;
    assert_eq!(status, 201);

    // As a visitor, first: the widget's operations, with a visitor token from an allowed
    // origin (they refuse other origins), so the fuzzer gets past authentication and
    // reaches the handlers' own validation. First, because the team's pass finds this
    // visitor in `GET /visitors` and revokes it, or deletes its site, as an owner may.
    let visitor = [
        "--header".to_owned(),
        format!("Authorization: Bearer {visitor}"),
        "--header".to_owned(),
        "Origin: https://shop.test".to_owned(),
        "--include-path-regex".to_owned(),
        "^/widget/".to_owned(),
    ];
    fuzz(&app.url("/api/v1"), &visitor).await;
    // As the team: every operation but the widget's, with the owner's session.
    let team = [
        "--header".to_owned(),
        format!("Authorization: Bearer {}", ws.token),
        // Signing out would end the session every other request uses.
        "--exclude-operation-id".to_owned(),
        "signout".to_owned(),
        "--exclude-path-regex".to_owned(),
        "^/widget/".to_owned(),
    ];
    fuzz(&app.url("/api/v1"), &team).await;
}

/// One seeded, bounded schemathesis run over the committed spec; fails the test on any
/// problem it reports.
async fn fuzz(base_url: &str, selection: &[String]) {
    let binary = schemathesis();
    let spec = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../openapi/openapi.json");
    let report = std::env::temp_dir().join(format!("rapport-schemathesis-{}", uuid::Uuid::new_v4().simple()));
    let mut command = tokio::process::Command::new(&binary);
    command
        .arg("run")
        .arg(&spec)
        .args(["--url", base_url])
        .args(selection)
        .args(["--checks", "not_a_server_error,response_schema_conformance"])
        // Examples from the spec, boundary values of every schema (coverage), then random.
        .args(["--phases", "examples,coverage,fuzzing"])
        // One worker: with two, Hypothesis (4.32.5's) now and then trips over its own
        // threads describing a strategy ("AST constructor recursion depth mismatch") and
        // reports a runtime error that has nothing to do with Rapport.
        .args(["--max-examples", "25", "--seed", "1", "--workers", "1", "--no-color"])
        .args(["--suppress-health-check", "all"])
        .current_dir(std::env::temp_dir())
        .env("SCHEMATHESIS_REPORTS_DIR", &report)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let run = tokio::time::timeout(Duration::from_secs(600), command.output())
        .await
        .expect("schemathesis finished within 10 minutes")
        .expect("schemathesis started");
    let _ = std::fs::remove_dir_all(&report);
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "schemathesis found problems ({selection:?}):\n{stdout}\n{stderr}");
    // The summary, for the test log (`--nocapture`).
    let summary: Vec<&str> = stdout.lines().rev().take(12).collect();
    println!("schemathesis {selection:?}:\n{}", summary.into_iter().rev().collect::<Vec<_>>().join("\n"));
    // A run that tested nothing would also exit 0.
    assert!(stdout.contains("Tested: "), "unexpected schemathesis output:\n{stdout}");
}
