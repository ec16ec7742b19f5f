use leptos::prelude::*;
use leptos_router::{components::Redirect, hooks::use_location};

use crate::{
    api::auth::{get_current_user, CurrentUser},
    domain::login_url,
    pages::NotFound,
};

/// Renders `children` with the logged-in user, or redirects to
/// `/login?next=<this page>`. On the server the redirect is a real 302
/// (the route renders with `SsrMode::Async`, so headers are not yet sent).
/// With `not_found`, a logged-out visitor gets the ordinary not-found
/// page (404) instead: pages that do not exist for most people (the
/// moderators' queue) must not hint otherwise by asking to log in.
#[component]
pub fn RequireUser<F, V>(children: F, #[prop(optional)] not_found: bool) -> impl IntoView
where
    F: Fn(CurrentUser) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let user = Resource::new(|| (), |_| get_current_user());
    let location = use_location();
    let here = move || {
        let search = location.search.get_untracked();
        let path = location.pathname.get_untracked();
        if search.is_empty() {
            path
        } else if search.starts_with('?') {
            format!("{path}{search}")
        } else {
            format!("{path}?{search}")
        }
    };
    let children = std::sync::Arc::new(children);
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    match user.await {
                        Ok(Some(u)) => children(u).into_any(),
                        Ok(None) if not_found => view! { <NotFound/> }.into_any(),
                        Ok(None) => view! { <Redirect path=login_url(&here())/> }.into_any(),
                        Err(e) => view! { <p class="page-error" role="alert">{e.to_string()}</p> }
                            .into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
