//! Live updates (F15–F19): the hub that fans logged events out to open
//! sockets, the pump that reads them from the log, and the socket itself.
//! The path of an event and the slow-consumer rule are in ARCHITECTURE.md.

pub mod cluster;
pub mod frames;
pub mod hub;
pub mod notices;
pub mod pump;
pub mod queue;
pub mod socket;

pub use hub::{Hub, LiveSettings};
