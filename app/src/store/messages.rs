//! Messages: insert (idempotent per client id), history pages, soft delete.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::db::{on_db, on_tx};
use super::events::{self, EventKind};
use super::{Db, Tx};

#[derive(Debug, Clone, FromRow)]
pub struct MessageRow {
    pub id: i64,
    pub thread_id: i64,
    pub sender_id: i64,
    pub sender: String,
    pub sender_avatar: Option<String>,
    pub sender_bot: bool,
    pub kind: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    /// Removed by a moderator (F21): its text is never shown again.
    pub removed_at: Option<DateTime<Utc>>,
    /// The sender's id for this send (their tabs match it to a pending copy).
    pub client_id: String,
}

macro_rules! select {
    () => {
        "SELECT m.id, m.thread_id, m.sender_id, u.username AS sender,
            u.avatar_url AS sender_avatar, u.is_bot AS sender_bot, m.kind, m.body,
            m.created_at, m.deleted_at, m.removed_at, m.client_id
         FROM messages m JOIN users u ON u.id = m.sender_id"
    };
}

/// A page of history (exposed so a test can check its query plan).
pub const PAGE_SQL: &str = concat!(
    select!(),
    " WHERE m.thread_id = $1 AND m.id < $2 ORDER BY m.id DESC LIMIT $3"
);

/// Up to `$3` messages of thread `$1` before message `$2`, newest first
/// (a reported message's context, F21).
pub const CONTEXT_BEFORE_SQL: &str = concat!(
    select!(),
    " WHERE m.thread_id = $1 AND m.id < $2 AND m.kind <> 'system' ORDER BY m.id DESC LIMIT $3"
);

/// Up to `$3` messages of thread `$1` after message `$2`, oldest first.
pub const CONTEXT_AFTER_SQL: &str = concat!(
    select!(),
    " WHERE m.thread_id = $1 AND m.id > $2 AND m.kind <> 'system' ORDER BY m.id LIMIT $3"
);

/// The outcome of a send: the stored message and whether this call stored
/// it (`false`: the client id was used before, this is the first message).
pub struct Inserted {
    pub message: MessageRow,
    pub created: bool,
}

/// Stores a message and moves its thread to the top, in the caller's
/// transaction. A repeated `(sender, client_id)` returns the original
/// message instead of a second row; the unique index decides, so
/// concurrent retries cannot both insert.
///
/// A new message that is not a system line also marks its sender active
/// in the thread and moves their read position to it (you have read what
/// you wrote), with no event of its own: the message's `message_created`
/// says it (clients read "the sender has read up to here" and, in the
/// sender's own tabs, "nothing left unread" from it; a `read_moved` per
/// send went to every member and doubled the frames of every message,
/// issue 13).
///
/// Four statements for a new message (the row comes back from the
/// insert itself), two for a retry: each is a round trip to SQLite's
/// worker thread inside the write lock, so every one saved shortens the
/// queue of writers behind it.
pub async fn insert(
    tx: &mut Tx,
    thread_id: i64,
    sender_id: i64,
    client_id: &str,
    kind: &str,
    body: &str,
    now: DateTime<Utc>,
) -> Result<Inserted, sqlx::Error> {
    let fresh: Option<MessageRow> = on_tx!(&mut *tx, c => sqlx::query_as(
        "INSERT INTO messages (thread_id, sender_id, client_id, kind, body, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (sender_id, client_id) DO NOTHING
         RETURNING id, thread_id, sender_id,
            (SELECT username FROM users WHERE id = $2) AS sender,
            (SELECT avatar_url FROM users WHERE id = $2) AS sender_avatar,
            (SELECT is_bot FROM users WHERE id = $2) AS sender_bot,
            kind, body, created_at, deleted_at, removed_at, client_id",
    )
    .bind(thread_id)
    .bind(sender_id)
    .bind(client_id)
    .bind(kind)
    .bind(body)
    .bind(now)
    .fetch_optional(&mut *c)
    .await)?;
    let Some(message) = fresh else {
        let message = on_tx!(tx, c => sqlx::query_as::<_, MessageRow>(concat!(
            select!(),
            " WHERE m.sender_id = $1 AND m.client_id = $2"
        ))
        .bind(sender_id)
        .bind(client_id)
        .fetch_one(&mut *c)
        .await)?;
        return Ok(Inserted {
            message,
            created: false,
        });
    };
    super::threads::touch(tx, thread_id, message.id, now).await?;
    if kind != "system" {
        super::members::sent(tx, thread_id, sender_id, message.id, now).await?;
    }
    events::append(
        tx,
        thread_id,
        EventKind::MessageCreated,
        Some(message.id),
        Some(sender_id),
        now,
    )
    .await?;
    Ok(Inserted {
        message,
        created: true,
    })
}

/// A system line ("ana added bo"), written by `actor`.
pub async fn insert_system(
    tx: &mut Tx,
    thread_id: i64,
    actor: i64,
    text: &str,
    now: DateTime<Utc>,
) -> Result<MessageRow, sqlx::Error> {
    let client_id = format!("system-{}", uuid::Uuid::new_v4());
    insert(tx, thread_id, actor, &client_id, "system", text, now)
        .await
        .map(|i| i.message)
}

/// Up to `limit` messages of a thread before message `before` (or the
/// newest), oldest first, plus whether older ones remain. Walks
/// `messages_by_thread` backwards from the cursor: the cost is the page,
/// not the history.
pub async fn page(
    db: &Db,
    thread_id: i64,
    before: Option<i64>,
    limit: i64,
) -> Result<(Vec<MessageRow>, bool), sqlx::Error> {
    let mut rows = on_db!(db, pool => sqlx::query_as::<_, MessageRow>(PAGE_SQL)
        .bind(thread_id)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit + 1)
        .fetch_all(pool)
        .await)?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit.max(0) as usize);
    rows.reverse();
    Ok((rows, more))
}

/// How many messages of the thread are newer than `after`.
pub async fn count_after(db: &Db, thread_id: i64, after: i64) -> Result<i64, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM messages WHERE thread_id = $1 AND id > $2"
    )
    .bind(thread_id)
    .bind(after)
    .fetch_one(pool)
    .await)
}

/// The first message after `after` that someone else wrote (where "new
/// messages" begin for a reader).
pub async fn first_unread(
    db: &Db,
    thread_id: i64,
    reader: i64,
    after: i64,
) -> Result<Option<i64>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar(
        "SELECT MIN(id) FROM messages
         WHERE thread_id = $1 AND id > $2 AND sender_id <> $3 AND kind <> 'system'
           AND deleted_at IS NULL AND removed_at IS NULL
           AND sender_id NOT IN (SELECT blocked_id FROM blocks WHERE blocker_id = $3)",
    )
    .bind(thread_id)
    .bind(after)
    .bind(reader)
    .fetch_one(pool)
    .await)
}

/// A message with the public id of its thread, if `user_id` is a member of
/// that thread (and it is not deleted): otherwise the message does not
/// exist for them.
pub async fn for_member(
    db: &Db,
    message_id: i64,
    user_id: i64,
) -> Result<Option<MessageRow>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as::<_, MessageRow>(concat!(
        select!(),
        " JOIN thread_members tm ON tm.thread_id = m.thread_id AND tm.user_id = $2
          JOIN threads t ON t.id = m.thread_id AND t.deleted_at IS NULL
          WHERE m.id = $1"
    ))
    .bind(message_id)
    .bind(user_id)
    .fetch_optional(pool)
    .await)
}

/// Soft delete: the row stays (moderators may need it), its text is never
/// shown again. Only the sender's own text or sticker messages; `false`
/// when there was nothing to delete.
pub async fn soft_delete(
    tx: &mut Tx,
    message_id: i64,
    sender_id: i64,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let thread_id: Option<i64> = on_tx!(&mut *tx, c => sqlx::query_scalar(
        "UPDATE messages SET deleted_at = $1
         WHERE id = $2 AND sender_id = $3 AND deleted_at IS NULL AND kind <> 'system'
         RETURNING thread_id",
    )
    .bind(now)
    .bind(message_id)
    .bind(sender_id)
    .fetch_optional(&mut *c)
    .await)?;
    if let Some(thread_id) = thread_id {
        events::append(
            tx,
            thread_id,
            EventKind::MessageDeleted,
            Some(message_id),
            Some(sender_id),
            now,
        )
        .await?;
    }
    Ok(thread_id.is_some())
}

/// Removes a message for everyone (a moderator's decision, F21), in the
/// caller's transaction: its text is never sent to a member again, and
/// every open tab hears of it (a `message_deleted` event, which the live
/// socket turns into a removal by reading the row). `false` when it was
/// removed already (or is a system line, which nobody can report).
pub async fn remove(
    tx: &mut Tx,
    message_id: i64,
    moderator: i64,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let thread_id: Option<i64> = on_tx!(&mut *tx, c => sqlx::query_scalar(
        "UPDATE messages SET removed_at = $1, removed_by = $2
         WHERE id = $3 AND removed_at IS NULL AND kind <> 'system'
         RETURNING thread_id",
    )
    .bind(now)
    .bind(moderator)
    .bind(message_id)
    .fetch_optional(&mut *c)
    .await)?;
    if let Some(thread_id) = thread_id {
        events::append(
            tx,
            thread_id,
            EventKind::MessageDeleted,
            Some(message_id),
            Some(moderator),
            now,
        )
        .await?;
    }
    Ok(thread_id.is_some())
}

/// These messages (any thread), for delivering their events.
pub async fn by_ids(db: &Db, ids: &[i64]) -> Result<Vec<MessageRow>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    match db {
        Db::Sqlite(super::db::SqliteDb { pool, .. }) => {
            sqlx::query_as::<_, MessageRow>(concat!(
                select!(),
                " WHERE m.id IN (SELECT value FROM json_each($1))"
            ))
            .bind(super::json_ids(ids)?)
            .fetch_all(pool)
            .await
        }
        Db::Postgres(super::db::PgDb { pool, .. }) => {
            sqlx::query_as::<_, MessageRow>(concat!(select!(), " WHERE m.id = ANY($1)"))
                .bind(ids)
                .fetch_all(pool)
                .await
        }
    }
}

/// The thread a message is in.
pub async fn thread_of(tx: &mut Tx, message_id: i64) -> Result<i64, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_scalar("SELECT thread_id FROM messages WHERE id = $1")
        .bind(message_id)
        .fetch_one(&mut *c)
        .await)
}
