//! The append-only event log. Store functions that change what others see
//! append here on the caller's connection, so the event commits (or rolls
//! back) with the change itself and no call site can forget it.

use super::db::{on_db, on_tx};
use super::{Db, Tx};
use chrono::{DateTime, Utc};

/// What changed. The names are the `kind` column's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    MessageCreated,
    MessageDeleted,
    ReactionChanged,
    MemberAdded,
    MemberRemoved,
    MemberLeft,
    ThreadRenamed,
    ReadMoved,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::MessageCreated => "message_created",
            EventKind::MessageDeleted => "message_deleted",
            EventKind::ReactionChanged => "reaction_changed",
            EventKind::MemberAdded => "member_added",
            EventKind::MemberRemoved => "member_removed",
            EventKind::MemberLeft => "member_left",
            EventKind::ThreadRenamed => "thread_renamed",
            EventKind::ReadMoved => "read_moved",
        }
    }
}

/// Appends an event; returns its id (the resume cursor).
///
/// On PostgreSQL the same statement also wakes every node's pump when the
/// transaction commits (`pg_notify`: PostgreSQL delivers notifications at
/// commit and folds identical ones of one transaction into one). SQLite
/// runs one node, woken by the hub.
pub async fn append(
    tx: &mut Tx,
    thread_id: i64,
    kind: EventKind,
    message_id: Option<i64>,
    user_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    const INSERT: &str = "INSERT INTO events (thread_id, kind, message_id, user_id, created_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id";
    // One round trip, not two: the notification rides on the insert.
    const INSERT_AND_NOTIFY: &str =
        "WITH e AS (INSERT INTO events (thread_id, kind, message_id, user_id, created_at)
                    VALUES ($1, $2, $3, $4, $5) RETURNING id),
              n AS (SELECT pg_notify($6, $7))
         SELECT e.id FROM e CROSS JOIN n";
    match tx {
        Tx::Sqlite(c, _) => {
            sqlx::query_scalar(INSERT)
                .bind(thread_id)
                .bind(kind.as_str())
                .bind(message_id)
                .bind(user_id)
                .bind(now)
                .fetch_one(&mut **c)
                .await
        }
        Tx::Postgres(c, _) => {
            sqlx::query_scalar(INSERT_AND_NOTIFY)
                .bind(thread_id)
                .bind(kind.as_str())
                .bind(message_id)
                .bind(user_id)
                .bind(now)
                .bind(super::CLUSTER_CHANNEL)
                .bind(super::EVENTS_SIGNAL)
                .fetch_one(&mut **c)
                .await
        }
    }
}

/// One logged change, with its thread's public id.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    pub id: i64,
    pub thread_id: i64,
    pub thread: String,
    pub kind: String,
    pub message_id: Option<i64>,
    pub user_id: Option<i64>,
    pub title: Option<String>,
}

macro_rules! select_events {
    () => {
        "SELECT e.id, e.thread_id, t.public_id AS thread, e.kind, e.message_id, e.user_id,
                t.title
         FROM events e JOIN threads t ON t.id = e.thread_id"
    };
}

/// Events after `after`, oldest first (what the hub delivers next).
pub async fn after(db: &Db, after: i64, limit: i64) -> Result<Vec<EventRow>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as::<_, EventRow>(concat!(
        select_events!(),
        " WHERE e.id > $1 ORDER BY e.id LIMIT $2"
    ))
    .bind(after)
    .bind(limit)
    .fetch_all(pool)
    .await)
}

/// Events after `after` that `user` may see now: those of threads they are
/// a member of, plus their own removal or departure (so their tabs learn
/// the thread is gone). Oldest first.
pub async fn after_for_user(
    db: &Db,
    after: i64,
    user: i64,
    limit: i64,
) -> Result<Vec<EventRow>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as::<_, EventRow>(concat!(
        select_events!(),
        " WHERE e.id > $1
            AND (e.thread_id IN (SELECT thread_id FROM thread_members WHERE user_id = $2)
                 OR (e.kind IN ('member_removed', 'member_left') AND e.user_id = $2))
          ORDER BY e.id LIMIT $3"
    ))
    .bind(after)
    .bind(user)
    .bind(limit)
    .fetch_all(pool)
    .await)
}

/// The newest event id (0 for an empty log), never below the pruned
/// point: the cursor of a client that has read everything up to now.
pub async fn newest(db: &Db) -> Result<i64, sqlx::Error> {
    let sql = newest_sql(db.is_postgres());
    on_db!(db, pool => sqlx::query_scalar(sql).fetch_one(pool).await)
}

/// [`newest`] as `tx`'s snapshot sees it (a list and its cursor read in
/// one snapshot agree).
pub async fn newest_in(tx: &mut Tx) -> Result<i64, sqlx::Error> {
    let sql = newest_sql(tx.is_postgres());
    on_tx!(tx, c => sqlx::query_scalar(sql).fetch_one(&mut *c).await)
}

fn newest_sql(postgres: bool) -> &'static str {
    // SQLite remembers the largest id it ever gave (pruning cannot lower
    // it). PostgreSQL's sequence also counts ids of in-flight and rolled
    // back writes, so there it is the largest committed row, or the
    // pruned point when pruning emptied the log.
    if postgres {
        "SELECT GREATEST(
             (SELECT COALESCE(MAX(id), 0) FROM events),
             (SELECT pruned_through FROM event_log_state WHERE id = 1))"
    } else {
        "SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = 'events'"
    }
}

/// Events up to this id have been pruned.
pub async fn pruned_through(db: &Db) -> Result<i64, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar("SELECT pruned_through FROM event_log_state WHERE id = 1")
        .fetch_one(pool)
        .await)
}

/// Deletes events up to `through` and records it; one transaction, so a
/// resuming client is either replayed in full or told to reload.
pub async fn prune(db: &Db, through: i64) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let record = if tx.is_postgres() {
        "UPDATE event_log_state SET pruned_through = GREATEST(pruned_through, $1) WHERE id = 1"
    } else {
        "UPDATE event_log_state SET pruned_through = MAX(pruned_through, $1) WHERE id = 1"
    };
    on_tx!(&mut tx, c => {
        sqlx::query("DELETE FROM events WHERE id <= $1")
            .bind(through)
            .execute(&mut *c)
            .await?;
        sqlx::query(record).bind(through).execute(&mut *c).await?;
    });
    tx.commit().await
}
