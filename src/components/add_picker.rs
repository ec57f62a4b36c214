//! A panel's "add" button that opens an inline search picker with Cancel in its place
//! (Escape cancels too): following a project, linking a usergroup, adding a customer
//! to one. `open` is the caller's, so a pick can close it once saved.

use leptos::prelude::*;

use crate::components::search_picker::{Pick, PickerKind, SearchPicker};

#[component]
pub fn AddPicker(
    /// The button's words ("Link usergroup…").
    button_label: &'static str,
    /// Whether the picker shows instead of the button.
    open: RwSignal<bool>,
    /// The search box's id and label.
    id: &'static str,
    label: &'static str,
    kind: PickerKind,
    /// Results left out (what is already there).
    #[prop(into)]
    exclude: Signal<Vec<i64>>,
    #[prop(into)] on_pick: Callback<Pick>,
) -> impl IntoView {
    view! {
        <Show when=move || !open.get()>
            <button type="button" class="button button--small" on:click=move |_| open.set(true)>{button_label}</button>
        </Show>
        <Show when=move || open.get()>
            <div class="org-relative-picker" on:keydown=move |e: leptos::ev::KeyboardEvent| {
                // The picker keeps an Escape that clears its search; one that reaches here cancels.
                if e.key() == "Escape" {
                    e.stop_propagation();
                    open.set(false);
                }
            }>
                <SearchPicker id=id label=label kind=kind inline=true exclude=exclude on_pick=on_pick />
                <button type="button" class="button button--small" on:click=move |_| open.set(false)>"Cancel"</button>
            </div>
        </Show>
    }
}
