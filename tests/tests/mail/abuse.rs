//! Mail a visitor can cause, kept from reaching strangers: a transcript goes to a new
//! address only after its owner confirms it; per-site and per-recipient limits on every
//! such mail, the workspace's owners told when one trips.

use std::collections::HashSet;

use crate::common::*;

/// A fresh visitor of `shop` (a new token from the public site key) with a conversation.
async fn fresh_visitor(app: &TestApp, shop: &Shop, body: &str) -> (String, Uuid) {
    let token = app.visitor(&shop.site_key).await;
    let conversation_id = app.start_conversation(&token, body).await;
    (token, conversation_id)
}

async fn ask_transcript(
    app: &TestApp,
    token: &str,
    conversation_id: Uuid,
    email: Option<&str>,
) -> (StatusCode, Value, Option<u64>) {
    let path = format!("/widget/conversations/{conversation_id}/transcript");
    let body = match email {
        Some(email) => json!({"email": email}),
        None => json!({}),
    };
    let response = app.request(reqwest::Method::POST, &path, Some(token)).json(&body).send().await.unwrap();
    let retry_after = response.headers().get("retry-after").map(|v| v.to_str().unwrap().parse().unwrap());
    let (status, body) = system_tests::json_of(response).await;
    (status, body, retry_after)
}

#[tokio::test]
async fn sixty_transcripts_to_sixty_addresses_send_only_confirmations_up_to_the_site_limit() {
    let sink = SmtpSink::start().await;
    let app = mail_app(&sink, 60_000, None).await;
    let shop = shop(&app, "Spam").await;
    let owner = shop.workspace.email.clone();

    let mut accepted = Vec::new();
    let mut refused = 0;
    for n in 0..60 {
        let (token, conversation_id) =
            fresh_visitor(&app, &shop, &format!("Buy cheap watches at spam.example #{n}")).await;
        let victim = format!("victim{n}@example.org");
        let (status, body, retry_after) = ask_transcript(&app, &token, conversation_id, Some(&victim)).await;
        match status {
            StatusCode::ACCEPTED => {
                assert_eq!(body["confirmation_required"], true, "{body}");
                accepted.push(victim);
            }
            StatusCode::TOO_MANY_REQUESTS => {
                assert_eq!(body["code"], "too_many_attempts", "{body}");
                let wait = retry_after.expect("Retry-After");
                assert!((1..=3600).contains(&wait), "{wait}");
                refused += 1;
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    // The default: 30 mails per site per hour.
    assert_eq!(accepted.len(), 30, "{refused} refused");
    assert_eq!(refused, 30);

    // The owners hear of it once; the confirmations go out; then nothing more.
    let notice = nth_mail_to(&sink, &owner, 1).await;
    assert_eq!(notice.subject, "[Shop] Mail from visitors paused");
    eventually("30 confirmation mails", || async {
        (sink.received().iter().filter(|r| r.rcpt_to.iter().any(|a| a.starts_with("victim"))).count() == 30)
            .then_some(())
    })
    .await;
    app.outbox_rounds_pass("mail", 3).await;
    let received: Vec<Mail> = sink.received().iter().map(parse).collect();
    assert_eq!(
        received.len(),
        31,
        "30 confirmations and one notice: {:?}",
        received.iter().map(|m| (&m.to, &m.subject)).collect::<Vec<_>>()
    );
    let mut recipients = HashSet::new();
    for mail in received.iter().filter(|m| m.to != owner) {
        assert_eq!(mail.subject, "Confirm your email for Shop");
        assert!(
            !mail.text.contains("cheap watches") && !mail.html.contains("cheap watches"),
            "no visitor text: {}",
            mail.text
        );
        assert!(accepted.contains(&mail.to), "{}", mail.to);
        recipients.insert(mail.to.clone());
    }
    assert_eq!(recipients.len(), 30);
    let transcripts =
        mail_list(&app, &shop.workspace.token).await.into_iter().filter(|m| m["kind"] == "transcript").count();
    assert_eq!(transcripts, 0, "no transcript to an address nobody confirmed");
    let listed = mail_list(&app, &shop.workspace.token).await;
    assert_eq!(listed.iter().filter(|m| m["kind"] == "visitor_mail_limited").count(), 1, "told once");

    // A confirmed address gets its transcript, even past the site's limit (its owner asked).
    let first = received.iter().find(|m| m.to == accepted[0]).unwrap();
    let token = confirm_by_link(&app, first).await;
    let transcript = nth_mail_to(&sink, &accepted[0], 2).await;
    assert_eq!(transcript.subject, "Your conversation with Shop");
    assert!(transcript.text.contains("cheap watches at spam.example #0"), "{}", transcript.text);
    // The link works once.
    let again =
        reqwest::Client::new().post(app.url("/mail/confirm")).form(&[("token", token.as_str())]).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
    let page = reqwest::Client::new().get(app.url(&format!("/mail/confirm?token={token}"))).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    let csp = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("form-action 'self'") && csp.contains("frame-ancestors 'none'"), "{csp}");
}

#[tokio::test]
async fn the_known_address_gets_the_transcript_and_each_address_gets_few_mails_a_day() {
    let sink = SmtpSink::start().await;
    let app = mail_app(&sink, 60_000, None).await;
    let shop = shop(&app, "Shop").await;
    // The offline form names an address (as anyone may): the conversation has it now.
    let conversation_id = offline_message(&app, &shop, "vera@example.com", None, "Where is my parcel?").await;
    for _ in 0..3 {
        let (status, body, _) = ask_transcript(&app, &shop.visitor_token, conversation_id, None).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        assert_eq!(body["confirmation_required"], false, "the conversation's own address: {body}");
    }
    // The same address, spelled otherwise, is still the known one — and its fourth mail
    // of the day is refused, whichever visitor or site asks.
    let (status, body, retry_after) =
        ask_transcript(&app, &shop.visitor_token, conversation_id, Some("Vera@Example.com")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(retry_after.is_some_and(|s| s > 3600 && s <= 86_400), "{retry_after:?}");
    let other = self::shop(&app, "Other").await;
    let (token, conversation) = fresh_visitor(&app, &other, "Hello").await;
    let (status, body, _) = ask_transcript(&app, &token, conversation, Some("vera@example.com")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    let transcript = nth_mail_to(&sink, "vera@example.com", 3).await;
    assert!(transcript.text.contains("Where is my parcel?"));
    app.outbox_rounds_pass("mail", 3).await;
    assert_eq!(mails_to(&sink, "vera@example.com").len(), 3);
    // The per-address limit is not a per-site one: another address still works on that site.
    let (status, body, _) = ask_transcript(&app, &token, conversation, Some("someone@example.com")).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
}

#[tokio::test]
async fn offline_messages_past_the_site_limit_are_kept_without_mail() {
    let sink = SmtpSink::start().await;
    let env = [
        ("RAPPORT_SMTP_URL", sink.url()),
        ("RAPPORT_MAIL_POLL_MS", "25".to_owned()),
        ("RAPPORT_MAIL_FROM", "noreply@shop.test".to_owned()),
        ("RAPPORT_VISITOR_MAIL_PER_SITE_PER_HOUR", "5".to_owned()),
    ];
    let app = spawn_app_with(AppOptions {
        env: env.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        ..AppOptions::default()
    })
    .await;
    let shop = shop(&app, "Busy").await;
    notify(&app, &shop, "team@busy.test").await;
    let mut conversations = Vec::new();
    for n in 0..12 {
        let token = app.visitor(&shop.site_key).await;
        let fresh = Shop { visitor_token: token, ..shop_clone(&shop) };
        conversations
            .push(offline_message(&app, &fresh, &format!("v{n}@example.com"), None, &format!("message {n}")).await);
    }
    let notice = nth_mail_to(&sink, &shop.workspace.email, 1).await;
    assert_eq!(notice.subject, "[Shop] Mail from visitors paused");
    assert!(notice.text.contains("5 mails within the last hour"), "{}", notice.text);
    nth_mail_to(&sink, "team@busy.test", 5).await;
    app.outbox_rounds_pass("mail", 3).await;
    assert_eq!(mails_to(&sink, "team@busy.test").len(), 5, "the site's limit");
    assert_eq!(mails_to(&sink, &shop.workspace.email).len(), 1, "one notice however many trip it");
    // Every message is in the console all the same.
    let (status, listed) = app.get("/conversations?limit=100", &shop.workspace.token).await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    let ids: HashSet<Uuid> = listed["items"].as_array().unwrap().iter().map(|c| id(&c["id"])).collect();
    assert!(conversations.iter().all(|c| ids.contains(c)), "{listed}");
}

fn shop_clone(shop: &Shop) -> Shop {
    Shop {
        workspace: shop.workspace.clone(),
        site_id: shop.site_id,
        site_key: shop.site_key.clone(),
        visitor_token: shop.visitor_token.clone(),
        visitor_id: shop.visitor_id,
    }
}
