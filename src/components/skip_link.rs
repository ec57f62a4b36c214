//! "Skip to content": the first Tab stop of every signed-in page, hidden until it has the focus.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// A link to the page's `<main id="main">`. It moves the focus there itself (the
/// router would treat `#main` as a navigation), so the next Tab is the page's first control.
#[component]
pub fn SkipLink() -> impl IntoView {
    view! {
        <a class="skip-link" href="#main" on:click=|e| {
            e.prevent_default();
            if let Some(main) = document().get_element_by_id("main").and_then(|m| m.dyn_into::<web_sys::HtmlElement>().ok()) {
                let _ = main.focus();
            }
        }>
            "Skip to content"
        </a>
    }
}
