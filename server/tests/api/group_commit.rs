//! Group commit (`app::server::group_commit`): writes that wait together
//! commit in one transaction, each in a savepoint of its own, on a real
//! database of this run's backend. What must hold is what a transaction
//! per write gave: a failed write undone alone, the others kept; answers
//! only after the commit; queue order is id order; a caller that leaves
//! does not undo its write.

use std::sync::Arc;
use std::time::Duration;

use app::error::AppError;
use app::server::group_commit::{GroupCommit, MAX_BATCH};
use app::server::live::{Hub, LiveSettings};
use app::store::{events, events::EventKind, Db, Tx};
use chrono::Utc;

use crate::cursor::fixture;

fn queue(db: &Db) -> GroupCommit {
    GroupCommit::start(
        db.clone(),
        Arc::new(Hub::new(LiveSettings::default())),
        MAX_BATCH,
    )
}

/// Appends one event to `thread`; answers its id.
async fn append(writes: &GroupCommit, thread: i64) -> Result<i64, AppError> {
    writes
        .write("a test event", move |tx| {
            Box::pin(async move {
                events::append(tx, thread, EventKind::ThreadRenamed, None, None, Utc::now())
                    .await
                    .map_err(|e| AppError::BadRequest(e.to_string()))
            })
        })
        .await
}

/// How a test write fails after it has written.
#[derive(Clone, Copy)]
enum Failure {
    /// It refuses, with nothing wrong in the database.
    Refuse,
    /// It runs a statement the database rejects (on PostgreSQL that
    /// aborts the whole transaction until rolled back).
    Break,
}

/// Runs a statement the database rejects in `tx` (on PostgreSQL that
/// aborts the whole transaction until rolled back); answers the error a
/// write's work gives for it.
async fn database_error(tx: &mut Tx) -> AppError {
    let bad = "SELECT * FROM no_such_table";
    let failed = match tx {
        Tx::Sqlite(t, _) => sqlx::query(bad).execute(&mut **t).await.is_err(),
        Tx::Postgres(t, _) => sqlx::query(bad).execute(&mut **t).await.is_err(),
    };
    assert!(failed, "the database took a statement on no table");
    AppError::Internal
}

/// Appends an event, then fails as `how` says.
async fn append_then(writes: &GroupCommit, thread: i64, how: Failure) -> Result<i64, AppError> {
    writes
        .write("a failing test event", move |tx| {
            Box::pin(async move {
                events::append(tx, thread, EventKind::ThreadRenamed, None, None, Utc::now())
                    .await
                    .map_err(|e| AppError::BadRequest(e.to_string()))?;
                if let Failure::Refuse = how {
                    return Err(AppError::BadRequest("refused after writing".into()));
                }
                Err(database_error(tx).await)
            })
        })
        .await
}

/// How an atomic test write ends (`GroupCommit::write_atomic`).
#[derive(Clone, Copy)]
enum Atomic {
    /// It appends one event.
    Writes,
    /// It refuses before writing anything (what the contract allows).
    Refuses,
    /// It appends an event, then hits a database error: a fault, which
    /// must take the whole batch with it.
    Breaks,
}

/// An atomic write to `thread` that ends as `how` says; answers its id.
async fn atomic(writes: &GroupCommit, thread: i64, how: Atomic) -> Result<i64, AppError> {
    writes
        .write_atomic("an atomic test event", move |tx| {
            Box::pin(async move {
                if let Atomic::Refuses = how {
                    return Err(AppError::BadRequest("refused before writing".into()));
                }
                let id =
                    events::append(tx, thread, EventKind::ThreadRenamed, None, None, Utc::now())
                        .await
                        .map_err(|e| AppError::BadRequest(e.to_string()))?;
                if let Atomic::Breaks = how {
                    return Err(database_error(tx).await);
                }
                Ok(id)
            })
        })
        .await
}

/// Takes the write slot, lets `writes` queue behind it, and gives it up
/// after 300 ms so that they go as one batch.
async fn slot_for_a_batch(db: &Db) -> impl std::future::Future<Output = ()> {
    let slot = db.begin_write().await.unwrap();
    async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        slot.commit().await.unwrap();
    }
}

/// Every event id in the database, in order.
async fn all_events(db: &Db) -> Vec<i64> {
    events::after(db, 0, 1000)
        .await
        .unwrap()
        .iter()
        .map(|e| e.id)
        .collect()
}

/// Holds the write slot for `hold`, so that writes queued meanwhile wait
/// and then go as one batch.
async fn hold_the_slot(db: &Db, hold: Duration) {
    let tx = db.begin_write().await.unwrap();
    tokio::time::sleep(hold).await;
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn a_failed_write_in_a_batch_is_undone_alone() {
    let (_dir, db, thread) = fixture().await;
    let writes = queue(&db);
    let before = all_events(&db).await;
    let commits = writes.commits();

    // The slot is taken first; the six writes queue behind it in this
    // order (join polls them in order) and go as one batch: two failures
    // in a row, and the last one failing too.
    let slot = db.begin_write().await.unwrap();
    let release = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        slot.commit().await.unwrap();
    };
    let (a, refused, broken, b, c, last, ()) = tokio::join!(
        append(&writes, thread),
        append_then(&writes, thread, Failure::Refuse),
        append_then(&writes, thread, Failure::Break),
        append(&writes, thread),
        append(&writes, thread),
        append_then(&writes, thread, Failure::Break),
        release,
    );

    assert_eq!(
        refused,
        Err(AppError::BadRequest("refused after writing".into()))
    );
    assert_eq!(broken, Err(AppError::Internal));
    assert_eq!(last, Err(AppError::Internal));
    let (a, b, c) = (a.unwrap(), b.unwrap(), c.unwrap());
    assert!(a < b && b < c, "ids in queue order: {a}, {b}, {c}");
    let mut expected = before;
    expected.extend([a, b, c]);
    assert_eq!(
        all_events(&db).await,
        expected,
        "the three good writes are stored, nothing of the failed three"
    );
    assert_eq!(
        writes.commits(),
        commits + 1,
        "the six writes went in one transaction"
    );
}

/// The batch is formed once the slot is taken: a write queued while the
/// first one already waits for the slot goes with it, in one transaction
/// (forming it earlier left the batch to a race between the committing
/// thread's wake-up and the next caller).
#[tokio::test]
async fn writes_queued_while_the_slot_is_held_join_the_waiting_batch() {
    let (_dir, db, thread) = fixture().await;
    let writes = queue(&db);
    let before = all_events(&db).await;
    let commits = writes.commits();
    let slot = db.begin_write().await.unwrap();
    let first = tokio::spawn({
        let writes = writes.clone();
        async move { append(&writes, thread).await }
    });
    // Long enough for the committing thread to have taken the first write
    // and to be waiting for the slot.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let later = tokio::spawn({
        let writes = writes.clone();
        async move { futures_util::future::join_all((0..5).map(|_| append(&writes, thread))).await }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    slot.commit().await.unwrap();
    let first = first.await.unwrap().unwrap();
    let later: Vec<i64> = later
        .await
        .unwrap()
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut expected = before;
    expected.push(first);
    expected.extend(&later);
    assert_eq!(all_events(&db).await, expected, "all six, in queue order");
    assert_eq!(writes.commits(), commits + 1, "in one transaction");
}

#[tokio::test]
async fn writes_commit_in_the_order_they_were_queued() {
    let (_dir, db, thread) = fixture().await;
    let writes = queue(&db);
    let before = all_events(&db).await;
    let commits = writes.commits();
    let ids = futures_util::future::join_all((0..200).map(|_| append(&writes, thread)))
        .await
        .into_iter()
        .collect::<Result<Vec<i64>, _>>()
        .unwrap();

    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    let mut expected = before;
    expected.extend(&ids);
    assert_eq!(all_events(&db).await, expected, "each stored once");
    let transactions = writes.commits() - commits;
    assert!(
        transactions < 200 && transactions >= 200 / MAX_BATCH as u64,
        "200 writes waiting together took {transactions} transactions"
    );
}

#[tokio::test]
async fn a_lone_failed_write_commits_nothing() {
    let (_dir, db, thread) = fixture().await;
    let writes = queue(&db);
    let before = all_events(&db).await;
    let commits = writes.commits();
    assert!(append_then(&writes, thread, Failure::Refuse).await.is_err());
    assert!(append_then(&writes, thread, Failure::Break).await.is_err());
    assert_eq!(all_events(&db).await, before);
    assert_eq!(writes.commits(), commits, "nothing to commit");
    // …and the queue goes on.
    let id = append(&writes, thread).await.unwrap();
    assert_eq!(all_events(&db).await.last(), Some(&id));
}

#[tokio::test]
async fn a_caller_that_leaves_does_not_undo_its_write() {
    let (_dir, db, thread) = fixture().await;
    let writes = queue(&db);
    let before = all_events(&db).await;
    let slot = db.begin_write().await.unwrap();
    // The caller gives up while its write waits for the slot.
    let left = tokio::time::timeout(Duration::from_millis(100), append(&writes, thread)).await;
    assert!(left.is_err(), "the write answered while the slot was held");
    slot.commit().await.unwrap();
    // The next write is answered after it, so the first is committed by then.
    let next = append(&writes, thread).await.unwrap();
    let stored = all_events(&db).await;
    assert_eq!(stored.len(), before.len() + 2, "{stored:?}");
    assert_eq!(stored.last(), Some(&next));
}

#[tokio::test]
async fn an_answer_comes_only_after_the_commit() {
    let (_dir, db, thread) = fixture().await;
    let writes = queue(&db);
    // While another transaction holds the slot, nothing is answered.
    let held = tokio::spawn({
        let db = db.clone();
        async move { hold_the_slot(&db, Duration::from_millis(300)).await }
    });
    tokio::time::sleep(Duration::from_millis(50)).await;
    let id = append(&writes, thread).await.unwrap();
    assert!(held.is_finished(), "answered while the slot was held");
    // A reader on another connection sees it the moment it is answered.
    assert_eq!(all_events(&db).await.last(), Some(&id));
}

#[tokio::test]
async fn a_panicking_write_fails_its_batch_not_the_queue() {
    let (_dir, db, thread) = fixture().await;
    let writes = queue(&db);
    let before = all_events(&db).await;
    let slot = db.begin_write().await.unwrap();
    let release = async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        slot.commit().await.unwrap();
    };
    let panics = writes.write("a panicking test write", move |tx| {
        Box::pin(async move {
            events::append(tx, thread, EventKind::ThreadRenamed, None, None, Utc::now())
                .await
                .map_err(|e| AppError::BadRequest(e.to_string()))?;
            panic!("a bug in a write");
        })
    });
    let (beside, panicked, ()) = tokio::join!(append(&writes, thread), panics, release);
    assert_eq!(panicked, Err::<i64, _>(AppError::Internal));
    assert_eq!(beside, Err(AppError::Internal), "its batch failed as one");
    assert_eq!(all_events(&db).await, before, "and was rolled back");
    let id = append(&writes, thread).await.unwrap();
    assert_eq!(all_events(&db).await.last(), Some(&id), "the queue goes on");
}

/// Atomic writes run without savepoints between guarded ones: a guarded
/// write that fails after writing must still be undone alone, back to the
/// state after the atomic writes before it (the savepoint is moved on
/// lazily, so this is where a stale one would show), and an atomic
/// refusal leaves the batch as it was.
#[tokio::test]
async fn atomic_and_guarded_writes_in_one_batch_keep_exactly_the_good_ones() {
    let (_dir, db, thread) = fixture().await;
    let writes = queue(&db);
    let before = all_events(&db).await;
    let commits = writes.commits();
    let release = slot_for_a_batch(&db).await;
    let (a, refused, b, undone, c, d, undone_too, e, ()) = tokio::join!(
        atomic(&writes, thread, Atomic::Writes),
        atomic(&writes, thread, Atomic::Refuses),
        atomic(&writes, thread, Atomic::Writes),
        append_then(&writes, thread, Failure::Break),
        append(&writes, thread),
        atomic(&writes, thread, Atomic::Writes),
        append_then(&writes, thread, Failure::Refuse),
        atomic(&writes, thread, Atomic::Writes),
        release,
    );
    assert_eq!(
        refused,
        Err(AppError::BadRequest("refused before writing".into()))
    );
    assert_eq!(undone, Err(AppError::Internal));
    assert!(undone_too.is_err());
    let kept = [a, b, c, d, e].map(Result::unwrap);
    assert!(kept.windows(2).all(|w| w[0] < w[1]), "{kept:?}");
    let mut expected = before;
    expected.extend(kept);
    assert_eq!(
        all_events(&db).await,
        expected,
        "the five good writes, nothing else"
    );
    assert_eq!(writes.commits(), commits + 1, "in one transaction");
}

/// A database error in an atomic write may have left part of it behind
/// (and on PostgreSQL aborts the transaction), so its whole batch is
/// rolled back: it hears its own error, the others `Unavailable`, nothing
/// is stored, and the queue goes on.
#[tokio::test]
async fn a_database_error_in_an_atomic_write_fails_its_batch() {
    let (_dir, db, thread) = fixture().await;
    let writes = queue(&db);
    let before = all_events(&db).await;
    let commits = writes.commits();
    let release = slot_for_a_batch(&db).await;
    let (a, b, broken, c, ()) = tokio::join!(
        atomic(&writes, thread, Atomic::Writes),
        append(&writes, thread),
        atomic(&writes, thread, Atomic::Breaks),
        atomic(&writes, thread, Atomic::Writes),
        release,
    );
    assert_eq!(broken, Err(AppError::Internal));
    for other in [a, b, c] {
        assert_eq!(other, Err(AppError::Unavailable));
    }
    assert_eq!(all_events(&db).await, before, "nothing of the batch stored");
    assert_eq!(writes.commits(), commits);
    let id = atomic(&writes, thread, Atomic::Writes).await.unwrap();
    assert_eq!(all_events(&db).await.last(), Some(&id), "the queue goes on");
}
