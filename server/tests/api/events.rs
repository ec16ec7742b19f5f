//! The event log (F15, F19): every change others must see is one event,
//! written with the change; nothing is logged for a change that did not
//! happen (a retried send, a second delete, a refused request).

use crate::chat_helpers::client_id;
use crate::helpers::TestApp;

/// `(kind, message id, user id)` of a thread's events, in id order, and
/// whether the ids only go up.
async fn events(app: &TestApp, thread: &str) -> Vec<(String, Option<i64>, Option<i64>)> {
    let mut db = app.db().await;
    let rows: Vec<(i64, String, Option<i64>, Option<i64>)> = sqlx::query_as(
        "SELECT e.id, e.kind, e.message_id, e.user_id FROM events e
         JOIN threads t ON t.id = e.thread_id WHERE t.public_id = $1 ORDER BY e.id",
    )
    .bind(thread)
    .fetch_all(&mut db)
    .await
    .unwrap();
    assert!(rows.windows(2).all(|w| w[0].0 < w[1].0));
    rows.into_iter().map(|(_, k, m, u)| (k, m, u)).collect()
}

fn kinds(events: &[(String, Option<i64>, Option<i64>)]) -> Vec<&str> {
    events.iter().map(|e| e.0.as_str()).collect()
}

#[tokio::test]
async fn each_change_in_a_direct_chat_is_one_event_with_the_change() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    let (ana_id, bob_id) = (ana.id, bob.id);
    assert_eq!(
        events(&app, &dm).await,
        [
            ("member_added".to_owned(), None, Some(ana_id)),
            ("member_added".to_owned(), None, Some(bob_id)),
        ]
    );

    // A send, and its retry with the same client id: one message, one event
    // (the sender's own read position moves with it and logs nothing more:
    // `message_created` says it).
    let cid = client_id();
    let sent = ana.send_res(&dm, "hello", &cid).await;
    assert!(sent.status().is_success());
    let again = ana.send_res(&dm, "hello", &cid).await;
    assert!(again.status().is_success());
    let log = events(&app, &dm).await;
    let msg = log[2].1.unwrap();
    assert_eq!(
        log[2..],
        [("message_created".to_owned(), Some(msg), Some(ana_id))]
    );

    // bob reads it (once: opening again moves nothing), reacts, un-reacts.
    bob.open(&dm).await;
    bob.open(&dm).await;
    bob.react(msg, "👍").await;
    bob.react(msg, "👍").await;
    // ana deletes it; deleting again is harmless and logs nothing.
    ana.delete(msg).await;
    ana.delete(msg).await;
    let log = events(&app, &dm).await;
    assert_eq!(
        log[3..],
        [
            ("read_moved".to_owned(), Some(msg), Some(bob_id)),
            ("reaction_changed".to_owned(), Some(msg), Some(bob_id)),
            ("reaction_changed".to_owned(), Some(msg), Some(bob_id)),
            ("message_deleted".to_owned(), Some(msg), Some(ana_id)),
        ]
    );

    // A stranger's attempts change nothing, in the log either.
    let eve = app.user("eve").await;
    let before = app.row_counts().await;
    assert!(!eve
        .send_res(&dm, "let me in", &client_id())
        .await
        .status()
        .is_success());
    assert!(!eve.react_res(msg, "👍").await.status().is_success());
    assert_eq!(app.row_counts().await, before);
}

#[tokio::test]
async fn group_changes_log_membership_titles_and_their_system_lines() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let cyd = app.user("cyd").await;
    app.user("dee").await;
    let group = ana.start_chat(&["bob", "cyd"]).await.id;
    assert_eq!(
        kinds(&events(&app, &group).await),
        [
            "member_added",
            "member_added",
            "member_added",
            "message_created"
        ]
    );

    let n = events(&app, &group).await.len();
    assert!(ana.rename_res(&group, "Otters").await.status().is_success());
    // Renaming to the same name is no change at all.
    assert!(ana.rename_res(&group, "Otters").await.status().is_success());
    assert!(ana.add_res(&group, &["dee"]).await.status().is_success());
    assert!(ana.remove_res(&group, "bob").await.status().is_success());
    assert!(cyd.leave_res(&group).await.status().is_success());
    // bob is no longer a member: his rename is refused and logs nothing.
    assert!(!bob
        .rename_res(&group, "Mine now")
        .await
        .status()
        .is_success());
    assert_eq!(
        kinds(&events(&app, &group).await[n..]),
        [
            "thread_renamed",
            "message_created",
            "member_added",
            "message_created",
            "member_removed",
            "message_created",
            "message_created",
            "member_left",
        ]
    );
}

/// A message's bookkeeping is the insert's own (the `messages_bookkeeping`
/// trigger), so a row stored by any path, even straight into the table, is
/// a message like a send's: its thread moves to the top, its sender has
/// read up to it, and the log gets its `message_created`; a system line
/// moves no one's read position.
#[tokio::test]
async fn a_message_stored_by_any_path_gets_a_sends_bookkeeping() {
    let app = TestApp::spawn().await;
    let ana = app.user("ana").await;
    let bob = app.user("bob").await;
    let dm = ana.start_chat(&["bob"]).await.id;
    let before = events(&app, &dm).await.len();

    let mut db = app.db().await;
    let insert = format!(
        "INSERT INTO messages (thread_id, sender_id, client_id, kind, body, created_at)
         SELECT id, $2, $3, $4, 'straight in', {} FROM threads WHERE public_id = $1
         RETURNING id",
        app.time_sql("$5")
    );
    let at = chrono::Utc::now();
    let mut stored = Vec::new();
    for (client, kind) in [("raw-00000001", "text"), ("raw-00000002", "system")] {
        let id: i64 = sqlx::query_scalar(&insert)
            .bind(&dm)
            .bind(bob.id)
            .bind(client)
            .bind(kind)
            .bind(at.to_rfc3339())
            .fetch_one(&mut db)
            .await
            .unwrap();
        stored.push(id);
    }
    let (text, system) = (stored[0], stored[1]);

    assert_eq!(
        events(&app, &dm).await[before..],
        [
            ("message_created".to_owned(), Some(text), Some(bob.id)),
            ("message_created".to_owned(), Some(system), Some(bob.id)),
        ]
    );
    let (last, read): (i64, i64) = sqlx::query_as(
        "SELECT t.last_message_id, m.last_read_message_id
         FROM threads t JOIN thread_members m ON m.thread_id = t.id
         WHERE t.public_id = $1 AND m.user_id = $2",
    )
    .bind(&dm)
    .bind(bob.id)
    .fetch_one(&mut db)
    .await
    .unwrap();
    assert_eq!((last, read), (system, text));

    // As their lists show it: on top for both, its newest message the
    // system line; unread for ana, not for bob, who wrote it.
    for (user, unread) in [(&ana, 1), (&bob, 0)] {
        let top = user.threads().await.threads.remove(0);
        assert_eq!(
            (top.id, top.last_id, top.unread),
            (dm.clone(), Some(system), unread)
        );
    }
}
