use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::auth::{CurrentUser, Logout},
    components::RequireUser,
};

/// `/chat` and `/chat/<thread>`: the protected chat window.
#[component]
pub fn ChatPage() -> impl IntoView {
    view! {
        <RequireUser children=|user: CurrentUser| view! { <ChatWindow user/> }/>
    }
}

#[component]
fn ChatWindow(user: CurrentUser) -> impl IntoView {
    let logout = ServerAction::<Logout>::new();
    view! {
        <Title text="Chat · Parley"/>
        <div class="chat-shell">
            <header class="topbar">
                <span class="brand">"Parley"</span>
                <span class="whoami">
                    "Logged in as " <strong data-testid="current-user">{user.username}</strong>
                </span>
                <ActionForm action=logout>
                    <button type="submit" class="button-secondary">"Log out"</button>
                </ActionForm>
            </header>
            <section class="chat-empty">
                <h1>"Chat"</h1>
                <p>"Your conversations will appear here."</p>
            </section>
        </div>
    }
}
