//! The page a confirmation link opens: `GET /mail/confirm?token=…` asks (mail scanners
//! that fetch every link must not confirm anything), its button posts the token back to
//! `POST /mail/confirm`, which sends the transcript.

use maud::{DOCTYPE, Markup, html};
use poem::{
    IntoResponse, Response, handler,
    http::StatusCode,
    web::{Data, Form, Query},
};
use serde::Deserialize;

use crate::state::AppState;

#[derive(Deserialize)]
pub struct TokenParam {
    #[serde(default)]
    token: String,
}

/// Nothing loads but the inline style; the form posts only here; nobody frames it.
const POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

fn page(status: StatusCode, title: &str, body: Markup) -> Response {
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex";
                title { (title) }
                style { "body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;background:#f4f5f7;color:#1f2328;margin:0}\
                    main{max-width:28rem;margin:4rem auto;background:#fff;border-radius:8px;padding:1.5rem 2rem}\
                    h1{font-size:1.25rem}button{background:#3b5bdb;color:#fff;border:0;border-radius:6px;padding:.6rem 1.1rem;font-size:1rem;cursor:pointer}" }
            }
            body { main { h1 { (title) } (body) } }
        }
    };
    let mut response = markup.into_string().with_content_type("text/html; charset=utf-8").into_response();
    response.set_status(status);
    response.headers_mut().insert("content-security-policy", POLICY.parse().expect("a header value"));
    response.headers_mut().insert("cache-control", "no-store".parse().expect("a header value"));
    response
}

fn not_valid() -> Response {
    page(
        StatusCode::NOT_FOUND,
        "This link does not work any more",
        html! { p { "It was used already, or it is more than a day old. Ask for the transcript again from the chat." } },
    )
}

fn failed(err: crate::error::Error) -> Response {
    tracing::error!(error = %err, "transcript confirmation failed");
    page(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong", html! { p { "Please try again in a moment." } })
}

#[handler]
pub async fn ask(state: Data<&AppState>, Query(param): Query<TokenParam>) -> Response {
    match super::confirm::look(&state, &param.token).await {
        Ok(Some(pending)) => page(
            StatusCode::OK,
            &format!("Send the transcript to {}?", pending.email),
            html! {
                p { "Your conversation on " strong { (pending.site.name) } " will be mailed to "
                    strong { (pending.email) } ", and " (pending.site.name) " will use this address to answer you." }
                form method="post" action="/mail/confirm" {
                    input type="hidden" name="token" value=(param.token);
                    button type="submit" { "Send me the transcript" }
                }
            },
        ),
        Ok(None) => not_valid(),
        Err(err) => failed(err),
    }
}

#[handler]
pub async fn confirm(state: Data<&AppState>, Form(param): Form<TokenParam>) -> Response {
    match super::confirm::confirm(&state, &param.token).await {
        Ok(Some(done)) => page(
            StatusCode::OK,
            "The transcript is on its way",
            html! { p { "It goes to " strong { (done.email) } " within moments. You can close this page." } },
        ),
        Ok(None) => not_valid(),
        Err(err) => failed(err),
    }
}
