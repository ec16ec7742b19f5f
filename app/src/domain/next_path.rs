//! The `next=` parameter that brings a user back after logging in. It comes
//! from the URL, so it is hostile: only same-site absolute paths survive,
//! which closes the open-redirect hole (`//evil.example`, `https://…`).

/// Where to go when `next` is missing or unsafe.
pub const DEFAULT_NEXT: &str = "/chat";

/// Returns `next` if it is a same-site path, else [`DEFAULT_NEXT`].
pub fn safe_next_path(next: Option<&str>) -> String {
    let Some(next) = next.map(str::trim).filter(|n| !n.is_empty()) else {
        return DEFAULT_NEXT.to_owned();
    };
    let bytes = next.as_bytes();
    let same_site = bytes.first() == Some(&b'/')
        && !matches!(bytes.get(1), Some(b'/') | Some(b'\\'))
        && next.len() <= 2048
        && !next.chars().any(|c| c.is_control() || c == '\\');
    if same_site {
        next.to_owned()
    } else {
        DEFAULT_NEXT.to_owned()
    }
}

/// `/login?next=<path>` with the path percent-encoded.
pub fn login_url(next: &str) -> String {
    format!("/login?next={}", encode_component(next))
}

/// `page` carrying `next` along, or plain `page` when `next` is the default.
pub fn with_next(page: &str, next: &str) -> String {
    if next == DEFAULT_NEXT {
        page.to_owned()
    } else {
        format!("{page}?next={}", encode_component(next))
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters and `/`
/// (kept readable: it is safe inside a query value).
fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_same_site_paths() {
        assert_eq!(safe_next_path(Some("/chat")), "/chat");
        assert_eq!(safe_next_path(Some("/chat/5f0c?x=1#m")), "/chat/5f0c?x=1#m");
    }

    #[test]
    fn falls_back_for_missing_or_foreign_targets() {
        for bad in [
            None,
            Some(""),
            Some("  "),
            Some("chat"),
            Some("//evil.example/x"),
            Some("/\\evil.example"),
            Some("https://evil.example"),
            Some("javascript:alert(1)"),
            Some("/chat\n/evil"),
        ] {
            assert_eq!(safe_next_path(bad), DEFAULT_NEXT, "{bad:?}");
        }
    }

    #[test]
    fn login_url_encodes_the_query() {
        assert_eq!(login_url("/chat"), "/login?next=/chat");
        assert_eq!(with_next("/register", "/chat"), "/register");
        assert_eq!(
            with_next("/register", "/chat/x y"),
            "/register?next=/chat/x%20y"
        );
        assert_eq!(login_url("/chat/abc"), "/login?next=/chat/abc");
        assert_eq!(
            login_url("/chat/a b?x=1&y=2"),
            "/login?next=/chat/a%20b%3Fx%3D1%26y%3D2"
        );
    }
}
