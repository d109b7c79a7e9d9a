//! The widget's pre-chat form as the server enforces it: per-site settings, a required
//! answer missing is refused with `prechat_required` and stores nothing, answers go onto
//! the visitor, and one workspace's settings never reach another's visitors.

use crate::common::*;

async fn visitors(app: &TestApp, owner: &Workspace) -> Vec<Value> {
    let (status, page) = app.get("/visitors", &owner.token).await;
    assert_eq!(status, 200, "{page}");
    page["items"].as_array().unwrap().clone()
}

async fn conversation_count(app: &TestApp, owner: &Workspace) -> usize {
    let (status, page) = app.get("/conversations", &owner.token).await;
    assert_eq!(status, 200, "{page}");
    page["items"].as_array().unwrap().len()
}

fn first(body: &str, extra: Value) -> Value {
    let mut request = json!({"body": body, "client_msg_id": Uuid::new_v4().to_string()});
    for (key, value) in extra.as_object().unwrap() {
        request[key] = value.clone();
    }
    request
}

#[tokio::test]
async fn sites_carry_the_form_settings_and_the_widget_sees_them() {
    let app = spawn_app().await;
    let owner = app.signup("Acme").await;
    let (site_id, site_key) = app.create_site(&owner.token).await;
    let (_, site) = app.get(&format!("/sites/{site_id}"), &owner.token).await;
    assert_eq!(
        (&site["prechat_name"], &site["prechat_email"], &site["offline_form"]),
        (&json!("off"), &json!("off"), &json!(true))
    );

    let (status, site) = app
        .patch(
            &format!("/sites/{site_id}"),
            &owner.token,
            json!({"prechat_name": "optional", "prechat_email": "required", "offline_form": false}),
        )
        .await;
    assert_eq!(status, 200, "{site}");
    assert_eq!(
        (&site["prechat_name"], &site["prechat_email"], &site["offline_form"]),
        (&json!("optional"), &json!("required"), &json!(false))
    );
    let (status, session) = widget_session(&app, &site_key, None, None).await;
    assert_eq!(status, 200, "{session}");
    assert_eq!(session["site"]["prechat_name"], "optional", "{session}");
    assert_eq!(session["site"]["prechat_email"], "required", "{session}");
    assert_eq!(session["site"]["offline_form"], false, "{session}");

    // An unknown setting is refused and the stored one stays.
    let (status, body) =
        app.patch(&format!("/sites/{site_id}"), &owner.token, json!({"prechat_email": "sometimes"})).await;
    assert_client_error(status, &body);
    let (_, site) = app.get(&format!("/sites/{site_id}"), &owner.token).await;
    assert_eq!(site["prechat_email"], "required");

    let (status, site) = app
        .post(
            "/sites",
            &owner.token,
            json!({"name": "Blog", "allowed_origins": ["https://blog.test"], "prechat_name": "required"}),
        )
        .await;
    assert_eq!(status, 201, "{site}");
    assert_eq!((&site["prechat_name"], &site["prechat_email"]), (&json!("required"), &json!("off")));
}

#[tokio::test]
async fn a_required_answer_missing_is_refused_and_nothing_is_stored() {
    let app = spawn_app().await;
    let owner = app.signup("Acme").await;
    let (site_id, site_key) = app.create_site(&owner.token).await;
    let (status, body) = app
        .patch(
            &format!("/sites/{site_id}"),
            &owner.token,
            json!({"prechat_name": "optional", "prechat_email": "required"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let visitor = app.visitor(&site_key).await;

    for missing in [json!({}), json!({"name": "Ana"}), json!({"email": "   "}), json!({"email": null, "name": "Ana"})] {
        let (status, body) = app.post("/widget/conversations", &visitor, first("Hello", missing.clone())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{missing} → {body}");
        assert_eq!((&body["code"], &body["field"]), (&json!("prechat_required"), &json!("email")), "{body}");
    }
    // A malformed answer is refused too, naming the field.
    let (status, body) =
        app.post("/widget/conversations", &visitor, first("Hello", json!({"email": "ana at acme"}))).await;
    assert_invalid(status, &body, "email");
    assert_eq!(conversation_count(&app, &owner).await, 0, "no conversation was started");
    let row = &visitors(&app, &owner).await[0];
    assert_eq!((&row["name"], &row["email"]), (&Value::Null, &Value::Null), "the visitor is untouched: {row}");

    // With the answers, the chat starts and the visitor has them.
    let (status, body) = app
        .post(
            "/widget/conversations",
            &visitor,
            first("Hello", json!({"name": " Ana Lima ", "email": "Ana@Acme.test"})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let row = &visitors(&app, &owner).await[0];
    assert_eq!((&row["name"], &row["email"]), (&json!("Ana Lima"), &json!("ana@acme.test")), "{row}");

    // The optional name may be left out.
    let other = app.visitor(&site_key).await;
    let (status, body) = app.post("/widget/conversations", &other, first("Hi", json!({"email": "bo@acme.test"}))).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(conversation_count(&app, &owner).await, 2);
}

#[tokio::test]
async fn form_settings_stay_within_their_workspace() {
    let app = spawn_app().await;
    let strict = app.signup("Strict").await;
    let relaxed = app.signup("Relaxed").await;
    let (strict_site, _) = app.create_site(&strict.token).await;
    let (_, relaxed_key) = app.create_site(&relaxed.token).await;
    let (status, body) = app
        .patch(
            &format!("/sites/{strict_site}"),
            &strict.token,
            json!({"prechat_name": "required", "prechat_email": "required"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    // The other workspace can neither read nor change the strict site…
    let (status, _) = app.get(&format!("/sites/{strict_site}"), &relaxed.token).await;
    assert_eq!(status, 404);
    let (status, _) = app.patch(&format!("/sites/{strict_site}"), &relaxed.token, json!({"prechat_name": "off"})).await;
    assert_eq!(status, 404);
    // …and its visitors chat without the strict site's form.
    let visitor = app.visitor(&relaxed_key).await;
    let (status, body) = app.post("/widget/conversations", &visitor, first("Hello", json!({}))).await;
    assert_eq!(status, 201, "{body}");
    let (_, site) = app.get(&format!("/sites/{strict_site}"), &strict.token).await;
    assert_eq!(site["prechat_name"], "required", "unchanged by the other workspace");
}
