use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::db::{on_db, on_tx};
use super::{Db, Tx};
use crate::domain::Username;

#[derive(Debug, Clone, FromRow)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub created_at: DateTime<Utc>,
    /// "user" or "moderator" (F21; granted with `parley moderator grant`).
    pub role: String,
}

impl UserRow {
    pub fn is_moderator(&self) -> bool {
        self.role == MODERATOR
    }
}

/// The `role` of a moderator (F21).
pub const MODERATOR: &str = "moderator";

/// The stored hash, kept out of [`UserRow`] so it is only loaded at login.
#[derive(FromRow)]
pub struct Credentials {
    pub id: i64,
    pub password_hash: String,
}

/// Inserts a user, in the caller's transaction (which also puts them in
/// the home room). `Ok(None)` when the name is taken (in any case: names
/// are stored lower-case, and each backend's unique index also ignores
/// case); the transaction can go on after that on SQLite, and must be
/// dropped on PostgreSQL.
pub async fn insert(
    tx: &mut Tx,
    username: &Username,
    password_hash: &str,
) -> Result<Option<UserRow>, sqlx::Error> {
    let row = on_tx!(tx, c => sqlx::query_as::<_, UserRow>(
        "INSERT INTO users (username, password_hash, created_at) VALUES ($1, $2, $3)
         RETURNING id, username, created_at, role",
    )
    .bind(username.as_str())
    .bind(password_hash)
    .bind(Utc::now())
    .fetch_one(&mut *c)
    .await);
    match row {
        Ok(row) => Ok(Some(row)),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(None),
        Err(e) => Err(e),
    }
}

pub async fn credentials(db: &Db, username: &Username) -> Result<Option<Credentials>, sqlx::Error> {
    // SQLite's username index is NOCASE; PostgreSQL's is plain (names are
    // stored lower-case, and a unique index on lower(username) guards it).
    // A bot has no password: it is no account to log in to.
    let sql = if db.is_postgres() {
        "SELECT id, password_hash FROM users WHERE username = $1 AND NOT is_bot"
    } else {
        "SELECT id, password_hash FROM users WHERE username = $1 COLLATE NOCASE AND NOT is_bot"
    };
    on_db!(db, pool => sqlx::query_as::<_, Credentials>(sql)
    .bind(username.as_str())
    .fetch_optional(pool)
    .await)
}

pub async fn by_id(db: &Db, id: i64) -> Result<Option<UserRow>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as::<_, UserRow>(
        "SELECT id, username, created_at, role FROM users WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(pool)
    .await)
}

/// What the window shows about a person (F2).
#[derive(Debug, Clone, FromRow)]
pub struct ProfileRow {
    pub id: i64,
    pub username: String,
    pub avatar_url: Option<String>,
    pub karma: i64,
    pub created_at: DateTime<Utc>,
    pub is_bot: bool,
}

macro_rules! profile {
    () => {
        "SELECT id, username, avatar_url, karma, created_at, is_bot FROM users"
    };
}

/// User search by prefix on SQLite (exposed so a test can check its query
/// plan). Names are stored lower-case `a-z0-9_-`, all of which sort below
/// `~`, so the prefix is a range on the NOCASE username index.
pub const SEARCH_SQL: &str = concat!(
    profile!(),
    " WHERE username >= $1 COLLATE NOCASE AND username < $2 COLLATE NOCASE
       AND id <> $3 ORDER BY username COLLATE NOCASE LIMIT $4"
);

/// The same search on PostgreSQL, whose `username` column has the "C"
/// collation (byte order whatever the locale), so its index serves the
/// range.
pub const SEARCH_SQL_PG: &str = concat!(
    profile!(),
    " WHERE username >= $1 AND username < $2 AND id <> $3 ORDER BY username LIMIT $4"
);

/// Users whose name starts with `prefix` (any case), excluding `except`,
/// alphabetically. Uses the username index as a range, never a scan.
pub async fn search_prefix(
    db: &Db,
    prefix: &str,
    except: i64,
    limit: i64,
) -> Result<Vec<ProfileRow>, sqlx::Error> {
    let prefix = prefix.to_lowercase();
    let sql = if db.is_postgres() {
        SEARCH_SQL_PG
    } else {
        SEARCH_SQL
    };
    on_db!(db, pool => sqlx::query_as::<_, ProfileRow>(sql)
        .bind(&prefix)
        .bind(format!("{prefix}~"))
        .bind(except)
        .bind(limit)
        .fetch_all(pool)
        .await)
}

/// The profiles of these (lower-case) names, in no particular order.
pub async fn profiles_by_names(
    tx: &mut Tx,
    names: &[String],
) -> Result<Vec<ProfileRow>, sqlx::Error> {
    match tx {
        Tx::Sqlite(c, _) => {
            let names =
                serde_json::to_string(names).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
            sqlx::query_as::<_, ProfileRow>(concat!(
                profile!(),
                " WHERE username COLLATE NOCASE IN (SELECT value FROM json_each($1))"
            ))
            .bind(names)
            .fetch_all(&mut **c)
            .await
        }
        Tx::Postgres(c, _) => {
            sqlx::query_as::<_, ProfileRow>(concat!(profile!(), " WHERE username = ANY($1)"))
                .bind(names)
                .fetch_all(&mut **c)
                .await
        }
    }
}

/// A username inside a transaction (for system lines).
pub async fn name_of(tx: &mut Tx, id: i64) -> Result<String, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar("SELECT username FROM users WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *c)
        .await)
}

/// Rooms bigger than this do not carry their members' presence: the home
/// room has everyone, and telling everyone of every arrival is a fan-out
/// of the whole site per connection. Their participants panel reads who
/// is online when it opens; direct chats, groups and smaller rooms are
/// told live.
pub const PRESENCE_ROOM_MAX: i64 = 200;

/// Everyone who shares a direct chat, a group or a room of at most
/// [`PRESENCE_ROOM_MAX`] members with `user` (who sees their presence).
pub async fn co_member_ids(db: &Db, user: i64) -> Result<Vec<i64>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar(
        "SELECT DISTINCT o.user_id FROM thread_members m
         JOIN threads t ON t.id = m.thread_id
                       AND (t.kind <> 'room' OR t.member_count <= $2)
         JOIN thread_members o ON o.thread_id = m.thread_id AND o.user_id <> m.user_id
         WHERE m.user_id = $1",
    )
    .bind(user)
    .bind(PRESENCE_ROOM_MAX)
    .fetch_all(pool)
    .await)
}

/// Records that `user` was connected at `now` (presence's "last active").
pub async fn touch_active(db: &Db, user: i64, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    on_db!(db, pool => sqlx::query("UPDATE users SET last_active_at = $1 WHERE id = $2")
        .bind(now)
        .bind(user)
        .execute(pool)
        .await
        .map(drop))
}

/// Inserts a user with every profile field set (demo data and tests that
/// need a given age, karma or role); returns the id.
pub async fn insert_profile(
    tx: &mut Tx,
    username: &str,
    password_hash: &str,
    created_at: DateTime<Utc>,
    karma: i64,
    role: &str,
) -> Result<i64, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO users (username, password_hash, created_at, karma, role)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(username)
    .bind(password_hash)
    .bind(created_at)
    .bind(karma)
    .bind(role)
    .fetch_one(&mut *c)
    .await)
}

/// Whether any person (not a bot) has an account, as `tx` sees it.
pub async fn any_in(tx: &mut Tx) -> Result<bool, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE NOT is_bot)")
        .fetch_one(&mut *c)
        .await)
}

/// Whether any person (not a bot) has an account.
pub async fn any(db: &Db) -> Result<bool, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM users WHERE NOT is_bot)")
        .fetch_one(pool)
        .await)
}

/// The ids of every moderator (a handful: the report count goes to their
/// sockets).
pub async fn moderator_ids(db: &Db) -> Result<Vec<i64>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar("SELECT id FROM users WHERE role = $1")
        .bind(MODERATOR)
        .fetch_all(pool)
        .await)
}

/// Sets the role of the user called `username` (any case) to `role`
/// ("user" or "moderator"). `None` when there is no such user (bots
/// included: Otter moderates nothing); else whether the role changed.
pub async fn set_role(db: &Db, username: &str, role: &str) -> Result<Option<bool>, sqlx::Error> {
    let name = username.to_lowercase();
    let found: Option<String> = on_db!(db, pool => sqlx::query_scalar(
        "SELECT role FROM users WHERE username = $1 AND NOT is_bot"
    )
    .bind(&name)
    .fetch_optional(pool)
    .await)?;
    let Some(before) = found else {
        return Ok(None);
    };
    if before == role {
        return Ok(Some(false));
    }
    on_db!(db, pool => sqlx::query("UPDATE users SET role = $1 WHERE username = $2")
        .bind(role)
        .bind(&name)
        .execute(pool)
        .await
        .map(drop))?;
    Ok(Some(true))
}
