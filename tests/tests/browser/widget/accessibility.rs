//! The panel for everyone: axe-core (from npm, injected into the panel) finds no
//! violation in any state the visitor meets; fields are 16 px (iOS does not zoom in on
//! focus); opening the chat moves the focus into it.

use super::stage::*;

#[tokio::test]
async fn the_panel_has_no_accessibility_violations_and_takes_the_focus() {
    let s = stage("", Screen::Desktop).await;
    let b = &s.browser;
    s.open_widget().await;
    // The click on the launcher put the visitor in the composer.
    b.wait_for("the focus in the composer", "return document.activeElement?.id === 'rp-input'", PATIENCE).await;
    s.leave_widget().await;
    let host_focus = b.client.execute("return document.activeElement.tagName", vec![]).await.unwrap();
    assert_eq!(host_focus, "IFRAME", "the page gave the focus to the panel");
    s.enter_widget().await;
    let sizes = b
        .client
        .execute("return getComputedStyle(document.querySelector('.rp-input')).fontSize", vec![])
        .await
        .unwrap();
    assert_eq!(sizes, "16px", "no zoom on focus in iOS");
    assert_eq!(s.browser.accessibility_violations("empty panel").await, Vec::<Value>::new());

    // A conversation: the visitor's messages, an agent's reply with name and face.
    s.type_text("Is this accessible?", true).await;
    s.wait_for_mine(&["Is this accessible?"], "sent", PATIENCE).await;
    let conversation_id = s.conversation_id().await;
    let path = format!("/conversations/{conversation_id}/messages");
    let (status, body) =
        s.app.post(&path, &s.workspace.token, json!({"body": "It is, see https://www.w3.org/WAI/."})).await;
    assert_eq!(status, 201, "{body}");
    b.wait_for("the reply with its author", "return !!document.querySelector('.rp-by-agent .rp-author')", PATIENCE)
        .await;
    assert_eq!(s.browser.accessibility_violations("conversation").await, Vec::<Value>::new());
    b.screenshot("a11y-conversation-desktop").await;

    // Resolved: the rating card and the transcript link.
    let (status, body) = s
        .app
        .patch(&format!("/conversations/{conversation_id}"), &s.workspace.token, json!({"status": "resolved"}))
        .await;
    assert_eq!(status, 200, "{body}");
    b.wait_for("the rating card", "return !!document.querySelector('.rp-rating')", PATIENCE).await;
    assert_eq!(s.browser.accessibility_violations("rating").await, Vec::<Value>::new());
    b.screenshot("a11y-rating-desktop").await;
    s.browser.client.clone().close().await.ok();
}

#[tokio::test]
async fn the_pre_chat_form_has_no_accessibility_violations() {
    let settings = json!({"offline_form": false, "prechat_name": "required", "prechat_email": "optional"});
    let s = stage_with("", Screen::Phone, settings).await;
    let b = &s.browser;
    s.open_widget().await;
    b.wait_for("the pre-chat form", "return !!document.querySelector('form.rp-start')", PATIENCE).await;
    b.wait_for("the focus in its first field", "return document.activeElement?.id === 'rp-name'", PATIENCE).await;
    let sizes = b
        .client
        .execute(
            "return Array.from(document.querySelectorAll('.rp-start input, .rp-start textarea')).map(e => getComputedStyle(e).fontSize)",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(sizes, json!(["16px", "16px", "16px"]));
    assert_eq!(s.browser.accessibility_violations("pre-chat form").await, Vec::<Value>::new());
    // Sent empty: the errors are announced and accessible too.
    b.click(".rp-start button[type=submit]").await;
    b.wait_for("the errors", "return document.querySelectorAll('.rp-error').length >= 2", PATIENCE).await;
    assert_eq!(s.browser.accessibility_violations("pre-chat form with errors").await, Vec::<Value>::new());
    b.screenshot("a11y-prechat-phone").await;
    s.browser.client.clone().close().await.ok();
}
