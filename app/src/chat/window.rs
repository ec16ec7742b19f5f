//! The two-pane window and its overlays.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{
    browser, clock,
    context::{provide_chat_context, Overlay, Revisions},
    live::{provide_live, Live},
    moderation::{QueuePane, ResolvedPane},
    nav::NavPane,
    new_chat::{InviteOverlay, NewChatButton, NewChatOverlay, WelcomeOverlay},
    settings::SettingsPane,
    thread::ThreadPane,
};
use crate::api::{
    auth::CurrentUser,
    blocks::UnblockUser,
    moderation::DecideReport,
    threads::{list_threads, open_thread},
};
use crate::domain::live::titled;
use crate::error::AppError;
use crate::model::{BlockedUser, Decision, ModQueue, NavList, ThreadView};

/// What the window's right-hand pane shows. Each page makes its pane's
/// resources (and the actions they follow) itself, outside every
/// suspense, for the reason [`Revisions`] gives.
#[derive(Clone, Copy, Default)]
pub enum Pane {
    /// The thread in the URL, or "Your chats" without one.
    #[default]
    Thread,
    /// The moderators' queue (`/moderation`); it is fetched again after
    /// each decision taken here and on each `reports` frame.
    Queue {
        queue: Resource<Result<ModQueue, AppError>>,
        decide: ServerAction<DecideReport>,
    },
    /// The decisions taken (`/moderation/resolved`).
    Resolved {
        decisions: Resource<Result<Vec<Decision>, AppError>>,
    },
    /// The viewer's settings (`/settings`): the people they block.
    Settings {
        blocked: Resource<Result<Vec<BlockedUser>, AppError>>,
        unblock: ServerAction<UnblockUser>,
    },
}

impl Pane {
    /// The window's title on this pane's page (the thread's is live's).
    fn title(self) -> Option<&'static str> {
        match self {
            Pane::Thread => None,
            Pane::Queue { .. } => Some("Moderation"),
            Pane::Resolved { .. } => Some("Resolved"),
            Pane::Settings { .. } => Some("Settings"),
        }
    }
}

/// The data of the chat page: made once per page, outside every suspense
/// (see [`Revisions`]), and handed to the window.
#[derive(Clone, Copy)]
pub struct ChatData {
    pub revs: Revisions,
    /// The thread in the URL, if any.
    pub thread_id: Memo<Option<String>>,
    pub threads: Resource<Result<NavList, AppError>>,
    pub thread: Resource<Result<Option<ThreadView>, AppError>>,
    pub overlay: RwSignal<Option<Overlay>>,
    pub live: Live,
}

impl ChatData {
    /// For `/chat` and `/chat/<thread>`.
    pub fn new() -> Self {
        Self::build(true)
    }

    /// For a page with another pane (`/moderation`, `/settings`): the
    /// Welcome overlay is for the chats page, not for these.
    pub fn for_pane() -> Self {
        Self::build(false)
    }

    fn build(welcome: bool) -> Self {
        let revs = Revisions::new();
        let params = use_params_map();
        let thread_id = Memo::new(move |_| params.read().get("thread"));
        let query = use_query_map();
        let before = Memo::new(move |_| {
            query
                .read()
                .get("before")
                .and_then(|b| b.parse::<i64>().ok())
        });
        let threads = Resource::new(
            move || (revs.nav.get(), revs.tz.get()),
            |_| list_threads(browser::clock_ms()),
        );
        let thread = Resource::new(
            move || {
                (
                    thread_id.get(),
                    before.get(),
                    revs.thread.get(),
                    revs.tz.get(),
                )
            },
            |(id, before, _, _)| async move {
                match id {
                    Some(id) => open_thread(id, before, browser::clock_ms()).await.map(Some),
                    None => Ok(None),
                }
            },
        );
        let overlay = RwSignal::new(None);
        // These effects read the resources: made here, outside every
        // suspense, a refetch never suspends (and re-mounts) the window.
        sync_time_zone(threads, revs.tz);
        clock::follow_the_day(threads, revs);
        if welcome {
            welcome_once(threads, thread_id, overlay);
        }
        let live = Live::new(revs);
        live.watch(threads);
        Self {
            revs,
            thread_id,
            threads,
            thread,
            overlay,
            live,
        }
    }
}

impl Default for ChatData {
    fn default() -> Self {
        Self::new()
    }
}

#[component]
pub fn ChatWindow(
    user: CurrentUser,
    data: ChatData,
    /// The right-hand pane (the thread unless a page says otherwise).
    #[prop(optional)]
    pane: Pane,
) -> impl IntoView {
    let me = user.id;
    let chat = provide_chat_context(user, data.revs, data.overlay);
    let (thread, threads) = (data.thread_id, data.threads);
    let live = data.live;
    provide_live(live);
    live.set_me(me);

    view! {
        <Title text=move || {
            let name = pane.title().map(str::to_owned);
            window_title(live, name.or_else(|| live.open_name.try_get().flatten()))
        }/>
        // On a narrow screen a pane other than "Your chats" takes the
        // whole window, like a thread (`has-thread`).
        <div
            class="chat-window"
            class:has-thread=move || !matches!(pane, Pane::Thread) || thread.get().is_some()
        >
            <NavPane threads open=thread/>
            <main class="thread-pane">
                {move || match (pane, thread.get()) {
                    (Pane::Queue { queue, decide }, _) => view! { <QueuePane queue decide/> }.into_any(),
                    (Pane::Resolved { decisions }, _) => view! { <ResolvedPane decisions/> }.into_any(),
                    (Pane::Settings { blocked, unblock }, _) => {
                        view! { <SettingsPane blocked unblock/> }.into_any()
                    }
                    (Pane::Thread, Some(_)) => view! { <ThreadPane thread=data.thread/> }.into_any(),
                    (Pane::Thread, None) => view! { <NoThread/> }.into_any(),
                }}
            </main>
        </div>
        {move || chat.overlay.get().map(|o| match o {
            Overlay::Welcome => view! { <WelcomeOverlay/> }.into_any(),
            Overlay::NewChat => view! { <NewChatOverlay/> }.into_any(),
            Overlay::Invite { thread, name } => view! { <InviteOverlay thread name/> }.into_any(),
        })}
    }
}

/// The window's title: `name` (the open thread's or the pane's; "Chat"
/// without either) with the unread total in front.
///
/// Read with `try_`: leptos_meta keeps a title's text and reads it again
/// when another page's title comes or goes, which may be after this
/// page's signals are gone (leaving a thread for `/settings` panicked the
/// wasm); a page that is gone counts no unread.
pub(super) fn window_title(live: Live, name: Option<String>) -> String {
    let unread = live
        .nav
        .try_with(|n| n.as_ref().map(|l| l.iter().map(|t| t.unread).sum()))
        .flatten()
        .unwrap_or(0);
    let name = name.unwrap_or_else(|| "Chat".to_owned());
    titled(unread, &format!("{name} · Parley"))
}

#[component]
fn NoThread() -> impl IntoView {
    view! {
        <section class="no-thread">
            <h2>"Your chats"</h2>
            <p class="muted">"Pick a chat on the left, or start a new one."</p>
            <NewChatButton label="Start new chat"/>
        </section>
    }
}

/// Someone with no chats of their own (the home room is everyone's) is
/// welcomed (F9), once per visit.
fn welcome_once(
    threads: Resource<Result<NavList, AppError>>,
    thread: Memo<Option<String>>,
    overlay: RwSignal<Option<Overlay>>,
) {
    Effect::new(move |shown: Option<bool>| {
        if shown == Some(true) {
            return true;
        }
        let empty = threads
            .get()
            .and_then(Result::ok)
            .is_some_and(|l| !l.has_own_chats());
        if empty && thread.get().is_none() && overlay.get_untracked().is_none() {
            overlay.set(Some(Overlay::Welcome));
            return true;
        }
        false
    });
}

/// The server writes times in the zone of the `tz` cookie (UTC before the
/// first visit). After hydration, if the browser's zone differs, store it
/// and fetch again: the first paint matches the server HTML exactly (no
/// hydration mismatch), and the labels correct themselves a moment later.
fn sync_time_zone(threads: Resource<Result<NavList, AppError>>, tz_rev: RwSignal<u64>) {
    Effect::new(move |done: Option<bool>| {
        if done == Some(true) {
            return true;
        }
        let Some(Ok(list)) = threads.get() else {
            return false;
        };
        if let Some(tz) = browser::browser_time_zone() {
            if tz != list.tz {
                browser::remember_time_zone(&tz);
                tz_rev.update(|r| *r += 1);
            }
        }
        true
    });
}
