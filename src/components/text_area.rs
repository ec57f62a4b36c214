use leptos::prelude::*;

/// A labelled multi-line text box with its error message right under it.
#[component]
pub fn TextArea(
    /// Unique id of the text box; the error gets `<id>-error`.
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(into, optional)] error: Signal<Option<String>>,
    #[prop(default = 4)] rows: u32,
    #[prop(optional)] placeholder: &'static str,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let described = error_id.clone();
    view! {
        <div class="field" class:field--invalid=move || error.get().is_some()>
            <label class="field__label" for=id>
                {label}
            </label>
            <textarea
                class="field__input field__input--multiline"
                id=id
                name=id
                rows=rows
                placeholder=placeholder
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=move || error.get().map(|_| described.clone())
            ></textarea>
            {move || error.get().map(|msg| view! { <p class="field__error" id=error_id.clone()>{msg}</p> })}
        </div>
    }
}
