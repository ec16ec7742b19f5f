//! What Otter, the bot (F14), reads and remembers: the messages of its
//! threads after its cursor, and the cursor itself. Its answers are
//! ordinary messages (`messages::insert`), so they are live, logged and
//! resumable like anyone's.

use sqlx::FromRow;

use super::db::{on_db, on_tx};
use super::{Db, Tx};

/// A message in a thread Otter is a member of, with what answering needs.
#[derive(Debug, Clone, FromRow)]
pub struct Heard {
    pub id: i64,
    pub thread_id: i64,
    pub sender_id: i64,
    pub body: String,
    /// The asker's time zone as their browser last reported it.
    pub time_zone: Option<String>,
}

/// Otter's user id (`None` before the migration that made it).
pub async fn otter(db: &Db) -> Result<Option<i64>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar(
        "SELECT id FROM users WHERE username = 'otter' AND is_bot"
    )
    .fetch_optional(pool)
    .await)
}

/// Up to `limit` text messages after message `after`, oldest first, by
/// anyone but Otter, in threads Otter is a member of.
pub async fn heard_after(
    db: &Db,
    otter: i64,
    after: i64,
    limit: i64,
) -> Result<Vec<Heard>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as::<_, Heard>(
        "SELECT m.id, m.thread_id, m.sender_id, m.body, u.time_zone
         FROM messages m
         JOIN thread_members o ON o.thread_id = m.thread_id AND o.user_id = $1
         JOIN users u ON u.id = m.sender_id
         WHERE m.id > $2 AND m.kind = 'text' AND m.sender_id <> $1 AND m.deleted_at IS NULL
         ORDER BY m.id LIMIT $3",
    )
    .bind(otter)
    .bind(after)
    .bind(limit)
    .fetch_all(pool)
    .await)
}

/// Where Otter stands, in one read: `(through, newest)`, the stored cursor
/// (every message up to it has been heard, answered or not a question)
/// and the newest message id (where a cursor that has read everything
/// is). One statement, since the worker asks after every commit.
pub async fn positions(db: &Db) -> Result<(i64, i64), sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "SELECT (SELECT through FROM bot_state WHERE id = 1),
                (SELECT COALESCE(MAX(id), 0) FROM messages)"
    )
    .fetch_one(pool)
    .await)
}

/// Moves the cursor forward to `id` (never back), in the caller's
/// transaction (with the answer it covers).
pub async fn heard_through(tx: &mut Tx, id: i64) -> Result<(), sqlx::Error> {
    let sql = if tx.is_postgres() {
        "UPDATE bot_state SET through = GREATEST(through, $1) WHERE id = 1"
    } else {
        "UPDATE bot_state SET through = MAX(through, $1) WHERE id = 1"
    };
    on_tx!(tx, c => sqlx::query(sql).bind(id).execute(&mut *c).await.map(drop))
}

/// Records the zone the user's browser reports, when it changed (Otter
/// tells the time in it).
pub async fn remember_time_zone(tx: &mut Tx, user: i64, zone: &str) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE users SET time_zone = $1 WHERE id = $2 AND (time_zone IS NULL OR time_zone <> $1)"
    )
    .bind(zone)
    .bind(user)
    .execute(&mut *c)
    .await
    .map(drop))
}
