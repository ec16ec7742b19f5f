//! Block / Unblock for one person (F21), wherever the window offers it: a
//! direct chat's header, the members of a group or room, a message's
//! toolbar. Each is a plain form posting `user` and `next` (this page),
//! so it works with JavaScript off; hydrated, the server's `blocked`
//! frame updates the block list of every open tab, and the button (and
//! the messages it collapses) follow it.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use super::live::use_live;
use crate::api::blocks::{BlockUser, UnblockUser};
use crate::domain::moderation::{block_label, is_blocked};

/// Whether the viewer blocks `user`, tracked: the live block list once
/// the browser has it, else `fallback` (what the server's page said).
pub fn blocks_signal(user: i64, fallback: bool) -> Signal<bool> {
    let live = use_live();
    Signal::derive(move || {
        live.blocked
            .with(|b| is_blocked(b.as_deref(), user, fallback))
    })
}

/// The Block or Unblock button for `user`.
#[component]
pub fn BlockToggle(
    user: i64,
    /// `data-testid` of the button.
    test_id: &'static str,
    /// Whether the server's page says the viewer blocks them (until the
    /// browser knows its block list).
    #[prop(optional)]
    fallback: bool,
    #[prop(default = "button-secondary")] class: &'static str,
) -> impl IntoView {
    let blocked = blocks_signal(user, fallback);
    let next = StoredValue::new(use_location().pathname.get_untracked());
    let block = ServerAction::<BlockUser>::new();
    let unblock = ServerAction::<UnblockUser>::new();
    let error = move || {
        let e = block.value().get().and_then(Result::err);
        e.or_else(|| unblock.value().get().and_then(Result::err))
            .map(|e| e.to_string())
    };
    let fields = move || {
        view! {
            <input type="hidden" name="user" value=user.to_string()/>
            <input type="hidden" name="next" value=next.get_value()/>
            <button type="submit" class=class data-testid=test_id>{move || block_label(blocked.get())}</button>
        }
    };
    view! {
        {move || {
            if blocked.get() {
                view! { <ActionForm action=unblock attr:class="block-form">{fields()}</ActionForm> }.into_any()
            } else {
                view! { <ActionForm action=block attr:class="block-form">{fields()}</ActionForm> }.into_any()
            }
        }}
        {move || error().map(|e| view! { <span class="field-error block-error" role="alert">{e}</span> })}
    }
}
