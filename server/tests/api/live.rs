//! The live socket (`/api/live`, F15–F19) spoken to by a real WebSocket
//! client: what reaches whom, once and in order; resuming and reloading;
//! who may connect; the client's frames; presence; slow readers.

pub(crate) mod client;
mod delivery;
mod frames;
mod resume;
mod sessions;
mod slow;

use app::model::MessageView;
use app::protocol::{Change, Event};

/// The message of a `message_created` event.
fn created(e: &Event) -> Option<&MessageView> {
    match &e.change {
        Change::MessageCreated { message, .. } => Some(message),
        _ => None,
    }
}

/// The `message_created` events among `events`, by message id.
fn created_ids(events: &[Event]) -> Vec<i64> {
    events.iter().filter_map(created).map(|m| m.id).collect()
}
