//! Hostile pages and networks: a page whose title and URL are far over the server's
//! limits, an API that fails while the socket stays up, a page on an origin the site does
//! not allow.

use openapi::realtime::ServerFrame;

use super::stage::*;

/// A 100 KB title, and a URL made longer than a socket frame may be.
const HUGE_PAGE: &str = "document.title = 'Sale!'.repeat(20000);
history.replaceState(null, '', '#' + 'x'.repeat(70000));";

#[tokio::test]
async fn a_huge_title_and_url_leave_sending_working() {
    let s = stage(HUGE_PAGE, Screen::Desktop).await;
    let mut agent = s.agent_socket().await;
    s.open_widget().await;
    s.type_text("Is the sale on for real?", true).await;
    s.wait_for_mine(&["Is the sale on for real?"], "sent", PATIENCE).await;

    // The agents see the page, cut to the server's limits.
    let page = agent.recv_until("the visitor's page", |f| matches!(f, ServerFrame::Page { .. })).await;
    let ServerFrame::Page { url, title, .. } = page else { unreachable!() };
    assert_eq!(title.chars().count(), 300, "the title cut at 300 characters");
    assert!(title.starts_with("Sale!Sale!"), "{title:.40}");
    assert_eq!(url.chars().count(), 2048, "the URL cut at 2,048 characters");
    assert!(url.starts_with(&s.page.origin), "{url:.60}");
    assert_eq!(s.link.sockets_opened(), 1, "one socket, never dropped and reopened");
    assert_eq!(s.stored_bodies(s.conversation_id().await).await, vec!["Is the sale on for real?"]);
    s.browser.client.clone().close().await.ok();
}

#[tokio::test]
async fn the_first_message_recovers_from_a_failing_api_without_a_reconnect() {
    let s = stage("", Screen::Desktop).await;
    s.open_widget().await;
    until("the chat's socket", || async { s.link.sockets_opened() == 1 }).await;
    // Plain HTTP fails from now on; the socket stays up.
    s.link.cut_http();
    s.type_text("Hello, anyone there?", true).await;
    s.wait_for_mine(&["Hello, anyone there?"], "sending", PATIENCE).await;
    until("the conversation start to fail twice", || async { s.link.refused_http() >= 2 }).await;
    s.browser.screenshot("robust-api-down-desktop").await;
    s.link.restore();
    // Its own backoff (0.5 s doubling) brings it through: no new socket needed.
    s.wait_for_mine(&["Hello, anyone there?"], "sent", PATIENCE).await;
    assert_eq!(s.link.sockets_opened(), 1, "no reconnect was needed");
    assert_eq!(s.stored_bodies(s.conversation_id().await).await, vec!["Hello, anyone there?"], "stored once");
    s.browser.client.clone().close().await.ok();
}

#[tokio::test]
async fn a_refused_origin_gets_no_launcher_and_an_error_event() {
    let s = stage_with("", Screen::Desktop, json!({"allowed_origins": ["https://elsewhere.test"]})).await;
    let b = &s.browser;
    let error = b
        .wait_for("the error event", "return window.rapportEvents.find(([name]) => name === 'error')?.[1]", PATIENCE)
        .await;
    assert_eq!(error["code"], "origin_not_allowed", "{error}");
    assert!(error["message"].as_str().unwrap().contains(&s.page.origin), "{error}");
    let page = b
        .client
        .execute(
            "return [!!document.querySelector('[data-rapport-launcher]'), document.querySelectorAll('iframe').length]",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(page, json!([false, 0]), "no launcher, no frame");
    // The page's own calls do nothing either.
    b.client.execute("Rapport('open')", vec![]).await.unwrap();
    assert_eq!(b.client.execute("return document.querySelectorAll('iframe').length", vec![]).await.unwrap(), 0);
    assert_eq!(s.link.sockets_opened(), 0);
    let (_, visitors) = s.app.get("/visitors", &s.workspace.token).await;
    assert_eq!(visitors["items"], json!([]));
    b.screenshot("robust-refused-origin-desktop").await;
    s.browser.client.clone().close().await.ok();
}
