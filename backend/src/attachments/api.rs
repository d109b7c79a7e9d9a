//! Upload and download of attachments.
//!
//! Uploads are the raw file as the request body, with the file's own `Content-Type` and
//! its name in `filename` — what `fetch(url, {method: "POST", body: file})` sends, with
//! nothing to assemble. Downloads come in three doors with the same rules for headers:
//! the team's (session or API key), the visitor's (visitor token), and signed links for
//! `<img>` tags (see [`super::links`]).

use openapi::{attachments::Attachment, error::ErrorBody, messages::AuthorKind};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use poem::{IntoResponse, Response, http::HeaderMap, web::Data};
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Path, Query},
    payload::{Binary, Json, Payload},
    registry::{MetaSchema, MetaSchemaRef},
};
use uuid::Uuid;

use super::{AttachmentRow, Reader, Upload, content, storage};
use crate::{
    api::ApiTags,
    auth::{VisitorAuth, WorkspaceAuth},
    conversations,
    error::{ApiError, Error},
    messages::Author,
    state::AppState,
};

pub struct AttachmentsApi;

/// The answer to an upload.
#[derive(ApiResponse)]
pub enum Uploaded {
    /// Stored. Send it by naming its id in a message's `attachment_ids`; until then only
    /// its uploader (and the team) can fetch it.
    #[oai(status = 201)]
    Created(Json<Attachment>),
    /// Not a type Rapport accepts (`unsupported_type`: HTML, SVG, scripts, executables,
    /// unknown types), or the bytes are not what the `Content-Type` says
    /// (`content_mismatch`). Nothing was stored.
    #[oai(status = 415)]
    Refused(Json<ErrorBody>),
}

/// A file's bytes with its stored media type. In the spec it is any binary content.
pub struct FileContent {
    content_type: String,
    bytes: Vec<u8>,
}

impl Payload for FileContent {
    const CONTENT_TYPE: &'static str = "application/octet-stream";

    fn check_content_type(_content_type: &str) -> bool {
        true
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema { format: Some("binary"), ..MetaSchema::new("string") }))
    }
}

impl IntoResponse for FileContent {
    fn into_response(self) -> Response {
        Response::builder().content_type(self.content_type).body(self.bytes)
    }
}

/// A download, with headers that keep the browser from running or sniffing it.
#[derive(ApiResponse)]
pub enum Download {
    /// The file, with its stored `Content-Type`. PNG, JPEG, GIF and WebP are `inline`;
    /// everything else is `attachment` (a download, never rendered in Rapport's origin).
    #[oai(status = 200)]
    File(
        FileContent,
        /// `inline` or `attachment`, with the name as `filename*=UTF-8''…`.
        #[oai(header = "Content-Disposition")]
        String,
        /// Always `nosniff`: the browser must not guess another type.
        #[oai(header = "X-Content-Type-Options")]
        String,
        /// Always `default-src 'none'; sandbox`: nothing in the file may load or run anything.
        #[oai(header = "Content-Security-Policy")]
        String,
        /// Private: the file is for this reader only; its bytes never change.
        #[oai(header = "Cache-Control")]
        String,
        /// Only Rapport's own pages (console, widget frame) may embed it.
        #[oai(header = "Cross-Origin-Resource-Policy")]
        String,
    ),
}

/// RFC 8187 `attr-char`s pass; everything else is percent-encoded.
const FILENAME_STAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

impl Download {
    fn of(row: &AttachmentRow, bytes: Vec<u8>) -> Self {
        let disposition = if content::is_image(&row.content_type) { "inline" } else { "attachment" };
        let name = utf8_percent_encode(&row.filename, FILENAME_STAR);
        Self::File(
            FileContent { content_type: row.content_type.clone(), bytes },
            format!("{disposition}; filename*=UTF-8''{name}"),
            "nosniff".into(),
            "default-src 'none'; sandbox".into(),
            "private, max-age=3600, immutable".into(),
            "same-origin".into(),
        )
    }
}

/// Checks and stores an upload for `uploader` in a conversation they may use.
async fn upload(
    state: &AppState,
    workspace_id: Uuid,
    conversation_id: Uuid,
    uploader: Author,
    headers: &HeaderMap,
    filename: &str,
    bytes: Vec<u8>,
) -> Result<Uploaded, ApiError> {
    let max = state.settings.attachment_max_bytes;
    if bytes.len() > max {
        return Err(too_large(max));
    }
    let filename = content::filename(filename).map_err(|message| Error::invalid("filename", message))?;
    let declared = headers.get(poem::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    let content_type = match content::check(declared, &bytes) {
        Ok(content_type) => content_type,
        Err(content::Refusal::UnsupportedType(message)) => {
            return Ok(Uploaded::Refused(error("unsupported_type", message)));
        }
        Err(content::Refusal::ContentMismatch(message)) => {
            return Ok(Uploaded::Refused(error("content_mismatch", message)));
        }
        Err(content::Refusal::Empty) => {
            return Err(ApiError::UnprocessableEntity(Json(ErrorBody {
                code: "empty_file".into(),
                message: "the file is empty".into(),
                field: None,
            })));
        }
    };
    let upload = Upload { filename, content_type, bytes };
    let row =
        super::store(storage::blobs(state).as_ref(), &state.store, workspace_id, conversation_id, uploader, upload)
            .await?;
    Ok(Uploaded::Created(Json(row.to_wire())))
}

fn error(code: &str, message: String) -> Json<ErrorBody> {
    Json(ErrorBody { code: code.into(), message, field: None })
}

/// The answer for a file over the limit, also given by the body limit before the handler.
pub fn too_large(max: usize) -> ApiError {
    ApiError::PayloadTooLarge(error("too_large", format!("attachments are limited to {max} bytes")))
}

async fn download(state: &AppState, row: AttachmentRow) -> Result<Download, ApiError> {
    let bytes = storage::blobs(state).get(row.workspace_id, row.id).await?.ok_or(Error::NotFound("attachment"))?;
    Ok(Download::of(&row, bytes))
}

#[OpenApi(tag = "ApiTags::Attachments")]
impl AttachmentsApi {
    /// Upload an attachment as the team
    ///
    /// The request body is the file itself, with its own `Content-Type`; its name goes in
    /// `filename`. At most `RAPPORT_ATTACHMENT_MAX_BYTES` (10 MiB by default): larger
    /// gives 413 `too_large`; an empty file 422 `empty_file`. Accepted: PNG, JPEG, GIF,
    /// WebP, PDF, plain text, CSV, ZIP and office documents, each checked against its
    /// content. Send it afterwards with a message (`attachment_ids`).
    #[oai(path = "/conversations/:conversation_id/attachments", method = "post", operation_id = "uploadAttachment")]
    async fn upload_as_team(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        headers: &HeaderMap,
        #[oai(example = "crate::api_examples::id")] conversation_id: Path<Uuid>,
        /// The file's name, e.g. `invoice.pdf` (directories are dropped).
        #[oai(example = "crate::api_examples::filename")]
        filename: Query<String>,
        body: Binary<Vec<u8>>,
    ) -> Result<Uploaded, ApiError> {
        let caller = auth.caller();
        caller.require_write()?;
        conversations::get(&state.store, caller.workspace_id, *conversation_id).await?;
        upload(&state, caller.workspace_id, *conversation_id, Author::of(caller), headers, &filename, body.0).await
    }

    /// Download an attachment as the team
    ///
    /// Any attachment of the workspace's conversations, notes' included.
    #[oai(
        path = "/conversations/:conversation_id/attachments/:attachment_id",
        method = "get",
        operation_id = "downloadAttachment"
    )]
    async fn download_as_team(
        &self,
        state: Data<&AppState>,
        auth: WorkspaceAuth,
        #[oai(example = "crate::api_examples::id")] conversation_id: Path<Uuid>,
        #[oai(example = "crate::api_examples::id")] attachment_id: Path<Uuid>,
    ) -> Result<Download, ApiError> {
        let workspace_id = auth.caller().workspace_id;
        let row = super::find_for(&state.store, workspace_id, *conversation_id, *attachment_id, Reader::Team).await?;
        download(&state, row).await
    }

    /// Upload an attachment as the visitor
    ///
    /// Same body and limits as `uploadAttachment`, into one of the visitor's own
    /// conversations.
    #[oai(
        path = "/widget/conversations/:conversation_id/attachments",
        method = "post",
        operation_id = "uploadVisitorAttachment"
    )]
    async fn upload_as_visitor(
        &self,
        state: Data<&AppState>,
        auth: VisitorAuth,
        headers: &HeaderMap,
        #[oai(example = "crate::api_examples::id")] conversation_id: Path<Uuid>,
        /// The file's name, e.g. `screenshot.png` (directories are dropped).
        #[oai(example = "crate::api_examples::filename")]
        filename: Query<String>,
        body: Binary<Vec<u8>>,
    ) -> Result<Uploaded, ApiError> {
        let visitor = &auth.0;
        conversations::get_for_visitor(&state.store, visitor.workspace_id, visitor.visitor_id, *conversation_id)
            .await?;
        let uploader = Author { kind: AuthorKind::Visitor, id: Some(visitor.visitor_id) };
        upload(&state, visitor.workspace_id, *conversation_id, uploader, headers, &filename, body.0).await
    }

    /// Download an attachment as the visitor
    ///
    /// The visitor's own uploads, and files sent in their conversation except with
    /// internal notes. Anything else answers 404.
    #[oai(
        path = "/widget/conversations/:conversation_id/attachments/:attachment_id",
        method = "get",
        operation_id = "downloadVisitorAttachment"
    )]
    async fn download_as_visitor(
        &self,
        state: Data<&AppState>,
        auth: VisitorAuth,
        #[oai(example = "crate::api_examples::id")] conversation_id: Path<Uuid>,
        #[oai(example = "crate::api_examples::id")] attachment_id: Path<Uuid>,
    ) -> Result<Download, ApiError> {
        let visitor = &auth.0;
        conversations::get_for_visitor(&state.store, visitor.workspace_id, visitor.visitor_id, *conversation_id)
            .await?;
        let reader = Reader::Visitor(visitor.visitor_id);
        let row = super::find_for(&state.store, visitor.workspace_id, *conversation_id, *attachment_id, reader).await?;
        download(&state, row).await
    }

    /// Download an attachment by signed link
    ///
    /// The `url` of an attachment in a message or an upload answer: no credentials, the
    /// `token` proves the link was handed out by Rapport within the last hours. A wrong,
    /// expired or missing token answers 404, like an unknown file.
    #[oai(path = "/attachments/:attachment_id", method = "get", operation_id = "downloadAttachmentByLink")]
    async fn download_by_link(
        &self,
        state: Data<&AppState>,
        #[oai(example = "crate::api_examples::id")] attachment_id: Path<Uuid>,
        /// From the attachment's `url`.
        token: Query<Option<String>>,
    ) -> Result<Download, ApiError> {
        let row = super::find_by_id(&state.store, *attachment_id).await?;
        let row = row
            .filter(|row| token.as_deref().is_some_and(|token| super::links::verify(&row.signing_key, row.id, token)))
            .ok_or(Error::NotFound("attachment"))?;
        download(&state, row).await
    }
}
