//! The one save idiom of the panel's sections: an [`Editor`] holds what is being
//! edited, whether a save is under way and the message of a failed one; it saves
//! through [`OrgPanel::save`], which hands the fresh detail to the panel and a
//! version conflict ("changed by someone else") to the panel's banner.

use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;
use orgdesk_core::api::organization::OrganizationDetail;

use super::{OrgPanel, SaveOutcome};
use crate::api::ApiError;

/// One in-place editor. `K` says what is open for editing: `()` for a section
/// edited as a whole, a member's id for one of many rows.
pub struct Editor<K: Send + Sync + 'static = ()> {
    pub panel: OrgPanel,
    /// What is being edited, `None` when the editor is closed.
    pub editing: RwSignal<Option<K>>,
    /// A save is under way (its Save button is disabled).
    pub busy: RwSignal<bool>,
    /// Why the last save failed, shown next to the field (or in the form's alert).
    pub error: RwSignal<Option<String>>,
}

impl<K: Send + Sync + 'static> Clone for Editor<K> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<K: Send + Sync + 'static> Copy for Editor<K> {}

impl<K: Clone + PartialEq + Send + Sync + 'static> Editor<K> {
    pub fn new(panel: OrgPanel) -> Self {
        Editor { panel, editing: RwSignal::new(None), busy: RwSignal::new(false), error: RwSignal::new(None) }
    }

    /// Closes the editor once a conflict is resolved (the agent pressed Reload): the
    /// panel then shows the other agent's edit, which the agent can edit again.
    pub fn closing_on_reload(self) -> Self {
        Effect::new(move |previous: Option<bool>| {
            let conflict = self.panel.conflict.with(Option::is_some);
            if previous == Some(true) && !conflict {
                self.editing.set(None);
            }
            conflict
        });
        self
    }

    /// Is `what` open for editing? (reactive)
    pub fn is_editing(&self, what: &K) -> bool {
        self.editing.with(|e| e.as_ref() == Some(what))
    }

    pub fn open(&self, what: K) {
        self.error.set(None);
        self.editing.set(Some(what));
    }

    /// Cancel: closes the editor and forgets its error.
    pub fn close(&self) {
        self.editing.set(None);
        self.error.set(None);
    }

    /// Sends `write`. On success the panel takes the new detail, the editor closes
    /// and `saved` runs; a version conflict goes to the panel's banner; any other
    /// failure shows as `place` says (its `None`: nothing more to show here).
    pub fn save(
        self,
        write: impl Future<Output = Result<OrganizationDetail, ApiError>> + 'static,
        place: impl FnOnce(&ApiError) -> Option<String> + 'static,
        saved: impl FnOnce() + 'static,
    ) {
        self.busy.set(true);
        spawn_local(async move {
            let outcome = self.panel.save(write).await;
            self.busy.set(false);
            match outcome {
                SaveOutcome::Saved => {
                    self.close();
                    saved();
                }
                SaveOutcome::Conflict => self.error.set(None),
                SaveOutcome::Failed(e) => self.error.set(place(&e)),
            }
        });
    }
}

/// The usual placement of a failed save: the server's message for `field`, or its general message.
pub fn at_field(field: &'static str) -> impl FnOnce(&ApiError) -> Option<String> {
    move |e| Some(e.field_or_message(field))
}
