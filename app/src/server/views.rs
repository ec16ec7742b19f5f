//! Rows from the store turned into what the window shows ([`crate::model`]),
//! with every time written in the viewer's zone. The one place that decides
//! what a client may see of a message: a deleted one loses its text here.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::domain::{
    preview::{preview, sender_label, BLOCKED, REMOVED},
    system_lines::list_names,
    when, MessageKind, REACTIONS,
};
use crate::model::{
    LastMessage, Member, MemberRole, MessageView, Reaction, ThreadKind, ThreadSummary, UserCard,
};
use crate::store::{
    members::MemberRow, messages::MessageRow, reactions::ReactionRow, threads::CoMember,
    threads::NavRow, users::ProfileRow,
};

/// How a view is written: for whom, in which zone, as of when.
#[derive(Debug, Clone, Copy)]
pub struct Viewer {
    pub id: i64,
    pub tz: Tz,
    pub now: DateTime<Utc>,
}

pub fn user_card(p: ProfileRow, v: &Viewer) -> UserCard {
    UserCard {
        id: p.id,
        username: p.username,
        avatar_url: p.avatar_url,
        karma: p.karma,
        days_on_site: when::days_on_site(p.created_at, v.now, v.tz),
        online: false,
        last_active_ms: None,
        bot: p.is_bot,
    }
}

/// A member as the window shows them; `online` comes from the live hub.
pub fn member(m: MemberRow, v: &Viewer, online: bool) -> Member {
    Member {
        last_read: m.last_read,
        role: if m.role == "owner" {
            MemberRole::Owner
        } else {
            MemberRole::Member
        },
        user: UserCard {
            id: m.id,
            username: m.username,
            avatar_url: m.avatar_url,
            karma: m.karma,
            days_on_site: when::days_on_site(m.created_at, v.now, v.tz),
            online,
            last_active_ms: m.last_active_at.map(|t| t.timestamp_millis()),
            bot: m.is_bot,
        },
    }
}

pub fn kind(s: &str) -> MessageKind {
    MessageKind::parse(s).unwrap_or(MessageKind::Text)
}

/// Reactions grouped by emoji in the offered order, with who reacted.
pub fn reactions(rows: &[&ReactionRow], viewer: i64) -> Vec<Reaction> {
    REACTIONS
        .iter()
        .filter_map(|emoji| {
            let who: Vec<&&ReactionRow> = rows.iter().filter(|r| r.emoji == *emoji).collect();
            (!who.is_empty()).then(|| Reaction {
                emoji: (*emoji).to_owned(),
                count: who.len(),
                mine: who.iter().any(|r| r.user_id == viewer),
                who: who.iter().map(|r| r.username.clone()).collect(),
                user_ids: who.iter().map(|r| r.user_id).collect(),
            })
        })
        .collect()
}

pub fn message(row: MessageRow, reactions_of: &[&ReactionRow], v: &Viewer) -> MessageView {
    let at = row.created_at;
    MessageView {
        id: row.id,
        sender_id: row.sender_id,
        sender: row.sender,
        sender_avatar: row.sender_avatar,
        sender_bot: row.sender_bot,
        kind: kind(&row.kind),
        // Deleted or removed: the text never leaves the server again.
        body: (row.deleted_at.is_none() && row.removed_at.is_none()).then_some(row.body),
        at_ms: at.timestamp_millis(),
        day: when::day_key(at, v.tz),
        day_label: when::day_label(at, v.now, v.tz),
        time: when::clock_time(at, v.tz),
        full_time: when::full_timestamp(at, v.tz),
        reactions: reactions(reactions_of, v.id),
        removed: row.removed_at.is_some(),
        blocked: false,
    }
}

/// Messages with their reactions (`all` holds the reactions of all of them).
pub fn messages(rows: Vec<MessageRow>, all: &[ReactionRow], v: &Viewer) -> Vec<MessageView> {
    let mut by_message: HashMap<i64, Vec<&ReactionRow>> = HashMap::new();
    for r in all {
        by_message.entry(r.message_id).or_default().push(r);
    }
    rows.into_iter()
        .map(|row| {
            let of = by_message.get(&row.id).map(Vec::as_slice).unwrap_or(&[]);
            message(row, of, v)
        })
        .collect()
}

/// How many member names a group's fallback title lists.
const NAMES_IN_TITLE: usize = 3;

/// The other members' names a thread's name may need, per thread: more
/// are never read (a group of hundreds is named by its first few and a
/// count).
pub const NAMES_READ: i64 = NAMES_IN_TITLE as i64 + 1;

/// A group without a title is called by its members: "bo, cy and dee",
/// "bo, cy, dee and 4 others". `others`: the first few other members (at
/// least [`NAMES_READ`] when there are that many); `total`: how many other
/// members there are.
pub fn group_name(others: &[&str], total: usize) -> String {
    let total = total.max(others.len());
    match others {
        [] => "Just you".to_owned(),
        [one] if total == 1 => (*one).to_owned(),
        _ if total <= NAMES_IN_TITLE && others.len() == total => list_names(others),
        _ => {
            let shown = &others[..others.len().min(NAMES_IN_TITLE)];
            format!("{} and {} others", shown.join(", "), total - shown.len())
        }
    }
}

pub fn thread_kind(s: &str) -> ThreadKind {
    ThreadKind::parse(s).unwrap_or(ThreadKind::Group)
}

/// A thread's display name for a viewer; `others` and `total` as for
/// [`group_name`].
pub fn thread_name(kind: ThreadKind, title: Option<&str>, others: &[&str], total: usize) -> String {
    match (kind, title) {
        (ThreadKind::Group | ThreadKind::Room, Some(t)) => t.to_owned(),
        (ThreadKind::Room, None) => "Room".to_owned(),
        (ThreadKind::Group, None) => group_name(others, total),
        (ThreadKind::Direct, _) => others
            .first()
            .map_or_else(|| "Deleted user".to_owned(), |n| (*n).to_owned()),
    }
}

/// The navigation list; `blocked`: the people the viewer blocks (a last
/// message of theirs is not previewed).
pub fn nav_list(
    rows: Vec<NavRow>,
    co: &[CoMember],
    blocked: &[i64],
    v: &Viewer,
) -> Vec<ThreadSummary> {
    let mut others: HashMap<i64, Vec<&CoMember>> = HashMap::new();
    for c in co {
        others.entry(c.thread_id).or_default().push(c);
    }
    rows.into_iter()
        .map(|row| {
            let tkind = thread_kind(&row.kind);
            let them = others.get(&row.id).map(Vec::as_slice).unwrap_or(&[]);
            let names: Vec<&str> = them.iter().map(|c| c.username.as_str()).collect();
            let last = match (
                row.last_kind,
                row.last_body,
                row.last_at,
                row.last_sender_id,
            ) {
                (Some(k), Some(body), Some(at), Some(sender_id)) => Some(LastMessage {
                    sender: sender_label(sender_id, v.id, row.last_sender.as_deref().unwrap_or("")),
                    preview: if row.last_removed.unwrap_or(false) {
                        REMOVED.to_owned()
                    } else if blocked.contains(&sender_id) {
                        BLOCKED.to_owned()
                    } else {
                        preview(kind(&k), &body, row.last_deleted.unwrap_or(false))
                    },
                    when: when::nav_time(at, v.now, v.tz),
                }),
                _ => None,
            };
            ThreadSummary {
                id: row.public_id,
                kind: tkind,
                name: thread_name(
                    tkind,
                    row.title.as_deref(),
                    &names,
                    (row.member_count - 1).max(0) as usize,
                ),
                avatar: match tkind {
                    ThreadKind::Direct => them
                        .first()
                        .map(|c| (c.username.clone(), c.avatar_url.clone())),
                    ThreadKind::Group | ThreadKind::Room => None,
                },
                last,
                last_id: row.last_id,
                unread: row.unread,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_names_list_a_few_members() {
        assert_eq!(group_name(&["bo", "cy"], 2), "bo and cy");
        assert_eq!(group_name(&["bo", "cy", "dee"], 3), "bo, cy and dee");
        assert_eq!(
            group_name(&["bo", "cy", "dee", "eve", "fay"], 5),
            "bo, cy, dee and 2 others"
        );
        // Only the first few names are read; the count says the rest.
        assert_eq!(
            group_name(&["bo", "cy", "dee", "eve"], 500),
            "bo, cy, dee and 497 others"
        );
        assert_eq!(
            thread_name(ThreadKind::Group, Some("Otters"), &["bo", "cy"], 2),
            "Otters"
        );
        assert_eq!(thread_name(ThreadKind::Direct, None, &["bo"], 1), "bo");
        assert_eq!(
            thread_name(ThreadKind::Room, Some("Home"), &[], 4999),
            "Home"
        );
    }
}
