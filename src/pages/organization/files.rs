//! The panel's files section (issue #5).

use leptos::prelude::*;

use super::OrgPanel;

#[component]
pub fn FilesSection(panel: OrgPanel) -> impl IntoView {
    let _ = panel;
    view! { <section class="org-section" data-section="files"></section> }
}
