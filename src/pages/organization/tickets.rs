//! The panel's Tickets tab: counts by status and every item requested by a member,
//! with the Tickets app's filters (and optionally the child organizations' items).

use leptos::prelude::*;
use leptos::task::spawn_local;
use orgdesk_core::api::tickets::{GroupBy, Item, ItemGroup, ItemQuery, ItemStatus};
use orgdesk_core::word::Word;

use super::OrgPanel;
use crate::api;
use crate::components::error_notice::ErrorNotice;
use crate::components::item_field_filters::ItemFieldFilters;
use crate::components::item_row::ItemRow;
use crate::components::pager::Pager;
use crate::components::search_box::SearchBox;
// The item filter is the Tickets app's until it becomes one typed form in core.
use crate::pages::tickets::filters::{query_string, Filters};

/// Items per page.
const PAGE: usize = 25;

/// The API query of the tab: the filters, narrowed to the organization.
pub fn organization_query(filters: &Filters, organization: i64, offset: usize, limit: usize) -> ItemQuery {
    let mut q = filters.query.clone();
    q.organization = Some(organization.to_string());
    q.include_children = q.include_children.filter(|on| *on);
    q.offset = Some(offset as i64);
    q.limit = Some(limit as i64);
    q
}

#[component]
pub fn TicketsSection(panel: OrgPanel) -> impl IntoView {
    let filters = RwSignal::new(Filters::default());
    let offset = RwSignal::new(0usize);
    let items = RwSignal::new(None::<(Vec<Item>, i64)>);
    let counts = RwSignal::new(None::<Vec<ItemGroup>>);
    let error = RwSignal::new(None::<String>);
    let generation = StoredValue::new(0u32);
    let update = move |change: &dyn Fn(&mut Filters)| {
        filters.update(|f| change(f));
        offset.set(0);
    };

    Effect::new(move |_| {
        let f = filters.get();
        let from = offset.get();
        panel.changed.track();
        generation.update_value(|g| *g = g.wrapping_add(1));
        let mine = generation.get_value();
        let query = organization_query(&f, panel.id, from, PAGE);
        // Counts by status follow every filter but the statuses themselves.
        let mut count_query = organization_query(&f, panel.id, 0, 50);
        count_query.status = None;
        spawn_local(async move {
            let page = api::tickets::list_items(&query_string(&query)).await;
            let groups = api::tickets::list_item_groups(GroupBy::Status, &query_string(&count_query)).await;
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
    let on_text = move |v: String| update(&|f| f.query.q = (!v.is_empty()).then(|| v.clone()));

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
                    on_change=Callback::new(move |f: Filters| update(&|now| *now = f.clone())) />
                <span class="checkbox-field checkbox-field--light">
                    <input type="checkbox" id="org-items-children"
                        prop:checked=move || filters.with(|f| f.query.include_children == Some(true))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            update(&|f| f.query.include_children = on.then_some(true));
                        } />
                    <label for="org-items-children">"Include child organizations"</label>
                </span>
            </div>
            <ErrorNotice message=error />
            {move || match items.get() {
                None => view! { <p class="hint">"Loading…"</p> }.into_any(),
                Some((list, 0)) if list.is_empty() => view! {
                    <p class="empty-state">
                        {if filters.with(Filters::any) { "No items match these filters." } else { "No tickets or tasks from this organization yet." }}
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
                            <span class="hint">{format!("Items {}–{} of {total}", start + 1, start + shown)}</span>
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
        let mut f = Filters::default();
        f.query.organization = Some("none".into());
        f.query.status = Some("open".into());
        let q = organization_query(&f, 12, 25, 25);
        assert_eq!(q.organization.as_deref(), Some("12"));
        assert_eq!(q.status.as_deref(), Some("open"));
        assert_eq!((q.offset, q.limit, q.include_children), (Some(25), Some(25), None));
        f.query.include_children = Some(true);
        assert_eq!(organization_query(&f, 12, 0, 25).include_children, Some(true));
    }
}
