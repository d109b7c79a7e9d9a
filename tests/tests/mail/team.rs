//! Mail to agents (assignment while offline) and transcripts (on request, on resolve).

use crate::common::*;

#[tokio::test]
async fn an_assignment_mails_the_agent_only_while_they_are_offline() {
    let sink = SmtpSink::start().await;
    let app = mail_app(&sink, 60_000, None).await;
    let shop = shop(&app, "Assign").await;
    notify(&app, &shop, "team@assign.test").await;
    let (status, created) = app
        .post(
            "/agents",
            &shop.workspace.token,
            json!({"name": "Ada", "email": "ada@assign.test", "password": "A long enough passphrase 7"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let ada = id(&created["agent"]["id"]);
    let conversation_id = offline_message(&app, &shop, "v@example.com", Some("<Vic>"), "I need help").await;

    // Ada has no console open: she gets a mail.
    let (status, body) = app
        .patch(&format!("/conversations/{conversation_id}"), &shop.workspace.token, json!({"assignee_id": ada}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mail = nth_mail_to(&sink, "ada@assign.test", 1).await;
    assert_eq!(mail.subject, "[Shop] Conversation with <Vic> assigned to you");
    assert!(mail.text.contains("I need help"));
    assert!(mail.html.contains("&lt;Vic&gt;") && !mail.html.contains("<Vic>"));

    // The owner has the console open: no mail, recorded as skipped.
    let _owner_console = agent_socket(&app.address, &shop.workspace.token).await;
    let (status, body) = app
        .patch(
            &format!("/conversations/{conversation_id}"),
            &shop.workspace.token,
            json!({"assignee_id": shop.workspace.owner_id}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let list = mail_list_until(&app, &shop.workspace.token, "the owner's assignment mail decided", |list| {
        list.iter().filter(|m| m["kind"] == "assigned").all(|m| m["state"] != "pending")
            && list.iter().filter(|m| m["kind"] == "assigned").count() == 2
    })
    .await;
    assert_eq!(list[0]["state"], "skipped");
    assert_eq!(list[0]["last_error"], "the agent is online");
    assert!(mails_to(&sink, "owner@assign.test").is_empty());
}

#[tokio::test]
async fn transcripts_are_mailed_on_request_and_on_resolve_when_the_site_wants_them() {
    let sink = SmtpSink::start().await;
    let app = mail_app(&sink, 60_000, None).await;
    let shop = shop(&app, "Transcript").await;
    notify(&app, &shop, "team@transcript.test").await;
    let token = &shop.workspace.token;
    let conversation_id = app.start_conversation(&shop.visitor_token, "Hi, quick question").await;
    agent_reply(&app, token, conversation_id, "Sure, go ahead.").await;

    // No email known yet: the request must name one, whose owner confirms it first.
    let path = format!("/widget/conversations/{conversation_id}/transcript");
    let (status, error) = app.post(&path, &shop.visitor_token, json!({})).await;
    assert_error(status, &error, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    let (status, queued) = app.post(&path, &shop.visitor_token, json!({"email": "t@example.com"})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{queued}");
    assert_eq!(queued["confirmation_required"], true, "{queued}");
    let confirmation = nth_mail_to(&sink, "t@example.com", 1).await;
    assert_eq!(confirmation.subject, "Confirm your email for Shop");
    assert!(!confirmation.text.contains("quick question"), "nothing of the chat before the confirmation");
    confirm_by_link(&app, &confirmation).await;
    let mail = nth_mail_to(&sink, "t@example.com", 2).await;
    assert_eq!(mail.subject, "Your conversation with Shop");
    assert!(mail.text.contains("Hi, quick question") && mail.text.contains("Sure, go ahead."), "{}", mail.text);
    assert!(mail.reply_to.is_some() && mail.list_unsubscribe.is_some());
    // Another visitor cannot ask for it.
    let (_, stranger) =
        app.call(reqwest::Method::POST, "/widget/session", None, Some(json!({"site_key": shop.site_key}))).await;
    let (status, error) =
        app.post(&path, stranger["visitor_token"].as_str().unwrap(), json!({"email": "x@example.com"})).await;
    assert_error(status, &error, StatusCode::NOT_FOUND, "not_found");

    // Resolving mails one only once the site asks for it.
    let resolve = |status: &'static str| json!({"status": status});
    app.patch(&format!("/conversations/{conversation_id}"), token, resolve("resolved")).await;
    app.patch(&format!("/conversations/{conversation_id}"), token, resolve("open")).await;
    let (status, body) = app
        .patch(&format!("/sites/{}/mail-settings", shop.site_id), token, json!({"transcript_on_resolve": true}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app.patch(&format!("/conversations/{conversation_id}"), token, resolve("resolved")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let second = nth_mail_to(&sink, "t@example.com", 3).await;
    assert_eq!(second.subject, "Your conversation with Shop");
    assert_eq!(second.in_reply_to.as_deref(), Some(mail.message_id.as_str()));
    let transcripts = mail_list(&app, token).await.into_iter().filter(|m| m["kind"] == "transcript").count();
    assert_eq!(transcripts, 2, "the first resolve (setting off) mailed nothing");
}
