//! How Rapport's bytes travel: the front-ends' files precompressed at build time and
//! chosen by `Accept-Encoding`, large API answers compressed on the way out, WebSocket
//! frames never; and the loader's cross-origin question before it draws anything.

use std::io::{Read, Write};

use crate::common::*;

/// What Chromium sends.
const BROWSER: &str = "gzip, deflate, br, zstd";

fn to_brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 11, 22);
    writer.write_all(bytes).unwrap();
    drop(writer);
    out
}

fn to_gzip(bytes: &[u8]) -> Vec<u8> {
    let mut writer = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    writer.write_all(bytes).unwrap();
    writer.finish().unwrap()
}

fn from_brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(bytes, 4096).read_to_end(&mut out).unwrap();
    out
}

fn from_gzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).unwrap();
    out
}

async fn fetch(
    app: &TestApp,
    path: &str,
    accept: Option<&str>,
) -> (reqwest::StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
    let mut request = app.http.get(app.url(path));
    if let Some(accept) = accept {
        request = request.header("accept-encoding", accept);
    }
    let response = request.send().await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    (status, headers, response.bytes().await.unwrap().to_vec())
}

fn header<'a>(headers: &'a reqwest::header::HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).map(|v| v.to_str().unwrap())
}

#[tokio::test]
async fn built_files_go_out_precompressed_as_the_client_accepts() {
    let dir = system_tests::ScratchDir::new();
    let loader = "/* the loader */ console.log('Rapport');\n".repeat(40);
    let wasm = b"\0asm\x01\0\0\0".repeat(200);
    for (name, bytes) in [("loader.js", loader.as_bytes()), ("widget_bg.wasm", wasm.as_slice())] {
        std::fs::write(dir.0.join(name), bytes).unwrap();
        std::fs::write(dir.0.join(format!("{name}.br")), to_brotli(bytes)).unwrap();
        std::fs::write(dir.0.join(format!("{name}.gz")), to_gzip(bytes)).unwrap();
    }
    let app =
        spawn_app_with(AppOptions { widget_dir: Some(dir.0.display().to_string()), ..AppOptions::default() }).await;

    // A browser gets brotli; a gzip-only client gzip; anyone else the file as built.
    for (accept, encoding) in
        [(Some(BROWSER), Some("br")), (Some("gzip"), Some("gzip")), (None, None), (Some("br;q=0, gzip;q=0"), None)]
    {
        let (status, headers, body) = fetch(&app, "/widget.js", accept).await;
        assert_eq!(status, 200, "{accept:?}");
        assert_eq!(header(&headers, "content-encoding"), encoding, "{accept:?}");
        assert_eq!(header(&headers, "vary"), Some("Accept-Encoding"), "caches keep the variants apart");
        assert_eq!(header(&headers, "content-type"), Some("text/javascript; charset=utf-8"));
        let decoded = match encoding {
            Some("br") => from_brotli(&body),
            Some("gzip") => from_gzip(&body),
            _ => body.clone(),
        };
        assert_eq!(decoded, loader.as_bytes(), "{accept:?}");
        if encoding.is_some() {
            assert!(body.len() < loader.len() / 5, "{accept:?}: {} of {} bytes", body.len(), loader.len());
        }
    }
    let (_, headers, body) = fetch(&app, "/widget/assets/widget_bg.wasm?v=1", Some(BROWSER)).await;
    assert_eq!(header(&headers, "content-type"), Some("application/wasm"));
    assert_eq!(header(&headers, "content-encoding"), Some("br"));
    assert_eq!(from_brotli(&body), wasm);

    // A variant left from an earlier build (older than its file) is never served.
    std::thread::sleep(std::time::Duration::from_millis(20));
    let rebuilt = "console.log('rebuilt');\n".repeat(10);
    std::fs::write(dir.0.join("loader.js"), &rebuilt).unwrap();
    let (_, headers, body) = fetch(&app, "/widget.js", Some(BROWSER)).await;
    assert_eq!(header(&headers, "content-encoding"), None);
    assert_eq!(body, rebuilt.as_bytes());

    // The variants are not files of their own.
    for path in ["/widget/assets/widget_bg.wasm.br", "/widget/assets/loader.js.gz"] {
        assert_eq!(fetch(&app, path, Some(BROWSER)).await.0, 404, "{path}");
    }
}

#[tokio::test]
async fn large_answers_are_compressed_small_ones_and_sockets_are_not() {
    let app = spawn_app().await;
    let owner = app.signup("Acme").await;
    // The spec is large JSON: brotli for a browser, gzip for a gzip-only client.
    let (status, headers, body) = fetch(&app, "/api/openapi.json", Some(BROWSER)).await;
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "content-encoding"), Some("br"));
    assert!(header(&headers, "vary").is_some_and(|v| v.to_ascii_lowercase().contains("accept-encoding")));
    let spec: Value = serde_json::from_slice(&from_brotli(&body)).unwrap();
    assert_eq!(spec["openapi"], "3.0.0");
    let (_, headers, gz) = fetch(&app, "/api/openapi.json", Some("gzip")).await;
    assert_eq!(header(&headers, "content-encoding"), Some("gzip"));
    assert_eq!(serde_json::from_slice::<Value>(&from_gzip(&gz)).unwrap(), spec);
    let (_, headers, plain) = fetch(&app, "/api/openapi.json", None).await;
    assert_eq!(header(&headers, "content-encoding"), None);
    assert!(body.len() * 8 < plain.len(), "brotli {} of {} bytes", body.len(), plain.len());

    // An API answer above the threshold is compressed too; a small one is not worth it.
    let list = app
        .http
        .get(app.url("/api/v1/agents"))
        .bearer_auth(&owner.token)
        .header("accept-encoding", BROWSER)
        .send()
        .await
        .unwrap();
    assert_eq!(list.headers().get("content-encoding"), None, "a one-agent list is under 1 KiB");
    assert_eq!(list.headers().get("vary"), None, "nor does it vary by encoding");
    for n in 0..8 {
        let (status, body) = try_create_agent(&app, &owner.token, &format!("agent{n}@acme.test"), "agent", None).await;
        assert_eq!(status, 201, "{body}");
    }
    let list = app
        .http
        .get(app.url("/api/v1/agents"))
        .bearer_auth(&owner.token)
        .header("accept-encoding", BROWSER)
        .send()
        .await
        .unwrap();
    assert_eq!(list.headers()["content-encoding"], "br");
    let page: Value = serde_json::from_slice(&from_brotli(&list.bytes().await.unwrap())).unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 9);

    // WebSocket: the upgrade has no encoding, and no per-message compression is agreed
    // even when the client offers it.
    let visitor = app.visitor(&app.create_site(&owner.token).await.1).await;
    let key = "dGhlIHNhbXBsZSBub25jZQ==";
    let upgrade = app
        .http
        .get(app.url("/ws/visitor"))
        .header("connection", "Upgrade")
        .header("upgrade", "websocket")
        .header("sec-websocket-version", "13")
        .header("sec-websocket-key", key)
        .header("sec-websocket-protocol", format!("rapport.v1, rapport.token.{visitor}"))
        .header("sec-websocket-extensions", "permessage-deflate; client_max_window_bits")
        .header("origin", "https://shop.test")
        .header("accept-encoding", BROWSER)
        .send()
        .await
        .unwrap();
    assert_eq!(upgrade.status(), 101);
    assert_eq!(upgrade.headers().get("content-encoding"), None);
    assert_eq!(upgrade.headers().get("sec-websocket-extensions"), None, "no permessage-deflate");
}

async fn launcher(
    app: &TestApp,
    site_key: &str,
    origin: Option<&str>,
) -> (reqwest::StatusCode, reqwest::header::HeaderMap, Value) {
    let mut request = app.http.get(app.url(&format!("/api/v1/widget/launcher?site_key={site_key}")));
    if let Some(origin) = origin {
        request = request.header("origin", origin);
    }
    let response = request.send().await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    (status, headers, response.json().await.unwrap())
}

#[tokio::test]
async fn the_loader_learns_whether_its_page_may_show_the_chat() {
    let app = spawn_app().await;
    let owner = app.signup("Acme").await;
    let (site_id, site_key) = app.create_site(&owner.token).await;
    let (status, body) = app.patch(&format!("/sites/{site_id}"), &owner.token, json!({"color": "#0b7285"})).await;
    assert_eq!(status, 200, "{body}");

    let (status, headers, body) = launcher(&app, &site_key, Some(SHOP_ORIGIN)).await;
    assert_eq!((status, body), (StatusCode::OK, json!({"color": "#0b7285"})));
    // Readable by the loader on any page, cached a while per origin.
    assert_eq!(header(&headers, "access-control-allow-origin"), Some("*"));
    assert_eq!(header(&headers, "vary"), Some("Origin"));
    assert_eq!(header(&headers, "cache-control"), Some("public, max-age=300"));

    let (status, headers, body) = launcher(&app, &site_key, Some("https://evil.test")).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "origin_not_allowed");
    assert_eq!(header(&headers, "access-control-allow-origin"), Some("*"), "the page can read the refusal");

    let (status, headers, body) = launcher(&app, "site_nope", Some(SHOP_ORIGIN)).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    assert_eq!(header(&headers, "access-control-allow-origin"), Some("*"));

    // Rapport's own pages (the demo) send no Origin on a same-origin GET.
    assert_eq!(launcher(&app, &site_key, None).await.0, StatusCode::OK);

    // Asking creates nothing: no visitor.
    let (_, visitors) = app.get("/visitors", &owner.token).await;
    assert_eq!(visitors["items"], json!([]));
}
