//! What the team learns about the visitor's browser without asking: browser, system,
//! time zone, language and screen size, sent by the widget and shown in the console's
//! visitor panel.

use super::stage::*;

#[tokio::test]
async fn the_visitors_browser_reaches_the_console() {
    let browser = system_tests::browser::Options { time_zone: Some("Europe/Paris"), ..Default::default() };
    let s = stage_in(Scene { browser, ..Scene::default() }).await;
    let b = &s.browser;
    // What the browser itself says, to compare with what arrived.
    let truth = b
        .client
        .execute(
            "return {zone: Intl.DateTimeFormat().resolvedOptions().timeZone, language: navigator.language,
                     screen: screen.width + 'x' + screen.height, chrome: navigator.userAgent.match(/Chrome\\/(\\d+)/)[1]}",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(truth["zone"], "Europe/Paris", "{truth}");
    s.open_widget().await;
    s.type_text("Hi!", true).await;
    s.wait_for_mine(&["Hi!"], "sent", PATIENCE).await;

    let (_, visitors) = s.app.get("/visitors", &s.workspace.token).await;
    let attributes = &visitors["items"][0]["attributes"];
    let chrome = format!("Chrome {}", truth["chrome"].as_str().unwrap());
    assert_eq!(
        attributes,
        &json!({"browser": chrome, "os": "Linux", "timezone": "Europe/Paris", "language": truth["language"],
                "screen": truth["screen"]}),
    );

    // The console's visitor panel shows them instead of "Unknown".
    s.leave_widget().await;
    let conversation_id = s.conversation_id().await;
    s.sign_in_to_console().await;
    let row = format!("[data-conversation=\"{conversation_id}\"]");
    b.wait_for("the conversation in the list", &format!("return !!document.querySelector('{row}')"), PATIENCE).await;
    b.click(&row).await;
    let facts = b
        .wait_for(
            "the visitor panel's details",
            "const dl = document.querySelector('.sidebar .facts');
             if (!dl) return null;
             const pairs = {};
             dl.querySelectorAll('dt').forEach(dt => pairs[dt.textContent] = dt.nextElementSibling.textContent);
             return pairs['Screen'] ? pairs : null;",
            PATIENCE,
        )
        .await;
    assert_eq!(facts["Browser"], json!(chrome), "{facts}");
    assert_eq!(facts["System"], "Linux", "{facts}");
    assert!(facts["Local time"].as_str().unwrap().ends_with("(Europe/Paris)"), "{facts}");
    assert_eq!(facts["Language"], truth["language"], "{facts}");
    assert_eq!(facts["Screen"], truth["screen"], "{facts}");
    b.screenshot("context-console-desktop").await;
    s.browser.client.clone().close().await.ok();
}
