//! The few browser calls the window makes, in one place. On the server they
//! do nothing (or what the server can do), so components call them freely.

/// A fresh client-made message id (see `parse_client_id`).
pub fn new_client_id() -> String {
    #[cfg(feature = "hydrate")]
    {
        let now = js_sys::Date::now() as u64;
        let a = (js_sys::Math::random() * 4_294_967_296.0) as u64;
        let b = (js_sys::Math::random() * 4_294_967_296.0) as u64;
        format!("{now:x}-{a:08x}{b:08x}")
    }
    #[cfg(not(feature = "hydrate"))]
    {
        #[cfg(feature = "ssr")]
        {
            uuid::Uuid::new_v4().to_string()
        }
        #[cfg(not(feature = "ssr"))]
        {
            String::new()
        }
    }
}

/// The browser's clock (Unix ms), which relative labels follow (see
/// `chat::clock`); `None` on the server, which uses its own.
pub fn clock_ms() -> Option<i64> {
    #[cfg(feature = "hydrate")]
    {
        Some(js_sys::Date::now() as i64)
    }
    #[cfg(not(feature = "hydrate"))]
    None
}

/// The browser's IANA time zone, e.g. "Europe/Berlin".
pub fn browser_time_zone() -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        let options =
            js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new())
                .resolved_options();
        js_sys::Reflect::get(&options, &"timeZone".into())
            .ok()?
            .as_string()
    }
    #[cfg(not(feature = "hydrate"))]
    None
}

/// Stores the zone where the server reads it (`tz` cookie, a year).
pub fn remember_time_zone(_tz: &str) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(doc) = leptos::prelude::document().dyn_ref::<web_sys::HtmlDocument>() {
            let _ = doc.set_cookie(&format!("tz={_tz}; path=/; max-age=31536000; samesite=lax"));
        }
    }
}

/// Scrolls the message list (laid out bottom-up, id `messages`) to its
/// newest message.
pub fn scroll_to_newest() {
    #[cfg(feature = "hydrate")]
    if let Some(el) = leptos::prelude::document().get_element_by_id("messages") {
        el.set_scroll_top(0);
    }
}

/// Runs `f` once `el` is in the document (checked each animation frame,
/// for up to about a second): a view built for a `<Transition>` or an
/// overlay exists before it is attached, and focus or scrolling on a
/// detached element does nothing.
pub fn when_attached(
    _el: leptos::web_sys::Element,
    _f: impl FnOnce(&leptos::web_sys::Element) + 'static,
) {
    #[cfg(feature = "hydrate")]
    {
        fn attempt(
            el: leptos::web_sys::Element,
            f: Box<dyn FnOnce(&leptos::web_sys::Element)>,
            left: u32,
        ) {
            if el.is_connected() {
                f(&el);
            } else if left > 0 {
                leptos::prelude::request_animation_frame(move || attempt(el, f, left - 1));
            }
        }
        attempt(_el, Box::new(_f), 60);
    }
}

/// Scrolls the element with `id` inside `root` to the top of its list
/// (the first unread message).
pub fn scroll_into_view(_root: leptos::web_sys::Element, _id: &'static str) {
    when_attached(_root, move |_root| {
        #[cfg(feature = "hydrate")]
        if let Ok(Some(el)) = _root.query_selector(&format!("#{_id}")) {
            let opts = web_sys::ScrollIntoViewOptions::new();
            opts.set_block(web_sys::ScrollLogicalPosition::Start);
            el.scroll_into_view_with_scroll_into_view_options(&opts);
        }
    });
}

/// Whether a bottom-up list is scrolled to (near) its oldest loaded end.
pub fn near_oldest(_el: &leptos::web_sys::Element) -> bool {
    #[cfg(feature = "hydrate")]
    {
        // In a column-reverse list scrollTop is 0 at the bottom and goes
        // negative upwards.
        let travelled = -f64::from(_el.scroll_top());
        let room = f64::from(_el.scroll_height() - _el.client_height());
        room - travelled < 300.0
    }
    #[cfg(not(feature = "hydrate"))]
    false
}

/// The element that had focus, to give it back when an overlay closes.
pub fn focused() -> Option<leptos::web_sys::HtmlElement> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        leptos::prelude::document()
            .active_element()?
            .dyn_into::<leptos::web_sys::HtmlElement>()
            .ok()
    }
    #[cfg(not(feature = "hydrate"))]
    None
}

/// Focuses the first focusable element inside `root` (an overlay), once
/// the overlay is in the document.
pub fn focus_first(_root: leptos::web_sys::Element) {
    when_attached(_root, |_root| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let selector =
                "[autofocus], input:not([type=hidden]), textarea, button:not([disabled]), a[href]";
            if let Ok(Some(el)) = _root.query_selector(selector) {
                if let Ok(el) = el.dyn_into::<leptos::web_sys::HtmlElement>() {
                    let _ = el.focus();
                }
            }
        }
    });
}

/// The site's origin ("https://parley.example"), for absolute links; empty
/// on the server (links written there are relative).
pub fn origin() -> String {
    #[cfg(feature = "hydrate")]
    {
        leptos::prelude::window()
            .location()
            .origin()
            .unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    String::new()
}

/// Puts `text` on the clipboard, then calls `done` with whether it did:
/// `false` at once where there is no clipboard API (a page not served
/// over HTTPS, an old browser), or when the browser refuses.
pub fn copy_text(_text: &str, done: impl FnOnce(bool) + 'static) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::{closure::Closure, JsCast, JsValue};
        // Looked up by name: `navigator.clipboard` is missing outside
        // secure contexts, and the bindings would assume it is there.
        let get = |on: &JsValue, key: &str| js_sys::Reflect::get(on, &JsValue::from_str(key)).ok();
        let window: JsValue = leptos::prelude::window().into();
        let clipboard = get(&window, "navigator")
            .and_then(|n| get(&n, "clipboard"))
            .filter(|c| !c.is_undefined() && !c.is_null());
        let write = clipboard.as_ref().and_then(|c| {
            let f = get(c, "writeText")?.dyn_into::<js_sys::Function>().ok()?;
            f.call1(c, &JsValue::from_str(_text))
                .ok()?
                .dyn_into::<js_sys::Promise>()
                .ok()
        });
        let Some(promise) = write else {
            done(false);
            return;
        };
        // One of the two runs; each frees itself when it does (the other
        // is a few bytes, once per click).
        let done = std::rc::Rc::new(std::cell::Cell::new(Some(done)));
        let again = done.clone();
        let ok = Closure::once_into_js(move |_: JsValue| {
            if let Some(f) = done.take() {
                f(true);
            }
        });
        let refused = Closure::once_into_js(move |_: JsValue| {
            if let Some(f) = again.take() {
                f(false);
            }
        });
        let then = get(&promise, "then").and_then(|t| t.dyn_into::<js_sys::Function>().ok());
        if let Some(then) = then {
            let _ = then.call2(&promise, &ok, &refused);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    done(false);
}
