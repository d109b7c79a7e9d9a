//! A business's web page on its own origin: a second HTTP listener that serves one HTML
//! page embedding the widget with the `<script>` tag, as a customer would paste it.

use std::sync::{Arc, Mutex};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpListener,
    task::AbortHandle,
};

pub struct HostPage {
    /// `http://127.0.0.1:<port>`: the page's origin (a different port than Rapport's,
    /// so a different origin).
    pub origin: String,
    server: AbortHandle,
    html: Arc<Mutex<String>>,
}

impl HostPage {
    /// Listens on a free port; serves what [`HostPage::show`] was last given, on every path.
    pub async fn start() -> Self {
        let html: Arc<Mutex<String>> = Arc::default();
        let page = html.clone();
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("binding the host page");
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let server = tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let page = page.clone();
                tokio::spawn(async move {
                    let mut request = [0u8; 8192];
                    let _ = stream.read(&mut request).await;
                    // Read only now: browsers open connections ahead of their requests.
                    let html = page.lock().unwrap().clone();
                    let response = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\n\
                         cache-control: no-store\r\nconnection: close\r\n\r\n{html}",
                        html.len()
                    );
                    let _ = stream.write_all(response.as_bytes()).await;
                    let _ = stream.shutdown().await;
                });
            }
        })
        .abort_handle();
        Self { origin, server, html }
    }

    pub fn show(&self, html: String) {
        *self.html.lock().unwrap() = html;
    }

    /// The page a business would have: the command-queue stub, event listeners that
    /// record what the widget reports (in `window.rapportEvents`), any `extra` calls, and
    /// the one-line embed.
    pub fn embedding(rapport: &str, site_key: &str, extra: &str) -> String {
        format!(
            r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Acme shop — checkout</title>
<style>body{{margin:0;font:16px/1.5 system-ui,sans-serif;background:#f1f3f5;color:#212529}}
header{{background:#212529;color:#fff;padding:18px 32px;font-weight:700}}main{{max-width:720px;margin:40px auto;padding:0 24px}}
.card{{background:#fff;border-radius:12px;padding:24px;box-shadow:0 1px 3px rgba(0,0,0,.08)}}</style></head>
<body><header>Acme shop</header><main><div class="card"><h1>Your cart</h1><p>2 items · €58.00</p></div></main>
<script>
window.Rapport = window.Rapport || function () {{ (Rapport.q = Rapport.q || []).push(arguments); }};
window.rapportEvents = [];
["ready", "open", "close", "message", "unread", "error"].forEach(function (name) {{
  Rapport("on", name, function (data) {{ rapportEvents.push([name, data === undefined ? null : data]); }});
}});
{extra}
</script>
<script src="{rapport}/widget.js" data-site="{site_key}" async></script>
</body></html>"#
        )
    }
}

impl Drop for HostPage {
    fn drop(&mut self) {
        self.server.abort();
    }
}
