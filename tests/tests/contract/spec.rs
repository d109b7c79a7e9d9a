//! The committed `openapi/openapi.json` is the contract: it must equal what the code
//! generates and what the server serves, and document every operation's errors. The same
//! holds for the socket protocol's `openapi/asyncapi.json`.

use serde_json::Value;
use system_tests::spawn_app;

const COMMITTED: &str = include_str!("../../../openapi/openapi.json");

#[test]
fn committed_spec_matches_the_code() {
    let generated = backend::api::spec_json();
    assert!(
        generated == COMMITTED,
        "openapi/openapi.json is out of date with the code: run `cargo xtask openapi` and commit the result"
    );
}

/// The socket protocol's AsyncAPI document, likewise. (Every frame the tests receive is
/// also checked against it: `system_tests::frame_schema`.)
#[test]
fn committed_asyncapi_matches_the_code() {
    let generated = backend::api::asyncapi_json();
    assert!(
        generated.trim_end() == system_tests::frame_schema::ASYNCAPI.trim_end(),
        "openapi/asyncapi.json is out of date with the code: run `cargo xtask openapi` and commit the result"
    );
}

#[tokio::test]
async fn served_asyncapi_is_the_committed_one() {
    let app = spawn_app().await;
    let served: Value = app.http.get(app.url("/api/asyncapi.json")).send().await.unwrap().json().await.unwrap();
    let committed: Value = serde_json::from_str(system_tests::frame_schema::ASYNCAPI).unwrap();
    assert_eq!(served, committed);
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
    // No exact count (every branch adding an operation would collide here); the drift test
    // above pins the spec, this only guards against an empty or truncated one.
    assert!(operations >= 50, "only {operations} operations in the spec: is it truncated?");
}

#[test]
fn every_json_request_body_and_the_error_body_have_an_example() {
    let spec: Value = serde_json::from_str(COMMITTED).unwrap();
    let schemas = &spec["components"]["schemas"];
    assert!(schemas["ErrorBody"]["example"].is_object(), "the error body has an example");
    let mut bodies = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let Some(content) = operation["requestBody"]["content"].as_object() else { continue };
            for (media_type, body) in content {
                let Some(reference) = body["schema"]["$ref"].as_str() else { continue };
                let name = reference.trim_start_matches("#/components/schemas/");
                assert!(
                    schemas[name]["example"].is_object(),
                    "{method} {path}: the {media_type} body {name} has no example (add one in openapi/src/examples.rs)"
                );
                bodies += 1;
            }
        }
    }
    assert!(bodies >= 25, "only {bodies} JSON request bodies found");
}

/// Required parameters show an example; optional ones show none but say what they take:
/// Swagger UI's "Try it out" fills every example in, and an optional filter filled in by
/// the docs narrows an answer nobody asked to narrow.
#[test]
fn required_parameters_have_an_example_and_optional_ones_a_description_only() {
    let spec: Value = serde_json::from_str(COMMITTED).unwrap();
    let mut optional = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let name = parameter["name"].as_str().unwrap();
                let example = !parameter["example"].is_null() || !parameter["schema"]["example"].is_null();
                if parameter["required"] == true {
                    assert!(
                        example,
                        "{method} {path}: parameter `{name}` has no example (add #[oai(example = …)] from backend/src/api_examples.rs)"
                    );
                } else {
                    optional += 1;
                    assert!(
                        !example,
                        "{method} {path}: optional parameter `{name}` has an example Swagger UI would send"
                    );
                    assert!(
                        parameter["description"].as_str().is_some_and(|d| !d.is_empty()),
                        "{method} {path}: optional parameter `{name}` says nothing about what it takes"
                    );
                }
            }
        }
    }
    assert!(optional >= 50, "only {optional} optional parameters found");
}

#[test]
fn every_operation_shows_an_example() {
    // A parameter, a JSON body or a JSON answer with an example: something to copy.
    let spec: Value = serde_json::from_str(COMMITTED).unwrap();
    let schemas = &spec["components"]["schemas"];
    let has_example = |content: &Value| {
        content.as_object().into_iter().flatten().any(|(_, body)| {
            let name = body["schema"]["$ref"].as_str().unwrap_or_default().trim_start_matches("#/components/schemas/");
            !schemas[name]["example"].is_null()
        })
    };
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let answers = operation["responses"].as_object().unwrap();
            let shown = operation["parameters"].as_array().is_some_and(|p| !p.is_empty())
                || has_example(&operation["requestBody"]["content"])
                || answers.iter().any(|(status, answer)| status.starts_with('2') && has_example(&answer["content"]))
                // Nothing to show: no input and an empty answer.
                || answers.iter().all(|(status, answer)| !status.starts_with('2') || answer["content"].is_null());
            assert!(shown, "{method} {path} shows no example");
        }
    }
}
