//! `/moderation` (the queue) and `/moderation/resolved` (the decisions),
//! for moderators only (F21): both show in the chat window in place of the
//! thread. Anyone else, logged out included, gets the ordinary not-found
//! page, as the server functions behind them answer not-found.

use leptos::prelude::*;

use crate::{
    api::{
        auth::CurrentUser,
        moderation::{moderation_queue, resolved_reports, DecideReport},
    },
    chat::{ChatData, ChatWindow, Pane},
    components::RequireUser,
    pages::NotFound,
};

/// The queue. It is read again after each decision taken here and on each
/// `reports` frame (a report filed or decided anywhere).
#[component]
pub fn ModerationPage() -> impl IntoView {
    let data = ChatData::for_pane();
    let revs = data.revs;
    let decide = ServerAction::<DecideReport>::new();
    let queue = Resource::new(
        move || (revs.moderation.get(), decide.version().get()),
        |_| moderation_queue(),
    );
    view! { <ModeratorsOnly data pane=Pane::Queue { queue, decide }/> }
}

/// The decisions, newest first; a new one (here or by another moderator)
/// arrives with a `reports` frame.
#[component]
pub fn ResolvedPage() -> impl IntoView {
    let data = ChatData::for_pane();
    let revs = data.revs;
    let decisions = Resource::new(move || revs.moderation.get(), |_| resolved_reports());
    view! { <ModeratorsOnly data pane=Pane::Resolved { decisions }/> }
}

/// The window with `pane` for a moderator; not found for anyone else.
#[component]
fn ModeratorsOnly(data: ChatData, pane: Pane) -> impl IntoView {
    view! {
        <RequireUser
            not_found=true
            children=move |user: CurrentUser| {
                if user.moderator {
                    view! { <ChatWindow user data pane/> }.into_any()
                } else {
                    view! { <NotFound/> }.into_any()
                }
            }
        />
    }
}
