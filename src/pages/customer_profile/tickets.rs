//! The profile's Tickets tab: the customer's items counted by status (each count a
//! link to the Tickets app filtered to them and that status) and their latest items.

use leptos::prelude::*;
use leptos::task::spawn_local;
use orgdesk_core::api::tickets::{GroupBy, Item, ItemGroup, ItemStatus};
use orgdesk_core::paging::Paging;
use orgdesk_core::tickets::ItemFilter;
use orgdesk_core::word::Word;

use super::ProfilePanel;
use crate::api;
use crate::components::error_notice::ErrorNotice;
use crate::components::item_row::ItemRow;
use crate::components::pager::Pager;
use crate::text;

/// Items per page.
const PAGE: usize = 25;

/// The Tickets app's query string for the customer's items, with `status` if any.
pub fn tickets_query(customer: i64, status: Option<ItemStatus>) -> String {
    ItemFilter { requester_id: Some(customer), statuses: status.into_iter().collect(), ..Default::default() }.to_query()
}

#[component]
pub fn TicketsSection(panel: ProfilePanel) -> impl IntoView {
    let offset = RwSignal::new(0usize);
    let items = RwSignal::new(None::<(Vec<Item>, i64)>);
    let counts = RwSignal::new(None::<Vec<ItemGroup>>);
    let error = RwSignal::new(None::<String>);
    let generation = StoredValue::new(0u32);
    let filter = ItemFilter { requester_id: Some(panel.id), ..Default::default() };
    let search = tickets_query(panel.id, None);

    Effect::new(move |_| {
        let from = offset.get();
        panel.changed.track();
        generation.update_value(|g| *g = g.wrapping_add(1));
        let mine = generation.get_value();
        let filter = filter.clone();
        spawn_local(async move {
            let page = api::tickets::list_items(&filter, Paging::new(from as i64, PAGE as i64)).await;
            let groups = api::tickets::list_item_groups(GroupBy::Status, &filter, Paging::default()).await;
            if generation.get_value() != mine {
                return;
            }
            match (page, groups) {
                (Ok(p), Ok(g)) => {
                    error.set(None);
                    items.set(Some((p.items, p.total)));
                    counts.set(Some(g.groups));
                }
                (Err(e), _) | (_, Err(e)) => error.set(Some(e.message())),
            }
        });
    });

    view! {
        <section class="panel__section org-section" data-section="tickets" aria-labelledby="profile-tickets-title">
            <div class="panel__section-head">
                <h3 class="panel__heading" id="profile-tickets-title">"Tickets and tasks"</h3>
                <a class="button button--small" href=format!("/tickets?{search}")>"Open in Tickets"</a>
            </div>
            <ul class="org-counts" aria-label="Items by status">
                {move || counts.get().map(|groups| {
                    ItemStatus::ALL.iter().copied().map(|s| {
                        let n = groups.iter().find(|g| g.key == s.as_str()).map(|g| g.count).unwrap_or(0);
                        let href = format!("/tickets?{}", tickets_query(panel.id, Some(s)));
                        view! {
                            <li class="org-counts__item" data-status=s.as_str()>
                                <a href=href aria-label=format!("{n} {}", s.label())>
                                    <span class="org-counts__number">{n}</span>
                                    <span class="org-counts__label">{s.label()}</span>
                                </a>
                            </li>
                        }
                    }).collect_view()
                })}
            </ul>
            <ErrorNotice message=error />
            {move || match items.get() {
                None => view! { <p class="hint">"Loading…"</p> }.into_any(),
                Some((list, 0)) if list.is_empty() => view! {
                    <p class="empty-state">"No tickets or tasks from this customer yet."</p>
                }.into_any(),
                Some((list, total)) => {
                    let start = offset.get_untracked();
                    let shown = list.len();
                    view! {
                        <ul class="item-rows" aria-label="Customer items">
                            {list.into_iter().map(|item| view! { <ItemRow item=item search="" /> }).collect_view()}
                        </ul>
                        <Pager label="Item pages" offset=offset page=PAGE start=start shown=shown total=total.max(0) as usize>
                            <span class="hint">{text::range_of("Items", start, shown, total.max(0) as usize)}</span>
                        </Pager>
                    }.into_any()
                }
            }}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_links_filter_the_tickets_app_to_the_customer_and_a_status() {
        assert_eq!(tickets_query(7, None), "requester_id=7");
        assert!(tickets_query(7, Some(ItemStatus::Open)).contains("requester_id=7"));
        assert!(tickets_query(7, Some(ItemStatus::Open)).contains("status=open"));
    }
}
