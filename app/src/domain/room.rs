//! What the chat window shows of a public room (F13) beyond what every
//! thread shows: its share link, and its participants panel kept current
//! by live events. A room may have thousands of members, so the panel
//! holds the page the room opened with and is patched, never fetched
//! again whole: a join or a departure changes the count, a message names
//! its sender (and brings them forward), presence frames reorder.

use crate::domain::MessageKind;
use crate::model::UserCard;
use crate::protocol::{Change, Event};

/// How many participants the panel keeps and shows, however many join
/// (the server's page is no bigger).
pub const SHOWN: usize = 30;

/// The absolute share link of room `id` on the site at `origin`
/// ("https://parley.example"): what "Copy link" copies.
pub fn share_link(origin: &str, id: &str) -> String {
    format!("{}/rooms/{id}", origin.trim_end_matches('/'))
}

/// "1 member", "12 members": a room's size as its header and panel say it.
pub fn members_label(count: i64) -> String {
    match count {
        1 => "1 member".to_owned(),
        n => format!("{n} members"),
    }
}

/// A room's participants as the panel knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participants {
    /// At most [`SHOWN`], most recently active in the room first, those
    /// never active after them.
    pub people: Vec<UserCard>,
    /// How many members the room has (most of them not in `people`).
    pub count: i64,
    /// The newest event applied: events arrive in id order, so one at or
    /// below it is a repeat (a replay over a page read a moment later)
    /// and changes nothing.
    applied: i64,
    /// The viewer, who stays listed however many others post.
    me: i64,
}

impl Participants {
    /// The page a room opened with (`people` as the server ordered it),
    /// its member count, and the event cursor it was read after.
    pub fn new(mut people: Vec<UserCard>, count: i64, cursor: i64, me: i64) -> Self {
        // The server put those online first; online is the live
        // presence's to say (see `shown`), so keep the order of activity.
        people.sort_by_key(|p| std::cmp::Reverse(p.last_active_ms));
        let mut p = Self {
            count: count.max(people.len() as i64),
            people,
            applied: cursor,
            me,
        };
        p.cap();
        p
    }

    /// Applies one event of this room; `true` when the panel changed.
    pub fn apply(&mut self, ev: &Event) -> bool {
        if ev.id <= self.applied {
            return false;
        }
        self.applied = ev.id;
        match &ev.change {
            Change::MemberAdded { user } => {
                // Listed already: the page was read after the join.
                if self.position(*user).is_some() {
                    return false;
                }
                self.count += 1;
                true
            }
            Change::MemberLeft { user } | Change::MemberRemoved { user } => {
                if let Some(at) = self.position(*user) {
                    self.people.remove(at);
                }
                self.count = (self.count - 1).max(self.people.len() as i64);
                true
            }
            Change::MessageCreated { message: m, .. } => {
                let active = m.kind != MessageKind::System;
                let mut card = match self.position(m.sender_id) {
                    Some(_) if !active => return false,
                    Some(at) => self.people.remove(at),
                    // Someone the page did not have: a joiner's "bo
                    // joined", or a member who had not posted lately.
                    None => UserCard {
                        id: m.sender_id,
                        username: m.sender.clone(),
                        avatar_url: m.sender_avatar.clone(),
                        karma: 0,
                        days_on_site: 0,
                        online: false,
                        last_active_ms: None,
                        bot: m.sender_bot,
                    },
                };
                if active {
                    card.last_active_ms = Some(card.last_active_ms.unwrap_or(0).max(m.at_ms));
                    self.people.insert(0, card);
                } else {
                    self.people.push(card);
                }
                self.cap();
                true
            }
            _ => false,
        }
    }

    /// The panel's rows: online first (`online` says who is, from the
    /// live presence), otherwise in the stored order.
    pub fn shown(&self, online: impl Fn(&UserCard) -> bool) -> Vec<(UserCard, bool)> {
        let mut rows: Vec<(UserCard, bool)> =
            self.people.iter().map(|p| (p.clone(), online(p))).collect();
        // Stable: within each half the order of activity stays.
        rows.sort_by_key(|(_, on)| !*on);
        rows
    }

    fn position(&self, user: i64) -> Option<usize> {
        self.people.iter().position(|p| p.id == user)
    }

    /// Drops the least recently active (never the viewer) past [`SHOWN`].
    fn cap(&mut self) {
        while self.people.len() > SHOWN {
            match self.people.iter().rposition(|p| p.id != self.me) {
                Some(at) => {
                    self.people.remove(at);
                }
                None => break,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::MessageView;

    const ME: i64 = 1;

    fn card(id: i64, active: Option<i64>) -> UserCard {
        UserCard {
            id,
            username: format!("user{id}"),
            avatar_url: None,
            karma: 0,
            days_on_site: 0,
            online: false,
            last_active_ms: active,
            bot: false,
        }
    }

    fn event(id: i64, change: Change) -> Event {
        Event {
            id,
            thread: "room".into(),
            change,
        }
    }

    fn posted(id: i64, sender: i64, kind: MessageKind, at_ms: i64) -> Event {
        event(
            id,
            Change::MessageCreated {
                message: Box::new(MessageView {
                    id,
                    sender_id: sender,
                    sender: format!("user{sender}"),
                    sender_avatar: None,
                    sender_bot: sender == 99,
                    kind,
                    body: Some("hi".into()),
                    at_ms,
                    day: String::new(),
                    day_label: String::new(),
                    time: String::new(),
                    full_time: String::new(),
                    reactions: vec![],
                    removed: false,
                    blocked: false,
                }),
                client_id: String::new(),
            },
        )
    }

    fn ids(p: &Participants) -> Vec<i64> {
        p.people.iter().map(|c| c.id).collect()
    }

    #[test]
    fn share_links_are_absolute() {
        assert_eq!(
            share_link("https://parley.example", "abc"),
            "https://parley.example/rooms/abc"
        );
        assert_eq!(
            share_link("http://127.0.0.1:3000/", "abc"),
            "http://127.0.0.1:3000/rooms/abc"
        );
    }

    #[test]
    fn member_counts_read_plainly() {
        assert_eq!(members_label(1), "1 member");
        assert_eq!(members_label(2), "2 members");
        assert_eq!(members_label(5000), "5000 members");
    }

    #[test]
    fn a_join_counts_once_and_its_line_lists_the_joiner_last() {
        let mut p = Participants::new(vec![card(ME, Some(5)), card(2, None)], 40, 10, ME);
        let join = event(11, Change::MemberAdded { user: 3 });
        assert!(p.apply(&join));
        assert_eq!(p.count, 41);
        // The same event again (re-applied over a fresh page): nothing.
        assert!(!p.apply(&join));
        assert_eq!(p.count, 41);
        assert!(p.apply(&posted(12, 3, MessageKind::System, 100)));
        assert_eq!(ids(&p), vec![ME, 2, 3]);
        assert_eq!(
            p.people[2].last_active_ms, None,
            "a system line is no activity"
        );
        assert_eq!(p.count, 41, "a message names a member, it adds none");
    }

    #[test]
    fn events_the_page_already_has_change_nothing() {
        let mut p = Participants::new(vec![card(ME, None)], 7, 10, ME);
        assert!(!p.apply(&event(9, Change::MemberAdded { user: 3 })));
        assert!(!p.apply(&event(10, Change::MemberLeft { user: ME })));
        assert_eq!((p.count, ids(&p)), (7, vec![ME]));
        // Listed already: a join read into the page is not counted again.
        assert!(!p.apply(&event(11, Change::MemberAdded { user: ME })));
        assert_eq!(p.count, 7);
    }

    #[test]
    fn posting_brings_a_participant_forward_with_its_time() {
        let mut p = Participants::new(
            vec![card(2, Some(50)), card(ME, Some(40)), card(3, None)],
            3,
            0,
            ME,
        );
        assert!(p.apply(&posted(1, 3, MessageKind::Text, 60)));
        assert_eq!(ids(&p), vec![3, 2, ME]);
        assert_eq!(p.people[0].last_active_ms, Some(60));
        // Someone not on the page who posts joins it at the front.
        assert!(p.apply(&posted(2, 99, MessageKind::Sticker, 70)));
        assert_eq!(ids(&p), vec![99, 3, 2, ME]);
        assert!(p.people[0].bot, "the bot mark comes with the message");
        // A system line by someone listed moves nobody.
        assert!(!p.apply(&posted(3, 2, MessageKind::System, 80)));
        assert_eq!(ids(&p), vec![99, 3, 2, ME]);
    }

    #[test]
    fn leaving_removes_the_person_and_the_count_never_goes_below_the_list() {
        let mut p = Participants::new(vec![card(ME, None), card(2, None)], 2, 0, ME);
        assert!(p.apply(&event(1, Change::MemberLeft { user: 2 })));
        assert_eq!((p.count, ids(&p)), (1, vec![ME]));
        // Someone not on the page left: only the count moves.
        assert!(p.apply(&event(2, Change::MemberRemoved { user: 7 })));
        assert_eq!(p.count, 1);
    }

    #[test]
    fn the_list_stays_capped_however_many_post_and_keeps_the_viewer() {
        let mut p = Participants::new(vec![card(ME, None)], 1, 0, ME);
        for n in 0..500 {
            let user = 1000 + n;
            p.apply(&event(2 * n + 1, Change::MemberAdded { user }));
            p.apply(&posted(2 * n + 2, user, MessageKind::Text, n));
        }
        assert_eq!(p.count, 501);
        assert_eq!(p.people.len(), SHOWN);
        assert_eq!(p.people[0].id, 1499, "the most recent poster first");
        assert!(p.people.iter().any(|c| c.id == ME), "the viewer stays");
    }

    #[test]
    fn online_people_come_first_in_order_of_activity() {
        let p = Participants::new(
            vec![
                card(2, Some(9)),
                card(3, Some(8)),
                card(4, Some(7)),
                card(5, None),
            ],
            4,
            0,
            ME,
        );
        let rows = p.shown(|c| c.id == 4 || c.id == 5);
        let order: Vec<(i64, bool)> = rows.iter().map(|(c, on)| (c.id, *on)).collect();
        assert_eq!(order, vec![(4, true), (5, true), (2, false), (3, false)]);
    }
}
