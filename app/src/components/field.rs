use leptos::prelude::*;

/// A labelled form input with its error message right below it.
#[component]
pub fn Field(
    label: &'static str,
    name: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    /// The message to show for this field, if any (none: never).
    #[prop(optional, into)]
    error: Signal<Option<String>>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let err_id = format!("{id}-error");
    view! {
        <div class="field" class:has-error=move || error.get().is_some()>
            <label for=id.clone()>{label}</label>
            <input
                id=id
                name=name
                type=kind
                autocomplete=autocomplete
                required
                aria-invalid=move || error.get().is_some().to_string()
                aria-describedby=err_id.clone()
            />
            <p class="field-error" id=err_id role="alert">{move || error.get()}</p>
        </div>
    }
}
