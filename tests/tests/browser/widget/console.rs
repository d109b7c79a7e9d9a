//! The whole path through both front-ends: a visitor writes in the real widget, an agent
//! answers in the real console, and the answer appears in the widget.

use system_tests::PASSWORD;

use super::stage::*;

#[tokio::test]
async fn a_reply_typed_in_the_agent_console_appears_in_the_widget() {
    let s = stage("", Screen::Desktop).await;
    s.open_widget().await;
    s.type_text("Do you ship to Canada?", true).await;
    s.wait_for_mine(&["Do you ship to Canada?"], "sent", PATIENCE).await;
    let conversation_id = s.conversation_id().await;

    // The owner signs in to the console in a second browser, through the same link.
    let console = Browser::start(Screen::Desktop).await;
    let c = &console.client;
    c.goto(&format!("{}/console/", s.link.address)).await.expect("opening the console");
    console.wait_for("the sign-in form", "return !!document.querySelector('#email')", PATIENCE).await;
    c.find(Locator::Css("#email")).await.unwrap().send_keys(&s.workspace.email).await.unwrap();
    c.find(Locator::Css("#password")).await.unwrap().send_keys(PASSWORD).await.unwrap();
    c.find(Locator::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
    let live = "return !!document.querySelector('.app[data-loaded][data-link=live]')";
    console.wait_for("the console, loaded and live", live, PATIENCE).await;

    // The waiting conversation is in the queue; the agent opens it and answers.
    let row = format!("[data-conversation=\"{conversation_id}\"]");
    console
        .wait_for("the conversation in the queue", &format!("return !!document.querySelector('{row}')"), PATIENCE)
        .await;
    c.find(Locator::Css(&row)).await.unwrap().click().await.unwrap();
    let history = format!(
        "return !!document.querySelector('[data-open-conversation=\"{conversation_id}\"] .timeline [data-seq]')"
    );
    console.wait_for("the conversation's history", &history, PATIENCE).await;
    let reply = "Yes! We ship to Canada in 3 to 5 working days.";
    c.find(Locator::Css("#composer-input")).await.unwrap().send_keys(&format!("{reply}\u{E007}")).await.unwrap();

    // Not just any row of theirs: while the agent types, the typing indicator is one too.
    let theirs = "return document.querySelectorAll('.rp-theirs:not(.rp-greeting):not(.rp-typing)').length === 1";
    s.browser.wait_for("the console's reply in the widget", theirs, PATIENCE).await;
    assert_eq!(s.bubbles("rp-theirs").await, vec![reply.to_owned()]);
    assert_eq!(s.stored_bodies(conversation_id).await, ["Do you ship to Canada?", reply], "stored once each");
    s.browser.screenshot("widget-reply-from-console").await;
    console.screenshot("console-reply-to-widget").await;
}
