//! Strict strings: a number or a boolean where the spec says string is refused with 422
//! `invalid_input` naming the field — for every string field of every JSON body in the
//! served spec — and nothing is stored from such a request.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use system_tests::{assert_error, json_of, spawn_app};

fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    let mut schema = schema;
    while let Some(target) = schema["$ref"].as_str().and_then(|r| spec.pointer(r.trim_start_matches('#'))) {
        schema = target;
    }
    if let Some(first) = schema["allOf"].as_array().and_then(|parts| parts.first())
        && schema["allOf"].as_array().is_some_and(|parts| parts.len() == 1)
    {
        return resolve(spec, first);
    }
    schema
}

#[tokio::test]
async fn every_string_field_of_every_body_refuses_numbers_and_booleans() {
    let app = spawn_app().await;
    let owner = app.signup("Strict").await;
    let (_, site_key) = app.create_site(&owner.token).await;
    let visitor = app.visitor(&site_key).await;
    let spec: Value = app.http.get(app.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
    let mut checked = 0;
    for (template, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let content = op["requestBody"]["content"].as_object();
            let json = content.and_then(|c| c.iter().find(|(ty, _)| ty.starts_with("application/json")));
            let Some(schema) = json.and_then(|(_, media)| media.get("schema")) else { continue };
            let schema = resolve(&spec, schema);
            let Some(properties) = schema["properties"].as_object() else { continue };
            let mut path = template.clone();
            for parameter in op["parameters"].as_array().into_iter().flatten() {
                if parameter["in"] == "path" {
                    path = path.replace(
                        &format!("{{{}}}", parameter["name"].as_str().unwrap()),
                        &uuid::Uuid::now_v7().to_string(),
                    );
                }
            }
            let token = if template.starts_with("/widget") { &visitor } else { &owner.token };
            let method: Method = method.to_uppercase().parse().unwrap();
            for (name, property) in properties {
                if resolve(&spec, property)["type"] != "string" {
                    continue;
                }
                for loose in [json!(12345), json!(true)] {
                    let mut body = schema["example"].as_object().cloned().unwrap_or_default();
                    body.insert(name.clone(), loose.clone());
                    let request = app.request(method.clone(), &path, Some(token)).json(&body);
                    let (status, answer) = json_of(request.send().await.unwrap()).await;
                    let what = format!("{method} {template} with {name}: {loose}");
                    assert_error(status, &answer, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
                    assert_eq!(answer["field"], json!(name), "{what}: {answer}");
                    checked += 1;
                }
            }
        }
    }
    println!("{checked} loose strings refused");
    assert!(checked >= 100, "only {checked} string fields found in the spec");
}

#[tokio::test]
async fn the_reported_labels_are_refused_inside_arrays_and_nothing_is_stored() {
    let app = spawn_app().await;
    let owner = app.signup("Strict").await;
    let (_, site_key) = app.create_site(&owner.token).await;
    let visitor = app.visitor(&site_key).await;
    let conversation = app.start_conversation(&visitor, "Hello").await;
    let path = format!("/conversations/{conversation}");
    let (status, body) = app.patch(&path, &owner.token, json!({"labels": ["vip"]})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for (labels, field, kind) in
        [(json!([false, 1]), "labels[0]", "a boolean"), (json!(["ok", 1]), "labels[1]", "a number")]
    {
        let (status, body) = app.patch(&path, &owner.token, json!({"labels": labels})).await;
        assert_error(status, &body, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
        assert_eq!(body["field"], field, "{body}");
        assert!(body["message"].as_str().unwrap().contains(kind), "{body}");
    }
    let (_, stored) = app.get(&path, &owner.token).await;
    assert_eq!(stored["labels"], json!(["vip"]), "the refused requests changed nothing");
    // Strings that look like numbers are strings, and are kept as such.
    let (status, body) = app.patch(&path, &owner.token, json!({"labels": ["1", "false"]})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["labels"], json!(["1", "false"]));
}
