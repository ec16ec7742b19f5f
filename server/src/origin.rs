//! Refuses state-changing requests sent by another site's page.
//!
//! SameSite=Lax cookies already keep most cross-site posts
//! unauthenticated; this check makes it explicit and also covers the
//! WebSocket upgrade (a GET), which browsers send with cookies from any
//! page. Requests without an `Origin` header (curl, older browsers' same-site
//! form posts) pass: a browser always sends one on cross-site requests.

use axum::{
    extract::Request,
    http::{header, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

pub async fn same_origin_only(req: Request, next: Next) -> Response {
    let guarded = req.method() != Method::GET && req.method() != Method::HEAD
        || req.headers().contains_key(header::UPGRADE);
    if guarded {
        if let Some(origin) = req.headers().get(header::ORIGIN) {
            let host = req
                .headers()
                .get(header::HOST)
                .and_then(|h| h.to_str().ok());
            let ok = origin
                .to_str()
                .ok()
                .and_then(origin_host)
                .is_some_and(|o| Some(o) == host);
            if !ok {
                return (StatusCode::FORBIDDEN, "Cross-origin request refused.").into_response();
            }
        }
    }
    next.run(req).await
}

/// `https://host:port` → `host:port`; `null` and junk → None.
fn origin_host(origin: &str) -> Option<&str> {
    let rest = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))?;
    (!rest.is_empty() && !rest.contains('/')).then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_origins() {
        assert_eq!(origin_host("http://127.0.0.1:3000"), Some("127.0.0.1:3000"));
        assert_eq!(
            origin_host("https://parley.example"),
            Some("parley.example")
        );
        assert_eq!(origin_host("null"), None);
        assert_eq!(origin_host("http://"), None);
        assert_eq!(origin_host("http://a/b"), None);
    }
}
