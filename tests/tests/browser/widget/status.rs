//! The header's availability is live: an agent coming online while the panel is open
//! turns "Away" into "Online" without a reload.

use std::time::Duration;

use super::stage::*;

#[tokio::test]
async fn the_header_follows_the_agents_while_the_panel_is_open() {
    let s = stage("", Screen::Desktop).await;
    let b = &s.browser;
    s.open_widget().await;
    let status = "document.querySelector('.rp-status')";
    let away = b
        .wait_for(
            "the away status",
            &format!("return {status}.dataset.online === 'false' && {status}.textContent"),
            PATIENCE,
        )
        .await;
    assert_eq!(away, "Away · leave us a message");
    let role = b.client.execute(&format!("return {status}.getAttribute('role')"), vec![]).await.unwrap();
    assert_eq!(role, "status", "screen readers hear the change (a status region is polite)");

    // An agent opens the console: the panel, still open, says so within its refresh.
    let _agent = s.agent_socket().await;
    let online = b
        .wait_for(
            "the online status",
            &format!("return {status}.dataset.online === 'true' && {status}.textContent"),
            Duration::from_secs(40),
        )
        .await;
    assert_eq!(online, "Online · we reply in a few minutes", "no reply history yet: the generic promise");
    b.screenshot("status-online-desktop").await;
    s.browser.client.clone().close().await.ok();
}
