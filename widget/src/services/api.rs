//! The widget's REST calls. Every call but the session carries the visitor token as a
//! bearer token (never in the URL).
//!
//! Answers are read field by field through [`Json`] (see `json`): only what the widget
//! uses, so the timestamps and enums of the full types never need parsing in the wasm.

use gloo_net::http::{Request, RequestBuilder, Response};
use openapi::{
    error::ErrorBody,
    mail::{OfflineMessage, TranscriptRequest},
    sites::PrechatField,
    webhooks::NewRating,
    widget::{IdentifyRequest, NewVisitorConversation, VisitorSessionRequest, WidgetSite},
};
use uuid::Uuid;
use wasm_bindgen::JsValue;

use super::{
    frames::{ConversationSummary, Queue},
    json::{self, Json},
};

/// Why a call did not succeed.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// No answer (offline, server down): worth retrying later.
    Network,
    /// The server answered with an error: retrying the same request will not help.
    Refused(u16, ErrorBody),
}

/// `openapi::widget::VisitorSession`.
pub struct Session {
    pub visitor_token: String,
    pub site: WidgetSite,
}

fn prechat(json: &impl Json, key: &str) -> PrechatField {
    match json.text(key).as_deref() {
        Some("optional") => PrechatField::Optional,
        Some("required") => PrechatField::Required,
        _ => PrechatField::Off,
    }
}

impl Session {
    pub fn read(json: &impl Json) -> Option<Self> {
        let site = json.get("site")?;
        let site = WidgetSite {
            name: site.text("name")?,
            color: site.text("color")?,
            greeting: site.text("greeting")?,
            require_identity: site.boolean("require_identity")?,
            agents_online: site.boolean("agents_online")?,
            prechat_name: prechat(&site, "prechat_name"),
            prechat_email: prechat(&site, "prechat_email"),
            offline_form: site.boolean("offline_form")?,
            typical_reply_secs: site.whole("typical_reply_secs"),
            typing_preview: site.boolean("typing_preview").unwrap_or(false),
        };
        Some(Self { visitor_token: json.text("visitor_token")?, site })
    }
}

/// The conversation's id in a `StartedConversation`.
fn started(json: &impl Json) -> Option<Uuid> {
    json.get("conversation")?.uuid("id")
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

    pub async fn session(&self, site_key: &str, visitor_token: Option<String>) -> Result<Session, Failure> {
        let body = VisitorSessionRequest { site_key: site_key.to_owned(), visitor_token };
        send(Request::post(&self.url("/widget/session")).json(&body), Session::read).await
    }

    /// The visitor's newest conversation, if any.
    pub async fn latest_conversation(&self, token: &str) -> Result<Option<ConversationSummary>, Failure> {
        let request = Self::authorised(Request::get(&self.url("/widget/conversations?limit=1")), token).build();
        // `openapi::widget::VisitorConversationPage`: an empty page is a valid answer.
        send(request, |page| Some(page.get("items")?.items().first().and_then(ConversationSummary::read))).await
    }

    /// Starts a conversation with its first message (and the pre-chat form's answers);
    /// returns the conversation's id.
    pub async fn start_conversation(&self, token: &str, first: &NewVisitorConversation) -> Result<Uuid, Failure> {
        send(Self::authorised(Request::post(&self.url("/widget/conversations")), token).json(first), started).await
    }

    /// Leaves a message while nobody is online; returns the conversation's id.
    pub async fn offline_message(&self, token: &str, message: &OfflineMessage) -> Result<Uuid, Failure> {
        let url = self.url("/widget/offline-message");
        send(Self::authorised(Request::post(&url), token).json(message), started).await
    }

    /// Uploads `file` into the conversation and sends it as a message of its own
    /// (idempotent on `client_msg_id`). The error is the server's message, to show.
    pub async fn send_file(
        &self,
        token: &str,
        conversation_id: Uuid,
        file: &web_sys::File,
        client_msg_id: &str,
    ) -> Result<(), String> {
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
        // The answer is an `Attachment`: only its id is read.
        let uploaded = send(upload, |j| j.uuid("id")).await.map_err(why)?;
        // A `NewMessage`, written by hand: both values are UUIDs, nothing to escape, and
        // no serialiser for it ships in the wasm.
        let message = format!(r#"{{"body":"","client_msg_id":"{client_msg_id}","attachment_ids":["{uploaded}"]}}"#);
        let path = format!("/widget/conversations/{conversation_id}/messages");
        let request = Self::authorised(Request::post(&self.url(&path)), token)
            .header("Content-Type", "application/json")
            .body(message);
        let response =
            request.map_err(|_| "Network error".to_owned())?.send().await.map_err(|_| "Network error".to_owned())?;
        if response.ok() { Ok(()) } else { Err(why(refusal(response).await)) }
    }

    pub async fn queue(&self, token: &str, conversation_id: Uuid) -> Result<Queue, Failure> {
        let url = self.url(&format!("/widget/conversations/{conversation_id}/queue"));
        send(Self::authorised(Request::get(&url), token).build(), Queue::read).await
    }

    pub async fn rate(&self, token: &str, conversation_id: Uuid, rating: &NewRating) -> Result<(), Failure> {
        let url = self.url(&format!("/widget/conversations/{conversation_id}/rating"));
        done(Self::authorised(Request::post(&url), token).json(rating)).await
    }

    /// Mails the transcript to `email`, or to the visitor's known email when `None`.
    pub async fn transcript(&self, token: &str, conversation_id: Uuid, email: Option<String>) -> Result<(), Failure> {
        let url = self.url(&format!("/widget/conversations/{conversation_id}/transcript"));
        done(Self::authorised(Request::post(&url), token).json(&TranscriptRequest { email })).await
    }

    pub async fn identify(&self, token: &str, identity: &IdentifyRequest) -> Result<(), Failure> {
        done(Self::authorised(Request::post(&self.url("/widget/identify")), token).json(identity)).await
    }

    /// `body` is the JSON of an `openapi::widget::VisitorAttributes`, as the host page's
    /// `setAttributes` gave it (see `host`).
    pub async fn set_attributes(&self, token: &str, body: String) -> Result<(), Failure> {
        let request = Self::authorised(Request::patch(&self.url("/widget/attributes")), token)
            .header("Content-Type", "application/json")
            .body(body);
        done(request).await
    }
}

/// Sends a request and reads its answer with `read`. An answer that does not read is
/// treated like no answer (a proxy's error page, a cut connection).
async fn send<T>(
    request: Result<Request, gloo_net::Error>,
    read: impl FnOnce(&JsValue) -> Option<T>,
) -> Result<T, Failure> {
    let response = request.map_err(|_| Failure::Network)?.send().await.map_err(|_| Failure::Network)?;
    if !response.ok() {
        return Err(refusal(response).await);
    }
    let text = response.text().await.map_err(|_| Failure::Network)?;
    json::parse(&text).as_ref().and_then(read).ok_or(Failure::Network)
}

/// Sends a request whose answer's body the widget does not need.
async fn done(request: Result<Request, gloo_net::Error>) -> Result<(), Failure> {
    let response = request.map_err(|_| Failure::Network)?.send().await.map_err(|_| Failure::Network)?;
    if response.ok() { Ok(()) } else { Err(refusal(response).await) }
}

async fn refusal(response: Response) -> Failure {
    let status = response.status();
    let body = response.text().await.ok().and_then(|text| json::parse(&text));
    let body = body
        .and_then(|body| {
            Some(ErrorBody { code: body.text("code")?, message: body.text("message")?, field: body.text("field") })
        })
        .unwrap_or_else(|| ErrorBody { code: "unexpected".into(), message: format!("HTTP {status}"), field: None });
    Failure::Refused(status, body)
}

#[cfg(test)]
mod tests {
    use openapi::widget::{VisitorSession, WidgetSite};
    use serde_json::json;

    use super::*;

    #[test]
    fn reads_what_the_session_serialises_to() {
        let site = WidgetSite {
            name: "Acme".into(),
            color: "#123456".into(),
            greeting: "Hi".into(),
            require_identity: true,
            agents_online: false,
            prechat_name: PrechatField::Required,
            prechat_email: PrechatField::Optional,
            offline_form: true,
            typical_reply_secs: Some(90),
            typing_preview: true,
        };
        let session =
            VisitorSession { visitor_token: "vt_1".into(), visitor_id: Uuid::from_u128(1), site: site.clone() };
        let read = Session::read(&serde_json::to_value(&session).unwrap()).expect("a session");
        assert_eq!((read.visitor_token.as_str(), &read.site), ("vt_1", &site));
        let quiet = WidgetSite { typical_reply_secs: None, prechat_name: PrechatField::Off, ..site };
        let session = VisitorSession { site: quiet.clone(), ..session };
        assert_eq!(Session::read(&serde_json::to_value(&session).unwrap()).unwrap().site, quiet);
        assert!(Session::read(&json!({"visitor_token": "vt_1"})).is_none(), "no site, no session");
    }

    #[test]
    fn reads_the_conversation_of_a_start() {
        assert_eq!(
            started(&json!({"conversation": {"id": Uuid::from_u128(7)}, "message": {}})),
            Some(Uuid::from_u128(7))
        );
        assert_eq!(started(&json!({"conversation": {"id": "not a uuid"}})), None);
    }
}
