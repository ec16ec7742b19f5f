//! Input that is not text: form fields and query strings that do not
//! decode to valid UTF-8 are refused with 400 and change nothing (they used
//! to be stored with U+FFFD in place of the bad bytes).

use reqwest::{header, StatusCode};

use crate::chat_helpers::{client_id, status_and_body};
use crate::helpers::TestApp;

/// Percent-encoded byte strings that are not UTF-8: a lone 0xFF, a broken
/// two-byte sequence, an overlong '/', a UTF-16 surrogate, a five-byte form,
/// a truncated sequence, a stray continuation byte.
const NOT_UTF8: [&str; 7] = [
    "%FF%FE%C3%28",
    "%C0%AF",
    "%ED%A0%80",
    "%F8%88%80%80%80",
    "ok%C3",
    "%80",
    "a%E2%82",
];

#[tokio::test]
async fn form_fields_that_are_not_utf8_are_refused_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    app.user("bob").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    let before = app.row_counts().await;

    for bad in NOT_UTF8 {
        // The raw body, as a hostile client writes it (a browser never does).
        for body in [
            format!("thread={dm}&client_id={}&body={bad}", client_id()),
            format!("thread={dm}&client_id={}&body=hi&{bad}=x", client_id()),
        ] {
            let res = ana
                .client
                .post(app.url("/api/send_message"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(body.clone())
                .send()
                .await
                .unwrap();
            let (status, text) = status_and_body(res).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {text}");
            assert!(text.contains("not valid text"), "{body}: {text}");
        }
    }
    // Raw bytes that are not UTF-8 at all, unencoded.
    let res = ana
        .client
        .post(app.url("/api/rename_group"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(
            format!("thread={dm}&title=")
                .into_bytes()
                .into_iter()
                .chain([0xff, 0xfe])
                .collect::<Vec<u8>>(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    // Registration and login too: every form-decoded field.
    let res = app
        .client
        .post(app.url("/api/register"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("username=carol&password=correct+horse+%C0%AF")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(app.row_counts().await, before, "something was stored");
    assert_eq!(app.count_people().await, 2);

    // Valid multi-byte text passes, and is stored as sent.
    let res = ana
        .client
        .post(app.url("/api/send_message"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(format!(
            "thread={dm}&client_id={}&body=%C3%A9t%C3%A9+%F0%9F%A6%A6",
            client_id()
        ))
        .send()
        .await
        .unwrap();
    let (status, text) = status_and_body(res).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(text.contains("été 🦦"), "{text}");
}

#[tokio::test]
async fn a_query_string_that_is_not_utf8_is_refused() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let res = ana
        .client
        .get(app.url("/chat?before=%C0%AF"))
        .header(header::ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}
