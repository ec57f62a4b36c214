//! The virtualized list: every row has the same height, so only the rows in view
//! (and a few around them) are in the DOM, and only their pages are fetched.
//!
//! It is one WAI-ARIA tree and one Tab stop: the list itself takes the focus and
//! names its active row with `aria-activedescendant` (rows come and go as the list
//! scrolls or reloads, the focus stays). Up and Down move, Right opens a group or
//! enters it, Left closes it or goes up to it, Home, End, Page Up and Page Down jump,
//! Enter opens (an organization's panel, a customer's profile; "No organization"
//! opens or closes), Space selects a customer (or opens or closes a group), and
//! Shift+F10 or the context menu key opens the row's actions; typing letters goes to
//! the next row whose name starts with them. The buttons and
//! checkboxes inside rows are for the mouse (`tabindex=-1`).

use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::customer_row::CustomerRow;
use super::drag::PointerDrag;
use super::group_header::GroupHeader;
use super::model::{Model, Row, TreeAction, PAGE, ROW_HEIGHT};
use super::row_menu::RowMenu;
use super::CustomersState;
use crate::api;

/// Rows rendered above and below the visible ones.
const OVERSCAN: usize = 6;

/// Letters typed within this many milliseconds of each other make one type-ahead search.
const TYPE_AHEAD_MS: f64 = 1000.0;

#[component]
pub fn CustomerList(
    state: CustomersState,
    drag: PointerDrag,
    list: NodeRef<html::Div>,
    open_org: Memo<Option<i64>>,
    open_panel: Callback<i64>,
    open_customer: Callback<i64>,
    /// A scroll position to go back to once the first rows arrived (when a search ends).
    restore_scroll: StoredValue<Option<i32>>,
) -> impl IntoView {
    let model = state.model;
    let CustomersState { active, selection, anchor, .. } = state;
    let scroll_top = RwSignal::new(0.0f64);
    let viewport = RwSignal::new(600.0f64);

    // Fetch whatever the visible rows need.
    Effect::new(move |_| {
        let m = model.get();
        let first = (scroll_top.get() / ROW_HEIGHT) as usize;
        let last = ((scroll_top.get() + viewport.get()) / ROW_HEIGHT) as usize + 1;
        let (org_pages, member_pages) = m.missing_pages(first.saturating_sub(OVERSCAN), last + OVERSCAN);
        for page in org_pages {
            model.update_untracked(|m| m.org_pages_requested.insert(page));
            let (generation, q, project) = (m.generation, m.query.clone(), m.project);
            spawn_local(async move {
                match api::organizations::list_followers_of(&q, project, page * PAGE, PAGE).await {
                    Ok(p) => model.update(|m| {
                        if m.generation == generation {
                            m.customer_count = p.customer_count;
                            m.add_org_page(page, p.items, p.total, p.unassigned_count)
                        }
                    }),
                    Err(e) => {
                        model.update_untracked(|m| m.org_pages_requested.remove(&page));
                        state.show(e.message(), true, None);
                    }
                }
            });
        }
        for (key, page) in member_pages {
            model.update_untracked(|m| {
                m.members.entry(key).or_default().requested.insert(page);
            });
            let (generation, q, project) = (m.generation, m.query.clone(), m.project);
            spawn_local(async move {
                match api::customers::list_members(key.organization_id(), &q, project, page * PAGE, PAGE).await {
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
                        state.show(e.message(), true, None);
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

    // Back to where the unfiltered list was, once its first rows are there again.
    Effect::new(move |_| {
        let loaded = model.with(|m| m.total_orgs.is_some() && !m.filtering());
        if !loaded {
            return;
        }
        if let Some(top) = restore_scroll.try_update_value(Option::take).flatten() {
            request_animation_frame(move || {
                if let Some(el) = list.get_untracked() {
                    el.set_scroll_top(top);
                    scroll_top.set(f64::from(el.scroll_top()));
                }
            });
        }
    });

    // The active row, wherever it went since (rows above it opened, closed or arrived).
    let active_pos = Memo::new(move |_| {
        let (hint, id) = active.get()?;
        model.with(|m| m.position_of(id, hint).or_else(|| m.total_rows().checked_sub(1).map(|last| hint.min(last))))
    });
    // `aria-activedescendant` names the active row only while it is in the DOM.
    let active_descendant = move || {
        let pos = active_pos.get()?;
        visible.with(|rows| rows.iter().any(|(_, p, _)| *p == pos)).then(|| model.with(|m| m.row_id(pos).dom_id()))
    };
    let set_active = move |pos: usize| {
        let id = model.with_untracked(|m| m.row_id(pos));
        active.set(Some((pos, id)));
    };
    // Scrolls the list so the row at `pos` is in view.
    let reveal = move |pos: usize| {
        let Some(el) = list.get_untracked() else { return };
        let top = pos as f64 * ROW_HEIGHT;
        let (now, height) = (f64::from(el.scroll_top()), f64::from(el.client_height()));
        if top < now {
            el.set_scroll_top(top as i32);
        } else if top + ROW_HEIGHT > now + height {
            el.set_scroll_top((top + ROW_HEIGHT - height).ceil() as i32);
        }
        scroll_top.set(f64::from(el.scroll_top()));
    };
    let typed = StoredValue::new((String::new(), 0.0f64));
    let on_key = move |e: ev::KeyboardEvent| {
        // Keys on a control inside a row (focused with the mouse) are that control's.
        if e.target() != e.current_target() || e.ctrl_key() || e.alt_key() || e.meta_key() {
            return;
        }
        let pos = active_pos.get_untracked().unwrap_or(0);
        // Type-ahead: letters typed within a second of each other go to the next row
        // whose name starts with them.
        let key = e.key();
        if key.chars().count() == 1 && key != " " {
            let now = js_sys::Date::now();
            let typed = typed.try_update_value(|(text, at)| {
                if now - *at > TYPE_AHEAD_MS {
                    text.clear();
                }
                text.push_str(&key);
                *at = now;
                text.clone()
            });
            if let Some(to) = typed.and_then(|t| model.with_untracked(|m| m.find_typed(pos, &t))) {
                e.prevent_default();
                set_active(to);
                reveal(to);
            }
            return;
        }
        let page = (viewport.get_untracked() / ROW_HEIGHT).floor() as usize;
        let Some(action) = model.with_untracked(|m| m.tree_action(pos, &e.key(), e.shift_key(), page)) else {
            return;
        };
        e.prevent_default();
        match action {
            TreeAction::Go(to) => {
                set_active(to);
                reveal(to);
            }
            TreeAction::Toggle(g) => {
                model.update(|m| m.toggle(g));
                set_active(pos);
            }
            TreeAction::OpenOrganization(id) => open_panel.run(id),
            TreeAction::OpenCustomer(id) => open_customer.run(id),
            TreeAction::Select(id, key) => {
                selection.update(|s| {
                    if s.remove(&id).is_none() {
                        s.insert(id, key);
                    }
                });
                if let Row::Member(g, i) = model.with_untracked(|m| m.row_at(pos)) {
                    anchor.set_value(Some((g, i)));
                }
            }
            TreeAction::Menu => {
                reveal(pos);
                let row = model.with_untracked(|m| m.row_id(pos));
                state.row_menu.set(Some(RowMenu { row, top: pos as f64 * ROW_HEIGHT }));
            }
        }
    };
    // Focusing the tree (Tab) makes a row active if none is: the first one in view.
    let on_focus = move |_| {
        if active.get_untracked().is_none() {
            let first = (scroll_top.get_untracked() / ROW_HEIGHT).ceil() as usize;
            if model.with_untracked(|m| m.total_rows()) > first {
                set_active(first);
            }
        }
    };
    // A press on a row makes it the active one (and the tree takes the focus, unless a
    // control in the row was pressed).
    let on_press = move |e: ev::PointerEvent| {
        use wasm_bindgen::JsCast;
        let Some(target) = e.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else { return };
        let Some(pos) = target
            .closest("[data-pos]")
            .ok()
            .flatten()
            .and_then(|row| row.get_attribute("data-pos"))
            .and_then(|p| p.parse::<usize>().ok())
        else {
            return;
        };
        set_active(pos);
        // A customer row's press is the start of a drag (no default focus): the tree takes
        // it here, without scrolling the page (the row must stay under the pointer).
        if !super::drag::is_control(&e) {
            if let Some(el) = list.get_untracked() {
                focus_without_scrolling(&el);
            }
        }
    };
    let is_active = Signal::derive(move || active_pos.get());

    let render_row = move |pos: usize, row: Row| {
        let top = format!("{}px", pos as f64 * ROW_HEIGHT);
        match row {
            Row::Header(g) => view! {
                <GroupHeader state=state drag=drag group=g pos=pos active=is_active top=top open_org=open_org
                    open_panel=open_panel />
            }
            .into_any(),
            Row::Member(g, i) => {
                view! { <CustomerRow state=state drag=drag group=g member=i pos=pos active=is_active top=top /> }
                    .into_any()
            }
        }
    };
    let total_height = move || format!("{}px", model.with(|m| m.total_rows()) as f64 * ROW_HEIGHT);

    view! {
        <div
            class="customers__list"
            class:customers__list--dragging=move || drag.is_dragging()
            node_ref=list
            role="tree"
            aria-label="Customers by organization"
            aria-multiselectable="true"
            tabindex="0"
            aria-activedescendant=active_descendant
            aria-describedby="customers-tree-keys"
            on:keydown=on_key
            on:focus=on_focus
            on:pointerdown=on_press
            on:scroll=move |_| {
                if let Some(el) = list.get_untracked() {
                    scroll_top.set(f64::from(el.scroll_top()));
                }
            }
        >
            <div class="customers__spacer" style:height=total_height>
                <For each=move || visible.get() key=|(key, _, _)| key.clone() children=move |(_, pos, row)| render_row(pos, row) />
            </div>
        </div>
        <p id="customers-tree-keys" class="visually-hidden">
            "Arrow keys move, Right and Left open and close a group, Enter opens, Space selects a customer, \
             Shift+F10 lists the row's actions."
        </p>
    }
}

/// Identifies a row by its position and everything it shows (the search's
/// generation too: its highlights).
fn row_key(m: &Model, pos: usize) -> String {
    let key = match m.row_at(pos) {
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
    };
    format!("{}:{key}", m.generation)
}

/// A row's `aria-level` (1: a group, 2: a customer); the view macro has no `aria-level`.
pub fn aria_level(level: &'static str) -> leptos::attr::custom::CustomAttr<&'static str, &'static str> {
    leptos::attr::custom::custom_attribute("aria-level", level)
}

/// `element.focus({ preventScroll: true })`.
fn focus_without_scrolling(el: &web_sys::HtmlElement) {
    use wasm_bindgen::JsCast;
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"preventScroll".into(), &true.into());
    if let Ok(focus) = js_sys::Reflect::get(el, &"focus".into()).and_then(|f| f.dyn_into::<js_sys::Function>()) {
        let _ = focus.call1(el, &options);
    }
}
