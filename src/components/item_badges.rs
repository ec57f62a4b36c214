//! An item's type, status and priority as coloured badges.

use leptos::prelude::*;
use orgdesk_core::api::tickets::{ItemStatus, ItemType, Priority};
use orgdesk_core::word::Word;

pub fn status_badge(status: ItemStatus) -> impl IntoView {
    let class = format!("badge badge--status badge--{}", status.as_str());
    view! { <span class=class>{status.label()}</span> }
}

pub fn priority_badge(priority: Priority) -> impl IntoView {
    let class = format!("badge badge--priority badge--{}", priority.as_str());
    view! { <span class=class title="Priority">{priority.label()}</span> }
}

pub fn type_badge(item_type: ItemType) -> impl IntoView {
    let class = format!("badge badge--type badge--{}", item_type.as_str());
    view! { <span class=class>{item_type.label()}</span> }
}
