//! An item's history in the item panel: what routing rules (and later other
//! automations) changed, oldest first ("Routing rule 'ACME tasks' moved this ticket to
//! project Tasks for ACME Inc."), each with its time.

use leptos::prelude::*;
use leptos::task::spawn_local;
use orgdesk_core::api::routing::ItemHistoryEntry;

use crate::api;
use crate::components::error_notice::ErrorNotice;
use crate::components::timestamp::Timestamp;

/// The history of `item_id`; loads again whenever `changed` changes (the panel passes
/// the item's `updated_at`), keeping the lines shown meanwhile.
#[component]
pub fn ItemHistory(item_id: i64, #[prop(into)] changed: Signal<String>) -> impl IntoView {
    let entries = RwSignal::new(None::<Vec<ItemHistoryEntry>>);
    let error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        changed.track();
        spawn_local(async move {
            match api::routing::item_history(item_id).await {
                Ok(list) => {
                    error.set(None);
                    entries.set(Some(list));
                }
                Err(e) => error.set(Some(e.message())),
            }
        });
    });
    view! {
        <section class="panel__section item-history" aria-labelledby="item-history-title">
            <h3 class="panel__heading" id="item-history-title">"History"</h3>
            <ErrorNotice message=error />
            {move || match entries.get() {
                None if error.with(Option::is_none) => view! { <p class="hint">"Loading history…"</p> }.into_any(),
                None => ().into_any(),
                Some(list) if list.is_empty() => view! {
                    <p class="hint">"Nothing has changed this item automatically."</p>
                }.into_any(),
                Some(list) => view! {
                    <ol class="item-history__list" aria-label="History">
                        {list.into_iter().map(|e| view! {
                            <li class="item-history__entry" data-history-id=e.id.to_string()>
                                <span class="item-history__summary">{e.summary}</span>
                                <span class="hint item-history__time"><Timestamp at=e.created_at /></span>
                            </li>
                        }).collect_view()}
                    </ol>
                }.into_any(),
            }}
        </section>
    }
}
