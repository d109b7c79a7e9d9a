//! Agents' pictures: uploaded by the agent (or an admin) from the console, shown to
//! visitors beside replies and in the widget's header. Until one is uploaded the widget
//! shows initials.
//!
//! The picture is public on purpose (visitors see it without credentials, through a plain
//! `<img>`), versioned by its upload time so it is cached for good, and fenced like
//! attachments: checked against its magic bytes, `nosniff`, a sandboxing policy, and
//! `Cross-Origin-Resource-Policy: same-origin` so only Rapport's own pages show it.

use openapi::{error::ErrorBody, widget::AgentFace};
use poem::{
    IntoResponse, Response,
    http::{HeaderMap, header},
    web::Data,
};
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Path, Query},
    payload::{Binary, Json, Payload},
    registry::{MetaSchema, MetaSchemaRef},
};
use uuid::Uuid;

use crate::{
    api::ApiTags,
    attachments::content,
    auth::WorkspaceAuth,
    error::{ApiError, Error, Result},
    on_pool,
    state::AppState,
    store::{Store, now},
};

/// Pictures are shown at 28 to 40 px: this is plenty, and keeps what each visitor
/// downloads small.
pub const MAX_BYTES: usize = 256 * 1024;

/// The URL of an agent's picture, versioned by its upload time.
pub fn url(agent_id: Uuid, updated_at: i64) -> String {
    format!("/api/v1/agents/{agent_id}/picture?v={updated_at}")
}

/// The workspace's agents as visitors see them (the active ones only, or all), each with
/// whether they are active.
pub async fn faces(store: &Store, workspace_id: Uuid, only_active: bool) -> Result<Vec<(AgentFace, bool)>> {
    let rows: Vec<(Uuid, String, bool, Option<i64>)> = on_pool!(store, |pool| {
        sqlx::query_as(
            "SELECT a.id, a.name, a.active, p.updated_at FROM agents a
             LEFT JOIN agent_pictures p ON p.agent_id = a.id
             WHERE a.workspace_id = $1 AND (a.active OR NOT $2) ORDER BY a.id LIMIT 500",
        )
        .bind(workspace_id)
        .bind(only_active)
        .fetch_all(pool)
        .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(id, name, active, updated_at)| {
            (AgentFace { id, name, picture_url: updated_at.map(|at| url(id, at)) }, active)
        })
        .collect())
}

/// One agent's face, if they belong to the workspace (active or not: old replies keep
/// their author).
pub async fn face(store: &Store, workspace_id: Uuid, agent_id: Uuid) -> Result<AgentFace> {
    let row: Option<(String, Option<i64>)> = on_pool!(store, |pool| {
        sqlx::query_as(
            "SELECT a.name, p.updated_at FROM agents a LEFT JOIN agent_pictures p ON p.agent_id = a.id
             WHERE a.workspace_id = $1 AND a.id = $2",
        )
        .bind(workspace_id)
        .bind(agent_id)
        .fetch_optional(pool)
        .await
    })?;
    let (name, updated_at) = row.ok_or(Error::NotFound("agent"))?;
    Ok(AgentFace { id: agent_id, name, picture_url: updated_at.map(|at| url(agent_id, at)) })
}

pub struct AgentPictureApi;

/// An image's bytes. In the spec it is any binary content.
pub struct Image {
    content_type: String,
    bytes: Vec<u8>,
}

impl Payload for Image {
    const CONTENT_TYPE: &'static str = "application/octet-stream";

    fn check_content_type(_content_type: &str) -> bool {
        true
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema { format: Some("binary"), ..MetaSchema::new("string") }))
    }
}

impl IntoResponse for Image {
    fn into_response(self) -> Response {
        Response::builder().content_type(self.content_type).body(self.bytes)
    }
}

#[derive(ApiResponse)]
enum Uploaded {
    /// Stored; the agent's face with the new picture's URL.
    #[oai(status = 200)]
    Stored(Json<AgentFace>),
    /// Not an image Rapport shows (PNG, JPEG, GIF or WebP; `unsupported_type`), or the
    /// bytes are not what the `Content-Type` says (`content_mismatch`).
    #[oai(status = 415)]
    Refused(Json<ErrorBody>),
}

#[derive(ApiResponse)]
enum Removed {
    /// The picture is gone; visitors see initials again.
    #[oai(status = 204)]
    Done,
}

#[derive(ApiResponse)]
enum Picture {
    /// The picture, with its stored `Content-Type`.
    #[oai(status = 200)]
    Found(
        Image,
        /// Cached for a year under a versioned URL (`?v=`), five minutes otherwise.
        #[oai(header = "Cache-Control")]
        String,
        /// Always `nosniff`.
        #[oai(header = "X-Content-Type-Options")]
        String,
        /// Always `default-src 'none'; sandbox`.
        #[oai(header = "Content-Security-Policy")]
        String,
        /// `same-origin`: only Rapport's own pages (the widget's frame, the console) show it.
        #[oai(header = "Cross-Origin-Resource-Policy")]
        String,
    ),
}

/// Only the agent themselves, or an owner or admin, changes a picture.
fn may_change(auth: &WorkspaceAuth, agent_id: Uuid) -> Result<()> {
    let caller = auth.caller();
    if caller.agent_id()? == agent_id { Ok(()) } else { caller.require_admin() }
}

fn refused(code: &str, message: String) -> Uploaded {
    Uploaded::Refused(Json(ErrorBody { code: code.into(), message, field: None }))
}

#[OpenApi(prefix_path = "/agents", tag = "ApiTags::Agents")]
impl AgentPictureApi {
    /// Upload an agent's picture
    ///
    /// The request body is the image itself (PNG, JPEG, GIF or WebP, up to 256 KiB; a
    /// square of 96 px or more looks best), with its own `Content-Type`. The agent
    /// themselves, or an owner or admin. Larger gives 413 `too_large`; an empty body 422
    /// `empty_file`. Visitors see it beside the agent's replies and in the widget's header.
    #[oai(path = "/:agent_id/picture", method = "put", operation_id = "uploadAgentPicture")]
    async fn upload(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        headers: &HeaderMap,
        #[oai(example = "crate::api_examples::id")] agent_id: Path<Uuid>,
        body: Binary<Vec<u8>>,
    ) -> Result<Uploaded, ApiError> {
        may_change(&auth, *agent_id)?;
        let workspace_id = auth.caller().workspace_id;
        super::get(&state.store, workspace_id, *agent_id).await?;
        if body.0.len() > MAX_BYTES {
            return Err(ApiError::PayloadTooLarge(Json(ErrorBody {
                code: "too_large".into(),
                message: format!("pictures are limited to {MAX_BYTES} bytes"),
                field: None,
            })));
        }
        let declared = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
        let content_type = match content::check(declared, &body.0) {
            Ok(content_type) if content::is_image(content_type) => content_type,
            Ok(other) => {
                return Ok(refused(
                    "unsupported_type",
                    format!("{other} is not a picture: send PNG, JPEG, GIF or WebP"),
                ));
            }
            Err(content::Refusal::UnsupportedType(message)) => return Ok(refused("unsupported_type", message)),
            Err(content::Refusal::ContentMismatch(message)) => return Ok(refused("content_mismatch", message)),
            Err(content::Refusal::Empty) => {
                return Err(ApiError::UnprocessableEntity(Json(ErrorBody {
                    code: "empty_file".into(),
                    message: "the picture is empty".into(),
                    field: None,
                })));
            }
        };
        let updated_at = now().0;
        on_pool!(&state.store, |pool| {
            sqlx::query(
                "INSERT INTO agent_pictures (agent_id, workspace_id, content_type, bytes, updated_at)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (agent_id) DO UPDATE SET content_type = excluded.content_type, bytes = excluded.bytes,
                 updated_at = excluded.updated_at",
            )
            .bind(*agent_id)
            .bind(workspace_id)
            .bind(content_type)
            .bind(&body.0)
            .bind(updated_at)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })
        .map_err(Error::from)?;
        Ok(Uploaded::Stored(Json(face(&state.store, workspace_id, *agent_id).await?)))
    }

    /// Remove an agent's picture
    ///
    /// The agent themselves, or an owner or admin. Visitors see initials again.
    #[oai(path = "/:agent_id/picture", method = "delete", operation_id = "removeAgentPicture")]
    async fn remove(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        #[oai(example = "crate::api_examples::id")] agent_id: Path<Uuid>,
    ) -> Result<Removed, ApiError> {
        may_change(&auth, *agent_id)?;
        let workspace_id = auth.caller().workspace_id;
        super::get(&state.store, workspace_id, *agent_id).await?;
        on_pool!(&state.store, |pool| {
            sqlx::query("DELETE FROM agent_pictures WHERE agent_id = $1 AND workspace_id = $2")
                .bind(*agent_id)
                .bind(workspace_id)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })
        .map_err(Error::from)?;
        Ok(Removed::Done)
    }

    /// Download an agent's picture
    ///
    /// Public, like the picture on the agent's replies: no credentials (it is shown by
    /// `<img>` tags in the widget). 404 when the agent has none.
    #[oai(path = "/:agent_id/picture", method = "get", operation_id = "getAgentPicture")]
    async fn picture(
        &self,
        state: Data<&AppState>,
        #[oai(example = "crate::api_examples::id")] agent_id: Path<Uuid>,
        /// The version from `picture_url`; with it the answer is cached for a year.
        v: Query<Option<i64>>,
    ) -> Result<Picture, ApiError> {
        let row: Option<(String, Vec<u8>, i64)> = on_pool!(&state.store, |pool| {
            sqlx::query_as("SELECT content_type, bytes, updated_at FROM agent_pictures WHERE agent_id = $1")
                .bind(*agent_id)
                .fetch_optional(pool)
                .await
        })
        .map_err(Error::from)?;
        let (content_type, bytes, updated_at) = row.ok_or(Error::NotFound("picture"))?;
        let cache = if *v == Some(updated_at) { crate::static_files::IMMUTABLE } else { crate::static_files::SHORT };
        Ok(Picture::Found(
            Image { content_type, bytes },
            cache.into(),
            "nosniff".into(),
            "default-src 'none'; sandbox".into(),
            "same-origin".into(),
        ))
    }
}
