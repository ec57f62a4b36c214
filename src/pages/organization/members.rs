//! The panel's members section (issue #5).

use leptos::prelude::*;

use super::OrgPanel;

#[component]
pub fn MembersSection(panel: OrgPanel) -> impl IntoView {
    let _ = panel;
    view! { <section class="org-section" data-section="members"></section> }
}
