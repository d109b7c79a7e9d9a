//! Cross-site request forgery and mixed credentials.
//!
//! Every state-changing operation the spec lets the session cookie authenticate — listed
//! from the served OpenAPI document, so new operations are covered without touching this
//! file — is refused with the cookie from a foreign `Origin`, from `Origin: null` and
//! without any `Origin`, and answers exactly as with a bearer token from Rapport's own
//! origin. Then the attacks the issue reported (revoking a key, claiming a conversation,
//! uploading a file, signing out) are shown refused and then working for real, and a
//! request with both a bearer token and a cookie is answered as the bearer, on REST and on
//! the agent socket.

use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{Value, json};
use system_tests::{AppOptions, PASSWORD, TestApp, assert_error, id, json_of, spawn_app_with, ws};

/// A server whose sign-in is not throttled (this test signs in a lot, from one address).
async fn app() -> TestApp {
    let env = [("RAPPORT_AUTH_ATTEMPTS_PER_MINUTE", "0"), ("RAPPORT_SIGNIN_ATTEMPTS_PER_ACCOUNT_PER_HOUR", "0")];
    spawn_app_with(AppOptions {
        env: env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        ..AppOptions::default()
    })
    .await
}

async fn session(app: &TestApp, email: &str) -> String {
    let (status, body) =
        app.call(Method::POST, "/signin", None, Some(json!({"email": email, "password": PASSWORD}))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["token"].as_str().unwrap().to_owned()
}

/// A session that still works (an operation under test may have ended the previous one).
async fn live(app: &TestApp, email: &str, token: &mut String) {
    if app.get("/me", token).await.0 != StatusCode::OK {
        *token = session(app, email).await;
    }
}

fn with_cookie(builder: RequestBuilder, token: &str) -> RequestBuilder {
    builder.header("cookie", format!("rapport_session={token}"))
}

/// One state-changing operation of the spec, with what to send it.
#[derive(Debug)]
struct Operation {
    method: Method,
    template: String,
    path: String,
    body: Option<Value>,
    raw: bool,
}

/// Follows `$ref` inside the spec.
fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let pointer = reference.trim_start_matches('#');
            spec.pointer(pointer).map_or(schema, |target| resolve(spec, target))
        }
        None => schema,
    }
}

/// Every operation that changes state and accepts the session cookie.
fn cookie_operations(spec: &Value) -> Vec<Operation> {
    let mut operations = Vec::new();
    for (template, item) in spec["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().unwrap() {
            let method: Method = method.to_uppercase().parse().unwrap();
            if matches!(method, Method::GET | Method::HEAD | Method::OPTIONS) {
                continue;
            }
            let by_cookie = op["security"]
                .as_array()
                .is_some_and(|schemes| schemes.iter().any(|scheme| scheme.get("SessionCookie").is_some()));
            if !by_cookie {
                continue;
            }
            // Path parameters: any id (most operations then answer 404, alike for both
            // credentials, which is all this part needs).
            let mut path = template.clone();
            for parameter in op["parameters"].as_array().into_iter().flatten() {
                if parameter["in"] == "path" {
                    let name = parameter["name"].as_str().unwrap();
                    path = path.replace(&format!("{{{name}}}"), &uuid::Uuid::now_v7().to_string());
                }
            }
            let content = op["requestBody"]["content"].as_object();
            let json = content.and_then(|c| c.iter().find(|(ty, _)| ty.starts_with("application/json")));
            let (body, raw) = match json {
                // The schema's example, or an empty object (refused alike for both credentials).
                Some((_, media)) => {
                    let example = resolve(spec, &media["schema"])["example"].clone();
                    (Some(if example.is_null() { json!({}) } else { example }), false)
                }
                None => (None, content.is_some_and(|c| !c.is_empty())),
            };
            operations.push(Operation { method, template: template.clone(), path, body, raw });
        }
    }
    // Signing out ends the session it is sent with: last.
    operations.sort_by_key(|op| op.template == "/signout");
    operations
}

impl Operation {
    fn request(&self, app: &TestApp) -> RequestBuilder {
        let builder = app.http.request(self.method.clone(), app.url(&format!("/api/v1{}", self.path)));
        match (&self.body, self.raw) {
            (Some(body), _) => builder.json(body),
            (None, true) => builder.header("content-type", "text/plain").body("hello"),
            (None, false) => builder,
        }
    }
}

#[tokio::test]
async fn every_state_changing_cookie_operation_needs_rapports_own_origin() {
    let app = app().await;
    let owner = app.signup("Csrf").await;
    let spec: Value = app.http.get(app.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
    let operations = cookie_operations(&spec);
    assert!(operations.len() >= 25, "the spec lists only {} cookie operations", operations.len());

    let (mut cookie, mut bearer) = (owner.token.clone(), session(&app, &owner.email).await);
    let mut checked = Vec::new();
    let mut succeeded = 0;
    for op in &operations {
        live(&app, &owner.email, &mut cookie).await;
        live(&app, &owner.email, &mut bearer).await;
        let name = format!("{} {}", op.method, op.template);
        for (origin, code) in [
            (Some("https://evil.example"), "origin_not_allowed"),
            (Some("null"), "origin_not_allowed"),
            // The shop next door, same site: SameSite=Strict lets the cookie through.
            (Some("http://shop.127.0.0.1.nip.io"), "origin_not_allowed"),
            (None, "origin_required"),
        ] {
            let mut request = with_cookie(op.request(&app), &cookie);
            if let Some(origin) = origin {
                request = request.header("origin", origin);
            }
            let (status, body) = json_of(request.send().await.unwrap()).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{name} from {origin:?}: {body}");
            assert_eq!(body["code"], code, "{name} from {origin:?}: {body}");
        }
        // From our own origin the cookie works: the operation succeeds, or fails exactly
        // as it does for a bearer token (a made-up id, an example body…). The cookie goes
        // first: a second run may find what the first created.
        let own = with_cookie(op.request(&app), &cookie).header("origin", &app.address);
        let (by_cookie, cookie_body) = json_of(own.send().await.unwrap()).await;
        live(&app, &owner.email, &mut bearer).await;
        let (by_bearer, bearer_body) = json_of(op.request(&app).bearer_auth(&bearer).send().await.unwrap()).await;
        assert!(
            by_cookie.is_success() || by_cookie == by_bearer,
            "{name}: the cookie from our own origin is answered like the bearer ({by_cookie} {cookie_body} vs {by_bearer} {bearer_body})"
        );
        assert!(
            !matches!(cookie_body["code"].as_str(), Some("origin_not_allowed" | "origin_required")),
            "{name}: {cookie_body}"
        );
        succeeded += usize::from(by_cookie.is_success());
        checked.push(name);
    }
    println!(
        "{} state-changing cookie operations checked ({succeeded} succeeded with the cookie): {checked:?}",
        checked.len()
    );
}

#[tokio::test]
async fn the_reported_attacks_fail_from_another_site_and_work_from_the_console() {
    let app = app().await;
    let owner = app.signup("Acme").await;
    let (_, site_key) = app.create_site(&owner.token).await;
    let visitor = app.visitor(&site_key).await;
    let conversation = app.start_conversation(&visitor, "Hello").await;
    let (_, key) = app.post("/api-keys", &owner.token, json!({"name": "CRM", "scope": "write"})).await;
    let key_id = id(&key["api_key"]["id"]);
    let cookie = session(&app, &owner.email).await;

    type Attack<'a> = (&'static str, Box<dyn Fn() -> RequestBuilder + 'a>);
    let attacks: Vec<Attack<'_>> = vec![
        ("revoke an API key", Box::new(|| app.request(Method::POST, &format!("/api-keys/{key_id}/revoke"), None))),
        (
            "claim a conversation",
            Box::new(|| app.request(Method::POST, &format!("/conversations/{conversation}/claim"), None)),
        ),
        (
            "upload an attachment",
            Box::new(|| {
                app.request(Method::POST, &format!("/conversations/{conversation}/attachments?filename=a.txt"), None)
                    .header("content-type", "text/plain")
                    .body("some text")
            }),
        ),
        ("sign out", Box::new(|| app.request(Method::POST, "/signout", None))),
    ];
    for (what, request) in &attacks {
        for origin in ["https://evil.example", "null"] {
            let attack = with_cookie(request(), &cookie).header("origin", origin);
            let (status, body) = json_of(attack.send().await.unwrap()).await;
            assert_error(status, &body, StatusCode::FORBIDDEN, "origin_not_allowed");
            assert!(body["message"].as_str().unwrap().contains(origin), "{what}: {body}");
        }
    }
    // Nothing happened: the key works, nobody claimed, no file, the session lives.
    assert_eq!(app.get("/conversations", key["secret"].as_str().unwrap()).await.0, StatusCode::OK);
    let (_, stored) = app.get(&format!("/conversations/{conversation}"), &owner.token).await;
    assert!(stored["assignee_id"].is_null(), "{stored}");
    assert_eq!(app.get("/me", &cookie).await.0, StatusCode::OK);

    // The console (our origin, or a same-origin fetch that names no origin) may.
    for (n, (what, request)) in attacks.iter().enumerate() {
        let mut legit = with_cookie(request(), &cookie);
        legit = if n % 2 == 0 {
            legit.header("origin", &app.address)
        } else {
            legit.header("sec-fetch-site", "same-origin")
        };
        let (status, body) = json_of(legit.send().await.unwrap()).await;
        assert!(status.is_success(), "{what}: {status} {body}");
    }
    assert_eq!(app.get("/conversations", key["secret"].as_str().unwrap()).await.0, StatusCode::UNAUTHORIZED);
    let (_, stored) = app.get(&format!("/conversations/{conversation}"), &owner.token).await;
    assert_eq!(stored["assignee_id"], json!(owner.owner_id.to_string()));
    assert_eq!(app.get("/me", &cookie).await.0, StatusCode::UNAUTHORIZED, "signed out");
}

#[tokio::test]
async fn bearer_requests_are_not_checked_and_sign_in_from_another_site_is_refused() {
    let app = app().await;
    let owner = app.signup("Acme").await;
    // An integration's request carries no cookie: the Origin does not matter.
    let (status, body) = json_of(
        app.request(Method::POST, "/sites", Some(&owner.token))
            .header("origin", "https://evil.example")
            .json(&json!({"name": "Shop", "allowed_origins": ["https://shop.test"]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // Another site cannot sign a browser into an account ("login CSRF")…
    let signin = json!({"email": owner.email, "password": PASSWORD});
    for origin in ["https://evil.example", "null"] {
        let (status, body) = json_of(
            app.request(Method::POST, "/signin", None).header("origin", origin).json(&signin).send().await.unwrap(),
        )
        .await;
        assert_error(status, &body, StatusCode::FORBIDDEN, "origin_not_allowed");
    }
    // …while the console, and clients that are not browsers, sign in.
    let from_console = app.request(Method::POST, "/signin", None).header("origin", &app.address).json(&signin);
    assert_eq!(from_console.send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(app.request(Method::POST, "/signin", None).json(&signin).send().await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn a_bearer_with_a_cookie_is_answered_as_the_bearer_on_rest_and_sockets() {
    let app = app().await;
    let owner = app.signup("Acme").await;
    let (status, bo) = app
        .post(
            "/agents",
            &owner.token,
            json!({"name": "Bo", "email": "bo@acme.test", "password": "Bo's own long passphrase 7"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{bo}");
    let bo_id = bo["agent"]["id"].as_str().unwrap().to_owned();
    let (status, bo_session) = app
        .call(
            Method::POST,
            "/signin",
            None,
            Some(json!({"email": "bo@acme.test", "password": "Bo's own long passphrase 7"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{bo_session}");
    let bo_token = bo_session["token"].as_str().unwrap();

    // REST: the owner's bearer, Bo's cookie → the owner.
    let me = with_cookie(app.request(Method::GET, "/me", Some(&owner.token)), bo_token);
    let (status, body) = json_of(me.send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["agent"]["id"], json!(owner.owner_id.to_string()), "answered as the bearer");
    // A bad bearer is not rescued by a good cookie.
    let bad = with_cookie(app.request(Method::GET, "/me", Some("rps_not-a-session")), bo_token);
    let (status, body) = json_of(bad.send().await.unwrap()).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    // Bo's cookie alone is Bo.
    let (_, body) = json_of(with_cookie(app.request(Method::GET, "/me", None), bo_token).send().await.unwrap()).await;
    assert_eq!(body["agent"]["id"], json!(bo_id));

    // Sockets: the offered token, or `Authorization: Bearer`, wins over the cookie. Which
    // session a socket belongs to shows when it ends: signing that session out closes it.
    let cookie = format!("rapport_session={bo_token}");
    for way in ["protocol", "authorization", "authorization alone"] {
        let owner_session = session(&app, &owner.email).await;
        let protocol = format!("rapport.v1, rapport.token.{owner_session}");
        let bearer = format!("Bearer {owner_session}");
        let headers = match way {
            "protocol" => vec![
                ("sec-websocket-protocol", protocol.as_str()),
                ("cookie", cookie.as_str()),
                ("origin", app.address.as_str()),
            ],
            "authorization" => {
                vec![("authorization", bearer.as_str()), ("cookie", cookie.as_str()), ("origin", app.address.as_str())]
            }
            _ => vec![("authorization", bearer.as_str())],
        };
        let mut socket = ws::connect_with_headers(&app.address, "/ws/agent", &headers).await.expect("accepted");
        let (status, _) = app.call(Method::POST, "/signout", Some(&owner_session), None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let ended = socket.closed().await;
        assert!(
            matches!(ended, ws::Ended::Closed(4001, _)),
            "{way}: the owner's socket ends with its session: {ended:?}"
        );
    }
    assert_eq!(app.get("/me", bo_token).await.0, StatusCode::OK, "Bo's session was never the one used");
}

#[tokio::test]
async fn the_agent_socket_takes_the_cookie_only_from_rapports_own_pages() {
    let app = app().await;
    let owner = app.signup("Acme").await;
    let cookie = format!("rapport_session={}", owner.token);
    for (headers, expected) in [
        (vec![("cookie", cookie.as_str())], Some((403, "origin_required"))),
        (vec![("cookie", cookie.as_str()), ("origin", "null")], Some((403, "origin_not_allowed"))),
        (vec![("cookie", cookie.as_str()), ("origin", "https://evil.example")], Some((403, "origin_not_allowed"))),
        (vec![("cookie", cookie.as_str()), ("sec-fetch-site", "cross-site")], Some((403, "origin_required"))),
        (vec![("cookie", cookie.as_str()), ("origin", app.address.as_str())], None),
    ] {
        match (ws::connect_with_headers(&app.address, "/ws/agent", &headers).await, expected) {
            (Ok(_), None) => {}
            (Err(refused), Some((status, code))) => {
                assert_eq!(
                    (refused.status, refused.body["code"].as_str().unwrap_or_default()),
                    (status, code),
                    "{headers:?}"
                )
            }
            (Ok(_), Some(_)) => panic!("accepted {headers:?}"),
            (Err(refused), None) => panic!("refused {headers:?}: {refused:?}"),
        }
    }
}
