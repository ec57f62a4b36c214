//! Deleting an organization (from the Customers list or the organization panel):
//! the dialog says how many members and items it has, and asks where the members
//! go: nowhere (no organization) or to another organization (a picker). Items keep
//! a record of it; an administrator can restore it for the retention's days.

use leptos::prelude::*;

use crate::api;
use crate::components::dialog::Dialog;
use crate::components::error_notice::ErrorNotice;
use crate::components::search_picker::{Pick, PickerKind, SearchPicker};

/// "12 members and 5 items (3 open, 2 closed)".
fn counts_text(members: i64, open: i64, closed: i64) -> String {
    let members = if members == 1 { "1 member".to_string() } else { format!("{members} members") };
    let items = open + closed;
    let items = if items == 1 { "1 item".to_string() } else { format!("{items} items") };
    format!("{members} and {items} ({open} open, {closed} closed)")
}

/// What the toast says once it is deleted.
pub fn deleted_message(name: &str, moved_to: Option<&str>) -> String {
    match moved_to {
        Some(to) => format!("Deleted {name}. Its members moved to {to}."),
        None => format!("Deleted {name}. Its members are now in No organization."),
    }
}

#[component]
pub fn DeleteOrganization(
    id: i64,
    #[prop(into)] name: String,
    #[prop(into)] on_close: Callback<()>,
    /// Called with the sentence to show once it is deleted.
    #[prop(into)]
    on_deleted: Callback<String>,
) -> impl IntoView {
    let preview = LocalResource::new(move || api::deleted_organizations::deletion_preview(id));
    let moving = RwSignal::new(false);
    let target = RwSignal::new(None::<Pick>);
    let error = RwSignal::new(None::<String>);
    let picker_error = RwSignal::new(None::<String>);
    let title = format!("Delete {name}?");
    let name = StoredValue::new(name);
    let remove =
        Action::new_local(move |move_to: &Option<i64>| api::deleted_organizations::delete_organization(id, *move_to));
    Effect::new(move |_| match remove.value().get() {
        Some(Ok(())) => {
            let to = target.get_untracked().filter(|_| moving.get_untracked()).map(|p| p.name);
            on_deleted.run(deleted_message(&name.get_value(), to.as_deref()));
        }
        Some(Err(e)) => match e.field("move_members_to") {
            Some(m) => picker_error.set(Some(m)),
            None => error.set(Some(e.message())),
        },
        None => {}
    });
    let confirm = move |_| {
        error.set(None);
        picker_error.set(None);
        let move_to = if moving.get_untracked() {
            match target.get_untracked() {
                Some(p) => Some(p.id),
                None => {
                    picker_error.set(Some("Choose the organization its members move to.".into()));
                    return;
                }
            }
        } else {
            None
        };
        remove.dispatch(move_to);
    };
    let summary = move || {
        preview.get().map(|r| match r {
            Ok(p) => {
                let counts = counts_text(p.members, p.open_items, p.closed_items);
                let days = p.retention_days;
                view! {
                    <p class="confirm__message" data-testid="delete-org-counts">{format!("{} has {counts}.", p.name)}</p>
                    <p class="hint">{format!(
                        "Items keep a record of {}. No customer is deleted. An administrator can restore it from Administration › Deleted organizations for {days} days.",
                        p.name
                    )}</p>
                }
                .into_any()
            }
            Err(e) => view! { <ErrorNotice message=e.message() /> }.into_any(),
        })
    };
    view! {
        <Dialog id="delete-organization" title=title on_close=on_close>
            {summary}
            <fieldset class="delete-org__choices">
                <legend>"Its members"</legend>
                <label class="delete-org__choice">
                    <input type="radio" name="delete-org-members" value="leave"
                        prop:checked=move || !moving.get() on:change=move |_| moving.set(false) />
                    "Leave them without an organization"
                </label>
                <label class="delete-org__choice">
                    <input type="radio" name="delete-org-members" value="move"
                        prop:checked=move || moving.get() on:change=move |_| moving.set(true) />
                    "Move them to another organization"
                </label>
                <Show when=move || moving.get()>
                    <div class="delete-org__picker">
                        <SearchPicker
                            id="delete-org-target"
                            label="Move members to"
                            kind=PickerKind::Organization
                            placeholder="Type to search"
                            selected=Signal::derive(move || target.get())
                            on_pick=move |p: Pick| {
                                picker_error.set(None);
                                target.set(Some(p));
                            }
                            on_clear=move |_| target.set(None)
                            error=picker_error
                            exclude=Signal::derive(move || vec![id])
                        />
                    </div>
                </Show>
            </fieldset>
            <ErrorNotice message=error />
            <div class="form__actions">
                <button type="button" class="button button--danger" disabled=move || remove.pending().get()
                    on:click=confirm>
                    "Delete organization"
                </button>
                <button type="button" class="button" on:click=move |_| on_close.run(())>
                    "Cancel"
                </button>
            </div>
        </Dialog>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dialog_counts_members_and_open_and_closed_items() {
        assert_eq!(counts_text(1, 1, 0), "1 member and 1 item (1 open, 0 closed)");
        assert_eq!(counts_text(12, 3, 2), "12 members and 5 items (3 open, 2 closed)");
    }

    #[test]
    fn the_toast_says_where_the_members_went() {
        assert_eq!(deleted_message("Acme", None), "Deleted Acme. Its members are now in No organization.");
        assert_eq!(deleted_message("Acme", Some("Globex")), "Deleted Acme. Its members moved to Globex.");
    }
}
