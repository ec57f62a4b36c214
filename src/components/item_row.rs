//! One item in a list (the Tickets app, a project, an organization's Tickets tab).

use std::collections::BTreeMap;

use leptos::prelude::*;
use orgdesk_core::api::tickets::Item;

use crate::components::item_badges::{priority_badge, status_badge, type_badge};
use crate::components::timestamp::Timestamp;

/// The items picked for a bulk change: id → the `updated_at` the list showed (the
/// version the server checks).
pub type Selection = RwSignal<BTreeMap<i64, String>>;

/// A link to the item's panel, with its type, status, priority, people and when it
/// last changed. `search` is the Tickets app's query string, kept on the link so
/// closing the panel keeps the filters. With `selection`, a checkbox picks the item
/// for a bulk change.
#[component]
pub fn ItemRow(
    item: Item,
    #[prop(into)] search: Signal<String>,
    #[prop(optional)] selection: Option<Selection>,
) -> impl IntoView {
    let id = item.id;
    let href = move || {
        let s = search.get();
        if s.is_empty() {
            format!("/tickets/{id}")
        } else {
            format!("/tickets/{id}?{s}")
        }
    };
    let requester = item.requester.as_ref().map(|r| r.name.clone()).unwrap_or_else(|| "No requester".into());
    let assignee = item.assignee_name.clone().unwrap_or_else(|| "Unassigned".into());
    let checkbox = selection.map(|selected| {
        let version = item.updated_at.clone();
        let label = format!("Select #{id} {}", item.title);
        view! {
            <input type="checkbox" class="item-row__select" aria-label=label
                prop:checked=move || selected.with(|s| s.contains_key(&id))
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    selected.update(|s| {
                        if on {
                            s.insert(id, version.clone());
                        } else {
                            s.remove(&id);
                        }
                    });
                } />
        }
    });
    let selectable = checkbox.is_some();
    let people_title = format!("Requester {requester}, assignee {assignee}");
    view! {
        <li class="item-row" class:item-row--selectable=selectable data-item-id=id>
            {checkbox}
            <span class="item-row__id">{format!("#{id}")}</span>
            {type_badge(item.item_type)}
            <a class="item-row__title" href=href>{item.title.clone()}</a>
            <span class="item-row__people" title=people_title>
                <span class="item-row__requester">{requester}" · "</span>
                <span class="item-row__assignee" data-testid="item-assignee">{assignee}</span>
            </span>
            {status_badge(item.status)}
            {priority_badge(item.priority)}
            <span class="item-row__updated">"Updated " <Timestamp at=item.updated_at.clone() /></span>
        </li>
    }
}
