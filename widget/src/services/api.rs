//! The widget's REST calls. Every call but the session carries the visitor token as a
//! bearer token (never in the URL).

use gloo_net::http::{Request, RequestBuilder, Response};
use openapi::{
    error::ErrorBody,
    widget::{
        IdentifyRequest, NewVisitorConversation, VisitorAttributes, VisitorIdentity, VisitorSession,
        VisitorSessionRequest,
    },
};
use serde::{Deserialize, de::DeserializeOwned};
use uuid::Uuid;

// The conversation answers (`VisitorConversationPage`, `StartedConversation`) are read
// through these views: the widget only needs the conversation's id, and skipping the
// rest keeps the parsing of their timestamps and enums out of the wasm. Other fields
// are ignored, so these read exactly what `openapi`'s types serialise to.

/// Only the id of an `openapi::conversations::Conversation`.
#[derive(Deserialize)]
struct ConversationId {
    id: Uuid,
}

/// `openapi::widget::VisitorConversationPage`, ids only.
#[derive(Deserialize)]
struct ConversationIds {
    items: Vec<ConversationId>,
}

/// `openapi::widget::StartedConversation`, the conversation's id only.
#[derive(Deserialize)]
struct Started {
    conversation: ConversationId,
}

/// Why a call did not succeed.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// No answer (offline, server down): worth retrying later.
    Network,
    /// The server answered with an error: retrying the same request will not help.
    Refused(u16, ErrorBody),
}

/// Rapport's REST API, at the iframe's own origin.
#[derive(Clone, PartialEq)]
pub struct Api {
    base: String,
}

impl Api {
    pub fn new(origin: &str) -> Self {
        Self { base: format!("{origin}/api/v1") }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn authorised(builder: RequestBuilder, token: &str) -> RequestBuilder {
        builder.header("Authorization", &format!("Bearer {token}"))
    }

    pub async fn session(&self, site_key: &str, visitor_token: Option<String>) -> Result<VisitorSession, Failure> {
        let body = VisitorSessionRequest { site_key: site_key.to_owned(), visitor_token };
        send(Request::post(&self.url("/widget/session")).json(&body)).await
    }

    /// The id of the visitor's newest conversation, if any.
    pub async fn latest_conversation(&self, token: &str) -> Result<Option<Uuid>, Failure> {
        let request = Self::authorised(Request::get(&self.url("/widget/conversations?limit=1")), token).build();
        let page: ConversationIds = send(request).await?;
        Ok(page.items.into_iter().next().map(|c| c.id))
    }

    /// Starts a conversation with its first message; returns the conversation's id.
    pub async fn start_conversation(&self, token: &str, body: &str, client_msg_id: &str) -> Result<Uuid, Failure> {
        let first = NewVisitorConversation { body: body.to_owned(), client_msg_id: client_msg_id.to_owned() };
        let started: Started =
            send(Self::authorised(Request::post(&self.url("/widget/conversations")), token).json(&first)).await?;
        Ok(started.conversation.id)
    }

    pub async fn identify(&self, token: &str, identity: &IdentifyRequest) -> Result<VisitorIdentity, Failure> {
        send(Self::authorised(Request::post(&self.url("/widget/identify")), token).json(identity)).await
    }

    /// Uploads `file` into the conversation and sends it as a message of its own
    /// (idempotent on `client_msg_id`). The error is the server's message, to show.
    pub async fn send_file(&self, token: &str, conversation_id: Uuid, file: &web_sys::File, client_msg_id: &str) -> Result<(), String> {
        let name: String = js_sys::encode_uri_component(&file.name()).into();
        let path = format!("/widget/conversations/{conversation_id}/attachments?filename={name}");
        let kind = file.type_();
        let upload = Self::authorised(Request::post(&self.url(&path)), token)
            .header("Content-Type", if kind.is_empty() { "application/octet-stream" } else { &kind })
            .body(wasm_bindgen::JsValue::from(file.clone()));
        let why = |failure: Failure| match failure {
            Failure::Network => "Network error".to_owned(),
            Failure::Refused(_, body) => body.message,
        };
        // The answer is an `Attachment`; only its id is read, with the reader the
        // conversation answers already use (the same `{"id": …}` shape).
        let uploaded: ConversationId = send(upload).await.map_err(why)?;
        // A `NewMessage`, written by hand: both values are UUIDs, nothing to escape, and
        // no serialiser for it ships in the wasm.
        let message = format!(r#"{{"body":"","client_msg_id":"{client_msg_id}","attachment_ids":["{}"]}}"#, uploaded.id);
        let path = format!("/widget/conversations/{conversation_id}/messages");
        let request = Self::authorised(Request::post(&self.url(&path)), token)
            .header("Content-Type", "application/json")
            .body(message);
        let response = request.map_err(|_| "Network error".to_owned())?.send().await.map_err(|_| "Network error".to_owned())?;
        if response.ok() { Ok(()) } else { Err(why(refusal(response).await)) }
    }

    pub async fn set_attributes(&self, token: &str, attributes: &VisitorAttributes) -> Result<(), Failure> {
        let request = Self::authorised(Request::patch(&self.url("/widget/attributes")), token).json(attributes);
        let response = request.map_err(|_| Failure::Network)?.send().await.map_err(|_| Failure::Network)?;
        if response.ok() { Ok(()) } else { Err(refusal(response).await) }
    }
}

async fn send<T: DeserializeOwned>(request: Result<Request, gloo_net::Error>) -> Result<T, Failure> {
    let response = request.map_err(|_| Failure::Network)?.send().await.map_err(|_| Failure::Network)?;
    if !response.ok() {
        return Err(refusal(response).await);
    }
    response.json().await.map_err(|_| Failure::Network)
}

async fn refusal(response: Response) -> Failure {
    let status = response.status();
    let body = response.json::<ErrorBody>().await.unwrap_or(ErrorBody {
        code: "unexpected".into(),
        message: format!("HTTP {status}"),
        field: None,
    });
    Failure::Refused(status, body)
}
