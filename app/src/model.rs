//! The data the chat window shows, as it crosses the wire from server
//! functions to components. Times arrive already formatted for the viewer's
//! time zone (the server owns the zone database), so the browser renders the
//! same text the server did and never needs a zone table in its wasm.

use serde::{Deserialize, Serialize};

use crate::domain::MessageKind;

/// A person as the window shows them (F2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserCard {
    pub id: i64,
    pub username: String,
    pub avatar_url: Option<String>,
    pub karma: i64,
    pub days_on_site: i64,
    /// Presence (F16), filled where the window shows it (thread members):
    /// connected right now, else when last connected.
    #[serde(default)]
    pub online: bool,
    #[serde(default)]
    pub last_active_ms: Option<i64>,
    /// A bot (Otter), marked wherever names show.
    #[serde(default)]
    pub bot: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ThreadKind {
    Direct,
    Group,
    /// A public room (F13): anyone may find and join it.
    Room,
}

impl ThreadKind {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "direct" => Some(Self::Direct),
            "group" => Some(Self::Group),
            "room" => Some(Self::Room),
            _ => None,
        }
    }
}

/// The home room's public id (F14): every user is in it from
/// registration, and nobody can leave it. Fixed, since it is everyone's.
pub const HOME_ROOM: &str = "00000000-0000-4000-8000-00000000a11e";

/// One entry of the navigation list (F3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadSummary {
    pub id: String,
    pub kind: ThreadKind,
    pub name: String,
    /// Whose avatar stands for the thread: the other person of a direct
    /// chat; `None` for a group (a group avatar is drawn).
    pub avatar: Option<(String, Option<String>)>,
    pub last: Option<LastMessage>,
    /// The newest message's id: a live event for a message at or below it
    /// is already counted here.
    pub last_id: Option<i64>,
    pub unread: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastMessage {
    /// "You" or the sender's username.
    pub sender: String,
    pub preview: String,
    /// The time if today, else an abbreviated date.
    pub when: String,
}

/// The navigation list plus the zone its times were written in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NavList {
    pub threads: Vec<ThreadSummary>,
    pub tz: String,
    /// The newest event id when the list was read (in the same read
    /// transaction): where the live socket resumes from.
    pub cursor: i64,
    /// When the viewer's next local day starts (Unix ms): every relative
    /// label in the window may change then, so the page fetches its data
    /// again (`chat::clock`).
    pub relabel_at_ms: i64,
    /// The people the viewer blocks (F21), by user id.
    #[serde(default)]
    pub blocked: Vec<i64>,
    /// For a moderator, how many reports are open (F21); `None` for
    /// everyone else.
    #[serde(default)]
    pub open_reports: Option<i64>,
}

impl NavList {
    /// Whether the user has any chat of their own: the home room, which
    /// everyone is in, does not count (F9's Welcome still greets them).
    pub fn has_own_chats(&self) -> bool {
        self.threads.iter().any(|t| t.id != HOME_ROOM)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reaction {
    pub emoji: String,
    pub count: usize,
    pub mine: bool,
    /// Who reacted, for the tooltip.
    pub who: Vec<String>,
    /// Who reacted, by id (a live update works out `mine` from it).
    pub user_ids: Vec<i64>,
}

/// One message as the chat window shows it.
///
/// Fields at their usual value (no avatar, not a bot, no reactions, not
/// removed, not blocked) are left out of the JSON and read back as that
/// value: a thread page carries up to 200 of these in its hydration data
/// and every `open_thread` answer 50, and those five fields were about 85
/// bytes of each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageView {
    pub id: i64,
    pub sender_id: i64,
    pub sender: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_avatar: Option<String>,
    /// The sender is a bot (Otter): its name is marked as one.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sender_bot: bool,
    pub kind: MessageKind,
    /// `None` once deleted: a deleted message's text never leaves the server.
    pub body: Option<String>,
    pub at_ms: i64,
    /// The viewer's local date ("2026-11-21"): where day separators go.
    pub day: String,
    /// "Today", "Yesterday", "Jun 8", "Jun 8, 2025".
    pub day_label: String,
    /// "3:04 PM".
    pub time: String,
    /// For the tooltip: "Sat, Nov 21, 2026, 3:04 PM".
    pub full_time: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reactions: Vec<Reaction>,
    /// Removed by a moderator (F21): `body` is `None` too, and the window
    /// says "[removed by a moderator]" instead of "[message deleted]".
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub removed: bool,
    /// The viewer blocked its sender (F21): shown collapsed, with Show.
    /// Set per viewer by server functions; live frames carry `false` and
    /// the browser sets it from its block list.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub blocked: bool,
}

impl MessageView {
    /// Deleted by its author or removed by a moderator: no text to show.
    pub fn deleted(&self) -> bool {
        self.body.is_none()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MemberRole {
    Owner,
    Member,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub user: UserCard,
    pub role: MemberRole,
    /// The newest message this member has read (read receipts, F17).
    pub last_read: i64,
}

/// A page of history, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessagePage {
    pub messages: Vec<MessageView>,
    /// Whether older messages exist before the first one.
    pub has_more: bool,
}

/// Everything the right-hand pane needs for one thread (F4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadView {
    pub id: String,
    pub kind: ThreadKind,
    pub name: String,
    pub title: Option<String>,
    pub my_role: MemberRole,
    /// The other person of a direct chat, for the header card.
    pub other: Option<UserCard>,
    /// The members, or for a room a page of its participants (the most
    /// recently active, online first): see `member_count` for all.
    pub members: Vec<Member>,
    /// How many members the thread has.
    #[serde(default)]
    pub member_count: i64,
    /// A room's topic.
    #[serde(default)]
    pub topic: Option<String>,
    pub page: MessagePage,
    /// The first message the viewer had not read when the thread opened.
    pub first_unread: Option<i64>,
    /// A fresh id for the composer's form, so a no-JS double post is one
    /// message.
    pub composer_client_id: String,
    pub tz: String,
    /// The newest event id before the page was read: live events after it
    /// are applied on top (again, harmlessly, if the page already has them).
    pub cursor: i64,
}

/// What "Start chat" did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartedChat {
    pub id: String,
    pub kind: ThreadKind,
    /// A new thread (show the Invite overlay) rather than an existing one.
    pub created: bool,
}

/// A public room as the rooms list and its share link's join card show it
/// (F13): nothing of its messages or members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomSummary {
    /// The public id: `/rooms/<id>` is the share link.
    pub id: String,
    pub name: String,
    pub topic: Option<String>,
    pub member_count: i64,
    /// When something last happened in it, as the navigation list says it.
    pub last_active: String,
    /// The viewer is a member.
    pub joined: bool,
    /// The home room, which everyone is in and nobody can leave.
    pub home: bool,
}

/// What reporting a message did (F21).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReportOutcome {
    /// The report is queued for the moderators.
    Filed,
    /// This user had reported the message already: nothing changed.
    AlreadyReported,
}

/// One message as the moderators' queue shows it: always with its full
/// text, even if its author deleted it since (moderators must see what was
/// reported).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModMessage {
    pub id: i64,
    pub author: String,
    pub author_id: i64,
    pub kind: MessageKind,
    pub text: String,
    /// Deleted by its author since.
    pub deleted: bool,
    /// Removed by a moderator.
    pub removed: bool,
    /// "Sat, Nov 21, 2026, 3:04 PM" in the moderator's zone.
    pub at: String,
}

/// A message with open reports, in the queue (F21).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueItem {
    pub message: ModMessage,
    /// Where it was posted.
    pub thread_kind: ThreadKind,
    pub thread_name: String,
    /// Up to two messages before it and two after it, oldest first.
    pub before: Vec<ModMessage>,
    pub after: Vec<ModMessage>,
    /// How many people reported it (reporters stay anonymous).
    pub reports: i64,
    /// Their reasons, oldest first ("spam", "other: …").
    pub reasons: Vec<String>,
    /// When it was first and last reported, in the moderator's zone.
    pub first_reported: String,
    pub last_reported: String,
    /// The newest report id this item covers: a decision passes it back,
    /// so a report filed after the moderator looked stays open.
    pub through: i64,
}

/// The open queue, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModQueue {
    pub items: Vec<QueueItem>,
    /// Open reports in all (the navigation's count).
    pub open: i64,
}

/// What a moderator decided about a reported message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ModAction {
    /// The message shows "[removed by a moderator]" to everyone.
    Remove,
    /// The reports are closed; the message is unchanged.
    Dismiss,
}

impl ModAction {
    /// From a form value: "remove" or "dismiss".
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "remove" => Some(Self::Remove),
            "dismiss" => Some(Self::Dismiss),
            _ => None,
        }
    }

    /// The stored and form value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Remove => "remove",
            Self::Dismiss => "dismiss",
        }
    }
}

/// One recorded decision, for the "Resolved" view (newest first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub id: i64,
    pub action: ModAction,
    pub message: ModMessage,
    pub thread_kind: ThreadKind,
    pub thread_name: String,
    /// The moderator who decided.
    pub moderator: String,
    /// When, in the viewer's zone.
    pub decided_at: String,
    /// How many reports the decision closed, and their reasons.
    pub reports: i64,
    pub reasons: Vec<String>,
}

/// Someone the viewer blocks, for `/settings`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockedUser {
    pub id: i64,
    pub username: String,
    pub avatar_url: Option<String>,
    /// When they were blocked ("Nov 21"), in the viewer's zone.
    pub since: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message() -> MessageView {
        MessageView {
            id: 7,
            sender_id: 2,
            sender: "ana".to_owned(),
            sender_avatar: None,
            sender_bot: false,
            kind: MessageKind::Text,
            body: Some("hi".to_owned()),
            at_ms: 1_796_223_250_201,
            day: "2026-12-02".to_owned(),
            day_label: "Today".to_owned(),
            time: "2:54 PM".to_owned(),
            full_time: "Wed, Dec 2, 2026, 2:54 PM".to_owned(),
            reactions: Vec::new(),
            removed: false,
            blocked: false,
        }
    }

    #[test]
    fn a_plain_message_leaves_its_usual_fields_out_and_reads_back_the_same(
    ) -> serde_json::Result<()> {
        let m = message();
        let json = serde_json::to_string(&m)?;
        for left_out in [
            "sender_avatar",
            "sender_bot",
            "reactions",
            "removed",
            "blocked",
        ] {
            assert!(!json.contains(left_out), "{left_out} in {json}");
        }
        // The body is always written (`null` is what says "deleted").
        assert!(json.contains(r#""body":"hi""#), "{json}");
        assert_eq!(serde_json::from_str::<MessageView>(&json)?, m);
        Ok(())
    }

    #[test]
    fn a_message_with_every_field_set_round_trips() -> serde_json::Result<()> {
        let m = MessageView {
            sender_avatar: Some("/favicon.svg".to_owned()),
            sender_bot: true,
            body: None,
            reactions: vec![Reaction {
                emoji: "👍".to_owned(),
                count: 1,
                mine: true,
                who: vec!["ana".to_owned()],
                user_ids: vec![2],
            }],
            removed: true,
            blocked: true,
            ..message()
        };
        let json = serde_json::to_string(&m)?;
        assert!(json.contains(r#""body":null"#), "{json}");
        assert_eq!(serde_json::from_str::<MessageView>(&json)?, m);
        Ok(())
    }
}
