//! `cargo xtask size`: what the front-ends cost on the wire, as a browser gets them from
//! the release binary, against the budgets of issue 16.
//!
//! It builds the front-ends and the release `rapport`, copies the binary alone into an
//! empty directory (no `dist/` anywhere near: the files must come from inside it), starts
//! it with the demo workspace, and makes the requests a browser makes, over plain HTTP/1.1
//! with Chromium's `Accept-Encoding`. Every byte read from the socket counts, headers
//! included. Each decoded body is compared with the file in `dist/`, so the figures are
//! those of this build, served from the binary.

use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::cmd::{cargo, run, target_dir};
use crate::frontends::dist_dir;

/// What Chromium sends.
pub const BROWSER_ACCEPT_ENCODING: &str = "gzip, deflate, br, zstd";

/// Budgets, in bytes on the wire (headers included).
const PAGE_VIEW_BUDGET: usize = 3 * 1024;
const WIDGET_BUDGET: usize = 100 * 1024;
const CONSOLE_BUDGET: usize = 300 * 1024;

pub fn report() -> Result<(), String> {
    crate::header("checking the wasm toolchain");
    crate::prereqs::ensure_wasm_toolchain()?;
    crate::header("building front-ends");
    crate::frontends::build_frontends()?;
    crate::header("building rapport (release, front-ends embedded)");
    run(cargo().args(["build", "--release", "-p", "backend", "--bin", "rapport"]))?;
    let server = Server::start(&target_dir().join("release").join("rapport"))?;
    let result = measure(&server);
    drop(server);
    result
}

fn measure(server: &Server) -> Result<(), String> {
    let demo = server.get("/demo", None)?;
    let demo = demo.text()?;
    let site_key = between(&demo, "data-site=\"", "\"").ok_or("the demo page names no site key")?.to_owned();
    let widget = dist_dir("widget");
    let console = dist_dir("agent-console");
    let origin = server.origin();
    let mut over = Vec::new();

    println!("\n{:<44} {:>9} {:>9} {:>9}  encoding", "what a browser downloads", "file", "body", "on wire");
    // 1. A page view: the loader, and its question whether this origin may show the chat.
    let mut page_view = Total::default();
    page_view.add(server.fetch_file("/widget.js", &widget, "loader.js")?);
    page_view.add(
        server.get(&format!("/api/v1/widget/launcher?site_key={site_key}"), Some(&origin))?.named("launcher check"),
    );
    page_view.check("page view, no interaction", PAGE_VIEW_BUDGET, &mut over);

    // 2. The opened widget: its frame page, everything that page loads, and the session.
    let mut opened = Total::default();
    let frame = server.get(&format!("/widget/frame?site={site_key}&host={origin}"), None)?;
    let page = frame.text()?;
    opened.add(frame.named("frame page"));
    let version = between(&page, "?v=", "\"").ok_or("the frame page has no versioned assets")?.to_owned();
    for name in assets(&page, "/widget/assets/").into_iter().chain(["widget_bg.wasm".to_owned()]) {
        opened.add(server.fetch_file(&format!("/widget/assets/{name}?v={version}"), &widget, &name)?);
    }
    let session = format!(r#"{{"site_key":"{site_key}"}}"#);
    opened.add(server.post("/api/v1/widget/session", &session)?.named("visitor session"));
    opened.check("opened widget", WIDGET_BUDGET, &mut over);

    // 3. The agent console: its everyday build (sign-in and the inbox), then the complete
    // one a screen beyond the inbox loads (`agent-console/src/bundle.rs`), for the record.
    console_page(server, "/console/", &console)?.check("console", CONSOLE_BUDGET, &mut over);
    let complete = console_page(server, "/console/?screen=settings.workspace", &console)?;
    println!(
        "{:<44} {:>29}  (settings, reports, preferences: loaded when opened)\n",
        "console, complete build", complete.wire
    );

    if over.is_empty() {
        println!("\nall within budget, served by the release binary alone ({})", server.dir.display());
        Ok(())
    } else {
        Err(format!("over budget: {}", over.join("; ")))
    }
}

/// The console's page at `path` and everything it loads: its assets and the wasm module of
/// the build it names.
fn console_page(server: &Server, path: &str, dist: &Path) -> Result<Total, String> {
    let mut total = Total::default();
    let index = server.get(path, None)?;
    let page = index.text()?;
    total.add(index.named(&format!("console page {path}")));
    let version = between(&page, "?v=", "\"").ok_or("the console page has no versioned assets")?.to_owned();
    let bundle = between(&page, "data-bundle=\"", "\"").ok_or("the console page names no build")?.to_owned();
    for name in assets(&page, "/console/assets/").into_iter().chain([format!("{bundle}_bg.wasm")]) {
        total.add(server.fetch_file(&format!("/console/assets/{name}?v={version}"), dist, &name)?);
    }
    Ok(total)
}

/// The distinct `<prefix><file>?v=` references of a page, in order.
fn assets(page: &str, prefix: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for piece in page.split(prefix).skip(1) {
        let name = piece.split(['?', '"']).next().unwrap_or_default().to_owned();
        if !name.is_empty() && !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let to = text[from..].find(end)? + from;
    Some(&text[from..to])
}

/// One HTTP exchange.
struct Fetched {
    what: String,
    status: u16,
    encoding: Option<String>,
    /// The body as sent (encoded), and every byte read (status line and headers too).
    body: Vec<u8>,
    wire: usize,
    /// The decoded body's length, when it is a file of `dist/`.
    file: Option<usize>,
}

impl Fetched {
    fn named(mut self, what: &str) -> Self {
        self.what = what.to_owned();
        self
    }

    /// The body decoded as the browser would (pages above the compression threshold come
    /// compressed), as text.
    fn text(&self) -> Result<String, String> {
        Ok(String::from_utf8_lossy(&decode(&self.body, self.encoding.as_deref())?).into_owned())
    }
}

#[derive(Default)]
struct Total {
    wire: usize,
}

impl Total {
    fn add(&mut self, fetched: Fetched) {
        let file = fetched.file.map_or_else(|| "-".to_owned(), |n| n.to_string());
        println!(
            "  {:<42} {:>9} {:>9} {:>9}  {}",
            fetched.what,
            file,
            fetched.body.len(),
            fetched.wire,
            fetched.encoding.as_deref().unwrap_or("identity")
        );
        self.wire += fetched.wire;
    }

    fn check(&self, what: &str, budget: usize, over: &mut Vec<String>) {
        let verdict = if self.wire <= budget { "ok" } else { "OVER" };
        println!("{what:<44} {:>29}  budget {budget} B: {verdict}\n", self.wire);
        if self.wire > budget {
            over.push(format!("{what} {} B > {budget} B", self.wire));
        }
    }
}

/// The release binary, alone in a scratch directory, serving on a free port.
struct Server {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Server {
    fn start(binary: &Path) -> Result<Self, String> {
        let dir = std::env::temp_dir().join(format!("rapport-size-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).map_err(|err| format!("{}: {err}", dir.display()))?;
        let copy = dir.join("rapport");
        fs::copy(binary, &copy).map_err(|err| format!("copying {}: {err}", binary.display()))?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|err| format!("finding a free port: {err}"))?
            .port();
        println!("$ (in {}) ./rapport serve --demo  # on port {port}", dir.display());
        let mut command = Command::new(&copy);
        command
            .current_dir(&dir)
            .args(["serve", "--demo"])
            .env("RAPPORT_BIND", format!("127.0.0.1:{port}"))
            .env("RAPPORT_DATA_DIR", dir.join("data"))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null());
        for var in ["RAPPORT_WIDGET_DIR", "RAPPORT_DATABASE_URL", "RAPPORT_PUBLIC_URL", "RAPPORT_REDIS_URL"] {
            command.env_remove(var);
        }
        let child = command.spawn().map_err(|err| format!("starting {}: {err}", copy.display()))?;
        let server = Server { child, port, dir };
        let deadline = Instant::now() + Duration::from_secs(30);
        while server.get("/healthz", None).map(|r| r.status) != Ok(200) {
            if Instant::now() > deadline {
                return Err("the release rapport did not answer /healthz within 30 s".into());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(server)
    }

    fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn get(&self, path: &str, origin: Option<&str>) -> Result<Fetched, String> {
        let origin = origin.map(|o| format!("Origin: {o}\r\n")).unwrap_or_default();
        self.exchange(path, &format!("GET {path} HTTP/1.1\r\n{origin}"))
    }

    fn post(&self, path: &str, json: &str) -> Result<Fetched, String> {
        let head = format!(
            "POST {path} HTTP/1.1\r\nOrigin: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
            self.origin(),
            json.len()
        );
        self.exchange(path, &format!("{head}\r\n{json}"))
    }

    /// GETs `path` and checks that its decoded body is `dir/name` byte for byte.
    fn fetch_file(&self, path: &str, dir: &Path, name: &str) -> Result<Fetched, String> {
        let mut fetched = self.get(path, None)?;
        if fetched.status != 200 {
            return Err(format!("{path}: HTTP {}", fetched.status));
        }
        let decoded = decode(&fetched.body, fetched.encoding.as_deref())?;
        let built = fs::read(dir.join(name)).map_err(|err| format!("{}: {err}", dir.join(name).display()))?;
        if decoded != built {
            return Err(format!("{path} is not the built {name}: was the binary built from another dist/?"));
        }
        fetched.file = Some(decoded.len());
        fetched.what = name.to_owned();
        Ok(fetched)
    }

    /// Sends `request` (its header block not yet ended, unless it carries a body) and
    /// reads the whole answer.
    fn exchange(&self, path: &str, request: &str) -> Result<Fetched, String> {
        let mut stream =
            TcpStream::connect(("127.0.0.1", self.port)).map_err(|err| format!("connecting for {path}: {err}"))?;
        stream.set_read_timeout(Some(Duration::from_secs(30))).ok();
        let (head, body) = request.split_once("\r\n\r\n").unwrap_or((request.trim_end_matches("\r\n"), ""));
        let request = format!(
            "{head}\r\nHost: 127.0.0.1:{}\r\nAccept-Encoding: {BROWSER_ACCEPT_ENCODING}\r\nConnection: close\r\n\r\n{body}",
            self.port
        );
        stream.write_all(request.as_bytes()).map_err(|err| format!("sending {path}: {err}"))?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).map_err(|err| format!("reading {path}: {err}"))?;
        let split = answer.windows(4).position(|w| w == b"\r\n\r\n").ok_or(format!("{path}: no HTTP answer"))?;
        let headers = String::from_utf8_lossy(&answer[..split]).to_lowercase();
        let status = headers.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let header =
            |name: &str| headers.lines().find_map(|l| l.strip_prefix(&format!("{name}:")).map(|v| v.trim().to_owned()));
        let mut body = answer[split + 4..].to_vec();
        if header("transfer-encoding").as_deref() == Some("chunked") {
            body = unchunk(&body)?;
        }
        Ok(Fetched {
            what: path.to_owned(),
            status,
            encoding: header("content-encoding"),
            body,
            wire: answer.len(),
            file: None,
        })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

fn unchunk(mut data: &[u8]) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    loop {
        let line = data.windows(2).position(|w| w == b"\r\n").ok_or("a cut chunked body")?;
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&data[..line]).split(';').next().unwrap_or("").trim(), 16)
                .map_err(|_| "a bad chunk size")?;
        data = &data[line + 2..];
        if size == 0 {
            return Ok(body);
        }
        body.extend_from_slice(data.get(..size).ok_or("a cut chunk")?);
        data = data.get(size + 2..).ok_or("a cut chunk")?;
    }
}

fn decode(body: &[u8], encoding: Option<&str>) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    match encoding {
        None => out.extend_from_slice(body),
        Some("br") => {
            brotli::Decompressor::new(body, 4096).read_to_end(&mut out).map_err(|err| format!("brotli: {err}"))?;
        }
        Some("gzip") => {
            flate2::read::GzDecoder::new(body).read_to_end(&mut out).map_err(|err| format!("gzip: {err}"))?;
        }
        Some(other) => return Err(format!("an unexpected Content-Encoding: {other}")),
    }
    Ok(out)
}
