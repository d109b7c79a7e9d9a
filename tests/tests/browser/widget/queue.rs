//! Waiting for an agent: the panel says where the visitor is in line and about how long
//! it will take, and follows the queue as it moves.

use super::stage::*;

/// The agent takes a conversation from the queue.
async fn claim(s: &Stage, id: Uuid) {
    let (status, body) = s.app.post(&format!("/conversations/{id}/claim"), &s.workspace.token, json!({})).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn a_waiting_visitor_sees_their_place_in_line_move() {
    let s = stage("", Screen::Desktop).await;
    let b = &s.browser;
    // One agent online, who answered an earlier visitor quickly (so there is a recent
    // waiting time to estimate from); another visitor is already waiting.
    let _agent = s.agent_socket().await;
    let earlier_visitor = s.app.visitor(&s.site_key).await;
    let earlier = s.app.start_conversation(&earlier_visitor, "Hi, earlier question").await;
    claim(&s, earlier).await;
    let waiting_visitor = s.app.visitor(&s.site_key).await;
    let waiting = s.app.start_conversation(&waiting_visitor, "Hi, I was here first").await;

    s.open_widget().await;
    s.type_text("Can I change my delivery address?", true).await;
    s.wait_for_mine(&["Can I change my delivery address?"], "sent", PATIENCE).await;
    let queue = "document.querySelector('[data-notice=queue]')?.textContent";
    let second =
        b.wait_for("second in line", &format!("return {queue}?.startsWith('You are 2nd') && {queue}"), PATIENCE).await;
    assert_eq!(second, "You are 2nd in line — about 1 min");
    b.screenshot("queue-desktop").await;

    // The visitor ahead is taken: the live queue frame moves us up.
    claim(&s, waiting).await;
    let first =
        b.wait_for("first in line", &format!("return {queue}?.startsWith('You are 1st') && {queue}"), PATIENCE).await;
    assert_eq!(first, "You are 1st in line — about 1 min");

    // Our turn: the line is gone from the panel.
    let (status, page) = s.app.get("/conversations", &s.workspace.token).await;
    assert_eq!(status, 200, "{page}");
    let ours = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| id(&c["id"]))
        .find(|id| *id != earlier && *id != waiting)
        .expect("the widget's conversation");
    claim(&s, ours).await;
    b.wait_for("the queue notice gone", "return !document.querySelector('[data-notice=queue]')", PATIENCE).await;
    s.browser.client.clone().close().await.ok();
}
