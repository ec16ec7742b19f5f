//! The append-only event log. Store functions that change what others see
//! append here on the caller's connection, so the event commits (or rolls
//! back) with the change itself and no call site can forget it.

use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

/// What changed. The names are the `kind` column's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    MessageCreated,
    MessageDeleted,
    ReactionChanged,
    MemberAdded,
    MemberRemoved,
    MemberLeft,
    ThreadRenamed,
    ReadMoved,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::MessageCreated => "message_created",
            EventKind::MessageDeleted => "message_deleted",
            EventKind::ReactionChanged => "reaction_changed",
            EventKind::MemberAdded => "member_added",
            EventKind::MemberRemoved => "member_removed",
            EventKind::MemberLeft => "member_left",
            EventKind::ThreadRenamed => "thread_renamed",
            EventKind::ReadMoved => "read_moved",
        }
    }
}

/// Appends an event; returns its id (the resume cursor).
pub async fn append(
    conn: &mut SqliteConnection,
    thread_id: i64,
    kind: EventKind,
    message_id: Option<i64>,
    user_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO events (thread_id, kind, message_id, user_id, created_at)
         VALUES (?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(thread_id)
    .bind(kind.as_str())
    .bind(message_id)
    .bind(user_id)
    .bind(now)
    .fetch_one(conn)
    .await
}
