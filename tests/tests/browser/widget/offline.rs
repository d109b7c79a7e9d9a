//! The network drops while the visitor writes. What is simulated, precisely: the TCP
//! link between browser and Rapport is cut (every open connection closed, new ones
//! refused) and later restored; the browser is never told it is offline. The widget has
//! to notice from its socket alone, keep the messages in its outbox, and deliver each
//! exactly once when the link returns.

use std::time::Duration;

use super::stage::*;

#[tokio::test]
async fn messages_written_offline_arrive_exactly_once_when_the_network_returns() {
    let s = stage("", Screen::Phone).await;
    let b = &s.browser;
    s.open_widget().await;

    // On a phone the panel takes the whole screen.
    s.leave_widget().await;
    let fills = b
        .client
        .execute(
            "const r = document.querySelector('iframe').getBoundingClientRect();
             return r.left === 0 && r.top === 0 && r.width === innerWidth && r.height === innerHeight;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(fills, true, "the panel fills the phone's screen");
    s.enter_widget().await;

    s.type_text("Hi! Do you ship to Canada?", true).await;
    s.wait_for_mine(&["Hi! Do you ship to Canada?"], "sent", PATIENCE).await;
    let conversation_id = s.conversation_id().await;
    let (status, body) = s
        .app
        .post(
            &format!("/conversations/{conversation_id}/messages"),
            &s.workspace.token,
            json!({"body": "We do! Shipping takes 3–5 business days."}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    b.wait_for(
        "the reply",
        "return document.querySelectorAll('.rp-theirs:not(.rp-greeting):not(.rp-typing)').length === 1",
        PATIENCE,
    )
    .await;

    s.link.cut();
    b.wait_for("the reconnecting banner", "return !!document.querySelector('.rp-banner')", PATIENCE).await;
    s.type_text("Great, and how much does it cost?", true).await;
    s.type_text("Also, can I pay by invoice?", true).await;
    let all = ["Hi! Do you ship to Canada?", "Great, and how much does it cost?", "Also, can I pay by invoice?"];
    let waiting = b
        .client
        .execute(
            "return Array.from(document.querySelectorAll('.rp-mine .rp-delivery')).map(d => d.dataset.state)",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(waiting, json!(["sent", "sending", "sending"]));
    let outbox = b
        .client
        .execute(
            &format!("return JSON.parse(localStorage.getItem('rapport.{}.outbox')).items.length", s.site_key),
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(outbox, 2, "the unsent messages wait in the iframe's storage");
    let shot = b.screenshot("widget-phone-offline").await;
    println!("screenshot: {}", shot.display());
    // Let the widget fail a few reconnection attempts while the link is down: counted at
    // the link, not guessed with a sleep.
    let refused = s.link.refused() + 3;
    system_tests::eventually("three refused reconnection attempts", || async {
        (s.link.refused() >= refused).then_some(())
    })
    .await;
    assert_eq!(s.stored_bodies(conversation_id).await.len(), 2, "nothing got through while cut");

    s.link.restore();
    s.wait_for_mine(&all, "sent", Duration::from_secs(45)).await;
    b.wait_for("the banner to go", "return !document.querySelector('.rp-banner')", PATIENCE).await;
    let stored = s.stored_bodies(conversation_id).await;
    for body in &all[1..] {
        assert_eq!(stored.iter().filter(|b| b == body).count(), 1, "{body:?} stored exactly once: {stored:?}");
    }
    assert_eq!(stored.len(), 4, "{stored:?}");
    assert_eq!(s.bubbles("rp-mine").await, all, "each shown once, in order");
    let shot = b.screenshot("widget-phone").await;
    println!("screenshot: {}", shot.display());
    s.browser.client.clone().close().await.ok();
}
