//! The committed `openapi/openapi.json` is the contract: it must equal what the code
//! generates and what the server serves, and document every operation's errors.

use serde_json::Value;
use system_tests::spawn_app;

const COMMITTED: &str = include_str!("../../openapi/openapi.json");

#[test]
fn committed_spec_matches_the_code() {
    let generated = backend::api::spec_json();
    assert!(
        generated == COMMITTED,
        "openapi/openapi.json is out of date with the code: run `cargo xtask openapi` and commit the result"
    );
}

#[tokio::test]
async fn served_spec_is_the_committed_one() {
    let app = spawn_app().await;
    let served: Value = app.http.get(app.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
    let committed: Value = serde_json::from_str(COMMITTED).unwrap();
    assert_eq!(served, committed);
    let docs = app.http.get(app.url("/docs/")).send().await.unwrap();
    assert!(docs.status().is_success(), "Swagger UI is served at /docs");
}

#[test]
fn every_operation_is_named_and_documents_its_errors() {
    let spec: Value = serde_json::from_str(COMMITTED).unwrap();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3."));
    let mut operations = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            operations += 1;
            let name = format!("{method} {path}");
            assert!(operation["operationId"].is_string(), "{name} has no operationId");
            let responses = operation["responses"].as_object().unwrap();
            for status in ["400", "401", "404", "422", "500"] {
                let response = responses.get(status).unwrap_or_else(|| panic!("{name} does not document {status}"));
                let schema = &response["content"]["application/json; charset=utf-8"]["schema"]["$ref"];
                assert_eq!(schema, "#/components/schemas/ErrorBody", "{name} {status} is not an ErrorBody");
            }
        }
    }
    // sign-up, sign-in, sign-out, me, invitations; agents ×4; teams ×5; sites ×6; keys ×3;
    // visitors ×3; conversations ×3; messages ×2; widget ×7 (session, conversations ×2,
    // messages ×2, identify, attributes).
    // Routing ×3 (queue, claim, transfer) and the visitor's queue status; saved replies ×4;
    // mail ×8; webhooks ×8 (list, create, get, update, delete, rotate, deliveries, replay);
    // rating.
    assert_eq!(operations, 73, "an operation was added or removed: update this count and the README");
}
