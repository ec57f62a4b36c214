//! One customer in an expanded group: selected with its checkbox (shift-click
//! selects a range), dragged by pressing anywhere else on it, edited with Edit.
//! A level-2 `treeitem` of the list's tree (Space selects it there, Enter opens the
//! profile); its checkbox and button are for the mouse (`tabindex=-1`).

use leptos::ev;
use leptos::prelude::*;

use super::list::aria_level;

use super::drag::{is_control, PointerDrag, Press};
use super::model::{GroupIndex, RowId};
use super::{CustomersState, Dialogs};
use crate::components::highlight::Highlight;

#[component]
pub fn CustomerRow(
    state: CustomersState,
    drag: PointerDrag,
    group: GroupIndex,
    /// The customer's place in the group.
    member: usize,
    /// The row's position in the flattened list.
    pos: usize,
    /// The tree's active row.
    active: Signal<Option<usize>>,
    /// The row's place in the list (`…px`, set through the CSSOM: no inline style attribute).
    top: String,
) -> impl IntoView {
    let CustomersState { model, selection, anchor, dialog, .. } = state;
    let (g, i) = (group, member);
    let (key, customer, query) =
        model.with_untracked(|m| (m.expanded.get(&g).copied(), m.member(g, i).cloned(), m.query.clone()));
    let is_active = move || active.get() == Some(pos);
    let (posinset, setsize) = model.with_untracked(|m| m.member_place(g, i));
    let (Some(key), Some(customer)) = (key, customer) else {
        return view! {
            <div class="customer-row customer-row--loading" class:tree-row--active=is_active style:top=top
                role="treeitem" aria-posinset=posinset aria-setsize=setsize
                id=RowId::Loading(pos).dom_id() data-pos=pos>
                "Loading…"
            </div>
        }
        .add_any_attr(aria_level("2"))
        .into_any();
    };
    let id = customer.id;
    let name = customer.display_name();
    let select_label = format!("Select {name}");
    let edit_label = format!("Edit {name}");
    let item_label = format!("{name}, {}", customer.email);
    let is_selected = move || selection.with(|s| s.contains_key(&id));
    let on_check = move |e: ev::MouseEvent| {
        let checked = event_target_checked(&e);
        let range = e.shift_key().then(|| anchor.get_value()).flatten().filter(|(ag, _)| *ag == g);
        selection.update(|s| match range {
            Some((_, from)) => {
                let (lo, hi) = if from <= i { (from, i) } else { (i, from) };
                model.with_untracked(|m| {
                    for j in lo..=hi {
                        if let Some(c) = m.member(g, j) {
                            if checked {
                                s.insert(c.id, key);
                            } else {
                                s.remove(&c.id);
                            }
                        }
                    }
                });
            }
            None => {
                if checked {
                    s.insert(id, key);
                } else {
                    s.remove(&id);
                }
            }
        });
        anchor.set_value(Some((g, i)));
    };
    let on_down = move |e: ev::PointerEvent| {
        if e.button() != 0 || is_control(&e) {
            return;
        }
        e.prevent_default();
        drag.press.set_value(Some(Press {
            x: f64::from(e.client_x()),
            y: f64::from(e.client_y()),
            customer: id,
            group: key,
            index: g,
            member: i,
        }));
    };
    let edit = customer.clone();
    view! {
        <div
            class="customer-row"
            class:customer-row--selected=is_selected
            class:customer-row--moving=move || drag.is_moving(id)
            class:org-group--drop-target=move || drag.is_over(key)
            data-drop-group=key.attr()
            data-customer-id=id
            style:top=top
            role="treeitem"
            id=RowId::Customer(id).dom_id()
            data-pos=pos
            class:tree-row--active=is_active

            aria-posinset=posinset
            aria-setsize=setsize
            aria-selected=move || if is_selected() { "true" } else { "false" }
            aria-label=item_label
            on:pointerdown=on_down
        >
            <input type="checkbox" tabindex="-1" aria-label=select_label prop:checked=is_selected on:click=on_check />
            <span class="customer-row__grip" aria-hidden="true">"⠿"</span>
            <span class="customer-row__name">
                <a class="customer-row__link" tabindex="-1" href=format!("/customers/{id}")><Highlight text=name query=query.clone() /></a>
            </span>
            <span class="customer-row__contact">
                <span class="customer-row__email"><Highlight text=customer.email.clone() query=query /></span>
                {(!customer.phone.is_empty()).then(|| view! {
                    <span class="customer-row__phone">{customer.phone.clone()}</span>
                })}
            </span>
            <span class="customer-row__position">{customer.position.clone()}</span>
            <button type="button" tabindex="-1" class="button button--small button--ghost" aria-label=edit_label
                on:click=move |_| dialog.set(Some(Dialogs::EditCustomer(edit.clone())))>
                "Edit"
            </button>
        </div>
    }
    .add_any_attr(aria_level("2"))
    .into_any()
}
