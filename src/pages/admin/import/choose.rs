//! Step 1: choose a CSV file, with the file input or by dropping it on the zone
//! around it. The input itself is the keyboard's way in (Tab to it, Enter or
//! Space opens the chooser); the zone only adds dropping for a mouse.

use leptos::ev;
use leptos::html;
use leptos::prelude::*;

pub const FILE_INPUT_ID: &str = "import-file";

/// `on_file` hears the chosen or dropped file; `error` (the server's refusal or
/// ours) shows under the input; `busy` disables it while an upload runs.
#[component]
pub fn FileChooser(
    #[prop(into)] on_file: Callback<web_sys::File>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(into)] busy: Signal<bool>,
) -> impl IntoView {
    let input = NodeRef::<html::Input>::new();
    let over = RwSignal::new(false);
    let take = move |file: Option<web_sys::File>| {
        if let Some(file) = file {
            on_file.run(file);
        }
        // The same file may be chosen again after a refusal.
        if let Some(el) = input.get_untracked() {
            el.set_value("");
        }
    };
    let on_change = move |_| take(input.get_untracked().and_then(|el| el.files()).and_then(|list| list.get(0)));
    let on_drop = move |e: ev::DragEvent| {
        e.prevent_default();
        over.set(false);
        if busy.get_untracked() {
            return;
        }
        take(e.data_transfer().and_then(|d| d.files()).and_then(|list| list.get(0)));
    };
    let on_dragover = move |e: ev::DragEvent| {
        // Without this the browser opens the dropped file itself.
        e.prevent_default();
        over.set(true);
    };
    let error_id = format!("{FILE_INPUT_ID}-error");
    let hint_id = format!("{FILE_INPUT_ID}-hint");
    let described = {
        let (error_id, hint_id) = (error_id.clone(), hint_id.clone());
        move || match error.get() {
            Some(_) => format!("{error_id} {hint_id}"),
            None => hint_id.clone(),
        }
    };
    view! {
        <div
            class="import-drop field"
            class:import-drop--over=move || over.get()
            class:field--invalid=move || error.get().is_some()
            on:dragover=on_dragover
            on:dragleave=move |_| over.set(false)
            on:drop=on_drop
        >
            <label class="field__label" for=FILE_INPUT_ID>"CSV file"</label>
            <input
                type="file"
                id=FILE_INPUT_ID
                class="field__input import-drop__input"
                accept=".csv,.txt,.tsv,text/csv,text/plain,text/tab-separated-values"
                node_ref=input
                on:change=on_change
                disabled=move || busy.get()
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=described
            />
            <p class="hint import-drop__hint" id=hint_id>
                "Choose a file or drop it here. A header row names the columns; one of them must hold email addresses (a customers file) or organization names (an organizations file). "
                "UTF-8 (with or without BOM) or Windows-1252; separated by commas, semicolons or tabs."
            </p>
            {move || error.get().map(|e| view! { <p class="field__error" id=error_id.clone()>{e}</p> })}
        </div>
    }
}
