use leptos::prelude::*;

use crate::{api::auth::CurrentUser, chat::ChatWindow, components::RequireUser};

/// `/chat` and `/chat/<thread>`: the protected chat window.
#[component]
pub fn ChatPage() -> impl IntoView {
    view! {
        <RequireUser children=|user: CurrentUser| view! { <ChatWindow user/> }/>
    }
}
