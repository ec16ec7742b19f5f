//! What a live event does to what the window shows (F15–F17), as plain
//! functions over the model: the browser's live context calls them, and
//! the tests below pin them down. Applying an event twice changes nothing
//! the second time: a replay after a refetch may repeat a few.

use std::collections::HashMap;

use crate::domain::preview::{preview, sender_label, BLOCKED, REMOVED};
use crate::domain::MessageKind;
use crate::model::{LastMessage, MessageView, Reaction, ThreadKind, ThreadSummary};
use crate::protocol::{Change, Event};

/// What the navigation list needs after an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NavOutcome {
    /// The list was patched in place.
    pub changed: bool,
    /// The event is beyond what can be patched (a new thread, membership,
    /// a title, a deletion that changes counts): fetch the list again.
    pub refetch: bool,
}

/// Applies `ev` to the navigation list of user `me`, who blocks the
/// people in `blocked` (their messages are neither previewed nor counted).
pub fn apply_to_nav(
    list: &mut Vec<ThreadSummary>,
    ev: &Event,
    me: i64,
    blocked: &[i64],
) -> NavOutcome {
    let refetch = NavOutcome {
        changed: false,
        refetch: true,
    };
    let Some(at) = list.iter().position(|t| t.id == ev.thread) else {
        // A thread the list does not have yet (a new chat, or one you were
        // just added to) — unless it is about you leaving it.
        return match ev.change {
            Change::MemberRemoved { user } | Change::MemberLeft { user } if user == me => {
                NavOutcome::default()
            }
            _ => refetch,
        };
    };
    match &ev.change {
        Change::MessageCreated { message: m, .. } => {
            let t = &mut list[at];
            if t.last_id.is_some_and(|last| last >= m.id) {
                return NavOutcome::default();
            }
            t.last_id = Some(m.id);
            let from_blocked = blocked.contains(&m.sender_id);
            t.last = Some(LastMessage {
                sender: sender_label(m.sender_id, me, &m.sender),
                preview: if m.removed {
                    REMOVED.to_owned()
                } else if from_blocked {
                    BLOCKED.to_owned()
                } else {
                    preview(m.kind, m.body.as_deref().unwrap_or(""), m.deleted())
                },
                // A live message is today's: the nav shows its clock time.
                when: m.time.clone(),
            });
            if m.sender_id == me && m.kind != MessageKind::System {
                // Sending marks everything before it read (the server
                // moves your position with the send and says so only
                // through this event).
                t.unread = 0;
            } else if m.kind != MessageKind::System && !m.deleted() && !from_blocked {
                t.unread += 1;
            }
            let moved = list.remove(at);
            list.insert(0, moved);
            NavOutcome {
                changed: true,
                refetch: false,
            }
        }
        Change::ReadMoved { user, unread, .. } if *user == me => {
            let t = &mut list[at];
            let changed = t.unread != *unread;
            t.unread = *unread;
            NavOutcome {
                changed,
                refetch: false,
            }
        }
        Change::ReadMoved { .. } | Change::ReactionChanged { .. } => NavOutcome::default(),
        Change::MemberRemoved { user } | Change::MemberLeft { user } if *user == me => {
            list.remove(at);
            NavOutcome {
                changed: true,
                refetch: false,
            }
        }
        // A room is named by its title, never by its members: someone
        // joining or leaving changes nothing here (in the home room, each
        // new user would otherwise make every open list fetch again).
        Change::MemberAdded { .. } | Change::MemberRemoved { .. } | Change::MemberLeft { .. }
            if list[at].kind == ThreadKind::Room =>
        {
            NavOutcome::default()
        }
        // The preview, an unread count or a name may change.
        Change::MessageDeleted { .. }
        | Change::MemberAdded { .. }
        | Change::MemberRemoved { .. }
        | Change::MemberLeft { .. }
        | Change::ThreadRenamed { .. } => refetch,
    }
}

/// Marks the messages whose sender is in `blocked` (shown collapsed, F21)
/// and unmarks the others; `true` when any changed.
pub fn flag_blocked(messages: &mut [MessageView], blocked: &[i64]) -> bool {
    let mut changed = false;
    for m in messages {
        let b = blocked.contains(&m.sender_id);
        changed |= m.blocked != b;
        m.blocked = b;
    }
    changed
}

/// Sets `mine` on reactions that arrived without a viewer.
pub fn own_reactions(reactions: &mut [Reaction], me: i64) {
    for r in reactions {
        r.mine = r.user_ids.contains(&me);
    }
}

/// Applies a message change to the open thread's loaded messages; `true`
/// when something changed. A new message older than the loaded history
/// stays out (it belongs to a page not loaded).
pub fn apply_to_messages(list: &mut Vec<MessageView>, change: &Change, me: i64) -> bool {
    match change {
        Change::MessageCreated { message, .. } => {
            let mut m = (**message).clone();
            own_reactions(&mut m.reactions, me);
            match list.binary_search_by_key(&m.id, |x| x.id) {
                Ok(i) if list[i] == m => false,
                Ok(i) => {
                    list[i] = m;
                    true
                }
                Err(0) if !list.is_empty() => false,
                Err(i) => {
                    list.insert(i, m);
                    true
                }
            }
        }
        Change::MessageDeleted {
            message_id,
            removed,
        } => match list.iter_mut().find(|x| x.id == *message_id) {
            Some(m) if m.body.is_some() || (*removed && !m.removed) => {
                m.body = None;
                m.removed |= *removed;
                true
            }
            _ => false,
        },
        Change::ReactionChanged {
            message_id,
            reactions,
        } => match list.iter_mut().find(|x| x.id == *message_id) {
            Some(m) => {
                let mut r = reactions.clone();
                own_reactions(&mut r, me);
                let changed = m.reactions != r;
                m.reactions = r;
                changed
            }
            None => false,
        },
        _ => false,
    }
}

/// "ana is typing…", "ana and bob are typing…", "ana, bob and cyd are
/// typing…", "4 people are typing…"; `None` when nobody is.
pub fn typing_line(names: &[&str]) -> Option<String> {
    match names {
        [] => None,
        [one] => Some(format!("{one} is typing…")),
        [a, b] => Some(format!("{a} and {b} are typing…")),
        [a, b, c] => Some(format!("{a}, {b} and {c} are typing…")),
        more => Some(format!("{} people are typing…", more.len())),
    }
}

/// "Online", "Active just now", "Active 5m ago", "Active 3h ago",
/// "Active 2d ago", or "Offline" when never seen.
pub fn presence_label(online: bool, last_active_ms: Option<i64>, now_ms: i64) -> String {
    if online {
        return "Online".to_owned();
    }
    let Some(at) = last_active_ms else {
        return "Offline".to_owned();
    };
    let minutes = (now_ms - at).max(0) / 60_000;
    match minutes {
        0 => "Active just now".to_owned(),
        1..=59 => format!("Active {minutes}m ago"),
        60..=1439 => format!("Active {}h ago", minutes / 60),
        _ => format!("Active {}d ago", minutes / 1440),
    }
}

/// Where read receipts go (F17): message id → the members (other than
/// `me`) whose read position is at that message, i.e. the newest loaded,
/// non-system message at or below what they have read.
pub fn read_marks(
    messages: &[MessageView],
    reads: &HashMap<i64, i64>,
    me: i64,
) -> HashMap<i64, Vec<i64>> {
    let mut marks: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut readers: Vec<(&i64, &i64)> = reads.iter().filter(|(u, _)| **u != me).collect();
    readers.sort();
    for (user, read) in readers {
        let at = messages
            .iter()
            .rev()
            .find(|m| m.id <= *read && m.kind != MessageKind::System);
        if let Some(m) = at {
            marks.entry(m.id).or_default().push(*user);
        }
    }
    marks
}

/// How many readers' faces a message shows at most; the rest are "+N"
/// (a room's message may be read by thousands).
pub const FACES_SHOWN: usize = 5;

/// The read receipts of one message: the first [`FACES_SHOWN`] of the
/// readers that can be drawn (`faces`), and how many readers are left
/// over (`readers` counts all of them, drawable or not).
pub fn first_faces<T>(mut faces: Vec<T>, readers: usize) -> (Vec<T>, usize) {
    faces.truncate(FACES_SHOWN);
    let more = readers.saturating_sub(faces.len());
    (faces, more)
}

/// "Seen by ana, bo", "Seen by ana, bo and 3 others".
pub fn seen_by(names: &[&str], more: usize) -> String {
    let shown = names.join(", ");
    match more {
        0 => format!("Seen by {shown}"),
        1 if names.is_empty() => "Seen by 1 person".to_owned(),
        n if names.is_empty() => format!("Seen by {n} people"),
        1 => format!("Seen by {shown} and 1 other"),
        n => format!("Seen by {shown} and {n} others"),
    }
}

/// In a direct chat: your newest message the other person has read, where
/// "Seen" goes.
pub fn seen_at(messages: &[MessageView], other_read: i64, me: i64) -> Option<i64> {
    messages
        .iter()
        .rev()
        .find(|m| m.sender_id == me && m.id <= other_read && m.kind != MessageKind::System)
        .map(|m| m.id)
}

/// The document title with the unread total in front: "(3) Chat · Parley".
pub fn titled(unread: i64, title: &str) -> String {
    if unread > 0 {
        format!("({}) {title}", unread.min(999))
    } else {
        title.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(id: i64, sender: i64, body: &str) -> MessageView {
        MessageView {
            id,
            sender_id: sender,
            sender: format!("user{sender}"),
            sender_avatar: None,
            sender_bot: false,
            kind: MessageKind::Text,
            body: Some(body.to_owned()),
            at_ms: id * 1000,
            day: "2026-11-22".into(),
            day_label: "Today".into(),
            time: "3:04 PM".into(),
            full_time: String::new(),
            reactions: vec![],
            removed: false,
            blocked: false,
        }
    }

    fn summary(id: &str, last_id: Option<i64>, unread: i64) -> ThreadSummary {
        ThreadSummary {
            id: id.into(),
            kind: ThreadKind::Direct,
            name: id.into(),
            avatar: None,
            last: None,
            last_id,
            unread,
        }
    }

    fn created(id: i64, thread: &str, m: MessageView) -> Event {
        Event {
            id,
            thread: thread.into(),
            change: Change::MessageCreated {
                message: Box::new(m),
                client_id: "c".into(),
            },
        }
    }

    #[test]
    fn a_new_message_moves_its_thread_up_and_counts_once() {
        let mut list = vec![summary("a", Some(1), 0), summary("b", Some(2), 0)];
        let ev = created(10, "b", msg(5, 2, "hi <b>"));
        let out = apply_to_nav(&mut list, &ev, 1, &[]);
        assert_eq!(
            out,
            NavOutcome {
                changed: true,
                refetch: false
            }
        );
        assert_eq!(list[0].id, "b");
        assert_eq!(list[0].unread, 1);
        let last = list[0].last.clone().unwrap_or_else(|| panic!("no preview"));
        assert_eq!(
            (last.sender.as_str(), last.preview.as_str()),
            ("user2", "hi <b>")
        );
        // The same event again (a replay after a refetch) counts nothing.
        assert_eq!(apply_to_nav(&mut list, &ev, 1, &[]), NavOutcome::default());
        assert_eq!(list[0].unread, 1);
    }

    #[test]
    fn a_blocked_senders_message_is_neither_previewed_nor_counted() {
        let mut list = vec![summary("g", Some(1), 0)];
        let out = apply_to_nav(&mut list, &created(5, "g", msg(6, 7, "psst")), 1, &[7]);
        assert!(out.changed);
        assert_eq!(list[0].unread, 0);
        assert_eq!(
            list[0].last.as_ref().map(|l| l.preview.as_str()),
            Some(BLOCKED)
        );
        // Someone else's message still counts, and shows.
        apply_to_nav(&mut list, &created(6, "g", msg(7, 8, "hello")), 1, &[7]);
        assert_eq!(list[0].unread, 1);
        assert_eq!(
            list[0].last.as_ref().map(|l| l.preview.as_str()),
            Some("hello")
        );
    }

    #[test]
    fn a_removed_message_previews_as_removed_and_loses_its_text() {
        let mut removed = msg(6, 2, "ignored");
        removed.body = None;
        removed.removed = true;
        let mut list = vec![summary("g", Some(1), 0)];
        apply_to_nav(&mut list, &created(5, "g", removed), 1, &[]);
        assert_eq!(
            list[0].last.as_ref().map(|l| l.preview.as_str()),
            Some(REMOVED)
        );
        let mut loaded = vec![msg(10, 2, "bad words")];
        let change = Change::MessageDeleted {
            message_id: 10,
            removed: true,
        };
        assert!(apply_to_messages(&mut loaded, &change, 1));
        assert_eq!((loaded[0].body.as_deref(), loaded[0].removed), (None, true));
        assert!(!apply_to_messages(&mut loaded, &change, 1));
        // Deleted by its author first, then removed: it says removed.
        let mut loaded = vec![msg(10, 2, "x")];
        let deleted = Change::MessageDeleted {
            message_id: 10,
            removed: false,
        };
        assert!(apply_to_messages(&mut loaded, &deleted, 1));
        assert!(!loaded[0].removed);
        assert!(apply_to_messages(&mut loaded, &change, 1));
        assert!(loaded[0].removed);
    }

    #[test]
    fn blocking_flags_and_unblocking_unflags() {
        let mut list = vec![msg(1, 2, "a"), msg(2, 3, "b"), msg(3, 2, "c")];
        assert!(flag_blocked(&mut list, &[2]));
        let flags: Vec<bool> = list.iter().map(|m| m.blocked).collect();
        assert_eq!(flags, [true, false, true]);
        assert!(!flag_blocked(&mut list, &[2]));
        assert!(flag_blocked(&mut list, &[]));
        assert!(list.iter().all(|m| !m.blocked));
    }

    #[test]
    fn sending_clears_your_own_unread_count() {
        let mut list = vec![summary("a", Some(3), 4)];
        apply_to_nav(&mut list, &created(9, "a", msg(8, 1, "mine")), 1, &[]);
        assert_eq!(list[0].unread, 0);
    }

    #[test]
    fn own_messages_do_not_count_as_unread() {
        let mut list = vec![summary("a", None, 0)];
        apply_to_nav(&mut list, &created(3, "a", msg(4, 1, "mine")), 1, &[]);
        assert_eq!(list[0].unread, 0);
        assert_eq!(
            list[0].last.as_ref().map(|l| l.sender.as_str()),
            Some("You")
        );
    }

    #[test]
    fn read_moves_set_the_badge_of_the_reader_only() {
        let mut list = vec![summary("a", Some(9), 4)];
        let read = |user| Event {
            id: 20,
            thread: "a".into(),
            change: Change::ReadMoved {
                user,
                message_id: 9,
                unread: 0,
            },
        };
        apply_to_nav(&mut list, &read(2), 1, &[]);
        assert_eq!(list[0].unread, 4);
        apply_to_nav(&mut list, &read(1), 1, &[]);
        assert_eq!(list[0].unread, 0);
    }

    #[test]
    fn unknown_threads_and_membership_refetch_and_leaving_drops_it() {
        let mut list = vec![summary("a", None, 0)];
        assert!(apply_to_nav(&mut list, &created(1, "zzz", msg(1, 2, "x")), 1, &[]).refetch);
        let gone = Event {
            id: 2,
            thread: "a".into(),
            change: Change::MemberRemoved { user: 1 },
        };
        assert!(apply_to_nav(&mut list, &gone, 1, &[]).changed);
        assert!(list.is_empty());
        // Hearing it again about a thread no longer listed: nothing to do.
        assert_eq!(
            apply_to_nav(&mut list, &gone, 1, &[]),
            NavOutcome::default()
        );
    }

    #[test]
    fn others_joining_or_leaving_a_room_leave_the_list_alone() {
        let mut list = vec![summary("room", Some(3), 0), summary("group", Some(2), 0)];
        list[0].kind = ThreadKind::Room;
        list[1].kind = ThreadKind::Group;
        let ev = |thread: &str, change| Event {
            id: 9,
            thread: thread.into(),
            change,
        };
        for change in [
            Change::MemberAdded { user: 7 },
            Change::MemberLeft { user: 7 },
            Change::MemberRemoved { user: 7 },
        ] {
            assert_eq!(
                apply_to_nav(&mut list, &ev("room", change.clone()), 1, &[]),
                NavOutcome::default()
            );
            // A group's name may be its members': fetch it again.
            assert!(apply_to_nav(&mut list, &ev("group", change), 1, &[]).refetch);
        }
        // Your own departure still takes the room off the list.
        assert!(
            apply_to_nav(
                &mut list,
                &ev("room", Change::MemberLeft { user: 1 }),
                1,
                &[]
            )
            .changed
        );
        assert_eq!(list.len(), 1);
    }

    #[test]
    fn messages_are_kept_in_id_order_without_duplicates() {
        let mut list = vec![msg(10, 1, "a"), msg(12, 2, "b")];
        let c = |m| Change::MessageCreated {
            message: Box::new(m),
            client_id: String::new(),
        };
        assert!(apply_to_messages(&mut list, &c(msg(11, 2, "mid")), 1));
        assert!(!apply_to_messages(&mut list, &c(msg(11, 2, "mid")), 1));
        assert!(apply_to_messages(&mut list, &c(msg(13, 2, "new")), 1));
        // Older than the loaded history: belongs to an unloaded page.
        assert!(!apply_to_messages(&mut list, &c(msg(3, 2, "old")), 1));
        let ids: Vec<i64> = list.iter().map(|m| m.id).collect();
        assert_eq!(ids, vec![10, 11, 12, 13]);
        assert!(apply_to_messages(
            &mut list,
            &Change::MessageDeleted {
                removed: false,
                message_id: 11
            },
            1
        ));
        assert_eq!(list[1].body, None);
        assert!(!apply_to_messages(
            &mut list,
            &Change::MessageDeleted {
                removed: false,
                message_id: 11
            },
            1
        ));
    }

    #[test]
    fn reactions_learn_which_are_mine() {
        let mut list = vec![msg(1, 2, "a")];
        let r = Reaction {
            emoji: "👍".into(),
            count: 2,
            mine: false,
            who: vec!["a".into(), "b".into()],
            user_ids: vec![1, 2],
        };
        let change = Change::ReactionChanged {
            message_id: 1,
            reactions: vec![r],
        };
        assert!(apply_to_messages(&mut list, &change, 1));
        assert!(list[0].reactions[0].mine);
        assert!(!apply_to_messages(&mut list, &change, 1));
        let mut theirs = list.clone();
        apply_to_messages(&mut theirs, &change, 3);
        assert!(!theirs[0].reactions[0].mine);
    }

    #[test]
    fn typing_lines_summarise() {
        assert_eq!(typing_line(&[]), None);
        assert_eq!(typing_line(&["ana"]).as_deref(), Some("ana is typing…"));
        assert_eq!(
            typing_line(&["ana", "bob"]).as_deref(),
            Some("ana and bob are typing…")
        );
        assert_eq!(
            typing_line(&["ana", "bob", "cyd"]).as_deref(),
            Some("ana, bob and cyd are typing…")
        );
        assert_eq!(
            typing_line(&["a", "b", "c", "d"]).as_deref(),
            Some("4 people are typing…")
        );
    }

    #[test]
    fn presence_labels() {
        let now = 10_000_000_000;
        assert_eq!(presence_label(true, None, now), "Online");
        assert_eq!(presence_label(false, None, now), "Offline");
        assert_eq!(
            presence_label(false, Some(now - 59_999), now),
            "Active just now"
        );
        assert_eq!(
            presence_label(false, Some(now - 60_000), now),
            "Active 1m ago"
        );
        assert_eq!(
            presence_label(false, Some(now - 3_600_000), now),
            "Active 1h ago"
        );
        assert_eq!(
            presence_label(false, Some(now - 86_400_000 * 3), now),
            "Active 3d ago"
        );
        // A clock slightly behind the server's never says "-1m".
        assert_eq!(
            presence_label(false, Some(now + 5_000), now),
            "Active just now"
        );
    }

    #[test]
    fn receipts_sit_at_the_newest_read_message() {
        let list = vec![
            msg(1, 1, "a"),
            msg(2, 2, "b"),
            msg(3, 1, "c"),
            msg(5, 1, "d"),
        ];
        let reads = HashMap::from([(1, 5), (2, 3), (3, 4), (4, 0)]);
        let marks = read_marks(&list, &reads, 1);
        assert_eq!(marks.get(&3), Some(&vec![2, 3]));
        assert_eq!(marks.get(&5), None, "my own position is not shown");
        assert_eq!(
            marks.len(),
            1,
            "a reader before every loaded message has no mark"
        );
        assert_eq!(seen_at(&list, 3, 1), Some(3));
        assert_eq!(seen_at(&list, 2, 1), Some(1));
        assert_eq!(seen_at(&list, 0, 1), None);
    }

    #[test]
    fn receipts_show_a_handful_of_faces_and_count_the_rest() {
        let (faces, more) = first_faces((0..5000).collect::<Vec<i64>>(), 5000);
        assert_eq!((faces, more), (vec![0, 1, 2, 3, 4], 4995));
        // Readers without a face to draw (not on the page) still count.
        let (faces, more) = first_faces(vec!["ana", "bo"], 4);
        assert_eq!((faces.len(), more), (2, 2));
        assert_eq!(first_faces(vec!["ana"], 1), (vec!["ana"], 0));
        assert_eq!(seen_by(&["ana", "bo"], 0), "Seen by ana, bo");
        assert_eq!(seen_by(&["ana"], 1), "Seen by ana and 1 other");
        assert_eq!(seen_by(&["ana", "bo"], 3), "Seen by ana, bo and 3 others");
        assert_eq!(seen_by(&[], 1), "Seen by 1 person");
        assert_eq!(seen_by(&[], 7), "Seen by 7 people");
    }

    #[test]
    fn titles_carry_the_unread_total() {
        assert_eq!(titled(0, "Chat · Parley"), "Chat · Parley");
        assert_eq!(titled(3, "Chat · Parley"), "(3) Chat · Parley");
        assert_eq!(titled(5000, "x"), "(999) x");
    }
}
