//! The main screens with a realistic inbox, at desktop (1280×800) and tablet (820×1180)
//! sizes, saved as `target/screenshots/console-*.png` to be looked at.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::stage::*;

/// A verified identity for a visitor, as the business's server would sign it.
async fn verify(s: &Stage, visitor: &Visitor, user_id: &str) {
    let (_, site) = s.app.get(&format!("/sites/{}", s.site_id), &s.workspace.token).await;
    let secret = site["identity_secret"].as_str().expect("the owner sees the identity secret");
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(user_id.as_bytes());
    let hash = hex::encode(mac.finalize().into_bytes());
    let (status, body) =
        s.app.post("/widget/identify", &visitor.token, json!({"user_id": user_id, "user_hash": hash})).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn the_main_screens_at_desktop_and_tablet_sizes() {
    let s = stage().await;
    let token = s.workspace.token.clone();
    let mut sofia = s
        .visitor(
            "Hi! Can I switch to the annual plan and keep my current discount?",
            json!({"name": "Sofia Martínez", "email": "sofia@brightlane.io",
                   "attributes": {"plan": "Pro (monthly)", "company": "Brightlane", "seats": 12,
                                  "browser": "Chrome 131", "os": "macOS 15", "timezone": "Europe/Madrid"}}),
        )
        .await;
    verify(&s, &sofia, "brightlane-4821").await;
    // Identifying starts the profile afresh: the page tells us her name again.
    let (status, body) = s
        .app
        .patch(
            &format!("/visitors/{}", sofia.visitor_id),
            &token,
            json!({"name": "Sofia Martínez", "email": "sofia@brightlane.io"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let _liam = s
        .visitor(
            "The CSV export button does nothing in Firefox. Is that a known issue?",
            json!({"name": "Liam O'Connor", "email": "liam@northwind.dev", "attributes": {"plan": "Starter"}}),
        )
        .await;
    let _anonymous = s.visitor("Hello, do you ship to Canada?", Value::Null).await;
    let _yuki = s
        .visitor("How do I add a teammate to my workspace?", json!({"name": "Yuki Tanaka", "email": "yuki@kumo.jp"}))
        .await;

    // Sofia's conversation is ours and under way.
    let c = sofia.conversation_id;
    let (status, body) = s.app.post(&format!("/conversations/{c}/claim"), &token, json!({})).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = s
        .app
        .patch(&format!("/conversations/{c}"), &token, json!({"priority": "high", "labels": ["billing", "upgrade"]}))
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = s
        .app
        .post(&format!("/conversations/{c}/messages"), &token,
              json!({"body": "Hi Sofia! Yes — annual plans keep any discount you already have, and you save two months on top."}))
        .await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = s
        .app
        .post(&format!("/conversations/{c}/messages"), &token,
              json!({"kind": "note", "body": "Discount code BL-20 is on her account until March; finance confirmed it carries over."}))
        .await;
    assert_eq!(status, 201, "{body}");
    let (canned, body) = s
        .app
        .post(
            "/canned-responses",
            &token,
            json!({"shortcut": "annual", "body": "Annual plans are billed once a year and include two free months."}),
        )
        .await;
    sofia
        .socket
        .send(&ClientFrame::Send {
            conversation_id: c,
            client_msg_id: Uuid::new_v4().to_string(),
            body: "Perfect. Will the switch happen right away or at my next renewal?".into(),
            kind: None,
            attachment_ids: Vec::new(),
        })
        .await;
    sofia.socket.recv_until("the visitor's ack", |f| matches!(f, ServerFrame::Ack { .. })).await;
    for (url, title) in [
        ("https://shop.test/", "Brightlane — Home"),
        ("https://shop.test/features", "Features — Brightlane"),
        ("https://shop.test/pricing", "Pricing — Brightlane"),
    ] {
        sofia.socket.send(&ClientFrame::Page { url: url.into(), title: title.into() }).await;
    }

    // The queue, desktop.
    s.wait("three waiting", "return document.querySelector('[data-count=queue]')?.textContent === '3'").await;
    s.wait("names in the list", "return document.body.textContent.includes('Yuki Tanaka')").await;
    let first_waiting =
        s.js("return document.querySelector('[data-list=queue] [data-conversation]').dataset.conversation").await;
    s.open(first_waiting.as_str().unwrap().parse().unwrap()).await;
    s.browser.screenshot("console-queue-desktop").await;

    // Sofia's conversation with the visitor sidebar.
    s.click("[data-view=mine]").await;
    s.open(c).await;
    s.wait("the visitor's latest message", "return document.body.textContent.includes('at my next renewal')").await;
    s.wait(
        "Sofia's details",
        &format!("return !!document.querySelector('.sidebar[data-visitor=\"{}\"]')", sofia.visitor_id),
    )
    .await;
    s.wait("the verified badge", "return !!document.querySelector('[data-verified]')").await;
    s.wait("her current page", "return document.querySelector('[data-page]')?.textContent.includes('Pricing')").await;
    s.wait("the pages she visited", "return document.querySelector('.trail')?.textContent.includes('Features')").await;
    assert_eq!(canned, 201, "{body}");
    {
        // The console loaded canned responses at sign-in: reload to get this one.
        s.browser.client.refresh().await.unwrap();
        s.ready().await;
        s.click("[data-view=mine]").await;
        s.open(c).await;
        s.type_into("#composer-input", "/ann").await;
        s.wait(
            "the canned response suggestion",
            "return document.querySelector('.canned-list')?.textContent.includes('/annual')",
        )
        .await;
    }
    s.browser.screenshot("console-conversation-desktop").await;
    s.click("[data-action=transfer]").await;
    s.wait("the transfer form", "return !!document.querySelector('#transfer-to')").await;
    s.type_into("#transfer-note", "She wants the annual plan with her BL-20 discount; finance confirmed.").await;
    s.browser.screenshot("console-transfer-desktop").await;
    s.click("form[aria-label='Transfer conversation'] button[type=button]").await;
    s.js("const t = document.querySelector('#composer-input'); t.value = ''; t.dispatchEvent(new InputEvent('input', {bubbles: true})); t.blur(); return true").await;

    // Admin: sites.
    s.click("[data-admin=sites]").await;
    s.wait("the embed snippet", "return document.querySelector('[data-snippet]')?.textContent.includes('script')")
        .await;
    s.browser.screenshot("console-admin-sites-desktop").await;
    s.click("[data-admin=agents]").await;
    s.wait("the agents table", "return !!document.querySelector('.table tbody tr')").await;
    s.browser.screenshot("console-admin-agents-desktop").await;

    // Tablet.
    s.browser.client.set_window_size(820, 1180).await.expect("resizing");
    s.click("[data-view=queue]").await;
    s.wait("the queue", "return !!document.querySelector('[data-list=queue] [data-conversation]')").await;
    s.browser.screenshot("console-queue-tablet").await;
    s.click("[data-view=mine]").await;
    s.open(c).await;
    s.click(".details-toggle").await;
    // Once it has slid in completely.
    s.wait(
        "the sidebar",
        "return Math.round(document.querySelector('.sidebar').getBoundingClientRect().right) === innerWidth",
    )
    .await;
    s.browser.screenshot("console-conversation-tablet").await;
    s.js("document.querySelector('.sidebar-close').click(); return true").await;
    s.click("[data-admin=sites]").await;
    s.wait("the embed snippet", "return document.querySelector('[data-snippet]')?.textContent.includes('script')")
        .await;
    s.browser.screenshot("console-admin-sites-tablet").await;

    // Keyboard: ? opens the help, j/k move through the list.
    s.browser.client.set_window_size(1280, 800).await.expect("resizing");
    s.click("[data-view=queue]").await;
    s.js("document.activeElement.blur(); document.body.dispatchEvent(new KeyboardEvent('keydown', {key: '?', bubbles: true})); return true").await;
    s.wait("the shortcuts help", "return !!document.querySelector('[role=dialog][aria-modal=true]')").await;
    s.browser.screenshot("console-shortcuts-desktop").await;
    let key = |k: &str| {
        format!("document.body.dispatchEvent(new KeyboardEvent('keydown', {{key: '{k}', bubbles: true}})); return true")
    };
    s.js(&key("Escape")).await;
    s.wait("the help closed", "return !document.querySelector('[role=dialog][aria-modal=true]')").await;
    let order = s.js("return Array.from(document.querySelectorAll('[data-list=queue] [data-conversation]')).map(e => e.dataset.conversation)").await;
    let order: Vec<String> = serde_json::from_value(order).unwrap();
    s.js(&key("j")).await;
    s.wait(
        "the second conversation",
        &format!(
            "return document.querySelector('[data-open-conversation]')?.dataset.openConversation === {:?}",
            order[1]
        ),
    )
    .await;
    s.js(&key("k")).await;
    s.wait(
        "back to the first",
        &format!(
            "return document.querySelector('[data-open-conversation]')?.dataset.openConversation === {:?}",
            order[0]
        ),
    )
    .await;
}
