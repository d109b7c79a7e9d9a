//! "Email me the transcript": for a visitor without a known email the panel asks for
//! one; Rapport first asks that address's owner to confirm it, and the panel says so.

use super::stage::*;

#[tokio::test]
async fn a_visitor_without_an_email_gives_one_and_is_asked_to_confirm_it() {
    let s = stage("", Screen::Desktop).await;
    let b = &s.browser;
    s.open_widget().await;
    let link = b.client.execute("return !!document.querySelector('[data-action=transcript]')", vec![]).await.unwrap();
    assert_eq!(link, false, "nothing to mail before the conversation starts");
    s.type_text("Please send me the steps we went through.", true).await;
    s.wait_for_mine(&["Please send me the steps we went through."], "sent", PATIENCE).await;

    b.wait_for("the transcript link", "return !!document.querySelector('[data-action=transcript]')", PATIENCE).await;
    b.click("[data-action=transcript]").await;
    b.wait_for(
        "the email field, focused",
        "const input = document.querySelector('.rp-transcript-ask input'); return !!input && document.activeElement === input",
        PATIENCE,
    )
    .await;
    b.screenshot("transcript-ask-desktop").await;
    let (_, mail) = s.app.get("/mail", &s.workspace.token).await;
    assert!(!mail["items"].as_array().unwrap().iter().any(|m| m["kind"] == "transcript"), "nothing queued yet: {mail}");

    let input = b.client.find(Locator::Css(".rp-transcript-ask input")).await.unwrap();
    input.send_keys("ana@example.com\u{E007}").await.unwrap();
    let sent = b
        .wait_for("the confirmation", "return document.querySelector('.rp-transcript-confirm')?.textContent", PATIENCE)
        .await;
    assert_eq!(sent, "Check your inbox: confirm your address and the transcript follows.");
    b.screenshot("transcript-confirm-desktop").await;

    let conversation_id = s.conversation_id().await;
    let (status, mail) = s.app.get("/mail", &s.workspace.token).await;
    assert_eq!(status, 200, "{mail}");
    let items = mail["items"].as_array().unwrap();
    let confirmation = items.iter().find(|m| m["kind"] == "transcript_confirmation").expect("a confirmation mail");
    assert_eq!(confirmation["recipient"], "ana@example.com", "{confirmation}");
    assert_eq!(id(&confirmation["conversation_id"]), conversation_id);
    assert!(!items.iter().any(|m| m["kind"] == "transcript"), "nothing sent before the address is confirmed: {mail}");
    let (_, visitors) = s.app.get("/visitors", &s.workspace.token).await;
    assert!(visitors["items"][0]["email"].is_null(), "not the visitor's address until confirmed: {visitors}");
    s.browser.client.clone().close().await.ok();
}
