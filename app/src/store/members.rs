//! Thread membership and read positions.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::db::{on_db, on_tx};
use super::events::{self, EventKind};
use super::{Db, Tx};

#[derive(Debug, Clone, FromRow)]
pub struct MemberRow {
    pub id: i64,
    pub username: String,
    pub avatar_url: Option<String>,
    pub karma: i64,
    pub created_at: DateTime<Utc>,
    pub is_bot: bool,
    pub role: String,
    pub last_read: i64,
    /// When they were last connected (direct chats and groups) or last
    /// posted in the thread (a room's participants).
    pub last_active_at: Option<DateTime<Utc>>,
}

/// A thread's members, in the order they joined.
pub async fn list(db: &Db, thread_id: i64) -> Result<Vec<MemberRow>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as::<_, MemberRow>(
        "SELECT u.id, u.username, u.avatar_url, u.karma, u.created_at, u.is_bot, m.role,
                m.last_read_message_id AS last_read, u.last_active_at
         FROM thread_members m JOIN users u ON u.id = m.user_id
         WHERE m.thread_id = $1 ORDER BY m.joined_at, u.id",
    )
    .bind(thread_id)
    .fetch_all(pool)
    .await)
}

/// Adds a member; `false` when they already were one. A newcomer has read
/// everything before they joined.
pub async fn add(
    tx: &mut Tx,
    thread_id: i64,
    user_id: i64,
    role: &str,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let added = on_tx!(&mut *tx, c => sqlx::query(
        "INSERT INTO thread_members (thread_id, user_id, role, joined_at, last_read_message_id)
         VALUES ($1, $2, $3, $4,
                 COALESCE((SELECT MAX(id) FROM messages WHERE thread_id = $1), 0))
         ON CONFLICT (thread_id, user_id) DO NOTHING",
    )
    .bind(thread_id)
    .bind(user_id)
    .bind(role)
    .bind(now)
    .execute(&mut *c)
    .await?
    .rows_affected())
        == 1;
    if added {
        count_members(tx, thread_id, 1).await?;
        events::append(
            tx,
            thread_id,
            EventKind::MemberAdded,
            None,
            Some(user_id),
            now,
        )
        .await?;
    }
    Ok(added)
}

/// Keeps `threads.member_count` with the rows (a room of thousands is
/// counted without reading them).
async fn count_members(tx: &mut Tx, thread_id: i64, by: i64) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE threads SET member_count = member_count + $1 WHERE id = $2")
        .bind(by)
        .bind(thread_id)
        .execute(&mut *c)
        .await
        .map(drop))
}

/// Why someone stops being a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Departure {
    Removed,
    Left,
}

/// Removes a member; `false` when they were not one.
pub async fn remove(
    tx: &mut Tx,
    thread_id: i64,
    user_id: i64,
    why: Departure,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let removed = on_tx!(&mut *tx, c => sqlx::query(
        "DELETE FROM thread_members WHERE thread_id = $1 AND user_id = $2"
    )
    .bind(thread_id)
    .bind(user_id)
    .execute(&mut *c)
    .await?
    .rows_affected())
        == 1;
    if removed {
        count_members(tx, thread_id, -1).await?;
        let kind = match why {
            Departure::Removed => EventKind::MemberRemoved,
            Departure::Left => EventKind::MemberLeft,
        };
        events::append(tx, thread_id, kind, None, Some(user_id), now).await?;
    }
    Ok(removed)
}

/// The member who joined first after the owner left, who becomes owner.
pub async fn promote_oldest(tx: &mut Tx, thread_id: i64) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE thread_members SET role = 'owner'
         WHERE thread_id = $1 AND user_id = (
             SELECT user_id FROM thread_members WHERE thread_id = $1
             ORDER BY joined_at, user_id LIMIT 1)
           AND NOT EXISTS (SELECT 1 FROM thread_members WHERE thread_id = $1 AND role = 'owner')",
    )
    .bind(thread_id)
    .execute(&mut *c)
    .await
    .map(drop))
}

/// Moves the read position forward (never back: an older tab cannot undo
/// what a newer one saw), with its event, on the caller's transaction.
pub async fn mark_read(
    tx: &mut Tx,
    thread_id: i64,
    user_id: i64,
    message_id: i64,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    if move_read(tx, thread_id, user_id, message_id).await? {
        events::append(
            tx,
            thread_id,
            EventKind::ReadMoved,
            Some(message_id),
            Some(user_id),
            now,
        )
        .await?;
    }
    Ok(())
}

/// Moves the read position forward; `true` if it moved.
async fn move_read(
    tx: &mut Tx,
    thread_id: i64,
    user_id: i64,
    message_id: i64,
) -> Result<bool, sqlx::Error> {
    let moved = on_tx!(&mut *tx, c => sqlx::query(
        "UPDATE thread_members SET last_read_message_id = $3
         WHERE thread_id = $1 AND user_id = $2 AND last_read_message_id < $3",
    )
    .bind(thread_id)
    .bind(user_id)
    .bind(message_id)
    .execute(&mut *c)
    .await?
    .rows_affected())
        == 1;
    Ok(moved)
}

/// The members of these threads as (thread, user) pairs: who may see their
/// events right now.
pub async fn of_threads(db: &Db, thread_ids: &[i64]) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    if thread_ids.is_empty() {
        return Ok(Vec::new());
    }
    match db {
        Db::Sqlite(super::db::SqliteDb { pool, .. }) => {
            sqlx::query_as::<_, (i64, i64)>(
                "SELECT thread_id, user_id FROM thread_members
                 WHERE thread_id IN (SELECT value FROM json_each($1))",
            )
            .bind(super::json_ids(thread_ids)?)
            .fetch_all(pool)
            .await
        }
        Db::Postgres(super::db::PgDb { pool, .. }) => {
            sqlx::query_as::<_, (i64, i64)>(
                "SELECT thread_id, user_id FROM thread_members WHERE thread_id = ANY($1)",
            )
            .bind(thread_ids)
            .fetch_all(pool)
            .await
        }
    }
}

/// What `user` has left unread in a thread (counted as the nav list
/// does); 0 once they are no longer a member.
pub async fn unread(db: &Db, thread_id: i64, user_id: i64) -> Result<i64, sqlx::Error> {
    let count: Option<i64> = on_db!(db, pool => sqlx::query_scalar(concat!(
        "SELECT ",
        unread_of_member!(),
        " FROM thread_members m WHERE m.thread_id = $1 AND m.user_id = $2"
    ))
    .bind(thread_id)
    .bind(user_id)
    .fetch_optional(pool)
    .await)?;
    Ok(count.unwrap_or(0))
}

/// Sets `user`'s read position in a thread as is (no event: for data
/// written before anyone is connected, like the demo's).
pub async fn set_read(
    tx: &mut Tx,
    thread_id: i64,
    user_id: i64,
    message_id: i64,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE thread_members SET last_read_message_id = $1
         WHERE thread_id = $2 AND user_id = $3",
    )
    .bind(message_id)
    .bind(thread_id)
    .bind(user_id)
    .execute(&mut *c)
    .await
    .map(drop))
}

/// Every member of the thread has read all of it (no event, as
/// [`set_read`]).
pub async fn set_all_read(tx: &mut Tx, thread_id: i64) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE thread_members SET last_read_message_id =
             COALESCE((SELECT MAX(id) FROM messages WHERE thread_id = $1), 0)
         WHERE thread_id = $1",
    )
    .bind(thread_id)
    .execute(&mut *c)
    .await
    .map(drop))
}
