//! Public rooms (F13): the list, a room by its share link, creating one,
//! and a room's participants a page at a time.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::db::{on_db, on_tx};
use super::members::MemberRow;
use super::{Db, Tx};

/// The home room's public id (the migration that made rooms created it).
pub use crate::model::HOME_ROOM;

/// A room as the rooms list and the join card show it.
#[derive(Debug, Clone, FromRow)]
pub struct RoomRow {
    pub id: i64,
    pub public_id: String,
    pub title: Option<String>,
    pub topic: Option<String>,
    pub member_count: i64,
    pub last_activity_at: DateTime<Utc>,
    /// The viewer is a member.
    pub joined: bool,
}

macro_rules! select_rooms {
    () => {
        "SELECT t.id, t.public_id, t.title, t.topic, t.member_count, t.last_activity_at,
                EXISTS (SELECT 1 FROM thread_members m
                        WHERE m.thread_id = t.id AND m.user_id = $1) AS joined
         FROM threads t WHERE t.kind = 'room' AND t.deleted_at IS NULL"
    };
}

/// Public rooms, most recent activity first, whose name contains
/// `filter` (any case; `None` or blank: all), at most `limit`. Walks the
/// rooms-by-activity index backwards: the cost is the page, not the
/// number of rooms.
pub async fn list(
    db: &Db,
    viewer: i64,
    filter: Option<&str>,
    limit: i64,
) -> Result<Vec<RoomRow>, sqlx::Error> {
    let pattern = filter
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(|f| format!("%{}%", like_escape(&f.to_lowercase())));
    on_db!(db, pool => sqlx::query_as::<_, RoomRow>(concat!(
        select_rooms!(),
        " AND ($2 IS NULL OR lower(t.title) LIKE $2 ESCAPE '\\')
          ORDER BY t.last_activity_at DESC, t.id DESC LIMIT $3"
    ))
    .bind(viewer)
    .bind(pattern.as_deref())
    .bind(limit)
    .fetch_all(pool)
    .await)
}

/// `s` with LIKE's wildcards and its escape character taken literally.
fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The public room with this id, as `viewer` would see its card; `None`
/// for an unknown id and for any thread that is not a public room (a
/// direct or group chat's id reveals nothing).
pub async fn by_public_id(
    db: &Db,
    public_id: &str,
    viewer: i64,
) -> Result<Option<RoomRow>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as::<_, RoomRow>(concat!(
        select_rooms!(),
        " AND t.public_id = $2"
    ))
    .bind(viewer)
    .bind(public_id)
    .fetch_optional(pool)
    .await)
}

/// [`by_public_id`] inside a write (joining checks and joins in one
/// transaction).
pub async fn by_public_id_in(
    tx: &mut Tx,
    public_id: &str,
    viewer: i64,
) -> Result<Option<RoomRow>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, RoomRow>(concat!(
        select_rooms!(),
        " AND t.public_id = $2"
    ))
    .bind(viewer)
    .bind(public_id)
    .fetch_optional(&mut *c)
    .await)
}

/// Creates a room; returns its row id. The caller adds its creator.
pub async fn insert(
    tx: &mut Tx,
    public_id: &str,
    title: &str,
    topic: Option<&str>,
    created_by: i64,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO threads (public_id, kind, title, topic, created_by, created_at,
                              last_activity_at)
         VALUES ($1, 'room', $2, $3, $4, $5, $5) RETURNING id",
    )
    .bind(public_id)
    .bind(title)
    .bind(topic)
    .bind(created_by)
    .bind(now)
    .fetch_one(&mut *c)
    .await)
}

macro_rules! select_participants {
    () => {
        "SELECT u.id, u.username, u.avatar_url, u.karma, u.created_at, u.is_bot, m.role,
                m.last_read_message_id AS last_read, m.last_active_at
         FROM thread_members m JOIN users u ON u.id = m.user_id
         WHERE m.thread_id = $1"
    };
}

/// [`participants`]' query for the most recently active (exposed so a
/// test can check its plan).
pub const PARTICIPANTS_SQL: &str = concat!(
    select_participants!(),
    // The index's own order (no sort of every member): people who never
    // posted come last, in no particular order.
    " ORDER BY m.last_active_at DESC NULLS LAST LIMIT $2"
);

/// The `limit` members of a thread who posted in it most recently (then
/// others), and any of `also` (the viewer, people
/// online) who are members: a page of a room of thousands, never all of
/// it. Uses the members-by-activity index.
pub async fn participants(
    db: &Db,
    thread_id: i64,
    limit: i64,
    also: &[i64],
) -> Result<Vec<MemberRow>, sqlx::Error> {
    let recent = on_db!(db, pool => sqlx::query_as::<_, MemberRow>(PARTICIPANTS_SQL)
    .bind(thread_id)
    .bind(limit)
    .fetch_all(pool)
    .await)?;
    let missing: Vec<i64> = also
        .iter()
        .copied()
        .filter(|id| !recent.iter().any(|p| p.id == *id))
        .take(limit as usize)
        .collect();
    if missing.is_empty() {
        return Ok(recent);
    }
    let extra = match db {
        Db::Sqlite(super::db::SqliteDb { pool, .. }) => {
            sqlx::query_as::<_, MemberRow>(concat!(
                select_participants!(),
                " AND m.user_id IN (SELECT value FROM json_each($2))"
            ))
            .bind(thread_id)
            .bind(super::json_ids(&missing)?)
            .fetch_all(pool)
            .await?
        }
        Db::Postgres(super::db::PgDb { pool, .. }) => {
            sqlx::query_as::<_, MemberRow>(concat!(
                select_participants!(),
                " AND m.user_id = ANY($2)"
            ))
            .bind(thread_id)
            .bind(&missing)
            .fetch_all(pool)
            .await?
        }
    };
    Ok(recent.into_iter().chain(extra).collect())
}

/// Puts a new user in the home room (no system line: thousands join it).
pub async fn join_home(tx: &mut Tx, user: i64, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    let home: Option<i64> = on_tx!(&mut *tx, c => sqlx::query_scalar(
        "SELECT id FROM threads WHERE public_id = $1"
    )
    .bind(HOME_ROOM)
    .fetch_optional(&mut *c)
    .await)?;
    if let Some(home) = home {
        super::members::add(tx, home, user, "member", now).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::like_escape;

    #[test]
    fn a_filter_matches_its_own_characters_only() {
        assert_eq!(like_escape("50%_off\\"), "50\\%\\_off\\\\");
        assert_eq!(like_escape("otters"), "otters");
    }
}
