//! The panel's actions menu (beside the name): "Delete…" opens the delete dialog
//! (how many members and items, and where the members go).

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::OrgPanel;
use crate::components::menu_button::{MenuButton, MenuEntry};
use crate::pages::customers::delete_organization::DeleteOrganization;
use crate::state::CustomersContext;

#[component]
pub fn OrganizationActions(panel: OrgPanel) -> impl IntoView {
    let deleting = RwSignal::new(false);
    let name = move || panel.detail.with(|d| d.as_ref().map(|d| d.name.clone()).unwrap_or_default());
    let entries = Signal::derive(move || vec![MenuEntry::new("Delete…", move || deleting.set(true))]);
    let navigate = use_navigate();
    let list = use_context::<CustomersContext>();
    // The panel closes: the organization is gone from the list it goes back to.
    let on_deleted = Callback::new(move |_message: String| {
        deleting.set(false);
        if let Some(list) = list {
            list.reload.run(());
        }
        navigate("/customers", Default::default());
    });
    view! {
        <div class="org-actions">
            <MenuButton id="org-panel-actions" label="Actions" entries=entries class="button button--small" />
        </div>
        <Show when=move || deleting.get()>
            <DeleteOrganization id=panel.id name=name() on_close=move |_| deleting.set(false) on_deleted=on_deleted />
        </Show>
    }
}
