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

/// A message to store with [`insert`]: from code that has already checked
/// the thread (system lines, Otter, the demo). A member's own send is
/// [`send_many`].
#[derive(Debug, Clone, Copy)]
pub struct NewMessage<'a> {
    pub thread_id: i64,
    pub sender_id: i64,
    /// The sender's id for this send: a repeat of `(sender_id, client_id)`
    /// stores nothing and finds the first message (safe retries).
    pub client_id: &'a str,
    /// `text`, `sticker` or `system` (the column's CHECK).
    pub kind: &'a str,
    pub body: &'a str,
    pub at: DateTime<Utc>,
}

/// What [`insert`] did.
#[derive(Debug)]
pub enum Stored {
    /// This call stored the message.
    Created(MessageRow),
    /// The client id was used before: the first message with it, which may
    /// be in another thread (the caller checks).
    Existing(MessageRow),
}

impl Stored {
    /// The stored message, new or found.
    pub fn into_row(self) -> MessageRow {
        match self {
            Stored::Created(row) | Stored::Existing(row) => row,
        }
    }
}

/// What an inserted row gives back: a [`MessageRow`].
macro_rules! returning {
    () => {
        " RETURNING id, thread_id, sender_id,
            (SELECT username FROM users WHERE id = messages.sender_id) AS sender,
            (SELECT avatar_url FROM users WHERE id = messages.sender_id) AS sender_avatar,
            (SELECT is_bot FROM users WHERE id = messages.sender_id) AS sender_bot,
            kind, body, created_at, deleted_at, removed_at, client_id"
    };
}

/// On PostgreSQL every node's pump is woken by the inserting statement
/// itself (see events::append): the insert `$sql` (with six parameters)
/// wrapped so that it also sends `pg_notify($7, $8)`, at commit.
macro_rules! and_notify {
    ($sql:expr) => {
        concat!(
            "WITH m AS (",
            $sql,
            "), n AS (SELECT pg_notify($7, $8)) SELECT m.* FROM m CROSS JOIN n"
        )
    };
}

/// Stores a message in the caller's transaction. A repeated
/// `(sender, client_id)` returns the original message instead of a second
/// row; the unique index decides, so concurrent retries cannot both insert.
///
/// The new row's bookkeeping is done by the insert itself (the trigger
/// `messages_bookkeeping`, migrations/*/20261203000001): the thread moves
/// to the top, the sender (unless it is a system line) is active there and
/// has read up to it, and `message_created` is appended to the event log.
/// A sender's read position moves with no event of its own: clients read
/// "the sender has read up to here" from `message_created` (a `read_moved`
/// per send went to every member and doubled the frames, issue 13). On
/// PostgreSQL the same statement wakes every node's pump at commit.
pub async fn insert(tx: &mut Tx, m: &NewMessage<'_>) -> Result<Stored, sqlx::Error> {
    macro_rules! insert_sql {
        () => {
            concat!(
                "INSERT INTO messages (thread_id, sender_id, client_id, kind, body, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (sender_id, client_id) DO NOTHING",
                returning!()
            )
        };
    }
    macro_rules! bound {
        ($sql:expr) => {
            sqlx::query_as::<_, MessageRow>($sql)
                .bind(m.thread_id)
                .bind(m.sender_id)
                .bind(m.client_id)
                .bind(m.kind)
                .bind(m.body)
                .bind(m.at)
        };
    }
    let fresh = match tx {
        Tx::Sqlite(c, _) => bound!(insert_sql!()).fetch_optional(&mut **c).await?,
        Tx::Postgres(c, _) => {
            bound!(and_notify!(insert_sql!()))
                .bind(super::CLUSTER_CHANNEL)
                .bind(super::EVENTS_SIGNAL)
                .fetch_optional(&mut **c)
                .await?
        }
    };
    if let Some(row) = fresh {
        return Ok(Stored::Created(row));
    }
    let first = by_client_id(tx, m.sender_id, m.client_id).await?;
    first.map(Stored::Existing).ok_or(sqlx::Error::RowNotFound)
}

/// The message `sender` stored with `client_id`, if any.
async fn by_client_id(
    tx: &mut Tx,
    sender: i64,
    client_id: &str,
) -> Result<Option<MessageRow>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as::<_, MessageRow>(concat!(
        select!(),
        " WHERE m.sender_id = $1 AND m.client_id = $2"
    ))
    .bind(sender)
    .bind(client_id)
    .fetch_optional(&mut *c)
    .await)
}

/// A member's message for [`send_many`] (owned: it waits in the write
/// queue until its batch runs).
#[derive(Debug, Clone)]
pub struct MemberSend {
    /// The thread's public id (already parsed: 36 characters of a UUID).
    pub thread: String,
    pub sender_id: i64,
    /// As [`NewMessage::client_id`].
    pub client_id: String,
    /// `text` or `sticker`.
    pub kind: String,
    pub body: String,
    pub at: DateTime<Utc>,
}

/// What [`send_many`] did with one message.
#[derive(Debug)]
pub enum Sent {
    /// This call stored the message.
    Created(MessageRow),
    /// A retry: the message this sender stored with this client id in
    /// this thread, unchanged.
    Existing(MessageRow),
    /// The client id was used before, in another thread: nothing stored.
    IdReused,
    /// Nothing stored: the two people of this direct chat (id
    /// `thread_id`) block each other (F21).
    Blocked { thread_id: i64 },
    /// Nothing stored: no such thread, a deleted one, or the sender is not
    /// a member (F22: all three look the same).
    NotFound,
}

/// Stores members' messages in the caller's transaction, in one
/// statement for all of them: [`insert`]'s rules, with the membership
/// gate (F22) and a direct chat's block check (F21) in the statement. One
/// [`Sent`] per message, in the order given; ids are taken in that order.
///
/// Why one statement: the write queue runs the sends that waited together
/// in one transaction, one after another with the write slot held, and
/// each statement is a round trip (SQLite's worker thread, PostgreSQL's
/// socket) plus the database's per-statement work; together they bounded
/// the send rate (issue 13). The messages go in as one parameter per
/// field on PostgreSQL (`unnest` of arrays) and as one JSON array on
/// SQLite (`json_each`), so each backend prepares the statement once
/// whatever the batch's size. Membership is checked as of the write.
///
/// A message that stores nothing (a refusal, or a retry) reads once or
/// twice more to say which; a repeat of one `(sender, client id)` within
/// the batch stores the first and answers the second as its retry.
pub async fn send_many(tx: &mut Tx, sends: &[&MemberSend]) -> Result<Vec<Sent>, sqlx::Error> {
    // `$s` is the batch: one row per message with the columns thread,
    // sender, client_id, kind, body, at, and pos (its place in the batch).
    // A block hides a group's messages from the blocker instead (F21):
    // only a direct chat refuses the send.
    macro_rules! send_sql {
        ($s:literal) => {
            concat!(
                "INSERT INTO messages (thread_id, sender_id, client_id, kind, body, created_at)
                 SELECT t.id, s.sender, s.client_id, s.kind, s.body, s.at FROM ",
                $s,
                "
                 JOIN threads t ON t.public_id = s.thread AND t.deleted_at IS NULL
                 JOIN thread_members me ON me.thread_id = t.id AND me.user_id = s.sender
                 WHERE t.kind <> 'direct' OR NOT EXISTS (
                    SELECT 1 FROM thread_members o
                    JOIN blocks b ON (b.blocker_id = o.user_id AND b.blocked_id = s.sender)
                                  OR (b.blocker_id = s.sender AND b.blocked_id = o.user_id)
                    WHERE o.thread_id = t.id AND o.user_id <> s.sender)
                 ORDER BY s.pos
                 ON CONFLICT (sender_id, client_id) DO NOTHING",
                returning!()
            )
        };
    }
    const SQLITE: &str = send_sql!(
        "(SELECT key AS pos, value ->> 'thread' AS thread, value ->> 'sender' AS sender,
                 value ->> 'client_id' AS client_id, value ->> 'kind' AS kind,
                 value ->> 'body' AS body, value ->> 'at' AS at
          FROM json_each($1)) s"
    );
    // The pumps' wake-up rides on the insert (see events::append).
    const POSTGRES: &str = and_notify!(send_sql!(
        "unnest($1::text[], $2::int8[], $3::text[], $4::text[], $5::text[],
                $6::timestamptz[]) WITH ORDINALITY
            AS s(thread, sender, client_id, kind, body, at, pos)"
    ));
    let rows: Vec<MessageRow> = match tx {
        Tx::Sqlite(c, _) => {
            let batch = serde_json::Value::Array(
                sends
                    .iter()
                    .map(|m| {
                        serde_json::json!({
                            "thread": m.thread,
                            "sender": m.sender_id,
                            "client_id": m.client_id,
                            "kind": m.kind,
                            "body": m.body,
                            // Exactly as sqlx binds a time on SQLite, so
                            // these rows sort and compare like all others.
                            "at": m.at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false),
                        })
                    })
                    .collect(),
            );
            sqlx::query_as(SQLITE)
                .bind(batch.to_string())
                .fetch_all(&mut **c)
                .await?
        }
        Tx::Postgres(c, _) => {
            let field =
                |f: fn(&MemberSend) -> String| sends.iter().map(|m| f(m)).collect::<Vec<_>>();
            sqlx::query_as(POSTGRES)
                .bind(field(|m| m.thread.clone()))
                .bind(sends.iter().map(|m| m.sender_id).collect::<Vec<_>>())
                .bind(field(|m| m.client_id.clone()))
                .bind(field(|m| m.kind.clone()))
                .bind(field(|m| m.body.clone()))
                .bind(sends.iter().map(|m| m.at).collect::<Vec<_>>())
                .bind(super::CLUSTER_CHANNEL)
                .bind(super::EVENTS_SIGNAL)
                .fetch_all(&mut **c)
                .await?
        }
    };
    let mut created: std::collections::HashMap<(i64, String), MessageRow> = rows
        .into_iter()
        .map(|row| ((row.sender_id, row.client_id.clone()), row))
        .collect();
    let mut sent = Vec::with_capacity(sends.len());
    for m in sends {
        let key = (m.sender_id, m.client_id.clone());
        sent.push(match created.remove(&key) {
            Some(row) => Sent::Created(row),
            None => why_not_stored(tx, m).await?,
        });
    }
    Ok(sent)
}

/// Why [`send_many`] stored nothing for `m`, in the order a reader of the
/// rules expects: not a member before anything else (so nothing leaks to
/// outsiders), then a retry or a reused id, then a block.
async fn why_not_stored(tx: &mut Tx, m: &MemberSend) -> Result<Sent, sqlx::Error> {
    let Some((thread_id, kind)) = on_tx!(&mut *tx, c => sqlx::query_as::<_, (i64, String)>(
        "SELECT t.id, t.kind
         FROM threads t JOIN thread_members me ON me.thread_id = t.id AND me.user_id = $2
         WHERE t.public_id = $1 AND t.deleted_at IS NULL",
    )
    .bind(&m.thread)
    .bind(m.sender_id)
    .fetch_optional(&mut *c)
    .await)?
    else {
        return Ok(Sent::NotFound);
    };
    match by_client_id(tx, m.sender_id, &m.client_id).await? {
        // A retry of a message stored before a block is the same message.
        Some(row) if row.thread_id == thread_id => Ok(Sent::Existing(row)),
        Some(_) => Ok(Sent::IdReused),
        None if kind == "direct" => Ok(Sent::Blocked { thread_id }),
        // The insert matched nothing although the thread is the sender's
        // and has no block to check: a bug in one of the two queries.
        None => Err(sqlx::Error::RowNotFound),
    }
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
    let stored = insert(
        tx,
        &NewMessage {
            thread_id,
            sender_id: actor,
            client_id: &client_id,
            kind: "system",
            body: text,
            at: now,
        },
    )
    .await?;
    Ok(stored.into_row())
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
