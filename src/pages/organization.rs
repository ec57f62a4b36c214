//! The organization detail panel (issue #5): everything about one organization,
//! beside the Customers list, at `/organizations/{id}`.
//!
//! The panel loads [`OrganizationDetail`] once and shares it with every section
//! through [`OrgPanel`]. A section that saves gets a fresh detail back (with the new
//! `version`) and hands it to [`OrgPanel::replace`]; a 409 on field `version` is
//! shown by [`OrgPanel::conflict`] with a Reload button.

pub mod contacts;
pub mod files;
pub mod members;
pub mod notes;
pub mod properties;

use leptos::prelude::*;
use orgdesk_core::api::organization::OrganizationDetail;

/// Shared by every section of one open panel.
#[derive(Clone, Copy)]
pub struct OrgPanel {
    pub id: i64,
    /// The loaded detail (`None` while loading or when it failed).
    pub detail: RwSignal<Option<OrganizationDetail>>,
    /// Bumped after a write that sections showing lists (members, tickets, history)
    /// should reload for.
    pub changed: RwSignal<u64>,
    /// "Changed by someone else" after a 409 on `version`; the panel offers Reload.
    pub conflict: RwSignal<Option<String>>,
}

impl OrgPanel {
    pub fn new(id: i64) -> Self {
        OrgPanel { id, detail: RwSignal::new(None), changed: RwSignal::new(0), conflict: RwSignal::new(None) }
    }

    /// The version to send with the next in-place edit.
    pub fn version(&self) -> i64 {
        self.detail.with_untracked(|d| d.as_ref().map(|d| d.version).unwrap_or(0))
    }

    /// Takes a write's answer: the new detail, and a nudge to list sections.
    pub fn replace(&self, detail: OrganizationDetail) {
        self.detail.set(Some(detail));
        self.conflict.set(None);
        self.changed.update(|n| *n += 1);
    }

    /// Routes a failed write: a version conflict goes to the panel's banner and
    /// `true` is returned; other errors are the caller's to show next to the field.
    pub fn conflict_from(&self, error: &crate::api::ApiError) -> bool {
        match error.field("version") {
            Some(message) => {
                self.conflict.set(Some(message));
                true
            }
            None => false,
        }
    }
}
