//! User text bound for HTML that the view macro does not write itself: the
//! page title (written by leptos_meta) and URLs that go into attributes.
//! Text nodes and attribute values written by `view!` are escaped by
//! tachys; these are the places it does not cover.

/// `text` with `&`, `<` and `>` written as entities: safe as the text of
/// any element, `<title>` included (whose content ends only at
/// `</title>`, so `<` is the one character that matters there).
pub fn escape_html_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// The longest picture URL shown; a longer one is not a real avatar.
const IMAGE_URL_MAX: usize = 2048;

/// `url` when it is a picture the browser may load for an avatar: an
/// absolute `https://` URL or a path on this site (`/…`, not `//host`).
/// Anything else (`javascript:`, `data:`, `http:`, a protocol-relative or
/// relative URL, whitespace or control characters that browsers strip
/// before reading the scheme) is `None`, and the generated avatar shows.
/// Avatar URLs come from outside Parley (the community site's profile).
pub fn safe_image_url(url: &str) -> Option<&str> {
    if url.is_empty()
        || url.len() > IMAGE_URL_MAX
        || url
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
    {
        return None;
    }
    let https = url
        .get(..8)
        .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
        && url.len() > 8;
    let same_site = url.starts_with('/') && !url.starts_with("//");
    (https || same_site).then_some(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_ends_or_starts_markup() {
        assert_eq!(
            escape_html_text("</title><img src=x onerror=alert(1)>"),
            "&lt;/title&gt;&lt;img src=x onerror=alert(1)&gt;"
        );
        assert_eq!(escape_html_text("&lt; & é"), "&amp;lt; &amp; é");
        assert_eq!(escape_html_text("\"quoted\" 'too'"), "\"quoted\" 'too'");
        assert_eq!(escape_html_text("Plain · Parley"), "Plain · Parley");
    }

    #[test]
    fn keeps_https_and_same_site_pictures() {
        for good in [
            "https://pics.example/a.png",
            "HTTPS://pics.example/a.png?s=64&x=1",
            "/avatars/a.png",
            "/stickers/otter.svg",
        ] {
            assert_eq!(safe_image_url(good), Some(good), "{good}");
        }
    }

    #[test]
    fn refuses_every_other_url() {
        for bad in [
            "",
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            " javascript:alert(1)",
            "java\tscript:alert(1)",
            "data:image/svg+xml,<svg onload=alert(1)>",
            "vbscript:msgbox(1)",
            "http://pics.example/a.png",
            "//evil.example/a.png",
            "/\\evil.example/a.png",
            "a.png",
            "https://",
            "https://x.example/a b.png",
            "\"><svg onload=alert(1)>",
        ] {
            assert_eq!(safe_image_url(bad), None, "{bad:?}");
        }
        assert_eq!(safe_image_url(&format!("/{}", "a".repeat(3000))), None);
    }
}
