use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::api::auth::get_current_user;

/// `/`: the chat when logged in, the login form otherwise.
#[component]
pub fn HomePage() -> impl IntoView {
    let user = Resource::new(|| (), |_| get_current_user());
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                let to = match user.await {
                    Ok(Some(_)) => "/chat",
                    _ => "/login",
                };
                view! { <Redirect path=to/> }
            })}
        </Suspense>
    }
}
