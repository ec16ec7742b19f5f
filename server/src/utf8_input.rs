//! Refuses requests whose query string or form body does not decode to
//! valid UTF-8.
//!
//! Server functions read form fields through `form_urlencoded`, which
//! decodes an invalid percent-encoded sequence (`%FF`, the overlong `%C0%AF`)
//! to U+FFFD: a hostile client's bytes were stored as replacement
//! characters instead of being refused. This layer checks every field of
//! every form body and query string before anything reads them, so no
//! handler ever sees a lossily decoded field, and answers 400 with an
//! [`AppError`] the UI can show. Browsers never send such input: only
//! broken or hostile clients meet this.

use app::error::AppError;
use axum::{
    body::{to_bytes, Body},
    extract::Request,
    http::{header, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::startup::MAX_BODY_BYTES;

/// Checks the query string and, for form posts, the body; passes the
/// request on unchanged (the body re-assembled) when both are valid.
pub async fn utf8_only(req: Request, next: Next) -> Response {
    if let Some(field) = req.uri().query().and_then(invalid_field) {
        return refuse(&field);
    }
    if !is_form(&req) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    // The body limit layer outside has already refused anything larger.
    let Ok(bytes) = to_bytes(body, MAX_BODY_BYTES).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "Request too large.").into_response();
    };
    if let Some(field) =
        std::str::from_utf8(&bytes).map_or_else(|_| Some(String::new()), invalid_field)
    {
        return refuse(&field);
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

fn is_form(req: &Request) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';').next().is_some_and(|t| {
                t.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            })
        })
}

/// The name of the first field (`application/x-www-form-urlencoded`
/// syntax: `k=v&k=v`, `+` for space) whose name or value does not
/// percent-decode to valid UTF-8; `None` when all do. A field whose name
/// itself is undecodable is reported by its position.
pub fn invalid_field(encoded: &str) -> Option<String> {
    for (i, pair) in encoded.split('&').enumerate() {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        match decode(name) {
            None => return Some(format!("field {}", i + 1)),
            Some(name) if decode(value).is_none() => return Some(name),
            Some(_) => {}
        }
    }
    None
}

/// Percent-decodes one component strictly: `None` unless the bytes are
/// valid UTF-8 (which also rules out overlong forms and lone surrogates).
fn decode(component: &str) -> Option<String> {
    let bytes: Vec<u8> = percent_encoding::percent_decode(component.as_bytes())
        .map(|b| if b == b'+' { b' ' } else { b })
        .collect();
    String::from_utf8(bytes).ok()
}

fn refuse(field: &str) -> Response {
    let what = if field.is_empty() {
        "The request"
    } else {
        field
    };
    let error = AppError::BadRequest(format!("{what} is not valid text (UTF-8)."));
    let body = serde_json::to_string(&error).unwrap_or_default();
    let mut res = (StatusCode::BAD_REQUEST, body).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::invalid_field;

    #[test]
    fn valid_fields_pass() {
        assert_eq!(invalid_field(""), None);
        assert_eq!(invalid_field("body=hello+world&thread=1"), None);
        assert_eq!(invalid_field("body=%C3%A9t%C3%A9%F0%9F%98%80"), None);
        assert_eq!(invalid_field("flag&x="), None);
        // A literal '+' is %2B; a bare % that is not an escape stays as it is.
        assert_eq!(invalid_field("body=1%2B1%3D2&odd=100%"), None);
    }

    #[test]
    fn undecodable_values_and_names_are_found() {
        for bad in [
            "%FF%FE%C3%28",
            "%C0%AF",
            "%ED%A0%80",
            "%F8%88%80%80%80",
            "%C3",
            "%80",
        ] {
            assert_eq!(
                invalid_field(&format!("thread=1&body={bad}")).as_deref(),
                Some("body"),
                "{bad}"
            );
        }
        assert_eq!(invalid_field("ok=1&%FF=2").as_deref(), Some("field 2"));
    }
}
