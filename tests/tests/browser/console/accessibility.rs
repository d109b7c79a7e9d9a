//! The console for everyone: axe-core (from npm, injected into the page) finds no
//! violation on the inbox, an open conversation with its visitor details, every settings
//! screen and the reports.

use super::stage::*;

/// What axe-core finds on each screen; a screenshot of each.
#[derive(Default)]
struct Findings(Vec<(String, Vec<Value>)>);

impl Findings {
    async fn check(&mut self, s: &Stage, screen: &str) {
        let found = s.browser.accessibility_violations(screen).await;
        s.browser.screenshot(&format!("console-a11y-{}", screen.replace(' ', "-"))).await;
        if !found.is_empty() {
            self.0.push((screen.to_owned(), found));
        }
    }
}

#[tokio::test]
async fn the_main_screens_have_no_accessibility_violations() {
    let s = stage().await;
    let mut findings = Findings::default();
    let token = s.workspace.token.clone();
    let mut ana = s
        .visitor(
            "Hello! My parcel says delivered but it is not here.",
            json!({"name": "Ana Lima", "email": "ana@example.test", "attributes": {"plan": "Pro", "order": "A-1042"}}),
        )
        .await;
    let _bo = s.visitor("Do you ship to Norway?", Value::Null).await;
    s.wait("two waiting", "return document.querySelector('[data-count=queue]')?.textContent === '2'").await;
    findings.check(&s, "inbox").await;

    // Ana's conversation, claimed, with a reply, a note, labels, a priority, her pages.
    let c = ana.conversation_id;
    let (status, body) = s.app.post(&format!("/conversations/{c}/claim"), &token, json!({})).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) =
        s.app.patch(&format!("/conversations/{c}"), &token, json!({"priority": "high", "labels": ["delivery"]})).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = s
        .app
        .post(
            &format!("/conversations/{c}/messages"),
            &token,
            json!({"body": "Sorry Ana, let me check with the carrier."}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = s
        .app
        .post(&format!("/conversations/{c}/messages"), &token, json!({"kind": "note", "body": "Carrier ticket 5521."}))
        .await;
    assert_eq!(status, 201, "{body}");
    ana.socket.send(&ClientFrame::Page { url: "https://shop.test/orders".into(), title: "Your orders".into() }).await;
    s.click("[data-view=mine]").await;
    s.open(c).await;
    s.wait("the note", "return document.body.textContent.includes('Carrier ticket 5521')").await;
    s.wait("her details", &format!("return !!document.querySelector('.sidebar[data-visitor=\"{}\"]')", ana.visitor_id))
        .await;
    findings.check(&s, "conversation").await;

    // Every settings screen, each once it has loaded what it shows.
    let screens = [
        ("workspace", "#admin-title"),
        ("sites", "[data-snippet]"),
        ("agents", ".table tbody tr"),
        ("teams", "#admin-title"),
        ("labels", "#admin-title"),
        ("canned", "#admin-title"),
        ("keys", "#admin-title"),
        ("webhooks", "#admin-title"),
        ("audit", "[data-audit]"),
    ];
    for (screen, loaded) in screens {
        s.click(&format!("[data-admin={screen}]")).await;
        s.wait(
            &format!("the {screen} settings"),
            &format!("return !!document.querySelector('[data-settings={screen}] {loaded}')"),
        )
        .await;
        findings.check(&s, &format!("{screen} settings")).await;
    }

    s.click("[data-view=reports]").await;
    s.wait("the reports, loaded", "return !!document.querySelector('.reports[data-loaded] [data-chart=volume]')").await;
    findings.check(&s, "reports").await;
    // Every screen's findings at once, so one run shows all there is to fix.
    assert!(findings.0.is_empty(), "axe-core found violations: {:#?}", findings.0);
}
