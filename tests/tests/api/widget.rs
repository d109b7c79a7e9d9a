//! The widget's side of the server without a browser: identity verification, attributes,
//! and how the built widget is served (or why it is not).

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::common::*;

fn sign(secret: &str, user_id: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(user_id.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

async fn visitor_row(app: &TestApp, owner: &Workspace) -> Value {
    let (_, page) = app.get("/visitors", &owner.token).await;
    page["items"][0].clone()
}

#[tokio::test]
async fn identities_are_verified_by_their_hash_and_never_merged_when_unverified() {
    let app = spawn_app().await;
    let owner = app.signup("Acme").await;
    let (site_id, site_key) = app.create_site(&owner.token).await;
    let (_, site) = app.get(&format!("/sites/{site_id}"), &owner.token).await;
    let secret = site["identity_secret"].as_str().unwrap().to_owned();
    let visitor = app.visitor(&site_key).await;

    let (status, body) = app
        .post("/widget/identify", &visitor, json!({"user_id": "u-1", "user_hash": sign("wrong secret", "u-1")}))
        .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "identity_rejected");
    assert_eq!(visitor_row(&app, &owner).await["user_id"], Value::Null, "nothing recorded");

    // Unverified claims are recorded as such…
    let (status, body) = app.post("/widget/identify", &visitor, json!({"user_id": "u-1", "name": "Claimed"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"user_id": "u-1", "verified": false}));

    // …and replaced, not merged, once proven.
    let hash = sign(&secret, "u-1");
    let (status, body) = app
        .post("/widget/identify", &visitor, json!({"user_id": "u-1", "email": "ana@acme.test", "user_hash": hash}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["verified"], true);
    let row = visitor_row(&app, &owner).await;
    assert_eq!((row["verified"].clone(), row["name"].clone()), (json!(true), Value::Null), "{row}");

    // A verified visitor cannot be re-claimed without proof, nor as someone else.
    let (status, body) = app.post("/widget/identify", &visitor, json!({"user_id": "u-1", "name": "Mallory"})).await;
    assert_error(status, &body, StatusCode::CONFLICT, "identity_conflict");
    let (status, body) =
        app.post("/widget/identify", &visitor, json!({"user_id": "u-2", "user_hash": sign(&secret, "u-2")})).await;
    assert_error(status, &body, StatusCode::CONFLICT, "identity_conflict");
    assert_eq!(visitor_row(&app, &owner).await["user_id"], "u-1");

    // A site that requires identity refuses claims without a hash.
    let (status, body) = app.patch(&format!("/sites/{site_id}"), &owner.token, json!({"require_identity": true})).await;
    assert_eq!(status, 200, "{body}");
    let other = app.visitor(&site_key).await;
    let (status, body) = app.post("/widget/identify", &other, json!({"user_id": "u-3"})).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "identity_required");
}

#[tokio::test]
async fn the_widget_sets_attributes_of_its_own_visitor() {
    let app = spawn_app().await;
    let owner = app.signup("Acme").await;
    let (_, site_key) = app.create_site(&owner.token).await;
    let visitor = app.visitor(&site_key).await;
    let (status, body) = app
        .call(Method::PATCH, "/widget/attributes", Some(&visitor), Some(json!({"attributes": {"plan": "pro"}})))
        .await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(visitor_row(&app, &owner).await["attributes"], json!({"plan": "pro"}));
    let (status, _) = app.call(Method::PATCH, "/widget/attributes", None, Some(json!({"attributes": {}}))).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn without_a_built_widget_the_server_says_what_to_do() {
    let empty = system_tests::ScratchDir::new();
    let app =
        spawn_app_with(AppOptions { widget_dir: Some(empty.0.display().to_string()), ..AppOptions::default() }).await;
    for path in ["/widget.js", "/widget/assets/widget_bg.wasm"] {
        let response = app.http.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 503, "{path}");
        assert_eq!(response.headers()["x-content-type-options"], "nosniff");
        assert!(response.text().await.unwrap().contains("cargo xtask"), "{path} explains how to build it");
    }
    let response = app.http.get(app.url("/demo")).send().await.unwrap();
    assert_eq!(response.status(), 404, "no demo workspace on this server");
}

#[tokio::test]
async fn the_frame_may_only_be_embedded_by_the_sites_origins() {
    let dir = system_tests::ScratchDir::new();
    for (name, text) in [("frame.html", "<p>{{v}}</p>"), ("widget_bg.wasm", "\0asm"), ("loader.js", "//")] {
        std::fs::write(dir.0.join(name), text).unwrap();
    }
    let app =
        spawn_app_with(AppOptions { widget_dir: Some(dir.0.display().to_string()), ..AppOptions::default() }).await;
    let owner = app.signup("Acme").await;
    let (_, site_key) = app.create_site(&owner.token).await;

    let response = app.http.get(app.url(&format!("/widget/frame?site={site_key}"))).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let policy = response.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(policy.contains(&format!("frame-ancestors 'self' {SHOP_ORIGIN}")), "{policy}");
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    let version = response.text().await.unwrap();
    assert!(!version.contains("{{v}}"), "assets are versioned: {version}");

    let response = app.http.get(app.url("/widget/frame?site=site_nope")).send().await.unwrap();
    assert_eq!(response.status(), 404);
    let wasm = app.http.get(app.url("/widget/assets/widget_bg.wasm?v=1")).send().await.unwrap();
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
    assert!(wasm.headers()["cache-control"].to_str().unwrap().contains("immutable"));
    for sneaky in ["/widget/assets/..%2Fframe.html", "/widget/assets/.hidden", "/widget/assets/frame.html"] {
        let response = app.http.get(app.url(sneaky)).send().await.unwrap();
        assert_eq!(response.status(), 404, "{sneaky}");
    }
}
