//! Replies by email: through the signed reply address or `In-Reply-To`, into the right
//! conversation and onto the agent's socket; forged or unknown addresses are refused.

use crate::common::*;

const VISITOR: &str = "visitor@example.com";

fn reply(to: &str, in_reply_to: Option<&str>, message_id: &str, body: &str) -> String {
    let threading = in_reply_to.map(|id| format!("In-Reply-To: {id}\r\nReferences: {id}\r\n")).unwrap_or_default();
    format!(
        "From: Vera <{VISITOR}>\r\nTo: {to}\r\nSubject: Re: Your conversation with Shop\r\nMessage-ID: {message_id}\r\n\
         Date: Mon, 23 Nov 2026 14:00:00 +0000\r\n{threading}MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}"
    )
}

/// A visitor with an email, one conversation, and the transcript mail they received.
async fn conversation_with_mail(app: &TestApp, sink: &SmtpSink, name: &str) -> (Shop, Uuid, Mail) {
    let shop = shop(app, name).await;
    notify(app, &shop, &format!("team@{}.test", name.to_lowercase())).await;
    let conversation_id = offline_message(app, &shop, VISITOR, Some("Vera"), "Can I change my order?").await;
    let (status, queued) =
        app.post(&format!("/widget/conversations/{conversation_id}/transcript"), &shop.visitor_token, json!({})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{queued}");
    let mail = nth_mail_to(sink, VISITOR, 1).await;
    (shop, conversation_id, mail)
}

#[tokio::test]
async fn a_reply_by_email_lands_in_its_conversation_and_reaches_the_agents_socket() {
    let sink = SmtpSink::start().await;
    let app = mail_app(&sink, 60_000, None).await;
    let (shop, conversation_id, mail) = conversation_with_mail(&app, &sink, "Inbound").await;
    let key = api_key(&app, &shop.workspace.token, "write").await;
    let mut agent = agent_socket(&app.address, &shop.workspace.token).await;
    resume(&mut agent, conversation_id, 1).await;

    let reply_to = mail.reply_to.clone().unwrap();
    let body = "Yes, please ship it to my office.\r\nThanks!\r\n\r\nOn Mon, 23 Nov 2026 at 13:59, Shop <noreply@shop.test> wrote:\r\n> ## Reply above this line ##\r\n> Here is the transcript\r\n";
    let raw = reply(&format!("Shop <{reply_to}>"), Some(&mail.message_id), "<r1@example.com>", body);
    let (status, stored) = post_inbound(&app, &key, &raw).await;
    assert_eq!(status, StatusCode::CREATED, "{stored}");
    assert_eq!(stored["body"], "Yes, please ship it to my office.\nThanks!");
    assert_eq!(stored["author_kind"], "visitor");
    assert_eq!(id(&stored["author_id"]), shop.visitor_id);
    assert_eq!(id(&stored["conversation_id"]), conversation_id);
    assert_eq!(stored["seq"], 2);

    // The agent's socket gets it live, like any visitor message.
    let frame = agent
        .recv_until("the emailed reply", |f| matches!(f, ServerFrame::Message { message } if message.seq == 2))
        .await;
    let ServerFrame::Message { message } = frame else { unreachable!() };
    assert_eq!(message.body, "Yes, please ship it to my office.\nThanks!");

    // The provider retries the same mail: stored once.
    let (status, again) = post_inbound(&app, &key, &raw).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["id"], stored["id"]);

    // Without our reply address, In-Reply-To naming a mail we sent is enough.
    let raw = reply("support@shop.test", Some(&mail.message_id), "<r2@example.com>", "Also, gift wrap?\n\n> quoted");
    let (status, stored) = post_inbound(&app, &key, &raw).await;
    assert_eq!(status, StatusCode::CREATED, "{stored}");
    assert_eq!(stored["body"], "Also, gift wrap?");
    assert_eq!(id(&stored["conversation_id"]), conversation_id);
    let bodies: Vec<String> = messages(&app, &shop.workspace.token, conversation_id)
        .await
        .iter()
        .map(|m| m["body"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(bodies, ["Can I change my order?", "Yes, please ship it to my office.\nThanks!", "Also, gift wrap?"]);
}

#[tokio::test]
async fn forged_or_unknown_reply_addresses_are_refused_and_nothing_is_stored() {
    let sink = SmtpSink::start().await;
    let app = mail_app(&sink, 60_000, None).await;
    let (shop, conversation_id, mail) = conversation_with_mail(&app, &sink, "Forgery").await;
    let key = api_key(&app, &shop.workspace.token, "write").await;
    let reply_to = mail.reply_to.clone().unwrap();
    let (local, domain) = reply_to.split_once('@').unwrap();
    let (prefix, signature) = local.rsplit_once('.').unwrap();

    // A damaged signature, and a real signature moved onto another conversation id.
    let mut damaged = signature.to_owned();
    let last = damaged.pop().unwrap();
    damaged.push(if last == '0' { '1' } else { '0' });
    let other_conversation = Uuid::now_v7().simple().to_string();
    for to in [format!("{prefix}.{damaged}@{domain}"), format!("reply+{other_conversation}.{signature}@{domain}")] {
        let raw = reply(&to, None, &format!("<{}@example.com>", Uuid::new_v4()), "Let me in");
        let (status, error) = post_inbound(&app, &key, &raw).await;
        assert_error(status, &error, StatusCode::FORBIDDEN, "reply_token_rejected");
    }
    // A forged address is refused even when In-Reply-To would match.
    let raw = reply(&format!("{prefix}.{damaged}@{domain}"), Some(&mail.message_id), "<f3@example.com>", "Let me in");
    let (status, error) = post_inbound(&app, &key, &raw).await;
    assert_error(status, &error, StatusCode::FORBIDDEN, "reply_token_rejected");
    // Neither a reply address nor a reference to a mail we sent.
    let raw = reply("support@shop.test", Some("<unknown@example.com>"), "<f4@example.com>", "Hello?");
    let (status, error) = post_inbound(&app, &key, &raw).await;
    assert_error(status, &error, StatusCode::UNPROCESSABLE_ENTITY, "no_conversation");
    // Not a mail at all; only quoted text.
    let (status, error) = post_inbound(&app, &key, "just some bytes").await;
    assert_error(status, &error, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    let raw = reply(&reply_to, None, "<f5@example.com>", "> nothing new\n> here");
    let (status, error) = post_inbound(&app, &key, &raw).await;
    assert_error(status, &error, StatusCode::UNPROCESSABLE_ENTITY, "empty_reply");
    // Credentials: none, read-only, or another workspace's (which cannot see the conversation).
    let valid = reply(&reply_to, None, "<f6@example.com>", "valid but unauthorised");
    let response = app.request(reqwest::Method::POST, "/inbound/email", None).body(valid.clone()).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let read_only = api_key(&app, &shop.workspace.token, "read").await;
    let (status, error) = post_inbound(&app, &read_only, &valid).await;
    assert_error(status, &error, StatusCode::FORBIDDEN, "forbidden");
    let other = app.signup("Other Tenant").await;
    let other_key = api_key(&app, &other.token, "write").await;
    let (status, error) = post_inbound(&app, &other_key, &valid).await;
    assert_error(status, &error, StatusCode::NOT_FOUND, "not_found");

    let stored = messages(&app, &shop.workspace.token, conversation_id).await;
    assert_eq!(stored.len(), 1, "nothing was stored: {stored:#?}");
}
