//! The virtualized list: every row has the same height, so only the rows in view
//! (and a few around them) are in the DOM, and only their pages are fetched.

use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::customer_row::CustomerRow;
use super::drag::PointerDrag;
use super::group_header::GroupHeader;
use super::model::{Model, Row, PAGE, ROW_HEIGHT};
use super::CustomersState;
use crate::api;

/// Rows rendered above and below the visible ones.
const OVERSCAN: usize = 6;

#[component]
pub fn CustomerList(
    state: CustomersState,
    drag: PointerDrag,
    list: NodeRef<html::Div>,
    open_org: Memo<Option<i64>>,
    open_panel: Callback<i64>,
) -> impl IntoView {
    let model = state.model;
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

    let render_row = move |pos: usize, row: Row| {
        let top = format!("{}px", pos as f64 * ROW_HEIGHT);
        match row {
            Row::Header(g) => {
                view! { <GroupHeader state=state drag=drag group=g top=top open_org=open_org open_panel=open_panel /> }
                    .into_any()
            }
            Row::Member(g, i) => view! { <CustomerRow state=state drag=drag group=g member=i top=top /> }.into_any(),
        }
    };
    let total_height = move || format!("{}px", model.with(|m| m.total_rows()) as f64 * ROW_HEIGHT);

    view! {
        <div
            class="customers__list"
            class:customers__list--dragging=move || drag.is_dragging()
            node_ref=list
            role="region"
            aria-label="Customers by organization"
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
