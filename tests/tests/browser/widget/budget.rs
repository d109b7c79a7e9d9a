//! What the widget costs, counted on the wire between Chromium and Rapport (the link
//! relays every byte, headers included; the browser sends its own `Accept-Encoding`):
//! a page view without interaction pays for the loader and nothing else — no iframe, no
//! socket, no visitor —, unless this browser already has a conversation (then the chat
//! connects by itself to show unread replies); the opened widget stays under 100 KiB; the
//! console (its everyday build: sign-in and the inbox) under 300 KiB.

use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, MouseActions, PointerAction};

use super::stage::*;

const PAGE_VIEW_BUDGET: u64 = 3 * 1024;
const WIDGET_BUDGET: u64 = 100 * 1024;
const CONSOLE_BUDGET: u64 = 300 * 1024;

/// The bytes downloaded once the link has been quiet for a moment (a socket's first
/// frames may still be in flight when the page looks ready).
async fn settled(link: &Link) -> u64 {
    let mut last = link.downloaded();
    let deadline = Instant::now() + PATIENCE;
    loop {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let now = link.downloaded();
        if now == last || Instant::now() > deadline {
            return now;
        }
        last = now;
    }
}

async fn visitors(s: &Stage) -> usize {
    let (status, page) = s.app.get("/visitors", &s.workspace.token).await;
    assert_eq!(status, 200, "{page}");
    page["items"].as_array().unwrap().len()
}

#[tokio::test]
async fn a_page_view_costs_the_loader_alone_and_the_opened_widget_stays_under_budget() {
    let s = stage("", Screen::Desktop).await;
    let b = &s.browser;
    b.wait_for("the launcher", "return !!document.querySelector('[data-rapport-launcher]')", PATIENCE).await;
    // The loader has nothing more to do without a conversation: it drew the launcher
    // after its one question, and set no timer.
    let page_view = settled(&s.link).await;
    let resources = b
        .client
        .execute(
            &format!(
                "return performance.getEntriesByType('resource').map(e => e.name).filter(n => n.startsWith({:?}))",
                s.link.address
            ),
            vec![],
        )
        .await
        .unwrap();
    println!("page view: {page_view} B from Rapport: {resources}");
    assert!(page_view <= PAGE_VIEW_BUDGET, "a page view downloaded {page_view} B (budget {PAGE_VIEW_BUDGET} B)");
    assert_eq!(resources.as_array().unwrap().len(), 2, "the loader and its check, nothing else: {resources}");
    let frames = b.client.execute("return document.querySelectorAll('iframe').length", vec![]).await.unwrap();
    assert_eq!(frames, 0, "no iframe before the visitor shows interest");
    assert_eq!(s.link.sockets_opened(), 0, "no socket");
    assert_eq!(visitors(&s).await, 0, "no visitor row");

    // The next page view asks nothing: both answers come from the browser's cache.
    b.client.refresh().await.unwrap();
    b.wait_for("the launcher again", "return !!document.querySelector('[data-rapport-launcher]')", PATIENCE).await;
    let second = settled(&s.link).await - page_view;
    println!("second page view: {second} B from Rapport");
    assert!(second <= PAGE_VIEW_BUDGET, "{second} B");
    assert_eq!((s.link.sockets_opened(), visitors(&s).await), (0, 0));
    b.screenshot("budget-page-view-desktop").await;

    // Hovering the launcher warms the chat up (the visitor is interested): the iframe
    // loads and the session starts, still without a socket until the chat opens.
    let before = s.link.downloaded();
    let launcher = b.client.find(Locator::Css("[data-rapport-launcher]")).await.unwrap();
    let hover = MouseActions::new("mouse".into()).then(PointerAction::MoveToElement {
        element: launcher.clone(),
        duration: None,
        x: 0.0,
        y: 0.0,
    });
    b.client.perform_actions(hover).await.unwrap();
    b.wait_for("the warmed-up iframe", "return document.querySelectorAll('iframe').length === 1", PATIENCE).await;
    until("the warm-up's visitor", || async { visitors(&s).await == 1 }).await;
    assert_eq!(s.link.sockets_opened(), 0, "warming up opens no socket");
    launcher.click().await.unwrap();
    s.enter_widget().await;
    until("the chat's socket", || async { s.link.sockets_opened() == 1 }).await;
    let opened = settled(&s.link).await - before;
    println!("opened widget: {opened} B from Rapport (budget {WIDGET_BUDGET} B)");
    assert!(opened <= WIDGET_BUDGET, "the opened widget downloaded {opened} B (budget {WIDGET_BUDGET} B)");
    b.screenshot("budget-opened-desktop").await;
    s.browser.client.clone().close().await.ok();
}

#[tokio::test]
async fn a_returning_visitor_with_a_conversation_connects_to_show_unread_replies() {
    let s = stage("", Screen::Desktop).await;
    let b = &s.browser;
    s.open_widget().await;
    s.type_text("Is my parcel on its way?", true).await;
    s.wait_for_mine(&["Is my parcel on its way?"], "sent", PATIENCE).await;
    let conversation_id = s.conversation_id().await;

    // The next page of the shop, no click: this browser has a conversation, so the chat
    // loads and connects by itself.
    s.leave_widget().await;
    let sockets = s.link.sockets_opened();
    b.client.goto(&format!("{}/checkout", s.page.origin)).await.unwrap();
    b.wait_for("the iframe, without a click", "return document.querySelectorAll('iframe').length === 1", PATIENCE)
        .await;
    until("its socket", || async { s.link.sockets_opened() == sockets + 1 }).await;
    let (status, body) = s
        .app
        .post(&format!("/conversations/{conversation_id}/messages"), &s.workspace.token, json!({"body": "It is!"}))
        .await;
    assert_eq!(status, 201, "{body}");
    let badge = b
        .wait_for(
            "the unread badge",
            "const b = document.querySelector('[data-rapport-unread]'); return b.style.display !== 'none' && b.textContent",
            PATIENCE,
        )
        .await;
    assert_eq!(badge, "1");
    let open = b.client.execute("return getComputedStyle(document.querySelector('iframe')).display", vec![]).await;
    assert_eq!(open.unwrap(), "none", "the panel stays closed until the visitor opens it");
    let (_, visitors) = s.app.get("/visitors", &s.workspace.token).await;
    assert_eq!(visitors["items"].as_array().unwrap().len(), 1, "the same visitor");
    b.screenshot("budget-returning-visitor-desktop").await;
    s.browser.client.clone().close().await.ok();
}

#[tokio::test]
async fn the_console_downloads_under_its_budget_and_brings_settings_when_opened() {
    let s = stage("", Screen::Desktop).await;
    let b = &s.browser;
    // A fresh browser (nothing cached) opens the console through the link: the everyday
    // build, sign-in and the inbox.
    let before = settled(&s.link).await;
    s.sign_in_to_console().await;
    let console = settled(&s.link).await - before;
    println!("console: {console} B from Rapport, up to the sign-in form (budget {CONSOLE_BUDGET} B)");
    assert!(console <= CONSOLE_BUDGET, "the console downloaded {console} B (budget {CONSOLE_BUDGET} B)");
    b.wait_for("the inbox", "return !!document.querySelector('.app[data-loaded][data-link=live]')", PATIENCE).await;
    let build = "return document.documentElement.dataset.bundle";
    assert_eq!(b.client.execute(build, vec![]).await.unwrap(), "agent-console");

    // Settings come with the complete build, at the screen's own address.
    let before = settled(&s.link).await;
    b.click("[data-admin=sites]").await;
    b.wait_for(
        "the sites screen, in the complete build",
        "return document.documentElement.dataset.bundle === 'console-admin' && !!document.querySelector('[data-snippet]')",
        PATIENCE,
    )
    .await;
    let complete = settled(&s.link).await - before;
    println!("opening settings: {complete} B from Rapport (the complete build, then cached)");
    let address = b.client.current_url().await.unwrap();
    assert_eq!(address.query(), Some("screen=settings.sites"), "{address}");

    // From there every screen is at hand without loading a page, and the address follows.
    b.client.execute("window.samePage = true; return true", vec![]).await.unwrap();
    b.click("[data-admin=agents]").await;
    b.wait_for("the agents screen", "return !!document.querySelector('.table tbody tr')", PATIENCE).await;
    b.wait_for("its address", "return location.search === '?screen=settings.agents'", PATIENCE).await;
    b.click("[data-view=mine]").await;
    b.wait_for(
        "the inbox, at /console/",
        "return !document.querySelector('[data-settings]') && location.search === ''",
        PATIENCE,
    )
    .await;
    assert_eq!(b.client.execute("return window.samePage === true", vec![]).await.unwrap(), true, "no page load");

    // A reload of a settings address comes back to that screen.
    b.client.goto(&format!("{}/console/?screen=settings.agents", s.link.address)).await.unwrap();
    b.wait_for(
        "the agents screen after a reload",
        "return !!document.querySelector('[data-settings=agents]')",
        PATIENCE,
    )
    .await;
    s.browser.client.clone().close().await.ok();
}
