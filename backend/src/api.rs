//! The REST API under `/api/v1`: every resource's `OpenApi` impl, assembled into one
//! service whose spec is served at `/api/openapi.json` and committed as
//! `openapi/openapi.json`.

use poem_openapi::{OpenApiService, Tags};

use crate::{
    account, agents, api_keys, attachments, audit, business_hours, canned, conversations, labels, mail, messages,
    privacy, push, ratings, realtime, reports, routing, sites, teams, views, visitors, webhooks, widget, workspaces,
};

/// Groups of operations in the spec.
#[derive(Tags)]
pub enum ApiTags {
    /// Sign-up, sign-in, sign-out and the current agent.
    Auth,
    /// The workspace's agents.
    Agents,
    /// Teams of agents.
    Teams,
    /// Widget installations.
    Sites,
    /// API keys for integrations.
    ApiKeys,
    /// Website visitors.
    Visitors,
    /// Conversations between visitors and the team.
    Conversations,
    /// The waiting queue, claiming and transferring conversations.
    Routing,
    /// Saved replies agents expand with `/shortcut`.
    CannedResponses,
    /// Messages inside conversations.
    Messages,
    /// Files and images uploaded into conversations and sent with messages.
    Attachments,
    /// What the visitor widget calls, with a visitor token.
    Widget,
    /// Who is online (agents, and visitors per site).
    Presence,
    /// Email follow-up: the outbox, mail settings, replies by email.
    Mail,
    /// Signed webhook subscriptions and their delivery log.
    Webhooks,
    /// Figures over a range of days: volume, response times, CSAT, busiest hours, agents.
    Reports,
    /// Who changed what: agents, roles, keys, webhooks, sites, settings, erasures.
    Audit,
    /// The workspace's labels for conversations.
    Labels,
    /// Each agent's saved views (named filters over conversations).
    Views,
    /// Alerts for agents whose console is closed (Web Push).
    Notifications,
}

/// Declares [`Apis`] and the value [`all_apis`] from one list, so adding a resource's
/// operations is one line. Nested in groups because poem-openapi implements `OpenApi` for
/// tuples of up to 16.
macro_rules! apis {
    ($( ( $($api:path),* $(,)? ) ),* $(,)?) => {
        /// Every resource's operations.
        pub type Apis = ( $( ( $($api,)* ), )* );

        fn all_apis() -> Apis {
            ( $( ( $($api,)* ), )* )
        }
    };
}

apis!(
    (
        workspaces::api::AuthApi,
        account::api::AccountApi,
        account::api::PasswordResetApi,
        agents::api::AgentsApi,
        teams::api::TeamsApi,
        sites::api::SitesApi,
        api_keys::api::ApiKeysApi,
        visitors::api::VisitorsApi,
        conversations::api::ConversationsApi,
        messages::api::MessagesApi,
        widget::api::WidgetApi,
        widget::profile::WidgetProfileApi,
        widget::launcher::WidgetLauncherApi,
        widget::faces::WidgetFacesApi,
        realtime::api::PresenceApi,
    ),
    (
        routing::api::RoutingApi,
        routing::api::WidgetQueueApi,
        canned::api::CannedResponsesApi,
        mail::api::MailApi,
        mail::api::MailWidgetApi,
        webhooks::api::WebhooksApi,
        ratings::api::RatingsApi,
        attachments::api::AttachmentsApi,
        agents::picture::AgentPictureApi,
        reports::api::ReportsApi,
        audit::api::AuditApi,
        privacy::api::PrivacyApi,
    ),
    (labels::api::LabelsApi, views::api::ViewsApi, business_hours::api::BusinessHoursApi, push::api::PushApi,),
);

/// The API service. The spec's server is relative so the same document describes every
/// deployment (and the committed copy does not depend on configuration).
pub fn service() -> OpenApiService<Apis, ()> {
    OpenApiService::new(all_apis(), "Rapport API", env!("CARGO_PKG_VERSION"))
        .description(
            "REST API of Rapport, a self-hosted customer-support live chat. Authenticate with an \
             agent session (cookie or bearer) or a workspace API key (bearer); the widget uses a \
             visitor token. Every error has the body `ErrorBody` with a stable `code`.\n\n\
             **Retries.** Every POST accepts an `Idempotency-Key` header (1 to 255 visible \
             characters, e.g. a UUID): the first response to a (credential, key) pair is kept \
             for 24 hours, and the same request with the same key gets it again, marked \
             `Idempotent-Replayed: true`, instead of creating a second resource. The same key \
             with a different request is refused with 422 `idempotency_key_reused`; while the \
             first is still running, with 409 `idempotency_key_in_use`. Messages are also \
             idempotent on their `client_msg_id`.\n\n\
             **Pages.** Lists return `items` and a `next_cursor`; pass it as `cursor` for the \
             next page (stable while new items arrive).\n\n\
             **Limits.** Per-credential rate limits answer 429 `rate_limited` with \
             `Retry-After`; bodies over the size limit answer 413 `payload_too_large`. Sign-in, \
             sign-up, password resets and new widget sessions are throttled per client address \
             (and sign-in per account): 429 `too_many_attempts` with `Retry-After`. When the \
             server is too busy checking passwords it answers 503 `busy` with `Retry-After`.\n\n\
             **Cookies.** A request authenticated by the session cookie that changes anything \
             must come from Rapport's own pages (`Origin`, or `Sec-Fetch-Site: same-origin`): \
             otherwise 403 `origin_not_allowed` (`origin_required` without any `Origin`). A \
             request with a bearer token is answered as the bearer; the cookie is then ignored.",
        )
        .server("/api/v1")
}

/// The spec as pretty JSON, exactly as committed in `openapi/openapi.json`.
pub fn spec_json() -> String {
    let mut spec = service().spec();
    if !spec.ends_with('\n') {
        spec.push('\n');
    }
    spec
}

/// The AsyncAPI document of the WebSocket protocol, as committed in
/// `openapi/asyncapi.json` (pretty-printed, without a trailing newline).
pub fn asyncapi_json() -> String {
    serde_json::to_string_pretty(&openapi::asyncapi::document()).expect("a JSON value serialises")
}
