//! Dragging customers with the mouse: a press on a row becomes a drag after a few
//! pixels; the group under the pointer is the drop target; near the list's edges
//! the list scrolls.

use std::time::Duration;

use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::model::ROW_HEIGHT;
use super::model::{GroupIndex, GroupKey};
use super::CustomersState;

/// Pointer travel before a press becomes a drag.
const DRAG_THRESHOLD: f64 = 5.0;
/// Distance from the list's edge at which dragging scrolls it.
const EDGE: f64 = 48.0;

/// A drag in progress.
#[derive(Clone, Debug, PartialEq)]
pub struct Drag {
    /// (customer id, the group it is in)
    pub moves: Vec<(i64, GroupKey)>,
    pub label: String,
    pub x: f64,
    pub y: f64,
    pub over: Option<GroupKey>,
}

/// A press on a row that may become a drag.
#[derive(Clone, Copy, Debug)]
pub struct Press {
    pub x: f64,
    pub y: f64,
    pub customer: i64,
    pub group: GroupKey,
    pub index: GroupIndex,
    pub member: usize,
}

/// What the rows read (and write, on a press) of the drag.
#[derive(Clone, Copy)]
pub struct PointerDrag {
    pub drag: RwSignal<Option<Drag>>,
    pub press: StoredValue<Option<Press>>,
}

impl PointerDrag {
    /// Is a drag hovering over `group`?
    pub fn is_over(&self, group: GroupKey) -> bool {
        self.drag.with(|d| d.as_ref().is_some_and(|d| d.over == Some(group)))
    }

    pub fn is_dragging(&self) -> bool {
        self.drag.with(Option::is_some)
    }

    /// Is `customer` among the customers being dragged?
    pub fn is_moving(&self, customer: i64) -> bool {
        self.drag.with(|d| d.as_ref().is_some_and(|d| d.moves.iter().any(|(c, _)| *c == customer)))
    }
}

/// Follows the pointer over the window while a row is pressed. A drag takes the
/// selection when the pressed customer is selected, else the pressed customer;
/// releasing it over a group calls `on_drop` with the moves and that group.
pub fn use_pointer_drag(
    list: NodeRef<html::Div>,
    state: CustomersState,
    on_drop: Callback<(Vec<(i64, GroupKey)>, GroupKey)>,
) -> PointerDrag {
    let CustomersState { model, selection, .. } = state;
    let drag = RwSignal::new(None::<Drag>);
    let press = StoredValue::new(None::<Press>);

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
                on_drop.run((d.moves, target));
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
    PointerDrag { drag, press }
}

/// The group whose element (a header or a member row) is at the point.
fn target_under(x: f64, y: f64) -> Option<GroupKey> {
    let el = document().element_from_point(x as f32, y as f32)?;
    let group = el.closest("[data-drop-group]").ok()??;
    GroupKey::parse_attr(&group.get_attribute("data-drop-group")?)
}

/// A click or press on a checkbox, button or link is not the start of a drag
/// (nor part of a double-click on a group).
pub fn is_control(e: &ev::Event) -> bool {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| el.closest("input, button, a").ok().flatten().is_some())
}
