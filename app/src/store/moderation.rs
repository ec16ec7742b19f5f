//! The moderators' side of reports (F21): the open queue grouped by
//! message, decisions (remove or dismiss), and the record of decisions.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::db::{on_db, on_tx};
use super::messages::{self, MessageRow};
use super::{Db, Tx};
use crate::model::ModAction;

/// A reported message's open reports, summed up.
#[derive(Debug, Clone, FromRow)]
pub struct OpenGroup {
    pub message_id: i64,
    pub reports: i64,
    pub first_at: DateTime<Utc>,
    pub last_at: DateTime<Utc>,
    /// The newest open report's id (a decision covers reports up to it).
    pub through: i64,
}

/// Messages with open reports, the longest-waiting first (by their first
/// open report), at most `limit`.
pub async fn open_groups(db: &Db, limit: i64) -> Result<Vec<OpenGroup>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as::<_, OpenGroup>(
        "SELECT message_id, COUNT(*) AS reports, MIN(created_at) AS first_at,
                MAX(created_at) AS last_at, MAX(id) AS through
         FROM reports WHERE status = 'open'
         GROUP BY message_id ORDER BY MIN(id) LIMIT $1",
    )
    .bind(limit)
    .fetch_all(pool)
    .await)
}

/// How many reports are open (the moderators' navigation count).
pub async fn open_count(db: &Db) -> Result<i64, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM reports WHERE status = 'open'")
        .fetch_one(pool)
        .await)
}

/// The reasons of a message's open reports, oldest first (at most `limit`;
/// reporters are not named).
pub async fn open_reasons(
    db: &Db,
    message_id: i64,
    limit: i64,
) -> Result<Vec<String>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar(
        "SELECT reason FROM reports WHERE message_id = $1 AND status = 'open' ORDER BY id LIMIT $2",
    )
    .bind(message_id)
    .bind(limit)
    .fetch_all(pool)
    .await)
}

/// The reasons of the reports a decision closed, oldest first.
pub async fn decided_reasons(
    db: &Db,
    decision_id: i64,
    limit: i64,
) -> Result<Vec<String>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar(
        "SELECT reason FROM reports WHERE decision_id = $1 ORDER BY id LIMIT $2",
    )
    .bind(decision_id)
    .bind(limit)
    .fetch_all(pool)
    .await)
}

/// Up to `n` messages (not system lines) of the thread right before
/// (`before = true`) or after message `id`, oldest first: the context a
/// moderator reads a report in.
pub async fn around(
    db: &Db,
    thread_id: i64,
    id: i64,
    before: bool,
    n: i64,
) -> Result<Vec<MessageRow>, sqlx::Error> {
    let sql = if before {
        messages::CONTEXT_BEFORE_SQL
    } else {
        messages::CONTEXT_AFTER_SQL
    };
    let mut rows = on_db!(db, pool => sqlx::query_as::<_, MessageRow>(sql)
        .bind(thread_id)
        .bind(id)
        .bind(n)
        .fetch_all(pool)
        .await)?;
    if before {
        rows.reverse();
    }
    Ok(rows)
}

/// Where a message was posted: its thread's kind and title, and up to a
/// few members' names (a thread without a title is named by them).
#[derive(Debug, Clone, FromRow)]
pub struct Place {
    pub kind: String,
    pub title: Option<String>,
    pub member_count: i64,
}

pub async fn place(db: &Db, thread_id: i64) -> Result<Place, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as::<_, Place>(
        "SELECT kind, title, member_count FROM threads WHERE id = $1",
    )
    .bind(thread_id)
    .fetch_one(pool)
    .await)
}

/// The first `n` members' names of a thread, by name.
pub async fn member_names(db: &Db, thread_id: i64, n: i64) -> Result<Vec<String>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar(
        "SELECT u.username FROM thread_members m JOIN users u ON u.id = m.user_id
         WHERE m.thread_id = $1 ORDER BY u.username LIMIT $2",
    )
    .bind(thread_id)
    .bind(n)
    .fetch_all(pool)
    .await)
}

/// What became of a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decided {
    /// Recorded with this id; the reports it closed.
    Done { decision: i64, closed: u64 },
    /// No open report of the message up to `through` was left: another
    /// moderator decided first. Nothing was changed.
    AlreadyHandled,
}

/// Decides the open reports of `message_id`, in the caller's write
/// transaction (writes are serialised, so of two moderators deciding at
/// once exactly one finds the reports open).
///
/// - `Dismiss` closes the open reports up to report `through` (one filed
///   after the moderator looked stays open for a fresh look).
/// - `Remove` removes the message for everyone
///   ([`messages::remove`]) and closes every open report on it.
pub async fn decide(
    tx: &mut Tx,
    message_id: i64,
    through: i64,
    moderator: i64,
    action: ModAction,
    now: DateTime<Utc>,
) -> Result<Decided, sqlx::Error> {
    let open: i64 = on_tx!(&mut *tx, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM reports WHERE message_id = $1 AND status = 'open' AND id <= $2",
    )
    .bind(message_id)
    .bind(through)
    .fetch_one(&mut *c)
    .await)?;
    if open == 0 {
        return Ok(Decided::AlreadyHandled);
    }
    let decision: i64 = on_tx!(&mut *tx, c => sqlx::query_scalar(
        "INSERT INTO moderation_decisions (message_id, moderator_id, action, decided_at)
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(message_id)
    .bind(moderator)
    .bind(action.as_str())
    .bind(now)
    .fetch_one(&mut *c)
    .await)?;
    let (status, upto) = match action {
        ModAction::Remove => ("removed", i64::MAX),
        ModAction::Dismiss => ("dismissed", through),
    };
    let closed = on_tx!(&mut *tx, c => sqlx::query(
        "UPDATE reports SET status = $1, decision_id = $2
         WHERE message_id = $3 AND status = 'open' AND id <= $4",
    )
    .bind(status)
    .bind(decision)
    .bind(message_id)
    .bind(upto)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    if action == ModAction::Remove {
        messages::remove(tx, message_id, moderator, now).await?;
    }
    Ok(Decided::Done { decision, closed })
}

/// One recorded decision.
#[derive(Debug, Clone, FromRow)]
pub struct DecisionRow {
    pub id: i64,
    pub message_id: i64,
    pub action: String,
    pub moderator: String,
    pub decided_at: DateTime<Utc>,
    pub reports: i64,
}

/// The newest `limit` decisions, newest first.
pub async fn decisions(db: &Db, limit: i64) -> Result<Vec<DecisionRow>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as::<_, DecisionRow>(
        "SELECT d.id, d.message_id, d.action, u.username AS moderator, d.decided_at,
                (SELECT COUNT(*) FROM reports r WHERE r.decision_id = d.id) AS reports
         FROM moderation_decisions d JOIN users u ON u.id = d.moderator_id
         ORDER BY d.id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(pool)
    .await)
}
