//! What forms share: where the message of a failed save goes, and where the focus goes.

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

/// Once the pending render is on screen, moves the focus to the first element that
/// matches `selector` (a field that just appeared, or the first one just marked
/// invalid), so a keyboard user lands where the work is.
pub fn focus_after_render(selector: String) {
    request_animation_frame(move || {
        if let Ok(Some(el)) = document().query_selector(&selector) {
            use wasm_bindgen::JsCast;
            if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        }
    });
}
