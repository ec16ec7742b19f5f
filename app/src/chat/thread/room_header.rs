//! What a room's header adds (F13): its topic, how many members it has
//! (which opens the participants panel), "Copy link" for its share link,
//! and Leave (not in the home room, which nobody can leave).

use leptos::{html, prelude::*};

use super::{use_thread, MessageAction};
use crate::api::rooms::LeaveRoom;
use crate::chat::browser;
use crate::domain::room::{members_label, share_link};
use crate::model::HOME_ROOM;

/// The header's right-hand side in a room.
#[component]
pub fn RoomActions(id: String) -> impl IntoView {
    let thread = use_thread();
    let count = move || thread.participants.with(|p| members_label(p.count));
    let home = id == HOME_ROOM;
    view! {
        <div class="room-head-actions">
            <button
                type="button"
                class="button-secondary members-button"
                data-testid="room-members"
                on:click=move |_| thread.action.set(Some(MessageAction::Members))
            >
                {count}
            </button>
            <CopyLink id=id.clone()/>
            {(!home).then(|| view! { <LeaveRoomForm id=id.clone()/> })}
        </div>
    }
}

/// What the last "Copy link" did.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Copied {
    Yes,
    /// The clipboard was not available (or refused): the link is shown
    /// selected, for the reader to copy themselves.
    ByHand(String),
}

/// "Copy link": copies `<origin>/rooms/<id>`. It is a plain link to the
/// share page, so without JavaScript it still leads to the link.
#[component]
fn CopyLink(id: String) -> impl IntoView {
    let copied = RwSignal::new(None::<Copied>);
    let path = format!("/rooms/{id}");
    let on_click = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        let link = share_link(&browser::origin(), &id);
        let shown = link.clone();
        browser::copy_text(&link, move |ok| {
            copied.try_set(Some(if ok {
                Copied::Yes
            } else {
                Copied::ByHand(shown)
            }));
        });
    };
    view! {
        <a class="button-secondary copy-link" href=path data-testid="copy-link" on:click=on_click>
            "Copy link"
        </a>
        <span class="copy-status" role="status" aria-live="polite">
            {move || match copied.get() {
                Some(Copied::Yes) => view! { <span data-testid="link-copied">"Link copied"</span> }.into_any(),
                Some(Copied::ByHand(link)) => view! { <ShareLinkField link/> }.into_any(),
                None => ().into_any(),
            }}
        </span>
    }
}

/// The share link in a field, selected, when it could not be copied.
#[component]
fn ShareLinkField(link: String) -> impl IntoView {
    let field = NodeRef::<html::Input>::new();
    Effect::new(move |_| {
        if let Some(el) = field.get() {
            browser::when_attached(el.clone().into(), move |_| {
                let _ = el.focus();
                el.select();
            });
        }
    });
    view! {
        <input
            class="input share-link"
            readonly
            aria-label="Share link"
            data-testid="share-link"
            node_ref=field
            value=link
        />
    }
}

/// Leave: a plain form post (redirected to /rooms) that works without
/// JavaScript; with it, the router follows the redirect in place.
#[component]
fn LeaveRoomForm(id: String) -> impl IntoView {
    let leave = ServerAction::<LeaveRoom>::new();
    let error = move || {
        leave
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    };
    view! {
        <ActionForm action=leave attr:class="leave-room-form">
            <input type="hidden" name="room" value=id/>
            <button type="submit" class="button-secondary button-danger" data-testid="leave-room">
                "Leave"
            </button>
        </ActionForm>
        {move || error().map(|e| view! { <p class="field-error room-head-error" role="alert">{e}</p> })}
    }
}
