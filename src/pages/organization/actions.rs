//! The panel's actions menu (beside the name): "Merge into…" (admins) opens the merge
//! page; "Delete…" (admins, and agents when an admin allowed it) opens the delete
//! dialog (how many members and items, and where the members go). Without either
//! there is no menu.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::OrgPanel;
use crate::components::menu_button::{MenuButton, MenuEntry};
use crate::pages::customers::delete_organization::DeleteOrganization;
use crate::state::{use_session, CustomersContext};

#[component]
pub fn OrganizationActions(panel: OrgPanel) -> impl IntoView {
    let deleting = RwSignal::new(false);
    let name = move || panel.detail.with(|d| d.as_ref().map(|d| d.name.clone()).unwrap_or_default());
    let session = use_session();
    let list = use_context::<CustomersContext>();
    let may_delete = move || list.is_some_and(|l| l.may_delete_organizations.get());
    let to_merge = use_navigate();
    let id = panel.id;
    let entries = Signal::derive(move || {
        let mut entries = Vec::new();
        if session.is_admin() {
            let to_merge = to_merge.clone();
            entries.push(MenuEntry::new("Merge into…", move || {
                to_merge(&format!("/organizations/{id}/merge"), Default::default())
            }));
        }
        if may_delete() {
            entries.push(MenuEntry::new("Delete…", move || deleting.set(true)));
        }
        entries
    });
    let navigate = use_navigate();
    // The panel closes: the organization is gone from the list it goes back to.
    let on_deleted = Callback::new(move |_message: String| {
        deleting.set(false);
        if let Some(list) = list {
            list.reload.run(());
        }
        navigate("/customers", Default::default());
    });
    view! {
        <Show when=move || entries.with(|e| !e.is_empty())>
            <div class="org-actions">
                <MenuButton id="org-panel-actions" label="Actions" aria_label="Organization actions".to_string()
                    entries=entries class="button button--small" />
            </div>
        </Show>
        <Show when=move || deleting.get()>
            <DeleteOrganization id=panel.id name=name() on_close=move |_| deleting.set(false) on_deleted=on_deleted />
        </Show>
    }
}
