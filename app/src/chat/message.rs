//! One message: avatar, name and time at the start of a group, the body
//! (text, sticker, "[message deleted]" or "[removed by a moderator]"),
//! reactions under it, and the hover toolbar (F6, F7). A message from
//! someone the viewer blocks is collapsed behind "Show" (F21).

use std::sync::Arc;

use leptos::prelude::*;

use super::{
    avatar::{Avatar, BotBadge},
    block::BlockToggle,
    context::use_chat,
    live::{use_live, Pending, PendingState},
    message_list::Receipts,
    thread::{use_thread, MessageAction, ThreadState},
};
use crate::api::messages::toggle_reaction;
use crate::domain::live::{first_faces, seen_by, FACES_SHOWN};
use crate::domain::{
    preview::{BLOCKED, DELETED, REMOVED},
    sticker_url, MessageKind, REACTIONS,
};
use crate::model::{MessageView, Reaction};

#[component]
pub fn MessageItem(m: Arc<MessageView>, starts: bool) -> impl IntoView {
    if m.kind == MessageKind::System {
        return view! {
            <div
                class="system-line"
                data-testid="system-line"
                data-at=m.at_ms.to_string()
                title=m.full_time.clone()
            >
                {m.body.clone().unwrap_or_default()}
            </div>
        }
        .into_any();
    }
    let chat = use_chat();
    let mine = m.sender_id == chat.me();
    let deleted = m.deleted();
    let head = starts.then(|| {
        view! {
            <Avatar name=m.sender.clone() url=m.sender_avatar.clone()/>
        }
    });
    let meta = starts.then(|| {
        view! {
            <div class="msg-meta">
                <span class="msg-sender">{m.sender.clone()}</span>
                {m.sender_bot.then(|| view! { <BotBadge/> })}
                <time class="msg-time" title=m.full_time.clone()>{m.time.clone()}</time>
            </div>
        }
    });
    // A grouped message shows its time only on hover (F6).
    let hover_time = (!starts).then(|| {
        view! { <time class="msg-hover-time" title=m.full_time.clone()>{m.time.clone()}</time> }
    });
    let body = match (&m.body, m.kind) {
        (None, _) => {
            let gone = if m.removed { REMOVED } else { DELETED };
            view! { <p class="msg-body msg-deleted">{gone}</p> }.into_any()
        }
        (Some(name), MessageKind::Sticker) => view! {
            <p class="msg-body">
                <img class="sticker" src=sticker_url(name) alt=format!("{name} sticker") width="96" height="96"/>
            </p>
        }
        .into_any(),
        (Some(text), _) => view! { <p class="msg-body">{text.clone()}</p> }.into_any(),
    };
    let id = m.id;
    let (blocked, sender) = (m.blocked && !deleted, m.sender_id);
    // The toolbar only works with JavaScript, so it is made on the first
    // hover or focus rather than sent with every message (it would be
    // most of a long thread's HTML).
    let active = RwSignal::new(false);
    // Once: setting it again (each focus, each hover) would redraw the
    // toolbar, and a click whose mousedown focused a button that was then
    // redrawn under the pointer never arrives (the Block form).
    let activate = move || {
        if !active.get_untracked() {
            active.set(true);
        }
    };
    let class = if starts {
        "msg msg-start"
    } else {
        "msg msg-grouped"
    };
    view! {
        <article
            class=class
            class:msg-mine=mine
            id=format!("m-{id}")
            data-testid="message"
            data-id=id.to_string()
            data-at=m.at_ms.to_string()
            tabindex="0"
            on:mouseenter=move |_| activate()
            on:focusin=move |_| activate()
        >
            <div class="msg-gutter">{head}{hover_time}</div>
            <div class="msg-main">
                {meta}
                {collapsed(blocked, body, view! { <Reactions id list=m.reactions.clone()/> })}
                <ReadReceipts id/>
            </div>
            {move || (active.get() && !deleted).then(|| view! { <Toolbar id mine sender/> })}
        </article>
    }
    .into_any()
}

/// A blocked sender's message (F21) folds behind "Show" (a `<details>`:
/// no script needed); any other shows as it is.
fn collapsed(blocked: bool, body: AnyView, reactions: impl IntoView + 'static) -> AnyView {
    if !blocked {
        return view! { {body} {reactions} }.into_any();
    }
    view! {
        <details class="msg-blocked" data-testid="blocked-message">
            <summary>{BLOCKED} " " <span class="link-like">"Show"</span></summary>
            {body}
            {reactions}
        </details>
    }
    .into_any()
}

/// "Seen" under your message the other person has read (direct chat), or
/// the small avatars of the members whose reading stopped here (group,
/// room): a handful at most, then "+N" (a room may have thousands).
#[component]
fn ReadReceipts(id: i64) -> impl IntoView {
    let Some(r) = use_context::<Receipts>() else {
        return ().into_any();
    };
    (move || {
        if r.seen.get() == Some(id) {
            return view! { <p class="seen" data-testid="seen">"Seen"</p> }.into_any();
        }
        let readers = r.marks.with(|m| m.get(&id).cloned()).unwrap_or_default();
        if readers.is_empty() {
            return ().into_any();
        }
        // Only the first few are looked up: the rest are a count.
        let people: Vec<(String, Option<String>)> = readers
            .iter()
            .filter_map(|u| r.face(*u))
            .take(FACES_SHOWN)
            .collect();
        let (people, more) = first_faces(people, readers.len());
        let names: Vec<&str> = people.iter().map(|(n, _)| n.as_str()).collect();
        let label = seen_by(&names, more);
        view! {
            <div class="read-marks" data-testid="read-marks" title=label.clone() aria-label=label>
                {people
                    .into_iter()
                    .map(|(name, url)| view! { <Avatar name url size="xs"/> })
                    .collect_view()}
                {(more > 0).then(|| view! {
                    <span class="read-more" data-testid="read-more">{format!("+{more}")}</span>
                })}
            </div>
        }
        .into_any()
    })
    .into_any()
}

/// A message sent but not confirmed yet (F18): shown at once, marked as
/// sending, or "Not sent" with Retry.
#[component]
pub fn PendingItem(p: Pending) -> impl IntoView {
    let live = use_live();
    let body = match p.kind {
        MessageKind::Sticker => view! {
            <p class="msg-body">
                <img class="sticker" src=sticker_url(&p.body) alt=format!("{} sticker", p.body) width="96" height="96"/>
            </p>
        }
        .into_any(),
        _ => view! { <p class="msg-body">{p.body.clone()}</p> }.into_any(),
    };
    let client_id = p.client_id.clone();
    let status = match p.state {
        PendingState::Sending => view! { <p class="pending-status">"Sending…"</p> }.into_any(),
        PendingState::Waiting | PendingState::Failed(_) => {
            let why = match p.state {
                PendingState::Failed(reason) => reason,
                _ => "Waiting for the connection.".to_owned(),
            };
            view! {
                <p class="pending-status not-sent" role="alert">
                    "Not sent — "
                    <button type="button" class="link-button" on:click=move |_| live.retry(&client_id)>
                        "Retry"
                    </button>
                    <span class="muted">" " {why}</span>
                </p>
            }
            .into_any()
        }
    };
    view! {
        <article class="msg msg-grouped msg-mine msg-pending" data-testid="pending-message">
            <div class="msg-gutter"></div>
            <div class="msg-main">{body}{status}</div>
        </article>
    }
}

/// Counts under the message; a click toggles your own (F7).
#[component]
fn Reactions(id: i64, list: Vec<Reaction>) -> impl IntoView {
    if list.is_empty() {
        return ().into_any();
    }
    let thread = use_thread();
    view! {
        <div class="reactions" data-testid="reactions">
            {list
                .into_iter()
                .map(|r| {
                    let emoji = r.emoji.clone();
                    view! {
                        <button
                            type="button"
                            class="reaction"
                            class:reaction-mine=r.mine
                            aria-pressed=r.mine.to_string()
                            title=r.who.join(", ")
                            data-testid="reaction"
                            on:click=move |_| react(thread, id, emoji.clone())
                        >
                            <span>{r.emoji.clone()}</span>
                            " "
                            <span class="reaction-count">{r.count.to_string()}</span>
                        </button>
                    }
                })
                .collect_view()}
        </div>
    }
    .into_any()
}

/// Toggles `emoji` on message `id` and puts the new counts in place.
fn react(thread: ThreadState, id: i64, emoji: String) {
    leptos::task::spawn_local(async move {
        if let Ok(reactions) = toggle_reaction(id, emoji).await {
            thread.messages.update(|list| {
                if let Some(m) = list.iter_mut().find(|m| m.id == id) {
                    m.reactions = reactions;
                }
            });
        }
    });
}

/// Appears on hover (and on keyboard focus): reactions, then Delete for
/// your own message, or Report and Block (Unblock) for someone else's.
#[component]
fn Toolbar(id: i64, mine: bool, sender: i64) -> impl IntoView {
    let thread = use_thread();
    let (label, action) = if mine {
        ("Delete", MessageAction::Delete(id))
    } else {
        ("Report", MessageAction::Report(id))
    };
    view! {
        <div class="msg-toolbar" role="toolbar" aria-label="Message actions" data-testid="toolbar">
            {REACTIONS
                .iter()
                .map(|e| {
                    let emoji = (*e).to_owned();
                    view! {
                        <button
                            type="button"
                            class="icon-button"
                            aria-label=format!("React {e}")
                            on:click=move |_| react(thread, id, emoji.clone())
                        >
                            {*e}
                        </button>
                    }
                })
                .collect_view()}
            <button
                type="button"
                class="icon-button toolbar-text"
                on:click=move |_| thread.action.set(Some(action))
            >
                {label}
            </button>
            {(!mine).then(|| view! {
                <BlockToggle user=sender test_id="toolbar-block" class="icon-button toolbar-text"/>
            })}
        </div>
    }
}
