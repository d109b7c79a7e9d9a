//! The widget's REST calls. Every call but the session and the continue link carries the
//! visitor token as a bearer token (never in the URL).
//!
//! Answers are read field by field through [`Json`], bodies written with [`Writer`] (see
//! `json`): only what the widget uses, so neither serde nor a date parser ships in the wasm.
//! Calls hand their outcome to a callback ([`Done`]).

use openapi::{error::ErrorBody, sites::PrechatField};
use wasm_bindgen::JsValue;

use super::{
    frames::{ConversationSummary, Queue},
    http::{self, Body},
    json::{self, Json, Writer},
};

/// Why a call did not succeed.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// No answer (offline, server down): worth retrying later.
    Network,
    /// The server answered with an error: retrying the same request will not help.
    Refused(u16, ErrorBody),
}

/// `openapi::widget::WidgetSite`, as the widget shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    pub name: String,
    pub color: String,
    pub greeting: String,
    pub agents_online: bool,
    pub prechat_name: PrechatField,
    pub prechat_email: PrechatField,
    pub offline_form: bool,
    pub typical_reply_secs: Option<u64>,
    /// Faces for the header, online agents first.
    pub team: Vec<Face>,
    /// The site lets agents see what the visitor types (sent with `typing`).
    pub typing_preview: bool,
}

/// `openapi::widget::AgentFace`: who answers, for the header and beside replies.
#[derive(Debug, Clone, PartialEq)]
pub struct Face {
    pub id: String,
    pub name: String,
    /// Where their picture is (same origin); `None`: initials.
    pub picture_url: Option<String>,
}

impl Face {
    pub fn read(json: &impl Json) -> Option<Self> {
        Some(Self { id: json.id("id")?, name: json.text("name")?, picture_url: json.text("picture_url") })
    }
}

fn prechat(json: &impl Json, key: &str) -> PrechatField {
    match json.text(key).as_deref() {
        Some("optional") => PrechatField::Optional,
        Some("required") => PrechatField::Required,
        _ => PrechatField::Off,
    }
}

impl Site {
    pub fn read(site: &impl Json) -> Option<Self> {
        Some(Self {
            name: site.text("name")?,
            color: site.text("color")?,
            greeting: site.text("greeting")?,
            agents_online: site.boolean("agents_online")?,
            prechat_name: prechat(site, "prechat_name"),
            prechat_email: prechat(site, "prechat_email"),
            offline_form: site.boolean("offline_form")?,
            typical_reply_secs: site.whole("typical_reply_secs"),
            team: site.get("team").map(|t| t.items()).unwrap_or_default().iter().filter_map(Face::read).collect(),
            typing_preview: site.boolean("typing_preview").unwrap_or(false),
        })
    }
}

/// `openapi::widget::VisitorSession`.
pub struct Session {
    pub visitor_token: String,
    pub site: Site,
    /// The visitor's latest conversation.
    pub conversation: Option<ConversationSummary>,
}

impl Session {
    pub fn read(json: &impl Json) -> Option<Self> {
        Some(Self {
            visitor_token: json.text("visitor_token")?,
            site: Site::read(&json.get("site")?)?,
            conversation: json.get("conversation").and_then(|c| ConversationSummary::read(&c)),
        })
    }
}

/// What the browser tells about itself (`openapi::widget::VisitorContext`); the server
/// reads the browser and system from the request's `User-Agent`.
pub struct Context {
    pub timezone: Option<String>,
    pub language: Option<String>,
    pub screen: Option<String>,
}

impl Context {
    fn to_json(&self) -> String {
        Writer::default()
            .maybe_text("timezone", self.timezone.as_deref())
            .maybe_text("language", self.language.as_deref())
            .maybe_text("screen", self.screen.as_deref())
            .finish()
    }
}

/// `openapi::mail::ContinuedConversation`, reduced to what reopens it.
pub struct Continued {
    pub visitor_token: String,
    pub conversation: ConversationSummary,
}

impl Continued {
    fn read(json: &impl Json) -> Option<Self> {
        Some(Self {
            visitor_token: json.text("visitor_token")?,
            conversation: ConversationSummary::read(&json.get("conversation")?)?,
        })
    }
}

/// The conversation's id in a `StartedConversation`.
fn started(json: &impl Json) -> Option<String> {
    json.get("conversation")?.id("id")
}

/// The first message and the pre-chat form's answers (`NewVisitorConversation`).
pub struct FirstMessage<'a> {
    pub client_msg_id: &'a str,
    pub body: &'a str,
    pub name: Option<&'a str>,
    pub email: Option<&'a str>,
}

/// What a request ends with: its answer read by the caller's reader, or why not.
pub type Done<T> = Box<dyn FnOnce(Result<T, Failure>)>;

/// Rapport's REST API, at the iframe's own origin.
///
/// Every call runs in the background and hands its outcome to a callback: one future
/// type for all of them (`exchange`) instead of a state machine per call, which keeps
/// the wasm small.
#[derive(Clone, PartialEq)]
pub struct Api {
    base: String,
}

impl Api {
    pub fn new(origin: &str) -> Self {
        Self { base: [origin, "/api/v1/widget"].concat() }
    }

    fn url(&self, path: &str) -> String {
        [self.base.as_str(), path].concat()
    }

    fn conversation(&self, conversation_id: &str, tail: &str) -> String {
        [self.base.as_str(), "/conversations/", conversation_id, tail].concat()
    }

    pub fn session(&self, site_key: &str, token: Option<&str>, context: &Context, done: Done<Session>) {
        let body = Writer::default()
            .text("site_key", site_key)
            .maybe_text("visitor_token", token)
            .raw("context", &context.to_json())
            .finish();
        call("POST", self.url("/session"), None, Body::Json(body), Session::read, done);
    }

    /// Opens the conversation of an email's "Continue the conversation" link.
    pub fn continue_conversation(&self, link_token: &str, done: Done<Continued>) {
        let body = Writer::default().text("token", link_token).finish();
        call("POST", self.url("/continue"), None, Body::Json(body), Continued::read, done);
    }

    /// Starts a conversation with its first message; gives the conversation's id.
    pub fn start_conversation(&self, token: &str, first: &FirstMessage<'_>, done: Done<String>) {
        let body = Writer::default()
            .text("body", first.body)
            .text("client_msg_id", first.client_msg_id)
            .maybe_text("name", first.name)
            .maybe_text("email", first.email)
            .finish();
        call("POST", self.url("/conversations"), Some(token), Body::Json(body), started, done);
    }

    /// Leaves a message while nobody is online; gives the conversation's id.
    pub fn offline_message(&self, token: &str, first: &FirstMessage<'_>, done: Done<String>) {
        let body = Writer::default()
            .text("email", first.email.unwrap_or_default())
            .maybe_text("name", first.name)
            .text("body", first.body)
            .text("client_msg_id", first.client_msg_id)
            .finish();
        call("POST", self.url("/offline-message"), Some(token), Body::Json(body), started, done);
    }

    /// Uploads `file` into the conversation and sends it as a message of its own
    /// (idempotent on `client_msg_id`). The error is the server's message, to show.
    pub fn send_file(
        &self,
        token: &str,
        conversation_id: &str,
        file: web_sys::File,
        client_msg_id: String,
        done: Done<()>,
    ) {
        let name: String = js_sys::encode_uri_component(&file.name()).into();
        let url = self.conversation(conversation_id, &["/attachments?filename=", &name].concat());
        let message_url = self.conversation(conversation_id, "/messages");
        let sender = token.to_owned();
        // The answer is an `Attachment`: only its id is read.
        let uploaded: Done<String> = Box::new(move |uploaded| match uploaded {
            Ok(attachment_id) => {
                let message = Writer::default()
                    .text("body", "")
                    .text("client_msg_id", &client_msg_id)
                    .raw("attachment_ids", &json::array([quoted(&attachment_id)]))
                    .finish();
                send("POST", message_url, &sender, message, done);
            }
            Err(failure) => done(Err(failure)),
        });
        call("POST", url, Some(token), Body::File(file), |j| j.id("id"), uploaded);
    }

    pub fn queue(&self, token: &str, conversation_id: &str, done: Done<Queue>) {
        call("GET", self.conversation(conversation_id, "/queue"), Some(token), Body::None, Queue::read, done);
    }

    pub fn rate(&self, token: &str, conversation_id: &str, score: u8, comment: Option<&str>, done: Done<()>) {
        let body = Writer::default().whole("score", i64::from(score)).maybe_text("comment", comment).finish();
        send("POST", self.conversation(conversation_id, "/rating"), token, body, done);
    }

    /// Mails the transcript to `email`, or to the visitor's known email when `None`;
    /// `true` when the address must be confirmed from its inbox first.
    pub fn transcript(&self, token: &str, conversation_id: &str, email: Option<&str>, done: Done<bool>) {
        let body = Writer::default().maybe_text("email", email).finish();
        let url = self.conversation(conversation_id, "/transcript");
        // `openapi::mail::TranscriptQueued`.
        let read = |queued: &JsValue| Some(queued.boolean("confirmation_required").unwrap_or(false));
        call("POST", url, Some(token), Body::Json(body), read, done);
    }

    pub fn identify(&self, token: &str, identity: &[(&str, Option<String>); 4], done: Done<()>) {
        let body = identity.iter().fold(Writer::default(), |w, (key, value)| w.maybe_text(key, value.as_deref()));
        send("POST", self.url("/identify"), token, body.finish(), done);
    }

    /// `body` is the JSON of an `openapi::widget::VisitorAttributes`, as the host page's
    /// `setAttributes` gave it (see `host`).
    pub fn set_attributes(&self, token: &str, body: String, done: Done<()>) {
        send("PATCH", self.url("/attributes"), token, body, done);
    }

    /// The face of an agent who wrote in the visitor's conversation.
    pub fn agent(&self, token: &str, agent_id: &str, done: Done<Face>) {
        call("GET", self.url(&["/agents/", agent_id].concat()), Some(token), Body::None, Face::read, done);
    }
}

fn quoted(text: &str) -> String {
    let json = Writer::default().text("x", text).finish();
    // `{"x":"…"}` → `"…"`: the writer's escaping, without a second one.
    json["{\"x\":".len()..json.len() - 1].to_owned()
}

/// Sends a request in the background and hands `done` its answer read with `read`. An
/// answer that does not read is treated like no answer (a proxy's error page, a cut
/// connection).
fn call<T: 'static>(
    method: &'static str,
    url: String,
    token: Option<&str>,
    body: Body,
    read: impl FnOnce(&JsValue) -> Option<T> + 'static,
    done: Done<T>,
) {
    let token = token.map(str::to_owned);
    let finish: Done<JsValue> =
        Box::new(move |answer| done(answer.and_then(|json| read(&json).ok_or(Failure::Network))));
    wasm_bindgen_futures::spawn_local(exchange(method, url, token, body, finish));
}

/// Sends a JSON body; the answer's body is not needed.
fn send(method: &'static str, url: String, token: &str, body: String, done: Done<()>) {
    call(method, url, Some(token), Body::Json(body), |_| Some(()), done);
}

/// The one future behind every call.
async fn exchange(method: &'static str, url: String, token: Option<String>, body: Body, done: Done<JsValue>) {
    let answer = match http::fetch(method, &url, token.as_deref(), body).await {
        Err(_) => Err(Failure::Network),
        Ok((status, text)) if !(200..300).contains(&status) => Err(refusal(status, &text)),
        Ok((_, text)) if text.is_empty() => Ok(JsValue::NULL),
        Ok((_, text)) => json::parse(&text).ok_or(Failure::Network),
    };
    done(answer);
}

fn refusal(status: u16, text: &str) -> Failure {
    let body = json::parse(text).and_then(|body| {
        Some(ErrorBody { code: body.text("code")?, message: body.text("message")?, field: body.text("field") })
    });
    let body = body.unwrap_or_else(|| ErrorBody {
        code: "unexpected".into(),
        message: ["HTTP ", &json::decimal(i64::from(status))].concat(),
        field: None,
    });
    Failure::Refused(status, body)
}

#[cfg(test)]
mod tests {
    use openapi::widget::{AgentFace, VisitorSession, WidgetSite};
    use serde_json::json;
    use uuid::Uuid;

    use super::*;

    #[test]
    fn reads_what_the_session_serialises_to() {
        let face = AgentFace { id: Uuid::from_u128(9), name: "Ada Lovelace".into(), picture_url: Some("/p".into()) };
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
            team: vec![face, AgentFace { id: Uuid::from_u128(10), name: "Bob".into(), picture_url: None }],
            typing_preview: true,
        };
        let session = VisitorSession {
            visitor_token: "vt_1".into(),
            visitor_id: Uuid::from_u128(1),
            site: site.clone(),
            conversation: None,
        };
        let read = Session::read(&serde_json::to_value(&session).unwrap()).expect("a session");
        assert_eq!(read.visitor_token, "vt_1");
        let expected = Site {
            name: "Acme".into(),
            color: "#123456".into(),
            greeting: "Hi".into(),
            agents_online: false,
            prechat_name: PrechatField::Required,
            prechat_email: PrechatField::Optional,
            offline_form: true,
            typical_reply_secs: Some(90),
            team: vec![
                Face {
                    id: Uuid::from_u128(9).to_string(),
                    name: "Ada Lovelace".into(),
                    picture_url: Some("/p".into()),
                },
                Face { id: Uuid::from_u128(10).to_string(), name: "Bob".into(), picture_url: None },
            ],
            typing_preview: true,
        };
        assert_eq!(read.site, expected);
        let quiet = WidgetSite { typical_reply_secs: None, prechat_name: PrechatField::Off, team: Vec::new(), ..site };
        let read = Session::read(&serde_json::to_value(VisitorSession { site: quiet, ..session }).unwrap()).unwrap();
        assert_eq!(
            (read.site.typical_reply_secs, read.site.prechat_name, read.site.team),
            (None, PrechatField::Off, vec![])
        );
        assert!(Session::read(&json!({"visitor_token": "vt_1"})).is_none(), "no site, no session");
    }

    #[test]
    fn reads_the_conversation_of_a_start() {
        assert_eq!(
            started(&json!({"conversation": {"id": Uuid::from_u128(7)}, "message": {}})),
            Some(Uuid::from_u128(7).to_string())
        );
        assert_eq!(started(&json!({"conversation": {"id": "not a uuid"}})), None);
    }

    #[test]
    fn writes_request_bodies_the_server_reads() {
        use openapi::widget::{NewVisitorConversation, VisitorSessionRequest};
        let first = FirstMessage { client_msg_id: "m-1", body: "Hello \"you\"", name: Some("Zoë"), email: None };
        let body = Writer::default()
            .text("body", first.body)
            .text("client_msg_id", first.client_msg_id)
            .maybe_text("name", first.name)
            .maybe_text("email", first.email)
            .finish();
        let parsed: NewVisitorConversation = serde_json::from_str(&body).unwrap();
        assert_eq!(
            parsed,
            NewVisitorConversation {
                body: "Hello \"you\"".into(),
                client_msg_id: "m-1".into(),
                name: Some("Zoë".into()),
                email: None
            }
        );
        let context = Context { timezone: Some("Europe/Paris".into()), language: Some("fr-FR".into()), screen: None };
        let body = Writer::default()
            .text("site_key", "pk_1")
            .maybe_text("visitor_token", None)
            .raw("context", &context.to_json());
        let parsed: VisitorSessionRequest = serde_json::from_str(&body.finish()).unwrap();
        let context = parsed.context.expect("a context");
        assert_eq!((context.timezone.as_deref(), context.screen), (Some("Europe/Paris"), None));
        assert_eq!(quoted("a\"b"), "\"a\\\"b\"");
    }
}
