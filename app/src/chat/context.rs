//! State shared by the panes: who is looking, which overlay is open, and
//! revision counters that make resources fetch again after a change.

use leptos::prelude::*;

use crate::api::auth::CurrentUser;

/// An overlay of the window (one at a time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    Welcome,
    NewChat,
    /// A new direct chat: invite a first message.
    Invite {
        thread: String,
        name: String,
    },
}

#[derive(Clone, Copy)]
pub struct ChatContext {
    pub user: StoredValue<CurrentUser>,
    /// The page's revision counters (what makes its resources refetch).
    pub revs: Revisions,
    pub overlay: RwSignal<Option<Overlay>>,
}

impl ChatContext {
    pub fn me(&self) -> i64 {
        self.user.with_value(|u| u.id)
    }

    /// After a change to the open thread its list cannot patch by itself
    /// (membership, title).
    pub fn refresh_thread(&self) {
        self.revs.refresh_thread();
    }

    pub fn refresh_nav(&self) {
        self.revs.refresh_nav();
    }
}

/// The counters the page's resources depend on. They are made by the page,
/// outside any `<Suspense>`: on the server a suspense walks its children
/// twice (`dry_resolve`), and a resource created in there would be created
/// — and fetched — twice.
#[derive(Clone, Copy)]
pub struct Revisions {
    pub nav: RwSignal<u64>,
    pub thread: RwSignal<u64>,
    pub tz: RwSignal<u64>,
    /// The moderators' queue (bumped when the open report count changes).
    pub moderation: RwSignal<u64>,
}

impl Revisions {
    /// Fetch the navigation list again.
    pub fn refresh_nav(&self) {
        self.nav.update(|r| *r += 1);
    }

    /// Fetch the open thread again.
    pub fn refresh_thread(&self) {
        self.thread.update(|r| *r += 1);
    }

    pub fn new() -> Self {
        Self {
            nav: RwSignal::new(0),
            thread: RwSignal::new(0),
            tz: RwSignal::new(0),
            moderation: RwSignal::new(0),
        }
    }
}

impl Default for Revisions {
    fn default() -> Self {
        Self::new()
    }
}

pub fn provide_chat_context(
    user: CurrentUser,
    revs: Revisions,
    overlay: RwSignal<Option<Overlay>>,
) -> ChatContext {
    let ctx = ChatContext {
        user: StoredValue::new(user),
        revs,
        overlay,
    };
    provide_context(ctx);
    ctx
}

/// The chat context; only components inside [`super::ChatWindow`] call it.
pub fn use_chat() -> ChatContext {
    use_context::<ChatContext>()
        .unwrap_or_else(|| panic!("use_chat() called outside <ChatWindow>: a wiring bug"))
}
