//! Strict strings. poem-openapi turns a JSON number or boolean into a `String` field's
//! value (`"labels": [false, 1]` became `["false", "1"]`), which the spec does not allow and
//! which hides client bugs in stored data. This middleware checks every JSON request body
//! against its operation's schema in the served spec, before the operation runs: where the
//! schema says `string`, a number or a boolean is refused with 422 `invalid_input`, naming
//! the field (`labels[0]`). Everything else poem-openapi already parses strictly.
//!
//! The operations and schemas come from the spec itself, so new operations are covered
//! without listing them anywhere.

use std::sync::Arc;

use openapi::error::ErrorBody;
use poem::{Body, Endpoint, IntoResponse, Request, Response, http::Method};
use serde_json::Value;

/// One operation with a JSON body: its method, path template (split) and body schema.
struct Operation {
    method: Method,
    segments: Vec<String>,
    schema: Value,
}

/// The JSON body schemas of the API, by operation.
#[derive(Clone)]
pub struct Schemas(Arc<Inner>);

struct Inner {
    spec: Value,
    operations: Vec<Operation>,
}

impl Schemas {
    /// Reads the operations out of the spec (JSON text, as served).
    pub fn from_spec(spec: &str) -> Self {
        let spec: Value = serde_json::from_str(spec).unwrap_or(Value::Null);
        let mut operations = Vec::new();
        if let Some(paths) = spec["paths"].as_object() {
            for (template, item) in paths {
                for (method, op) in item.as_object().into_iter().flatten() {
                    let Ok(method) = method.to_uppercase().parse::<Method>() else { continue };
                    // The spec names the media type `application/json; charset=utf-8`.
                    let content = op["requestBody"]["content"].as_object();
                    let json = content.and_then(|c| c.iter().find(|(ty, _)| ty.starts_with("application/json")));
                    let Some((_, media)) = json else { continue };
                    let schema = &media["schema"];
                    if schema.is_null() {
                        continue;
                    }
                    let segments = template.trim_matches('/').split('/').map(str::to_owned).collect();
                    operations.push(Operation { method, segments, schema: schema.clone() });
                }
            }
        }
        Self(Arc::new(Inner { spec, operations }))
    }

    fn schema_for(&self, method: &Method, path: &str) -> Option<&Value> {
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        self.0
            .operations
            .iter()
            .filter(|op| op.method == *method && op.segments.len() == segments.len())
            // A literal segment beats a parameter (`/agents/me` over `/agents/{id}`).
            .filter(|op| op.segments.iter().zip(&segments).all(|(t, s)| t.starts_with('{') || t == s))
            .max_by_key(|op| op.segments.iter().filter(|t| !t.starts_with('{')).count())
            .map(|op| &op.schema)
    }

    /// The first place in `value` where the schema wants a string and gets a number or a
    /// boolean, as a field path.
    pub fn first_loose_string(&self, method: &Method, path: &str, value: &Value) -> Option<(String, &'static str)> {
        let schema = self.schema_for(method, path)?;
        let mut field = String::new();
        if loose(&self.0.spec, schema, value, &mut field, 0) {
            let found = pointer_kind(value, &field);
            Some((field, found))
        } else {
            None
        }
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Number(_) => "a number",
        Value::Bool(_) => "a boolean",
        _ => "something else",
    }
}

/// What is at a field path like `labels[0]` or `attributes.plan` (for the message).
fn pointer_kind(value: &Value, field: &str) -> &'static str {
    let mut current = value;
    for part in field.split('.').filter(|p| !p.is_empty()) {
        let (name, indexes) = part.split_once('[').map_or((part, ""), |(n, rest)| (n, rest));
        if !name.is_empty() {
            current = &current[name];
        }
        for index in indexes.split('[').filter(|i| !i.is_empty()) {
            current = &current[index.trim_end_matches(']').parse::<usize>().unwrap_or(usize::MAX)];
        }
    }
    kind(current)
}

/// Follows `$ref`s to the schema they name.
fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    let mut schema = schema;
    for _ in 0..16 {
        match schema["$ref"].as_str().and_then(|r| spec.pointer(r.trim_start_matches('#'))) {
            Some(target) => schema = target,
            None => break,
        }
    }
    schema
}

/// True when `value` holds a loose string somewhere `schema` wants a string; `field` is
/// then its path.
fn loose(spec: &Value, schema: &Value, value: &Value, field: &mut String, depth: usize) -> bool {
    if depth > 32 || value.is_null() {
        return false;
    }
    let schema = resolve(spec, schema);
    if let Some(parts) = schema["allOf"].as_array() {
        return parts.iter().any(|part| loose(spec, part, value, field, depth + 1));
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(choices) = schema[key].as_array() {
            // Loose only if no alternative takes the value as it is.
            let mut first: Option<String> = None;
            for choice in choices {
                let mut at = field.clone();
                if !loose(spec, choice, value, &mut at, depth + 1) {
                    return false;
                }
                first.get_or_insert(at);
            }
            return match first {
                Some(at) => {
                    *field = at;
                    true
                }
                None => false,
            };
        }
    }
    match schema["type"].as_str() {
        Some("string") => matches!(value, Value::Number(_) | Value::Bool(_)),
        Some("array") => {
            let Some(items) = value.as_array() else { return false };
            for (i, item) in items.iter().enumerate() {
                let mark = field.len();
                field.push_str(&format!("[{i}]"));
                if loose(spec, &schema["items"], item, field, depth + 1) {
                    return true;
                }
                field.truncate(mark);
            }
            false
        }
        Some("object") | None => {
            let Some(object) = value.as_object() else { return false };
            for (name, member) in object {
                let member_schema = match schema["properties"].get(name) {
                    Some(s) => s,
                    None if schema["additionalProperties"].is_object() => &schema["additionalProperties"],
                    None => continue,
                };
                let mark = field.len();
                if !field.is_empty() {
                    field.push('.');
                }
                field.push_str(name);
                if loose(spec, member_schema, member, field, depth + 1) {
                    return true;
                }
                field.truncate(mark);
            }
            false
        }
        _ => false,
    }
}

fn is_json(req: &Request) -> bool {
    req.headers()
        .get(poem::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|ct| {
            let ct = ct.trim().to_ascii_lowercase();
            ct == "application/json" || ct.ends_with("+json")
        })
}

/// Middleware on `/api/v1` (inside the body size limit).
pub async fn guard<E: Endpoint>(next: E, mut req: Request, schemas: Schemas) -> poem::Result<Response> {
    if is_json(&req) && !matches!(*req.method(), Method::GET | Method::HEAD) {
        let path = req.uri().path().to_owned();
        let bytes = req.take_body().into_bytes().await?;
        if let Ok(value) = serde_json::from_slice::<Value>(&bytes)
            && let Some((field, found)) = schemas.first_loose_string(req.method(), &path, &value)
        {
            let body = ErrorBody {
                code: "invalid_input".into(),
                message: format!("must be a string, not {found}"),
                field: Some(field),
            };
            let mut response = poem_openapi::payload::Json(body).into_response();
            response.set_status(poem::http::StatusCode::UNPROCESSABLE_ENTITY);
            return Ok(response);
        }
        req.set_body(Body::from(bytes));
    }
    next.call(req).await.map(IntoResponse::into_response)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn schemas() -> Schemas {
        let spec = json!({
            "paths": {
                "/conversations/{id}": {"patch": {"requestBody": {"content": {"application/json; charset=utf-8": {"schema": {"$ref": "#/components/schemas/Update"}}}}}},
                "/things": {"post": {"requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {
                    "count": {"type": "integer"},
                    "flag": {"type": "boolean"},
                    "tags": {"type": "object", "additionalProperties": {"type": "string"}}
                }}}}}}}
            },
            "components": {"schemas": {"Update": {"type": "object", "properties": {
                "labels": {"type": "array", "items": {"type": "string"}},
                "name": {"allOf": [{"$ref": "#/components/schemas/Name"}]},
                "status": {"type": "string", "enum": ["open", "resolved"]}
            }}, "Name": {"type": "string"}}}
        });
        Schemas::from_spec(&spec.to_string())
    }

    #[test]
    fn numbers_and_booleans_for_strings_are_found_with_their_field() {
        let s = schemas();
        let at = |method: Method, path: &str, value: Value| s.first_loose_string(&method, path, &value);
        assert_eq!(
            at(Method::PATCH, "/conversations/1", json!({"labels": [false, 1]})),
            Some(("labels[0]".into(), "a boolean"))
        );
        assert_eq!(
            at(Method::PATCH, "/conversations/1", json!({"labels": ["a", 1]})),
            Some(("labels[1]".into(), "a number"))
        );
        assert_eq!(at(Method::PATCH, "/conversations/1", json!({"name": 7})), Some(("name".into(), "a number")));
        assert_eq!(
            at(Method::PATCH, "/conversations/1", json!({"status": true})),
            Some(("status".into(), "a boolean"))
        );
        assert_eq!(at(Method::POST, "/things", json!({"tags": {"plan": 3}})), Some(("tags.plan".into(), "a number")));
        for fine in [json!({"labels": ["a"], "name": "x", "status": null}), json!({"unknown": 5})] {
            assert_eq!(at(Method::PATCH, "/conversations/1", fine.clone()), None, "{fine}");
        }
        assert_eq!(at(Method::POST, "/things", json!({"count": 3, "flag": true, "tags": {"a": "b"}})), None);
        assert_eq!(at(Method::POST, "/elsewhere", json!({"labels": [1]})), None);
    }
}
