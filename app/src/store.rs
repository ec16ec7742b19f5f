//! The data-access layer: every SQL statement of Parley lives below here,
//! one module per table family, named by what it does, each function
//! written once for both backends (see [`db`]). Reads take the pool
//! ([`Db`]); multi-step writes take a transaction ([`Tx`]) so the caller
//! runs them as one.

/// What member row `m` has left unread: others' messages after its read
/// position, not system lines, not deleted. One definition for the nav
/// list and the live badge, so the two can never disagree.
macro_rules! unread_of_member {
    () => {
        "(SELECT COUNT(*) FROM messages x
          WHERE x.thread_id = m.thread_id AND x.id > m.last_read_message_id
            AND x.sender_id <> m.user_id AND x.kind <> 'system'
            AND x.deleted_at IS NULL AND x.removed_at IS NULL
            AND NOT EXISTS (SELECT 1 FROM blocks b
                            WHERE b.blocker_id = m.user_id AND b.blocked_id = x.sender_id))"
    };
}

pub mod blocks;
pub mod bot;
pub mod db;
pub mod events;
pub mod members;
pub mod messages;
pub mod moderation;
pub mod presence;
pub mod reactions;
pub mod reports;
pub mod rooms;
pub mod threads;
pub mod users;

pub use db::{Db, Tx};

/// The PostgreSQL NOTIFY channel the nodes of one database share (event
/// wake-ups, typing, presence); payloads never carry message text.
pub const CLUSTER_CHANNEL: &str = "parley";

/// The cluster signal a commit with new events sends (`server::live::
/// cluster::Signal::Events`): ids only, the pumps read the log themselves.
pub const EVENTS_SIGNAL: &str = r#"{"t":"events"}"#;

/// A list of ids as the JSON array SQLite's `json_each` reads (how an id
/// list is one bound parameter there; PostgreSQL binds an array).
fn json_ids(ids: &[i64]) -> Result<String, sqlx::Error> {
    serde_json::to_string(ids).map_err(|e| sqlx::Error::Encode(Box::new(e)))
}
