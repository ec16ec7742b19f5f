use leptos::prelude::*;

use super::avatar::{Avatar, BotBadge};
use crate::api::threads::search_users;
use crate::model::UserCard;

/// Type a name, tick people (F8). Used by New Chat and by "Add people".
/// Results of an older query never overwrite a newer one.
#[component]
pub fn UserPicker(
    selected: RwSignal<Vec<UserCard>>,
    /// People who cannot be picked (already members).
    #[prop(optional, into)]
    exclude: Signal<Vec<i64>>,
) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let results = RwSignal::new(Vec::<UserCard>::new());
    let error = RwSignal::new(None::<String>);
    let latest = StoredValue::new(0u64);

    let search = move |text: String| {
        query.set(text.clone());
        let ticket = latest.get_value() + 1;
        latest.set_value(ticket);
        if text.trim().is_empty() {
            results.set(Vec::new());
            return;
        }
        leptos::task::spawn_local(async move {
            let found = search_users(text).await;
            if latest.get_value() != ticket {
                return;
            }
            match found {
                Ok(users) => {
                    error.set(None);
                    results.set(users);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let toggle = move |user: UserCard| {
        selected.update(|s| {
            if let Some(i) = s.iter().position(|u| u.id == user.id) {
                s.remove(i);
            } else {
                s.push(user);
            }
        });
    };
    let visible = move || {
        let excluded = exclude.get();
        results
            .get()
            .into_iter()
            .filter(|u| !excluded.contains(&u.id))
            .collect::<Vec<_>>()
    };

    view! {
        <div class="user-picker">
            <div class="picked" aria-live="polite">
                <For
                    each=move || selected.get()
                    key=|u| u.id
                    children=move |u: UserCard| {
                        let again = u.clone();
                        view! {
                            <button
                                type="button"
                                class="chip"
                                title="Remove"
                                on:click=move |_| toggle(again.clone())
                            >
                                {u.username.clone()}
                                " ✕"
                            </button>
                        }
                    }
                />
            </div>
            <input
                type="search"
                class="input"
                placeholder="Type a username"
                aria-label="Search users"
                autocomplete="off"
                autofocus
                prop:value=move || query.get()
                on:input=move |ev| search(event_target_value(&ev))
            />
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
            <ul class="user-results" role="listbox" aria-multiselectable="true">
                {move || {
                    let list = visible();
                    if list.is_empty() && !query.get().trim().is_empty() {
                        return view! { <li class="muted">"No matching users"</li> }.into_any();
                    }
                    list.into_iter()
                        .map(|u| {
                            let id = u.id;
                            let ticked = move || selected.with(|s| s.iter().any(|x| x.id == id));
                            let for_toggle = u.clone();
                            view! {
                                <li role="option" aria-selected=move || ticked().to_string()>
                                    <label class="user-row">
                                        <input
                                            type="checkbox"
                                            prop:checked=ticked
                                            on:change=move |_| toggle(for_toggle.clone())
                                        />
                                        <Avatar name=u.username.clone() url=u.avatar_url.clone() size="sm"/>
                                        <span class="user-name">{u.username.clone()}</span>
                                        {u.bot.then(|| view! { <BotBadge/> })}
                                        <span class="muted">{format!("{} karma", u.karma)}</span>
                                    </label>
                                </li>
                            }
                        })
                        .collect_view()
                        .into_any()
                }}
            </ul>
        </div>
    }
}
