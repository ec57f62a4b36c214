//! The panel's contacts section (issue #5).

use leptos::prelude::*;

use super::OrgPanel;

#[component]
pub fn ContactsSection(panel: OrgPanel) -> impl IntoView {
    let _ = panel;
    view! { <section class="org-section" data-section="contacts"></section> }
}
