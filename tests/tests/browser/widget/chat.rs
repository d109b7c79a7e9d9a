//! A visitor and an agent chat through the real widget.

use openapi::realtime::{ClientFrame, Participant, ServerFrame};

use super::stage::*;

#[tokio::test]
async fn a_visitor_chats_with_an_agent_and_keeps_the_history_across_reloads() {
    let s = stage("", Screen::Desktop).await;
    let b = &s.browser;

    // The launcher is drawn at once; the iframe comes with the click (or when idle).
    s.open_widget().await;
    s.type_text("Hello! Where is my order #1042?", true).await;
    s.wait_for_mine(&["Hello! Where is my order #1042?"], "sent", PATIENCE).await;

    let conversation_id = s.conversation_id().await;
    let mut agent = s.agent_socket().await;
    agent.send(&ClientFrame::Resume { conversation_id, after_seq: 0 }).await;
    agent.recv_until("the replay", |f| matches!(f, ServerFrame::Resumed { .. })).await;

    // The visitor types: the agent sees it.
    s.type_text("It was due on Monday", false).await;
    agent
        .recv_until("the visitor typing", |f| {
            matches!(f, ServerFrame::Typing { from: Participant::Visitor(_), typing: true, .. })
        })
        .await;

    // The agent reads and types: the visitor sees both.
    agent.send(&ClientFrame::Read { conversation_id, seq: 1 }).await;
    s.wait_for_mine(&["Hello! Where is my order #1042?"], "read", PATIENCE).await;
    agent.send(&ClientFrame::Typing { conversation_id, typing: true, preview: None }).await;
    b.wait_for("the agent's typing indicator", "return !!document.querySelector('.rp-typing')", PATIENCE).await;

    // The visitor sends the draft; the agent answers over REST, with a link and some
    // markup that must stay text.
    s.type_text("", true).await;
    s.wait_for_mine(&["Hello! Where is my order #1042?", "It was due on Monday"], "sent", PATIENCE).await;
    let reply = "Sorry about that! It ships today <b>for sure</b>: track it at https://shop.test/track/1042.";
    let (status, body) = s
        .app
        .post(&format!("/conversations/{conversation_id}/messages"), &s.workspace.token, json!({"body": reply}))
        .await;
    assert_eq!(status, 201, "{body}");
    b.wait_for(
        "the agent's reply",
        "return document.querySelectorAll('.rp-theirs:not(.rp-greeting):not(.rp-typing)').length === 1",
        PATIENCE,
    )
    .await;
    assert_eq!(s.bubbles("rp-theirs").await, vec![reply.to_owned()], "shown once, as text");
    let rendered = b
        .client
        .execute(
            "const bubble = document.querySelector('.rp-theirs:not(.rp-greeting):not(.rp-typing) .rp-bubble');
             const link = bubble.querySelector('a');
             return {tags: bubble.querySelectorAll('b').length, href: link.getAttribute('href'), rel: link.rel,
                     typing: !!document.querySelector('.rp-typing'),
                     live: document.querySelector('[aria-live=polite]').textContent};",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(rendered["tags"], 0, "markup in a message is never HTML: {rendered}");
    assert_eq!(rendered["href"], "https://shop.test/track/1042", "{rendered}");
    assert!(rendered["rel"].as_str().unwrap().contains("noopener"), "{rendered}");
    assert_eq!(rendered["typing"], false, "a message ends the typing indicator: {rendered}");
    assert!(rendered["live"].as_str().unwrap().contains("It ships today"), "screen readers hear it: {rendered}");

    // The panel is open, so the widget read the reply: the agent gets the receipt.
    agent
        .recv_until("the visitor's read receipt", |f| {
            matches!(f, ServerFrame::Read { reader: Participant::Visitor(_), seq: 3, .. })
        })
        .await;
    agent.send(&ClientFrame::Read { conversation_id, seq: 2 }).await;
    s.wait_for_mine(&["Hello! Where is my order #1042?", "It was due on Monday"], "read", PATIENCE).await;
    // The server forwards a repeated `typing: true` at most every 1.5 s; a stop and a
    // new start always pass.
    agent.send(&ClientFrame::Typing { conversation_id, typing: false, preview: None }).await;
    agent.send(&ClientFrame::Typing { conversation_id, typing: true, preview: None }).await;
    b.wait_for("the typing indicator again", "return !!document.querySelector('.rp-typing')", PATIENCE).await;
    let shot = b.screenshot("widget-desktop").await;
    println!("screenshot: {}", shot.display());

    let events = s.host_events().await;
    assert!(events.iter().any(|(name, _)| name == "ready"), "{events:?}");
    assert!(
        events.iter().any(|(name, data)| name == "message" && data["body"] == reply),
        "the host page hears about the reply: {events:?}"
    );

    // Closed panel: a new reply shows on the launcher's badge.
    b.click("[data-rapport-launcher]").await;
    let later = "Anything else I can help with?";
    agent
        .send(&ClientFrame::Send {
            conversation_id,
            client_msg_id: Uuid::new_v4().to_string(),
            body: later.into(),
            kind: None,
            attachment_ids: Vec::new(),
        })
        .await;
    let badge = b
        .wait_for(
            "the unread badge",
            "const b = document.querySelector('[data-rapport-unread]'); return b.style.display !== 'none' && b.textContent",
            PATIENCE,
        )
        .await;
    assert_eq!(badge, "1");
    let shot = b.screenshot("widget-desktop-closed").await;
    println!("screenshot: {}", shot.display());

    // A reload keeps the whole history (the visitor token is in the iframe's storage).
    b.client.refresh().await.unwrap();
    s.open_widget().await;
    b.wait_for(
        "the history",
        "return document.querySelectorAll('.rp-theirs:not(.rp-greeting):not(.rp-typing)').length === 2",
        PATIENCE,
    )
    .await;
    s.wait_for_mine(&["Hello! Where is my order #1042?", "It was due on Monday"], "read", PATIENCE).await;
    assert_eq!(s.bubbles("rp-theirs").await, vec![reply.to_owned(), later.to_owned()]);
    assert_eq!(s.stored_bodies(conversation_id).await.len(), 4, "nothing was stored twice");
    s.leave_widget().await;
    b.wait_for(
        "the badge to clear once read",
        "return document.querySelector('[data-rapport-unread]').style.display === 'none'",
        PATIENCE,
    )
    .await;
    s.browser.client.clone().close().await.ok();
}
