//! The login and registration pages. Both are `<ActionForm>`s over server
//! functions, so they work as plain HTML forms before hydration or with
//! JavaScript off, and without a page reload after hydration.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::{Redirect, A},
    hooks::use_query_map,
};

use crate::{
    api::auth::{get_current_user, Login, Register},
    components::Field,
    domain::{safe_next_path, with_next},
    error::AppError,
};

/// The validated `next=` of the current URL.
fn use_next() -> Memo<String> {
    let query = use_query_map();
    Memo::new(move |_| safe_next_path(query.read().get("next").as_deref()))
}

/// Logged-in visitors of the login or register page go where they wanted.
#[component]
fn AlreadyLoggedIn(next: Memo<String>) -> impl IntoView {
    let user = Resource::new(|| (), |_| get_current_user());
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                matches!(user.await, Ok(Some(_)))
                    .then(|| view! { <Redirect path=next.get_untracked()/> })
            })}
        </Suspense>
    }
}

/// The error of the action's last run, if it failed.
fn last_error<A>(action: ServerAction<A>) -> Signal<Option<AppError>>
where
    A: leptos::server_fn::ServerFn<Output = (), Error = AppError> + Clone + Send + Sync + 'static,
{
    Signal::derive(move || action.value().get().and_then(Result::err))
}

fn field_error(error: Signal<Option<AppError>>, field: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || error.get().and_then(|e| e.for_field(field)))
}

fn general_error(error: Signal<Option<AppError>>) -> impl Fn() -> Option<String> {
    move || error.get().and_then(|e| e.general())
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let action = ServerAction::<Login>::new();
    let value = last_error(action);
    let next = use_next();
    view! {
        <Title text="Log in · Parley"/>
        <AlreadyLoggedIn next/>
        <main class="auth-page">
            <div class="auth-card">
                <h1>"Log in to Parley"</h1>
                <ActionForm action=action attr:class="auth-form">
                    <input type="hidden" name="next" value=move || next.get()/>
                    // Login answers with one message for every failure (see
                    // BAD_CREDENTIALS), so its fields carry no errors.
                    <Field label="Username" name="username" autocomplete="username"/>
                    <Field label="Password" name="password" kind="password"
                        autocomplete="current-password"/>
                    <p class="form-error" role="alert" data-testid="form-error">
                        {general_error(value)}
                    </p>
                    <button type="submit" class="button-primary" disabled=move || action.pending().get()>
                        "Log in"
                    </button>
                </ActionForm>
                <p class="auth-switch">
                    "New to Parley? "
                    <A href=move || with_next("/register", &next.get())>"Create an account"</A>
                </p>
            </div>
        </main>
    }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let action = ServerAction::<Register>::new();
    let value = last_error(action);
    let next = use_next();
    view! {
        <Title text="Create an account · Parley"/>
        <AlreadyLoggedIn next/>
        <main class="auth-page">
            <div class="auth-card">
                <h1>"Create your Parley account"</h1>
                <ActionForm action=action attr:class="auth-form">
                    <input type="hidden" name="next" value=move || next.get()/>
                    <Field label="Username" name="username" autocomplete="username"
                        error=field_error(value, "username")/>
                    <p class="field-hint">"3–20 characters: letters, digits, _ and -"</p>
                    <Field label="Password" name="password" kind="password"
                        autocomplete="new-password" error=field_error(value, "password")/>
                    <p class="field-hint">"At least 8 characters"</p>
                    <p class="form-error" role="alert" data-testid="form-error">
                        {general_error(value)}
                    </p>
                    <button type="submit" class="button-primary" disabled=move || action.pending().get()>
                        "Create account"
                    </button>
                </ActionForm>
                <p class="auth-switch">
                    "Already have an account? "
                    <A href=move || with_next("/login", &next.get())>"Log in"</A>
                </p>
            </div>
        </main>
    }
}
