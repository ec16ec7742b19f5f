use reqwest::{header, StatusCode};
use serde_json::Value;

use crate::helpers::{TestApp, PASSWORD};

#[tokio::test]
async fn password_guessing_is_cut_off_with_429() {
    let app = TestApp::spawn().await;
    app.register("ana").await;
    app.call("logout", &[]).await;

    let mut statuses = Vec::new();
    for i in 0..12 {
        let res = app.login("ana", &format!("guess number {i}")).await;
        statuses.push(res.status());
    }
    assert!(
        statuses[..10].iter().all(|s| *s == StatusCode::BAD_REQUEST),
        "{statuses:?}"
    );
    assert_eq!(statuses[10], StatusCode::TOO_MANY_REQUESTS);

    // While limited, even the right password waits: the limit is checked
    // before the password, so guessing teaches nothing.
    let res = app.login("ana", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body, Value::String("RateLimited".into()));
    assert_eq!(app.me().await, Value::Null);

    // Another account is not affected.
    app.register("bob").await;
    app.call("logout", &[]).await;
    assert_eq!(app.login("bob", PASSWORD).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_oversized_body_is_refused_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let huge = "a".repeat(300 * 1024);
    let res = app
        .call("register", &[("username", "ana"), ("password", &huge)])
        .await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(app.register("ana").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn html_in_a_username_is_refused_not_stored() {
    let app = TestApp::spawn().await;
    let res = app.register("<img src=x onerror=alert(1)>").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["Invalid"][0]["field"], "username");
}

#[tokio::test]
async fn responses_carry_defensive_headers() {
    let app = TestApp::spawn().await;
    let res = app.get("/login").await;
    assert_eq!(res.headers()[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(res.headers()[header::REFERRER_POLICY], "same-origin");
}

#[tokio::test]
async fn logins_cycling_through_made_up_names_are_cut_off_with_the_same_429() {
    let app = TestApp::spawn().await;
    // Each attempt would cost an Argon2 verification: one address gets 30
    // at once, whatever the names.
    let mut statuses = Vec::new();
    for i in 0..32 {
        statuses.push(
            app.login(&format!("nobody{i}"), "not a password")
                .await
                .status(),
        );
    }
    assert!(
        statuses[..30].iter().all(|s| *s == StatusCode::BAD_REQUEST),
        "{statuses:?}"
    );
    assert_eq!(statuses[30..], [StatusCode::TOO_MANY_REQUESTS; 2]);
    // The same answer as the per-account limit: nothing tells them apart.
    let res = app.login("somebody", "not a password").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body, Value::String("RateLimited".into()));
}
