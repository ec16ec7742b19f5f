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
use app::protocol::{Change, Event, ServerFrame};

use client::{Live, QUIET};

use crate::helpers::TestApp;

/// The newest event id in the log (0 for none).
pub(crate) async fn newest_event(app: &TestApp) -> i64 {
    let mut db = app.db().await;
    sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM events")
        .fetch_one(&mut db)
        .await
        .unwrap()
}

/// `(id, kind)` of every event after `after`, from the log itself.
pub(crate) async fn logged_after(app: &TestApp, after: i64) -> Vec<(i64, String)> {
    let mut db = app.db().await;
    sqlx::query_as("SELECT id, kind FROM events WHERE id > $1 ORDER BY id")
        .bind(after)
        .fetch_all(&mut db)
        .await
        .unwrap()
}

/// An event's kind as the log names it.
pub(crate) fn kind(e: &Event) -> &'static str {
    match e.change {
        Change::MessageCreated { .. } => "message_created",
        Change::MessageDeleted { .. } => "message_deleted",
        Change::ReactionChanged { .. } => "reaction_changed",
        Change::MemberAdded { .. } => "member_added",
        Change::MemberRemoved { .. } => "member_removed",
        Change::MemberLeft { .. } => "member_left",
        Change::ThreadRenamed { .. } => "thread_renamed",
        Change::ReadMoved { .. } => "read_moved",
    }
}

/// `(id, kind)` of events, to compare with [`logged_after`].
pub(crate) fn id_kinds(events: &[Event]) -> Vec<(i64, String)> {
    events.iter().map(|e| (e.id, kind(e).to_owned())).collect()
}

/// The message of a `message_created` event.
pub(crate) fn created(e: &Event) -> Option<&MessageView> {
    match &e.change {
        Change::MessageCreated { message, .. } => Some(message),
        _ => None,
    }
}

/// The `message_created` events among `events`, by message id.
fn created_ids(events: &[Event]) -> Vec<i64> {
    events.iter().filter_map(created).map(|m| m.id).collect()
}

/// Asserts no typing frame arrives within [`QUIET`].
pub(crate) async fn assert_no_typing(socket: &mut Live, who: &str) {
    let frames = socket.frames_within(QUIET).await;
    assert!(
        !frames
            .iter()
            .any(|f| matches!(f, ServerFrame::Typing { .. })),
        "{who} was told of typing: {frames:?}"
    );
}

/// What the presence frames among `frames` said about `who`, in order.
pub(crate) fn online_flags(frames: &[ServerFrame], who: i64) -> Vec<bool> {
    frames
        .iter()
        .filter_map(|f| match f {
            ServerFrame::Presence { user, online, .. } if *user == who => Some(*online),
            _ => None,
        })
        .collect()
}
