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
    // at once, whatever the names, then one more every 3 s (20 a minute).
    // Sent all at once, as a flood is: the limit is checked on arrival,
    // before any hashing, so the hashing time does not refill it.
    let started = std::time::Instant::now();
    let attempts = (0..45).map(|i| {
        let name = format!("nobody{i}");
        let app = &app;
        async move {
            let res = app.login(&name, "not a password").await;
            (res.status(), res.text().await.unwrap())
        }
    });
    let answers = futures_util::future::join_all(attempts).await;
    let statuses: Vec<StatusCode> = answers.iter().map(|(s, _)| *s).collect();
    let refilled = (started.elapsed().as_secs() / 3) as usize;
    let hashed = statuses
        .iter()
        .filter(|s| **s == StatusCode::BAD_REQUEST)
        .count();
    let limited = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(hashed + limited, statuses.len(), "{statuses:?}");
    assert!(
        (30..=30 + refilled).contains(&hashed),
        "{hashed} hashed ({refilled} refilled): {statuses:?}"
    );
    // The same answer as the per-account limit: nothing tells them apart.
    for (status, body) in &answers {
        if *status == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(body, "\"RateLimited\"");
        }
    }
}
