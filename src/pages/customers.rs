//! The Customers app: every customer under their organization, in collapsible
//! groups, virtualized (only the rows in view are in the DOM; groups and members
//! are fetched a page at a time). Customers move between organizations by
//! dragging with the mouse (pointer events), or with "Move to organization…".

mod model;

use std::collections::BTreeMap;
use std::time::Duration;

use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::Outlet;
use leptos_router::hooks::{use_location, use_navigate};
use orgdesk_core::api::work::{MovePreview, StartedConversation};
use orgdesk_core::api::{Customer, MoveCustomersRequest, MovedCustomer, Organization};
use wasm_bindgen::JsCast;

use crate::api;
use crate::components::add_customer_dialog::AddCustomerDialog;
use crate::components::conversation_form::{ConversationForm, ConversationTarget};
use crate::components::debounce::Debounce;
use crate::components::dialog::Dialog;
use crate::components::edit_customer_dialog::{CustomerEdit, EditCustomerDialog};
use crate::components::move_dialog::MoveDialog;
use crate::components::organization_dialog::OrganizationDialog;
use crate::components::toast::{Toast, ToastView};
use crate::pages::projects::notified_text;
use model::{GroupIndex, GroupKey, Model, Row, PAGE};

/// Every row is this tall, so the list can place rows without measuring them.
const ROW_HEIGHT: f64 = 44.0;
/// Rows rendered above and below the visible ones.
const OVERSCAN: usize = 6;
/// Pointer travel before a press becomes a drag.
const DRAG_THRESHOLD: f64 = 5.0;
/// Distance from the list's edge at which dragging scrolls it.
const EDGE: f64 = 48.0;

#[derive(Clone, Debug)]
enum Dialogs {
    AddCustomer,
    AddOrganization,
    EditOrganization(Organization),
    DeleteOrganization(Organization, i64),
    EditCustomer(Customer),
    Move,
    /// A move that takes items along: asks first.
    ConfirmMove(PendingMove),
    MessageOrganization(Organization),
}

/// A move waiting for the agent's confirmation, with what it does to items.
#[derive(Clone, Debug)]
struct PendingMove {
    moves: Vec<(i64, GroupKey)>,
    target: GroupKey,
    target_name: String,
    /// The organization the customers leave, when they all leave the same one.
    from_name: Option<String>,
    preview: MovePreview,
}

#[derive(Clone, Debug, PartialEq)]
struct Drag {
    /// (customer id, the group it is in)
    moves: Vec<(i64, GroupKey)>,
    label: String,
    x: f64,
    y: f64,
    over: Option<GroupKey>,
}

#[derive(Clone, Copy, Debug)]
struct Press {
    x: f64,
    y: f64,
    customer: i64,
    group: GroupKey,
    index: GroupIndex,
    member: usize,
}

/// What the organization panel (in the page's outlet) shares with the list.
#[derive(Clone, Copy)]
pub struct CustomersContext {
    /// Fetches the list again (after the panel renamed an organization or moved customers).
    pub reload: Callback<()>,
}

/// The organization whose panel is open, from the URL (`/organizations/{id}`).
fn open_organization(path: &str) -> Option<i64> {
    path.strip_prefix("/organizations/")?.trim_end_matches('/').parse().ok()
}

#[component]
pub fn CustomersPage() -> impl IntoView {
    let location = use_location();
    let open_org = Memo::new(move |_| location.pathname.with(|p| open_organization(p)));
    let navigate = use_navigate();
    // Double-click or Enter on a group opens its panel beside the list.
    let open_panel = Callback::new(move |id: i64| navigate(&format!("/organizations/{id}"), Default::default()));
    let model = RwSignal::new(Model::default());
    let search = RwSignal::new(String::new());
    let scroll_top = RwSignal::new(0.0f64);
    let viewport = RwSignal::new(600.0f64);
    // Selected customers and the group each is in.
    let selection = RwSignal::new(BTreeMap::<i64, GroupKey>::new());
    let anchor = StoredValue::new(None::<(GroupIndex, usize)>);
    let toast = RwSignal::new(None::<Toast>);
    let dialog = RwSignal::new(None::<Dialogs>);
    let drag = RwSignal::new(None::<Drag>);
    let press = StoredValue::new(None::<Press>);
    let list = NodeRef::<html::Div>::new();
    let search_timer = Debounce::new(Duration::from_millis(250));

    let show =
        move |text: String, error: bool, undo: Option<Callback<()>>| toast.set(Some(Toast { text, error, undo }));
    let reload = move || {
        let q = model.with_untracked(|m| m.query.clone());
        model.update(|m| m.reset(q));
        selection.set(BTreeMap::new());
    };
    provide_context(CustomersContext { reload: Callback::new(move |_| reload()) });

    // Fetch whatever the visible rows need.
    Effect::new(move |_| {
        let m = model.get();
        let first = (scroll_top.get() / ROW_HEIGHT) as usize;
        let last = ((scroll_top.get() + viewport.get()) / ROW_HEIGHT) as usize + 1;
        let (org_pages, member_pages) = m.missing_pages(first.saturating_sub(OVERSCAN), last + OVERSCAN);
        for page in org_pages {
            model.update_untracked(|m| m.org_pages_requested.insert(page));
            let (generation, q) = (m.generation, m.query.clone());
            spawn_local(async move {
                match api::list_organizations(&q, page * PAGE, PAGE).await {
                    Ok(p) => model.update(|m| {
                        if m.generation == generation {
                            m.add_org_page(page, p.items, p.total, p.unassigned_count)
                        }
                    }),
                    Err(e) => {
                        model.update_untracked(|m| m.org_pages_requested.remove(&page));
                        show(e.message(), true, None);
                    }
                }
            });
        }
        for (key, page) in member_pages {
            model.update_untracked(|m| {
                m.members.entry(key).or_default().requested.insert(page);
            });
            let (generation, q) = (m.generation, m.query.clone());
            spawn_local(async move {
                match api::list_members(key.organization_id(), &q, page * PAGE, PAGE).await {
                    Ok(p) => model.update(|m| {
                        if m.generation == generation {
                            m.add_member_page(key, page, p.items, p.total)
                        }
                    }),
                    Err(e) => {
                        model.update_untracked(|m| {
                            if let Some(members) = m.members.get_mut(&key) {
                                members.requested.remove(&page);
                            }
                        });
                        show(e.message(), true, None);
                    }
                }
            });
        }
    });

    // Keep the viewport height in step with the window.
    let measure = move || {
        if let Some(el) = list.get_untracked() {
            viewport.set(f64::from(el.client_height()));
        }
    };
    Effect::new(move |_| {
        if list.get().is_some() {
            measure();
        }
    });
    let resize = window_event_listener(ev::resize, move |_| measure());
    on_cleanup(move || resize.remove());

    let on_search = move |ev: ev::Event| {
        let value = event_target_value(&ev);
        search.set(value.clone());
        search_timer.run(move || {
            model.update(|m| m.reset(value.trim().to_string()));
            selection.set(BTreeMap::new());
            if let Some(el) = list.get_untracked() {
                el.set_scroll_top(0);
            }
        });
    };

    // Moves, shown at once and rolled back if the server refuses.
    let perform_move = move |moves: Vec<(i64, GroupKey)>, target: GroupKey, target_name: String| {
        let moving: Vec<(i64, GroupKey)> = moves.iter().copied().filter(|(_, from)| *from != target).collect();
        if moving.is_empty() {
            return;
        }
        let before = model.get_untracked();
        model.update(|m| m.apply_move(&moving, target));
        selection.set(BTreeMap::new());
        let ids: Vec<i64> = moving.iter().map(|(id, _)| *id).collect();
        let n = ids.len();
        let what = if n == 1 { "1 customer".to_string() } else { format!("{n} customers") };
        let mut affected: Vec<GroupKey> = moving.iter().map(|(_, g)| *g).collect();
        affected.push(target);
        spawn_local(async move {
            let req = MoveCustomersRequest { customer_ids: ids, organization_id: target.organization_id() };
            match api::move_customers(req).await {
                Ok(result) => {
                    model.update(|m| m.invalidate(&affected));
                    let undo = Callback::new(move |_| undo_move(result.moved.clone(), model, toast));
                    show(format!("Moved {what} to {target_name}."), false, Some(undo));
                }
                Err(e) => {
                    if model.with_untracked(|m| m.generation) == before.generation {
                        model.set(before);
                    } else {
                        reload();
                    }
                    show(format!("Could not move {what}: {}", e.message()), true, None);
                }
            }
        });
    };

    // Before a move, ask the server what it does to the customers' items: open items
    // follow them, closed ones stay. When any would, the agent confirms first.
    let request_move = move |moves: Vec<(i64, GroupKey)>, target: GroupKey, target_name: String| {
        let moving: Vec<(i64, GroupKey)> = moves.into_iter().filter(|(_, from)| *from != target).collect();
        if moving.is_empty() {
            return;
        }
        let ids: Vec<i64> = moving.iter().map(|(id, _)| *id).collect();
        let mut origins: Vec<GroupKey> = moving.iter().map(|(_, g)| *g).collect();
        origins.sort();
        origins.dedup();
        let from_name = (origins.len() == 1).then(|| model.with_untracked(|m| m.org_name(origins[0])));
        spawn_local(async move {
            match api::move_preview(ids).await {
                Ok(preview) if preview.open_items > 0 || preview.closed_items > 0 => {
                    dialog.set(Some(Dialogs::ConfirmMove(PendingMove {
                        moves: moving,
                        target,
                        target_name,
                        from_name,
                        preview,
                    })))
                }
                // Nothing to say, or the preview failed: the move itself decides.
                _ => perform_move(moving, target, target_name),
            }
        });
    };

    // Dragging: a press on a row becomes a drag after a few pixels; the group
    // under the pointer is the drop target; near the list's edges the list scrolls.
    let target_under = move |x: f64, y: f64| -> Option<GroupKey> {
        let el = document().element_from_point(x as f32, y as f32)?;
        let group = el.closest("[data-drop-group]").ok()??;
        GroupKey::parse_attr(&group.get_attribute("data-drop-group")?)
    };
    let on_move = window_event_listener(ev::pointermove, move |e| {
        let (x, y) = (f64::from(e.client_x()), f64::from(e.client_y()));
        if drag.with_untracked(Option::is_some) {
            let over = target_under(x, y);
            drag.update(|d| {
                if let Some(d) = d {
                    d.x = x;
                    d.y = y;
                    d.over = over;
                }
            });
            return;
        }
        let Some(p) = press.get_value() else { return };
        if (x - p.x).hypot(y - p.y) < DRAG_THRESHOLD {
            return;
        }
        let selected = selection.get_untracked();
        let moves: Vec<(i64, GroupKey)> = if selected.contains_key(&p.customer) {
            selected.into_iter().collect()
        } else {
            vec![(p.customer, p.group)]
        };
        let label = if moves.len() == 1 {
            model
                .with_untracked(|m| m.member(p.index, p.member).map(|c| c.display_name()))
                .unwrap_or_else(|| "1 customer".into())
        } else {
            format!("{} customers", moves.len())
        };
        drag.set(Some(Drag { moves, label, x, y, over: target_under(x, y) }));
    });
    let on_up = window_event_listener(ev::pointerup, move |_| {
        press.set_value(None);
        if let Some(d) = drag.get_untracked() {
            drag.set(None);
            if let Some(target) = d.over {
                let name = model.with_untracked(|m| m.org_name(target));
                request_move(d.moves, target, name);
            }
        }
    });
    // Scroll while a drag hovers near the top or bottom edge.
    let autoscroll = set_interval_with_handle(
        move || {
            let Some(d) = drag.get_untracked() else { return };
            let Some(el) = list.get_untracked() else { return };
            let rect = el.get_bounding_client_rect();
            let step = if d.y < rect.top() + EDGE {
                -(ROW_HEIGHT / 2.0)
            } else if d.y > rect.bottom() - EDGE {
                ROW_HEIGHT / 2.0
            } else {
                return;
            };
            el.set_scroll_top(el.scroll_top() + step as i32);
            let over = target_under(d.x, d.y);
            drag.update(|d| {
                if let Some(d) = d {
                    d.over = over;
                }
            });
        },
        Duration::from_millis(40),
    )
    .ok();
    on_cleanup(move || {
        on_move.remove();
        on_up.remove();
        if let Some(h) = autoscroll {
            h.clear();
        }
    });

    // The rows in view, each with a key that changes whenever what it shows changes.
    let visible = Memo::new(move |_| {
        let first_px = scroll_top.get();
        let height = viewport.get();
        model.with(|m| {
            let total = m.total_rows();
            let first = ((first_px / ROW_HEIGHT) as usize).saturating_sub(OVERSCAN).min(total);
            let last = (((first_px + height) / ROW_HEIGHT) as usize + OVERSCAN + 1).min(total);
            (first..last).map(|pos| (row_key(m, pos), pos, m.row_at(pos))).collect::<Vec<_>>()
        })
    });

    let render_row = move |(pos, row): (usize, Row)| {
        let top = format!("top: {}px", pos as f64 * ROW_HEIGHT);
        match row {
            Row::Header(g) => {
                let (key, org, count, expanded) = model.with_untracked(|m| {
                    let key = m.key_at(g);
                    (
                        key,
                        m.orgs.get(&(g.max(0) as usize)).filter(|_| g >= 0).cloned(),
                        key.map(|k| m.count(k)),
                        m.expanded.contains_key(&g),
                    )
                });
                let Some(key) = key else {
                    return view! { <div class="org-group org-group--loading" style=top>"Loading…"</div> }.into_any();
                };
                let name = org.as_ref().map(|o| o.name.clone()).unwrap_or_else(|| "No organization".into());
                let domains = org.as_ref().map(|o| o.domains.join(", ")).unwrap_or_default();
                let count = count.unwrap_or(0);
                let searching = model.with_untracked(|m| !m.query.is_empty());
                let count_text = match (count, searching) {
                    (1, false) => "1 member".to_string(),
                    (n, false) => format!("{n} members"),
                    (1, true) => "1 match".to_string(),
                    (n, true) => format!("{n} matches"),
                };
                let toggle_label = format!("{} {name}", if expanded { "Collapse" } else { "Expand" });
                let is_target = move || drag.with(|d| d.as_ref().is_some_and(|d| d.over == Some(key)));
                let is_dragging = move || drag.with(Option::is_some);
                let org_id = org.as_ref().map(|o| o.id);
                let is_open = move || org_id.is_some() && open_org.get() == org_id;
                let actions = org.map(|o| {
                    let (edit, del, message) = (o.clone(), o.clone(), o.clone());
                    let open_label = format!("Open {}", o.name);
                    let id = o.id;
                    let edit_label = format!("Edit {}", o.name);
                    let delete_label = format!("Delete {}", o.name);
                    let message_label = format!("Message {}", o.name);
                    view! {
                        <button type="button" class="button button--small button--ghost" aria-label=open_label
                            on:click=move |_| open_panel.run(id)>
                            "Open"
                        </button>
                        <button type="button" class="button button--small button--ghost" aria-label=message_label
                            on:click=move |_| dialog.set(Some(Dialogs::MessageOrganization(message.clone())))>
                            "Message"
                        </button>
                        <button type="button" class="button button--small button--ghost" aria-label=edit_label
                            on:click=move |_| dialog.set(Some(Dialogs::EditOrganization(edit.clone())))>
                            "Edit"
                        </button>
                        <button type="button" class="button button--small button--ghost" aria-label=delete_label
                            on:click=move |_| dialog.set(Some(Dialogs::DeleteOrganization(del.clone(), count)))>
                            "Delete"
                        </button>
                    }
                });
                view! {
                    <div
                        class="org-group"
                        class:org-group--drop-target=is_target
                        class:org-group--droppable=is_dragging
                        class:org-group--unassigned={key == GroupKey::Unassigned}
                        class:org-group--open=is_open
                        data-drop-group=key.attr()
                        data-testid="org-group"
                        style=top
                        tabindex=org_id.map(|_| "0")
                        title=org_id.map(|_| "Double-click or press Enter to open")
                        aria-current=move || is_open().then_some("true")
                        on:click=move |e: ev::MouseEvent| {
                            // The second click of a double-click opens the organization.
                            if e.detail() == 2 && !is_control_click(&e) {
                                if let Some(id) = org_id {
                                    open_panel.run(id);
                                }
                            }
                        }
                        on:keydown=move |e: ev::KeyboardEvent| {
                            // Enter on the group itself (not on one of its buttons) opens it.
                            if e.key() == "Enter" && e.target() == e.current_target() {
                                if let Some(id) = org_id {
                                    e.prevent_default();
                                    open_panel.run(id);
                                }
                            }
                        }
                    >
                        <button
                            type="button"
                            class="org-group__toggle"
                            aria-expanded={if expanded { "true" } else { "false" }}
                            aria-label=toggle_label
                            on:click=move |_| model.update(|m| m.toggle(g))
                        >
                            {if expanded { "▾" } else { "▸" }}
                        </button>
                        <span class="org-group__name" on:click=move |e: ev::MouseEvent| {
                            // A double-click opens the panel; only its first click toggles.
                            if e.detail() <= 1 {
                                model.update(|m| m.toggle(g))
                            }
                        }>
                            {name}
                        </span>
                        <span class="org-group__domains">{domains}</span>
                        <span class="org-group__count">{count_text}</span>
                        <span class="org-group__actions">{actions}</span>
                    </div>
                }
                .into_any()
            }
            Row::Member(g, i) => {
                let (key, customer) = model.with_untracked(|m| (m.expanded.get(&g).copied(), m.member(g, i).cloned()));
                let (Some(key), Some(customer)) = (key, customer) else {
                    return view! { <div class="customer-row customer-row--loading" style=top>"Loading…"</div> }
                        .into_any();
                };
                let id = customer.id;
                let name = customer.display_name();
                let select_label = format!("Select {name}");
                let edit_label = format!("Edit {name}");
                let is_target = move || drag.with(|d| d.as_ref().is_some_and(|d| d.over == Some(key)));
                let is_selected = move || selection.with(|s| s.contains_key(&id));
                let is_moving =
                    move || drag.with(|d| d.as_ref().is_some_and(|d| d.moves.iter().any(|(c, _)| *c == id)));
                let on_check = move |e: ev::MouseEvent| {
                    let checked = event_target_checked(&e);
                    let range = e.shift_key().then(|| anchor.get_value()).flatten().filter(|(ag, _)| *ag == g);
                    selection.update(|s| match range {
                        Some((_, from)) => {
                            let (lo, hi) = if from <= i { (from, i) } else { (i, from) };
                            model.with_untracked(|m| {
                                for j in lo..=hi {
                                    if let Some(c) = m.member(g, j) {
                                        if checked {
                                            s.insert(c.id, key);
                                        } else {
                                            s.remove(&c.id);
                                        }
                                    }
                                }
                            });
                        }
                        None => {
                            if checked {
                                s.insert(id, key);
                            } else {
                                s.remove(&id);
                            }
                        }
                    });
                    anchor.set_value(Some((g, i)));
                };
                let on_down = move |e: ev::PointerEvent| {
                    if e.button() != 0 || is_control(&e) {
                        return;
                    }
                    e.prevent_default();
                    press.set_value(Some(Press {
                        x: f64::from(e.client_x()),
                        y: f64::from(e.client_y()),
                        customer: id,
                        group: key,
                        index: g,
                        member: i,
                    }));
                };
                let edit = customer.clone();
                view! {
                    <div
                        class="customer-row"
                        class:customer-row--selected=is_selected
                        class:customer-row--moving=is_moving
                        class:org-group--drop-target=is_target
                        data-drop-group=key.attr()
                        data-customer-id=id
                        style=top
                        on:pointerdown=on_down
                    >
                        <input type="checkbox" aria-label=select_label prop:checked=is_selected on:click=on_check />
                        <span class="customer-row__grip" aria-hidden="true">"⠿"</span>
                        <span class="customer-row__name">{name}</span>
                        <span class="customer-row__email">{customer.email.clone()}</span>
                        <span class="customer-row__position">{customer.position.clone()}</span>
                        <button type="button" class="button button--small button--ghost" aria-label=edit_label
                            on:click=move |_| dialog.set(Some(Dialogs::EditCustomer(edit.clone())))>
                            "Edit"
                        </button>
                    </div>
                }
                .into_any()
            }
        }
    };

    let selected_count = Signal::derive(move || selection.with(|s| s.len()));
    let total_height = move || format!("height: {}px", model.with(|m| m.total_rows()) as f64 * ROW_HEIGHT);
    let close = Callback::new(move |_| dialog.set(None));

    view! {
        <section class="page customers" class:customers--with-panel=move || open_org.get().is_some()>
            <div class="customers__toolbar">
                <h1 class="page__title">"Customers"</h1>
                <input
                    class="field__input customers__search"
                    type="search"
                    aria-label="Search customers"
                    placeholder="Search by name, email or organization"
                    prop:value=move || search.get()
                    on:input=on_search
                />
                <button type="button" class="button" disabled=move || selected_count.get() == 0
                    on:click=move |_| dialog.set(Some(Dialogs::Move))>
                    "Move to organization…"
                </button>
                <button type="button" class="button" on:click=move |_| dialog.set(Some(Dialogs::AddOrganization))>
                    "Add organization"
                </button>
                <button type="button" class="button button--primary" on:click=move |_| dialog.set(Some(Dialogs::AddCustomer))>
                    "Add customer"
                </button>
            </div>
            <p class="customers__summary" aria-live="polite">
                {move || {
                    let n = selected_count.get();
                    let orgs = model.with(|m| m.total_orgs);
                    let base = match orgs {
                        Some(1) => "1 organization".to_string(),
                        Some(n) => format!("{n} organizations"),
                        None => "Loading…".to_string(),
                    };
                    if n > 0 { format!("{base} · {n} selected (drag them, or use Move to organization…)") } else { base }
                }}
            </p>
            <div
                class="customers__list"
                class:customers__list--dragging=move || drag.with(Option::is_some)
                node_ref=list
                role="region"
                aria-label="Customers by organization"
                on:scroll=move |_| {
                    if let Some(el) = list.get_untracked() {
                        scroll_top.set(f64::from(el.scroll_top()));
                    }
                }
            >
                <div class="customers__spacer" style=total_height>
                    <For each=move || visible.get() key=|(key, _, _)| key.clone() children=move |(_, pos, row)| render_row((pos, row)) />
                </div>
            </div>
            {move || drag.get().map(|d| {
                let style = format!("left: {}px; top: {}px", d.x + 14.0, d.y + 10.0);
                view! { <div class="drag-ghost" style=style aria-hidden="true">{format!("Moving {}", d.label)}</div> }
            })}
            <Outlet />
            <ToastView toast=toast />
            {move || dialog.get().map(|d| match d {
                Dialogs::AddCustomer => view! {
                    <AddCustomerDialog on_close=close on_created=move |c: Customer| {
                        dialog.set(None);
                        let place = c.organization_name.clone().map(|o| format!("to {o}")).unwrap_or_else(|| "with no organization".into());
                        show(format!("Added {} {place}.", c.display_name()), false, None);
                        reload();
                    } />
                }.into_any(),
                Dialogs::AddOrganization => view! {
                    <OrganizationDialog on_close=close on_saved=move |o: Organization| {
                        dialog.set(None);
                        show(format!("Created {}.", o.name), false, None);
                        reload();
                    } />
                }.into_any(),
                Dialogs::EditOrganization(org) => view! {
                    <OrganizationDialog existing=org on_close=close on_saved=move |o: Organization| {
                        dialog.set(None);
                        show(format!("Saved {}.", o.name), false, None);
                        reload();
                    } />
                }.into_any(),
                Dialogs::DeleteOrganization(org, members) => view! {
                    <DeleteOrganization org=org members=members on_close=close on_deleted=move |name: String| {
                        dialog.set(None);
                        show(format!("Deleted {name}. Its members are now in No organization."), false, None);
                        reload();
                    } />
                }.into_any(),
                Dialogs::EditCustomer(c) => view! {
                    <EditCustomerDialog customer=c on_close=close on_done=move |done: CustomerEdit| {
                        dialog.set(None);
                        match done {
                            CustomerEdit::Saved(c) => show(format!("Saved {}.", c.display_name()), false, None),
                            CustomerEdit::Deleted(c) => show(format!("Deleted {}.", c.display_name()), false, None),
                        }
                        reload();
                    } />
                }.into_any(),
                Dialogs::Move => view! {
                    <MoveDialog count=selected_count on_close=close on_pick=move |(org, name): (Option<i64>, String)| {
                        dialog.set(None);
                        let moves: Vec<(i64, GroupKey)> = selection.get_untracked().into_iter().collect();
                        request_move(moves, GroupKey::from_organization_id(org), name);
                    } />
                }.into_any(),
                Dialogs::ConfirmMove(pending) => view! {
                    <ConfirmMove pending=pending on_close=close on_confirm=move |p: PendingMove| {
                        dialog.set(None);
                        perform_move(p.moves, p.target, p.target_name);
                    } />
                }.into_any(),
                Dialogs::MessageOrganization(org) => {
                    let title = format!("Message {}", org.name);
                    let members = org.member_count;
                    view! {
                        <Dialog id="message-organization" title=title on_close=close>
                            <p class="hint">
                                {if members == 1 { "Its 1 member receives this message by email.".to_string() } else { format!("Each of its {members} members receives this message by email.") }}
                            </p>
                            <ConversationForm
                                target=ConversationTarget::Organization(org.id)
                                subject_id="org-conversation-subject"
                                body_id="org-conversation-body"
                                submit_label="Send to all members"
                                on_sent=move |started: StartedConversation| {
                                    dialog.set(None);
                                    show(notified_text(started.notified, "member"), false, None);
                                }
                            />
                        </Dialog>
                    }.into_any()
                }
            })}
        </section>
    }
}

/// Identifies a row by its position and everything it shows.
fn row_key(m: &Model, pos: usize) -> String {
    match m.row_at(pos) {
        Row::Header(g) => {
            let key = m.key_at(g);
            let org = m.orgs.get(&(g.max(0) as usize)).filter(|_| g >= 0);
            let count = key.map(|k| m.count(k)).unwrap_or(-1);
            format!(
                "{pos}:h:{g}:{key:?}:{count}:{}:{}:{}",
                m.expanded.contains_key(&g),
                org.map(|o| o.name.as_str()).unwrap_or(""),
                org.map(|o| o.domains.join(",")).unwrap_or_default()
            )
        }
        Row::Member(g, i) => {
            let c = m.member(g, i);
            format!(
                "{pos}:m:{g}:{i}:{:?}:{}:{}:{}",
                c.map(|c| c.id),
                c.map(|c| c.display_name()).unwrap_or_default(),
                c.map(|c| c.email.as_str()).unwrap_or(""),
                c.map(|c| c.position.as_str()).unwrap_or("")
            )
        }
    }
}

/// A press on the checkbox or a button is not the start of a drag.
fn is_control(e: &ev::PointerEvent) -> bool {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| el.closest("input, button, a").ok().flatten().is_some())
}

/// A click on a button or field of a group header is not part of a double-click on the group.
fn is_control_click(e: &ev::MouseEvent) -> bool {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| el.closest("input, button, a").ok().flatten().is_some())
}

/// Puts moved customers back where they were, one request per original group.
fn undo_move(moved: Vec<MovedCustomer>, model: RwSignal<Model>, toast: RwSignal<Option<Toast>>) {
    spawn_local(async move {
        let mut by_origin: BTreeMap<Option<i64>, Vec<i64>> = BTreeMap::new();
        for m in moved {
            by_origin.entry(m.from_organization_id).or_default().push(m.customer_id);
        }
        let mut failed = None;
        for (organization_id, customer_ids) in by_origin {
            if let Err(e) = api::move_customers(MoveCustomersRequest { customer_ids, organization_id }).await {
                failed = Some(e.message());
            }
        }
        let q = model.with_untracked(|m| m.query.clone());
        model.update(|m| m.reset(q));
        let (text, error) = match failed {
            Some(e) => (format!("Could not undo the move: {e}"), true),
            None => ("Move undone.".to_string(), false),
        };
        toast.set(Some(Toast { text, error, undo: None }));
    });
}

#[component]
fn DeleteOrganization(
    org: Organization,
    members: i64,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_deleted: Callback<String>,
) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let name = org.name.clone();
    let remove = Action::new_local(move |_: &()| api::delete_organization(org.id));
    Effect::new(move |_| match remove.value().get() {
        Some(Ok(())) => on_deleted.run(name.clone()),
        Some(Err(e)) => error.set(Some(e.message())),
        None => {}
    });
    let who = if members == 1 { "Its 1 member becomes".to_string() } else { format!("Its {members} members become") };
    view! {
        <Dialog id="delete-organization" title=format!("Delete {}?", org.name) on_close=on_close>
            <p>{format!("{who} unassigned (No organization). No customer is deleted.")}</p>
            {move || error.get().map(|m| view! { <p class="notice notice--error" role="alert">{m}</p> })}
            <div class="form__actions">
                <button type="button" class="button button--danger" on:click=move |_| { remove.dispatch(()); }>
                    "Delete organization"
                </button>
                <button type="button" class="button" on:click=move |_| on_close.run(())>
                    "Cancel"
                </button>
            </div>
        </Dialog>
    }
}

/// "1 open item will move with them to Globex; 2 closed items stay with Acme."
pub fn move_warning(preview: &MovePreview, target: &str, from: Option<&str>) -> String {
    let mut parts = Vec::new();
    match preview.open_items {
        0 => {}
        1 => parts.push(format!("1 open item will move with them to {target}")),
        n => parts.push(format!("{n} open items will move with them to {target}")),
    }
    let stay = match from {
        Some("No organization") => "without an organization".to_string(),
        Some(name) => format!("with {name}"),
        None => "with their current organizations".to_string(),
    };
    match preview.closed_items {
        0 => {}
        1 => parts.push(format!("1 closed item stays {stay}")),
        n => parts.push(format!("{n} closed items stay {stay}")),
    }
    format!("{}.", parts.join("; "))
}

#[component]
fn ConfirmMove(
    pending: PendingMove,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_confirm: Callback<PendingMove>,
) -> impl IntoView {
    let n = pending.moves.len();
    let who = if n == 1 { "1 customer".to_string() } else { format!("{n} customers") };
    let title = format!("Move {who} to {}?", pending.target_name);
    let warning = move_warning(&pending.preview, &pending.target_name, pending.from_name.as_deref());
    let pending = StoredValue::new(pending);
    view! {
        <Dialog id="confirm-move" title=title on_close=on_close>
            <p class="notice notice--warning" role="alert">{warning}</p>
            <div class="form__actions">
                <button type="button" class="button button--primary" on:click=move |_| on_confirm.run(pending.get_value())>
                    "Move"
                </button>
                <button type="button" class="button" on:click=move |_| on_close.run(())>
                    "Cancel"
                </button>
            </div>
        </Dialog>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_move_warning_counts_open_and_closed_items() {
        let p = MovePreview { open_items: 2, closed_items: 1 };
        assert_eq!(
            move_warning(&p, "Globex", Some("Acme")),
            "2 open items will move with them to Globex; 1 closed item stays with Acme."
        );
        let p = MovePreview { open_items: 1, closed_items: 0 };
        assert_eq!(move_warning(&p, "Globex", None), "1 open item will move with them to Globex.");
        let p = MovePreview { open_items: 0, closed_items: 3 };
        assert_eq!(move_warning(&p, "Acme", Some("No organization")), "3 closed items stay without an organization.");
    }
}
