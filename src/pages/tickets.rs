//! The Tickets app: the open tickets and tasks, newest first, in one list unless
//! the URL groups them (by organization, project or status, on the server). Groups
//! come a page at a time with their counts; a group's items are fetched only when it
//! is opened, a page at a time, so a million items never reach the browser at once.
//! Filters live in the URL ("Assigned to me" and every status included): a reload
//! or a shared link shows the same list. Checkboxes pick items for a bulk change of
//! status, priority or assignee (one request, all or nothing).

mod filters;
mod item_panel;

use std::collections::{BTreeMap, HashSet};

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::Outlet;
use leptos_router::hooks::{use_location, use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use orgdesk_core::api::tickets::{BulkItemRef, BulkUpdateItemsRequest, Item, ItemGroup, ItemStatus, Priority};
use orgdesk_core::paging::Paging;
use orgdesk_core::tickets::{ItemFilter, ItemSearch};
use orgdesk_core::word::Word;

use crate::api;
use crate::components::error_notice::ErrorNotice;
use crate::components::item_field_filters::{search_text, ItemFieldFilters};
use crate::components::item_row::{ItemRow, Selection};
use crate::components::new_item_dialog::NewItemDialog;
use crate::components::paged_list::PagedList;
use crate::components::search_box::SearchBox;
use crate::components::search_picker::{Pick, PickerKind, SearchPicker};
use crate::components::select_field::SelectField;
use crate::components::toast::{Toast, ToastView};
use crate::pages::admin::import::model::thousands;
use filters::{Grouping, TicketsUrl, OPEN_STATUSES};
pub use item_panel::ItemPanel;

/// Groups fetched per page.
const GROUP_PAGE: usize = 50;
/// Items fetched per page within a group.
const ITEM_PAGE: usize = 25;

/// What the list and the item panel share: bump `version` after a change so the
/// list fetches again; `toast` shows a short message.
#[derive(Clone, Copy)]
pub struct TicketsContext {
    pub version: RwSignal<u32>,
    pub toast: RwSignal<Option<Toast>>,
    /// The page's query string, to keep the filters when opening or closing an item.
    pub search: Memo<String>,
    /// The items picked for a bulk change.
    pub selection: Selection,
    /// The signed-in agent ("Assigned to me").
    pub me: Memo<Option<i64>>,
}

#[derive(Clone, Debug, Default, PartialEq)]
struct Groups {
    generation: u32,
    groups: Vec<ItemGroup>,
    total_groups: i64,
    total_items: Option<i64>,
    loading: bool,
    error: Option<String>,
}

#[component]
pub fn TicketsPage() -> impl IntoView {
    crate::hooks::use_title(|| Some("Tickets".to_string()));
    let query_map = use_query_map();
    let filters = Memo::new(move |_| query_map.with(|m| TicketsUrl::read(|k| m.get(k))));
    let search = Memo::new(move |_| filters.with(TicketsUrl::search));
    let location = use_location();
    let navigate = use_navigate();
    let open_item = {
        let navigate = navigate.clone();
        Callback::new(move |id: i64| {
            let s = search.get_untracked();
            let url = if s.is_empty() { format!("/tickets/{id}") } else { format!("/tickets/{id}?{s}") };
            navigate(&url, Default::default());
        })
    };
    let version = RwSignal::new(0u32);
    let toast = RwSignal::new(None::<Toast>);
    let session = crate::state::use_session();
    let me = Memo::new(move |_| session.session().map(|s| s.agent.id));
    let selection: Selection = RwSignal::new(BTreeMap::new());
    provide_context(TicketsContext { version, toast, search, selection, me });
    // Another list, another selection.
    Effect::new(move |_| {
        filters.track();
        selection.set(BTreeMap::new());
    });
    let new_item = RwSignal::new(false);
    let expanded = RwSignal::new(HashSet::<String>::new());
    let groups = RwSignal::new(Groups::default());

    // Filters change the URL (replacing the entry: a filter is not a new page).
    let set_filters = Callback::new(move |f: TicketsUrl| {
        let path = location.pathname.get_untracked();
        let search = f.search();
        let url = if search.is_empty() { path } else { format!("{path}?{search}") };
        navigate(&url, NavigateOptions { replace: true, scroll: false, ..Default::default() });
    });
    let update = move |change: &dyn Fn(&mut TicketsUrl)| {
        let mut f = filters.get_untracked();
        change(&mut f);
        set_filters.run(f);
    };

    // Groups: page 0 whenever the filters or the data change; more on request.
    let load_groups = move |offset: usize| {
        let f = filters.get_untracked();
        let Some(by) = f.grouping.group_by() else { return };
        let generation = groups.with_untracked(|g| g.generation);
        groups.update(|g| g.loading = true);
        let paging = Paging::new(offset as i64, GROUP_PAGE as i64);
        spawn_local(async move {
            let result = api::tickets::list_item_groups(by, &f.query_filter(me.get_untracked()), paging).await;
            groups.update(|g| {
                if g.generation != generation {
                    return;
                }
                g.loading = false;
                match result {
                    Ok(page) => {
                        g.groups.truncate(offset);
                        g.groups.extend(page.groups);
                        g.total_groups = page.total_groups;
                        g.total_items = Some(page.total_items);
                        g.error = None;
                    }
                    Err(e) => g.error = Some(e.message()),
                }
            });
        });
    };
    let previous_grouping = StoredValue::new(None::<Grouping>);
    Effect::new(move |_| {
        let grouping = filters.with(|f| f.grouping);
        version.track();
        me.track();
        if previous_grouping.get_value() != Some(grouping) {
            expanded.set(HashSet::new());
            previous_grouping.set_value(Some(grouping));
        }
        groups.update(|g| *g = Groups { generation: g.generation.wrapping_add(1), ..Groups::default() });
        load_groups(0);
    });

    // The text filter, debounced; the box keeps what was typed while it means the URL's search.
    let search_in_url = move || filters.with(|f| f.filter.search.clone());
    let text = RwSignal::new(
        filters.with_untracked(|f| f.filter.search.as_ref().map(ItemSearch::to_text)).unwrap_or_default(),
    );
    Effect::new(move |_| {
        let search = search_in_url();
        if search_text(&text.get_untracked()) != search {
            text.set(search.as_ref().map(ItemSearch::to_text).unwrap_or_default());
        }
    });
    let on_text = move |v: String| update(&|f| f.filter.search = search_text(&v));

    let projects = LocalResource::new(|| api::projects::list_projects("all", "", 0, 200));
    let agents = LocalResource::new(api::agents::list_agents);
    let project_options = Signal::derive(move || {
        let mut options = vec![(String::new(), "All projects".to_string())];
        if let Some(Ok(page)) = projects.get() {
            options.extend(page.items.into_iter().map(|p| (p.id.to_string(), p.name)));
        }
        options
    });
    let agent_options = Signal::derive(move || {
        let mut options = vec![(String::new(), "Anyone".to_string()), ("none".to_string(), "Unassigned".to_string())];
        if let Some(Ok(list)) = agents.get() {
            options.extend(list.into_iter().map(|a| (a.id.to_string(), a.name)));
        }
        options
    });
    let grouping_options =
        Signal::derive(|| Grouping::all().map(|g| (g.as_str().to_string(), g.label().to_string())).collect());

    // The requester and organization filters show names; after a reload only the ids are known.
    let requester_pick = LocalResource::new(move || {
        let id = filters.with(|f| f.filter.requester_id);
        async move {
            match id {
                Some(id) => Some(match api::customers::get_customer(id).await {
                    Ok(c) => Pick { id, name: c.display_name(), detail: c.email },
                    Err(_) => Pick { id, name: format!("Customer #{id}"), detail: String::new() },
                }),
                None => None,
            }
        }
    });
    let organization_pick = LocalResource::new(move || {
        let org = filters.with(|f| f.filter.organization);
        async move {
            match org {
                Some(None) => Some(Pick { id: 0, name: "No organization".into(), detail: String::new() }),
                Some(Some(id)) => Some(match api::organizations::get_organization(id).await {
                    Ok(o) => Pick { id, name: o.name, detail: String::new() },
                    Err(_) => Pick { id, name: format!("Organization #{id}"), detail: String::new() },
                }),
                None => None,
            }
        }
    });

    let summary = move || {
        let f = filters.get();
        let g = groups.get();
        if f.grouping == Grouping::Ungrouped {
            return String::new();
        }
        match g.total_items {
            None => "Loading…".to_string(),
            Some(items) => {
                let item_word = if items == 1 { "item" } else { "items" };
                let group_word = if g.total_groups == 1 { "group" } else { "groups" };
                format!("{items} {item_word} in {} {group_word}", g.total_groups)
            }
        }
    };

    let filters_shown = RwSignal::new(false);
    view! {
        <section class="page tickets">
            <div class="page__toolbar">
                <h1 class="page__title">"Tickets"</h1>
                <SearchBox text=text on_search=on_text delay_ms=300 class="field__input page__search"
                    label="Search tickets" placeholder="Search titles, or #123 for an item" />
                <button type="button" class="button button--primary" on:click=move |_| new_item.set(true)>
                    "New ticket"
                </button>
                // Phones: the filters fold away behind this button, so the list shows first.
                <button type="button" class="button filters__toggle" aria-controls="ticket-filters"
                    aria-expanded=move || if filters_shown.get() { "true" } else { "false" }
                    on:click=move |_| filters_shown.update(|s| *s = !*s)>
                    {move || if filters.with(TicketsUrl::any) { "Filters (on)" } else { "Filters" }}
                </button>
            </div>
            <div class="filters" id="ticket-filters" role="group" aria-label="Filters"
                class:filters--folded=move || !filters_shown.get()>
                <SelectField id="filter-project" label="Project"
                    value=Signal::derive(move || filters.with(|f| f.filter.project_id.map(|p| p.to_string()).unwrap_or_default()))
                    options=project_options
                    on_change=move |v: String| update(&|f| f.filter.project_id = v.parse().ok()) />
                <ItemFieldFilters id_prefix="filter" filters=Signal::derive(move || filters.with(|f| f.filter.clone()))
                    on_change=Callback::new(move |filter: ItemFilter| update(&|f| f.filter = filter.clone())) />
                <SelectField id="filter-assignee" label="Assignee"
                    value=Signal::derive(move || filters.with(|f| match f.query_filter(me.get()).assignee {
                        None => String::new(),
                        Some(None) => "none".to_string(),
                        Some(Some(id)) => id.to_string(),
                    }))
                    options=agent_options
                    on_change=move |v: String| update(&|f| {
                        f.mine = false;
                        f.filter.assignee = match v.as_str() {
                            "none" => Some(None),
                            id => id.parse().ok().map(Some),
                        };
                    }) />
                <SearchPicker id="filter-requester" label="Requester" kind=PickerKind::Customer
                    selected=Signal::derive(move || requester_pick.get().flatten())
                    on_pick=move |p: Pick| update(&|f| f.filter.requester_id = Some(p.id))
                    on_clear=Callback::new(move |_| update(&|f| f.filter.requester_id = None)) />
                <div class="filters__organization">
                    <SearchPicker id="filter-organization" label="Organization" kind=PickerKind::Organization
                        selected=Signal::derive(move || organization_pick.get().flatten())
                        on_pick=move |p: Pick| update(&|f| f.filter.organization = Some(Some(p.id)))
                        on_clear=Callback::new(move |_| update(&|f| f.filter.organization = None)) />
                    <button type="button" class="button button--small button--ghost"
                        on:click=move |_| update(&|f| f.filter.organization = Some(None))>
                        "Only items without organization"
                    </button>
                </div>
                <SelectField id="filter-group" label="Group by"
                    value=Signal::derive(move || filters.with(|f| f.grouping.as_str().to_string()))
                    options=grouping_options
                    on_change=move |v: String| update(&|f| f.grouping = Grouping::parse(&v).unwrap_or_default()) />
                <Show when=move || filters.with(TicketsUrl::any)>
                    <button type="button" class="button button--small filters__clear"
                        on:click=move |_| update(&TicketsUrl::clear)>
                        "Clear filters"
                    </button>
                </Show>
            </div>
            <div class="ticket-views" role="group" aria-label="Quick filters">
                <button type="button" class="toggle-chip"
                    aria-pressed=move || if filters.with(TicketsUrl::open_only) { "true" } else { "false" }
                    on:click=move |_| update(&|f| {
                        f.filter.statuses = if f.open_only() { Vec::new() } else { OPEN_STATUSES.to_vec() };
                    })>
                    "Open items"
                </button>
                <button type="button" class="toggle-chip"
                    aria-pressed=move || if filters.with(|f| f.mine) { "true" } else { "false" }
                    on:click=move |_| update(&|f| {
                        f.mine = !f.mine;
                        f.filter.assignee = None;
                    })>
                    "Assigned to me"
                </button>
            </div>
            <BulkBar agent_options=agent_options />
            <p class="page__summary" aria-live="polite">{summary}</p>
            <ErrorNotice message=Signal::derive(move || groups.with(|g| g.error.clone())) />
            <div class="ticket-list" role="region" aria-label="Tickets">
                {move || {
                    if filters.with(|f| f.grouping == Grouping::Ungrouped) {
                        view! { <GroupItems key=None filters=filters /> }.into_any()
                    } else {
                        view! {
                            <For
                                each=move || groups.with(|g| g.groups.iter().map(|x| (g.generation, x.clone())).collect::<Vec<_>>())
                                key=|(generation, g)| format!("{generation}:{}:{}:{}", g.key, g.label, g.count)
                                children=move |(_, g)| view! { <GroupView group=g filters=filters expanded=expanded /> }
                            />
                            <Show when=move || groups.with(|g| !g.loading && g.total_items == Some(0))>
                                <p class="empty-state">
                                    {move || if filters.with(TicketsUrl::any) { "No items match these filters." } else { "No open tickets or tasks." }}
                                </p>
                            </Show>
                            <Show when=move || groups.with(|g| (g.groups.len() as i64) < g.total_groups)>
                                <button type="button" class="button ticket-list__more" disabled=move || groups.with(|g| g.loading)
                                    on:click=move |_| load_groups(groups.with_untracked(|g| g.groups.len()))>
                                    {move || groups.with(|g| format!("Show more groups ({} more)", g.total_groups - g.groups.len() as i64))}
                                </button>
                            </Show>
                        }
                        .into_any()
                    }
                }}
            </div>
            <Outlet />
            <ToastView toast=toast />
            <Show when=move || new_item.get()>
                <NewItemDialog
                    on_close=move |_| new_item.set(false)
                    on_created=move |item: Item| {
                        new_item.set(false);
                        toast.set(Some(Toast { text: format!("Created {} #{}.", item.item_type.as_str(), item.id), error: false, undo: None }));
                        version.update(|v| *v += 1);
                        open_item.run(item.id);
                    }
                />
            </Show>
        </section>
    }
}

/// One group: its header (a button that opens and closes it, with the count),
/// and when open, its items.
#[component]
fn GroupView(group: ItemGroup, filters: Memo<TicketsUrl>, expanded: RwSignal<HashSet<String>>) -> impl IntoView {
    let key = group.key.clone();
    let is_open = {
        let key = key.clone();
        move || expanded.with(|e| e.contains(&key))
    };
    let toggle = {
        let key = key.clone();
        move |_| {
            expanded.update(|e| {
                if !e.remove(&key) {
                    e.insert(key.clone());
                }
            })
        }
    };
    let count = if group.count == 1 { "1 item".to_string() } else { format!("{} items", group.count) };
    let label = group.label.clone();
    let toggle_label = {
        let is_open = is_open.clone();
        move || format!("{} {label}", if is_open() { "Collapse" } else { "Expand" })
    };
    let open_attr = {
        let is_open = is_open.clone();
        move || if is_open() { "true" } else { "false" }
    };
    let arrow = {
        let is_open = is_open.clone();
        move || if is_open() { "▾" } else { "▸" }
    };
    let is_none = key == "none";
    let items_key = key.clone();
    view! {
        <div class="ticket-group" data-testid="item-group" data-group-key=key.clone()>
            <button type="button" class="ticket-group__header" aria-expanded=open_attr aria-label=toggle_label on:click=toggle>
                <span class="ticket-group__arrow" aria-hidden="true">{arrow}</span>
                <span class="ticket-group__name" class:ticket-group__name--none=is_none>{group.label.clone()}</span>
                <span class="ticket-group__count">{count}</span>
            </button>
            <Show when=is_open>
                <GroupItems key=Some(items_key.clone()) filters=filters />
            </Show>
        </div>
    }
}

/// The items of one group (or of the whole list, ungrouped), a page at a time.
#[component]
fn GroupItems(key: Option<String>, filters: Memo<TicketsUrl>) -> impl IntoView {
    let ctx = expect_context::<TicketsContext>();
    let list = PagedList::<Item>::new();
    let PagedList { items, total, loading, error, .. } = list;
    // The server counts searches up to 1,000 items past the page: "1,000+ items".
    let capped = RwSignal::new(false);
    let key = StoredValue::new(key);
    let load = move |offset: usize| {
        let me = ctx.me.get_untracked();
        let filter = filters.with_untracked(|f| match key.get_value() {
            Some(k) => f.group_filter(&k, me),
            None => f.query_filter(me),
        });
        let paging = Paging::new(offset as i64, ITEM_PAGE as i64);
        list.load(offset, async move {
            api::tickets::list_items(&filter, paging).await.map(|page| {
                capped.set(page.total_capped);
                (page.items, page.total)
            })
        });
    };
    Effect::new(move |_| {
        filters.track();
        ctx.version.track();
        ctx.me.track();
        list.restart();
        items.set(Vec::new());
        total.set(None);
        load(0);
    });
    let search = ctx.search;
    let selection = ctx.selection;
    // A reloaded list shows newer versions of picked items: the change applies to what is shown.
    Effect::new(move |_| {
        items.with(|list| {
            selection.update(|s| {
                for i in list {
                    if let Some(v) = s.get_mut(&i.id) {
                        v.clone_from(&i.updated_at);
                    }
                }
            })
        })
    });
    let ungrouped = key.with_value(Option::is_none);
    let all_picked =
        move || items.with(|list| !list.is_empty() && selection.with(|s| list.iter().all(|i| s.contains_key(&i.id))));
    let pick_all = move |on: bool| {
        let shown: Vec<(i64, String)> =
            items.with_untracked(|l| l.iter().map(|i| (i.id, i.updated_at.clone())).collect());
        selection.update(|s| {
            for (id, version) in shown {
                if on {
                    s.insert(id, version);
                } else {
                    s.remove(&id);
                }
            }
        });
    };
    view! {
        <div class="ticket-group__items">
            {ungrouped.then(|| view! {
                <p class="page__summary ticket-group__total">
                    {move || match (total.get(), capped.get()) {
                        (Some(n), true) => format!("{}+ items", thousands(n)),
                        (Some(1), false) => "1 item".to_string(),
                        (Some(n), false) => format!("{n} items"),
                        (None, _) => String::new(),
                    }}
                </p>
            })}
            <ErrorNotice message=error />
            <Show when=move || items.with(|l| !l.is_empty())>
                <label class="item-rows__all checkbox-field checkbox-field--light">
                    <input type="checkbox" prop:checked=all_picked
                        on:change=move |ev| pick_all(event_target_checked(&ev)) />
                    {move || format!("Select all {} on this page", items.with(Vec::len))}
                </label>
            </Show>
            <ul class="item-rows">
                <For
                    each=move || items.get()
                    key=|item| (item.id, item.updated_at.clone(), item.title.clone(), item.status)
                    children=move |item| view! { <ItemRow item=item search=search selection=selection /> }
                />
            </ul>
            <Show when=move || total.get() == Some(0)>
                <p class="ticket-group__empty">"No items."</p>
            </Show>
            <Show when=move || total.get().is_some_and(|t| (items.with(Vec::len) as i64) < t)>
                <button type="button" class="button button--small ticket-list__more" disabled=move || loading.get()
                    on:click=move |_| load(items.with_untracked(Vec::len))>
                    {move || format!("Show more ({} more)", total.get().unwrap_or(0) - items.with(Vec::len) as i64)}
                </button>
            </Show>
            <Show when=move || loading.get() && total.get().is_none()>
                <p class="ticket-group__empty">"Loading…"</p>
            </Show>
        </div>
    }
}

/// The bar that appears once items are picked: set their status, priority or
/// assignee in one request (all or nothing), or clear the selection.
#[component]
fn BulkBar(agent_options: Signal<Vec<(String, String)>>) -> impl IntoView {
    let ctx = expect_context::<TicketsContext>();
    let selection = ctx.selection;
    let status = RwSignal::new(String::new());
    let priority = RwSignal::new(String::new());
    let assignee = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let count = move || selection.with(BTreeMap::len);
    let chosen = move || !(status.get().is_empty() && priority.get().is_empty() && assignee.get().is_empty());
    let status_options = Signal::derive(|| {
        let mut options = vec![(String::new(), "Keep the status".to_string())];
        options.extend(ItemStatus::ALL.iter().map(|s| (s.as_str().to_string(), s.label().to_string())));
        options
    });
    let priority_options = Signal::derive(|| {
        let mut options = vec![(String::new(), "Keep the priority".to_string())];
        options.extend(Priority::ALL.iter().map(|p| (p.as_str().to_string(), p.label().to_string())));
        options
    });
    let assignee_options = Signal::derive(move || {
        let mut options = vec![(String::new(), "Keep the assignee".to_string())];
        options.extend(agent_options.get().into_iter().filter(|(v, _)| !v.is_empty()));
        options
    });
    let reset = move || {
        status.set(String::new());
        priority.set(String::new());
        assignee.set(String::new());
    };
    let apply = move |_| {
        let req = BulkUpdateItemsRequest {
            items: selection
                .get_untracked()
                .into_iter()
                .map(|(id, updated_at)| BulkItemRef { id, updated_at })
                .collect(),
            status: ItemStatus::parse(&status.get_untracked()),
            priority: Priority::parse(&priority.get_untracked()),
            assignee_id: match assignee.get_untracked().as_str() {
                "" => None,
                "none" => Some(None),
                id => id.parse().ok().map(Some),
            },
        };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let result = api::tickets::bulk_update_items(&req).await;
            busy.set(false);
            match result {
                Ok(done) => {
                    let n = done.items.len() as i64;
                    ctx.toast.set(Some(Toast {
                        text: format!("Changed {}.", orgdesk_core::text::count(n, "item", "items")),
                        error: false,
                        undo: None,
                    }));
                    reset();
                    selection.set(BTreeMap::new());
                }
                // Someone changed an item meanwhile: nothing was written; the list shows theirs.
                Err(e) => {
                    error.set(Some(e.field_or_message("items")));
                    selection.set(BTreeMap::new());
                }
            }
            ctx.version.update(|v| *v += 1);
        });
    };
    view! {
        <Show when=move || { count() > 0 || error.with(Option::is_some) }>
            <div class="bulk-bar" role="group" aria-label="Change the selected items" data-testid="bulk-bar">
                <p class="bulk-bar__count" aria-live="polite">
                    {move || format!("{} selected", orgdesk_core::text::count(count() as i64, "item", "items"))}
                </p>
                <SelectField id="bulk-status" label="Status" value=status options=status_options
                    on_change=move |v: String| status.set(v) />
                <SelectField id="bulk-priority" label="Priority" value=priority options=priority_options
                    on_change=move |v: String| priority.set(v) />
                <SelectField id="bulk-assignee" label="Assignee" value=assignee options=assignee_options
                    on_change=move |v: String| assignee.set(v) />
                <div class="bulk-bar__actions">
                    <button type="button" class="button button--primary" on:click=apply
                        disabled=move || busy.get() || count() == 0 || !chosen()>
                        {move || format!("Apply to {}", orgdesk_core::text::count(count() as i64, "item", "items"))}
                    </button>
                    <button type="button" class="button" on:click=move |_| {
                        selection.set(BTreeMap::new());
                        error.set(None);
                        reset();
                    }>
                        "Clear selection"
                    </button>
                </div>
                <ErrorNotice message=error />
            </div>
        </Show>
    }
}
