//! The console's REST calls, at Rapport's own origin. The browser sends the HttpOnly
//! session cookie by itself, so no token is ever handled here.

use gloo_net::http::{Request, RequestBuilder};
use openapi::{
    agents::AgentPage,
    auth::{AcceptInvitation, Me, PasswordReset, PasswordResetRequest, Session, SigninRequest},
    canned::CannedResponsePage,
    conversations::{Conversation, ConversationMatchPage, ConversationPage, ConversationUpdate, FeedPage},
    error::ErrorBody,
    labels::{Label, LabelPage, NewLabel},
    messages::MessageRange,
    presence::Presence,
    routing::{Queue, Transfer},
    sites::SitePage,
    teams::TeamPage,
    views::{NewSavedView, SavedView, SavedViewPage},
    visitors::{PageViewPage, Visitor, VisitorPage},
};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;
use uuid::Uuid;

#[cfg(feature = "complete")]
mod admin;
// Callers name every call `api::…`, wherever it is defined.
#[cfg(feature = "complete")]
pub use admin::*;

/// Why a call did not succeed, as the console shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// HTTP status; 0 when the server could not be reached.
    pub status: u16,
    pub code: String,
    pub message: String,
}

impl Failure {
    fn network() -> Self {
        Self { status: 0, code: "network".into(), message: "Rapport cannot be reached. Check your connection.".into() }
    }
}

pub type Answer<T> = Result<T, Failure>;

const BASE: &str = "/api/v1";

fn url(path: &str) -> String {
    format!("{BASE}{path}")
}

async fn finish<T: DeserializeOwned>(request: Result<Request, gloo_net::Error>) -> Answer<T> {
    let response = request.map_err(|_| Failure::network())?.send().await.map_err(|_| Failure::network())?;
    let status = response.status();
    if !response.ok() {
        let body = response.json::<ErrorBody>().await.unwrap_or(ErrorBody {
            code: "unexpected".into(),
            message: format!("The server answered {status}."),
            field: None,
        });
        return Err(Failure { status, code: body.code, message: body.message });
    }
    if status == 204 {
        // No body: callers expecting one get `null` parsed into their type.
        return serde_json::from_value(Value::Null).map_err(|_| Failure::network());
    }
    let text = response.text().await.map_err(|_| Failure::network())?;
    let text = if text.is_empty() { "null".to_owned() } else { text };
    serde_json::from_str(&text).map_err(|err| Failure { status, code: "unreadable".into(), message: err.to_string() })
}

async fn delete<T: DeserializeOwned>(path: &str) -> Answer<T> {
    finish(Request::delete(&url(path)).build()).await
}

async fn get<T: DeserializeOwned>(path: &str) -> Answer<T> {
    finish(Request::get(&url(path)).build()).await
}

async fn with_body<T: DeserializeOwned>(builder: RequestBuilder, body: &impl Serialize) -> Answer<T> {
    finish(builder.json(body)).await
}

async fn post<T: DeserializeOwned>(path: &str, body: &impl Serialize) -> Answer<T> {
    with_body(Request::post(&url(path)), body).await
}

async fn patch<T: DeserializeOwned>(path: &str, body: &impl Serialize) -> Answer<T> {
    with_body(Request::patch(&url(path)), body).await
}

/// Percent-encodes a query value.
pub fn encode(value: &str) -> String {
    js_sys::encode_uri_component(value).into()
}

pub async fn signin(email: &str, password: &str) -> Answer<Session> {
    post("/signin", &SigninRequest { email: email.into(), password: password.into(), workspace_id: None }).await
}

pub async fn signout() -> Answer<Value> {
    post("/signout", &serde_json::json!({})).await
}

pub async fn me() -> Answer<Me> {
    get("/me").await
}

// Conversations and the queue.

/// `query` is the query string after `?` (filters, `q`, `cursor`).
pub async fn conversations(query: &str) -> Answer<ConversationPage> {
    get(&format!("/conversations?{query}")).await
}

/// Where the workspace feed stands now (one item read, only `head` used).
pub async fn feed_head() -> Answer<FeedPage> {
    get("/conversations/feed?limit=1").await
}

pub async fn conversation(id: Uuid) -> Answer<Conversation> {
    get(&format!("/conversations/{id}")).await
}

pub async fn queue() -> Answer<Queue> {
    get("/queue").await
}

pub async fn update_conversation(id: Uuid, changes: &ConversationUpdate) -> Answer<Conversation> {
    patch(&format!("/conversations/{id}"), changes).await
}

pub async fn claim(id: Uuid) -> Answer<Conversation> {
    post(&format!("/conversations/{id}/claim"), &serde_json::json!({})).await
}

pub async fn transfer(id: Uuid, agent_id: Option<Uuid>, team_id: Option<Uuid>, note: &str) -> Answer<Conversation> {
    let note = Some(note.trim().to_owned()).filter(|n| !n.is_empty());
    post(&format!("/conversations/{id}/transfer"), &Transfer { agent_id, team_id, note }).await
}

/// Conversations whose visitor or messages contain `text`, with what matched.
pub async fn search(text: &str) -> Answer<ConversationMatchPage> {
    get(&format!("/conversations/search?q={}&limit=50", encode(text))).await
}

/// Messages with `seq` in `after_seq+1 ..= after_seq+limit`, oldest first.
pub async fn messages(id: Uuid, after_seq: i64, limit: i64) -> Answer<MessageRange> {
    get(&format!("/conversations/{id}/messages?after_seq={after_seq}&limit={limit}")).await
}

// People.

pub async fn visitor(id: Uuid) -> Answer<Visitor> {
    get(&format!("/visitors/{id}")).await
}

/// Up to 100 visitors in one request.
pub async fn visitors_by_ids(ids: &[Uuid]) -> Answer<VisitorPage> {
    let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
    get(&format!("/visitors?ids={}&limit={}", ids.join(","), ids.len().max(1))).await
}

/// The pages a visitor viewed, newest first.
pub async fn visitor_pages(id: Uuid) -> Answer<PageViewPage> {
    get(&format!("/visitors/{id}/pages?limit=20")).await
}

pub async fn agents() -> Answer<AgentPage> {
    get("/agents?limit=200").await
}

pub async fn teams() -> Answer<TeamPage> {
    get("/teams?limit=200").await
}

pub async fn presence() -> Answer<Presence> {
    get("/presence").await
}

pub async fn sites() -> Answer<SitePage> {
    get("/sites?limit=200").await
}

pub async fn canned_responses() -> Answer<CannedResponsePage> {
    get("/canned-responses?limit=200").await
}

// Labels and saved views.

pub async fn labels() -> Answer<LabelPage> {
    get("/labels").await
}

pub async fn create_label(label: &NewLabel) -> Answer<Label> {
    post("/labels", label).await
}

pub async fn views() -> Answer<SavedViewPage> {
    get("/views").await
}

pub async fn create_view(view: &NewSavedView) -> Answer<SavedView> {
    post("/views", view).await
}

pub async fn delete_view(id: Uuid) -> Answer<()> {
    delete(&format!("/views/{id}")).await
}

/// Chooses a password for an invitation; signs the agent in (the cookie is set).
pub async fn accept_invitation(token: &str, password: &str) -> Answer<Session> {
    post("/invitations/accept", &AcceptInvitation { token: token.into(), password: password.into() }).await
}

/// Asks for a link to reset a forgotten password; answered alike whether or not an
/// account uses the address.
pub async fn request_password_reset(email: &str) -> Answer<()> {
    post("/password-reset", &PasswordResetRequest { email: email.into() }).await
}

/// Chooses a new password with a reset link's token. No session is opened: the agent then
/// signs in with it.
pub async fn reset_password(token: &str, new_password: &str) -> Answer<()> {
    post("/password-reset/confirm", &PasswordReset { token: token.into(), new_password: new_password.into() }).await
}
