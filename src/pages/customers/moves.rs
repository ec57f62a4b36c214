//! Moving customers between organizations: ask the server first what the move does
//! to their items (and the agent, when items would follow), show the move at once,
//! roll it back if the server refuses, and offer Undo.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use orgdesk_core::api::customer_profile::MoveVia;
use orgdesk_core::api::tickets::MovePreview;
use orgdesk_core::api::{MoveCustomersRequest, MovedCustomer};

use super::model::{GroupKey, Model};
use super::{CustomersState, Dialogs};
use crate::api;
use crate::components::toast::Toast;
use crate::text::count_of;

/// A move waiting for the agent's confirmation, with what it does to items.
#[derive(Clone, Debug)]
pub struct PendingMove {
    pub moves: Vec<(i64, GroupKey)>,
    pub target: GroupKey,
    pub target_name: String,
    /// The organization the customers leave, when they all leave the same one.
    pub from_name: Option<String>,
    pub preview: MovePreview,
    /// How the agent asked for it (recorded in the customers' history).
    pub via: MoveVia,
}

impl CustomersState {
    /// Before a move, asks the server what it does to the customers' items: open items
    /// follow them, closed ones stay. When any would, the agent confirms first.
    pub fn request_move(self, moves: Vec<(i64, GroupKey)>, target: GroupKey, target_name: String, via: MoveVia) {
        let moving: Vec<(i64, GroupKey)> = moves.into_iter().filter(|(_, from)| *from != target).collect();
        if moving.is_empty() {
            return;
        }
        let ids: Vec<i64> = moving.iter().map(|(id, _)| *id).collect();
        let mut origins: Vec<GroupKey> = moving.iter().map(|(_, g)| *g).collect();
        origins.sort();
        origins.dedup();
        let from_name = (origins.len() == 1).then(|| self.model.with_untracked(|m| m.org_name(origins[0])));
        spawn_local(async move {
            match api::customers::move_preview(ids).await {
                Ok(preview) if preview.open_items > 0 || preview.closed_items > 0 => {
                    self.dialog.set(Some(Dialogs::ConfirmMove(PendingMove {
                        moves: moving,
                        target,
                        target_name,
                        from_name,
                        preview,
                        via,
                    })))
                }
                // Nothing to say, or the preview failed: the move itself decides.
                _ => self.perform_move(moving, target, target_name, via),
            }
        });
    }

    /// Moves, shown at once and rolled back if the server refuses.
    pub fn perform_move(self, moves: Vec<(i64, GroupKey)>, target: GroupKey, target_name: String, via: MoveVia) {
        let CustomersState { model, selection, toast, .. } = self;
        let moving: Vec<(i64, GroupKey)> = moves.iter().copied().filter(|(_, from)| *from != target).collect();
        if moving.is_empty() {
            return;
        }
        let before = model.get_untracked();
        let selected_before = selection.get_untracked();
        model.update(|m| m.apply_move(&moving, target));
        // The moved customers stay selected, in the group they are in now.
        selection.update(|s| {
            for (id, _) in &moving {
                if let Some(group) = s.get_mut(id) {
                    *group = target;
                }
            }
        });
        let ids: Vec<i64> = moving.iter().map(|(id, _)| *id).collect();
        let what = count_of(ids.len() as i64, "customer", "customers");
        let mut affected: Vec<GroupKey> = moving.iter().map(|(_, g)| *g).collect();
        affected.push(target);
        spawn_local(async move {
            let req =
                MoveCustomersRequest { customer_ids: ids, organization_id: target.organization_id(), via: Some(via) };
            match api::customers::move_customers(req).await {
                Ok(result) => {
                    model.update(|m| m.invalidate(&affected));
                    let undo = Callback::new(move |_| undo_move(result.moved.clone(), model, selection, toast));
                    self.show(format!("Moved {what} to {target_name}."), false, Some(undo));
                }
                Err(e) => {
                    if model.with_untracked(|m| m.generation) == before.generation {
                        model.set(before);
                    } else {
                        self.reload();
                    }
                    selection.set(selected_before);
                    self.show(format!("Could not move {what}: {}", e.message()), true, None);
                }
            }
        });
    }
}

/// Puts moved customers back where they were, one request per original group.
/// The list is fetched again in place: its open groups, scroll position and selection stay.
fn undo_move(
    moved: Vec<MovedCustomer>,
    model: RwSignal<Model>,
    selection: RwSignal<BTreeMap<i64, GroupKey>>,
    toast: RwSignal<Option<Toast>>,
) {
    spawn_local(async move {
        let mut by_origin: BTreeMap<Option<i64>, Vec<i64>> = BTreeMap::new();
        for m in moved {
            by_origin.entry(m.from_organization_id).or_default().push(m.customer_id);
        }
        selection.update(|s| {
            for (origin, ids) in &by_origin {
                for id in ids {
                    if let Some(group) = s.get_mut(id) {
                        *group = GroupKey::from_organization_id(*origin);
                    }
                }
            }
        });
        let mut failed = None;
        for (organization_id, customer_ids) in by_origin {
            let req = MoveCustomersRequest { customer_ids, organization_id, via: Some(MoveVia::Undo) };
            if let Err(e) = api::customers::move_customers(req).await {
                failed = Some(e.message());
            }
        }
        model.update(|m| m.refresh());
        let (text, error) = match failed {
            Some(e) => (format!("Could not undo the move: {e}"), true),
            None => ("Move undone.".to_string(), false),
        };
        toast.set(Some(Toast { text, error, undo: None }));
    });
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
