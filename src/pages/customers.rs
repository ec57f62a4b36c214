use leptos::prelude::*;

/// The Customers app. The grouped customer list arrives with the customers issue (#3).
#[component]
pub fn CustomersPage() -> impl IntoView {
    view! {
        <section class="page">
            <h1 class="page__title">"Customers"</h1>
            <p class="empty-state">"The grouped customer list is not built yet (issue #3)."</p>
        </section>
    }
}
