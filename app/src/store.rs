//! The data-access layer: every SQL statement of Parley lives below here,
//! one module per table family, named by what it does. Multi-step writes
//! take a `&mut SqliteConnection` so the caller can run them in one
//! transaction.

pub mod events;
pub mod members;
pub mod messages;
pub mod reactions;
pub mod reports;
pub mod threads;
pub mod users;
