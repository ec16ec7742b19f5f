//! The composer (F10): grows with its text to four lines then scrolls
//! (CSS `field-sizing`, so it works before the wasm arrives); Enter sends,
//! Shift+Enter breaks the line; empty text cannot be sent; a counter shows
//! near the limit. Without JavaScript it is a plain form post that lands
//! back on the thread (F11).

use leptos::{ev, html, prelude::*, server_fn::ServerFn};

use super::{
    browser,
    live::{use_live, Restore},
};
use crate::api::messages::SendMessage;
use crate::domain::{can_send, counter, sticker_url, text::is_blank, MessageKind, STICKERS};

#[component]
pub fn Composer(thread: String, client_id: String) -> impl IntoView {
    let live = use_live();
    // A draft left by this thread's previous composer (see `live::drafts`):
    // in the browser only, so the server's page and hydration agree.
    let draft = live.draft(&thread);
    let text = RwSignal::new(draft.text.clone());
    // Only the no-JS form uses this id; the outbox makes one per message.
    let client_id = StoredValue::new(client_id);
    // Without JavaScript a refused post comes back as `?__err=…` on the
    // thread's URL; a ServerAction of the same function decodes it.
    let posted = ServerAction::<SendMessage>::new();
    let shown_error = move || {
        posted
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.for_field("body").unwrap_or_else(|| e.to_string()))
    };
    let stickers_open = RwSignal::new(false);
    let area = NodeRef::<html::Textarea>::new();
    let thread = StoredValue::new(thread);
    // Until the wasm runs, Send stays enabled: it is a plain form then.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    // Once mounted, the field gets this thread's draft (see
    // `Live::composer_mounted`), and the focus if it had it when the pane
    // was rebuilt under the user's typing.
    Effect::new(move |restored: Option<bool>| {
        if restored == Some(true) {
            return true;
        }
        let Some(el) = area.get() else {
            return false;
        };
        if let Restore::Set(draft) = live.composer_mounted(&thread.get_value()) {
            if el.value() != draft {
                el.set_value(&draft);
            }
        }
        if draft.focused {
            let _ = el.focus();
        }
        true
    });

    // With JavaScript, a send goes through the live outbox: it shows at
    // once as pending and is retried (same id) until the server has it.
    let send = move || {
        // The field's own value is the truth: if an `input` event never
        // reached `text` (seen now and then right after the thread pane
        // was rebuilt by a refetch), Enter must still send what is shown.
        let body = area
            .get_untracked()
            .map(|el| el.value())
            .unwrap_or_else(|| text.get_untracked());
        if !can_send(&body) {
            return;
        }
        live.send(thread.get_value(), MessageKind::Text, body);
        live.keep_draft(&thread.get_value(), String::new());
        text.set(String::new());
        if let Some(el) = area.get_untracked() {
            el.set_value("");
        }
        browser::scroll_to_newest();
    };
    let on_submit = move |ev: ev::SubmitEvent| {
        ev.prevent_default();
        send();
    };
    let on_key = move |ev: ev::KeyboardEvent| {
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
            ev.prevent_default();
            send();
        }
    };
    // The sticker picker closes with Esc or a click anywhere outside the
    // composer, like the overlays.
    let form = NodeRef::<html::Form>::new();
    let on_form_key = move |ev: ev::KeyboardEvent| {
        if ev.key() == "Escape" && stickers_open.get_untracked() {
            ev.stop_propagation();
            stickers_open.set(false);
        }
    };
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let handle = window_event_listener(ev::click, move |ev| {
            if !stickers_open.get_untracked() {
                return;
            }
            let target = ev
                .target()
                .and_then(|t| t.dyn_into::<leptos::web_sys::Node>().ok());
            let inside = match (target, form.get_untracked()) {
                (Some(t), Some(f)) => f.contains(Some(&t)),
                _ => false,
            };
            if !inside {
                stickers_open.set(false);
            }
        });
        on_cleanup(move || handle.remove());
    }
    let send_sticker_named = move |name: &'static str| {
        stickers_open.set(false);
        live.send(thread.get_value(), MessageKind::Sticker, name.to_owned());
        browser::scroll_to_newest();
    };

    view! {
        <form
            class="composer"
            method="post"
            action=SendMessage::url()
            on:submit=on_submit
            on:keydown=on_form_key
            node_ref=form
            data-testid="composer"
        >
            <input type="hidden" name="thread" value=thread.get_value()/>
            <input type="hidden" name="client_id" value=client_id.get_value()/>
            <div class="composer-row">
                <button
                    type="button"
                    class="icon-button"
                    aria-label="Stickers"
                    aria-expanded=move || stickers_open.get().to_string()
                    on:click=move |_| stickers_open.update(|o| *o = !*o)
                >
                    "🖼️"
                </button>
                <textarea
                    name="body"
                    class="composer-input"
                    rows="1"
                    placeholder="Message"
                    aria-label="Message"
                    // No `maxlength`: it counts UTF-16 units, so it would stop
                    // 2,000 emoji short of what the server accepts. The counter
                    // (the server's own count) and the Send button say it.
                    node_ref=area
                    on:input=move |ev| {
                        let value = event_target_value(&ev);
                        if !is_blank(&value) {
                            live.send_typing(&thread.get_value());
                        }
                        live.keep_draft(&thread.get_value(), value.clone());
                        text.set(value);
                    }
                    on:focus=move |_| live.draft_focused(&thread.get_value(), true)
                    on:blur=move |ev| {
                        // A field removed with the focus (its pane rebuilt)
                        // may hear `blur` too: only a field still on the
                        // page a moment later has really lost the focus.
                        let (field, id) = (event_target::<leptos::web_sys::HtmlTextAreaElement>(&ev), thread.get_value());
                        set_timeout(
                            move || {
                                if field.is_connected() {
                                    live.draft_focused(&id, false);
                                }
                            },
                            std::time::Duration::ZERO,
                        );
                    }
                    on:keydown=on_key
                ></textarea>
                <button
                    type="submit"
                    class="button send-button"
                    disabled=move || hydrated.get() && !can_send(&text.get())
                >
                    "Send"
                </button>
            </div>
            {move || {
                text.with(|t| counter(t))
                    .map(|(label, over)| {
                        let class = if over { "composer-counter over" } else { "composer-counter" };
                        view! { <p class=class data-testid="counter">{label}</p> }
                    })
            }}
            {move || shown_error().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
            <Show when=move || stickers_open.get()>
                <div class="sticker-picker" role="menu" aria-label="Stickers">
                    {STICKERS
                        .iter()
                        .map(|name| {
                            let name: &'static str = name;
                            view! {
                                <button
                                    type="button"
                                    class="sticker-choice"
                                    role="menuitem"
                                    aria-label=format!("Send {name} sticker")
                                    on:click=move |_| send_sticker_named(name)
                                >
                                    <img src=sticker_url(name) alt="" width="64" height="64"/>
                                </button>
                            }
                        })
                        .collect_view()}
                </div>
            </Show>
        </form>
    }
}
