//! The headers that keep a page's scripts its own and a user's data out of
//! caches (issue faults 3 and 4): a Content-Security-Policy whose nonce is
//! the one on the page's inline scripts, and `Cache-Control: no-store` on
//! every page and every `/api/` answer, redirects and errors included.

use std::error::Error;

use reqwest::{header, Response, StatusCode};

use crate::chat_helpers::{client_id, User};
use crate::helpers::TestApp;

type TestResult = Result<(), Box<dyn Error>>;

/// A policy's directives: name → its sources.
fn directives(policy: &str) -> Vec<(String, Vec<String>)> {
    policy
        .split(';')
        .filter_map(|d| {
            let mut words = d.split_whitespace();
            let name = words.next()?.to_ascii_lowercase();
            Some((name, words.map(str::to_owned).collect()))
        })
        .collect()
}

fn sources<'a>(policy: &'a [(String, Vec<String>)], name: &str) -> Option<&'a [String]> {
    policy
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, s)| s.as_slice())
}

/// Checks the page's policy and returns its nonce after checking that
/// every `<script>` of the page carries it.
async fn checked_csp(res: Response) -> Result<String, Box<dyn Error>> {
    let url = res.url().to_string();
    let policy = res
        .headers()
        .get(header::CONTENT_SECURITY_POLICY)
        .ok_or_else(|| format!("{url}: no Content-Security-Policy"))?
        .to_str()?
        .to_owned();
    let parsed = directives(&policy);
    let script = sources(&parsed, "script-src").ok_or("no script-src")?;
    let nonce = script
        .iter()
        .find_map(|s| s.strip_prefix("'nonce-")?.strip_suffix('\''))
        .ok_or_else(|| format!("{url}: script-src has no nonce: {policy}"))?
        .to_owned();
    assert!(nonce.len() >= 16, "a short nonce: {nonce}");
    for forbidden in [
        "'unsafe-inline'",
        "'unsafe-eval'",
        "*",
        "data:",
        "http:",
        "https:",
    ] {
        assert!(
            !script.iter().any(|s| s == forbidden),
            "{url}: script-src allows {forbidden}: {policy}"
        );
    }
    assert!(script.iter().any(|s| s == "'wasm-unsafe-eval'"), "{policy}");
    for (name, want) in [
        ("object-src", "'none'"),
        ("base-uri", "'none'"),
        ("frame-ancestors", "'none'"),
        ("connect-src", "'self'"),
    ] {
        assert_eq!(
            sources(&parsed, name),
            Some([want.to_owned()].as_slice()),
            "{url}: {name} in {policy}"
        );
    }
    for name in ["style-src", "default-src"] {
        let s = sources(&parsed, name).ok_or_else(|| format!("no {name}: {policy}"))?;
        assert!(!s.iter().any(|s| s == "'unsafe-inline'"), "{policy}");
    }

    let html = res.text().await?;
    let scripts: Vec<&str> = html
        .match_indices("<script")
        .map(|(i, _)| &html[i..i + html[i..].find('>').unwrap_or(0)])
        .collect();
    assert!(!scripts.is_empty(), "{url}: no inline script to check");
    let attr = format!(r#"nonce="{nonce}""#);
    for s in &scripts {
        assert!(s.contains(&attr), "{url}: {s} lacks {attr}");
    }
    Ok(nonce)
}

#[tokio::test]
async fn every_page_has_a_strict_policy_with_the_nonce_of_its_scripts() -> TestResult {
    let app = TestApp::spawn().await;
    let anon = app.anonymous();
    let first = checked_csp(anon.get_page("/login").await).await?;
    let second = checked_csp(anon.get_page("/login").await).await?;
    assert_ne!(first, second, "the nonce is the same for two responses");
    checked_csp(anon.get_page("/register").await).await?;

    let missing = anon.get_page("/no/such/page").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    checked_csp(missing).await?;

    let ana = app.user("ana").await;
    app.user("bob").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    checked_csp(ana.get_page("/chat").await).await?;
    checked_csp(ana.get_page(&format!("/chat/{dm}")).await).await?;
    let foreign = ana
        .get_page("/chat/00000000-0000-4000-8000-000000000000")
        .await;
    assert_eq!(foreign.status(), StatusCode::NOT_FOUND);
    checked_csp(foreign).await?;
    Ok(())
}

fn assert_no_store(res: &Response, what: &str) {
    let value = res
        .headers()
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(
        value.split(',').any(|d| d.trim() == "no-store"),
        "{what} ({}): Cache-Control is {value:?}",
        res.status()
    );
}

#[tokio::test]
async fn pages_and_server_functions_are_never_stored() -> TestResult {
    let app = TestApp::spawn().await;
    let anon = app.anonymous();
    let res = anon.get_page("/chat").await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_no_store(&res, "/chat logged out (a redirect)");
    assert_no_store(&anon.get_page("/login").await, "/login");
    assert_no_store(&anon.get_page("/no/such/page").await, "a 404 page");
    assert_no_store(&anon.call("me", &[]).await, "me logged out");
    let res = anon.call("threads", &[]).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_no_store(&res, "threads logged out (an error)");
    let res = anon.client.get(app.url("/api/live")).send().await?;
    assert!(res.status().is_client_error(), "{}", res.status());
    assert_no_store(&res, "the live socket refused");

    let ana = app.user("ana").await;
    app.user("bob").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    let sent = ana.send(&dm, "hello").await;
    assert_no_store(&ana.get_page("/chat").await, "/chat");
    assert_no_store(&ana.get_page(&format!("/chat/{dm}")).await, "/chat/<id>");
    let before = sent.id.to_string();
    let cid = client_id();
    let calls: [(&str, Vec<(&str, &str)>); 6] = [
        ("me", vec![]),
        ("threads", vec![]),
        ("open_thread", vec![("thread", &dm)]),
        ("older_messages", vec![("thread", &dm), ("before", &before)]),
        ("search_users", vec![("query", "bo")]),
        (
            "send_message",
            vec![("thread", &dm), ("body", "again"), ("client_id", &cid)],
        ),
    ];
    for (endpoint, form) in &calls {
        let res = ana.call(endpoint, form).await;
        assert_eq!(res.status(), StatusCode::OK, "{endpoint}");
        assert_no_store(&res, endpoint);
    }
    let res = ana.call("open_thread", &[("thread", "not-a-thread")]).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_no_store(&res, "open_thread of no thread (an error)");
    let res = plain_form_send(&app, &ana, &dm).await?;
    assert!(res.status().is_redirection(), "{}", res.status());
    assert_no_store(&res, "send_message without JavaScript (a redirect)");
    Ok(())
}

/// What a browser with JavaScript off posts from the composer.
async fn plain_form_send(app: &TestApp, user: &User, thread: &str) -> reqwest::Result<Response> {
    let cid = client_id();
    user.client
        .post(app.url("/api/send_message"))
        .header(header::ACCEPT, "text/html,application/xhtml+xml")
        .header(header::ORIGIN, app.url(""))
        .header(header::REFERER, app.url(&format!("/chat/{thread}")))
        .form(&[
            ("thread", thread),
            ("body", "no script"),
            ("client_id", &cid),
        ])
        .send()
        .await
}
