//! The navigation pane (F3): the user's chats, most recent first.

use leptos::prelude::*;
use leptos_router::components::A;

use super::{
    avatar::{Avatar, GroupAvatar},
    context::use_chat,
    live::use_live,
    new_chat::NewChatButton,
};
use crate::api::auth::Logout;
use crate::domain::moderation::open_reports_badge;
use crate::model::{NavList, ThreadKind, ThreadSummary};

#[component]
pub fn NavPane(
    threads: Resource<Result<NavList, crate::error::AppError>>,
    /// The open thread: it has no unread badge (its list may have been
    /// fetched a moment before opening it marked it read).
    open: Memo<Option<String>>,
) -> impl IntoView {
    let chat = use_chat();
    let live = use_live();
    let logout = ServerAction::<Logout>::new();
    let moderator = chat.user.with_value(|u| u.moderator);
    view! {
        <nav class="nav-pane" aria-label="Chats">
            <header class="nav-header">
                <h1 class="brand">"Chats"</h1>
                <span class="whoami">
                    <strong data-testid="current-user">{chat.user.with_value(|u| u.username.clone())}</strong>
                </span>
            </header>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match threads.await {
                        Ok(list) if list.threads.is_empty() => {
                            view! { <p class="nav-empty muted">"No chats yet."</p> }.into_any()
                        }
                        // The server's list until the live one takes over
                        // (after hydration), then every event patches it.
                        Ok(list) => {
                            let first = StoredValue::new(list.threads);
                            let items = move || live.nav.get().unwrap_or_else(|| first.get_value());
                            view! {
                                <ul class="nav-list" data-testid="nav-list">
                                    <For each=items key=nav_key let:t>
                                        <NavItem t open/>
                                    </For>
                                </ul>
                            }
                            .into_any()
                        }
                        Err(e) => view! { <p class="page-error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
            <div class="nav-links">
                // Public rooms (F13): browse, create, join.
                <A href="/rooms" attr:class="nav-link rooms-link" attr:data-testid="rooms-link">"Rooms"</A>
                // The people you block (F21).
                <A href="/settings" attr:class="nav-link" attr:data-testid="settings-link">"Settings"</A>
                {moderator.then(|| view! { <ModerationLink threads/> })}
            </div>
            <footer class="nav-footer">
                <NewChatButton label="Create chat" class="create-chat"/>
                <ActionForm action=logout>
                    <button type="submit" class="button-secondary">"Log out"</button>
                </ActionForm>
            </footer>
        </nav>
    }
}

/// "Moderation" with the open report count (F21): the server's count
/// from the list, then the live one (`reports` frames).
#[component]
fn ModerationLink(threads: Resource<Result<NavList, crate::error::AppError>>) -> impl IntoView {
    let live = use_live();
    // Under a suspense of its own: the server writes the list's count,
    // and a refetched list redraws only this link.
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let server = threads.await.ok().and_then(|l| l.open_reports);
                let count = move || open_reports_badge(live.open_reports.get(), server);
                view! {
                    <A href="/moderation" attr:class="nav-link moderation-link" attr:data-testid="moderation-link">
                        "Moderation"
                        {move || count().map(|n| view! {
                            <span class="badge" data-testid="open-reports" aria-label=format!("{n} open reports")>
                                {n.to_string()}
                            </span>
                        })}
                    </A>
                }
            })}
        </Transition>
    }
}

/// An entry is redrawn when anything it shows changes.
fn nav_key(t: &ThreadSummary) -> (String, String, Option<i64>, i64, Option<String>) {
    (
        t.id.clone(),
        t.name.clone(),
        t.last_id,
        t.unread,
        t.last.as_ref().map(|l| l.preview.clone()),
    )
}

#[component]
fn NavItem(t: ThreadSummary, open: Memo<Option<String>>) -> impl IntoView {
    let room = t.kind == ThreadKind::Room;
    let avatar = match t.avatar {
        Some((name, url)) => view! { <Avatar name url/> }.into_any(),
        None if room => {
            view! { <span class="avatar room-avatar" aria-hidden="true">"#"</span> }.into_any()
        }
        None => view! { <GroupAvatar/> }.into_any(),
    };
    let unread = t.unread;
    let id = t.id.clone();
    let is_open = move || open.with(|o| o.as_deref() == Some(id.as_str()));
    let (sender, preview, when) = match t.last {
        Some(l) => (Some(format!("{}: ", l.sender)), l.preview, l.when),
        None => (None, "No messages yet".to_owned(), String::new()),
    };
    view! {
        <li>
            <A href=format!("/chat/{}", t.id) attr:class="nav-item" attr:data-testid="nav-item">
                {avatar}
                <span class="nav-text">
                    <span class="nav-top">
                        <span class="nav-name">
                            {room.then(|| view! { <span class="room-mark" title="Room">"# "</span> })}
                            {t.name}
                        </span>
                        <time class="nav-time">{when}</time>
                    </span>
                    <span class="nav-bottom">
                        <span class="nav-preview">
                            {sender.map(|s| view! { <span class="nav-sender">{s}</span> })}
                            {preview}
                        </span>
                        {move || (unread > 0 && !is_open())
                            .then(|| {
                                view! {
                                    <span class="badge" data-testid="unread" aria-label=format!("{unread} unread")>
                                        {unread.min(99).to_string()}
                                    </span>
                                }
                            })}
                    </span>
                </span>
            </A>
        </li>
    }
}
