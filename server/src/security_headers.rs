//! Two headers that every response gets here, in one layer:
//!
//! - **Content-Security-Policy** ([`policy`]): scripts run only from this
//!   site or with the response's nonce, so markup that slipped into a page
//!   cannot run. The nonce is made here, per response, and handed to the
//!   Leptos render through the request ([`provide_request_nonce`]), which
//!   writes it on the inline scripts it emits (`HydrationScripts`), so the
//!   header and the scripts always agree. A page rendered without it has
//!   scripts the browser refuses: a mistake shows at once, not as a hole.
//! - **Cache-Control: no-store** ([`must_not_be_stored`]) on every page and
//!   every `/api/` answer (server functions, their errors and redirects,
//!   the live socket): they carry one person's chats, which no shared
//!   cache and no back button after logging out may show to another.
//!   Static files keep the caching their own service gives them.

use axum::{
    extract::Request,
    http::{header, request::Parts, HeaderMap, HeaderValue, StatusCode},
    middleware::Next,
    response::Response,
};
use leptos::{
    nonce::Nonce,
    prelude::{provide_context, use_context},
};

/// Adds both headers; the nonce goes into the request's extensions for
/// [`provide_request_nonce`].
pub async fn set(mut req: Request, next: Next) -> Response {
    let nonce = Nonce::new();
    let api = is_api_path(req.uri().path());
    req.extensions_mut().insert(nonce.clone());
    let mut res = next.run(req).await;

    let no_store = must_not_be_stored(api, res.status(), res.headers());
    let headers = res.headers_mut();
    match HeaderValue::try_from(policy(&nonce, dev_reload())) {
        Ok(csp) => {
            headers.insert(header::CONTENT_SECURITY_POLICY, csp);
        }
        // A nonce is URL-safe base64, so this cannot happen; if it did,
        // the page would go out without a policy rather than not at all.
        Err(e) => tracing::error!("cannot write the Content-Security-Policy: {e}"),
    }
    if no_store {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// Gives the Leptos render of this request the nonce that [`set`] put in
/// its policy, in place of the one `leptos_axum` makes (which no header
/// names). Call it in the additional-context closure of every Leptos
/// handler; outside a request it does nothing.
pub fn provide_request_nonce() {
    let nonce = use_context::<Parts>().and_then(|parts| parts.extensions.get::<Nonce>().cloned());
    if let Some(nonce) = nonce {
        provide_context(nonce);
    }
}

/// The Content-Security-Policy of a response whose inline scripts carry
/// `nonce`.
///
/// - `script-src`: this site's files (`/pkg`), inline scripts with the
///   nonce, and `'wasm-unsafe-eval'`, which compiling WebAssembly needs; no
///   `'unsafe-inline'`, no `eval`.
/// - `style-src 'self'`: the stylesheet only; no inline styles (avatars
///   are coloured by class).
/// - `img-src 'self' https:`: stickers and the favicon, and avatar pictures,
///   which are `https://` URLs of any host (see `domain::safe_image_url`).
/// - `connect-src 'self'`: server functions, the bundle, and the live
///   socket (`ws:`/`wss:` of the same host, which `'self'` covers).
/// - `form-action 'self'`: the forms that work without JavaScript.
/// - nothing else may load (`default-src 'none'`), be embedded
///   (`object-src`), re-base relative URLs (`base-uri`) or frame Parley
///   (`frame-ancestors`).
///
/// `dev_reload`: under `cargo leptos watch`, whose reload script talks to
/// a socket on another port, `connect-src` also allows `ws:`.
pub fn policy(nonce: &str, dev_reload: bool) -> String {
    let reload = if dev_reload { " ws:" } else { "" };
    format!(
        "default-src 'none'; \
         script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; \
         img-src 'self' https:; \
         connect-src 'self'{reload}; \
         form-action 'self'; \
         object-src 'none'; \
         base-uri 'none'; \
         frame-ancestors 'none'"
    )
}

/// Whether this server runs under `cargo leptos watch` (which sets
/// `LEPTOS_WATCH`, as Leptos's own `AutoReload` reads it).
fn dev_reload() -> bool {
    std::env::var_os("LEPTOS_WATCH").is_some()
}

fn is_api_path(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// Whether a response may carry one person's data, so no cache may keep
/// it: every `/api/` answer (`api`), whatever its status; every HTML page
/// (the 404 page included); every redirect (a page's redirect depends on
/// the session). A `304 Not Modified` is a static file's validator answer
/// and stays as it is, as do the other static files.
pub fn must_not_be_stored(api: bool, status: StatusCode, headers: &HeaderMap) -> bool {
    let html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.trim_start().to_ascii_lowercase().starts_with("text/html"));
    let redirect = status.is_redirection() && status != StatusCode::NOT_MODIFIED;
    api || html || redirect
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(content_type: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_str(content_type).unwrap_or(HeaderValue::from_static("x/x")),
        );
        h
    }

    #[test]
    fn pages_api_answers_and_redirects_are_not_stored() {
        let ok = StatusCode::OK;
        assert!(must_not_be_stored(
            false,
            ok,
            &typed("text/html; charset=utf-8")
        ));
        assert!(must_not_be_stored(
            false,
            StatusCode::NOT_FOUND,
            &typed("text/html")
        ));
        assert!(must_not_be_stored(true, ok, &typed("application/json")));
        assert!(must_not_be_stored(
            true,
            StatusCode::PAYLOAD_TOO_LARGE,
            &HeaderMap::new()
        ));
        assert!(must_not_be_stored(
            false,
            StatusCode::FOUND,
            &HeaderMap::new()
        ));
        assert!(must_not_be_stored(
            false,
            StatusCode::SEE_OTHER,
            &HeaderMap::new()
        ));
    }

    #[test]
    fn static_files_keep_their_caching() {
        assert!(!must_not_be_stored(
            false,
            StatusCode::OK,
            &typed("image/svg+xml")
        ));
        assert!(!must_not_be_stored(
            false,
            StatusCode::OK,
            &typed("text/javascript")
        ));
        assert!(!must_not_be_stored(
            false,
            StatusCode::OK,
            &typed("application/wasm")
        ));
        assert!(!must_not_be_stored(
            false,
            StatusCode::NOT_MODIFIED,
            &HeaderMap::new()
        ));
    }

    #[test]
    fn api_paths() {
        assert!(is_api_path("/api/send_message"));
        assert!(is_api_path("/api/live"));
        assert!(is_api_path("/api"));
        assert!(!is_api_path("/apiary"));
        assert!(!is_api_path("/pkg/parley.js"));
    }

    #[test]
    fn the_policy_allows_no_inline_script_without_the_nonce() {
        let p = policy("abc123", false);
        assert!(p.contains("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval';"));
        assert!(!p.contains("unsafe-inline"));
        assert!(p.contains("connect-src 'self';"));
        for d in [
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ] {
            assert!(p.contains(d), "{d}");
        }
        assert!(policy("abc123", true).contains("connect-src 'self' ws:;"));
    }
}
