//! Reports of messages, queued for moderators (F21).

use chrono::{DateTime, Utc};
use sqlx::SqlitePool;

/// Files a report; reporting the same message twice keeps the first one.
pub async fn insert(
    pool: &SqlitePool,
    message_id: i64,
    reporter_id: i64,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO reports (message_id, reporter_id, reason, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (message_id, reporter_id) DO NOTHING",
    )
    .bind(message_id)
    .bind(reporter_id)
    .bind(reason)
    .bind(now)
    .execute(pool)
    .await
    .map(drop)
}
