//! The panel's properties section (issue #5).

use leptos::prelude::*;

use super::OrgPanel;

#[component]
pub fn PropertiesSection(panel: OrgPanel) -> impl IntoView {
    let _ = panel;
    view! { <section class="org-section" data-section="properties"></section> }
}
