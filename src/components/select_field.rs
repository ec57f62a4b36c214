use leptos::prelude::*;

/// A labelled `<select>` with its error message right under it. `options` are
/// (value, label) pairs; `on_change` hears the picked value.
#[component]
pub fn SelectField(
    #[prop(into)] id: String,
    label: &'static str,
    #[prop(into)] value: Signal<String>,
    #[prop(into)] options: Signal<Vec<(String, String)>>,
    #[prop(into)] on_change: Callback<String>,
    #[prop(into, optional)] error: Signal<Option<String>>,
    #[prop(optional)] disabled: bool,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let described = error_id.clone();
    view! {
        <div class="field" class:field--invalid=move || error.get().is_some()>
            <label class="field__label" for=id.clone()>
                {label}
            </label>
            <select
                class="field__input"
                id=id.clone()
                name=id
                disabled=disabled
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=move || error.get().map(|_| described.clone())
                on:change=move |ev| on_change.run(event_target_value(&ev))
            >
                {move || {
                    let current = value.get();
                    options
                        .get()
                        .into_iter()
                        .map(|(v, l)| {
                            let selected = v == current;
                            view! { <option value=v selected=selected>{l}</option> }
                        })
                        .collect_view()
                }}
            </select>
            {move || error.get().map(|msg| view! { <p class="field__error" id=error_id.clone()>{msg}</p> })}
        </div>
    }
}
