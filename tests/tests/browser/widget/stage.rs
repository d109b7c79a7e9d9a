//! The scene of every widget test: Rapport behind a cuttable network link, a business
//! page on another origin embedding the widget, an agent, and a browser.

use std::{path::Path, time::Duration};

pub use fantoccini::Locator;
pub use serde_json::{Value, json};
pub use system_tests::{
    AppOptions, TestApp, Workspace,
    browser::{self, Browser},
    host_page::HostPage,
    id,
    link::Link,
    spawn_app_with, until,
    ws::{self, Credential, Socket},
};
pub use uuid::Uuid;

/// How long the widget gets for anything it should do by itself.
pub const PATIENCE: Duration = Duration::from_secs(20);

pub const SITE_NAME: &str = "Acme Support";

pub struct Stage {
    pub app: TestApp,
    /// The browser reaches Rapport only through this.
    pub link: Link,
    pub page: HostPage,
    pub workspace: Workspace,
    pub site_id: Uuid,
    pub site_key: String,
    pub browser: Browser,
}

/// The screens the tests run on.
pub use system_tests::browser::Screen;

/// Everything started, the host page (with `extra` script) open on `screen`. The site
/// keeps the chat open when nobody is online (no offline form), as the chat tests
/// expect: no agent has the console open there.
pub async fn stage(extra: &str, screen: Screen) -> Stage {
    stage_with(extra, screen, json!({"offline_form": false})).await
}

/// [`stage`] with `settings` (fields of `NewSite`) for the site.
pub async fn stage_with(extra: &str, screen: Screen, settings: Value) -> Stage {
    stage_in(Scene { extra, screen, settings, ..Scene::default() }).await
}

/// Everything a stage can vary.
pub struct Scene<'a> {
    /// Script for the business's page, before the embed.
    pub extra: &'a str,
    pub screen: Screen,
    /// Fields of `NewSite` for the site.
    pub settings: Value,
    pub browser: browser::Options,
    /// Where the business's page is opened: `localhost` makes it another site than
    /// Rapport's `127.0.0.1` (the widget's iframe is then third-party).
    pub page_host: &'a str,
    /// More configuration for Rapport (`RAPPORT_…`).
    pub env: Vec<(String, String)>,
    /// The browser refuses storage to Rapport's origin (the widget's iframe).
    pub block_rapport_storage: bool,
}

impl Default for Scene<'_> {
    fn default() -> Self {
        Self {
            extra: "",
            screen: Screen::Desktop,
            settings: json!({"offline_form": false}),
            browser: browser::Options::default(),
            page_host: "127.0.0.1",
            env: Vec::new(),
            block_rapport_storage: false,
        }
    }
}

pub async fn stage_in(scene: Scene<'_>) -> Stage {
    let Scene { extra, screen, settings, browser: mut setup, page_host, env: more, block_rapport_storage } = scene;
    let wasm = concat!(env!("CARGO_MANIFEST_DIR"), "/../dist/widget/widget_bg.wasm");
    assert!(
        Path::new(wasm).is_file(),
        "the widget is not built ({wasm} is missing): run `cargo xtask build` (or `cargo xtask test`, which builds it)"
    );
    let link = Link::start().await;
    // Webhooks may target loopback: a test can read what a visitor's action announced
    // (e.g. a rating) from the recorded deliveries.
    let mut env = vec![("RAPPORT_WEBHOOKS_ALLOW_PRIVATE".to_owned(), "true".to_owned())];
    env.extend(more);
    let app = spawn_app_with(AppOptions { public_url: Some(link.address.clone()), env, ..AppOptions::default() }).await;
    link.connect_to(&app.address);
    let mut page = HostPage::start().await;
    page.origin = page.origin.replace("127.0.0.1", page_host);
    let workspace = app.signup("Acme").await;
    let mut new_site = json!({
        "name": SITE_NAME,
        "allowed_origins": [page.origin],
        "color": "#0b7285",
        "greeting": "Hi there! Ask us anything — we usually answer within minutes.",
    });
    for (key, value) in settings.as_object().expect("site settings are an object") {
        new_site[key] = value.clone();
    }
    let (status, site) = app.post("/sites", &workspace.token, new_site).await;
    assert_eq!(status, 201, "{site}");
    let site_key = site["site_key"].as_str().unwrap().to_owned();
    page.show(HostPage::embedding(&link.address, &site_key, extra));
    if block_rapport_storage {
        setup.blocked_storage.push(link.address.clone());
    }
    let browser = Browser::start_with(screen, setup).await;
    browser.client.goto(&page.origin).await.expect("opening the host page");
    Stage { site_id: id(&site["id"]), app, link, page, workspace, site_key, browser }
}

impl Stage {
    /// Clicks the launcher on the host page and steps into the widget's iframe.
    pub async fn open_widget(&self) {
        let client = &self.browser.client;
        client.enter_parent_frame().await.ok();
        self.browser
            .wait_for("the launcher", "return !!document.querySelector('[data-rapport-launcher]')", PATIENCE)
            .await;
        client.find(Locator::Css("[data-rapport-launcher]")).await.unwrap().click().await.unwrap();
        self.enter_widget().await;
    }

    /// Steps into the widget's iframe and waits for the panel to be ready.
    pub async fn enter_widget(&self) {
        let client = &self.browser.client;
        client.enter_parent_frame().await.ok();
        self.browser.wait_for("the widget iframe", "return !!document.querySelector('iframe')", PATIENCE).await;
        let frame = client.find(Locator::Css("iframe")).await.unwrap();
        frame.enter_frame().await.expect("entering the widget iframe");
        let ready = format!("return document.querySelector('.rp-title')?.textContent === {SITE_NAME:?}");
        self.browser.wait_for("the panel with the site's name", &ready, PATIENCE).await;
    }

    /// Back to the host page.
    pub async fn leave_widget(&self) {
        self.browser.client.enter_parent_frame().await.expect("leaving the iframe");
    }

    /// Types `text` into the composer; with `send`, presses Enter.
    pub async fn type_text(&self, text: &str, send: bool) {
        let input = self.browser.client.find(Locator::Css(".rp-input")).await.expect("the composer");
        let keys = if send { format!("{text}\u{E007}") } else { text.to_owned() };
        input.send_keys(&keys).await.expect("typing");
    }

    /// The texts of the conversation's bubbles (greeting excluded), in order.
    pub async fn bubbles(&self, whose: &str) -> Vec<String> {
        let script = format!(
            "return Array.from(document.querySelectorAll('.rp-row.{whose}:not(.rp-greeting):not(.rp-typing) .rp-bubble')).map(b => b.textContent)"
        );
        let value = self.browser.client.execute(&script, vec![]).await.expect("reading bubbles");
        serde_json::from_value(value).unwrap()
    }

    /// Waits until the visitor's bubbles read `expected`, the last one with `state`
    /// (`sending`, `sent`, `read`) and the others at least as far along.
    pub async fn wait_for_mine(&self, expected: &[&str], state: &str, timeout: Duration) {
        let script = format!(
            "const order = ['not-sent', 'sending', 'sent', 'read'];
             const rows = Array.from(document.querySelectorAll('.rp-row.rp-mine'));
             const texts = rows.map(r => r.querySelector('.rp-bubble').textContent);
             const states = rows.map(r => order.indexOf(r.querySelector('.rp-delivery')?.dataset.state));
             const wanted = order.indexOf({state:?});
             return JSON.stringify(texts) === {expected:?} && states[states.length - 1] === wanted
                 && states.every(s => s >= wanted);",
            expected = serde_json::to_string(expected).unwrap(),
        );
        self.browser.wait_for(&format!("my messages {expected:?} to be {state}"), &script, timeout).await;
    }

    /// The only conversation of the workspace.
    pub async fn conversation_id(&self) -> Uuid {
        let (status, page) = self.app.get("/conversations", &self.workspace.token).await;
        assert_eq!(status, 200, "{page}");
        let items = page["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "one conversation: {page}");
        id(&items[0]["id"])
    }

    /// The bodies stored in a conversation, in `seq` order (through the agent API).
    pub async fn stored_bodies(&self, conversation_id: Uuid) -> Vec<String> {
        let (status, range) =
            self.app.get(&format!("/conversations/{conversation_id}/messages"), &self.workspace.token).await;
        assert_eq!(status, 200, "{range}");
        range["items"].as_array().unwrap().iter().map(|m| m["body"].as_str().unwrap().to_owned()).collect()
    }

    /// The agent's socket, straight to the server (not through the visitor's link).
    pub async fn agent_socket(&self) -> Socket {
        ws::connect(&self.app.address, "/ws/agent", Credential::Protocol(&self.workspace.token), None)
            .await
            .unwrap_or_else(|refused| panic!("agent socket refused: {refused:?}"))
    }

    /// Opens the agent console (through the link) and signs in as the workspace's owner.
    pub async fn sign_in_to_console(&self) {
        let b = &self.browser;
        b.client.enter_parent_frame().await.ok();
        b.client.goto(&format!("{}/console/", self.link.address)).await.unwrap();
        b.wait_for("the sign-in form", "return !!document.querySelector('#email')", PATIENCE).await;
        b.client.find(Locator::Css("#email")).await.unwrap().send_keys(&self.workspace.email).await.unwrap();
        b.client.find(Locator::Css("#password")).await.unwrap().send_keys(system_tests::PASSWORD).await.unwrap();
        b.click("button[type=submit]").await;
    }

    /// What the host page's `Rapport('on', …)` listeners recorded.
    pub async fn host_events(&self) -> Vec<(String, Value)> {
        self.leave_widget().await;
        let value = self.browser.client.execute("return window.rapportEvents", vec![]).await.unwrap();
        serde_json::from_value(value).unwrap()
    }
}
