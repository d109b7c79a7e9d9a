//! How Rapport serves the console: `/` leads to it (with a linked conversation opened),
//! its page starts the build its address needs and carries a strict policy, and a server without the built console says what to do
//! instead of failing.

use super::stage::*;

#[tokio::test]
async fn the_root_redirects_to_the_console_whose_page_allows_only_its_own_origin() {
    let app = spawn_app_with(AppOptions::default()).await;
    for path in ["/", "/console"] {
        let response = app.http.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 303, "{path}");
        assert_eq!(response.headers()["location"], "/console/", "{path}");
    }
    let response = app.http.get(app.url("/console/")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let policy = response.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert!(policy.contains("script-src 'self' 'wasm-unsafe-eval'"), "{policy}");
    let page = response.text().await.unwrap();
    assert!(page.contains("/console/assets/agent-console.js?v="), "assets are versioned: {page}");
    assert!(!page.contains("{{v}}"), "{page}");
    assert!(page.contains(r#"data-bundle="agent-console""#), "the everyday build: {page}");
    // An address naming a screen beyond the inbox starts the complete build.
    let page = app.http.get(app.url("/console/?screen=reports")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains(r#"data-bundle="console-admin""#), "{page}");
    assert!(page.contains("/console/assets/console-admin.js?v="), "{page}");

    let response = app.http.get(app.url("/console/assets/console.css?v=1")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["cache-control"].to_str().unwrap().contains("immutable"));
    for bad in ["/console/assets/.hidden", "/console/assets/index.html", "/console/assets/..%2FCargo.toml"] {
        assert_eq!(app.http.get(app.url(bad)).send().await.unwrap().status(), 404, "{bad}");
    }
}

#[tokio::test]
async fn without_a_built_console_the_page_says_how_to_build_it() {
    let empty = system_tests::ScratchDir::new();
    let widget_dir = empty.0.join("widget");
    std::fs::create_dir_all(&widget_dir).unwrap();
    let app =
        spawn_app_with(AppOptions { widget_dir: Some(widget_dir.display().to_string()), ..AppOptions::default() })
            .await;
    let response = app.http.get(app.url("/console/")).send().await.unwrap();
    assert_eq!(response.status(), 503);
    assert!(response.text().await.unwrap().contains("cargo xtask build"));
}

#[tokio::test]
async fn a_link_to_a_conversation_opens_it_even_when_resolved() {
    let s = stage().await;
    let visitor = s.visitor("Where is my parcel?", Value::Null).await;
    let c = visitor.conversation_id;
    // Resolved, so no list the console starts with holds it.
    let (status, _) =
        s.app.patch(&format!("/conversations/{c}"), &s.workspace.token, json!({"status": "resolved"})).await;
    assert_eq!(status, 200);
    // As in mail to agents: the root, with the conversation in the query.
    s.browser.client.goto(&format!("{}/?conversation={c}", s.link.address)).await.unwrap();
    s.ready().await;
    s.wait(
        "the linked conversation, open",
        &format!("return !!document.querySelector('[data-open-conversation=\"{c}\"] .timeline [data-seq]')"),
    )
    .await;
    s.wait(
        "in the Resolved view",
        "return document.querySelector('[aria-current=page]')?.textContent.includes('Resolved')",
    )
    .await;
}
