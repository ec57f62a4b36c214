//! One item in a list (the Tickets app, a project, an organization's Tickets tab).

use leptos::prelude::*;
use orgdesk_core::api::tickets::Item;

use crate::components::item_badges::{priority_badge, status_badge, type_badge};

/// A link to the item's panel, with its type, status, priority and people. `search`
/// is the Tickets app's query string, kept on the link so closing the panel keeps the filters.
#[component]
pub fn ItemRow(item: Item, #[prop(into)] search: Signal<String>) -> impl IntoView {
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
    view! {
        <li class="item-row" data-item-id=id>
            <span class="item-row__id">{format!("#{id}")}</span>
            {type_badge(item.item_type)}
            <a class="item-row__title" href=href>{item.title.clone()}</a>
            <span class="item-row__people">{requester}" · "{assignee}</span>
            {status_badge(item.status)}
            {priority_badge(item.priority)}
        </li>
    }
}
