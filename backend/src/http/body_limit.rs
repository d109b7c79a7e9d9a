//! Request body size limit, with or without `Content-Length`.
//!
//! poem's own `SizeLimit` refuses requests without `Content-Length` outright (bodiless
//! GETs included); this one checks the header when present and otherwise counts bytes
//! as the body streams in.
//!
//! Attachment uploads (`POST …/attachments`) are files, not JSON: they get their own,
//! usually larger limit (`RAPPORT_ATTACHMENT_MAX_BYTES`) and the upload's `too_large` error.
//! Inbound mail (`POST /inbound/email`) is limited by its handler ([`crate::mail::inbound`]).

use poem::{
    Body, Endpoint, IntoResponse, Request, Response,
    error::ReadBodyError,
    http::{Method, StatusCode},
};

/// The limits to apply.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Every request body but uploads.
    pub max_body: usize,
    /// Attachment uploads.
    pub max_upload: usize,
}

fn too_large(max: usize, upload: bool) -> poem::Error {
    if upload {
        return poem::Error::from_response(crate::attachments::api::too_large(max).into_response());
    }
    poem::Error::from_string(format!("request body larger than {max} bytes"), StatusCode::PAYLOAD_TOO_LARGE)
}

pub async fn limit<E: Endpoint>(next: E, mut req: Request, limits: Limits) -> poem::Result<Response> {
    // Inbound mail has its own, larger limit, counted as it streams in by its handler
    // (after the credential is checked, so nothing is buffered for strangers).
    if req.method() == Method::POST && req.uri().path().ends_with("/inbound/email") {
        return next.call(req).await.map(IntoResponse::into_response);
    }
    let upload = req.method() == Method::POST && req.uri().path().ends_with("/attachments");
    let max = if upload { limits.max_upload } else { limits.max_body };
    let declared = req
        .headers()
        .get(poem::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    match declared {
        Some(length) if length > max => return Err(too_large(max, upload)),
        Some(_) => {}
        None if req.headers().contains_key(poem::http::header::TRANSFER_ENCODING) => {
            let bytes = req.take_body().into_bytes_limit(max).await.map_err(|err| match err {
                ReadBodyError::PayloadTooLarge => too_large(max, upload),
                other => poem::Error::from_string(other.to_string(), StatusCode::BAD_REQUEST),
            })?;
            req.set_body(Body::from(bytes));
        }
        None => {}
    }
    next.call(req).await.map(IntoResponse::into_response)
}
