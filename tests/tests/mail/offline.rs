//! The widget's offline message: a conversation, and a mail to the team.

use crate::common::*;

const HOSTILE_NAME: &str = "<script>alert('name')</script> Mallory";
const HOSTILE_BODY: &str = "<img src=x onerror=alert(1)> & \"quotes\"\nsecond line";

#[tokio::test]
async fn an_offline_message_creates_a_conversation_and_mails_every_active_agent_with_everything_escaped() {
    let sink = SmtpSink::start().await;
    let app = mail_app(&sink, 60_000, None).await;
    let shop = shop(&app, "Offline").await;
    let (status, body) = app
        .post(
            "/agents",
            &shop.workspace.token,
            json!({"name": "Second Agent", "email": "second@offline.test", "password": "a long enough password"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let client_msg_id = Uuid::new_v4().to_string();
    let request = json!({"email": "Visitor@Example.com", "name": HOSTILE_NAME, "body": HOSTILE_BODY, "client_msg_id": client_msg_id});
    let (status, started) = app.post("/widget/offline-message", &shop.visitor_token, request.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{started}");
    let conversation_id = id(&started["conversation"]["id"]);
    assert_eq!(started["message"]["body"], HOSTILE_BODY);

    // The conversation exists for the team, and the visitor's email is remembered.
    let (status, conversation) = app.get(&format!("/conversations/{conversation_id}"), &shop.workspace.token).await;
    assert_eq!(status, StatusCode::OK, "{conversation}");
    let (_, visitor) = app.get(&format!("/visitors/{}", shop.visitor_id), &shop.workspace.token).await;
    assert_eq!(visitor["email"], "visitor@example.com");
    assert_eq!(visitor["name"], HOSTILE_NAME);

    // One mail per active agent, each to one recipient.
    let received = sink.wait_for(2, PATIENCE).await;
    let mut recipients: Vec<String> = received.iter().flat_map(|r| r.rcpt_to.clone()).collect();
    recipients.sort();
    assert_eq!(recipients, vec!["owner@offline.test".to_owned(), "second@offline.test".to_owned()]);
    for mail in received.iter().map(parse) {
        assert_eq!(mail.rcpt_to, vec![mail.to.clone()]);
        assert_eq!(mail.mail_from, "noreply@shop.test");
        assert_eq!(mail.from, "noreply@shop.test");
        assert_eq!(mail.subject, format!("[Shop] New message from {HOSTILE_NAME}"));
        assert!(mail.content_type.starts_with("multipart/alternative"), "{}", mail.content_type);
        // Plain text carries the words as written; HTML carries them escaped, never as markup.
        assert!(mail.text.contains(HOSTILE_BODY), "{}", mail.text);
        assert!(mail.text.contains("visitor@example.com"));
        assert!(!mail.html.contains("<img") && !mail.html.contains("<script>"), "{}", mail.html);
        assert!(mail.html.contains("&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot;<br>"), "{}", mail.html);
        // Apostrophes need no escaping in element content (every attribute is double-quoted).
        assert!(mail.html.contains("&lt;script&gt;alert('name')&lt;/script&gt; Mallory"), "{}", mail.html);
        assert!(mail.html.contains(&format!("/?conversation={conversation_id}")));
        // Team mail has no reply address: answering happens in Rapport.
        assert_eq!(mail.reply_to, None);
        assert_eq!(mail.list_unsubscribe, None);
    }

    // A retry of the same request is the same conversation and mails nobody again.
    let (status, again) = app.post("/widget/offline-message", &shop.visitor_token, request).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(id(&again["conversation"]["id"]), conversation_id);
    let list = mail_list_until(&app, &shop.workspace.token, "two sent mails", |list| {
        list.len() == 2 && list.iter().all(|m| m["state"] == "sent")
    })
    .await;
    for mail in &list {
        assert_eq!(mail["kind"], "offline_message");
        assert_eq!(mail["attempts"], 1);
        assert_eq!(id(&mail["conversation_id"]), conversation_id);
    }
    assert_eq!(sink.received().len(), 2);
}

#[tokio::test]
async fn the_site_notification_address_replaces_the_agents_and_bad_input_is_refused() {
    let sink = SmtpSink::start().await;
    let app = mail_app(&sink, 60_000, None).await;
    let shop = shop(&app, "Notify").await;
    notify(&app, &shop, "Support@Notify.test").await;
    let (_, settings) = app.get(&format!("/sites/{}/mail-settings", shop.site_id), &shop.workspace.token).await;
    assert_eq!(settings["notify_email"], "support@notify.test");
    assert_eq!(settings["transcript_on_resolve"], false);

    offline_message(&app, &shop, "v@example.com", None, "Are you open on Sunday?").await;
    let mail = nth_mail_to(&sink, "support@notify.test", 1).await;
    assert_eq!(mail.subject, "[Shop] New message from v@example.com");
    assert_eq!(sink.received().len(), 1);

    for (body, field) in [
        (json!({"email": "not an email", "body": "hi", "client_msg_id": "x"}), "email"),
        (json!({"email": "a@b.test", "body": "   ", "client_msg_id": "y"}), "body"),
    ] {
        let (status, error) = app.post("/widget/offline-message", &shop.visitor_token, body).await;
        assert_error(status, &error, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
        assert_eq!(error["field"], field);
    }
    let (status, error) = app
        .patch(
            &format!("/sites/{}/mail-settings", shop.site_id),
            &shop.workspace.token,
            json!({"from_address": "nope"}),
        )
        .await;
    assert_error(status, &error, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    // Another workspace's site answers like a missing one.
    let other = app.signup("Elsewhere").await;
    let (status, error) = app.get(&format!("/sites/{}/mail-settings", shop.site_id), &other.token).await;
    assert_error(status, &error, StatusCode::NOT_FOUND, "not_found");
}
