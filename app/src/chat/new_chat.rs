//! The Welcome, New Chat and Invite overlays (F8, F9).

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::{
    browser,
    context::{use_chat, Overlay},
    live::use_live,
    modal::Modal,
    user_picker::UserPicker,
};
use crate::api::{messages::send_message, threads::start_chat};
use crate::domain::can_send;
use crate::model::{ThreadKind, UserCard};

/// Opens the New Chat overlay (F8): in the list, the welcome and the empty
/// pane alike.
#[component]
pub fn NewChatButton(label: &'static str, #[prop(optional)] class: &'static str) -> impl IntoView {
    let chat = use_chat();
    view! {
        <button
            type="button"
            class=format!("button {class}")
            on:click=move |_| chat.overlay.set(Some(Overlay::NewChat))
        >
            {label}
        </button>
    }
}

/// Shown to someone with no chats yet (F9).
#[component]
pub fn WelcomeOverlay() -> impl IntoView {
    let chat = use_chat();
    view! {
        <Modal title="Welcome to chat!" on_close=move |_| chat.overlay.set(None) test_id="welcome">
            <p>"Start a direct or group chat with other users."</p>
            <div class="modal-actions">
                <NewChatButton label="Start new chat"/>
            </div>
        </Modal>
    }
}

/// Pick people, then "Start chat": one person opens (or creates) your
/// direct chat with them, several make a group (F8).
#[component]
pub fn NewChatOverlay() -> impl IntoView {
    let chat = use_chat();
    let navigate = use_navigate();
    let selected = RwSignal::new(Vec::<UserCard>::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let start = move |_| {
        let names: Vec<String> = selected.get().into_iter().map(|u| u.username).collect();
        if names.is_empty() || busy.get() {
            return;
        }
        busy.set(true);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let one = (names.len() == 1).then(|| names[0].clone());
            match start_chat(names).await {
                Ok(started) => {
                    chat.refresh_nav();
                    navigate(&format!("/chat/{}", started.id), Default::default());
                    let invite = started.created && started.kind == ThreadKind::Direct;
                    chat.overlay.set(match (invite, one) {
                        (true, Some(name)) => Some(Overlay::Invite {
                            thread: started.id,
                            name,
                        }),
                        _ => None,
                    });
                }
                Err(e) => {
                    busy.set(false);
                    error.set(Some(e.to_string()));
                }
            }
        });
    };

    view! {
        <Modal title="New Chat" on_close=move |_| chat.overlay.set(None) test_id="new-chat">
            <UserPicker selected/>
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
            <div class="modal-actions">
                <button
                    type="button"
                    class="button-secondary"
                    on:click=move |_| chat.overlay.set(None)
                >
                    "Cancel"
                </button>
                <button
                    type="button"
                    class="button"
                    disabled=move || selected.with(Vec::is_empty) || busy.get()
                    on:click=start
                >
                    "Start chat"
                </button>
            </div>
        </Modal>
    }
}

/// After a new direct chat is created: invite a first message.
#[component]
pub fn InviteOverlay(thread: String, name: String) -> impl IntoView {
    let chat = use_chat();
    let live = use_live();
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let client_id = browser::new_client_id();
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (thread, body, client_id) = (thread.clone(), text.get(), client_id.clone());
        if !can_send(&body) {
            return;
        }
        leptos::task::spawn_local(async move {
            match send_message(thread.clone(), body, client_id.clone()).await {
                Ok(sent) => {
                    chat.overlay.set(None);
                    chat.refresh_nav();
                    // Into the open thread as the composer's sends go: not
                    // by fetching the thread again, which would rebuild
                    // the pane (and its composer) under the user's typing.
                    live.show_own(&thread, sent, client_id);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let title = format!("Say hi to {name}");
    view! {
        <Modal title=title on_close=move |_| chat.overlay.set(None) test_id="invite">
            <form on:submit=send class="invite-form">
                <p>{format!("Send {name} a message to start your chat.")}</p>
                <textarea
                    class="input"
                    rows="3"
                    aria-label="First message"
                    autofocus
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                ></textarea>
                {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
                <div class="modal-actions">
                    <button type="submit" class="button" disabled=move || !can_send(&text.get())>
                        "Send invite"
                    </button>
                </div>
            </form>
        </Modal>
    }
}
