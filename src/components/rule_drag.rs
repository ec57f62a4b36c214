//! Reordering a list of rules with the mouse: a press on a rule's handle becomes a
//! drag after a few pixels; the rule (`[data-rule-id]`) under the pointer is where it
//! goes; releasing there calls `on_drop(moved, target)`. The keyboard way (Move
//! up/Move down buttons) is the list's own.

use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Pointer travel before a press becomes a drag.
const DRAG_THRESHOLD: f64 = 5.0;

/// `ids` with `moved` taken out and put where `target` was: what dropping a dragged
/// rule on another does (`None` when nothing moves).
pub fn moved_onto(ids: &[i64], moved: i64, target: i64) -> Option<Vec<i64>> {
    let from = ids.iter().position(|i| *i == moved)?;
    let to = ids.iter().position(|i| *i == target)?;
    if from == to {
        return None;
    }
    let mut out = ids.to_vec();
    let id = out.remove(from);
    out.insert(to, id);
    Some(out)
}

#[derive(Clone, Copy)]
struct Press {
    rule: i64,
    x: f64,
    y: f64,
}

/// A drag in progress, for the rows' classes and their handles' `on:pointerdown`.
#[derive(Clone, Copy)]
pub struct RuleDrag {
    /// The rule being dragged.
    pub dragging: RwSignal<Option<i64>>,
    /// The rule under the pointer.
    pub over: RwSignal<Option<i64>>,
    press: StoredValue<Option<Press>>,
}

impl RuleDrag {
    /// For a handle's `on:pointerdown`: the main button may start a drag of `rule`.
    pub fn press(&self, e: &ev::PointerEvent, rule: i64) {
        if e.button() != 0 {
            return;
        }
        e.prevent_default();
        self.press.set_value(Some(Press { rule, x: f64::from(e.client_x()), y: f64::from(e.client_y()) }));
    }

    /// Is `rule` being dragged?
    pub fn is_dragged(&self, rule: i64) -> bool {
        self.dragging.get() == Some(rule)
    }

    /// Is a drag hovering over `rule` (another one)?
    pub fn is_over(&self, rule: i64) -> bool {
        self.over.get() == Some(rule) && self.dragging.get() != Some(rule)
    }
}

/// Follows the pointer over the window while a handle is pressed.
pub fn use_rule_drag(on_drop: Callback<(i64, i64)>) -> RuleDrag {
    let drag = RuleDrag { dragging: RwSignal::new(None), over: RwSignal::new(None), press: StoredValue::new(None) };
    let RuleDrag { dragging, over, press } = drag;
    let on_move = window_event_listener(ev::pointermove, move |e| {
        let Some(p) = press.get_value() else { return };
        let (x, y) = (f64::from(e.client_x()), f64::from(e.client_y()));
        if dragging.get_untracked().is_none() {
            if (x - p.x).hypot(y - p.y) < DRAG_THRESHOLD {
                return;
            }
            dragging.set(Some(p.rule));
        }
        let under = rule_under(x, y);
        if over.get_untracked() != under {
            over.set(under);
        }
    });
    let on_up = window_event_listener(ev::pointerup, move |_| {
        press.set_value(None);
        let ends = (dragging.get_untracked(), over.get_untracked());
        dragging.set(None);
        over.set(None);
        if let (Some(moved), Some(target)) = ends {
            if moved != target {
                on_drop.run((moved, target));
            }
        }
    });
    on_cleanup(move || {
        on_move.remove();
        on_up.remove();
    });
    drag
}

/// The rule (an element with `data-rule-id`) at a point of the window.
fn rule_under(x: f64, y: f64) -> Option<i64> {
    let el = document().element_from_point(x as f32, y as f32)?;
    let el: web_sys::Element = el.dyn_into().ok()?;
    el.closest("[data-rule-id]").ok()??.get_attribute("data-rule-id")?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::moved_onto;

    #[test]
    fn dropping_a_rule_on_another_takes_its_place() {
        assert_eq!(moved_onto(&[1, 2, 3, 4], 1, 3), Some(vec![2, 3, 1, 4]));
        assert_eq!(moved_onto(&[1, 2, 3, 4], 4, 2), Some(vec![1, 4, 2, 3]));
        assert_eq!(moved_onto(&[1, 2, 3], 2, 3), Some(vec![1, 3, 2]));
        assert_eq!(moved_onto(&[1, 2, 3], 2, 2), None);
        assert_eq!(moved_onto(&[1, 2, 3], 9, 2), None);
    }
}
