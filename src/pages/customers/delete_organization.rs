//! Deleting an organization from the list: its members become unassigned.

use leptos::prelude::*;
use orgdesk_core::api::Organization;

use crate::api;
use crate::components::confirm_dialog::ConfirmDialog;

#[component]
pub fn DeleteOrganization(
    org: Organization,
    members: i64,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_deleted: Callback<String>,
) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let name = org.name.clone();
    let remove = Action::new_local(move |_: &()| api::organizations::delete_organization(org.id));
    Effect::new(move |_| match remove.value().get() {
        Some(Ok(())) => on_deleted.run(name.clone()),
        Some(Err(e)) => error.set(Some(e.message())),
        None => {}
    });
    let who = if members == 1 { "Its 1 member becomes".to_string() } else { format!("Its {members} members become") };
    view! {
        <ConfirmDialog
            id="delete-organization"
            title=format!("Delete {}?", org.name)
            message=format!("{who} unassigned (No organization). No customer is deleted.")
            confirm_label="Delete organization"
            on_confirm=move |_| {
                remove.dispatch(());
            }
            on_close=on_close
            busy=remove.pending()
            error=error
        />
    }
}
