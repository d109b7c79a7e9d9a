//! The scene of every console test: Rapport, a workspace with a site, its owner signed
//! in to the console in a browser, and helpers for visitors.

use std::{path::Path, time::Duration};

pub use fantoccini::Locator;
pub use openapi::realtime::{ClientFrame, ServerFrame};
pub use serde_json::{Value, json};
pub use system_tests::{
    AppOptions, METRICS_TOKEN, PASSWORD, TestApp, Workspace,
    browser::{Browser, Screen},
    id,
    link::Link,
    spawn_app_with, until,
    ws::{self, Credential, Socket},
};
pub use uuid::Uuid;

/// How long the console gets for anything it should do by itself.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// The origin the site allows: visitors' sockets come from there.
pub const SHOP: &str = "https://shop.test";

pub struct Stage {
    pub app: TestApp,
    /// The browser reaches Rapport only through this (tests can cut it).
    pub link: Link,
    pub workspace: Workspace,
    pub site_id: Uuid,
    pub site_key: String,
    pub browser: Browser,
}

pub async fn stage() -> Stage {
    stage_with(Vec::new()).await
}

/// A stage whose server has these extra settings (`RAPPORT_…`).
pub async fn stage_with(env: Vec<(String, String)>) -> Stage {
    let wasm = concat!(env!("CARGO_MANIFEST_DIR"), "/../dist/agent-console/agent-console_bg.wasm");
    assert!(
        Path::new(wasm).is_file(),
        "the console is not built ({wasm} is missing): run `cargo xtask build` (or `cargo xtask test`, which builds it)"
    );
    let link = Link::start().await;
    let app = spawn_app_with(AppOptions { public_url: Some(link.address.clone()), env, ..AppOptions::default() }).await;
    link.connect_to(&app.address);
    let workspace = app.signup("Acme").await;
    let (status, site) = app
        .post(
            "/sites",
            &workspace.token,
            json!({"name": "Acme Store", "allowed_origins": [SHOP], "color": "#4f46e5",
                   "greeting": "Hi! Ask us anything, we usually answer within minutes."}),
        )
        .await;
    assert_eq!(status, 201, "{site}");
    let browser = Browser::start(Screen::Desktop).await;
    let stage = Stage {
        site_id: id(&site["id"]),
        site_key: site["site_key"].as_str().unwrap().to_owned(),
        app,
        link,
        workspace,
        browser,
    };
    stage.sign_in(&stage.workspace.email.clone()).await;
    stage
}

/// A visitor with a socket, in one conversation.
pub struct Visitor {
    pub token: String,
    pub visitor_id: Uuid,
    pub socket: Socket,
    pub conversation_id: Uuid,
}

impl Stage {
    /// Opens the console and signs in with the test password.
    pub async fn sign_in(&self, email: &str) {
        let client = &self.browser.client;
        client.goto(&format!("{}/", self.link.address)).await.expect("opening the console");
        self.wait("the sign-in form", "return !!document.querySelector('#email')").await;
        client.find(Locator::Css("#email")).await.unwrap().send_keys(email).await.unwrap();
        client.find(Locator::Css("#password")).await.unwrap().send_keys(PASSWORD).await.unwrap();
        client.find(Locator::Css("button[type=submit]")).await.unwrap().click().await.unwrap();
        self.ready().await;
    }

    /// Waits until the console has loaded its lists and its socket is live.
    pub async fn ready(&self) {
        self.wait("the inbox, loaded and live", "return !!document.querySelector('.app[data-loaded][data-link=live]')")
            .await;
    }

    pub async fn wait(&self, what: &str, script: &str) -> Value {
        self.browser.wait_for(what, script, PATIENCE).await
    }

    pub async fn js(&self, script: &str) -> Value {
        self.browser.client.execute(script, vec![]).await.expect("running a script")
    }

    pub async fn click(&self, css: &str) {
        // The console re-renders as frames arrive: an element found a moment ago may have
        // been replaced by the time it is clicked. Find it again then. And it may not be
        // there yet (a screen still loading): wait for it first.
        let query = serde_json::to_string(css).expect("a selector as a JS string");
        self.wait(&format!("{css} on screen"), &format!("return !!document.querySelector({query})")).await;
        for attempt in 1.. {
            let element = self.browser.client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("no {css}: {e}"));
            match element.click().await {
                Ok(_) => return,
                Err(e) if attempt < 5 && e.to_string().contains("stale element") => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("clicking {css}: {e}"),
            }
        }
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        // The field may belong to a screen still loading (settings load the console's
        // complete build first).
        let query = serde_json::to_string(css).expect("a selector as a JS string");
        self.wait(&format!("{css} on screen"), &format!("return !!document.querySelector({query})")).await;
        let element = self.browser.client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("no {css}: {e}"));
        element.send_keys(text).await.unwrap_or_else(|e| panic!("typing into {css}: {e}"));
    }

    /// Opens a conversation from the current list and waits for its history.
    pub async fn open(&self, conversation_id: Uuid) {
        self.wait(
            "the conversation in the list",
            &format!("return !!document.querySelector('[data-conversation=\"{conversation_id}\"]')"),
        )
        .await;
        self.click(&format!("[data-conversation=\"{conversation_id}\"]")).await;
        self.wait(
            "the open conversation",
            &format!(
                "return !!document.querySelector('[data-open-conversation=\"{conversation_id}\"] .timeline [data-seq]')"
            ),
        )
        .await;
    }

    /// Types into the composer and presses Enter.
    pub async fn send(&self, text: &str) {
        self.type_into("#composer-input", &format!("{text}\u{E007}")).await;
    }

    /// A new visitor with an open socket, who starts a conversation; `profile` (name,
    /// email, attributes, as `PATCH /visitors/{id}` takes them) is set when not null.
    pub async fn visitor(&self, first: &str, profile: Value) -> Visitor {
        let (status, session) = self
            .app
            .call(reqwest::Method::POST, "/widget/session", None, Some(json!({"site_key": self.site_key})))
            .await;
        assert_eq!(status, 200, "{session}");
        let token = session["visitor_token"].as_str().unwrap().to_owned();
        let visitor_id = id(&session["visitor_id"]);
        // Like a widget that reports who the visitor is before they write.
        if !profile.is_null() {
            let (status, body) =
                self.app.patch(&format!("/visitors/{visitor_id}"), &self.workspace.token, profile).await;
            assert_eq!(status, 200, "{body}");
        }
        let mut socket = ws::connect(&self.app.address, "/ws/visitor", Credential::Protocol(&token), Some(SHOP))
            .await
            .expect("the visitor's socket");
        let conversation_id = self.app.start_conversation(&token, first).await;
        socket.send(&ClientFrame::Resume { conversation_id, after_seq: 0 }).await;
        socket.recv_until("the visitor's replay", |f| matches!(f, ServerFrame::Resumed { .. })).await;
        Visitor { token, socket, conversation_id, visitor_id }
    }

    /// An agent of the workspace with a password; returns (id, session token).
    pub async fn agent(&self, name: &str, email: &str) -> (Uuid, String) {
        let (status, body) = self
            .app
            .post("/agents", &self.workspace.token, json!({"name": name, "email": email, "password": PASSWORD}))
            .await;
        assert_eq!(status, 201, "{body}");
        let agent_id = id(&body["agent"]["id"]);
        let (status, session) = self
            .app
            .call(reqwest::Method::POST, "/signin", None, Some(json!({"email": email, "password": PASSWORD})))
            .await;
        assert_eq!(status, 200, "{session}");
        (agent_id, session["token"].as_str().unwrap().to_owned())
    }
}

/// The visitor's `message` frames until one with `body` arrives; returns the bodies seen.
pub async fn visitor_receives(visitor: &mut Visitor, body: &str) -> Vec<String> {
    let mut seen = Vec::new();
    loop {
        let frame = visitor.socket.recv().await;
        if let ServerFrame::Message { message } = frame {
            seen.push(message.body.clone());
            if message.body == body {
                return seen;
            }
        }
    }
}
