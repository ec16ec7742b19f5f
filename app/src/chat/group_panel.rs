//! The group panel (F12): rename, add people, remove (owner), leave, and
//! Block / Unblock a member (F21).

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::{
    avatar::{Avatar, BotBadge},
    block::BlockToggle,
    context::use_chat,
    live::use_live,
    modal::Modal,
    thread::{member_ids, use_thread},
    user_picker::UserPicker,
};
use crate::api::groups::{add_members, leave_thread, remove_member, rename_group};
use crate::domain::live::presence_label;
use crate::error::AppError;
use crate::model::{Member, MemberRole, UserCard};

#[component]
pub fn GroupPanel(members: Vec<Member>, title: String, my_role: MemberRole) -> impl IntoView {
    let chat = use_chat();
    let thread = use_thread();
    let navigate = use_navigate();
    let me = chat.me();
    let title = RwSignal::new(title);
    let to_add = RwSignal::new(Vec::<UserCard>::new());
    let error = RwSignal::new(None::<String>);
    let existing = Signal::stored(member_ids(&members));
    let live = use_live();
    let close = move || thread.action.set(None);

    // After any change: close, and load the thread and the list again.
    let finish = move |result: Result<(), AppError>| match result {
        Ok(()) => {
            thread.action.set(None);
            chat.refresh_nav();
            chat.refresh_thread();
        }
        Err(e) => error.set(Some(e.for_field("title").unwrap_or_else(|| e.to_string()))),
    };
    let rename = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (id, t) = (thread.id.get_value(), title.get());
        leptos::task::spawn_local(async move { finish(rename_group(id, t).await) });
    };
    let add = move |_| {
        let names: Vec<String> = to_add.get().into_iter().map(|u| u.username).collect();
        let id = thread.id.get_value();
        leptos::task::spawn_local(async move { finish(add_members(id, names).await) });
    };
    let remove = move |name: String| {
        let id = thread.id.get_value();
        leptos::task::spawn_local(async move { finish(remove_member(id, name).await) });
    };
    let leave = move |_| {
        let id = thread.id.get_value();
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match leave_thread(id).await {
                Ok(()) => {
                    thread.action.set(None);
                    chat.refresh_nav();
                    navigate("/chat", Default::default());
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };

    view! {
        <Modal title="Group settings" on_close=move |_| close() test_id="group-panel">
            <form class="rename-form" on:submit=rename>
                <label class="field-label" for="group-title">"Group name"</label>
                <div class="inline-form">
                    <input
                        id="group-title"
                        class="input"
                        // No `maxlength`: it counts UTF-16 units and would
                        // refuse 80 emoji, which the server accepts; the
                        // server's answer says when a name is too long.
                        placeholder="Name this group"
                        prop:value=move || title.get()
                        on:input=move |ev| title.set(event_target_value(&ev))
                    />
                    <button type="submit" class="button">"Rename"</button>
                </div>
            </form>
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
            <h3 class="panel-heading">{format!("Members ({})", members.len())}</h3>
            <ul class="member-list" data-testid="member-list">
                {members
                    .iter()
                    .map(|m| {
                        let name = m.user.username.clone();
                        let can_remove = my_role == MemberRole::Owner && m.user.id != me;
                        let (uid, fallback) = (m.user.id, (m.user.online, m.user.last_active_ms));
                        let presence = move || {
                            let (online, at) = live.presence_of(uid, fallback);
                            let label = presence_label(online || uid == me, at, live.now_ms.get() as i64);
                            view! {
                                <span class="presence" class:online=online || uid == me data-testid="member-presence">
                                    {label}
                                </span>
                            }
                        };
                        view! {
                            <li class="member-row">
                                <Avatar name=name.clone() url=m.user.avatar_url.clone() size="sm"/>
                                <span class="user-name">{name.clone()}</span>
                                {m.user.bot.then(|| view! { <BotBadge/> })}
                                {presence}
                                {(m.role == MemberRole::Owner).then(|| view! { <span class="muted">"owner"</span> })}
                                {(uid != me).then(|| view! {
                                    <BlockToggle user=uid test_id="member-block" class="link-button member-block"/>
                                })}
                                {can_remove.then(|| {
                                    let name = name.clone();
                                    view! {
                                        <button
                                            type="button"
                                            class="link-button"
                                            aria-label=format!("Remove {name}")
                                            on:click=move |_| remove(name.clone())
                                        >
                                            "Remove"
                                        </button>
                                    }
                                })}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
            <h3 class="panel-heading">"Add people"</h3>
            <UserPicker selected=to_add exclude=existing/>
            <div class="modal-actions">
                <button type="button" class="button-secondary button-danger" on:click=leave>
                    "Leave group"
                </button>
                <button
                    type="button"
                    class="button"
                    disabled=move || to_add.with(Vec::is_empty)
                    on:click=add
                >
                    "Add"
                </button>
            </div>
        </Modal>
    }
}
