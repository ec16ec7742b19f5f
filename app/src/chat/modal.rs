use leptos::{ev, html, prelude::*};

use super::browser;

/// An overlay dialog: focus moves into it when it opens and back to where
/// it was when it closes; Esc and a click on the backdrop close it.
#[component]
pub fn Modal(
    #[prop(into)] title: String,
    #[prop(into)] on_close: Callback<()>,
    #[prop(optional, into)] test_id: String,
    children: Children,
) -> impl IntoView {
    let dialog = NodeRef::<html::Div>::new();
    let opener = StoredValue::new_local(browser::focused());
    Effect::new(move |_| {
        if let Some(el) = dialog.get() {
            browser::focus_first(el.into());
        }
    });
    on_cleanup(move || {
        if let Some(el) = opener.try_get_value().flatten() {
            let _ = el.focus();
        }
    });
    let on_key = move |ev: ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.stop_propagation();
            on_close.run(());
        }
    };
    let on_backdrop = move |ev: ev::MouseEvent| {
        // Only a click on the backdrop itself, not one inside the dialog.
        let on_self = match (ev.target(), ev.current_target()) {
            (Some(t), Some(c)) => t == c,
            _ => false,
        };
        if on_self {
            on_close.run(());
        }
    };
    let title_id = format!("dlg-{}", title.replace(' ', "-").to_lowercase());
    let label_id = title_id.clone();
    view! {
        <div class="modal-backdrop" on:click=on_backdrop on:keydown=on_key>
            <div
                class="modal"
                role="dialog"
                aria-modal="true"
                aria-labelledby=label_id
                data-testid=test_id
                node_ref=dialog
            >
                <header class="modal-header">
                    <h2 id=title_id>{title}</h2>
                    <button
                        type="button"
                        class="icon-button"
                        aria-label="Close"
                        on:click=move |_| on_close.run(())
                    >
                        "✕"
                    </button>
                </header>
                {children()}
            </div>
        </div>
    }
}
