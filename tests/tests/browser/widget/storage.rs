//! A browser that blocks third-party storage (Chromium with third-party cookies blocked,
//! Incognito; Safari and Firefox partition it): the widget's iframe cannot keep anything,
//! yet the conversation survives moving to another page of the shop, because the loader
//! keeps the widget's memory in the shop's own storage. The browser here refuses storage
//! to Rapport's origin, so the iframe's `localStorage` throws as it does then.

use super::stage::*;

#[tokio::test]
async fn blocked_third_party_storage_keeps_the_history_across_pages() {
    // The shop on `localhost`, Rapport on `127.0.0.1`: two sites, so the iframe is third-party.
    let s = stage_in(Scene { block_rapport_storage: true, page_host: "localhost", ..Scene::default() }).await;
    let b = &s.browser;
    s.open_widget().await;
    let storage = b
        .client
        .execute("try { localStorage.getItem('x'); return 'usable'; } catch (e) { return e.name; }", vec![])
        .await
        .unwrap();
    assert_eq!(storage, "SecurityError", "the iframe's own storage is blocked in this browser");
    s.type_text("Do you ship to Norway?", true).await;
    s.wait_for_mine(&["Do you ship to Norway?"], "sent", PATIENCE).await;
    let conversation_id = s.conversation_id().await;
    let (status, body) = s
        .app
        .post(&format!("/conversations/{conversation_id}/messages"), &s.workspace.token, json!({"body": "We do!"}))
        .await;
    assert_eq!(status, 201, "{body}");
    b.wait_for(
        "the reply",
        "return document.querySelectorAll('.rp-theirs:not(.rp-greeting):not(.rp-typing)').length === 1",
        PATIENCE,
    )
    .await;

    // Another page of the shop: the same visitor, the same conversation, its history.
    s.leave_widget().await;
    b.client.goto(&format!("{}/checkout", s.page.origin)).await.unwrap();
    s.open_widget().await;
    b.wait_for(
        "the history on the new page",
        "return document.querySelectorAll('.rp-row:not(.rp-greeting):not(.rp-typing)').length === 2",
        PATIENCE,
    )
    .await;
    assert_eq!(s.bubbles("rp-mine").await, vec!["Do you ship to Norway?"]);
    assert_eq!(s.bubbles("rp-theirs").await, vec!["We do!"]);
    let (_, visitors) = s.app.get("/visitors", &s.workspace.token).await;
    assert_eq!(visitors["items"].as_array().unwrap().len(), 1, "still one visitor");
    b.screenshot("storage-blocked-second-page-desktop").await;
    s.browser.client.clone().close().await.ok();
}
