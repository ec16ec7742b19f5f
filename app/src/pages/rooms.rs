//! `/rooms` (F13): every public room, a filter box and "Create room". The
//! filter is a GET form (`?q=`) and creating is an `<ActionForm>`, so the
//! page works with JavaScript off; hydrated, the filter follows the typing.
//! A room's share link, `/rooms/<id>`, is in `rooms/join.rs`.

mod join;

pub use join::RoomLinkPage;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::{Form, A},
    hooks::{use_navigate, use_query_map},
    params::ParamsMap,
    NavigateOptions,
};

use crate::{
    api::{
        auth::CurrentUser,
        rooms::{list_rooms, CreateRoom},
    },
    components::{Field, RequireUser},
    domain::{
        room::members_label,
        room_input::{ROOM_NAME_MAX, ROOM_TOPIC_MAX},
    },
    error::AppError,
    model::RoomSummary,
};

/// The rooms list. Its resource is made here, outside `RequireUser`'s
/// suspense, so the server fetches it once per page.
#[component]
pub fn RoomsPage() -> impl IntoView {
    let query = use_query_map();
    let q = Memo::new(move |_| query.read().get("q").unwrap_or_default());
    let rooms = Resource::new(move || q.get(), |q| list_rooms(filter_arg(&q)));
    view! {
        <Title text="Rooms · Parley"/>
        <RequireUser children=move |_: CurrentUser| view! { <RoomsBody rooms q/> }/>
    }
}

#[component]
fn RoomsBody(
    rooms: Resource<Result<Vec<RoomSummary>, AppError>>,
    q: Memo<String>,
) -> impl IntoView {
    // Set once the page's own (suspended) content has hydrated, so a test
    // can tell the enhanced page from the server's HTML.
    let live = RwSignal::new(false);
    Effect::new(move |_| live.set(true));
    view! {
        <main class="rooms-page" data-live=move || live.get().to_string()>
            <header class="rooms-header">
                <A href="/chat" attr:class="rooms-back">"← Chats"</A>
                <h1>"Rooms"</h1>
            </header>
            <div class="rooms-columns">
                <section class="rooms-browse" aria-label="Public rooms">
                    <FilterBox q/>
                    <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                        {move || Suspend::new(async move {
                            match rooms.await {
                                Ok(list) if list.is_empty() => view! {
                                    <p class="rooms-empty muted" data-testid="rooms-empty">
                                        {empty_text(&q.get_untracked())}
                                    </p>
                                }
                                .into_any(),
                                Ok(list) => view! {
                                    <ul class="rooms-list" data-testid="rooms-list">
                                        {list.into_iter().map(|r| view! { <RoomRow r/> }).collect_view()}
                                    </ul>
                                }
                                .into_any(),
                                Err(e) => view! { <p class="page-error" role="alert">{e.to_string()}</p> }
                                    .into_any(),
                            }
                        })}
                    </Transition>
                </section>
                <CreateRoomForm/>
            </div>
        </main>
    }
}

/// A plain GET form (Enter or "Filter" submits it, scripts or not); once
/// hydrated, each keystroke replaces the URL's `?q=` as well, which
/// refetches the list.
#[component]
fn FilterBox(q: Memo<String>) -> impl IntoView {
    let navigate = use_navigate();
    let on_input = move |ev: leptos::ev::Event| {
        let href = filter_href(&event_target_value(&ev));
        navigate(
            &href,
            NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            },
        );
    };
    view! {
        <Form method="GET" action="/rooms" attr:class="rooms-filter" attr:role="search">
            <label for="rooms-q" class="visually-hidden">"Filter rooms"</label>
            <input
                id="rooms-q"
                class="input"
                type="search"
                name="q"
                placeholder="Filter rooms by name"
                autocomplete="off"
                value=move || q.get()
                on:input=on_input
            />
            <button type="submit" class="button-secondary">"Filter"</button>
        </Form>
    }
}

#[component]
fn RoomRow(r: RoomSummary) -> impl IntoView {
    let href = room_href(&r);
    view! {
        <li>
            <a href=href class="room-row" data-testid="room-row" data-room=r.id.clone()>
                <span class="avatar room-avatar" aria-hidden="true">"#"</span>
                <span class="room-text">
                    <span class="room-top">
                        <span class="room-name">{r.name}</span>
                        {r.joined.then(|| view! { <span class="room-joined" data-testid="room-joined">"Joined"</span> })}
                        <time class="room-when" title="Last activity">{r.last_active}</time>
                    </span>
                    {r.topic.map(|t| view! { <span class="room-topic">{t}</span> })}
                    <span class="room-members muted">{members_label(r.member_count)}</span>
                </span>
            </a>
        </li>
    }
}

/// "Create room": name and optional topic, each error shown by its field.
/// The server goes to the new room (`/chat/<id>`) on success.
#[component]
fn CreateRoomForm() -> impl IntoView {
    let action = ServerAction::<CreateRoom>::new();
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let field = move |name: &'static str| {
        Signal::derive(move || error.get().and_then(|e| e.for_field(name)))
    };
    let topic_error = field("topic");
    view! {
        <section class="create-room" aria-labelledby="create-room-heading">
            <h2 id="create-room-heading">"Create room"</h2>
            <ActionForm action=action attr:class="create-room-form" attr:data-testid="create-room">
                <Field label="Name" name="name" error=field("name")/>
                <p class="field-hint">{format!("1–{ROOM_NAME_MAX} characters")}</p>
                // Not `Field`: the topic may be left empty.
                <div class="field" class:has-error=move || topic_error.get().is_some()>
                    <label for="field-topic">"Topic (optional)"</label>
                    <input
                        id="field-topic"
                        name="topic"
                        type="text"
                        autocomplete="off"
                        aria-invalid=move || topic_error.get().is_some().to_string()
                        aria-describedby="field-topic-error"
                    />
                    <p class="field-error" id="field-topic-error" role="alert">{move || topic_error.get()}</p>
                </div>
                <p class="field-hint">{format!("Up to {ROOM_TOPIC_MAX} characters")}</p>
                <p class="form-error" role="alert" data-testid="form-error">
                    {move || error.get().and_then(|e| e.general())}
                </p>
                <button type="submit" class="button-primary" disabled=move || action.pending().get()>
                    "Create room"
                </button>
            </ActionForm>
        </section>
    }
}

/// The filter as `list_rooms` takes it: none when blank.
fn filter_arg(q: &str) -> Option<String> {
    let q = q.trim();
    (!q.is_empty()).then(|| q.to_owned())
}

/// The rooms page filtered by `q` (plain `/rooms` when blank).
fn filter_href(q: &str) -> String {
    let mut params = ParamsMap::new();
    if !q.trim().is_empty() {
        params.insert("q", q.to_owned());
    }
    format!("/rooms{}", params.to_query_string())
}

/// Where a room of the list leads: a room one is in opens in the chat
/// window; any other shows its join card first.
fn room_href(r: &RoomSummary) -> String {
    if r.joined {
        format!("/chat/{}", r.id)
    } else {
        format!("/rooms/{}", r.id)
    }
}

fn empty_text(q: &str) -> String {
    match filter_arg(q) {
        Some(q) => format!("No room's name contains “{q}”."),
        None => "No public rooms yet: create the first.".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn room(joined: bool) -> RoomSummary {
        RoomSummary {
            id: "5f0c1b2a-0000-4000-8000-000000000001".into(),
            name: "Otters".into(),
            topic: None,
            member_count: 2,
            last_active: "3:04 PM".into(),
            joined,
            home: false,
        }
    }

    #[test]
    fn a_joined_room_opens_in_the_chat_window_and_another_shows_its_card() {
        assert_eq!(
            room_href(&room(true)),
            "/chat/5f0c1b2a-0000-4000-8000-000000000001"
        );
        assert_eq!(
            room_href(&room(false)),
            "/rooms/5f0c1b2a-0000-4000-8000-000000000001"
        );
    }

    #[test]
    fn the_filter_goes_in_the_query_encoded_and_blank_is_none() {
        assert_eq!(filter_href(""), "/rooms");
        assert_eq!(filter_href("   "), "/rooms");
        assert_eq!(filter_href("otter"), "/rooms?q=otter");
        let href = filter_href("a&b=c #d");
        assert!(href.starts_with("/rooms?q="), "{href}");
        assert!(
            !href["/rooms?q=".len()..].contains(['&', '=', ' ', '#']),
            "{href}"
        );
        assert_eq!(filter_arg("  otter "), Some("otter".into()));
        assert_eq!(filter_arg(" "), None);
    }

    #[test]
    fn the_empty_list_says_why() {
        assert!(empty_text("").contains("create the first"));
        assert!(empty_text(" ott ").contains("“ott”"));
    }
}
