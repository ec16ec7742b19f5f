//! Overlays that act on one message: delete (yours) and report (others').

use leptos::prelude::*;

use super::{context::use_chat, modal::Modal, thread::use_thread};
use crate::api::messages::{delete_message, report_message};
use crate::domain::{moderation::report_answer, REPORT_KINDS};
use crate::model::ReportOutcome;

/// "Delete message?" — the message then stays in place as
/// "[message deleted]" (F7).
#[component]
pub fn DeleteConfirm(id: i64) -> impl IntoView {
    let thread = use_thread();
    let chat = use_chat();
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let close = move || thread.action.set(None);
    let confirm = move |_| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            match delete_message(id).await {
                Ok(m) => {
                    thread.upsert(m);
                    chat.refresh_nav();
                    thread.action.set(None);
                }
                Err(e) => {
                    busy.set(false);
                    error.set(Some(e.to_string()));
                }
            }
        });
    };
    view! {
        <Modal title="Delete message?" on_close=move |_| close() test_id="delete-confirm">
            <p>"Everyone in the chat will see “[message deleted]” in its place. This cannot be undone."</p>
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
            <div class="modal-actions">
                <button type="button" class="button-secondary" on:click=move |_| close()>
                    "Cancel"
                </button>
                <button type="button" class="button button-danger" disabled=move || busy.get() on:click=confirm>
                    "Delete"
                </button>
            </div>
        </Modal>
    }
}

/// Report someone's message with a reason; it goes to the moderators.
#[component]
pub fn ReportDialog(id: i64) -> impl IntoView {
    let thread = use_thread();
    let reason = RwSignal::new(String::new());
    let detail = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<ReportOutcome>);
    let close = move || thread.action.set(None);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (r, d) = (reason.get(), detail.get());
        leptos::task::spawn_local(async move {
            match report_message(id, r, d).await {
                Ok(outcome) => done.set(Some(outcome)),
                Err(e) => error.set(
                    e.for_field("reason")
                        .or_else(|| e.for_field("detail"))
                        .or(Some(e.to_string())),
                ),
            }
        });
    };
    view! {
        <Modal title="Report message" on_close=move |_| close() test_id="report-dialog">
            <Show
                when=move || done.get().is_none()
                fallback=move || view! {
                    <p role="status">{move || done.get().map(report_answer)}</p>
                    <div class="modal-actions">
                        <button type="button" class="button" on:click=move |_| close()>"Done"</button>
                    </div>
                }
            >
                <form on:submit=submit class="report-form">
                    <fieldset>
                        <legend>"Why are you reporting it?"</legend>
                        {REPORT_KINDS
                            .iter()
                            .map(|(key, label)| {
                                let key = *key;
                                view! {
                                    <label class="radio-row">
                                        <input
                                            type="radio"
                                            name="reason"
                                            value=key
                                            on:change=move |_| reason.set(key.to_owned())
                                        />
                                        {*label}
                                    </label>
                                }
                            })
                            .collect_view()}
                    </fieldset>
                    <textarea
                        class="input"
                        rows="2"
                        // No `maxlength`: it counts UTF-16 units and would
                        // refuse 500 emoji, which the server accepts; the
                        // server's answer says when a detail is too long.
                        placeholder="Anything else? (optional)"
                        aria-label="Details"
                        on:input=move |ev| detail.set(event_target_value(&ev))
                    ></textarea>
                    {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
                    <div class="modal-actions">
                        <button type="button" class="button-secondary" on:click=move |_| close()>
                            "Cancel"
                        </button>
                        <button type="submit" class="button" disabled=move || reason.with(String::is_empty)>
                            "Report"
                        </button>
                    </div>
                </form>
            </Show>
        </Modal>
    }
}
