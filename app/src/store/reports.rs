//! Reports of messages, queued for moderators (F21).

use super::db::on_db;
use super::Db;
use chrono::{DateTime, Utc};

/// Files a report; reporting the same message twice keeps the first one.
/// `true` if this call filed it.
pub async fn insert(
    db: &Db,
    message_id: i64,
    reporter_id: i64,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    on_db!(db, pool => sqlx::query(
        "INSERT INTO reports (message_id, reporter_id, reason, created_at)
         VALUES ($1, $2, $3, $4) ON CONFLICT (message_id, reporter_id) DO NOTHING",
    )
    .bind(message_id)
    .bind(reporter_id)
    .bind(reason)
    .bind(now)
    .execute(pool)
    .await
    .map(|r| r.rows_affected() == 1))
}
