use leptos::prelude::*;
use leptos_router::hooks::use_location;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    let location = use_location();
    view! {
        <main class="not-found">
            <h1>"Page not found"</h1>
            <p>"There is no page at " <code>{move || location.pathname.get()}</code> "."</p>
            <a class="button button--primary" href="/customers">
                "Go to Customers"
            </a>
        </main>
    }
}
