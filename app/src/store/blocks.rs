//! Blocking (F21): who blocks whom. Private to the blocker: only their own
//! reads list their rows; the send and new-chat checks ask one yes/no
//! question and refuse without saying why.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::db::{on_db, on_tx};
use super::{Db, Tx};

/// `blocker` blocks `blocked` (again: nothing changes). `true` if this
/// call added the block. The caller has checked both users exist and
/// differ (the table's CHECK refuses a self-block as a last line).
pub async fn insert(
    tx: &mut Tx,
    blocker: i64,
    blocked: i64,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (blocker_id, blocked_id) DO NOTHING",
    )
    .bind(blocker)
    .bind(blocked)
    .bind(now)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected() == 1))
}

/// Lifts a block; `true` if there was one.
pub async fn delete(tx: &mut Tx, blocker: i64, blocked: i64) -> Result<bool, sqlx::Error> {
    on_tx!(tx, c => sqlx::query("DELETE FROM blocks WHERE blocker_id = $1 AND blocked_id = $2")
        .bind(blocker)
        .bind(blocked)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected() == 1))
}

/// Whether `blocker` blocks `blocked`, inside a write (a send checks it
/// in the transaction that would store the message).
pub async fn blocks_in(tx: &mut Tx, blocker: i64, blocked: i64) -> Result<bool, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM blocks WHERE blocker_id = $1 AND blocked_id = $2)",
    )
    .bind(blocker)
    .bind(blocked)
    .fetch_one(&mut *c)
    .await)
}

/// The ids `blocker` blocks, ascending.
pub async fn blocked_ids(db: &Db, blocker: i64) -> Result<Vec<i64>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar(
        "SELECT blocked_id FROM blocks WHERE blocker_id = $1 ORDER BY blocked_id",
    )
    .bind(blocker)
    .fetch_all(pool)
    .await)
}

/// [`blocked_ids`] inside a read transaction (the navigation list's).
pub async fn blocked_ids_in(tx: &mut Tx, blocker: i64) -> Result<Vec<i64>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        "SELECT blocked_id FROM blocks WHERE blocker_id = $1 ORDER BY blocked_id",
    )
    .bind(blocker)
    .fetch_all(&mut *c)
    .await)
}

/// Who blocks `user` (they get no typing from them).
pub async fn blockers_of(db: &Db, user: i64) -> Result<Vec<i64>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar("SELECT blocker_id FROM blocks WHERE blocked_id = $1")
        .bind(user)
        .fetch_all(pool)
        .await)
}

/// Someone `blocker` blocks, for their settings page.
#[derive(Debug, Clone, FromRow)]
pub struct BlockedRow {
    pub id: i64,
    pub username: String,
    pub avatar_url: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// The people `blocker` blocks, most recently blocked first.
pub async fn list(db: &Db, blocker: i64) -> Result<Vec<BlockedRow>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as::<_, BlockedRow>(
        "SELECT u.id, u.username, u.avatar_url, b.created_at
         FROM blocks b JOIN users u ON u.id = b.blocked_id
         WHERE b.blocker_id = $1 ORDER BY b.created_at DESC, u.id",
    )
    .bind(blocker)
    .fetch_all(pool)
    .await)
}

/// Who blocks whom in a direct chat, seen from its sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DirectBlock {
    /// The other person blocks the sender.
    ByOther,
    /// The sender blocks the other person (called this).
    BySender(String),
}

/// Whether the other member of direct chat `thread_id` and `sender` block
/// each other, inside the write that would store the sender's message.
/// When both do, the other's block wins (the sender is told nothing more).
pub async fn in_direct(
    tx: &mut Tx,
    thread_id: i64,
    sender: i64,
) -> Result<Option<DirectBlock>, sqlx::Error> {
    let row: Option<(i64, String)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT b.blocker_id, u.username
         FROM thread_members m
         JOIN users u ON u.id = m.user_id
         JOIN blocks b ON (b.blocker_id = m.user_id AND b.blocked_id = $2)
                       OR (b.blocker_id = $2 AND b.blocked_id = m.user_id)
         WHERE m.thread_id = $1 AND m.user_id <> $2
         ORDER BY b.blocker_id = $2",
    )
    .bind(thread_id)
    .bind(sender)
    .fetch_optional(&mut *c)
    .await)?;
    Ok(row.map(|(blocker, name)| {
        if blocker == sender {
            DirectBlock::BySender(name)
        } else {
            DirectBlock::ByOther
        }
    }))
}
