use leptos::prelude::*;

/// A labelled input with its error message right under it (linked for screen readers).
#[component]
pub fn TextField(
    /// Unique id of the input; the error gets `<id>-error`.
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let described = error_id.clone();
    view! {
        <div class="field" class:field--invalid=move || error.get().is_some()>
            <label class="field__label" for=id>
                {label}
            </label>
            <input
                class="field__input"
                id=id
                name=id
                type=input_type
                autocomplete=autocomplete
                bind:value=value
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=move || error.get().map(|_| described.clone())
            />
            {move || {
                error.get().map(|msg| view! { <p class="field__error" id=error_id.clone()>{msg}</p> })
            }}
        </div>
    }
}
