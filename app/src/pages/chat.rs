use leptos::prelude::*;

use crate::{
    api::auth::CurrentUser,
    chat::{ChatData, ChatWindow},
    components::RequireUser,
};

/// `/chat` and `/chat/<thread>`: the protected chat window. Its resources
/// are made here, outside `RequireUser`'s suspense, so the server creates
/// (and fetches) each once per page.
#[component]
pub fn ChatPage() -> impl IntoView {
    let data = ChatData::new();
    view! {
        <RequireUser children=move |user: CurrentUser| view! { <ChatWindow user data/> }/>
    }
}
