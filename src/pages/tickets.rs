use leptos::prelude::*;

/// The Tickets app. Tickets arrive with the work-items issue (#4).
#[component]
pub fn TicketsPage() -> impl IntoView {
    view! {
        <section class="page">
            <h1 class="page__title">"Tickets"</h1>
            <p class="empty-state">"Tickets are not built yet (issue #4)."</p>
        </section>
    }
}
