//! The composer without JavaScript (F11): a plain HTML form post that
//! lands back on the thread.

use reqwest::{header, Response, StatusCode};

use crate::chat_helpers::{bodies, client_id, User};
use crate::helpers::{location, TestApp};

/// What a browser with JavaScript off sends for the composer form.
pub(crate) async fn form_post(
    app: &TestApp,
    user: &User,
    thread: &str,
    form: &[(&str, &str)],
) -> Response {
    user.client
        .post(app.url("/api/send_message"))
        .header(header::ACCEPT, "text/html,application/xhtml+xml")
        .header(header::ORIGIN, app.url(""))
        .header(header::REFERER, app.url(&format!("/chat/{thread}")))
        .form(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_plain_form_composer_sends_and_returns_to_the_thread() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    // The page hands the form a fresh client id.
    let cid = ana.open(&dm).await.composer_client_id;

    let form = [
        ("thread", dm.as_str()),
        ("body", "sent without JavaScript"),
        ("client_id", cid.as_str()),
    ];
    let res = form_post(&app, &ana, &dm, &form).await;
    assert!(
        matches!(res.status(), StatusCode::FOUND | StatusCode::SEE_OTHER),
        "{}",
        res.status()
    );
    assert_eq!(location(&res), format!("/chat/{dm}"));

    assert_eq!(
        bodies(&bob.open(&dm).await.page),
        [Some("sent without JavaScript")]
    );
    // A double submit of the same form is still one message.
    let res = form_post(&app, &ana, &dm, &form).await;
    assert_eq!(location(&res), format!("/chat/{dm}"));
    assert_eq!(app.count("messages").await, 1);
}

#[tokio::test]
async fn a_refused_plain_form_post_goes_back_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    app.user("bob").await;
    let dm = ana.start_chat(&["bob"]).await.id;

    let cid = client_id();
    let res = form_post(
        &app,
        &ana,
        &dm,
        &[
            ("thread", dm.as_str()),
            ("body", "   "),
            ("client_id", &cid),
        ],
    )
    .await;
    assert_eq!(res.status(), StatusCode::FOUND);
    let back = location(&res);
    assert!(back.starts_with(&app.url(&format!("/chat/{dm}"))), "{back}");
    assert_eq!(app.count("messages").await, 0);

    // The thread it lands on says why, by the composer.
    let page = ana
        .client
        .get(&back)
        .header(header::ACCEPT, "text/html")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Type a message first."), "{page}");
}
