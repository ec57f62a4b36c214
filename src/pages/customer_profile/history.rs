//! The profile's History tab: created (by whom), organization changes (who and
//! how), invitations and property changes, newest first, a page at a time (keyset:
//! each page asks for the entries older than the last one shown).

use leptos::prelude::*;
use leptos::task::spawn_local;
use orgdesk_core::api::organization::HistoryEntry;

use super::ProfilePanel;
use crate::api;
use crate::components::error_notice::ErrorNotice;
use crate::components::history_entry::HistoryEntryItem;

/// Entries fetched per page.
const PAGE: usize = 20;

#[component]
pub fn HistorySection(panel: ProfilePanel) -> impl IntoView {
    let entries = RwSignal::new(Vec::<HistoryEntry>::new());
    // The `before` of the next page; `None` once the oldest entry is shown.
    let next = RwSignal::new(None::<i64>);
    let loaded = RwSignal::new(false);
    let loading = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let generation = StoredValue::new(0u32);
    let load = move |before: Option<i64>| {
        loading.set(true);
        let mine = generation.get_value();
        spawn_local(async move {
            let result = api::customer_profile::customer_history(panel.id, before, PAGE).await;
            if generation.get_value() != mine {
                return;
            }
            loading.set(false);
            match result {
                Ok(page) => {
                    error.set(None);
                    entries.update(|e| e.extend(page.items));
                    next.set(page.next_before);
                    loaded.set(true);
                }
                Err(e) => error.set(Some(e.message())),
            }
        });
    };
    Effect::new(move |_| {
        panel.changed.track();
        generation.update_value(|g| *g = g.wrapping_add(1));
        entries.set(Vec::new());
        next.set(None);
        load(None);
    });

    view! {
        <section class="panel__section org-section" data-section="history" aria-labelledby="profile-history-title">
            <h3 class="panel__heading" id="profile-history-title">"History"</h3>
            <ErrorNotice message=error />
            <ol class="timeline org-history" aria-label="Customer history">
                <For
                    each=move || entries.get()
                    key=|e| e.id
                    children=move |e| view! { <HistoryEntryItem entry=e /> }
                />
            </ol>
            <Show when=move || loaded.get() && entries.with(Vec::is_empty)>
                <p class="hint">"No changes recorded yet."</p>
            </Show>
            <Show when=move || next.get().is_some()>
                <button type="button" class="button button--small" disabled=move || loading.get()
                    on:click=move |_| load(next.get_untracked())>
                    "Show more"
                </button>
            </Show>
        </section>
    }
}
