//! Security headers on every page and API answer, HSTS behind https, and `/metrics`
//! closed unless a token or a separate address is configured.

use reqwest::{Method, StatusCode, header::HeaderMap};

use system_tests::{AppOptions, TestApp, json_of, node::free_port, spawn_app, spawn_app_with};

async fn app_with(env: &[(&str, String)]) -> TestApp {
    spawn_app_with(AppOptions {
        env: env.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(),
        ..AppOptions::default()
    })
    .await
}

async fn headers_of(app: &TestApp, method: Method, path: &str, body: Option<&str>) -> (StatusCode, HeaderMap) {
    let mut request = app.http.request(method, app.url(path));
    if let Some(body) = body {
        request = request.header("content-type", "application/json").body(body.to_owned());
    }
    let response = request.send().await.unwrap();
    (response.status(), response.headers().clone())
}

fn csp(headers: &HeaderMap) -> &str {
    headers.get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default()
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let app = spawn_app().await;
    let owner = app.signup("Headers").await;
    let (_, site_key) = app.create_site(&owner.token).await;
    let answers = [
        (Method::GET, "/api/v1/me".to_owned(), None),               // 401 JSON
        (Method::POST, "/api/v1/signin".to_owned(), Some("{nope")), // 400 from the framework
        (Method::GET, "/api/v1/nowhere".to_owned(), None),          // 404
        (Method::GET, "/api/openapi.json".to_owned(), None),
        (Method::GET, "/docs".to_owned(), None),
        (Method::GET, "/demo".to_owned(), None), // 404 page: no demo workspace
        (Method::GET, "/healthz".to_owned(), None),
        (Method::GET, "/readyz".to_owned(), None),
        (Method::GET, "/metrics".to_owned(), None),
        (Method::GET, "/console/".to_owned(), None),
        (Method::GET, "/".to_owned(), None),
        (Method::GET, "/widget.js".to_owned(), None),
        (Method::GET, format!("/widget/frame?site={site_key}"), None),
    ];
    for (method, path, body) in answers {
        let (status, headers) = headers_of(&app, method.clone(), &path, body).await;
        let what = format!("{method} {path} ({status})");
        assert_eq!(headers.get("x-content-type-options").map(|v| v.to_str().unwrap()), Some("nosniff"), "{what}");
        if path == "/widget.js" {
            // On every page view of every embedding site: a script needs only nosniff.
            assert!(!headers.contains_key("content-security-policy"), "{what}");
            continue;
        }
        assert!(headers.contains_key("referrer-policy"), "{what}");
        let policy = csp(&headers);
        assert!(policy.contains("frame-ancestors"), "{what}: CSP {policy:?}");
        if path.starts_with("/widget/frame") && status == StatusCode::OK {
            // Embedded by the sites that allow it, and only by them.
            // Rapport's own pages (the demo page) and the sites that allow it.
            assert!(policy.contains("frame-ancestors 'self' https://shop.test"), "{what}: {policy}");
            assert!(!headers.contains_key("x-frame-options"), "{what}");
        } else {
            assert!(policy.contains("frame-ancestors 'none'"), "{what}: {policy}");
            assert_eq!(headers.get("x-frame-options").map(|v| v.to_str().unwrap()), Some("DENY"), "{what}");
        }
        assert!(!headers.contains_key("strict-transport-security"), "{what}: plain http gets no HSTS");
    }
    // API answers allow nothing to load at all.
    let (_, headers) = headers_of(&app, Method::GET, "/api/v1/me", None).await;
    assert!(csp(&headers).starts_with("default-src 'none'"), "{}", csp(&headers));
}

#[tokio::test]
async fn an_https_public_url_turns_on_hsts() {
    let app = app_with(&[("RAPPORT_PUBLIC_URL", "https://chat.example.test".into())]).await;
    for path in ["/api/v1/me", "/console/", "/healthz", "/api/openapi.json"] {
        let (_, headers) = headers_of(&app, Method::GET, path, None).await;
        assert_eq!(
            headers.get("strict-transport-security").map(|v| v.to_str().unwrap()),
            Some("max-age=31536000"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn metrics_are_closed_by_default_and_open_to_their_token() {
    // The harness opens `/metrics` to a token of its own; an empty one is unset.
    let app = app_with(&[("RAPPORT_METRICS_TOKEN", String::new())]).await;
    let (status, body) = json_of(app.http.get(app.url("/metrics")).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["code"], "metrics_off");

    let app = app_with(&[("RAPPORT_METRICS_TOKEN", "s3cret-metrics-token".into())]).await;
    for authorization in [None, Some("Bearer wrong-token"), Some("s3cret-metrics-token")] {
        let mut request = app.http.get(app.url("/metrics"));
        if let Some(value) = authorization {
            request = request.header("authorization", value);
        }
        let (status, body) = json_of(request.send().await.unwrap()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{authorization:?}: {body}");
    }
    let ok = app.http.get(app.url("/metrics")).bearer_auth("s3cret-metrics-token").send().await.unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    assert!(ok.text().await.unwrap().contains("# TYPE"), "Prometheus text");
}

#[tokio::test]
async fn metrics_can_live_on_their_own_address_only() {
    let port = free_port();
    let app =
        app_with(&[("RAPPORT_METRICS_BIND", format!("127.0.0.1:{port}")), ("RAPPORT_METRICS_TOKEN", String::new())])
            .await;
    let (status, body) = json_of(app.http.get(app.url("/metrics")).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "not on the public address: {body}");
    let metrics = app.http.get(format!("http://127.0.0.1:{port}/metrics")).send().await.unwrap();
    assert_eq!(metrics.status(), StatusCode::OK);
    assert!(metrics.text().await.unwrap().contains("# TYPE"));
    // The metrics address serves nothing else.
    let other = app.http.get(format!("http://127.0.0.1:{port}/api/v1/me")).send().await.unwrap();
    assert_eq!(other.status(), StatusCode::NOT_FOUND);
}
