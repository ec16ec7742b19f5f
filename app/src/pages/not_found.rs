use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <div class="centered-page">
            <h1>"Not found"</h1>
            <p>"There is nothing here."</p>
            <A href="/chat">"Back to your chats"</A>
        </div>
    }
}
