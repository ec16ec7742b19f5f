//! `/settings` (F21): the people you block, each with Unblock, in the chat
//! window in place of the thread. Logged out: to the login page.

use leptos::prelude::*;

use crate::{
    api::{
        auth::CurrentUser,
        blocks::{blocked_users, UnblockUser},
    },
    chat::{ChatData, ChatWindow, Pane},
    components::RequireUser,
};

/// The list is read again after an Unblock here and whenever the block
/// list changes in another tab (a `blocked` frame).
#[component]
pub fn SettingsPage() -> impl IntoView {
    let data = ChatData::for_pane();
    let unblock = ServerAction::<UnblockUser>::new();
    let changed = block_list_changes(data.live.blocked);
    let blocked = Resource::new(
        move || (changed.get(), unblock.version().get()),
        |_| blocked_users(),
    );
    let pane = Pane::Settings { blocked, unblock };
    view! { <RequireUser children=move |user: CurrentUser| view! { <ChatWindow user data pane/> }/> }
}

/// Counts the changes of the live block list after the first one the
/// browser learns (that one is what the server's page already showed).
fn block_list_changes(blocked: RwSignal<Option<Vec<i64>>>) -> RwSignal<u64> {
    let changes = RwSignal::new(0);
    Effect::new(move |seen: Option<Option<Vec<i64>>>| {
        let now = blocked.get();
        if let (Some(Some(before)), Some(now)) = (&seen, &now) {
            if before != now {
                changes.update(|n| *n += 1);
            }
        }
        now.or(seen.flatten())
    });
    changes
}
