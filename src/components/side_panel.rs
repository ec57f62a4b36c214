//! The panel beside a list (an organization, an item, a project), with its close button.

use leptos::prelude::*;

use wasm_bindgen::JsCast;

use crate::components::dialog::return_focus_if_lost;
use crate::hooks::close_on_escape;

/// A side panel named `label`: a bar with `crumb` and a × button named `close_label`
/// (a Back button where the panel fills the screen; Escape closes it too), then the panel's content.
#[component]
pub fn SidePanel(
    label: &'static str,
    close_label: &'static str,
    /// What the bar says the panel shows (nothing while it is unknown).
    #[prop(into)]
    crumb: Signal<Option<String>>,
    #[prop(into)] on_close: Callback<()>,
    /// Extra classes on the panel.
    #[prop(optional)]
    class: &'static str,
    children: Children,
) -> impl IntoView {
    close_on_escape(on_close);
    // Closing the panel (×, Back, Escape) removes what had the focus: it goes back to
    // what opened the panel (the group or the row), as after a dialog.
    let opener = document().active_element().and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
    on_cleanup(move || {
        if let Some(el) = opener {
            return_focus_if_lost(el);
        }
    });
    let class = if class.is_empty() { "panel".to_string() } else { format!("panel {class}") };
    view! {
        <aside class=class aria-label=label>
            <div class="panel__bar">
                // Where the panel is the whole screen (tablets, phones): Back, instead of ×.
                <button type="button" class="button button--small panel__back" on:click=move |_| on_close.run(())>
                    "Back"
                </button>
                {move || crumb.get().map(|c| view! { <span class="panel__crumb">{c}</span> })}
                <button type="button" class="button button--small button--ghost panel__close" aria-label=close_label
                    on:click=move |_| on_close.run(())>
                    "×"
                </button>
            </div>
            {children()}
        </aside>
    }
}
