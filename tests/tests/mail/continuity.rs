//! Replies the visitor has not read are mailed to them once, threaded, with a link that
//! reopens the conversation.

use crate::common::*;

const VISITOR: &str = "visitor@example.com";

#[tokio::test]
async fn unread_replies_are_mailed_once_threaded_and_the_link_reopens_the_conversation() {
    let sink = SmtpSink::start().await;
    let app = mail_app(&sink, 300, None).await;
    let shop = shop(&app, "Continuity").await;
    notify(&app, &shop, "team@continuity.test").await;
    let conversation_id = offline_message(&app, &shop, VISITOR, Some("Vera"), "Where is my order?").await;
    let token = &shop.workspace.token;

    // Two replies in a row make one mail carrying both.
    agent_reply(&app, token, conversation_id, "It left the warehouse today.").await;
    agent_reply(&app, token, conversation_id, "Tracking: <b>ABC & 123</b>").await;
    let first = nth_mail_to(&sink, VISITOR, 1).await;
    assert_eq!(first.rcpt_to, vec![VISITOR.to_owned()]);
    assert_eq!(first.subject, "New reply from Shop");
    assert!(
        first.text.contains("It left the warehouse today.") && first.text.contains("Tracking: <b>ABC & 123</b>"),
        "{}",
        first.text
    );
    assert!(!first.text.contains("Where is my order?"), "the visitor's own message is not unread");
    assert!(
        first.html.contains("Tracking: &lt;b&gt;ABC &amp; 123&lt;/b&gt;") && !first.html.contains("<b>ABC"),
        "{}",
        first.html
    );
    assert!(first.html.contains("background:#3b5bdb"), "the site's colour");
    // Threading: a stable root for the conversation, our own Message-ID.
    let root = format!("<conversation.{}@shop.test>", conversation_id.simple());
    assert_eq!(first.in_reply_to.as_deref(), Some(root.as_str()));
    assert_eq!(first.references, vec![root.clone()]);
    assert!(first.message_id.ends_with("@shop.test>"));
    // Replies go to the signed per-conversation address; unsubscribing is one click.
    let reply_to = first.reply_to.clone().expect("a Reply-To");
    assert!(reply_to.starts_with(&format!("reply+{}.", conversation_id.simple())), "{reply_to}");
    assert!(reply_to.ends_with(&format!("@{INBOUND_DOMAIN}")));
    let unsubscribe = first.list_unsubscribe.clone().expect("List-Unsubscribe");
    assert!(unsubscribe.starts_with(&format!("<{}/api/v1/mail/unsubscribe?token=", app.address)), "{unsubscribe}");
    assert!(first.raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));

    // The continue link opens the widget frame and its token resumes the conversation.
    assert!(first.text.contains(&format!("{}/widget/frame?site={}#continue=", app.address, shop.site_key)));
    let (status, continued) =
        app.call(reqwest::Method::POST, "/widget/continue", None, Some(json!({"token": continue_token(&first)}))).await;
    assert_eq!(status, StatusCode::OK, "{continued}");
    assert_eq!(id(&continued["conversation"]["id"]), conversation_id);
    assert_eq!(continued["site_key"], shop.site_key.as_str());
    assert_eq!(id(&continued["visitor_id"]), shop.visitor_id);
    let bodies: Vec<&str> =
        continued["messages"].as_array().unwrap().iter().map(|m| m["body"].as_str().unwrap()).collect();
    assert_eq!(bodies, ["Where is my order?", "It left the warehouse today.", "Tracking: <b>ABC & 123</b>"]);
    let fresh_token = continued["visitor_token"].as_str().unwrap();
    let (status, mine) = app.get("/widget/conversations", fresh_token).await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    assert_eq!(id(&mine["items"][0]["id"]), conversation_id);
    let mut tampered = continue_token(&first);
    tampered.insert(0, '1');
    let (status, error) =
        app.call(reqwest::Method::POST, "/widget/continue", None, Some(json!({"token": tampered}))).await;
    assert_error(status, &error, StatusCode::FORBIDDEN, "continue_link_invalid");

    // Nothing new to say: no second mail, however long we wait for the worker to look again.
    mail_list_until(&app, token, "the continuity mail sent", |list| {
        list.iter().any(|m| m["kind"] == "continuity" && m["state"] == "sent")
    })
    .await;
    let polls = sink.connections();
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    assert_eq!(mails_to(&sink, VISITOR).len(), 1, "the same replies are never mailed twice");
    assert_eq!(sink.connections(), polls);

    // A later reply makes a second mail with only that reply, in the same thread.
    agent_reply(&app, token, conversation_id, "It arrives tomorrow.").await;
    let second = nth_mail_to(&sink, VISITOR, 2).await;
    assert!(second.text.contains("It arrives tomorrow.") && !second.text.contains("warehouse"), "{}", second.text);
    assert_eq!(second.in_reply_to.as_deref(), Some(first.message_id.as_str()));
    assert_eq!(second.references, vec![root, first.message_id.clone()]);
    assert_ne!(second.message_id, first.message_id);
}

#[tokio::test]
async fn replies_read_in_time_or_seen_live_are_not_mailed_and_unsubscribing_stops_mail() {
    let sink = SmtpSink::start().await;
    let app = mail_app(&sink, 400, None).await;
    let shop = shop(&app, "Attentive").await;
    notify(&app, &shop, "team@attentive.test").await;
    let token = &shop.workspace.token;
    let conversation_id = offline_message(&app, &shop, VISITOR, None, "Hello?").await;

    // The visitor reads the reply, then leaves: nothing to mail.
    let mut visitor = visitor_socket(&app.address, &shop.visitor_token).await;
    resume(&mut visitor, conversation_id, 0).await;
    let reply = agent_reply(&app, token, conversation_id, "Hi! How can I help?").await;
    visitor.send(&ClientFrame::Read { conversation_id, seq: reply["seq"].as_i64().unwrap() }).await;
    // Frames are handled in order: once this resume is answered, the receipt is stored.
    resume(&mut visitor, conversation_id, 0).await;
    drop(visitor);
    let list = mail_list_until(&app, token, "the continuity mail skipped", |list| {
        list.iter().any(|m| m["kind"] == "continuity" && m["state"] != "pending")
    })
    .await;
    let continuity = list.iter().find(|m| m["kind"] == "continuity").unwrap();
    assert_eq!(continuity["state"], "skipped", "{continuity}");
    assert_eq!(continuity["last_error"], "the visitor read the replies in time");

    // Connected but not reading: the widget shows it live, so no mail either.
    let mut visitor = visitor_socket(&app.address, &shop.visitor_token).await;
    resume(&mut visitor, conversation_id, 0).await;
    agent_reply(&app, token, conversation_id, "Are you still there?").await;
    let list = mail_list_until(&app, token, "a second continuity mail decided", |list| {
        list.iter().filter(|m| m["kind"] == "continuity" && m["state"] != "pending").count() == 2
    })
    .await;
    assert_eq!(list[0]["last_error"], "the visitor is online", "{:#?}", list[0]);
    drop(visitor);
    assert!(mails_to(&sink, VISITOR).is_empty());

    // Gone now: the unread reply is mailed. Its one-click unsubscribe stops the next one.
    agent_reply(&app, token, conversation_id, "I will mail you then.").await;
    let mail = nth_mail_to(&sink, VISITOR, 1).await;
    assert!(mail.text.contains("Are you still there?") && mail.text.contains("I will mail you then."), "{}", mail.text);
    let url = mail.list_unsubscribe.unwrap().trim_matches(['<', '>']).to_owned();
    let response = app.http.post(&url).body("List-Unsubscribe=One-Click").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    agent_reply(&app, token, conversation_id, "One more thing.").await;
    mail_list_until(&app, token, "the last continuity mail skipped", |list| {
        list[0]["kind"] == "continuity"
            && list[0]["state"] == "skipped"
            && list[0]["last_error"] == "the visitor unsubscribed"
    })
    .await;
    assert_eq!(mails_to(&sink, VISITOR).len(), 1);
}
