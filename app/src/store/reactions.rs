//! Emoji reactions on messages: one per (message, user, emoji).

use chrono::{DateTime, Utc};
use sqlx::{FromRow, SqliteConnection, SqlitePool};

use super::events::{self, EventKind};

/// Adds the reaction, or removes it if the user had it; returns whether it
/// is on afterwards.
pub async fn toggle(
    conn: &mut SqliteConnection,
    thread_id: i64,
    message_id: i64,
    user_id: i64,
    emoji: &str,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let removed =
        sqlx::query("DELETE FROM reactions WHERE message_id = ? AND emoji = ? AND user_id = ?")
            .bind(message_id)
            .bind(emoji)
            .bind(user_id)
            .execute(&mut *conn)
            .await?
            .rows_affected();
    let on = removed == 0;
    if on {
        sqlx::query(
            "INSERT INTO reactions (message_id, user_id, emoji, created_at) VALUES (?, ?, ?, ?)
             ON CONFLICT DO NOTHING",
        )
        .bind(message_id)
        .bind(user_id)
        .bind(emoji)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    events::append(
        conn,
        thread_id,
        EventKind::ReactionChanged,
        Some(message_id),
        Some(user_id),
        now,
    )
    .await?;
    Ok(on)
}

#[derive(Debug, Clone, FromRow)]
pub struct ReactionRow {
    pub message_id: i64,
    pub emoji: String,
    pub user_id: i64,
    pub username: String,
}

/// Every reaction on the given messages, oldest first (primary-key
/// lookups, one per message).
pub async fn for_messages(
    pool: &SqlitePool,
    message_ids: &[i64],
) -> Result<Vec<ReactionRow>, sqlx::Error> {
    if message_ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids = serde_json::to_string(message_ids).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query_as::<_, ReactionRow>(
        "SELECT r.message_id, r.emoji, r.user_id, u.username
         FROM reactions r JOIN users u ON u.id = r.user_id
         WHERE r.message_id IN (SELECT value FROM json_each(?))
         ORDER BY r.created_at, u.id",
    )
    .bind(ids)
    .fetch_all(pool)
    .await
}
