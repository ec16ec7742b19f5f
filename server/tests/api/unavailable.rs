//! The database going away during a send: a clear 503, nothing half
//! written, and the same send retried once it is back stores one message.

use std::time::Duration;

use reqwest::StatusCode;
use sqlx::{AnyConnection, Connection};

use crate::chat_helpers::{client_id, User};
use crate::helpers::{on_postgres, TestApp};

/// What every member's thread holds, as bodies in order.
async fn bodies(user: &User, thread: &str) -> Vec<String> {
    user.open(thread)
        .await
        .page
        .messages
        .into_iter()
        .filter_map(|m| m.body)
        .collect()
}

/// Takes the write slot the server's write transactions wait for, from
/// outside the server (PostgreSQL's advisory lock, SQLite's write lock).
async fn hold_the_write_slot(db: &mut AnyConnection) {
    let sql = if on_postgres() {
        format!("SELECT pg_advisory_lock({})", app::store::db::WRITE_LOCK)
    } else {
        "BEGIN IMMEDIATE".to_owned()
    };
    sqlx::query(&sql).execute(&mut *db).await.unwrap();
}

/// Makes the server's connection that is waiting for the write slot go
/// away (PostgreSQL: terminated as by an administrator or a crash). On
/// SQLite the lock is simply held past the server's busy timeout.
async fn cut_the_waiting_writer(db: &mut AnyConnection) {
    if !on_postgres() {
        return;
    }
    for _ in 0..200 {
        let cut: i64 = sqlx::query_scalar(
            "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid()
               AND wait_event_type = 'Lock'",
        )
        .fetch_one(&mut *db)
        .await
        .unwrap();
        if cut > 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the send never waited for the write slot");
}

#[tokio::test]
async fn a_send_that_loses_the_database_is_a_503_and_its_retry_stores_one_message() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    ana.send(&dm, "before").await;
    let counts = app.row_counts().await;

    let mut outside = app.db().await;
    hold_the_write_slot(&mut outside).await;
    let id = client_id();
    let send = async {
        let res = ana.send_res(&dm, "during", &id).await;
        (res.status(), res.text().await.unwrap())
    };
    let ((status, body), ()) = tokio::join!(send, cut_the_waiting_writer(&mut outside));
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    // The UI shows the error's own sentence.
    let error: app::error::AppError = serde_json::from_str(&body).unwrap();
    assert_eq!(error, app::error::AppError::Unavailable);
    assert!(
        error.to_string().contains("cannot reach its database"),
        "{error}"
    );

    // Back: nothing of the failed send was written.
    outside.close().await.unwrap();
    assert_eq!(app.row_counts().await, counts);
    for user in [&ana, &bob] {
        assert_eq!(bodies(user, &dm).await, ["before"]);
    }

    // The browser's retry, same client id: one message, then the same one.
    let first = ana.send_res(&dm, "during", &id).await;
    assert_eq!(first.status(), StatusCode::OK);
    let again = ana.send_res(&dm, "during", &id).await;
    assert_eq!(again.status(), StatusCode::OK);
    for user in [&ana, &bob] {
        assert_eq!(bodies(user, &dm).await, ["before", "during"]);
    }
}
