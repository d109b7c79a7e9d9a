//! What the console tells the agent: the visitor's rating on the conversation and in the
//! list, the page trail after a reload, the chosen status after a reload, notifications
//! that say who and what, saved replies filled in the visitor's language, toasts that go
//! away, and an invitation as a link.

use super::stage::*;

#[tokio::test]
async fn a_rating_shows_on_the_conversation_and_in_the_list_as_it_arrives() {
    let s = stage().await;
    let visitor = s.visitor("My order was late.", json!({"name": "Rita Rater"})).await;
    let c = visitor.conversation_id;
    let (status, body) =
        s.app.patch(&format!("/conversations/{c}"), &s.workspace.token, json!({"status": "resolved"})).await;
    assert_eq!(status, 200, "{body}");
    s.click("[data-view=resolved]").await;
    s.open(c).await;
    let (status, body) = s
        .app
        .call(
            reqwest::Method::POST,
            &format!("/widget/conversations/{c}/rating"),
            Some(&visitor.token),
            Some(json!({"score": 4, "comment": "Late, but you fixed it kindly."})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    s.wait("the rating in the header", "return !!document.querySelector('[data-conversation-rating=\"4\"]')").await;
    let comment = s.wait("the comment", "return document.querySelector('[data-rating-comment]')?.textContent").await;
    assert_eq!(comment, "“Late, but you fixed it kindly.”");
    s.wait(
        "the rating in the list",
        &format!("return !!document.querySelector('[data-conversation=\"{c}\"] [data-rating=\"4\"]')"),
    )
    .await;
    // A later change (reopened) keeps showing it.
    s.click("[data-action=reopen]").await;
    s.wait("reopened", "return document.querySelector('[data-status]')?.dataset.status === 'open'").await;
    assert_eq!(s.js("return !!document.querySelector('[data-conversation-rating=\"4\"]')").await, true);
    s.browser.screenshot("console-rating").await;
}

#[tokio::test]
async fn the_page_trail_is_there_after_a_reload_with_links_and_the_chosen_status_stays() {
    let s = stage().await;
    let mut visitor = s.visitor("Which size should I take?", Value::Null).await;
    for (url, title) in [
        ("https://shop.test/", "Acme shop"),
        ("https://shop.test/shoes", "Shoes"),
        ("https://shop.test/shoes/trail-runner", "Trail Runner 2"),
    ] {
        visitor.socket.send(&ClientFrame::Page { url: url.into(), title: title.into() }).await;
    }
    // Stored as they arrive: the console opened later still has them.
    until("the three pages stored", async || {
        let (_, pages) = s.app.get(&format!("/visitors/{}/pages", visitor.visitor_id), &s.workspace.token).await;
        pages["items"].as_array().unwrap().len() == 3
    })
    .await;
    // Offline by choice, then a reload.
    s.js("const select = document.querySelector('#my-status'); select.value = 'offline';
          select.dispatchEvent(new Event('change', {bubbles: true})); return true")
        .await;
    s.browser.client.refresh().await.unwrap();
    s.ready().await;
    assert_eq!(s.js("return document.querySelector('#my-status').value").await, "offline", "the chosen status stays");
    s.open(visitor.conversation_id).await;
    let current =
        s.wait("the current page", "return document.querySelector('[data-page]')?.getAttribute('href')").await;
    assert_eq!(current, "https://shop.test/shoes/trail-runner");
    let trail = s
        .wait(
            "the earlier pages",
            "const links = Array.from(document.querySelectorAll('[data-trail-page] a')).map(a => a.getAttribute('href'));
             return links.length === 2 && links",
        )
        .await;
    assert_eq!(trail, json!(["https://shop.test/shoes", "https://shop.test/"]), "newest first");
    assert_eq!(
        s.js("return document.querySelector('[data-trail-page] a').getAttribute('rel')").await,
        "noopener noreferrer"
    );
    s.browser.screenshot("console-page-trail").await;
    // The server agrees: an offline agent counts as nobody.
    let (_, presence) = s.app.get("/presence", &s.workspace.token).await;
    assert!(
        !presence["agents"].as_array().unwrap().iter().any(|a| a["agent_id"] == json!(s.workspace.owner_id)),
        "{presence}"
    );
}

#[tokio::test]
async fn a_notification_says_who_wrote_and_what() {
    let s = stage().await;
    // The page as a browser with notifications allowed and the tab in the background:
    // the browser's Notification is replaced by one that records what it is given.
    s.js("window.shown = [];
          window.Notification = class { constructor(title, options) { window.shown.push([title, options.body]); }
                                         static get permission() { return 'granted'; } };
          Object.defineProperty(document, 'visibilityState', {get: () => 'hidden'});
          document.dispatchEvent(new Event('visibilitychange')); return true")
        .await;
    s.visitor("Where is my order #1042?", json!({"name": "Jane Doe"})).await;
    let shown = s.wait("the notification", "return window.shown.length > 0 && window.shown").await;
    assert_eq!(shown, json!([["New conversation: Jane Doe", "Where is my order #1042?"]]));
}

#[tokio::test]
async fn a_saved_reply_is_filled_in_for_the_visitor_in_their_language() {
    let s = stage().await;
    let (status, body) = s
        .app
        .post(
            "/canned-responses",
            &s.workspace.token,
            json!({"shortcut": "hello", "body": "Hi {{visitor.first_name | there}}, {{agent.first_name}} from {{workspace.name}} here.",
                   "variants": [{"language": "fr", "body": "Bonjour {{visitor.first_name}}, ici {{agent.first_name}} de {{workspace.name}}."}]}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    // The widget's session records the browser's language (see the API tests); here set directly.
    let french = s.visitor("Bonjour !", json!({"name": "Jeanne Dupont", "attributes": {"language": "fr-FR"}})).await;
    let english = s.visitor("Hi!", Value::Null).await;
    s.browser.client.refresh().await.unwrap();
    s.ready().await;

    s.open(french.conversation_id).await;
    s.type_into("#composer-input", "/hel").await;
    s.wait("the saved reply offered", "return !!document.querySelector('.canned-list [role=option]')").await;
    s.type_into("#composer-input", "\u{E007}").await;
    let draft = s.js("return document.querySelector('#composer-input').value").await;
    assert_eq!(draft, "Bonjour Jeanne, ici Owner de Acme.");

    s.open(english.conversation_id).await;
    s.type_into("#composer-input", "/hel\u{E007}").await;
    s.wait("the default text", "return document.querySelector('#composer-input').value.startsWith('Hi there')").await;
    assert_eq!(s.js("return document.querySelector('#composer-input').value").await, "Hi there, Owner from Acme here.");
}

#[tokio::test]
async fn toasts_go_away_and_an_invitation_is_a_link_that_signs_the_agent_in() {
    let s = stage().await;
    assert_eq!(
        s.js("return document.querySelector('link[rel=icon]')?.getAttribute('href').startsWith('data:image/svg+xml')")
            .await,
        true,
        "a favicon, so browsers ask for no /favicon.ico"
    );
    s.click("[data-admin=agents]").await;
    s.type_into("#agent-name", "Grace Hopper").await;
    s.type_into("#agent-email", "grace@acme.test").await;
    s.click("form[aria-label='Invite an agent'] button[type=submit]").await;
    s.wait("the toast", "return !!document.querySelector('[data-toast]')").await;
    let link = s
        .wait("the invitation link", "return document.querySelector('[data-invitation-link]')?.getAttribute('href')")
        .await;
    let link = link.as_str().unwrap().to_owned();
    assert!(link.contains("/console/?invitation="), "{link}");
    s.browser.screenshot("console-invitation-link").await;
    // The toast dismisses itself (it covered the composer's buttons before).
    s.wait("the toast gone by itself", "return !document.querySelector('[data-toast]')").await;

    // The invited agent follows the link in their own browser and picks a password.
    let theirs = Browser::start(Screen::Desktop).await;
    theirs.client.goto(&link).await.unwrap();
    theirs
        .wait_for(
            "the password form",
            "return !!document.querySelector('#password[autocomplete=new-password]')",
            PATIENCE,
        )
        .await;
    theirs.client.find(Locator::Css("#password")).await.unwrap().send_keys("a long enough password").await.unwrap();
    theirs.click("button[type=submit]").await;
    theirs
        .wait_for("their console", "return !!document.querySelector('.app[data-loaded][data-link=live]')", PATIENCE)
        .await;
    let name = theirs.client.execute("return document.querySelector('.me-name').textContent", vec![]).await.unwrap();
    assert_eq!(name, "Grace Hopper");
    let url = theirs.client.current_url().await.unwrap();
    assert!(!url.as_str().contains("invitation"), "the used token leaves the address bar: {url}");
}
