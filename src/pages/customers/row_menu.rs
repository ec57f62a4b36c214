//! The active row's actions, for the keyboard: Shift+F10 or the context menu key on
//! the tree opens a menu of what the row's buttons do (an organization: Open, Message,
//! Edit, Delete; a customer: Open profile, Select, Edit; any group: Expand or Collapse).
//! Escape closes it with the focus back on the tree.

use leptos::html;
use leptos::prelude::*;

use super::group_header::DELETE_REFUSED;
use super::model::{GroupKey, RowId, ROW_HEIGHT};
use super::{CustomersState, Dialogs};
use crate::components::menu_button::{MenuEntry, MenuList};

/// An open row menu: the row it is for, and the row's top in the list (px).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RowMenu {
    pub row: RowId,
    pub top: f64,
}

fn focus_tree(list: NodeRef<html::Div>) {
    if let Some(el) = list.get_untracked() {
        let _ = el.focus();
    }
}

/// The actions on `row`, each putting the focus back on the tree before it acts, so a
/// dialog or panel it opens gives the focus back to the tree when it closes.
fn entries(
    state: CustomersState,
    list: NodeRef<html::Div>,
    row: RowId,
    open_panel: Callback<i64>,
    open_customer: Callback<i64>,
) -> (String, Vec<MenuEntry>) {
    let CustomersState { model, dialog, selection, may_delete_organizations: may_delete, .. } = state;
    let toggle = |key: GroupKey| {
        let expanded = model.with_untracked(|m| m.index_of(key).is_some_and(|g| m.expanded.contains_key(&g)));
        MenuEntry::new(if expanded { "Collapse" } else { "Expand" }, move || {
            focus_tree(list);
            model.update(|m| {
                if let Some(g) = m.index_of(key) {
                    m.toggle(g);
                }
            });
        })
    };
    match row {
        RowId::Group(GroupKey::Unassigned) => {
            ("Actions for No organization".into(), vec![toggle(GroupKey::Unassigned)])
        }
        RowId::Group(key @ GroupKey::Org(id)) => {
            let Some(org) = model.with_untracked(|m| m.orgs.values().find(|o| o.id == id).cloned()) else {
                return (String::new(), Vec::new());
            };
            let count = model.with_untracked(|m| m.count(key));
            let (message, edit, del) = (org.clone(), org.clone(), org.clone());
            let entries = vec![
                MenuEntry::new("Open", move || {
                    focus_tree(list);
                    open_panel.run(id);
                }),
                toggle(key),
                MenuEntry::new("Message", move || {
                    focus_tree(list);
                    dialog.set(Some(Dialogs::MessageOrganization(message.clone())));
                }),
                MenuEntry::new("Edit", move || {
                    focus_tree(list);
                    dialog.set(Some(Dialogs::EditOrganization(edit.clone())));
                }),
                MenuEntry::new("Delete", move || {
                    focus_tree(list);
                    if may_delete.get_untracked() {
                        dialog.set(Some(Dialogs::DeleteOrganization(del.clone(), count)));
                    } else {
                        state.show(DELETE_REFUSED.to_string(), true, None);
                    }
                }),
            ];
            (format!("Actions for {}", org.name), entries)
        }
        RowId::Customer(id) => {
            let found = model.with_untracked(|m| {
                m.expanded.iter().find_map(|(_, key)| {
                    let c = m.members.get(key)?.rows.iter().flatten().find(|c| c.id == id)?;
                    Some((c.clone(), *key))
                })
            });
            let Some((customer, key)) = found else { return (String::new(), Vec::new()) };
            let selected = selection.with_untracked(|s| s.contains_key(&id));
            let name = customer.display_name();
            let entries = vec![
                MenuEntry::new("Open profile", move || {
                    focus_tree(list);
                    open_customer.run(id);
                }),
                MenuEntry::new(if selected { "Unselect" } else { "Select" }, move || {
                    focus_tree(list);
                    selection.update(|s| {
                        if s.remove(&id).is_none() {
                            s.insert(id, key);
                        }
                    });
                }),
                MenuEntry::new("Edit", move || {
                    focus_tree(list);
                    dialog.set(Some(Dialogs::EditCustomer(customer.clone())));
                }),
            ];
            (format!("Actions for {name}"), entries)
        }
        RowId::Loading(_) => (String::new(), Vec::new()),
    }
}

/// The open row menu, under its row.
#[component]
pub fn RowMenuView(
    state: CustomersState,
    list: NodeRef<html::Div>,
    open_panel: Callback<i64>,
    open_customer: Callback<i64>,
) -> impl IntoView {
    let row_menu = state.row_menu;
    let on_close = Callback::new(move |refocus: bool| {
        row_menu.set(None);
        if refocus {
            focus_tree(list);
        }
    });
    move || {
        let menu = row_menu.get()?;
        let (label, entries) = entries(state, list, menu.row, open_panel, open_customer);
        if entries.is_empty() {
            return None;
        }
        // Under the row (in the window: the menu is outside the scrolled list).
        let el = list.get_untracked()?;
        let rect = el.get_bounding_client_rect();
        let top = rect.top() + menu.top - f64::from(el.scroll_top()) + ROW_HEIGHT;
        let (top, left) = (format!("{top}px"), format!("{}px", rect.left() + 24.0));
        Some(view! {
            <div class="row-menu" style:top=top style:left=left>
                <MenuList id="row-menu" entries=Signal::stored(entries) aria_label=label on_close=on_close />
            </div>
        })
    }
}
