//! The event cursor has no gaps with concurrent writers: a reader that has
//! seen event `n` never later sees a smaller id commit (which `id > n`
//! would skip for good). Forced here with two transactions, the later one
//! trying to commit first, and a reader reading in between.

use std::time::Duration;

use app::store::{events, events::EventKind, threads, users, Db};
use chrono::Utc;

use crate::helpers::{fresh_database, on_postgres};

/// A migrated database of this run's backend with one user and thread.
pub(crate) async fn fixture() -> (tempfile::TempDir, Db, i64) {
    let dir = tempfile::tempdir().unwrap();
    let db = server::db::connect_and_migrate(&fresh_database(dir.path()).await)
        .await
        .unwrap();
    let mut tx = db.begin_write().await.unwrap();
    let user = users::insert_profile(&mut tx, "ana", "x", Utc::now(), 0, "user")
        .await
        .unwrap();
    let thread = threads::insert(&mut tx, "t-1", "group", None, user, Utc::now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (dir, db, thread)
}

/// Reads everything after `cursor` the way the pump does; the new cursor.
async fn read(db: &Db, cursor: i64, seen: &mut Vec<i64>) -> i64 {
    let batch = events::after(db, cursor, 100).await.unwrap();
    seen.extend(batch.iter().map(|e| e.id));
    batch.last().map_or(cursor, |e| e.id)
}

#[tokio::test]
async fn a_later_event_cannot_commit_before_an_earlier_one() {
    let (_dir, db, thread) = fixture().await;
    let mut seen = Vec::new();
    let mut cursor = read(&db, 0, &mut seen).await;

    // T1 takes the first id and holds it, uncommitted.
    let mut t1 = db.begin_write().await.unwrap();
    let first = events::append(
        &mut t1,
        thread,
        EventKind::ThreadRenamed,
        None,
        None,
        Utc::now(),
    )
    .await
    .unwrap();

    // T2 tries to append and commit while T1 is open.
    let t2 = tokio::spawn({
        let db = db.clone();
        async move {
            let mut t2 = db.begin_write().await.unwrap();
            let id = events::append(
                &mut t2,
                thread,
                EventKind::ThreadRenamed,
                None,
                None,
                Utc::now(),
            )
            .await
            .unwrap();
            t2.commit().await.unwrap();
            id
        }
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !t2.is_finished(),
        "the second writer committed while the first held an earlier id"
    );
    // A reader in between sees neither.
    cursor = read(&db, cursor, &mut seen).await;
    assert!(seen.is_empty(), "{seen:?}");

    t1.commit().await.unwrap();
    let second = t2.await.unwrap();
    assert!(second > first, "ids in commit order: {first} then {second}");
    loop {
        let next = read(&db, cursor, &mut seen).await;
        if next == cursor {
            break;
        }
        cursor = next;
    }
    assert_eq!(seen, [first, second], "nothing skipped, nothing twice");
    assert_eq!(events::newest(&db).await.unwrap(), second);
}

/// The same interleaving without the write slot, on PostgreSQL: the reader
/// does skip the earlier id. Shows the test above forces a real hazard
/// (on SQLite one writer at a time is all there is).
#[tokio::test]
async fn without_the_write_lock_postgres_would_skip_an_event() {
    if !on_postgres() {
        return;
    }
    let (_dir, db, thread) = fixture().await;
    let Db::Postgres(app::store::db::PgDb { pool, .. }) = &db else {
        unreachable!("on_postgres")
    };
    let insert = "INSERT INTO events (thread_id, kind, created_at)
                  VALUES ($1, 'thread_renamed', now()) RETURNING id";
    let mut t1 = pool.begin().await.unwrap();
    let first: i64 = sqlx::query_scalar(insert)
        .bind(thread)
        .fetch_one(&mut *t1)
        .await
        .unwrap();
    let mut t2 = pool.begin().await.unwrap();
    let second: i64 = sqlx::query_scalar(insert)
        .bind(thread)
        .fetch_one(&mut *t2)
        .await
        .unwrap();
    t2.commit().await.unwrap();

    let mut seen = Vec::new();
    let cursor = read(&db, 0, &mut seen).await;
    t1.commit().await.unwrap();
    read(&db, cursor, &mut seen).await;
    assert!(second > first);
    assert_eq!(seen, [second], "event {first} was skipped for good");
}
