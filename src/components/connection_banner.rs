use leptos::prelude::*;

use crate::state::use_connection;

/// A banner across the top while the server cannot be reached.
#[component]
pub fn ConnectionBanner(#[prop(into)] on_retry: Callback<()>) -> impl IntoView {
    let connection = use_connection();
    view! {
        <Show when=move || !connection.0.get()>
            <div class="banner banner--error" role="alert">
                <span>"Cannot reach the Orgdesk server. Your last action may not have been saved."</span>
                <button type="button" class="button button--small" on:click=move |_| on_retry.run(())>
                    "Retry"
                </button>
            </div>
        </Show>
    }
}
