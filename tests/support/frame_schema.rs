//! Every frame the server sends a test is checked against the committed AsyncAPI document
//! (`openapi/asyncapi.json`): the document a client in another language is written from
//! must describe what the server really sends. A frame outside its schema fails the test.

use std::sync::OnceLock;

use serde_json::{Value, json};

/// The committed document, as a client writer would download it.
pub const ASYNCAPI: &str = include_str!("../../openapi/asyncapi.json");

fn validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let document: Value = serde_json::from_str(ASYNCAPI).expect("openapi/asyncapi.json is JSON");
        // The server frame schema, resolving its references inside the document.
        let schema = json!({
            "$schema": "http://json-schema.org/draft-07/schema#",
            "$ref": "#/components/schemas/ServerFrame",
            "components": document["components"],
        });
        jsonschema::draft7::new(&schema).expect("the ServerFrame schema compiles")
    })
}

/// Panics, saying where, when `text` is not a server frame the document describes.
pub fn check_server_frame(text: &str) {
    let frame: Value =
        serde_json::from_str(text).unwrap_or_else(|err| panic!("a frame that is not JSON ({err}): {text}"));
    let errors: Vec<String> =
        validator().iter_errors(&frame).map(|error| format!("{} at {}", error, error.instance_path())).collect();
    assert!(errors.is_empty(), "frame outside openapi/asyncapi.json: {text}\n{}", errors.join("\n"));
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_frame_outside_the_document_is_caught() {
        super::check_server_frame(r#"{"type":"pong"}"#);
        let caught = std::panic::catch_unwind(|| super::check_server_frame(r#"{"type":"pong_pong"}"#));
        assert!(caught.is_err());
        let caught =
            std::panic::catch_unwind(|| super::check_server_frame(r#"{"type":"resumed","conversation_id":"x"}"#));
        assert!(caught.is_err(), "a bad uuid and a missing last_seq");
    }
}
