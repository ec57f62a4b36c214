//! `/portal/items`: the items the customer may see, newest first, searched as they
//! type, filtered by status, a page at a time. The server decides what is listed.
//! The search, the filter and the page live in the address (`?q=&status=&offset=`),
//! so Back from an item and a reload return to the same list.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use orgdesk_core::api::portal_items::PortalItem;
use orgdesk_core::paging::Paging;
use orgdesk_core::query_string::encode;

use crate::api;
use crate::components::error_notice::ErrorNotice;
use crate::components::item_badges::{priority_badge, status_badge, type_badge};
use crate::components::pager::Pager;
use crate::components::search_box::SearchBox;
use crate::components::select_field::SelectField;
use crate::components::timestamp::Timestamp;
use crate::text;

const PAGE: usize = 20;

/// The status filter's choices: (query value, label).
pub fn status_choices() -> Vec<(String, String)> {
    [("", "All items"), ("new,open,waiting", "Open"), ("resolved,closed", "Resolved or closed")]
        .into_iter()
        .map(|(v, l)| (v.to_string(), l.to_string()))
        .collect()
}

/// The list's address for a search, a status filter and a page (defaults left out).
pub fn list_url(q: &str, status: &str, offset: usize) -> String {
    let mut parts = Vec::new();
    if !q.trim().is_empty() {
        parts.push(format!("q={}", encode(q.trim())));
    }
    if !status.is_empty() {
        parts.push(format!("status={}", encode(status)));
    }
    if offset > 0 {
        parts.push(format!("offset={offset}"));
    }
    if parts.is_empty() {
        "/portal/items".into()
    } else {
        format!("/portal/items?{}", parts.join("&"))
    }
}

/// A status filter from the address: one of [`status_choices`], else all items.
fn known_status(value: Option<String>) -> String {
    value.filter(|v| status_choices().iter().any(|(c, _)| c == v)).unwrap_or_default()
}

#[component]
pub fn PortalItemsPage() -> impl IntoView {
    crate::hooks::use_title(|| Some("Your items".to_string()));
    let from_url = use_query_map().get_untracked();
    let text = RwSignal::new(from_url.get("q").unwrap_or_default());
    let query = RwSignal::new(text.get_untracked().trim().to_string());
    let status = RwSignal::new(known_status(from_url.get("status")));
    let offset = RwSignal::new(from_url.get("offset").and_then(|o| o.parse::<usize>().ok()).unwrap_or(0));
    let navigate = use_navigate();
    Effect::new(move |first_done: Option<()>| {
        let url = list_url(&query.get(), &status.get(), offset.get());
        if first_done.is_some() {
            navigate(&url, NavigateOptions { replace: true, scroll: false, ..Default::default() });
        }
    });
    let page = LocalResource::new(move || {
        let (q, s, o) = (query.get(), status.get(), offset.get());
        async move { api::portal_items::list_items(&q, &s, Paging::new(o as i64, PAGE as i64)).await }
    });
    let on_search = move |value: String| {
        offset.set(0);
        query.set(value);
    };
    let on_status = move |value: String| {
        offset.set(0);
        status.set(value);
    };
    view! {
        <section class="portal-items">
            <h1 class="page__title">"Your items"</h1>
            <div class="portal-items__filters">
                <div class="field">
                    <label class="field__label" for="portal-search">"Search"</label>
                    <SearchBox text=text on_search=on_search delay_ms=250 class="field__input" id="portal-search"
                        placeholder="Title or #number" />
                </div>
                <SelectField id="portal-status" label="Status" value=status options=status_choices() on_change=on_status />
            </div>
            <Transition fallback=|| view! { <p class="app-loading">"Loading your items…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(p) if p.total == 0 => {
                            let filtered = !query.get_untracked().is_empty() || !status.get_untracked().is_empty();
                            let text = if filtered {
                                "No items match this search."
                            } else {
                                "You have no items yet. Open a new ticket to ask for help."
                            };
                            view! { <p class="empty-state" role="status">{text}</p> }.into_any()
                        }
                        Ok(p) => {
                            let start = offset.get_untracked();
                            let shown = p.items.len();
                            let total = usize::try_from(p.total).unwrap_or(0);
                            view! {
                                <p class="page__summary" role="status">{text::range_of("Items", start, shown, total)}</p>
                                <ul class="portal-items__list" aria-label="Items">
                                    {p.items.into_iter().map(|item| view! { <PortalItemRow item=item /> }).collect_view()}
                                </ul>
                                <Pager label="Item pages" offset=offset page=PAGE start=start shown=shown total=total />
                            }
                            .into_any()
                        }
                        Err(e) => view! { <ErrorNotice message=e.message() /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn PortalItemRow(item: PortalItem) -> impl IntoView {
    let href = format!("/portal/items/{}", item.id);
    view! {
        <li class="portal-item" data-item-id=item.id.to_string()>
            <a class="portal-item__title" href=href>
                <span class="portal-item__number">{format!("#{}", item.id)}</span>
                " "
                <span>{item.title.clone()}</span>
            </a>
            <div class="portal-item__meta">
                {item.status.map(status_badge)}
                {item.priority.map(priority_badge)}
                {item.item_type.map(type_badge)}
                {item.project_name.clone().map(|p| view! { <span class="portal-item__project">{p}</span> })}
                <span class="portal-item__updated">"Updated " <Timestamp at=item.updated_at.clone() /></span>
            </div>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_keeps_only_what_differs_from_the_defaults() {
        assert_eq!(list_url("", "", 0), "/portal/items");
        assert_eq!(
            list_url(" printer ", "new,open,waiting", 20),
            "/portal/items?q=printer&status=new,open,waiting&offset=20"
        );
        assert_eq!(list_url("#12", "", 0), "/portal/items?q=%2312");
        assert_eq!(known_status(Some("resolved,closed".into())), "resolved,closed");
        assert_eq!(known_status(Some("burning".into())), "");
    }
}
