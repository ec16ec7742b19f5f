use reqwest::StatusCode;

use crate::helpers::{location, TestApp};

#[tokio::test]
async fn chat_redirects_to_login_and_remembers_where() {
    let app = TestApp::spawn().await;
    let res = app.get("/chat").await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(location(&res), "/login?next=/chat");

    let res = app.get("/chat/some-thread").await;
    assert_eq!(location(&res), "/login?next=/chat/some-thread");

    let res = app.get("/").await;
    assert_eq!(location(&res), "/login");
}

#[tokio::test]
async fn logged_in_users_get_the_chat() {
    let app = TestApp::spawn().await;
    app.register("ana").await;

    let res = app.get("/chat").await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(
        html.contains(r#"data-testid="current-user">ana<"#),
        "{html}"
    );
    assert!(html.contains("Log out"));

    assert_eq!(location(&app.get("/").await), "/chat");
    // The login page sends a logged-in user on.
    assert_eq!(location(&app.get("/login?next=/chat/x").await), "/chat/x");
}

#[tokio::test]
async fn the_login_page_renders_without_javascript() {
    let app = TestApp::spawn().await;
    let res = app.get("/login?next=/chat").await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"action="/api/login""#), "{html}");
    assert!(html.contains(r#"name="username""#));
    assert!(html.contains(r#"name="next" value="/chat""#));
}

#[tokio::test]
async fn unknown_pages_are_404() {
    let app = TestApp::spawn().await;
    assert_eq!(
        app.get("/no/such/page").await.status(),
        StatusCode::NOT_FOUND
    );
}
