//! The panel's History tab: what changed, who changed it and when, newest first. A
//! move names its first customers; a disclosure button lists all of them.

use leptos::prelude::*;
use orgdesk_core::api::organization::HistoryEntry;

use super::OrgPanel;
use crate::api;
use crate::components::error_notice::ErrorNotice;
use crate::components::history_entry::HistoryEntryItem;
use crate::components::paged_list::PagedList;

/// Entries fetched per page.
const PAGE: usize = 20;

#[component]
pub fn HistorySection(panel: OrgPanel) -> impl IntoView {
    let list = PagedList::<HistoryEntry>::new();
    let PagedList { items: entries, total, loading, error, .. } = list;
    let load = move |offset: usize| {
        list.load(offset, async move {
            api::organizations::organization_history(panel.id, offset, PAGE).await.map(|page| (page.items, page.total))
        })
    };
    Effect::new(move |_| {
        panel.changed.track();
        list.restart();
        load(0);
    });

    view! {
        <section class="panel__section org-section" data-section="history" aria-labelledby="org-history-title">
            <h3 class="panel__heading" id="org-history-title">"History"</h3>
            <ErrorNotice message=error />
            <ol class="timeline org-history" aria-label="Organization history">
                <For
                    each=move || entries.get()
                    key=|e| e.id
                    children=move |e| {
                        let (id, details) = (e.id, e.details.clone());
                        view! {
                            <HistoryEntryItem entry=e>
                                <MovedCustomers entry_id=id details=details />
                            </HistoryEntryItem>
                        }
                    }
                />
            </ol>
            <Show when=move || total.get() == Some(0)>
                <p class="hint">"No changes recorded yet."</p>
            </Show>
            <Show when=move || total.get().is_some_and(|t| (entries.with(Vec::len) as i64) < t)>
                <button type="button" class="button button--small" disabled=move || loading.get()
                    on:click=move |_| load(entries.with_untracked(Vec::len))>
                    "Show more"
                </button>
            </Show>
        </section>
    }
}

/// The customers a move names in its details (`customers`: id and name, the first
/// 50; `count`: all), behind a disclosure button when the sentence could not name them all.
#[component]
fn MovedCustomers(entry_id: i64, details: serde_json::Value) -> impl IntoView {
    let names: Vec<String> = details["customers"]
        .as_array()
        .map(|list| list.iter().filter_map(|c| c["name"].as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    let count = details["count"].as_i64().unwrap_or(names.len() as i64);
    // The sentence names two; a list is worth opening only beyond that.
    if count <= 2 || names.is_empty() {
        return ().into_any();
    }
    let open = RwSignal::new(false);
    let list_id = format!("moved-{entry_id}");
    let unlisted = count - names.len() as i64;
    let label = move || {
        if open.get() {
            "Hide the customers".to_string()
        } else {
            format!("Show all {}", orgdesk_core::text::count(count, "customer", "customers"))
        }
    };
    view! {
        <button type="button" class="button button--small button--ghost org-history__toggle"
            aria-expanded=move || if open.get() { "true" } else { "false" } aria-controls=list_id.clone()
            on:click=move |_| open.update(|o| *o = !*o)>
            {label}
        </button>
        <ul class="org-history__customers" id=list_id hidden=move || !open.get()>
            {names.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}
            {(unlisted > 0).then(|| view! { <li class="hint">{format!("and {unlisted} more, not listed")}</li> })}
        </ul>
    }
    .into_any()
}
