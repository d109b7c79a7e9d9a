//! Request body size limit, with or without `Content-Length`.
//!
//! poem's own `SizeLimit` refuses requests without `Content-Length` outright (bodiless
//! GETs included); this one checks the header when present and otherwise counts bytes
//! as the body streams in.

use poem::{Body, Endpoint, Request, Response, error::ReadBodyError, http::StatusCode, IntoResponse};

fn too_large(max: usize) -> poem::Error {
    poem::Error::from_string(format!("request body larger than {max} bytes"), StatusCode::PAYLOAD_TOO_LARGE)
}

pub async fn limit<E: Endpoint>(next: E, mut req: Request, max: usize) -> poem::Result<Response> {
    let declared = req
        .headers()
        .get(poem::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    match declared {
        Some(length) if length > max => return Err(too_large(max)),
        Some(_) => {}
        None if req.headers().contains_key(poem::http::header::TRANSFER_ENCODING) => {
            let bytes = req.take_body().into_bytes_limit(max).await.map_err(|err| match err {
                ReadBodyError::PayloadTooLarge => too_large(max),
                other => poem::Error::from_string(other.to_string(), StatusCode::BAD_REQUEST),
            })?;
            req.set_body(Body::from(bytes));
        }
        None => {}
    }
    next.call(req).await.map(IntoResponse::into_response)
}
