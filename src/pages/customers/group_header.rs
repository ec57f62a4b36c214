//! The head of one organization's group (or of "No organization"): expands and
//! collapses it, opens the organization's panel, and is a drop target. A level-1
//! `treeitem` of the list's tree; its buttons are for the mouse (`tabindex=-1`), the
//! keyboard reaches the same actions through the tree's keys and its row menu.

use leptos::ev;
use leptos::prelude::*;

use super::list::aria_level;

use super::drag::{is_control, PointerDrag};
use super::model::{GroupIndex, GroupKey, RowId};
use super::{CustomersState, Dialogs};
use crate::components::highlight::Highlight;
use crate::components::menu_button::{MenuButton, MenuEntry};
use crate::text::count_of;

/// Why an agent cannot delete an organization (the server says the same with its 403).
pub(super) const DELETE_REFUSED: &str =
    "Only administrators can delete organizations. An administrator can allow agents to \
     under Administration (Agents may delete organizations).";

#[component]
pub fn GroupHeader(
    state: CustomersState,
    drag: PointerDrag,
    group: GroupIndex,
    /// The row's position in the flattened list.
    pos: usize,
    /// The tree's active row.
    active: Signal<Option<usize>>,
    /// The row's place in the list (`…px`, set through the CSSOM: no inline style attribute).
    top: String,
    open_org: Memo<Option<i64>>,
    open_panel: Callback<i64>,
) -> impl IntoView {
    let CustomersState { model, dialog, may_delete_organizations: may_delete, .. } = state;
    let g = group;
    let (key, org, count, expanded) = model.with_untracked(|m| {
        let key = m.key_at(g);
        (
            key,
            m.orgs.get(&(g.max(0) as usize)).filter(|_| g >= 0).cloned(),
            key.map(|k| m.count(k)),
            m.expanded.contains_key(&g),
        )
    });
    let is_active = move || active.get() == Some(pos);
    let Some(key) = key else {
        return view! {
            <div class="org-group org-group--loading" class:tree-row--active=is_active style:top=top role="treeitem"
                id=RowId::Loading(pos).dom_id() data-pos=pos>
                "Loading…"
            </div>
        }
        .add_any_attr(aria_level("1"))
        .into_any();
    };
    let (posinset, setsize) = model.with_untracked(|m| m.group_place(g));
    let name = org.as_ref().map(|o| o.name.clone()).unwrap_or_else(|| "No organization".into());
    let domains = org.as_ref().map(|o| o.domains.join(", ")).unwrap_or_default();
    let count = count.unwrap_or(0);
    let (query, project) = model.with_untracked(|m| (m.query.trim().to_string(), m.project));
    let count_text = if !query.is_empty() {
        count_of(count, "match", "matches")
    } else if project.is_some() {
        format!("{count} following")
    } else {
        count_of(count, "member", "members")
    };
    let toggle_label = format!("{} {name}", if expanded { "Collapse" } else { "Expand" });
    let item_label = format!("{name}, {count_text}");
    let org_id = org.as_ref().map(|o| o.id);
    let is_open = move || org_id.is_some() && open_org.get() == org_id;
    // Where the list is narrow (a phone, or beside a panel) the four buttons give way to
    // one "…" menu with the same actions, so the organization's name keeps its room.
    let more = org.as_ref().map(|o| {
        let (open, message, edit, del) = (o.clone(), o.clone(), o.clone(), o.clone());
        let entries = vec![
            MenuEntry::new("Open", move || open_panel.run(open.id)),
            MenuEntry::new("Message", move || dialog.set(Some(Dialogs::MessageOrganization(message.clone())))),
            MenuEntry::new("Edit", move || dialog.set(Some(Dialogs::EditOrganization(edit.clone())))),
            MenuEntry::new("Delete", move || {
                if may_delete.get_untracked() {
                    dialog.set(Some(Dialogs::DeleteOrganization(del.clone(), count)))
                } else {
                    state.show(DELETE_REFUSED.to_string(), true, None)
                }
            }),
        ];
        view! {
            <MenuButton id=format!("org-actions-{}", o.id) label="…" aria_label=format!("Actions for {}", o.name)
                entries=entries class="org-group__more" tabindex=-1 />
        }
    });
    let actions = org.map(|o| {
        let (edit, del, message) = (o.clone(), o.clone(), o.clone());
        let open_label = format!("Open {}", o.name);
        let id = o.id;
        let edit_label = format!("Edit {}", o.name);
        let delete_label = format!("Delete {}", o.name);
        let message_label = format!("Message {}", o.name);
        view! {
            <button type="button" tabindex="-1" class="button button--small button--ghost" aria-label=open_label
                on:click=move |_| open_panel.run(id)>
                "Open"
            </button>
            <button type="button" tabindex="-1" class="button button--small button--ghost" aria-label=message_label
                on:click=move |_| dialog.set(Some(Dialogs::MessageOrganization(message.clone())))>
                "Message"
            </button>
            <button type="button" tabindex="-1" class="button button--small button--ghost" aria-label=edit_label
                on:click=move |_| dialog.set(Some(Dialogs::EditOrganization(edit.clone())))>
                "Edit"
            </button>
            // Refused for agents unless an admin allows it: the button stays focusable
            // (aria-disabled) and says why instead of opening the dialog.
            <button type="button" tabindex="-1" class="button button--small button--ghost"
                aria-label=delete_label
                aria-disabled=move || (!may_delete.get()).then_some("true")
                title=move || (!may_delete.get()).then_some(DELETE_REFUSED)
                class:button--disabled=move || !may_delete.get()
                on:click=move |_| {
                    if may_delete.get_untracked() {
                        dialog.set(Some(Dialogs::DeleteOrganization(del.clone(), count)))
                    } else {
                        state.show(DELETE_REFUSED.to_string(), true, None)
                    }
                }>
                "Delete"
            </button>
        }
    });
    view! {
        <div
            class="org-group"
            class:org-group--drop-target=move || drag.is_over(key)
            class:org-group--droppable=move || drag.is_dragging()
            class:org-group--unassigned={key == GroupKey::Unassigned}
            class:org-group--open=is_open
            data-drop-group=key.attr()
            data-testid="org-group"
            style:top=top
            role="treeitem"
            id=RowId::Group(key).dom_id()
            data-pos=pos
            class:tree-row--active=is_active

            aria-posinset=posinset
            aria-setsize=setsize
            aria-expanded={if expanded { "true" } else { "false" }}
            aria-label=item_label
            title=org_id.map(|_| "Double-click or press Enter to open")
            aria-current=move || is_open().then_some("true")
            on:click=move |e: ev::MouseEvent| {
                // The second click of a double-click opens the organization.
                if e.detail() == 2 && !is_control(&e) {
                    if let Some(id) = org_id {
                        open_panel.run(id);
                    }
                }
            }
        >
            <button
                type="button"
                class="org-group__toggle"
                tabindex="-1"
                aria-expanded={if expanded { "true" } else { "false" }}
                aria-label=toggle_label
                on:click=move |_| model.update(|m| m.toggle(g))
            >
                {if expanded { "▾" } else { "▸" }}
            </button>
            <span class="org-group__name" on:click=move |e: ev::MouseEvent| {
                // A double-click opens the panel; only its first click toggles.
                if e.detail() <= 1 {
                    model.update(|m| m.toggle(g))
                }
            }>
                <Highlight text=name query=query.clone() />
            </span>
            <span class="org-group__domains"><Highlight text=domains query=query /></span>
            <span class="org-group__count">{count_text}</span>
            <span class="org-group__actions">{actions}</span>
            {more}
        </div>
    }
    .add_any_attr(aria_level("1"))
    .into_any()
}
