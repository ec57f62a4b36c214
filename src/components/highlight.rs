use leptos::prelude::*;
use orgdesk_core::search::highlight;

/// `text` with what the search `query` matches in it marked (`<mark>`), by the
/// same rule the server searches with (case and accents ignored, anywhere from 3
/// characters, word starts below): see [`orgdesk_core::search`].
#[component]
pub fn Highlight(#[prop(into)] text: String, #[prop(into)] query: String) -> impl IntoView {
    highlight(&text, &query)
        .into_iter()
        .map(|(piece, hit)| {
            let piece = piece.to_string();
            if hit {
                view! { <mark class="match">{piece}</mark> }.into_any()
            } else {
                piece.into_any()
            }
        })
        .collect_view()
}
