//! A search field that waits for typing to pause before it searches.

use std::time::Duration;

use leptos::prelude::*;

use crate::hooks::Debounce;

/// A `type="search"` input showing `text`; `on_search` gets the trimmed text once
/// typing has paused for `delay_ms`. Name it with `label` (no visible label) or
/// give it an `id` a `<label for>` points at.
#[component]
pub fn SearchBox(
    text: RwSignal<String>,
    #[prop(into)] on_search: Callback<String>,
    delay_ms: u64,
    class: &'static str,
    placeholder: &'static str,
    #[prop(optional)] id: Option<&'static str>,
    #[prop(optional)] label: Option<&'static str>,
) -> impl IntoView {
    let timer = Debounce::new(Duration::from_millis(delay_ms));
    let on_input = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        text.set(value.clone());
        timer.run(move || on_search.run(value.trim().to_string()));
    };
    view! {
        <input class=class id=id type="search" aria-label=label placeholder=placeholder
            prop:value=move || text.get() on:input=on_input />
    }
}
