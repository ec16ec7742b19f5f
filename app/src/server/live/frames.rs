//! Logged events turned into the frames a socket sends. Payloads are read
//! from the tables at delivery time (the log only says what changed), so a
//! replay never resurrects a deleted message's text.

use std::collections::HashMap;

use crate::store::Db;
use axum::extract::ws::Utf8Bytes;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::protocol::{Change, Event, ServerFrame};
use crate::server::views::{self, Viewer};
use crate::store::{
    events::EventRow,
    members,
    messages::{self, MessageRow},
    reactions::{self, ReactionRow},
};

/// What a batch of events needs from the tables, read once per batch.
#[derive(Default)]
pub struct Loaded {
    messages: HashMap<i64, MessageRow>,
    reactions: HashMap<i64, Vec<ReactionRow>>,
    /// (thread, reader) → what the reader has left unread.
    unread: HashMap<(i64, i64), i64>,
}

pub async fn load(pool: &Db, events: &[EventRow]) -> Result<Loaded, sqlx::Error> {
    let mut ids: Vec<i64> = events
        .iter()
        .filter(|e| {
            matches!(
                e.kind.as_str(),
                "message_created" | "reaction_changed" | "message_deleted"
            )
        })
        .filter_map(|e| e.message_id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let mut loaded = Loaded::default();
    for m in messages::by_ids(pool, &ids).await? {
        loaded.messages.insert(m.id, m);
    }
    // Reactions are read only for a batch that changes some. Every
    // reaction is logged after its message's `message_created`, so anyone
    // given a message without the reactions it has gained since gets them
    // with the `reaction_changed` that follows (in a later batch): one
    // query fewer per message in the common case.
    if events.iter().any(|e| e.kind == "reaction_changed") {
        for r in reactions::for_messages(pool, &ids).await? {
            loaded.reactions.entry(r.message_id).or_default().push(r);
        }
    }
    for e in events.iter().filter(|e| e.kind == "read_moved") {
        if let Some(user) = e.user_id {
            let key = (e.thread_id, user);
            if let std::collections::hash_map::Entry::Vacant(slot) = loaded.unread.entry(key) {
                slot.insert(members::unread(pool, e.thread_id, user).await?);
            }
        }
    }
    Ok(loaded)
}

impl Loaded {
    /// The frame for `e` with times written in `tz`, for user `recipient`;
    /// `None` for an event whose subject is gone (it has nothing left to
    /// show). Only a `read_moved` differs by recipient: its `unread` is the
    /// reader's own count, which leaves out the senders they block, so
    /// anyone else gets 0 (the count would tell a blocked member they are
    /// blocked; and only the reader's tabs use it).
    pub fn frame(
        &self,
        e: &EventRow,
        tz: Tz,
        now: DateTime<Utc>,
        recipient: i64,
    ) -> Option<ServerFrame> {
        let change = match e.kind.as_str() {
            "message_created" => {
                let row = self.messages.get(&e.message_id?)?.clone();
                let client_id = row.client_id.clone();
                // `mine` is the recipient's to work out (from `user_ids`):
                // one rendering serves every recipient in the zone.
                let viewer = Viewer { id: 0, tz, now };
                let message = Box::new(views::message(
                    row,
                    &self.reaction_refs(e.message_id?),
                    &viewer,
                ));
                Change::MessageCreated { message, client_id }
            }
            // One kind of event for both: the row says whether its author
            // deleted it or a moderator removed it.
            "message_deleted" => Change::MessageDeleted {
                message_id: e.message_id?,
                removed: self
                    .messages
                    .get(&e.message_id?)
                    .is_some_and(|m| m.removed_at.is_some()),
            },
            "reaction_changed" => Change::ReactionChanged {
                message_id: e.message_id?,
                reactions: views::reactions(&self.reaction_refs(e.message_id?), 0),
            },
            "member_added" => Change::MemberAdded { user: e.user_id? },
            "member_removed" => Change::MemberRemoved { user: e.user_id? },
            "member_left" => Change::MemberLeft { user: e.user_id? },
            "thread_renamed" => Change::ThreadRenamed {
                title: e.title.clone(),
            },
            "read_moved" => {
                let user = e.user_id?;
                Change::ReadMoved {
                    user,
                    message_id: e.message_id?,
                    unread: match recipient == user {
                        true => self.unread.get(&(e.thread_id, user)).copied().unwrap_or(0),
                        false => 0,
                    },
                }
            }
            _ => return None,
        };
        Some(ServerFrame::Event(Event {
            id: e.id,
            thread: e.thread.clone(),
            change,
        }))
    }

    /// The frame as text, ready for every socket of `recipient` in the
    /// zone (and, for any event but `read_moved`, of everyone else too).
    pub fn text(
        &self,
        e: &EventRow,
        tz: Tz,
        now: DateTime<Utc>,
        recipient: i64,
    ) -> Option<Utf8Bytes> {
        self.frame(e, tz, now, recipient)
            .map(|f| Utf8Bytes::from(f.to_json()))
    }

    fn reaction_refs(&self, message: i64) -> Vec<&ReactionRow> {
        self.reactions
            .get(&message)
            .map(|rs| rs.iter().collect())
            .unwrap_or_default()
    }
}
