//! Compressing what Rapport generates per request (API JSON, CSV reports, the spec, the
//! demo page) once it is worth it: [`THRESHOLD`] bytes or more, brotli when the client
//! takes it, else gzip.
//!
//! The front-ends' files are never compressed here: they come precompressed from the
//! build (`static_files`). WebSocket frames are not compressed either: the upgrade answer
//! has no body, and no `permessage-deflate` is negotiated (PROTOCOL.md), which keeps each
//! socket's memory small and its frames' sizes what the limits say.

use std::io::Write;

use poem::{
    Body, Endpoint, IntoResponse, Request, Response,
    http::{HeaderValue, StatusCode, header},
};

use crate::static_files::Accepts;

/// Below this, the bytes saved do not pay for the work (and a small JSON answer fits in a
/// packet anyway).
pub const THRESHOLD: usize = 1024;
/// Bodies larger than this are compressed on the blocking pool, off the async workers.
const INLINE_LIMIT: usize = 64 * 1024;
/// Fast levels: this runs on every large answer.
const BROTLI_QUALITY: u32 = 5;
const GZIP_LEVEL: u32 = 6;

pub async fn compress<E: Endpoint>(next: E, req: Request) -> poem::Result<Response> {
    let accepts = Accepts::from_headers(req.headers());
    let mut response = next.call(req).await?.into_response();
    if !compressible(&response) {
        return Ok(response);
    }
    let body = response.take_body().into_vec().await?;
    if body.len() < THRESHOLD {
        // `Accept-Encoding` played no part in this answer: no `Vary` (a page view's
        // launcher check counts its bytes).
        response.set_body(body);
        return Ok(response);
    }
    // Answers this large differ by `Accept-Encoding`.
    response.headers_mut().append(header::VARY, HeaderValue::from_static("accept-encoding"));
    if !accepts.brotli && !accepts.gzip {
        response.set_body(body);
        return Ok(response);
    }
    let brotli = accepts.brotli;
    let encoded = if body.len() > INLINE_LIMIT {
        tokio::task::spawn_blocking(move || encode(&body, brotli))
            .await
            .map_err(|err| poem::Error::from_string(err.to_string(), StatusCode::INTERNAL_SERVER_ERROR))?
    } else {
        encode(&body, brotli)
    };
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(if brotli { "br" } else { "gzip" }));
    headers.remove(header::CONTENT_LENGTH);
    response.set_body(Body::from(encoded));
    Ok(response)
}

/// Text Rapport generated, not yet encoded, with a body.
fn compressible(response: &Response) -> bool {
    let status = response.status();
    if status == StatusCode::SWITCHING_PROTOCOLS
        || status == StatusCode::NO_CONTENT
        || status == StatusCode::NOT_MODIFIED
    {
        return false;
    }
    if response.headers().contains_key(header::CONTENT_ENCODING) {
        return false;
    }
    let content_type = response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let media = content_type.split(';').next().unwrap_or_default().trim();
    media == "application/json" || media.starts_with("text/")
}

fn encode(body: &[u8], brotli: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() / 3);
    if brotli {
        let mut writer = brotli::CompressorWriter::new(&mut out, 4096, BROTLI_QUALITY, 22);
        // Writing into a Vec cannot fail.
        let _ = writer.write_all(body);
        drop(writer);
    } else {
        let mut writer = flate2::write::GzEncoder::new(&mut out, flate2::Compression::new(GZIP_LEVEL));
        let _ = writer.write_all(body);
        let _ = writer.finish();
    }
    out
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    #[test]
    fn both_encodings_round_trip() {
        let body = "{\"items\":[".to_owned() + &"{\"id\":1,\"body\":\"hello\"},".repeat(200) + "{}]}";
        let br = super::encode(body.as_bytes(), true);
        let mut decoded = Vec::new();
        brotli::Decompressor::new(br.as_slice(), 4096).read_to_end(&mut decoded).unwrap();
        assert_eq!(decoded, body.as_bytes());
        assert!(br.len() < body.len() / 10, "{} of {}", br.len(), body.len());
        let gz = super::encode(body.as_bytes(), false);
        let mut decoded = String::new();
        flate2::read::GzDecoder::new(gz.as_slice()).read_to_string(&mut decoded).unwrap();
        assert_eq!(decoded, body);
    }
}
