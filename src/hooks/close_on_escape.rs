//! Escape closes a side panel.

use leptos::prelude::*;

/// Escape closes a panel, unless a dialog is open (Escape closes that first).
pub fn close_on_escape(close: Callback<()>) {
    let handle = window_event_listener(leptos::ev::keydown, move |e| {
        let dialog_open = document().query_selector("[role=dialog]").ok().flatten().is_some();
        if e.key() == "Escape" && !dialog_open {
            close.run(());
        }
    });
    on_cleanup(move || handle.remove());
}
