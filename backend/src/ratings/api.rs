//! `/widget/conversations/{id}/rating`: the visitor rates their own conversation.

use openapi::ratings::{NewRating, Rating};
use poem::web::Data;
use poem_openapi::{OpenApi, param::Path, payload::Json};
use uuid::Uuid;

use crate::{api::ApiTags, auth::VisitorAuth, error::ApiError, state::AppState};

pub struct RatingsApi;

#[OpenApi(prefix_path = "/widget", tag = "ApiTags::Widget")]
impl RatingsApi {
    /// Rate a conversation
    ///
    /// The visitor's own conversations only; rating again replaces the earlier rating.
    /// Sends the `rating.submitted` webhook event, and an `updated` conversation frame
    /// with the rating to the team.
    #[oai(path = "/conversations/:conversation_id/rating", method = "post", operation_id = "rateVisitorConversation")]
    async fn rate(
        &self,
        state: Data<&AppState>,
        auth: VisitorAuth,
        #[oai(example = "crate::api_examples::id")] conversation_id: Path<Uuid>,
        body: Json<NewRating>,
    ) -> Result<Json<Rating>, ApiError> {
        let visitor = &auth.0;
        let rating = super::rate(&state.store, visitor, *conversation_id, &body).await?;
        Ok(Json(rating))
    }
}
