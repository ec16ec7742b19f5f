//! The settings pane (`/settings`, F21): the people you block, each with
//! Unblock. A plain form per person, so it works with JavaScript off (the
//! server sends the browser back here); hydrated, the list is read again
//! in place.

use leptos::prelude::*;
use leptos_router::components::A;

use super::avatar::Avatar;
use crate::api::blocks::UnblockUser;
use crate::error::AppError;
use crate::model::BlockedUser;

#[component]
pub fn SettingsPane(
    blocked: Resource<Result<Vec<BlockedUser>, AppError>>,
    unblock: ServerAction<UnblockUser>,
) -> impl IntoView {
    let error = move || {
        unblock
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    };
    view! {
        <section class="side-pane settings-pane" aria-labelledby="settings-heading">
            <header class="pane-header">
                <A href="/chat" attr:class="back-link" attr:aria-label="Back to chats">"‹"</A>
                <h2 id="settings-heading" class="pane-title">"Settings"</h2>
            </header>
            <div class="pane-body">
                <section class="settings-section" aria-labelledby="blocked-heading">
                    <h3 id="blocked-heading" class="panel-heading">"Blocked people"</h3>
                    <p class="muted settings-hint">
                        "They cannot start a direct chat with you or send you direct messages, and their \
                         messages in shared groups and rooms are collapsed. They are not told."
                    </p>
                    {move || error().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                    <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                        {move || Suspend::new(async move {
                            match blocked.await {
                                Ok(list) if list.is_empty() => {
                                    view! {
                                        <p class="pane-empty muted" data-testid="blocked-empty">
                                            "You are not blocking anyone."
                                        </p>
                                    }
                                    .into_any()
                                }
                                Ok(list) => view! {
                                    <ul class="member-list blocked-list" data-testid="blocked-list">
                                        {list.into_iter().map(|u| view! { <BlockedRow u unblock/> }).collect_view()}
                                    </ul>
                                }
                                .into_any(),
                                Err(e) => view! { <p class="page-error" role="alert">{e.to_string()}</p> }.into_any(),
                            }
                        })}
                    </Transition>
                </section>
            </div>
        </section>
    }
}

#[component]
fn BlockedRow(u: BlockedUser, unblock: ServerAction<UnblockUser>) -> impl IntoView {
    view! {
        <li class="member-row" data-testid="blocked-user" data-user=u.id.to_string()>
            <Avatar name=u.username.clone() url=u.avatar_url size="sm"/>
            <span class="user-name">{u.username}</span>
            <span class="muted blocked-since">{format!("since {}", u.since)}</span>
            <ActionForm action=unblock attr:class="block-form">
                <input type="hidden" name="user" value=u.id.to_string()/>
                <input type="hidden" name="next" value="/settings"/>
                <button type="submit" class="button-secondary">
                    "Unblock"
                </button>
            </ActionForm>
        </li>
    }
}
