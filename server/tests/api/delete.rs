//! Deleting your own message (F7): it stays as "[message deleted]" and its
//! text never leaves the server again, through any endpoint.

use app::model::MessageView;
use reqwest::StatusCode;

use crate::chat_helpers::{bodies, client_id, expect_status, ok, status_and_body, User};
use crate::helpers::TestApp;

const SECRET: &str = "the otters meet at dawn 7731";

/// Every answer that could carry a message's text, as raw bytes.
async fn everything_visible_to(user: &User, thread: &str, message_id: i64) -> Vec<String> {
    let mut seen = Vec::new();
    for res in [
        user.open_res(thread).await,
        user.older_res(thread, i64::MAX).await,
        user.older_res(thread, message_id + 1).await,
        user.call("threads", &[]).await,
        user.get_page(&format!("/chat/{thread}")).await,
        user.get_page("/chat").await,
        user.react_res(message_id, "👍").await,
    ] {
        seen.push(status_and_body(res).await.1);
    }
    seen
}

#[tokio::test]
async fn a_deleted_message_loses_its_text_for_everyone_everywhere() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    bob.send(&dm, "before").await;
    let cid = client_id();
    let secret: MessageView = {
        let v = ok(ana.send_res(&dm, SECRET, &cid).await).await;
        serde_json::from_value(v).unwrap()
    };
    // bob has seen it (and reacted) before it goes.
    assert_eq!(bodies(&bob.open(&dm).await.page)[1], Some(SECRET));
    bob.react(secret.id, "❤️").await;

    let res = ana.delete_res(secret.id).await;
    let (status, raw) = status_and_body(res).await;
    assert_eq!(status, StatusCode::OK, "{raw}");
    assert!(!raw.contains(SECRET), "{raw}");
    let deleted: MessageView = serde_json::from_str(&raw).unwrap();
    assert_eq!(deleted.id, secret.id);
    assert_eq!(deleted.body, None);
    assert!(deleted.deleted());

    for user in [&ana, &bob] {
        let view = user.open(&dm).await;
        assert_eq!(bodies(&view.page), [Some("before"), None], "{}", user.name);
        let page = user.older(&dm, i64::MAX).await;
        assert_eq!(bodies(&page), [Some("before"), None]);
        let last = user.nav_entry(&dm).await.unwrap().last.unwrap();
        assert_eq!(last.preview, "[message deleted]");
    }

    // A retry of the original send returns the deleted message, not its text.
    let retried = ok(ana.send_res(&dm, SECRET, &cid).await).await;
    assert_eq!(retried["id"], secret.id);
    assert_eq!(retried["body"], serde_json::Value::Null);
    assert!(!retried.to_string().contains(SECRET));

    for user in [&ana, &bob] {
        for body in everything_visible_to(user, &dm, secret.id).await {
            assert!(!body.contains(SECRET), "{} saw it in: {body}", user.name);
            assert!(!body.contains("otters meet"), "{body}");
        }
    }
    // Other messages are untouched.
    assert_eq!(bodies(&bob.open(&dm).await.page)[0], Some("before"));
}

#[tokio::test]
async fn you_cannot_delete_someone_elses_message() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    app.user("cyd").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    let hers = ana.send(&dm, "ana's words").await;

    expect_status(bob.delete_res(hers.id).await, StatusCode::BAD_REQUEST).await;

    for user in [&ana, &bob] {
        assert_eq!(bodies(&user.open(&dm).await.page), [Some("ana's words")]);
    }
    let mut db = app.db().await;
    let deleted_at: Option<String> =
        sqlx::query_scalar("SELECT CAST(deleted_at AS TEXT) FROM messages WHERE id = $1")
            .bind(hers.id)
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert_eq!(deleted_at, None);

    // Nor a system line, even your own.
    let g = ana.start_chat(&["bob", "cyd"]).await.id;
    let line = ana.open(&g).await.page.messages[0].id;
    expect_status(ana.delete_res(line).await, StatusCode::BAD_REQUEST).await;
    assert!(ana.open(&g).await.page.messages[0].body.is_some());
}

#[tokio::test]
async fn deleting_twice_is_harmless() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    let msg = ana.send(&dm, "oops").await;

    let first = ana.delete(msg.id).await;
    let mut db = app.db().await;
    let when = "SELECT CAST(deleted_at AS TEXT) FROM messages WHERE id = $1";
    let first_at: Option<String> = sqlx::query_scalar(when)
        .bind(msg.id)
        .fetch_one(&mut db)
        .await
        .unwrap();
    let second = ana.delete(msg.id).await;

    assert_eq!(first.body, None);
    assert_eq!((second.id, second.body), (first.id, None));
    let second_at: Option<String> = sqlx::query_scalar(when)
        .bind(msg.id)
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert!(first_at.is_some());
    assert_eq!(second_at, first_at, "the first deletion time is kept");
    assert_eq!(app.count("messages").await, 1);
    assert_eq!(bodies(&bob.open(&dm).await.page), [None]);
}
