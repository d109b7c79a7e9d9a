//! Nobody online: the panel offers the offline form (email required, then the message),
//! which leaves the message for the team and says the answer comes by email.

use super::stage::*;

async fn fill(s: &Stage, css: &str, text: &str) {
    let field = s.browser.client.find(Locator::Css(css)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

async fn submit(s: &Stage) {
    s.browser.click(".rp-start .rp-primary").await;
}

#[tokio::test]
async fn with_nobody_online_the_visitor_leaves_an_email_and_a_message() {
    let s = stage_with("", Screen::Phone, json!({})).await;
    let b = &s.browser;
    s.open_widget().await;
    b.wait_for("the offline form", "return !!document.querySelector('form[data-form=offline]')", PATIENCE).await;
    let status = b.client.execute("return document.querySelector('.rp-status').dataset.online", vec![]).await.unwrap();
    assert_eq!(status, "false", "nobody is online");
    b.screenshot("offline-form-phone").await;

    fill(&s, "#rp-message", "My parcel never arrived (order #88).").await;
    fill(&s, "#rp-email", "ana at example").await;
    submit(&s).await;
    b.wait_for(
        "the email marked invalid",
        "return document.querySelector('#rp-email').getAttribute('aria-invalid') === 'true'",
        PATIENCE,
    )
    .await;
    let (_, page) = s.app.get("/conversations", &s.workspace.token).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 0, "nothing sent: {page}");

    fill(&s, "#rp-email", "ana@example.com").await;
    submit(&s).await;
    let thanks = b
        .wait_for(
            "the promise of an email answer",
            "return document.querySelector('[data-notice=offline_sent]')?.textContent",
            PATIENCE,
        )
        .await;
    assert_eq!(thanks, "Thanks! We'll reply by email to ana@example.com.");
    s.wait_for_mine(&["My parcel never arrived (order #88)."], "sent", PATIENCE).await;
    b.screenshot("offline-sent-phone").await;

    let conversation_id = s.conversation_id().await;
    assert_eq!(s.stored_bodies(conversation_id).await, vec!["My parcel never arrived (order #88).".to_owned()]);
    let (_, visitors) = s.app.get("/visitors", &s.workspace.token).await;
    assert_eq!(visitors["items"][0]["email"], "ana@example.com", "{visitors}");
    let (_, mail) = s.app.get("/mail", &s.workspace.token).await;
    assert!(
        mail["items"].as_array().unwrap().iter().any(|m| m["kind"] == "offline_message"),
        "the team is told by mail: {mail}"
    );
    s.browser.client.clone().close().await.ok();
}
