//! The thread pane (F4): header, the other person's card, messages,
//! composer, and the overlays that act on one message, on the group or
//! on the room (`room_header`, `room_panel`).

mod room_header;
mod room_panel;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::{
    avatar::{Avatar, BotBadge, GroupAvatar},
    block::BlockToggle,
    composer::Composer,
    group_panel::GroupPanel,
    message_actions::{DeleteConfirm, ReportDialog},
    message_list::MessageList,
    window::window_title,
};
use std::collections::HashMap;

use super::live::use_live;
use crate::domain::live::{presence_label, typing_line};
use crate::domain::room::Participants;
use crate::error::AppError;
use crate::model::{Member, MessageView, ThreadKind, ThreadView, UserCard};
use room_header::RoomActions;
use room_panel::RoomPanel;

/// What the open thread's components share.
#[derive(Clone, Copy)]
pub struct ThreadState {
    pub id: StoredValue<String>,
    pub messages: RwSignal<Vec<MessageView>>,
    pub has_more: RwSignal<bool>,
    pub action: RwSignal<Option<MessageAction>>,
    /// Each member's read position (read receipts, F17).
    pub reads: RwSignal<HashMap<i64, i64>>,
    pub kind: ThreadKind,
    /// A room's participants and member count, kept current by live
    /// events (a room is never fetched again for a join or a departure).
    pub participants: RwSignal<Participants>,
}

/// An overlay about one message, or the group's (or room's) panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageAction {
    Delete(i64),
    Report(i64),
    Members,
}

impl ThreadState {
    /// Puts `m` in the list: replaces the message with its id, or appends
    /// it (a send that was already shown is not shown twice).
    pub fn upsert(&self, m: MessageView) {
        self.messages
            .update(|list| match list.iter_mut().find(|x| x.id == m.id) {
                Some(slot) => *slot = m,
                None => list.push(m),
            });
    }

    /// Moves `user`'s read position forward (never back).
    pub fn read_up_to(&self, user: i64, message: i64) {
        // `try_`: the thread may have closed while the request was out.
        self.reads.try_update(|r| {
            let at = r.entry(user).or_insert(0);
            *at = (*at).max(message);
        });
    }
}

pub fn use_thread() -> ThreadState {
    use_context::<ThreadState>()
        .unwrap_or_else(|| panic!("use_thread() called outside <ThreadPane>: a wiring bug"))
}

#[component]
pub fn ThreadPane(thread: Resource<Result<Option<ThreadView>, AppError>>) -> impl IntoView {
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match thread.await {
                    Ok(Some(v)) => view! { <ThreadBody v/> }.into_any(),
                    Ok(None) => ().into_any(),
                    Err(AppError::NotFound) => view! { <ThreadNotFound/> }.into_any(),
                    Err(e) => view! { <p class="page-error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ThreadNotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <section class="no-thread" data-testid="thread-not-found">
            <h2>"Chat not found"</h2>
            <p class="muted">"It may have been removed, or you are not in it."</p>
            <A href="/chat">"Back to your chats"</A>
        </section>
    }
}

#[component]
fn ThreadBody(v: ThreadView) -> impl IntoView {
    let live = use_live();
    let participants = Participants::new(
        v.members.iter().map(|m| m.user.clone()).collect(),
        v.member_count,
        v.cursor,
        live.me(),
    );
    let other_blocked = v
        .other
        .as_ref()
        .is_some_and(|o| sender_blocked(&v.page.messages, o.id));
    let state = ThreadState {
        id: StoredValue::new(v.id.clone()),
        messages: RwSignal::new(v.page.messages),
        has_more: RwSignal::new(v.page.has_more),
        action: RwSignal::new(None),
        reads: RwSignal::new(v.members.iter().map(|m| (m.user.id, m.last_read)).collect()),
        kind: v.kind,
        participants: RwSignal::new(participants),
    };
    provide_context(state);
    live.attach(state, v.cursor, &v.name);
    // Opening it marked those messages read: let the list say so (in the
    // browser only; the server's list already hides the open chat's badge).
    if v.first_unread.is_some() {
        let chat = super::context::use_chat();
        Effect::new(move |_| chat.refresh_nav());
    }
    let members = StoredValue::new(v.members);
    let name = v.name.clone();
    let title_name = v.name.clone();
    let is_room = v.kind == ThreadKind::Room;
    let header_avatar = match &v.other {
        Some(o) => view! { <Avatar name=o.username.clone() url=o.avatar_url.clone()/> }.into_any(),
        None if is_room => {
            view! { <span class="avatar room-avatar" aria-hidden="true">"#"</span> }.into_any()
        }
        None => view! { <GroupAvatar/> }.into_any(),
    };
    let other_is_bot = v.other.as_ref().is_some_and(|o| o.bot);
    let topic = v.topic.clone().filter(|_| is_room);
    let is_group = v.kind == ThreadKind::Group;
    let member_count = members.with_value(Vec::len);
    let my_role = v.my_role;
    let presence = v.other.as_ref().map(|o| {
        let (id, fallback) = (o.id, (o.online, o.last_active_ms));
        move || {
            let (online, at) = live.presence_of(id, fallback);
            let label = presence_label(online, at, live.now_ms.get() as i64);
            view! {
                <span class="presence" class:online=online data-testid="presence">{label}</span>
            }
        }
    });
    // Block / Unblock the other person of a direct chat (F21).
    let block = v.other.as_ref().map(|o| {
        view! { <BlockToggle user=o.id test_id="block-toggle" fallback=other_blocked/> }
    });
    let thread_id = StoredValue::new(v.id.clone());
    let typing = move || {
        let names = live.typers(&thread_id.get_value());
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        typing_line(&names)
    };

    view! {
        // The same text as the window's title (both follow the unread
        // count); this one is written while the thread renders, from the
        // name it renders.
        <Title text=move || window_title(live, Some(title_name.clone()))/>
        <header class="thread-header">
            <A href="/chat" attr:class="back-link" attr:aria-label="Back to chats">"‹"</A>
            {header_avatar}
            <div class="thread-heading">
                <div class="thread-title-line">
                    <h2 class="thread-title" class:room-title=is_room data-testid="thread-title">
                        {name.clone()}
                    </h2>
                    {other_is_bot.then(|| view! { <BotBadge/> })}
                </div>
                {presence}
                {topic.map(|t| view! { <p class="room-head-topic" data-testid="room-topic">{t}</p> })}
            </div>
            {is_group
                .then(|| {
                    view! {
                        <button
                            type="button"
                            class="button-secondary members-button"
                            on:click=move |_| state.action.set(Some(MessageAction::Members))
                        >
                            {format!("{member_count} members")}
                        </button>
                    }
                })}
            {is_room.then(|| view! { <RoomActions id=v.id.clone()/> })}
            {block.map(|b| view! { <div class="thread-head-actions">{b}</div> })}
        </header>
        <MessageList
            first_unread=v.first_unread
            other=v.other
            members=members.get_value()
        />
        <p class="typing-line" data-testid="typing" aria-live="polite">{typing}</p>
        <Composer thread=v.id client_id=v.composer_client_id/>
        {move || state.action.get().map(|a| match a {
            MessageAction::Delete(id) => view! { <DeleteConfirm id/> }.into_any(),
            MessageAction::Report(id) => view! { <ReportDialog id/> }.into_any(),
            MessageAction::Members if is_room => view! { <RoomPanel/> }.into_any(),
            MessageAction::Members => {
                view! {
                    <GroupPanel
                        members=members.get_value()
                        title=v.title.clone().unwrap_or_default()
                        my_role
                    />
                }
                    .into_any()
            }
        })}
    }
}

/// The card about the other person at the top of a direct chat (F2, F4).
#[component]
pub fn UserCardView(user: UserCard) -> impl IntoView {
    let days = match user.days_on_site {
        0 => "Joined today".to_owned(),
        1 => "1 day on Parley".to_owned(),
        n => format!("{n} days on Parley"),
    };
    view! {
        <section class="user-card" data-testid="user-card">
            <Avatar name=user.username.clone() url=user.avatar_url.clone() size="lg"/>
            <h3>{user.username.clone()}{user.bot.then(|| view! { <BotBadge/> })}</h3>
            <p class="muted">
                <span data-testid="karma">{format!("{} karma", user.karma)}</span>
                " · "
                <span data-testid="cake-day">{days}</span>
            </p>
        </section>
    }
}

/// Whether the page says the viewer blocks `user`: the server marks each
/// of a blocked sender's messages (the browser's block list, once it has
/// one, says it for sure).
fn sender_blocked(messages: &[MessageView], user: i64) -> bool {
    messages.iter().any(|m| m.sender_id == user && m.blocked)
}

/// The member list of a group, for the panel.
pub fn member_ids(members: &[Member]) -> Vec<i64> {
    members.iter().map(|m| m.user.id).collect()
}
