//! The panel's Tickets tab: counts by status and every item requested by a member,
//! with the Tickets app's filters (and optionally the child organizations' items).

use leptos::prelude::*;
use leptos::task::spawn_local;
use orgdesk_core::api::tickets::{GroupBy, Item, ItemGroup, ItemStatus};
use orgdesk_core::paging::Paging;
use orgdesk_core::tickets::ItemFilter;
use orgdesk_core::word::Word;

use super::OrgPanel;
use crate::api;
use crate::components::error_notice::ErrorNotice;
use crate::components::item_field_filters::{search_text, ItemFieldFilters};
use crate::components::item_row::ItemRow;
use crate::components::pager::Pager;
use crate::components::search_box::SearchBox;
use crate::text;

/// Items per page.
const PAGE: usize = 25;

/// The tab's filter as the API gets it: narrowed to the organization.
pub fn organization_filter(filter: &ItemFilter, organization: i64) -> ItemFilter {
    ItemFilter { organization: Some(Some(organization)), ..filter.clone() }
}

#[component]
pub fn TicketsSection(panel: OrgPanel) -> impl IntoView {
    let filters = RwSignal::new(ItemFilter::default());
    let offset = RwSignal::new(0usize);
    let items = RwSignal::new(None::<(Vec<Item>, i64)>);
    let counts = RwSignal::new(None::<Vec<ItemGroup>>);
    let error = RwSignal::new(None::<String>);
    let generation = StoredValue::new(0u32);
    let update = move |change: &dyn Fn(&mut ItemFilter)| {
        filters.update(|f| change(f));
        offset.set(0);
    };

    Effect::new(move |_| {
        let f = filters.get();
        let from = offset.get();
        panel.changed.track();
        generation.update_value(|g| *g = g.wrapping_add(1));
        let mine = generation.get_value();
        let filter = organization_filter(&f, panel.id);
        // Counts by status follow every filter but the statuses themselves.
        let count_filter = ItemFilter { statuses: Vec::new(), ..filter.clone() };
        spawn_local(async move {
            let page = api::tickets::list_items(&filter, Paging::new(from as i64, PAGE as i64)).await;
            let groups = api::tickets::list_item_groups(GroupBy::Status, &count_filter, Paging::default()).await;
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

    // The text filter, debounced.
    let text = RwSignal::new(String::new());
    let on_text = move |v: String| update(&|f| f.search = search_text(&v));

    view! {
        <section class="panel__section org-section" data-section="tickets" aria-labelledby="org-tickets-title">
            <h3 class="panel__heading" id="org-tickets-title">"Tickets and tasks"</h3>
            <ul class="org-counts" aria-label="Items by status">
                {move || counts.get().map(|groups| {
                    ItemStatus::ALL.iter().copied().map(|s| {
                        let n = groups.iter().find(|g| g.key == s.as_str()).map(|g| g.count).unwrap_or(0);
                        view! {
                            <li class="org-counts__item" data-status=s.as_str()>
                                <span class="org-counts__number">{n}</span>
                                <span class="org-counts__label">{s.label()}</span>
                            </li>
                        }
                    }).collect_view()
                })}
            </ul>
            <div class="filters org-filters" role="group" aria-label="Ticket filters">
                <div class="field">
                    <label class="field__label" for="org-items-text">"Search titles"</label>
                    <SearchBox text=text on_search=on_text delay_ms=300 class="field__input" id="org-items-text"
                        placeholder="Text, or #123" />
                </div>
                <ItemFieldFilters id_prefix="org-items" filters=filters
                    on_change=Callback::new(move |f: ItemFilter| update(&|now| *now = f.clone())) />
                <span class="checkbox-field checkbox-field--light">
                    <input type="checkbox" id="org-items-children"
                        prop:checked=move || filters.with(|f| f.include_children)
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            update(&|f| f.include_children = on);
                        } />
                    <label for="org-items-children">"Include child organizations"</label>
                </span>
            </div>
            <ErrorNotice message=error />
            {move || match items.get() {
                None => view! { <p class="hint">"Loading…"</p> }.into_any(),
                Some((list, 0)) if list.is_empty() => view! {
                    <p class="empty-state">
                        {if filters.with(|f| *f != ItemFilter::default()) { "No items match these filters." } else { "No tickets or tasks from this organization yet." }}
                    </p>
                }.into_any(),
                Some((list, total)) => {
                    let start = offset.get_untracked();
                    let shown = list.len();
                    view! {
                        <ul class="item-rows" aria-label="Organization items">
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
    fn the_tab_always_asks_for_this_organization() {
        let mut f = ItemFilter { organization: Some(None), statuses: vec![ItemStatus::Open], ..Default::default() };
        let filter = organization_filter(&f, 12);
        assert_eq!(filter.organization, Some(Some(12)));
        assert_eq!(filter.statuses, [ItemStatus::Open]);
        assert!(!filter.include_children);
        assert_eq!(filter.to_query(), "status=open&organization=12");
        f.include_children = true;
        assert_eq!(organization_filter(&f, 12).to_query(), "status=open&organization=12&include_children=true");
    }
}
