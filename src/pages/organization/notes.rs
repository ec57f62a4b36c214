//! The panel's notes section (issue #5).

use leptos::prelude::*;

use super::OrgPanel;

#[component]
pub fn NotesSection(panel: OrgPanel) -> impl IntoView {
    let _ = panel;
    view! { <section class="org-section" data-section="notes"></section> }
}
