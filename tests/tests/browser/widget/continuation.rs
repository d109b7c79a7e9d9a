//! The email's "Continue the conversation" link: a visitor who left gets the replies by
//! mail, and the link opens the widget on its own page with the whole conversation.

use system_tests::smtp::SmtpSink;

use super::stage::*;

const EMAIL: &str = "vera@example.com";

#[tokio::test]
async fn the_emails_continue_link_opens_the_conversation_with_its_history() {
    let sink = SmtpSink::start().await;
    let env = [
        ("RAPPORT_SMTP_URL", sink.url()),
        ("RAPPORT_MAIL_POLL_MS", "25".to_owned()),
        ("RAPPORT_MAIL_CONTINUITY_DELAY_MS", "300".to_owned()),
    ];
    let env = env.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    let mut s = stage_in(Scene { env, ..Scene::default() }).await;
    s.open_widget().await;
    s.type_text("Can I change my delivery address?", true).await;
    s.wait_for_mine(&["Can I change my delivery address?"], "sent", PATIENCE).await;
    let conversation_id = s.conversation_id().await;
    let (_, page) = s.app.get("/visitors", &s.workspace.token).await;
    let visitor_id = id(&page["items"][0]["id"]);
    let (status, body) =
        s.app.patch(&format!("/visitors/{visitor_id}"), &s.workspace.token, json!({"email": EMAIL})).await;
    assert_eq!(status, 200, "{body}");

    // The visitor leaves; the answer comes while nobody is there to read it.
    s.browser.client.clone().close().await.ok();
    let (status, body) = s
        .app
        .post(
            &format!("/conversations/{conversation_id}/messages"),
            &s.workspace.token,
            json!({"body": "Yes: reply with the new one and we'll update it."}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let mail = sink
        .wait_until("with a continue link", PATIENCE, |m| {
            m.rcpt_to == [EMAIL] && m.data.windows(10).any(|w| w == b"#continue=")
        })
        .await;
    let parsed = mail_parser::MessageParser::default().parse(&mail.data).expect("a mail");
    let text = parsed.body_text(0).expect("a text part").into_owned();
    let start = text.find(&s.link.address).expect("a link to Rapport");
    let link = text[start..].split_whitespace().next().unwrap().to_owned();
    assert!(link.contains("/widget/frame?site=") && link.contains("#continue="), "{link}");

    // Another browser (nothing stored anywhere) follows the link.
    s.browser = system_tests::browser::Browser::start(Screen::Phone).await;
    let b = &s.browser;
    b.client.goto(&link).await.unwrap();
    b.wait_for(
        "the conversation's history",
        "return document.querySelectorAll('.rp-row:not(.rp-greeting):not(.rp-typing)').length === 2",
        PATIENCE,
    )
    .await;
    assert_eq!(s.bubbles("rp-mine").await, vec!["Can I change my delivery address?"]);
    assert_eq!(s.bubbles("rp-theirs").await, vec!["Yes: reply with the new one and we'll update it."]);
    let url = b.client.current_url().await.unwrap();
    assert_eq!(url.fragment(), None, "the link's token leaves the address bar");
    b.screenshot("continue-link-phone").await;

    // The visitor answers from there, into the same conversation.
    s.type_text("Great, it's 12 Harbour Street.", true).await;
    s.wait_for_mine(&["Can I change my delivery address?", "Great, it's 12 Harbour Street."], "sent", PATIENCE).await;
    assert_eq!(s.stored_bodies(conversation_id).await.len(), 3);
    s.browser.client.clone().close().await.ok();
}
