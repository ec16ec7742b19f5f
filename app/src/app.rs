use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

use crate::pages::{
    ChatPage, HomePage, LoginPage, ModerationPage, NotFound, RegisterPage, ResolvedPage,
    RoomLinkPage, RoomsPage, SettingsPage,
};

/// The HTML document around [`App`], rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The root component. Every route renders with `SsrMode::Async`: the whole
/// page, data included, is in the first HTML response, so Parley works
/// before the wasm arrives and with JavaScript off.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    mark_hydrated();

    view! {
        <Stylesheet id="leptos" href="/pkg/parley.css"/>
        // The one formatter: every `<Title text=…>` below goes through it
        // (leptos_meta applies the last formatter pushed; set no other).
        <Title formatter=title_for_head text="Parley"/>
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/") view=HomePage ssr=SsrMode::Async/>
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                <Route path=path!("/register") view=RegisterPage ssr=SsrMode::Async/>
                // One route for the list and for a thread, so the window
                // (and an open overlay) stays mounted when a chat opens.
                <Route path=path!("/chat/:thread?") view=ChatPage ssr=SsrMode::Async/>
                <Route path=path!("/rooms") view=RoomsPage ssr=SsrMode::Async/>
                // A room's share link: its join card, or on into the room.
                <Route path=path!("/rooms/:id") view=RoomLinkPage ssr=SsrMode::Async/>
                // Moderators only (F21): everyone else gets `NotFound`.
                <Route path=path!("/moderation") view=ModerationPage ssr=SsrMode::Async/>
                <Route path=path!("/moderation/resolved") view=ResolvedPage ssr=SsrMode::Async/>
                <Route path=path!("/settings") view=SettingsPage ssr=SsrMode::Async/>
            </Routes>
        </Router>
    }
}

/// What a page title becomes before leptos_meta writes it.
///
/// On the server, leptos_meta 0.8.7 puts the title into the HTML's
/// `<head>` as it is (`ServerMetaContextOutput::inject_meta_context` pushes
/// the text between `<title>` and `</title>` unescaped: an upstream bug,
/// unlike tachys, which escapes every text node), so a group named
/// `</title><img src=x onerror=…>` became an element in every member's
/// page. The title is escaped here, in the one place all titles pass. In
/// the browser the same text is assigned to `document.title`, a plain
/// string, so it stays as it is.
fn title_for_head(text: String) -> String {
    if cfg!(feature = "ssr") {
        crate::domain::escape_html_text(&text)
    } else {
        text
    }
}

/// Marks `<body data-hydrated="true">` once the wasm has taken over, so
/// tests (and curious users) can tell a live page from server HTML.
fn mark_hydrated() {
    #[cfg(feature = "hydrate")]
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}
