//! The live context (F15–F19): one per chat page, made outside every
//! suspense, provided to the window. It owns the socket (opened after
//! hydration, see `socket`), applies each event to the navigation list
//! and the open thread through [`crate::domain::live`], and keeps the
//! outbox of messages not yet confirmed (see `outbox`).

mod drafts;
mod outbox;
#[cfg(feature = "hydrate")]
mod socket;

use std::collections::{HashMap, VecDeque};

use leptos::prelude::*;

pub use drafts::Restore;
pub use outbox::{Pending, PendingState};

use super::context::Revisions;
use super::thread::ThreadState;
use crate::domain::live::{apply_to_messages, apply_to_nav, flag_blocked};
use crate::domain::MessageKind;
use crate::model::{ThreadKind, ThreadSummary};
use crate::protocol::{Change, Event};

/// Events kept to re-apply over a list fetched a moment before them.
const RECENT: usize = 500;
/// How long "ana is typing…" stays without a fresh signal.
pub const TYPING_SHOWN_MS: f64 = 5000.0;

/// Someone typing in a thread, until `until_ms` (browser clock).
#[derive(Debug, Clone, PartialEq)]
pub struct Typer {
    pub thread: String,
    pub user: i64,
    pub name: String,
    pub until_ms: f64,
}

#[derive(Clone, Copy)]
pub struct Live {
    /// The navigation list as patched by events; `None` until the first
    /// list arrives in the browser (the server-rendered list is shown).
    pub nav: RwSignal<Option<Vec<ThreadSummary>>>,
    pub typing: RwSignal<Vec<Typer>>,
    /// user → (online, last active ms), from presence frames; overrides
    /// what the thread view said.
    pub presence: RwSignal<HashMap<i64, (bool, Option<i64>)>>,
    pub outbox: RwSignal<Vec<Pending>>,
    /// The people the viewer blocks (F21), from the list and then from
    /// `blocked` frames; `None` until the first list arrives in the browser.
    pub blocked: RwSignal<Option<Vec<i64>>>,
    /// For a moderator, the open report count (F21), from the list and
    /// then from `reports` frames; `None` until known (or not a moderator).
    pub open_reports: RwSignal<Option<i64>>,
    /// The browser clock, ticking for relative labels ("Active 5m ago").
    pub now_ms: RwSignal<f64>,
    open: RwSignal<Option<ThreadState>>,
    /// The open thread's name, for the window's title.
    pub open_name: RwSignal<Option<String>>,
    recent: StoredValue<VecDeque<Event>>,
    /// Who is looking (0 until the window knows); a signal so the socket
    /// waits for it.
    me: RwSignal<i64>,
    /// An outbox drain is running.
    draining: StoredValue<bool>,
    /// Unsent composer text by thread (see `drafts`).
    drafts: StoredValue<drafts::Drafts>,
    revs: Revisions,
}

impl Live {
    pub fn new(revs: Revisions) -> Self {
        Self {
            nav: RwSignal::new(None),
            typing: RwSignal::new(Vec::new()),
            presence: RwSignal::new(HashMap::new()),
            blocked: RwSignal::new(None),
            open_reports: RwSignal::new(None),
            outbox: RwSignal::new(Vec::new()),
            now_ms: RwSignal::new(0.0),
            open: RwSignal::new(None),
            open_name: RwSignal::new(None),
            recent: StoredValue::new(VecDeque::new()),
            me: RwSignal::new(0),
            draining: StoredValue::new(false),
            drafts: StoredValue::new(Default::default()),
            revs,
        }
    }

    pub fn me(&self) -> i64 {
        self.me.get_untracked()
    }

    /// The window says who is looking.
    pub fn set_me(&self, me: i64) {
        if self.me.get_untracked() != me {
            self.me.set(me);
        }
    }

    /// Opens the socket once the first list (and its cursor) and the
    /// viewer are known; in the browser only. Closed when the page goes.
    ///
    /// Called by the page, outside every suspense: an effect that reads a
    /// resource inside a suspense ties the resource to it, and each refetch
    /// would then re-mount the whole window (losing its scroll position).
    pub fn watch(self, threads: Resource<Result<crate::model::NavList, crate::error::AppError>>) {
        Effect::new(move |started: Option<bool>| {
            if started == Some(true) {
                return true;
            }
            if self.me.get() == 0 {
                return false;
            }
            let Some(Ok(list)) = threads.get() else {
                return false;
            };
            #[cfg(feature = "hydrate")]
            socket::open(self, list.cursor);
            #[cfg(not(feature = "hydrate"))]
            let _ = list;
            true
        });
        // Every (re)fetched list replaces the patched one, with the events
        // it is too old to include applied on top.
        Effect::new(move |_| {
            if let Some(Ok(list)) = threads.get() {
                let mut threads = list.threads;
                let me = self.me();
                let mut refetch = false;
                self.recent.with_value(|recent| {
                    for ev in recent.iter().filter(|e| e.id > list.cursor) {
                        refetch |= apply_to_nav(&mut threads, ev, me, &list.blocked).refetch;
                    }
                });
                self.set_blocked(list.blocked);
                if list.open_reports.is_some() {
                    self.open_reports.set(list.open_reports);
                }
                self.nav.set(Some(threads));
                if refetch {
                    self.revs.refresh_nav();
                }
            }
        });
        #[cfg(feature = "hydrate")]
        {
            self.now_ms.set(js_sys::Date::now());
            on_cleanup(socket::close);
        }
    }

    /// Once a second: the clock, and typers who went quiet.
    #[cfg(feature = "hydrate")]
    pub(super) fn tick(self) {
        let now = js_sys::Date::now();
        // Relative labels change by the minute; no need to redraw more.
        if now - self.now_ms.get_untracked() >= 30_000.0 {
            self.now_ms.set(now);
        }
        if self
            .typing
            .with_untracked(|t| t.iter().any(|t| t.until_ms < now))
        {
            self.typing.update(|t| t.retain(|t| t.until_ms >= now));
        }
    }

    /// The open thread registers itself, re-applying the events its page
    /// was read too early to include; it unregisters when it goes.
    pub fn attach(&self, thread: ThreadState, cursor: i64, name: &str) {
        let me = self.me();
        let id = thread.id.get_value();
        self.recent.with_value(|recent| {
            for ev in recent.iter().filter(|e| e.id > cursor && e.thread == id) {
                self.apply_to_thread(thread, ev, me);
            }
        });
        self.open.set(Some(thread));
        self.open_name.set(Some(name.to_owned()));
        let (open, open_name) = (self.open, self.open_name);
        on_cleanup(move || {
            let mine = open
                .try_with_untracked(|o| o.as_ref().and_then(|t| t.id.try_get_value()))
                .flatten()
                .is_some_and(|o| o == id);
            if mine {
                open.try_set(None);
                open_name.try_set(None);
            }
        });
    }

    /// The viewer's block list changed (or arrived): the open thread's
    /// messages from those people collapse, the others open up.
    pub fn set_blocked(&self, users: Vec<i64>) {
        if self.blocked.with_untracked(|b| b.as_ref() == Some(&users)) {
            return;
        }
        if let Some(thread) = self.open.get_untracked() {
            let _ = thread
                .messages
                .try_maybe_update(|list| (flag_blocked(list, &users), ()));
        }
        self.blocked.set(Some(users));
    }

    /// A `blocked` frame: the viewer blocked or unblocked someone (in this
    /// tab or another). Unread counts and previews change with it.
    pub fn blocked_changed(&self, users: Vec<i64>) {
        self.set_blocked(users);
        self.revs.refresh_nav();
    }

    /// A `reports` frame (moderators): the count, and the queue if open.
    pub fn reports_changed(&self, open: i64) {
        self.open_reports.set(Some(open));
        self.revs.moderation.update(|r| *r += 1);
    }

    /// Whether the viewer blocks `user`, as far as this page knows.
    pub fn blocks(&self, user: i64) -> bool {
        self.blocked
            .with_untracked(|b| b.as_ref().is_some_and(|b| b.contains(&user)))
    }

    /// Applies one event everywhere it shows.
    pub fn apply(&self, mut ev: Event) {
        let me = self.me();
        if let Change::MessageCreated { message, .. } = &mut ev.change {
            // Live frames are written once for everyone: whether this
            // viewer blocks the sender is theirs to add.
            message.blocked = self.blocks(message.sender_id);
        }
        let blocked = self.blocked.get_untracked().unwrap_or_default();
        let mut refetch = false;
        self.nav.update(|nav| {
            if let Some(list) = nav {
                refetch = apply_to_nav(list, &ev, me, &blocked).refetch;
            }
        });
        if refetch {
            self.revs.refresh_nav();
        }
        if let Change::MessageCreated { message, client_id } = &ev.change {
            if message.sender_id == me {
                self.confirmed(client_id);
            }
            self.typing
                .update(|t| t.retain(|t| !(t.thread == ev.thread && t.user == message.sender_id)));
        }
        if let Some(thread) = self
            .open
            .get_untracked()
            .filter(|t| t.id.with_value(|id| *id == ev.thread))
        {
            self.apply_to_thread(thread, &ev, me);
        }
        self.recent.update_value(|recent| {
            if recent.len() >= RECENT {
                recent.pop_front();
            }
            recent.push_back(ev);
        });
    }

    fn apply_to_thread(&self, thread: ThreadState, ev: &Event, me: i64) {
        if thread.kind == ThreadKind::Room {
            // A room is not fetched again for a join or a departure (it
            // may have thousands of members): its panel is patched. Your
            // own departure (from another tab) shows the room is gone.
            match &ev.change {
                Change::MemberLeft { user } | Change::MemberRemoved { user } if *user == me => {
                    self.revs.refresh_thread();
                    return;
                }
                Change::MemberAdded { .. }
                | Change::MemberLeft { .. }
                | Change::MemberRemoved { .. }
                | Change::MessageCreated { .. } => {
                    let _ = thread.participants.try_maybe_update(|p| (p.apply(ev), ()));
                    if !matches!(ev.change, Change::MessageCreated { .. }) {
                        return;
                    }
                }
                _ => {}
            }
        }
        match &ev.change {
            Change::ReadMoved {
                user, message_id, ..
            } => thread.read_up_to(*user, *message_id),
            // A sender has read up to what they sent (there is no
            // `read_moved` for it).
            Change::MessageCreated { message, .. }
                if message.kind != MessageKind::System && !message.sender_bot =>
            {
                thread.read_up_to(message.sender_id, message.id);
                let _ = thread
                    .messages
                    .try_maybe_update(|list| (apply_to_messages(list, &ev.change, me), ()));
            }
            Change::MemberAdded { .. }
            | Change::MemberRemoved { .. }
            | Change::MemberLeft { .. }
            | Change::ThreadRenamed { .. } => self.revs.refresh_thread(),
            // Only a real change wakes the list (`try_`: a view being
            // replaced may already be gone).
            change => {
                let _ = thread
                    .messages
                    .try_maybe_update(|list| (apply_to_messages(list, change, me), ()));
            }
        }
    }

    /// Someone is typing (a frame from the socket).
    pub fn typing_from(&self, thread: String, user: i64, name: String, now_ms: f64) {
        if user == self.me() {
            return;
        }
        self.typing.update(|t| {
            t.retain(|t| !(t.thread == thread && t.user == user));
            t.push(Typer {
                thread,
                user,
                name,
                until_ms: now_ms + TYPING_SHOWN_MS,
            });
        });
    }

    /// Who is typing in `thread`, in the order they started.
    pub fn typers(&self, thread: &str) -> Vec<String> {
        self.typing.with(|t| {
            t.iter()
                .filter(|t| t.thread == thread)
                .map(|t| t.name.clone())
                .collect()
        })
    }

    /// Tells the thread's members you are typing (throttled in `socket`).
    pub fn send_typing(&self, _thread: &str) {
        #[cfg(feature = "hydrate")]
        socket::typing(_thread);
    }

    /// Presence for `user`: the live frame if one came, else `fallback`.
    pub fn presence_of(&self, user: i64, fallback: (bool, Option<i64>)) -> (bool, Option<i64>) {
        self.presence
            .with(|p| p.get(&user).copied())
            .unwrap_or(fallback)
    }

    /// The window's title: the open thread's name (or "Chat"), with the
    /// unread total in front.
    pub fn title(&self) -> String {
        // `try_`: leptos_meta may read a title after its page has gone.
        match self.open_name.try_get().flatten() {
            Some(name) => self.title_of(&name),
            None => crate::domain::live::titled(self.unread_total(), "Chat · Parley"),
        }
    }

    /// The title of the window while the thread called `name` is open.
    /// The thread's own `<Title>` uses this with the name it rendered, not
    /// [`Live::title`]: on the server a thread may be rendered more than
    /// once, and the cleanup of one copy clears `open_name` under another,
    /// which left the page's title "Chat · Parley" now and then.
    pub fn title_of(&self, name: &str) -> String {
        crate::domain::live::titled(self.unread_total(), &format!("{name} · Parley"))
    }

    /// The unread total for the title.
    pub fn unread_total(&self) -> i64 {
        self.nav
            .try_with(|n| n.as_ref().map(|l| l.iter().map(|t| t.unread).sum()))
            .flatten()
            .unwrap_or(0)
    }
}

pub fn provide_live(live: Live) {
    provide_context(live);
}

pub fn use_live() -> Live {
    use_context::<Live>()
        .unwrap_or_else(|| panic!("use_live() called outside <ChatWindow>: a wiring bug"))
}
