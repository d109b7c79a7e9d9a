//! `/push/…`: the server's VAPID key, the signed-in agent's browsers that receive
//! pushes, and what they want to be alerted of while their console is closed.

use openapi::push::{NewPushSubscription, NotificationPreferences, PushSubscription, PushSubscriptionPage, VapidKey};
use poem::web::Data;
use poem_openapi::{ApiResponse, OpenApi, param::Path, payload::Json};
use uuid::Uuid;

use crate::{api::ApiTags, auth::WorkspaceAuth, error::ApiError, state::AppState};

pub struct PushApi;

#[derive(ApiResponse)]
enum Subscribed {
    /// This browser now receives the agent's alerts.
    #[oai(status = 201)]
    Created(Json<PushSubscription>),
}

#[derive(ApiResponse)]
enum Unsubscribed {
    /// The browser no longer receives alerts.
    #[oai(status = 204)]
    Done,
}

#[OpenApi(prefix_path = "/push", tag = "ApiTags::Notifications")]
impl PushApi {
    /// The server's VAPID public key
    ///
    /// Pass it as `applicationServerKey` to `pushManager.subscribe`.
    #[oai(path = "/key", method = "get", operation_id = "getVapidKey")]
    async fn key(&self, state: Data<&AppState>, auth: WorkspaceAuth) -> Result<Json<VapidKey>, ApiError> {
        auth.caller().agent_id()?;
        let vapid = super::vapid::Vapid::load_or_create(&state.store).await?;
        Ok(Json(VapidKey { public_key: vapid.public_key }))
    }

    /// My browsers that receive alerts
    #[oai(path = "/subscriptions", method = "get", operation_id = "listPushSubscriptions")]
    async fn list(&self, state: Data<&AppState>, auth: WorkspaceAuth) -> Result<Json<PushSubscriptionPage>, ApiError> {
        let items = super::subscriptions(&state.store, auth.caller()).await?;
        Ok(Json(PushSubscriptionPage { items, next_cursor: None }))
    }

    /// Receive alerts in this browser
    ///
    /// The body is what `PushSubscription.toJSON()` gives. While the agent has no
    /// console open, the browser is alerted of new conversations and of conversations
    /// assigned to them (see the preferences), with the visitor's name and words. The
    /// endpoint must be https (and public, like webhook URLs); keys that are not a
    /// P-256 point and a 16-byte secret are 422 `invalid_input`. Signed-in agents only.
    #[oai(path = "/subscriptions", method = "post", operation_id = "createPushSubscription")]
    async fn subscribe(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        body: Json<NewPushSubscription>,
    ) -> Result<Subscribed, ApiError> {
        let allow_private = state.settings.webhooks.allow_private;
        Ok(Subscribed::Created(Json(super::subscribe(&state.store, auth.caller(), &body, allow_private).await?)))
    }

    /// Stop alerts in a browser
    #[oai(path = "/subscriptions/:subscription_id", method = "delete", operation_id = "deletePushSubscription")]
    async fn unsubscribe(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        #[oai(example = "crate::api_examples::id")] subscription_id: Path<Uuid>,
    ) -> Result<Unsubscribed, ApiError> {
        super::unsubscribe(&state.store, auth.caller(), *subscription_id).await?;
        Ok(Unsubscribed::Done)
    }

    /// What I am alerted of
    #[oai(path = "/preferences", method = "get", operation_id = "getNotificationPreferences")]
    async fn preferences(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
    ) -> Result<Json<NotificationPreferences>, ApiError> {
        let agent_id = auth.caller().agent_id()?;
        Ok(Json(super::preferences(&state.store, agent_id).await?))
    }

    /// Choose what I am alerted of
    #[oai(path = "/preferences", method = "put", operation_id = "setNotificationPreferences")]
    async fn set_preferences(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        body: Json<NotificationPreferences>,
    ) -> Result<Json<NotificationPreferences>, ApiError> {
        Ok(Json(super::set_preferences(&state.store, auth.caller(), &body).await?))
    }
}
