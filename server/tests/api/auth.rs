use std::sync::Arc;

use reqwest::{cookie::Jar, header, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{location, TestApp, PASSWORD};

#[tokio::test]
async fn register_logs_the_new_user_in() {
    let app = TestApp::spawn().await;
    assert_eq!(app.me().await, Value::Null);

    let res = app.register("Ana").await;
    assert_eq!(res.status(), StatusCode::OK);
    // The hydrated client is told where to go next.
    assert!(res.headers().contains_key("serverfnredirect"));
    assert_eq!(location(&res), "/chat");

    let me = app.me().await;
    assert_eq!(me["username"], "ana", "stored lower-case: {me}");
}

#[tokio::test]
async fn duplicate_username_in_any_case_is_rejected() {
    let app = TestApp::spawn().await;
    assert_eq!(app.register("ana").await.status(), StatusCode::OK);

    let other = TestApp::spawn_on(&app.database_url, Arc::new(Jar::default())).await;
    for name in ["ana", "ANA", " Ana "] {
        let res = other.register(name).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{name}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(
            body,
            json!({"Invalid": [{"field": "username", "message": "That username is taken. Try another."}]})
        );
    }
    assert_eq!(other.me().await, Value::Null);
}

#[tokio::test]
async fn invalid_input_gets_a_message_for_its_field() {
    let app = TestApp::spawn().await;
    let cases = [
        ("ab", PASSWORD, "username"),
        ("<script>", PASSWORD, "username"),
        ("", PASSWORD, "username"),
        ("valid_name", "short", "password"),
        ("valid_name", &"x".repeat(129), "password"),
    ];
    for (user, pass, field) in cases {
        let res = app
            .call("register", &[("username", user), ("password", pass)])
            .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{user:?}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["Invalid"][0]["field"], field, "{user:?}: {body}");
    }
    // Every bad field is reported at once.
    let res = app
        .call("register", &[("username", "a b"), ("password", "short")])
        .await;
    let body: Value = res.json().await.unwrap();
    let fields: Vec<&str> = body["Invalid"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["username", "password"], "{body}");
    // A request that is not even the right shape is a 400, not a crash.
    let res = app.call("register", &[("nonsense", "1")]).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(app.me().await, Value::Null);
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_answer() {
    let app = TestApp::spawn().await;
    app.register("ana").await;
    app.call("logout", &[]).await;

    let wrong = app.login("ana", "not the password").await;
    let wrong_status = wrong.status();
    let wrong_body = wrong.text().await.unwrap();
    let unknown = app.login("nobody", "not the password").await;
    let malformed = app.login("x", "y").await;
    assert_eq!(wrong_status, StatusCode::BAD_REQUEST);
    assert_eq!(unknown.status(), wrong_status);
    assert_eq!(malformed.status(), wrong_status);
    assert_eq!(unknown.text().await.unwrap(), wrong_body);
    assert_eq!(malformed.text().await.unwrap(), wrong_body);
    assert!(wrong_body.contains("That username and password do not match."));
    assert_eq!(app.me().await, Value::Null);

    let ok = app.login("ANA", PASSWORD).await;
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(app.me().await["username"], "ana");
}

#[tokio::test]
async fn login_rotates_the_session_id() {
    let app = TestApp::spawn().await;
    app.register("ana").await;
    let first = app.session_cookie().unwrap();
    app.login("ana", PASSWORD).await;
    let second = app.session_cookie().unwrap();
    assert_ne!(first, second);
}

#[tokio::test]
async fn logout_ends_the_session_for_good() {
    let app = TestApp::spawn().await;
    app.register("ana").await;
    let cookie = app.session_cookie().expect("a session cookie");

    let res = app.call("logout", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(app.me().await, Value::Null);

    // Replaying the old cookie by hand must not bring the session back.
    let res = reqwest::Client::new()
        .post(app.url("/api/me"))
        .header(header::COOKIE, cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.json::<Value>().await.unwrap(), Value::Null);
}

#[tokio::test]
async fn session_cookie_is_http_only_and_same_site_lax() {
    let app = TestApp::spawn().await;
    let res = app.register("ana").await;
    let set_cookie = res.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(set_cookie.starts_with("parley_session="), "{set_cookie}");
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    assert!(!set_cookie.contains("Secure"), "plain http: {set_cookie}");
}

#[tokio::test]
async fn the_cookie_is_secure_when_served_over_https() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = crate::helpers::test_config(&crate::helpers::fresh_database(dir.path()).await);
    config.public_url = Some("https://chat.example".into());
    let app = TestApp::spawn_with(config, Arc::new(Jar::default())).await;
    let res = app.register("ana").await;
    let set_cookie = res.headers()[header::SET_COOKIE].to_str().unwrap();
    assert!(set_cookie.contains("; Secure"), "{set_cookie}");
}

#[tokio::test]
async fn a_session_survives_a_server_restart() {
    let mut first = TestApp::spawn().await;
    first.register("ana").await;
    first.stop().await;

    let second = TestApp::spawn_on(&first.database_url, first.jar.clone()).await;
    assert_eq!(second.me().await["username"], "ana");
}

#[tokio::test]
async fn a_foreign_origin_cannot_post() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .post(app.url("/api/register"))
        .header(header::ORIGIN, "https://evil.example")
        .form(&[("username", "ana"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.me().await, Value::Null);
    // Nothing was stored: the name is still free.
    assert_eq!(app.register("ana").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn plain_form_posts_redirect_like_a_website() {
    // What a browser with JavaScript off sends.
    let app = TestApp::spawn().await;
    let form_post = |path: &str, referer: String, form: Vec<(&'static str, String)>| {
        app.client
            .post(app.url(path))
            .header(header::ACCEPT, "text/html,application/xhtml+xml")
            .header(header::REFERER, referer)
            .form(&form)
            .send()
    };
    let res = form_post(
        "/api/register",
        app.url("/register?next=/chat/abc"),
        vec![
            ("username", "ana".into()),
            ("password", PASSWORD.into()),
            ("next", "/chat/abc".into()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(location(&res), "/chat/abc");

    app.call("logout", &[]).await;
    let res = form_post(
        "/api/login",
        app.url("/login"),
        vec![
            ("username", "ana".into()),
            ("password", "wrong password".into()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::FOUND);
    let back = location(&res);
    assert!(back.starts_with(&app.url("/login?")), "{back}");
    assert!(back.contains("__err="), "{back}");

    // An open redirect through `next` is not possible.
    let res = form_post(
        "/api/login",
        app.url("/login"),
        vec![
            ("username", "ana".into()),
            ("password", PASSWORD.into()),
            ("next", "//evil.example/".into()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(location(&res), "/chat");
}
