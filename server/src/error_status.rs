//! Gives server-function errors a real HTTP status.
//!
//! server_fn answers every error with 500 and a `serverfnerror` header; the
//! body is our serialised `AppError`. Reading it back here maps every error,
//! including requests that failed to deserialise before reaching any
//! function body, to its status in one place. (The hydrated client treats
//! all of 400–599 as errors, so this changes nothing for it.)

use app::error::AppError;
use axum::{
    body::{to_bytes, Body},
    http::StatusCode,
    response::{IntoResponse, Response},
};

/// Error bodies are a short JSON enum; anything larger is not ours.
const MAX_ERROR_BODY: usize = 64 * 1024;

pub async fn map_server_fn_errors(res: Response) -> Response {
    let is_fn_error = res.status() == StatusCode::INTERNAL_SERVER_ERROR
        && res.headers().contains_key("serverfnerror");
    if !is_fn_error {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_ERROR_BODY).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "Internal error").into_response();
    };
    if let Some(status) = serde_json::from_slice::<AppError>(&bytes)
        .ok()
        .and_then(|e| StatusCode::from_u16(e.status()).ok())
    {
        parts.status = status;
    }
    Response::from_parts(parts, Body::from(bytes))
}
