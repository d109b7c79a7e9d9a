//! Site settings the console sets, as the real widget lives them: outside business hours
//! the panel offers its offline form even with an agent online, and the visitor who
//! writes is told when the team is back; with typing preview on, what the visitor types
//! shows in the console before it is sent.

use openapi::realtime::ClientFrame;
use system_tests::PASSWORD;

use super::stage::*;

/// Today's date in UTC (the workspace's zone): a holiday makes the site closed now,
/// whatever the hour the test runs at.
fn today() -> String {
    chrono::Utc::now().date_naive().to_string()
}

#[tokio::test]
async fn outside_business_hours_the_widget_offers_its_offline_form_and_the_visitor_learns_when_we_are_back() {
    let s = stage_with("", Screen::Desktop, json!({})).await;
    // An agent is online: without business hours, the chat would be open.
    let mut agent = s.agent_socket().await;
    agent.send(&ClientFrame::Status { status: openapi::realtime::AgentStatus::Online }).await;
    let online = |site: &Value| site["agents_online"].as_bool().unwrap();
    until("the agent counted as online", async || {
        let (_, session) =
            s.app.call(reqwest::Method::POST, "/widget/session", None, Some(json!({"site_key": s.site_key}))).await;
        online(&session["site"])
    })
    .await;

    let hours: Vec<Value> = (1..=7).map(|day| json!({"weekday": day, "opens": "09:00", "closes": "17:00"})).collect();
    let (status, saved) = s
        .app
        .call(
            reqwest::Method::PUT,
            &format!("/sites/{}/business-hours", s.site_id),
            Some(&s.workspace.token),
            Some(json!({"enabled": true, "hours": hours, "holidays": [{"date": today(), "name": "Closed today"}],
                        "auto_reply": "We are closed today and back {{next_open}}."})),
        )
        .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["open_now"], false, "{saved}");
    let next = saved["next_open"].as_str().expect("when it opens next");
    assert!(next > today().as_str(), "after today: {next}");

    let (_, session) =
        s.app.call(reqwest::Method::POST, "/widget/session", None, Some(json!({"site_key": s.site_key}))).await;
    assert_eq!(session["site"]["agents_online"], false, "closed: nobody counts as online");

    let b = &s.browser;
    s.open_widget().await;
    b.wait_for("the offline form", "return !!document.querySelector('form[data-form=offline]')", PATIENCE).await;
    for (css, text) in [("#rp-message", "Can I return shoes after 30 days?"), ("#rp-email", "ana@example.com")] {
        let field = b.client.find(Locator::Css(css)).await.unwrap();
        field.send_keys(text).await.unwrap();
    }
    b.click(".rp-start .rp-primary").await;
    // The auto-reply reaches the widget, saying when the team is back.
    let reply = b
        .wait_for(
            "the auto-reply",
            "return Array.from(document.querySelectorAll('.rp-theirs .rp-bubble')).map(b => b.textContent)
                 .find(t => t.startsWith('We are closed today'))",
            PATIENCE,
        )
        .await;
    let reply = reply.as_str().unwrap();
    assert!(reply.contains("at 09:00 (UTC)"), "{reply}");
    assert!(!reply.contains("{{"), "the variable is filled: {reply}");
    b.screenshot("widget-outside-business-hours").await;
    let conversation_id = s.conversation_id().await;
    let bodies = s.stored_bodies(conversation_id).await;
    assert_eq!(bodies.len(), 2, "the message and one auto-reply: {bodies:?}");
}

#[tokio::test]
async fn with_typing_preview_on_the_console_shows_what_the_visitor_types_before_it_is_sent() {
    let s = stage_with("", Screen::Desktop, json!({"offline_form": false, "typing_preview": true})).await;
    s.open_widget().await;
    s.type_text("Hello!", true).await;
    s.wait_for_mine(&["Hello!"], "sent", PATIENCE).await;
    let conversation_id = s.conversation_id().await;

    let console = Browser::start(Screen::Desktop).await;
    let c = &console.client;
    c.goto(&format!("{}/console/", s.link.address)).await.expect("opening the console");
    console.wait_for("the sign-in form", "return !!document.querySelector('#email')", PATIENCE).await;
    c.find(Locator::Css("#email")).await.unwrap().send_keys(&s.workspace.email).await.unwrap();
    c.find(Locator::Css("#password")).await.unwrap().send_keys(PASSWORD).await.unwrap();
    c.find(Locator::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
    console
        .wait_for("the console", "return !!document.querySelector('.app[data-loaded][data-link=live]')", PATIENCE)
        .await;
    let row = format!("[data-conversation=\"{conversation_id}\"]");
    console.wait_for("the conversation", &format!("return !!document.querySelector('{row}')"), PATIENCE).await;
    c.find(Locator::Css(&row)).await.unwrap().click().await.unwrap();
    console
        .wait_for(
            "the history",
            &format!("return !!document.querySelector('[data-open-conversation=\"{conversation_id}\"] [data-seq]')"),
            PATIENCE,
        )
        .await;

    // The visitor types, and has not sent it.
    s.type_text("Where is my parcel, order 10", false).await;
    let preview = console
        .wait_for(
            "the preview",
            "return document.querySelector('[data-typing-preview]')?.textContent.includes('Where is my parcel')
                 && document.querySelector('[data-typing-preview]').textContent",
            PATIENCE,
        )
        .await;
    assert!(preview.as_str().unwrap().contains("Where is my parcel"), "{preview}");
    s.type_text("42?", false).await;
    console
        .wait_for(
            "the preview following the typing",
            "return document.querySelector('[data-typing-preview]')?.textContent.includes('order 1042?')",
            PATIENCE,
        )
        .await;
    console.screenshot("console-typing-preview").await;
    assert_eq!(s.stored_bodies(conversation_id).await, ["Hello!"], "nothing stored before it is sent");
}
