//! `/widget/identify` and `/widget/attributes`: what the host page says about its visitor,
//! forwarded by the widget (`Rapport('identify', …)`, `Rapport('setAttributes', …)`).

use openapi::{
    visitors::VisitorUpdate,
    widget::{IdentifyRequest, VisitorAttributes, VisitorIdentity},
};
use poem::web::Data;
use poem_openapi::{ApiResponse, OpenApi, payload::Json};

use crate::{
    api::ApiTags,
    auth::VisitorAuth,
    error::ApiError,
    sites,
    state::AppState,
    visitors::{
        self,
        identity::{self, Refusal},
    },
};

pub struct WidgetProfileApi;

#[derive(ApiResponse)]
enum AttributesSet {
    /// The attributes were merged into the visitor's.
    #[oai(status = 204)]
    Done,
}

#[OpenApi(prefix_path = "/widget", tag = "ApiTags::Widget")]
impl WidgetProfileApi {
    /// Identify the visitor
    ///
    /// Attaches the host page's user to this visitor. With `user_hash` =
    /// HMAC-SHA256(site identity secret, `user_id`) in hex the identity is verified. Errors:
    /// 403 `identity_rejected` when `user_hash` is wrong, 403 `identity_required` when the
    /// site requires identity and no `user_hash` was given, 409 `identity_conflict` when the
    /// visitor is already verified and the claim is unverified or names another user (an
    /// unverified identity is never merged into a verified one).
    #[oai(path = "/identify", method = "post", operation_id = "identifyVisitor")]
    async fn identify(
        &self,
        state: Data<&AppState>,
        auth: VisitorAuth,
        body: Json<IdentifyRequest>,
    ) -> Result<Json<VisitorIdentity>, ApiError> {
        let visitor = &auth.0;
        let site = sites::get(&state.store, visitor.workspace_id, visitor.site_id).await?;
        let claim = identity::parse(
            &site.identity_secret,
            site.require_identity,
            &body.user_id,
            body.email.as_deref(),
            body.name.as_deref(),
            body.user_hash.as_deref(),
        )?;
        let identity = match claim {
            Ok(identity) => identity,
            Err(Refusal::WrongHash) => {
                return Err(ApiError::forbidden(
                    "identity_rejected",
                    "user_hash does not match user_id: compute it on your server as the hex HMAC-SHA256 of user_id \
                     with the site's identity secret",
                ));
            }
            Err(Refusal::HashRequired) => {
                return Err(ApiError::forbidden(
                    "identity_required",
                    "this site requires verified identities: pass user_hash with user_id",
                ));
            }
        };
        identity::attach(&state.store, visitor.workspace_id, visitor.visitor_id, &identity).await?;
        Ok(Json(VisitorIdentity { user_id: identity.user_id, verified: identity.verified }))
    }

    /// Set custom attributes of the visitor
    ///
    /// Merged into the visitor's attributes; a key set to `null` is removed.
    #[oai(path = "/attributes", method = "patch", operation_id = "setVisitorAttributes")]
    async fn attributes(
        &self,
        state: Data<&AppState>,
        auth: VisitorAuth,
        body: Json<VisitorAttributes>,
    ) -> Result<AttributesSet, ApiError> {
        let visitor = &auth.0;
        let changes = VisitorUpdate { name: None, email: None, attributes: Some(body.0.attributes) };
        visitors::update(&state.store, visitor.workspace_id, visitor.visitor_id, &changes).await?;
        Ok(AttributesSet::Done)
    }
}
