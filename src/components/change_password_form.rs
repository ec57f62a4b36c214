//! The form that changes the signed-in agent's (or, in the portal, customer's) own
//! password: the current one, the new one twice. The new one is checked by core's rule before it is sent.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use orgdesk_core::agent::check_password;
use orgdesk_core::FieldErrors;

use crate::api;
use crate::components::error_notice::ErrorNotice;
use crate::components::text_field::TextField;
use crate::forms::{focus_after_render, show_save_error};

/// The field a failed check sends the focus to.
const FIRST_INVALID: &str = ".password-form [aria-invalid='true']";

/// `on_changed` runs once the server accepted the new password.
#[component]
pub fn ChangePasswordForm(
    /// The button's text ("Change password", "Save and continue").
    submit_label: &'static str,
    #[prop(into)] on_changed: Callback<()>,
    /// A customer's portal password rather than an agent's.
    #[prop(optional)]
    portal: bool,
) -> impl IntoView {
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::new());
    let general = RwSignal::new(None::<String>);

    let change = Action::new_local(move |(c, n): &(String, String)| {
        let (c, n) = (c.clone(), n.clone());
        async move {
            if portal {
                api::portal_account::change_password(c, n).await
            } else {
                api::auth::change_password(c, n).await
            }
        }
    });
    Effect::new(move |_| match change.value().get() {
        Some(Ok(())) => {
            current.set(String::new());
            new.set(String::new());
            confirm.set(String::new());
            on_changed.run(());
        }
        Some(Err(e)) => {
            show_save_error(e, errors, general);
            focus_after_render(FIRST_INVALID.into());
        }
        None => {}
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        general.set(None);
        let mut found = FieldErrors::new();
        if current.get_untracked().is_empty() {
            found.insert("current_password".into(), "Enter your current password.".into());
        }
        check_new_password(&new.get_untracked(), &confirm.get_untracked(), &mut found);
        errors.set(found.clone());
        if !found.is_empty() {
            focus_after_render(FIRST_INVALID.into());
        } else {
            change.dispatch((current.get_untracked(), new.get_untracked()));
        }
    };
    let err = move |f: &'static str| Signal::derive(move || errors.get().get(f).cloned());

    view! {
        <form class="form password-form" on:submit=on_submit novalidate=true>
            <ErrorNotice message=general />
            <TextField
                id="current-password"
                label="Current password"
                value=current
                error=err("current_password")
                input_type="password"
                autocomplete="current-password"
            />
            <NewPasswordFields new=new confirm=confirm errors=errors />
            <div class="form__actions">
                <button type="submit" class="button button--primary" disabled=move || change.pending().get()>
                    {move || if change.pending().get() { "Saving…" } else { submit_label }}
                </button>
            </div>
        </form>
    }
}

/// Checks a new password by core's rule, then that it was typed the same twice;
/// what is wrong goes into `found` under `new_password` or `confirm_password`.
pub fn check_new_password(new: &str, confirm: &str, found: &mut FieldErrors) {
    if let Err(e) = check_password(new) {
        found.insert("new_password".into(), e);
    } else if new != confirm {
        found.insert("confirm_password".into(), "The two new passwords differ.".into());
    }
}

/// The new password and its repetition, each with its error from `errors`.
#[component]
pub fn NewPasswordFields(
    new: RwSignal<String>,
    confirm: RwSignal<String>,
    errors: RwSignal<FieldErrors>,
) -> impl IntoView {
    let err = move |f: &'static str| Signal::derive(move || errors.get().get(f).cloned());
    view! {
        <TextField
            id="new-password"
            label="New password (at least 10 characters)"
            value=new
            error=err("new_password")
            input_type="password"
            autocomplete="new-password"
        />
        <TextField
            id="confirm-password"
            label="New password again"
            value=confirm
            error=err("confirm_password")
            input_type="password"
            autocomplete="new-password"
        />
    }
}
