//! Thread membership and read positions.

use chrono::{DateTime, Utc};
use sqlx::{FromRow, SqliteConnection, SqlitePool};

use super::events::{self, EventKind};

#[derive(Debug, Clone, FromRow)]
pub struct MemberRow {
    pub id: i64,
    pub username: String,
    pub avatar_url: Option<String>,
    pub karma: i64,
    pub created_at: DateTime<Utc>,
    pub role: String,
    pub last_read: i64,
    pub last_active_at: Option<DateTime<Utc>>,
}

/// A thread's members, in the order they joined.
pub async fn list(pool: &SqlitePool, thread_id: i64) -> Result<Vec<MemberRow>, sqlx::Error> {
    sqlx::query_as::<_, MemberRow>(
        "SELECT u.id, u.username, u.avatar_url, u.karma, u.created_at, m.role,
                m.last_read_message_id AS last_read, u.last_active_at
         FROM thread_members m JOIN users u ON u.id = m.user_id
         WHERE m.thread_id = ? ORDER BY m.joined_at, u.id",
    )
    .bind(thread_id)
    .fetch_all(pool)
    .await
}

/// Adds a member; `false` when they already were one. A newcomer has read
/// everything before they joined.
pub async fn add(
    conn: &mut SqliteConnection,
    thread_id: i64,
    user_id: i64,
    role: &str,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO thread_members (thread_id, user_id, role, joined_at, last_read_message_id)
         VALUES (?1, ?2, ?3, ?4,
                 COALESCE((SELECT MAX(id) FROM messages WHERE thread_id = ?1), 0))
         ON CONFLICT (thread_id, user_id) DO NOTHING",
    )
    .bind(thread_id)
    .bind(user_id)
    .bind(role)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let added = done.rows_affected() == 1;
    if added {
        events::append(
            conn,
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

/// Why someone stops being a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Departure {
    Removed,
    Left,
}

/// Removes a member; `false` when they were not one.
pub async fn remove(
    conn: &mut SqliteConnection,
    thread_id: i64,
    user_id: i64,
    why: Departure,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM thread_members WHERE thread_id = ? AND user_id = ?")
        .bind(thread_id)
        .bind(user_id)
        .execute(&mut *conn)
        .await?;
    let removed = done.rows_affected() == 1;
    if removed {
        let kind = match why {
            Departure::Removed => EventKind::MemberRemoved,
            Departure::Left => EventKind::MemberLeft,
        };
        events::append(conn, thread_id, kind, None, Some(user_id), now).await?;
    }
    Ok(removed)
}

/// The member who joined first after the owner left, who becomes owner.
pub async fn promote_oldest(
    conn: &mut SqliteConnection,
    thread_id: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE thread_members SET role = 'owner'
         WHERE thread_id = ?1 AND user_id = (
             SELECT user_id FROM thread_members WHERE thread_id = ?1
             ORDER BY joined_at, user_id LIMIT 1)
           AND NOT EXISTS (SELECT 1 FROM thread_members WHERE thread_id = ?1 AND role = 'owner')",
    )
    .bind(thread_id)
    .execute(conn)
    .await
    .map(drop)
}

/// Moves the read position forward (never back: an older tab cannot undo
/// what a newer one saw), with its event, on the caller's transaction.
pub async fn mark_read(
    conn: &mut SqliteConnection,
    thread_id: i64,
    user_id: i64,
    message_id: i64,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let moved = sqlx::query(
        "UPDATE thread_members SET last_read_message_id = ?3
         WHERE thread_id = ?1 AND user_id = ?2 AND last_read_message_id < ?3",
    )
    .bind(thread_id)
    .bind(user_id)
    .bind(message_id)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    if moved {
        events::append(
            conn,
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

/// The members of these threads as (thread, user) pairs: who may see their
/// events right now.
pub async fn of_threads(
    pool: &SqlitePool,
    thread_ids: &[i64],
) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    if thread_ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = vec!["?"; thread_ids.len()].join(",");
    let sql = format!("SELECT thread_id, user_id FROM thread_members WHERE thread_id IN ({marks})");
    let mut q = sqlx::query_as::<_, (i64, i64)>(&sql);
    for id in thread_ids {
        q = q.bind(id);
    }
    q.fetch_all(pool).await
}

/// What `user` has left unread in a thread (counted as the nav list
/// does); 0 once they are no longer a member.
pub async fn unread(pool: &SqlitePool, thread_id: i64, user_id: i64) -> Result<i64, sqlx::Error> {
    let count: Option<i64> = sqlx::query_scalar(concat!(
        "SELECT ",
        unread_of_member!(),
        " FROM thread_members m WHERE m.thread_id = ?1 AND m.user_id = ?2"
    ))
    .bind(thread_id)
    .bind(user_id)
    .fetch_optional(pool)
    .await?;
    Ok(count.unwrap_or(0))
}
