use leptos::prelude::*;

/// "Previous" and "Next" over a list shown `page` rows at a time from `offset`;
/// `start`, `shown` and `total` describe the rows on screen. `children`, if any,
/// stand before the buttons (e.g. "Items 1–25 of 80").
#[component]
pub fn Pager(
    /// Names the navigation for screen readers, e.g. "Outbox pages".
    label: &'static str,
    offset: RwSignal<usize>,
    page: usize,
    start: usize,
    shown: usize,
    total: usize,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <nav class="form__actions" aria-label=label>
            {children.map(|c| c())}
            <button type="button" class="button button--small" disabled={start == 0}
                on:click=move |_| offset.update(|o| *o = o.saturating_sub(page))>
                "Previous"
            </button>
            <button type="button" class="button button--small" disabled={start + shown >= total}
                on:click=move |_| offset.update(|o| *o += page)>
                "Next"
            </button>
        </nav>
    }
}
