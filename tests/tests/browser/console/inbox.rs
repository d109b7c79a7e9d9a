//! The inbox live: a conversation arrives without a reload; replies reach the visitor;
//! internal notes never do.

use super::stage::*;

#[tokio::test]
async fn a_new_conversation_appears_live_and_the_reply_reaches_the_visitor_but_the_note_does_not() {
    let s = stage().await;
    s.wait("the empty queue", "return document.querySelector('[data-list=queue] .empty') !== null").await;
    s.browser.screenshot("console-queue-empty").await;

    // A visitor writes while the console is open: it appears without a reload.
    let mut visitor = s.visitor("Hi! My parcel never arrived, order #1042.", Value::Null).await;
    let c = visitor.conversation_id;
    s.wait(
        "the conversation in the queue",
        &format!("return !!document.querySelector('[data-list=queue] [data-conversation=\"{c}\"]')"),
    )
    .await;
    s.wait("the queue count", "return document.querySelector('[data-count=queue]')?.textContent === '1'").await;
    s.wait("the waiting time", "return /^\\d+:\\d\\d$/.test(document.querySelector('[data-waiting]')?.textContent)")
        .await;
    s.wait(
        "the preview",
        "return document.querySelector('.conv-preview')?.textContent.includes('parcel never arrived')",
    )
    .await;

    s.wait("the unread count in the tab title", "return document.title === '(1) Rapport'").await;

    // The agent opens it and replies: the visitor's socket gets the reply.
    s.open(c).await;
    s.wait("the title without unread", "return document.title === 'Rapport'").await;
    s.send("Sorry to hear that! Let me check where it is.").await;
    let seen = visitor_receives(&mut visitor, "Sorry to hear that! Let me check where it is.").await;
    assert_eq!(seen, vec!["Sorry to hear that! Let me check where it is."]);
    s.wait(
        "the reply in the console",
        "return Array.from(document.querySelectorAll('.msg-agent[data-seq] .bubble')).some(b => b.textContent.includes('Let me check'))",
    )
    .await;

    // An internal note: shown to the team (yellow), never sent to the visitor.
    s.click("[data-mode-button=note]").await;
    s.wait("the note mode", "return document.querySelector('.composer')?.dataset.mode === 'note'").await;
    s.send("Carrier lost it, reship with express. Customer is a VIP.").await;
    s.wait(
        "the note in the console",
        "return Array.from(document.querySelectorAll('[data-kind=note][data-seq] .bubble')).some(b => b.textContent.includes('Carrier lost it'))",
    )
    .await;
    let note_is_yellow = s
        .js("return getComputedStyle(document.querySelector('[data-kind=note][data-seq] .bubble')).backgroundColor")
        .await;
    assert_eq!(note_is_yellow, "rgb(255, 247, 214)", "notes look different from replies");

    // The next reply arrives after the note (seq order): the note was skipped, not late.
    s.click("[data-mode-button=reply]").await;
    s.send("Good news: a new parcel ships today by express.").await;
    let seen = visitor_receives(&mut visitor, "Good news: a new parcel ships today by express.").await;
    assert_eq!(seen, vec!["Good news: a new parcel ships today by express."], "the note never reaches the visitor");

    // The visitor's own typing shows in the console.
    visitor.socket.send(&ClientFrame::Typing { conversation_id: c, typing: true, preview: None }).await;
    s.wait("the visitor typing", "return !!document.querySelector('[data-visitor-typing]')").await;
    // And the visitor read the replies: the console says so.
    let last =
        s.js("return Math.max(...Array.from(document.querySelectorAll('[data-seq]')).map(e => +e.dataset.seq))").await;
    visitor.socket.send(&ClientFrame::Read { conversation_id: c, seq: last.as_i64().unwrap() }).await;
    s.wait("the read receipt", "return !!document.querySelector('[data-seen]')").await;
    s.browser.screenshot("console-conversation-live").await;
}

#[tokio::test]
async fn the_session_is_remembered_the_status_is_shared_and_sign_out_ends_it() {
    let s = stage().await;
    // A colleague's socket sees the console's availability.
    let (_, colleague) = s.agent("Grace Hopper", "grace@acme.test").await;
    let mut watcher = ws::connect(&s.app.address, "/ws/agent", Credential::Protocol(&colleague), None)
        .await
        .expect("the colleague's socket");
    let owner = s.workspace.owner_id;

    // Reloading keeps the agent signed in (the HttpOnly cookie).
    s.browser.client.refresh().await.unwrap();
    s.ready().await;
    assert_eq!(s.js("return !!document.querySelector('#email')").await, false, "no sign-in form after a reload");

    // Away by hand: the status frame reaches the others.
    s.js("const select = document.querySelector('#my-status'); select.value = 'away';
          select.dispatchEvent(new Event('change', {bubbles: true})); return true")
        .await;
    watcher
        .recv_until("the owner going away", |f| {
            matches!(f, ServerFrame::AgentStatus { agent_id, status: openapi::realtime::AgentStatus::Away } if *agent_id == owner)
        })
        .await;

    // Sign out: back to the form, and a reload does not bring the session back.
    s.click("[data-action=signout]").await;
    s.wait("the sign-in form", "return !!document.querySelector('#email')").await;
    s.browser.client.refresh().await.unwrap();
    s.wait("the sign-in form after a reload", "return !!document.querySelector('#email')").await;
}

#[tokio::test]
async fn a_colleague_typing_or_viewing_in_the_same_conversation_is_shown() {
    let s = stage().await;
    let (_, grace) = s.agent("Grace Hopper", "grace@acme.test").await;
    let visitor = s.visitor("Can someone help me reset my password?", Value::Null).await;
    let c = visitor.conversation_id;
    // The console knows its colleagues from sign-in on.
    s.browser.client.refresh().await.unwrap();
    s.ready().await;
    s.open(c).await;
    assert_eq!(s.js("return !!document.querySelector('[data-collision]')").await, false, "alone at first");

    let mut colleague = ws::connect(&s.app.address, "/ws/agent", Credential::Protocol(&grace), None)
        .await
        .expect("the colleague's socket");
    colleague.send(&ClientFrame::Typing { conversation_id: c, typing: true, preview: None }).await;
    s.wait(
        "the collision warning",
        "return document.querySelector('[data-collision]')?.textContent.includes('Grace Hopper is typing a reply')",
    )
    .await;
    colleague.send(&ClientFrame::Typing { conversation_id: c, typing: false, preview: None }).await;
    s.wait(
        "the colleague still there",
        "return document.querySelector('[data-collision]')?.textContent.includes('Grace Hopper is viewing')",
    )
    .await;
}

#[tokio::test]
async fn a_long_history_loads_the_newest_page_first_and_scrolls_back() {
    let s = stage().await;
    let visitor = s.visitor("Message 1", Value::Null).await;
    let c = visitor.conversation_id;
    for n in 2..=70 {
        let (status, body) = s
            .app
            .post(
                &format!("/widget/conversations/{c}/messages"),
                &visitor.token,
                json!({"body": format!("Message {n}"), "client_msg_id": Uuid::new_v4().to_string()}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
    // A fresh console holds only each conversation's newest message (its preview).
    s.browser.client.refresh().await.unwrap();
    s.ready().await;
    s.open(c).await;
    s.wait("the newest message", "return document.querySelector('.timeline [data-seq=\"70\"]') !== null").await;
    // Wait for the page that opening fetched, or the click below would only ask for that
    // same page again.
    s.wait("the newest page", "return document.querySelector('.timeline [data-seq=\"21\"]') !== null").await;
    s.wait("the way to earlier messages", "return !!document.querySelector('.load-earlier button')").await;
    let oldest = s.js("return Math.min(...Array.from(document.querySelectorAll('.timeline [data-seq]')).map(e => +e.dataset.seq))").await;
    assert!(oldest.as_i64().unwrap() > 1, "only the newest page at first, got down to {oldest}");
    // Scrolling back to the top asks for the page before, as the button does; the
    // console may already be doing so when the button is pressed (then it is gone).
    s.js("document.querySelector('.load-earlier button')?.click(); return true").await;
    s.wait(
        "the first message",
        "return document.querySelector('.timeline [data-seq=\"1\"]')?.textContent.includes('Message 1')",
    )
    .await;
    let count = s.js("return document.querySelectorAll('.timeline [data-seq]').length").await;
    assert_eq!(count, 70, "every message once");
    assert_eq!(s.js("return !!document.querySelector('.load-earlier')").await, false, "nothing more to load");
}

#[tokio::test]
async fn after_the_network_drops_the_console_sends_what_was_written_once_and_catches_up() {
    let s = stage().await;
    let mut first = s.visitor("Is the store open on Sunday?", Value::Null).await;
    s.open(first.conversation_id).await;

    s.link.cut();
    s.wait("the reconnecting banner", "return !!document.querySelector('.link-banner')").await;
    // Written while offline: kept, shown as sending.
    s.send("Yes, from 10 to 4!").await;
    s.wait("the pending reply", "return !!document.querySelector('[data-pending]')").await;
    // And meanwhile a new visitor writes.
    let second = s.visitor("Do you have gift cards?", Value::Null).await;

    s.link.restore();
    let seen = visitor_receives(&mut first, "Yes, from 10 to 4!").await;
    assert_eq!(seen, vec!["Yes, from 10 to 4!"]);
    s.wait("the banner gone", "return !document.querySelector('.link-banner')").await;
    s.wait(
        "the reply stored",
        "return !document.querySelector('[data-pending]') && !!document.querySelector('.msg-agent[data-seq]')",
    )
    .await;
    s.wait(
        "the conversation that started meanwhile",
        &format!("return !!document.querySelector('[data-conversation=\"{}\"]')", second.conversation_id),
    )
    .await;
    // Exactly once: nothing more arrives for the first visitor.
    let (status, messages) =
        s.app.get(&format!("/conversations/{}/messages?after_seq=0", first.conversation_id), &s.workspace.token).await;
    assert_eq!(status, 200);
    let replies = messages["items"].as_array().unwrap().iter().filter(|m| m["body"] == "Yes, from 10 to 4!").count();
    assert_eq!(replies, 1, "{messages}");
}

/// What a visitor writes, over their socket, acknowledged.
async fn visitor_writes(visitor: &mut Visitor, body: &str) {
    visitor
        .socket
        .send(&ClientFrame::Send {
            conversation_id: visitor.conversation_id,
            client_msg_id: Uuid::new_v4().to_string(),
            body: body.into(),
            kind: None,
            attachment_ids: Vec::new(),
        })
        .await;
    visitor.socket.recv_until("the visitor's ack", |f| matches!(f, ServerFrame::Ack { .. })).await;
}

fn count_is(view: &str, n: usize) -> String {
    format!("return document.querySelector('[data-count={view}]')?.textContent === '{n}'")
}

#[tokio::test]
async fn a_visitor_writing_into_a_resolved_or_snoozed_conversation_reopens_it_on_screen() {
    let s = stage().await;
    let mut returning = s.visitor("The zip on my jacket broke.", json!({"name": "Jane Doe"})).await;
    let mut waiting = s.visitor("Do you ship to Norway?", json!({"name": "Omar Haddad"})).await;
    let (jacket, norway) = (returning.conversation_id, waiting.conversation_id);
    let owner = s.app.get("/me", &s.workspace.token).await.1["agent"]["id"].clone();
    let path = |c: Uuid| format!("/conversations/{c}");
    let (status, body) =
        s.app.patch(&path(jacket), &s.workspace.token, json!({"assignee_id": owner, "status": "resolved"})).await;
    assert_eq!(status, 200, "{body}");
    let until = (chrono::Utc::now() + chrono::Duration::hours(4)).to_rfc3339();
    let (status, body) =
        s.app.patch(&path(norway), &s.workspace.token, json!({"status": "snoozed", "snoozed_until": until})).await;
    assert_eq!(status, 200, "{body}");
    s.wait("one snoozed", &count_is("snoozed", 1)).await;
    s.wait("nothing mine", &count_is("mine", 0)).await;

    // The agent looks at the resolved one when its visitor writes again.
    s.click("[data-view=resolved]").await;
    s.open(jacket).await;
    s.wait("shown resolved", "return document.querySelector('[data-status]')?.dataset.status === 'resolved'").await;
    visitor_writes(&mut returning, "The new one broke too.").await;
    s.wait(
        "the open conversation says open",
        "return document.querySelector('[data-status]')?.dataset.status === 'open'",
    )
    .await;
    s.wait(
        "the message in the open conversation",
        "return Array.from(document.querySelectorAll('.msg-visitor[data-seq] .bubble')).some(b => b.textContent.includes('new one broke'))",
    )
    .await;
    s.wait("mine again", &count_is("mine", 1)).await;
    s.wait(
        "gone from the resolved list on screen",
        &format!("return !document.querySelector('[data-list=resolved] [data-conversation=\"{jacket}\"]')"),
    )
    .await;
    s.browser.screenshot("console-reopened-by-visitor").await;

    // The snoozed one wakes into the queue when its visitor writes.
    visitor_writes(&mut waiting, "Hello? Still there?").await;
    s.wait("no longer snoozed", &count_is("snoozed", 0)).await;
    s.wait("waiting in the queue", &count_is("queue", 1)).await;
    s.click("[data-view=queue]").await;
    s.wait(
        "in the queue list",
        &format!("return !!document.querySelector('[data-list=queue] [data-conversation=\"{norway}\"]')"),
    )
    .await;
    // The server agrees with what the console shows.
    for c in [jacket, norway] {
        assert_eq!(s.app.get(&path(c), &s.workspace.token).await.1["status"], "open");
    }
}
