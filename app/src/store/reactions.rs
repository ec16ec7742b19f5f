//! Emoji reactions on messages: one per (message, user, emoji).

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::db::on_tx;
use super::events::{self, EventKind};
use super::{Db, Tx};

/// Adds the reaction, or removes it if the user had it; returns whether it
/// is on afterwards.
pub async fn toggle(
    tx: &mut Tx,
    thread_id: i64,
    message_id: i64,
    user_id: i64,
    emoji: &str,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let on = on_tx!(&mut *tx, c => {
        let removed = sqlx::query(
            "DELETE FROM reactions WHERE message_id = $1 AND emoji = $2 AND user_id = $3",
        )
        .bind(message_id)
        .bind(emoji)
        .bind(user_id)
        .execute(&mut *c)
        .await?
        .rows_affected();
        if removed == 0 {
            sqlx::query(
                "INSERT INTO reactions (message_id, user_id, emoji, created_at)
                 VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            )
            .bind(message_id)
            .bind(user_id)
            .bind(emoji)
            .bind(now)
            .execute(&mut *c)
            .await?;
        }
        removed == 0
    });
    events::append(
        tx,
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
pub async fn for_messages(db: &Db, message_ids: &[i64]) -> Result<Vec<ReactionRow>, sqlx::Error> {
    if message_ids.is_empty() {
        return Ok(Vec::new());
    }
    macro_rules! select_where {
        ($cond:literal) => {
            concat!(
                "SELECT r.message_id, r.emoji, r.user_id, u.username
                 FROM reactions r JOIN users u ON u.id = r.user_id WHERE ",
                $cond,
                " ORDER BY r.created_at, u.id"
            )
        };
    }
    match db {
        Db::Sqlite(super::db::SqliteDb { pool, .. }) => {
            sqlx::query_as::<_, ReactionRow>(select_where!(
                "r.message_id IN (SELECT value FROM json_each($1))"
            ))
            .bind(super::json_ids(message_ids)?)
            .fetch_all(pool)
            .await
        }
        Db::Postgres(super::db::PgDb { pool, .. }) => {
            sqlx::query_as::<_, ReactionRow>(select_where!("r.message_id = ANY($1)"))
                .bind(message_ids)
                .fetch_all(pool)
                .await
        }
    }
}
