//! `/rooms/<id>`: a room's share link (F13). A member goes straight to the
//! room; anyone else logged in sees its join card (name, topic, member
//! count, Join) and nothing of its messages or members; an id that is not
//! a public room is the site's ordinary "Not found" (404), so a link never
//! tells a private chat's id from a random one.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::Redirect, hooks::use_params_map};

use crate::{
    api::{
        auth::CurrentUser,
        rooms::{room_card, JoinRoom},
    },
    components::RequireUser,
    domain::room::members_label,
    error::AppError,
    model::RoomSummary,
    pages::NotFound,
};

/// The share link's page. The card's resource is made here, outside
/// `RequireUser`'s suspense (a logged-out visitor is redirected to log in
/// before the card, which the server refuses them anyway, is shown).
#[component]
pub fn RoomLinkPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let card = Resource::new(move || id.get(), room_card);
    view! {
        <RequireUser children=move |_: CurrentUser| view! {
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match card.await {
                        // A member has nothing to join: on to the room (a
                        // real 302 on the server).
                        Ok(c) if c.joined => view! { <Redirect path=format!("/chat/{}", c.id)/> }.into_any(),
                        Ok(c) => view! { <JoinCard c/> }.into_any(),
                        Err(AppError::NotFound) => view! { <NotFound/> }.into_any(),
                        Err(e) => view! { <p class="page-error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        }/>
    }
}

/// What a visitor may know before joining, and the Join button (a plain
/// form without JavaScript; the server then goes to `/chat/<id>`).
#[component]
fn JoinCard(c: RoomSummary) -> impl IntoView {
    let action = ServerAction::<JoinRoom>::new();
    let error = move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    };
    view! {
        <Title text=format!("{} · Parley", c.name)/>
        <main class="auth-page">
            <section class="auth-card join-card" data-testid="join-card" aria-labelledby="join-card-name">
                <p class="join-kicker muted">"Public room"</p>
                <h1 id="join-card-name" data-testid="join-card-name">
                    <span class="room-mark" aria-hidden="true">"# "</span>
                    {c.name}
                </h1>
                {c.topic.map(|t| view! { <p class="join-topic" data-testid="join-card-topic">{t}</p> })}
                <p class="join-members muted" data-testid="join-card-members">{members_label(c.member_count)}</p>
                <ActionForm action=action attr:class="join-form">
                    <input type="hidden" name="room" value=c.id/>
                    <p class="form-error" role="alert" data-testid="form-error">{error}</p>
                    <button type="submit" class="button-primary" disabled=move || action.pending().get()>
                        "Join"
                    </button>
                </ActionForm>
                <p class="auth-switch"><a href="/rooms">"All rooms"</a></p>
            </section>
        </main>
    }
}
