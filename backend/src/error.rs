//! Errors: one domain error for the library, one HTTP error for the API.
//!
//! Domain code returns [`Error`]; handlers turn it into [`ApiError`], whose variants are
//! the documented error responses of every operation. Internal failures are logged with
//! their detail and answered with a generic body: clients never see SQL or a backtrace.

use openapi::error::ErrorBody;
use poem::{IntoResponse, Response, http::StatusCode};
use poem_openapi::{ApiResponse, payload::Json};

/// What can go wrong in the domain layer.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The thing does not exist in the caller's workspace (or is not theirs to see: both
    /// answer the same so that ids of other tenants leak nothing).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Input that parsed but makes no sense.
    #[error("{message}")]
    Invalid { field: Option<&'static str>, message: String },
    /// A query parameter that cannot be understood (a malformed date, an impossible
    /// range), answered 400 with its own `code` so clients can tell which.
    #[error("{message}")]
    BadQuery { code: &'static str, field: &'static str, message: String },
    /// The request clashes with what is stored.
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Unauthorized(String),
    /// Too many attempts from this client address or at this account (sign-in, sign-up,
    /// password reset, widget sessions): answered 429 with `Retry-After`.
    #[error("{message}")]
    Throttled { message: String, retry_after_secs: u64 },
    /// The server cannot take this work now (password hashing queue full): answered 503
    /// with `Retry-After`.
    #[error("{message}")]
    Busy { message: String, retry_after_secs: u64 },
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("{0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid { field: Some(field), message: message.into() }
    }
    pub fn bad_query(code: &'static str, field: &'static str, message: impl Into<String>) -> Self {
        Self::BadQuery { code, field, message: message.into() }
    }
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::Conflict { code, message: message.into() }
    }
}

/// The error responses of the REST API; every operation may answer with these.
#[derive(ApiResponse, Debug)]
pub enum ApiError {
    /// The request could not be parsed: malformed JSON, a wrong type, a missing field or
    /// parameter (`malformed_request`), or a query parameter that makes no sense (e.g.
    /// `invalid_date`, `invalid_range`, `range_too_long` for reports, with `field`).
    #[oai(status = 400)]
    BadRequest(Json<ErrorBody>),
    /// Missing, invalid or expired credentials (`unauthorized`).
    #[oai(status = 401)]
    Unauthorized(Json<ErrorBody>),
    /// Valid credentials without the right to do this (`forbidden`, `signup_closed`), or a
    /// request with the session cookie that does not come from Rapport's own pages
    /// (`origin_not_allowed`, `origin_required`).
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// No such resource in the caller's workspace (`not_found`).
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
    /// The request clashes with stored data, e.g. an email already in use (`conflict`,
    /// `email_taken`, `site_has_conversations`…).
    #[oai(status = 409)]
    Conflict(Json<ErrorBody>),
    /// The body is larger than the server accepts (`payload_too_large`).
    #[oai(status = 413)]
    PayloadTooLarge(Json<ErrorBody>),
    /// Well-formed input that is not acceptable, e.g. a short password or a bad origin
    /// (`invalid_input`, with `field`).
    #[oai(status = 422)]
    UnprocessableEntity(Json<ErrorBody>),
    /// Too many requests (`rate_limited`), or too many attempts from this address or at
    /// this account (`too_many_attempts`); retry after `Retry-After` seconds.
    #[oai(status = 429)]
    TooManyRequests(Json<ErrorBody>, #[oai(header = "Retry-After")] Option<u64>),
    /// Something failed on the server (`internal`); the detail is in the server log.
    #[oai(status = 500)]
    Internal(Json<ErrorBody>),
    /// The server is too busy to do this now (`busy`, e.g. checking passwords); retry
    /// after `Retry-After` seconds.
    #[oai(status = 503)]
    ServiceUnavailable(Json<ErrorBody>, #[oai(header = "Retry-After")] Option<u64>),
}

fn body(code: &str, message: impl Into<String>, field: Option<&str>) -> Json<ErrorBody> {
    Json(ErrorBody { code: code.to_owned(), message: message.into(), field: field.map(str::to_owned) })
}

impl From<Error> for ApiError {
    fn from(err: Error) -> Self {
        match err {
            Error::NotFound(what) => Self::NotFound(body("not_found", format!("{what} not found"), None)),
            Error::Invalid { field, message } => Self::UnprocessableEntity(body("invalid_input", message, field)),
            Error::BadQuery { code, field, message } => Self::BadRequest(body(code, message, Some(field))),
            Error::Conflict { code, message } => Self::Conflict(body(code, message, None)),
            Error::Forbidden(message) => Self::Forbidden(body("forbidden", message, None)),
            Error::Unauthorized(message) => Self::Unauthorized(body("unauthorized", message, None)),
            Error::Throttled { message, retry_after_secs } => {
                Self::TooManyRequests(body("too_many_attempts", message, None), Some(retry_after_secs))
            }
            Error::Busy { message, retry_after_secs } => {
                Self::ServiceUnavailable(body("busy", message, None), Some(retry_after_secs))
            }
            Error::Database(err) => {
                tracing::error!(error = %err, "database error");
                Self::internal()
            }
            Error::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                Self::internal()
            }
        }
    }
}

impl ApiError {
    /// The body alone, for channels that are not HTTP (socket error frames).
    pub fn into_body(self) -> ErrorBody {
        match self {
            Self::BadRequest(Json(body))
            | Self::Unauthorized(Json(body))
            | Self::Forbidden(Json(body))
            | Self::NotFound(Json(body))
            | Self::Conflict(Json(body))
            | Self::PayloadTooLarge(Json(body))
            | Self::UnprocessableEntity(Json(body))
            | Self::TooManyRequests(Json(body), _)
            | Self::Internal(Json(body))
            | Self::ServiceUnavailable(Json(body), _) => body,
        }
    }

    pub fn internal() -> Self {
        Self::Internal(body("internal", "something went wrong on the server; it has been logged", None))
    }
    pub fn forbidden(code: &str, message: impl Into<String>) -> Self {
        Self::Forbidden(body(code, message, None))
    }
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::Unauthorized(body("unauthorized", message, None))
    }
    /// A 400 with its own `code`, for a request missing something the operation needs.
    pub fn bad_request(code: &str, message: impl Into<String>, field: &str) -> Self {
        Self::BadRequest(body(code, message, Some(field)))
    }
}

/// Turns every error that reaches the edge — including the framework's own (bad JSON,
/// unknown route, missing credentials, oversize body) — into the one JSON error body.
/// Our own [`ApiError`] responses are already JSON and pass through unchanged.
pub async fn render(err: poem::Error) -> Response {
    let status = err.status();
    let message = err.to_string();
    let response = err.into_response();
    let is_json = response
        .headers()
        .get(poem::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"));
    if is_json {
        return response;
    }
    let code = match status {
        StatusCode::BAD_REQUEST => "malformed_request",
        StatusCode::UNAUTHORIZED => "unauthorized",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::TOO_MANY_REQUESTS => "rate_limited",
        StatusCode::SERVICE_UNAVAILABLE => "busy",
        s if s.is_server_error() => "internal",
        _ => "malformed_request",
    };
    let message = if status.is_server_error() {
        tracing::error!(%status, %message, "unhandled server error");
        "something went wrong on the server; it has been logged".to_owned()
    } else if status == StatusCode::UNAUTHORIZED {
        // The framework's own text ("authorization error") does not say what to do.
        "sign in (session cookie or bearer token) or send an API key as a bearer token".to_owned()
    } else if message.is_empty() {
        status.canonical_reason().unwrap_or("error").to_owned()
    } else {
        message
    };
    let mut response = body(code, message, None).into_response();
    response.set_status(status);
    response
}
