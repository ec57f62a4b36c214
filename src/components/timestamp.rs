use leptos::prelude::*;

/// `2026-11-22T10:11:12.123Z` as `2026-11-22 10:11 UTC`.
pub fn short_time(rfc3339: &str) -> String {
    match (rfc3339.get(..10), rfc3339.get(11..16)) {
        (Some(date), Some(time)) => format!("{date} {time} UTC"),
        _ => rfc3339.to_string(),
    }
}

/// `2026-11-22T10:11:12.123Z` as `2026-11-22`.
pub fn short_date(rfc3339: &str) -> String {
    rfc3339.get(..10).unwrap_or(rfc3339).to_string()
}

/// A moment as people read it, with the exact time for machines (`<time datetime>`).
#[component]
pub fn Timestamp(#[prop(into)] at: String, #[prop(optional)] date_only: bool) -> impl IntoView {
    let shown = if date_only { short_date(&at) } else { short_time(&at) };
    view! { <time datetime=at>{shown}</time> }
}
