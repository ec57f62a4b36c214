//! One entry of a history timeline (an organization's or a customer's): what
//! happened, then who ("Orgdesk" for the system) and when; `children` go between
//! (an organization's list of moved customers).

use leptos::prelude::*;
use orgdesk_core::api::organization::HistoryEntry;

use crate::components::timestamp::Timestamp;

#[component]
pub fn HistoryEntryItem(entry: HistoryEntry, #[prop(optional)] children: Option<Children>) -> impl IntoView {
    let who = if entry.agent_name.is_empty() { "Orgdesk".to_string() } else { entry.agent_name };
    view! {
        <li class="org-history__entry" data-action=entry.action>
            <p class="org-history__summary">{entry.summary}</p>
            {children.map(|c| c())}
            <p class="org-history__meta">
                <span class="org-history__who">{who}</span>" · "
                <Timestamp at=entry.created_at />
            </p>
        </li>
    }
}
