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

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OpenReport {
    pub id: i64,
    pub message_id: i64,
    pub reporter_id: i64,
    pub reason: String,
}

/// The moderation queue: open reports, oldest first.
pub async fn open(pool: &SqlitePool) -> Result<Vec<OpenReport>, sqlx::Error> {
    sqlx::query_as::<_, OpenReport>(
        "SELECT id, message_id, reporter_id, reason FROM reports
         WHERE status = 'open' ORDER BY id",
    )
    .fetch_all(pool)
    .await
}
