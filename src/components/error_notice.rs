//! The alert that says what went wrong, where it went wrong.

use leptos::prelude::*;

/// A message in an alert (read out at once by screen readers); nothing while there is none.
#[component]
pub fn ErrorNotice(
    #[prop(into)] message: MaybeProp<String>,
    /// Extra classes, for a notice placed inside a row.
    #[prop(optional)]
    class: &'static str,
) -> impl IntoView {
    let class =
        if class.is_empty() { "notice notice--error".to_string() } else { format!("notice notice--error {class}") };
    move || message.get().map(|m| view! { <p class=class.clone() role="alert">{m}</p> })
}
