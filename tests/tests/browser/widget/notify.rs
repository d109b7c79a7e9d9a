//! A reply while the panel is closed: the host page beeps (WebAudio) and its title
//! flashes "(1) New message" until the visitor opens the chat again.

use std::time::Duration;

use super::stage::*;

/// Counts the beeps the loader makes, by watching the page's WebAudio.
const COUNT_BEEPS: &str = "window.beeps = 0;
const RealAudioContext = window.AudioContext;
window.AudioContext = class extends RealAudioContext {
  createOscillator() { window.beeps += 1; return super.createOscillator(); }
};";

const TITLE: &str = "Acme shop — checkout";

/// An agent answers over REST.
async fn reply(s: &Stage, conversation_id: Uuid, body: &str) {
    let path = format!("/conversations/{conversation_id}/messages");
    let (status, answer) = s.app.post(&path, &s.workspace.token, json!({"body": body})).await;
    assert_eq!(status, 201, "{answer}");
}

#[tokio::test]
async fn a_reply_to_a_closed_panel_beeps_and_flashes_the_title() {
    let s = stage(COUNT_BEEPS, Screen::Desktop).await;
    let b = &s.browser;
    s.open_widget().await;
    s.type_text("Is the blue one back in stock?", true).await;
    s.wait_for_mine(&["Is the blue one back in stock?"], "sent", PATIENCE).await;
    let conversation_id = s.conversation_id().await;

    // A reply while the panel is open: no beep, no flashing.
    reply(&s, conversation_id, "Let me check.").await;
    b.wait_for(
        "the first reply",
        "return document.querySelectorAll('.rp-theirs:not(.rp-greeting)').length === 1",
        PATIENCE,
    )
    .await;
    s.leave_widget().await;
    let quiet = b.client.execute("return [window.beeps, document.title]", vec![]).await.unwrap();
    assert_eq!(quiet, json!([0, TITLE]));

    b.client.execute("Rapport('close')", vec![]).await.unwrap();
    reply(&s, conversation_id, "Yes! It's back since this morning.").await;
    b.wait_for("the title flashing", "return document.title === '(1) New message'", PATIENCE).await;
    let state = b
        .client
        .execute("return [window.beeps, document.querySelector('[data-rapport-unread]').textContent]", vec![])
        .await
        .unwrap();
    assert_eq!(state, json!([1, "1"]), "one beep, one unread");
    b.wait_for("the title alternating back", &format!("return document.title === {TITLE:?}"), PATIENCE).await;
    b.wait_for("and flashing again", "return document.title === '(1) New message'", PATIENCE).await;
    b.screenshot("notify-closed-desktop").await;

    // Opening the chat ends it and gives the page its title back for good.
    b.client.execute("Rapport('open')", vec![]).await.unwrap();
    b.wait_for("the title restored", &format!("return document.title === {TITLE:?}"), PATIENCE).await;
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    let title = b.client.execute("return document.title", vec![]).await.unwrap();
    assert_eq!(title, TITLE, "no more flashing once open");
    s.browser.client.clone().close().await.ok();
}
