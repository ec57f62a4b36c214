//! The panel's History tab: what changed, who changed it and when, newest first.

use leptos::prelude::*;
use orgdesk_core::api::organization::HistoryEntry;

use super::OrgPanel;
use crate::api;
use crate::components::error_notice::ErrorNotice;
use crate::components::paged_list::PagedList;
use crate::components::timestamp::Timestamp;

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
                        let who = if e.agent_name.is_empty() { "Orgdesk".to_string() } else { e.agent_name.clone() };
                        view! {
                            <li class="org-history__entry" data-action=e.action.clone()>
                                <p class="org-history__summary">{e.summary.clone()}</p>
                                <p class="org-history__meta">
                                    <span class="org-history__who">{who}</span>" · "
                                    <Timestamp at=e.created_at.clone() />
                                </p>
                            </li>
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
