//! A room's participants panel (F13): who is there, online first, then by
//! when each last posted in the room, with the room's member count. It
//! shows the page the room opened with, patched by live events
//! ([`crate::domain::room::Participants`]); it never loads a room of
//! thousands whole. No group controls: rooms have none; each other
//! participant can be blocked (F21).

use leptos::prelude::*;

use super::use_thread;
use crate::chat::{
    avatar::{Avatar, BotBadge},
    block::BlockToggle,
    context::use_chat,
    live::use_live,
    modal::Modal,
};
use crate::domain::live::presence_label;
use crate::domain::room::members_label;

#[component]
pub fn RoomPanel() -> impl IntoView {
    let thread = use_thread();
    let live = use_live();
    let me = use_chat().me();
    // You are online (this page is open) whatever the last frame said.
    let rows = move || {
        thread
            .participants
            .with(|p| p.shown(|u| u.id == me || live.presence_of(u.id, (u.online, None)).0))
    };
    let count = move || thread.participants.with(|p| p.count);
    let more = move || {
        let (total, shown) = thread
            .participants
            .with(|p| (p.count, p.people.len() as i64));
        (total > shown).then(|| {
            view! {
                <p class="muted participants-more">
                    {format!("The {shown} most recently active of {total}")}
                </p>
            }
        })
    };
    view! {
        <Modal title="Participants" on_close=move |_| thread.action.set(None) test_id="room-panel">
            <h3 class="panel-heading" data-testid="room-member-count">{move || members_label(count())}</h3>
            <ul class="member-list" data-testid="participant-list">
                <For
                    each=rows
                    key=|(u, online)| (u.id, *online, u.last_active_ms)
                    children=move |(u, online)| {
                        let label = move || presence_label(online, u.last_active_ms, live.now_ms.get() as i64);
                        view! {
                            <li class="member-row" data-testid="participant" data-user=u.id.to_string()>
                                <Avatar name=u.username.clone() url=u.avatar_url.clone() size="sm"/>
                                <span class="user-name">{u.username.clone()}</span>
                                {u.bot.then(|| view! { <BotBadge/> })}
                                <span class="presence" class:online=online data-testid="participant-presence">
                                    {label}
                                </span>
                                {(u.id != me).then(|| view! {
                                    <BlockToggle user=u.id test_id="member-block" class="link-button member-block"/>
                                })}
                            </li>
                        }
                    }
                />
            </ul>
            {more}
        </Modal>
    }
}
