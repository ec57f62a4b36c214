use leptos::prelude::*;

/// The Projects app. Projects arrive with the work-items issue (#4).
#[component]
pub fn ProjectsPage() -> impl IntoView {
    view! {
        <section class="page">
            <h1 class="page__title">"Projects"</h1>
            <p class="empty-state">"Projects are not built yet (issue #4)."</p>
        </section>
    }
}
