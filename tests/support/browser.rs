//! A real headless Chromium driven through chromedriver (WebDriver), for end-to-end
//! tests of the browser front-ends.
//!
//! Each [`Browser`] starts its own chromedriver on a free port with a fresh profile
//! directory. A missing chromedriver fails the test with what to install: browser tests
//! are never skipped silently.

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use crate::{ScratchDir, node::free_port};

pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// The window a test runs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// A 1280×800 desktop window.
    Desktop,
    /// A 390×844 phone (device emulation: desktop windows cannot be that narrow).
    Phone,
}

/// How the browser is set up beyond its screen.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Origins not allowed to keep data (Settings › Site settings › third-party cookies and
    /// site data, "not allowed"): their `localStorage` throws `SecurityError`, as in a
    /// third-party iframe when the browser blocks third-party storage.
    pub blocked_storage: Vec<String>,
    /// The browser's time zone (IANA name); the machine's when `None`.
    pub time_zone: Option<&'static str>,
}

pub struct Browser {
    pub client: Client,
    driver: Child,
    profile: ScratchDir,
}

impl Browser {
    pub async fn start(screen: Screen) -> Self {
        Self::start_with(screen, Options::default()).await
    }

    pub async fn start_with(screen: Screen, setup: Options) -> Self {
        for (path, package) in [(CHROMEDRIVER, "chromium-driver"), (CHROMIUM, "chromium")] {
            assert!(
                Path::new(path).exists(),
                "{path} is missing: browser tests need it (`apt-get install -y chromium chromium-driver`, \
                 or run `cargo xtask test`, which installs {package})"
            );
        }
        // Two crypto providers (ring from sqlx/reqwest, aws-lc-rs from fantoccini) make
        // rustls refuse to pick one: choose ring once per process.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let port = free_port();
        let mut driver = Command::new(CHROMEDRIVER);
        driver.arg(format!("--port={port}")).stdout(Stdio::null()).stderr(Stdio::null());
        if let Some(zone) = setup.time_zone {
            // Chromium takes its time zone from the environment it inherits.
            driver.env("TZ", zone);
        }
        let driver = driver.spawn().expect("starting chromedriver");
        let profile = ScratchDir::new();
        let mut options = json!({
            "binary": CHROMIUM,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--hide-scrollbars", "--lang=en-US", "--window-size=1280,800",
                format!("--user-data-dir={}", profile.0.display()),
            ],
        });
        if screen == Screen::Phone {
            options["mobileEmulation"] = json!({"deviceMetrics": {"width": 390, "height": 844, "pixelRatio": 2}});
        }
        if !setup.blocked_storage.is_empty() {
            // The global "block third-party cookies" switch does not apply between loopback
            // hosts in headless Chromium; a per-site exception blocks the same storage.
            let exceptions: serde_json::Map<String, Value> =
                setup.blocked_storage.iter().map(|origin| (format!("{origin},*"), json!({"setting": 2}))).collect();
            options["prefs"] = json!({"profile.content_settings.exceptions.cookies": exceptions});
        }
        let capabilities = json!({"browserName": "chrome", "goog:chromeOptions": options});
        let Value::Object(capabilities) = capabilities else { unreachable!() };
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        let client = loop {
            match ClientBuilder::rustls().expect("rustls").capabilities(capabilities.clone()).connect(&url).await {
                Ok(client) => break client,
                Err(err) if Instant::now() > deadline => panic!("chromedriver at {url} did not start a session: {err}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        Self { client, driver, profile }
    }

    /// Saves a PNG screenshot of the whole window as `target/screenshots/<name>.png`.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.expect("taking a screenshot");
        let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target/screenshots"));
        std::fs::create_dir_all(&dir).expect("creating target/screenshots");
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).expect("writing a screenshot");
        path
    }

    /// Clicks the element `css` finds in the current frame (it must be there).
    pub async fn click(&self, css: &str) {
        let element = self.client.find(Locator::Css(css)).await.unwrap_or_else(|err| panic!("no {css}: {err}"));
        element.click().await.unwrap_or_else(|err| panic!("clicking {css}: {err}"));
    }

    /// Polls `script` (run in the current frame) until it returns something truthy.
    pub async fn wait_for(&self, what: &str, script: &str, timeout: Duration) -> Value {
        let deadline = Instant::now() + timeout;
        let mut last;
        loop {
            match self.client.execute(script, vec![]).await {
                Ok(value) if truthy(&value) => return value,
                Ok(value) => last = value,
                Err(err) => last = Value::String(err.to_string()),
            }
            if Instant::now() > deadline {
                panic!("timed out after {timeout:?} waiting for {what}; last answer: {last}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Runs axe-core (injected once per document) on the current frame and returns its
    /// violations, summarised as `{id, impact, nodes: ["selector: why"]}`; prints their
    /// count under `state` so a failing run says where.
    pub async fn accessibility_violations(&self, state: &str) -> Vec<Value> {
        let axe = axe_source();
        self.client.execute(&format!("if (!window.axe) {{ {axe} }}"), vec![]).await.expect("injecting axe-core");
        let found = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document).then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact,
                   nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary)}))),
                   e => done([{id: 'axe failed', nodes: [String(e)]}]));",
                vec![],
            )
            .await
            .expect("running axe-core");
        let found: Vec<Value> = serde_json::from_value(found).expect("axe-core's violations as a list");
        println!("{state}: {} accessibility violations", found.len());
        found
    }

    pub async fn close(self) {
        let _ = self.client.clone().close().await;
        // Drop finishes the job.
    }
}

/// axe-core's script: `RAPPORT_AXE_CORE`, or where `cargo xtask test` installs it.
fn axe_source() -> String {
    let path = std::env::var("RAPPORT_AXE_CORE").unwrap_or_else(|_| {
        let home = std::env::var("HOME").unwrap_or_else(|_| "/tmp".into());
        format!("{home}/.cache/rapport-tools/axe-core-4.14.1/node_modules/axe-core/axe.min.js")
    });
    std::fs::read_to_string(&path).unwrap_or_else(|err| {
        panic!("axe-core is missing at {path} ({err}): run `cargo xtask test` (it installs it) or set RAPPORT_AXE_CORE")
    })
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        // Killing chromedriver orphans the Chromium it started (a dozen processes, a few
        // hundred MB): a test that ends without `close`, or panics, would leak one per
        // test. This browser's processes are the ones with its profile directory.
        let profile = format!("--user-data-dir={}", self.profile.0.display());
        let _ = Command::new("pkill").args(["-9", "-f", "--", &profile]).status();
    }
}

fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(_) => true,
    }
}
