//! What forms share: where the message of a failed save goes.

use leptos::prelude::*;
use orgdesk_core::FieldErrors;

use crate::api::ApiError;

/// Shows a failed save next to the fields the server named, or else in the form's alert.
pub fn show_save_error(error: ApiError, fields: RwSignal<FieldErrors>, general: RwSignal<Option<String>>) {
    match error {
        ApiError::Server(body) if !body.fields.is_empty() => fields.set(body.fields),
        other => general.set(Some(other.message())),
    }
}
