//! The panel's History tab: what changed, who changed it and when, newest first.

use leptos::prelude::*;
use leptos::task::spawn_local;
use orgdesk_core::api::organization::HistoryEntry;

use super::OrgPanel;
use crate::api;
use crate::components::timestamp::Timestamp;

/// Entries fetched per page.
const PAGE: usize = 20;

#[component]
pub fn HistorySection(panel: OrgPanel) -> impl IntoView {
    let entries = RwSignal::new(Vec::<HistoryEntry>::new());
    let total = RwSignal::new(None::<i64>);
    let loading = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let generation = StoredValue::new(0u32);
    let load = move |offset: usize| {
        let mine = generation.get_value();
        loading.set(true);
        spawn_local(async move {
            let result = api::organization_history(panel.id, offset, PAGE).await;
            if generation.get_value() != mine {
                return;
            }
            loading.set(false);
            match result {
                Ok(page) => {
                    entries.update(|list| {
                        list.truncate(offset);
                        list.extend(page.items);
                    });
                    total.set(Some(page.total));
                    error.set(None);
                }
                Err(e) => error.set(Some(e.message())),
            }
        });
    };
    Effect::new(move |_| {
        panel.changed.track();
        generation.update_value(|g| *g = g.wrapping_add(1));
        load(0);
    });

    view! {
        <section class="panel__section org-section" data-section="history" aria-labelledby="org-history-title">
            <h3 class="panel__heading" id="org-history-title">"History"</h3>
            {move || error.get().map(|e| view! { <p class="notice notice--error" role="alert">{e}</p> })}
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
