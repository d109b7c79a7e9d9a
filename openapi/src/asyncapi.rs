//! The AsyncAPI 3 document of `/ws/visitor` and `/ws/agent`, generated from the frame
//! types in [`crate::realtime`]: a JSON Schema per frame, which frames each endpoint takes
//! and sends. Committed as `openapi/asyncapi.json` (a test fails on drift) and served at
//! `/api/asyncapi.json`. PROTOCOL.md explains what the frames mean; this says exactly
//! what they look like, for clients written in any language.

use schemars::{
    JsonSchema,
    generate::{Contract, SchemaSettings},
};
use serde_json::{Map, Value, json};

use crate::realtime::{ClientFrame, ServerFrame};

/// Frames each endpoint accepts, and frames it sends.
const VISITOR_TAKES: &[&str] = &["ping", "resume", "send", "typing", "read", "page"];
const AGENT_TAKES: &[&str] = &["ping", "resume", "feed", "send", "typing", "read", "status"];
const VISITOR_GETS: &[&str] =
    &["hello", "pong", "message", "resumed", "ack", "typing", "read", "conversation", "queue", "error"];
const AGENT_GETS: &[&str] = &[
    "hello",
    "pong",
    "message",
    "resumed",
    "ack",
    "typing",
    "read",
    "page",
    "conversation",
    "agent_status",
    "feed_synced",
    "error",
];

/// The variants of a tagged frame enum, by their `type`, and the definitions they use.
/// Client frames are described as the server reads them, server frames as it writes them.
fn frames<T: JsonSchema>(contract: Contract) -> (Vec<(String, Value)>, Map<String, Value>, Value) {
    let mut settings = SchemaSettings::draft07();
    settings.definitions_path = "/components/schemas".into();
    settings.contract = contract;
    let mut generator = settings.into_generator();
    let root = generator.root_schema_for::<T>().to_value();
    let definitions = generator.take_definitions(true);
    let variants = root["oneOf"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|variant| {
            let name = variant["properties"]["type"]["const"]
                .as_str()
                .or_else(|| variant["properties"]["type"]["enum"][0].as_str())?
                .to_owned();
            Some((name, variant))
        })
        .collect();
    let mut frame = root;
    if let Some(object) = frame.as_object_mut() {
        object.remove("$schema");
        object.remove("components");
        object.remove("definitions");
    }
    (variants, definitions, frame)
}

/// The document, as JSON.
pub fn document() -> Value {
    let (client, client_definitions, mut client_frame) = frames::<ClientFrame>(Contract::Deserialize);
    let (server, server_definitions, server_frame) = frames::<ServerFrame>(Contract::Serialize);
    let mut schemas = client_definitions;
    schemas.extend(server_definitions);
    let reference = json!({
        "type": "string",
        "maxLength": 64,
        "description": "Any client frame may carry a `ref` of the client's choosing; an `error` frame refusing it echoes it."
    });
    let mut messages = Map::new();
    for (name, mut payload) in client {
        if let Some(properties) = payload["properties"].as_object_mut() {
            properties.insert("ref".into(), reference.clone());
        }
        let summary = payload["description"].as_str().unwrap_or_default().to_owned();
        messages.insert(format!("client_{name}"), json!({"name": name, "summary": summary, "payload": payload}));
    }
    for (name, payload) in server {
        let summary = payload["description"].as_str().unwrap_or_default().to_owned();
        messages.insert(format!("server_{name}"), json!({"name": name, "summary": summary, "payload": payload}));
    }
    // Every client frame, as one schema (with `ref`), for validators.
    if let Some(variants) = client_frame["oneOf"].as_array_mut() {
        for variant in variants {
            if let Some(properties) = variant["properties"].as_object_mut() {
                properties.insert("ref".into(), reference.clone());
            }
        }
    }
    schemas.insert("ClientFrame".into(), client_frame);
    schemas.insert("ServerFrame".into(), server_frame);

    let channel = |address: &str, title: &str, takes: &[&str], gets: &[&str]| {
        let mut refs = Map::new();
        for name in takes {
            refs.insert(format!("client_{name}"), json!({"$ref": format!("#/components/messages/client_{name}")}));
        }
        for name in gets {
            refs.insert(format!("server_{name}"), json!({"$ref": format!("#/components/messages/server_{name}")}));
        }
        json!({"address": address, "title": title, "messages": refs})
    };
    let operation = |action: &str, channel: &str, side: &str, names: &[&str], summary: &str| {
        let refs: Vec<Value> =
            names.iter().map(|name| json!({"$ref": format!("#/channels/{channel}/messages/{side}_{name}")})).collect();
        json!({"action": action, "channel": {"$ref": format!("#/channels/{channel}")}, "summary": summary, "messages": refs})
    };
    json!({
        "asyncapi": "3.1.0",
        "info": {
            "title": "Rapport real-time protocol",
            "version": "1",
            "description": "The WebSocket endpoints of a Rapport server: one JSON text frame per message, tagged by `type`. \
                Authenticate in `Sec-WebSocket-Protocol` (`rapport.v1, rapport.token.<token>`) or, on `/ws/agent`, with \
                the console's session cookie from Rapport's own origin. PROTOCOL.md explains the delivery contract, \
                limits, errors and close codes."
        },
        "defaultContentType": "application/json",
        "servers": {
            "rapport": {"host": "localhost:8080", "protocol": "ws", "description": "Any Rapport node (wss behind TLS)."}
        },
        "channels": {
            "visitor": channel("/ws/visitor", "A website visitor (visitor token, allowed Origin)", VISITOR_TAKES, VISITOR_GETS),
            "agent": channel("/ws/agent", "A support agent (session token or cookie)", AGENT_TAKES, AGENT_GETS),
        },
        "operations": {
            "visitorFrames": operation("receive", "visitor", "client", VISITOR_TAKES, "Frames a visitor sends"),
            "toVisitor": operation("send", "visitor", "server", VISITOR_GETS, "Frames a visitor receives"),
            "agentFrames": operation("receive", "agent", "client", AGENT_TAKES, "Frames an agent sends"),
            "toAgent": operation("send", "agent", "server", AGENT_GETS, "Frames an agent receives"),
        },
        "components": {"messages": messages, "schemas": schemas}
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_frame_has_a_message_and_every_listed_frame_exists() {
        let document = document();
        let messages = document["components"]["messages"].as_object().unwrap();
        for name in VISITOR_TAKES.iter().chain(AGENT_TAKES) {
            assert!(messages.contains_key(&format!("client_{name}")), "no client frame {name}");
        }
        for name in VISITOR_GETS.iter().chain(AGENT_GETS) {
            assert!(messages.contains_key(&format!("server_{name}")), "no server frame {name}");
        }
        // Every client frame is taken by some endpoint, every server frame sent by one.
        for name in messages.keys() {
            let (side, frame) = name.split_once('_').unwrap();
            let listed = match side {
                "client" => VISITOR_TAKES.contains(&frame) || AGENT_TAKES.contains(&frame),
                _ => VISITOR_GETS.contains(&frame) || AGENT_GETS.contains(&frame),
            };
            assert!(listed, "{name} is on no channel");
        }
    }
}
