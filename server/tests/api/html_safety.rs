//! User text outside the view's text nodes stays text (issue fault 2): a
//! corpus of payloads goes through a group's name (the `<title>` in
//! `<head>`, the header, the list, a system line), a message body (the
//! thread and the data embedded for hydration, `</script>` included) and an
//! avatar URL (an attribute), and the server's HTML carries no element
//! those payloads could have made.

use std::error::Error;

use crate::chat_helpers::User;
use crate::helpers::TestApp;

type TestResult = Result<(), Box<dyn Error>>;

/// Text that breaks out of one HTML context or another.
const PAYLOADS: &[&str] = &[
    "</title><img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "\"><svg onload=alert(1)>",
    "'><svg onload=alert(1)>",
    "javascript:alert(1)",
    "</script><script>alert(1)</script>",
    "<!-- <b>x</b>",
    "&lt;b&gt; &amp; &",
];

/// Elements a payload could make run script; a page must have exactly as
/// many as the same page had before any payload was stored.
const ACTIVE_TAGS: &[&str] = &[
    "script", "img", "svg", "iframe", "object", "embed", "title", "meta", "base", "link",
];

/// The names of the start tags in `html`, in order (a scanner, not a
/// parser: enough to count elements; escaped text has no `<` to find).
fn start_tags(html: &str) -> Vec<String> {
    html.split('<')
        .skip(1)
        .filter_map(|rest| {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            (!name.is_empty()).then_some(name)
        })
        .collect()
}

/// How many of each of [`ACTIVE_TAGS`] `html` has.
fn active_counts(html: &str) -> Vec<(&'static str, usize)> {
    let tags = start_tags(html);
    ACTIVE_TAGS
        .iter()
        .map(|t| (*t, tags.iter().filter(|n| n == t).count()))
        .collect()
}

/// The part of the page between `<head>` and `</head>`.
fn head(html: &str) -> Result<&str, Box<dyn Error>> {
    let start = html.find("<head>").ok_or("no <head>")?;
    let end = html.find("</head>").ok_or("no </head>")?;
    Ok(&html[start..end])
}

/// The raw text between `<title>` and the first `</title>`.
fn raw_title(html: &str) -> Result<&str, Box<dyn Error>> {
    let start = html.find("<title>").ok_or("no <title>")? + "<title>".len();
    let len = html[start..].find("</title>").ok_or("no </title>")?;
    Ok(&html[start..start + len])
}

/// Decodes the entities an HTML serialiser writes for text.
fn decode(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

async fn page(user: &User, path: &str) -> Result<String, Box<dyn Error>> {
    let res = user.get_page(path).await;
    if !res.status().is_success() {
        return Err(format!("{path}: {}", res.status()).into());
    }
    Ok(res.text().await?)
}

#[tokio::test]
async fn a_group_name_is_text_in_the_title_and_everywhere_else() -> TestResult {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    app.user("cyd").await;
    let group = ana.start_chat(&["bob", "cyd"]).await.id;
    let thread_path = format!("/chat/{group}");
    let res = ana.rename_res(&group, "Plain name").await;
    assert!(res.status().is_success(), "{}", res.status());
    let plain = page(&ana, &thread_path).await?;
    assert_eq!(raw_title(&plain)?, "Plain name · Parley");
    let plain_head = start_tags(head(&plain)?);
    let plain_counts = active_counts(&plain);
    let plain_list_counts = active_counts(&page(&ana, "/chat").await?);

    for payload in PAYLOADS {
        let res = ana.rename_res(&group, payload).await;
        assert!(res.status().is_success(), "renaming to {payload}");
        // Every member's page, the renamer's and another's.
        for user in [&ana, &bob] {
            let html = page(user, &thread_path).await?;
            let title = raw_title(&html)?;
            assert!(
                !title.contains('<'),
                "{payload}: raw <title>{title}</title>"
            );
            assert_eq!(decode(title), format!("{payload} · Parley"));
            assert_eq!(
                start_tags(head(&html)?),
                plain_head,
                "{payload}: the head gained or lost an element"
            );
            assert_eq!(active_counts(&html), plain_counts, "{payload}");
            // The header shows the name as text.
            assert!(
                html.contains(&format!(
                    r#"class="thread-title">{}<"#,
                    escape_text(payload)
                )),
                "{payload}: the header does not show the name as text"
            );
        }
        let list = page(&ana, "/chat").await?;
        assert_eq!(active_counts(&list), plain_list_counts, "{payload}: /chat");
    }
    Ok(())
}

#[tokio::test]
async fn a_message_is_text_in_the_thread_and_in_its_embedded_data() -> TestResult {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    ana.send(&dm, "hello").await;
    let path = format!("/chat/{dm}");
    let plain_counts = active_counts(&page(&bob, &path).await?);

    for payload in PAYLOADS {
        ana.send(&dm, payload).await;
    }
    let html = page(&bob, &path).await?;
    assert_eq!(active_counts(&html), plain_counts);
    for payload in PAYLOADS.iter().filter(|p| p.contains('<')) {
        assert!(
            !html.contains(payload),
            "{payload} is in the page as markup"
        );
    }
    // The bodies are in the page as text, and in the data the browser
    // hydrates from with `<` as a JS escape (inside the JSON's quotes,
    // in a single-quoted JS string literal), so `</script>` cannot end the
    // script element that carries them.
    assert!(html.contains(&escape_text("</script><script>alert(1)</script>")));
    assert!(
        html.contains(r#""\u003c/script>\u003cscript>alert(1)\u003c/script>""#),
        "the message is not in the embedded data"
    );
    Ok(())
}

/// Avatar URLs come from outside (the community site). Only `https:`
/// pictures and pictures of this site are shown; anything else (a
/// `javascript:` or `data:` URL, an attribute break-out) falls back to
/// the generated avatar.
#[tokio::test]
async fn an_avatar_url_is_shown_only_when_it_is_an_https_or_same_site_picture() -> TestResult {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    app.user("bob").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    let path = format!("/chat/{dm}");

    let unsafe_urls = [
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "\"><svg onload=alert(1)>",
        "//evil.example/a.png",
        "http://plain.example/a.png",
        "x.png",
    ];
    for url in unsafe_urls {
        set_avatar(&app, "bob", url).await?;
        let html = page(&ana, &path).await?;
        let imgs: Vec<&str> = html
            .match_indices("<img")
            .map(|(i, _)| &html[i..])
            .collect();
        assert!(
            imgs.is_empty(),
            "{url}: {:?}",
            imgs.first().map(|s| &s[..80.min(s.len())])
        );
        assert!(
            html.contains(r#"class="avatar avatar-md"#),
            "{url}: the generated avatar is not shown"
        );
    }
    for url in ["https://pics.example/bob.png", "/avatars/bob.png"] {
        set_avatar(&app, "bob", url).await?;
        let html = page(&ana, &path).await?;
        assert!(
            html.contains(&format!(r#"src="{url}""#)),
            "{url} is not shown"
        );
    }
    Ok(())
}

async fn set_avatar(app: &TestApp, username: &str, url: &str) -> TestResult {
    use sqlx::Connection;
    let mut db = app.db().await;
    let done = sqlx::query("UPDATE users SET avatar_url = $1 WHERE username = $2")
        .bind(url)
        .bind(username)
        .execute(&mut db)
        .await?;
    assert_eq!(done.rows_affected(), 1);
    db.close().await?;
    Ok(())
}

/// `text` as an HTML serialiser writes it in a text node.
fn escape_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
