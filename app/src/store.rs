//! The data-access layer: every SQL statement of Parley lives below here,
//! one module per table family, named by what it does. Multi-step writes
//! take a `&mut SqliteConnection` so the caller can run them in one
//! transaction.

/// What member row `m` has left unread: others' messages after its read
/// position, not system lines, not deleted. One definition for the nav
/// list and the live badge, so the two can never disagree.
macro_rules! unread_of_member {
    () => {
        "(SELECT COUNT(*) FROM messages x
          WHERE x.thread_id = m.thread_id AND x.id > m.last_read_message_id
            AND x.sender_id <> m.user_id AND x.kind <> 'system'
            AND x.deleted_at IS NULL)"
    };
}

pub mod events;
pub mod members;
pub mod messages;
pub mod reactions;
pub mod reports;
pub mod threads;
pub mod users;
