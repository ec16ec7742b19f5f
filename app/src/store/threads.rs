//! Threads (direct and group chats) and who may see them.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::db::{on_db, on_tx};
use super::{Db, Tx};

/// A thread as seen by one of its members.
#[derive(Debug, Clone, FromRow)]
pub struct MemberThread {
    pub id: i64,
    pub public_id: String,
    pub kind: String,
    pub title: Option<String>,
    pub topic: Option<String>,
    pub member_count: i64,
    pub role: String,
    pub last_read_message_id: i64,
}

/// The thread `public_id` if `user_id` is a member and it is not deleted.
/// Every server function that touches a thread starts here; `None` covers
/// "no such thread", "not yours" and "deleted" alike.
pub async fn for_member(
    db: &Db,
    public_id: &str,
    user_id: i64,
) -> Result<Option<MemberThread>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as::<_, MemberThread>(
        "SELECT t.id, t.public_id, t.kind, t.title, t.topic, t.member_count, m.role,
                m.last_read_message_id
         FROM threads t JOIN thread_members m ON m.thread_id = t.id AND m.user_id = $2
         WHERE t.public_id = $1 AND t.deleted_at IS NULL",
    )
    .bind(public_id)
    .bind(user_id)
    .fetch_optional(pool)
    .await)
}

/// One row of a user's navigation list, with its last message.
#[derive(Debug, Clone, FromRow)]
pub struct NavRow {
    pub id: i64,
    pub public_id: String,
    pub kind: String,
    pub title: Option<String>,
    pub last_kind: Option<String>,
    pub last_body: Option<String>,
    pub last_deleted: Option<bool>,
    pub last_removed: Option<bool>,
    pub last_at: Option<DateTime<Utc>>,
    pub last_sender_id: Option<i64>,
    pub last_sender: Option<String>,
    pub last_id: Option<i64>,
    pub unread: i64,
    pub member_count: i64,
}

/// The navigation list query (exposed so a test can check its plan).
pub const LIST_FOR_USER_SQL: &str = concat!(
    "SELECT t.id, t.public_id, t.kind, t.title, t.member_count,
                lm.id AS last_id, lm.kind AS last_kind, lm.body AS last_body,
                lm.deleted_at IS NOT NULL AS last_deleted,
                lm.removed_at IS NOT NULL AS last_removed, lm.created_at AS last_at,
                lm.sender_id AS last_sender_id, lu.username AS last_sender,
                ",
    unread_of_member!(),
    " AS unread
         FROM thread_members m
         JOIN threads t ON t.id = m.thread_id
         LEFT JOIN messages lm ON lm.id = t.last_message_id
         LEFT JOIN users lu ON lu.id = lm.sender_id
         WHERE m.user_id = $1 AND t.deleted_at IS NULL
         ORDER BY t.last_activity_at DESC, t.id DESC"
);

/// The user's threads, most recent activity first. Starts from the
/// member index (only this user's rows), then primary-key lookups; the
/// unread count is a range on `messages_by_thread`.
pub async fn list_for_user(tx: &mut Tx, user_id: i64) -> Result<Vec<NavRow>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, NavRow>(LIST_FOR_USER_SQL)
        .bind(user_id)
        .fetch_all(&mut *c)
        .await)
}

/// Another member of one of the user's threads (for names and avatars).
#[derive(Debug, Clone, FromRow)]
pub struct CoMember {
    pub thread_id: i64,
    pub username: String,
    pub avatar_url: Option<String>,
}

/// [`co_members`]'s query (exposed so a test can check its plan).
pub const CO_MEMBERS_SQL: &str = "SELECT thread_id, username, avatar_url FROM (
         SELECT o.thread_id, u.username, u.avatar_url, o.joined_at, u.id AS uid,
                ROW_NUMBER() OVER (PARTITION BY o.thread_id
                                   ORDER BY o.joined_at, u.id) AS n
         FROM thread_members m
         JOIN threads t ON t.id = m.thread_id AND t.kind <> 'room'
         JOIN thread_members o ON o.thread_id = m.thread_id AND o.user_id <> m.user_id
         JOIN users u ON u.id = o.user_id
         WHERE m.user_id = $1
     ) firsts
     WHERE n <= $2
     ORDER BY thread_id, joined_at, uid";

/// The first `per_thread` other members (oldest member first) of every
/// direct chat and group the user is in: what names them. Rooms are named
/// by their title, so none of their members is read; and a big group
/// gives only its first few.
pub async fn co_members(
    tx: &mut Tx,
    user_id: i64,
    per_thread: i64,
) -> Result<Vec<CoMember>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, CoMember>(CO_MEMBERS_SQL)
    .bind(user_id)
    .bind(per_thread)
    .fetch_all(&mut *c)
    .await)
}

/// Creates a thread; returns its row id. The caller adds the members in
/// the same transaction.
pub async fn insert(
    tx: &mut Tx,
    public_id: &str,
    kind: &str,
    direct_key: Option<&str>,
    created_by: i64,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        "INSERT INTO threads (public_id, kind, direct_key, created_by, created_at, last_activity_at)
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
    )
    .bind(public_id)
    .bind(kind)
    .bind(direct_key)
    .bind(created_by)
    .bind(now)
    .fetch_one(&mut *c)
    .await)
}

/// The direct chat of a pair, in either direction. The key is symmetric,
/// so there is at most one (a unique index says so).
pub fn direct_key(a: i64, b: i64) -> String {
    format!("{}:{}", a.min(b), a.max(b))
}

/// Frees the key of a pair's deleted direct chat, so they can start a new
/// one (the unique index would otherwise keep refusing it).
pub async fn release_deleted_direct_key(tx: &mut Tx, key: &str) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "UPDATE threads SET direct_key = NULL WHERE direct_key = $1 AND deleted_at IS NOT NULL",
    )
    .bind(key)
    .execute(&mut *c)
    .await
    .map(drop))
}

pub async fn direct_by_key(tx: &mut Tx, key: &str) -> Result<Option<String>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar(
        "SELECT public_id FROM threads WHERE direct_key = $1 AND deleted_at IS NULL"
    )
    .bind(key)
    .fetch_optional(&mut *c)
    .await)
}

pub async fn set_title(
    tx: &mut Tx,
    id: i64,
    title: Option<&str>,
    by: i64,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    on_tx!(&mut *tx, c => sqlx::query("UPDATE threads SET title = $1 WHERE id = $2")
        .bind(title)
        .bind(id)
        .execute(&mut *c)
        .await
        .map(drop))?;
    super::events::append(
        tx,
        id,
        super::events::EventKind::ThreadRenamed,
        None,
        Some(by),
        now,
    )
    .await
    .map(drop)
}
