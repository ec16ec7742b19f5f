use chrono::{DateTime, Utc};
use sqlx::{FromRow, SqlitePool};

use crate::domain::Username;

#[derive(Debug, Clone, FromRow)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub created_at: DateTime<Utc>,
}

/// The stored hash, kept out of [`UserRow`] so it is only loaded at login.
#[derive(FromRow)]
pub struct Credentials {
    pub id: i64,
    pub password_hash: String,
}

/// Inserts a user. `Ok(None)` when the name is taken (in any case).
pub async fn insert(
    pool: &SqlitePool,
    username: &Username,
    password_hash: &str,
) -> Result<Option<UserRow>, sqlx::Error> {
    let row = sqlx::query_as::<_, UserRow>(
        "INSERT INTO users (username, password_hash, created_at) VALUES (?, ?, ?)
         RETURNING id, username, created_at",
    )
    .bind(username.as_str())
    .bind(password_hash)
    .bind(Utc::now())
    .fetch_one(pool)
    .await;
    match row {
        Ok(row) => Ok(Some(row)),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(None),
        Err(e) => Err(e),
    }
}

pub async fn credentials(
    pool: &SqlitePool,
    username: &Username,
) -> Result<Option<Credentials>, sqlx::Error> {
    sqlx::query_as::<_, Credentials>(
        "SELECT id, password_hash FROM users WHERE username = ? COLLATE NOCASE",
    )
    .bind(username.as_str())
    .fetch_optional(pool)
    .await
}

pub async fn by_id(pool: &SqlitePool, id: i64) -> Result<Option<UserRow>, sqlx::Error> {
    sqlx::query_as::<_, UserRow>("SELECT id, username, created_at FROM users WHERE id = ?")
        .bind(id)
        .fetch_optional(pool)
        .await
}
