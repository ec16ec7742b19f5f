//! The two-pane window and its overlays.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{
    browser, clock,
    context::{provide_chat_context, Overlay, Revisions},
    live::{provide_live, Live},
    nav::NavPane,
    new_chat::{InviteOverlay, NewChatButton, NewChatOverlay, WelcomeOverlay},
    thread::ThreadPane,
};
use crate::api::{
    auth::CurrentUser,
    threads::{list_threads, open_thread},
};
use crate::error::AppError;
use crate::model::{NavList, ThreadView};

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
    pub fn new() -> Self {
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
        welcome_once(threads, thread_id, overlay);
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
pub fn ChatWindow(user: CurrentUser, data: ChatData) -> impl IntoView {
    let me = user.id;
    let chat = provide_chat_context(user, data.revs, data.overlay);
    let (thread, threads) = (data.thread_id, data.threads);
    let live = data.live;
    provide_live(live);
    live.set_me(me);

    view! {
        <Title text=move || live.title()/>
        <div class="chat-window" class:has-thread=move || thread.get().is_some()>
            <NavPane threads open=thread/>
            <main class="thread-pane">
                {move || match thread.get() {
                    Some(_) => view! { <ThreadPane thread=data.thread/> }.into_any(),
                    None => view! { <NoThread/> }.into_any(),
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
