use chrono::{DateTime, Utc};
use sqlx::{FromRow, SqliteConnection, SqlitePool};

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

/// What the window shows about a person (F2).
#[derive(Debug, Clone, FromRow)]
pub struct ProfileRow {
    pub id: i64,
    pub username: String,
    pub avatar_url: Option<String>,
    pub karma: i64,
    pub created_at: DateTime<Utc>,
}

macro_rules! profile {
    () => {
        "SELECT id, username, avatar_url, karma, created_at FROM users"
    };
}
const PROFILE: &str = profile!();

/// User search by prefix (exposed so a test can check its query plan).
pub const SEARCH_SQL: &str = concat!(
    profile!(),
    " WHERE username >= ?1 COLLATE NOCASE AND username < ?2 COLLATE NOCASE
       AND id <> ?3 ORDER BY username COLLATE NOCASE LIMIT ?4"
);

/// Users whose name starts with `prefix` (any case), excluding `except`,
/// alphabetically. Uses the NOCASE index as a range, never a scan: names
/// are lower-case `a-z0-9_-`, all of which sort below `~`.
pub async fn search_prefix(
    pool: &SqlitePool,
    prefix: &str,
    except: i64,
    limit: i64,
) -> Result<Vec<ProfileRow>, sqlx::Error> {
    let prefix = prefix.to_lowercase();
    sqlx::query_as::<_, ProfileRow>(SEARCH_SQL)
        .bind(&prefix)
        .bind(format!("{prefix}~"))
        .bind(except)
        .bind(limit)
        .fetch_all(pool)
        .await
}

pub async fn profiles_by_names(
    conn: &mut SqliteConnection,
    names: &[String],
) -> Result<Vec<ProfileRow>, sqlx::Error> {
    let names = serde_json::to_string(names).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query_as::<_, ProfileRow>(&format!(
        "{PROFILE} WHERE username COLLATE NOCASE IN (SELECT value FROM json_each(?))"
    ))
    .bind(names)
    .fetch_all(conn)
    .await
}

/// A username inside a transaction (for system lines).
pub async fn name_of(conn: &mut SqliteConnection, id: i64) -> Result<String, sqlx::Error> {
    sqlx::query_scalar("SELECT username FROM users WHERE id = ?")
        .bind(id)
        .fetch_one(conn)
        .await
}

/// Everyone who shares a thread with `user` (who sees their presence).
pub async fn co_member_ids(pool: &SqlitePool, user: i64) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT DISTINCT o.user_id FROM thread_members m
         JOIN thread_members o ON o.thread_id = m.thread_id AND o.user_id <> m.user_id
         WHERE m.user_id = ?",
    )
    .bind(user)
    .fetch_all(pool)
    .await
}

/// Records that `user` was connected at `now` (presence's "last active").
pub async fn touch_active(
    pool: &SqlitePool,
    user: i64,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET last_active_at = ? WHERE id = ?")
        .bind(now)
        .bind(user)
        .execute(pool)
        .await
        .map(drop)
}
