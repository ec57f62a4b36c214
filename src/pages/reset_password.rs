//! The page a reset link opens (`/reset-password?token=...`, or for a customer's
//! portal account `/portal/reset-password?token=...`): choose a new password.
//! Every session of the account ends; the agent (or customer) then signs in.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use orgdesk_core::FieldErrors;

use crate::api;
use crate::components::change_password_form::{check_new_password, NewPasswordFields};
use crate::components::error_notice::ErrorNotice;
use crate::forms::{focus_after_render, show_save_error};

/// The field a failed check sends the focus to.
const FIRST_INVALID: &str = ".login__card [aria-invalid='true']";

/// `portal`: a customer's portal account (its own API and links; the reset also
/// verifies their email).
#[component]
pub fn ResetPasswordPage(#[prop(optional)] portal: bool) -> impl IntoView {
    let query = use_query_map();
    let token = move || query.get_untracked().get("token").unwrap_or_default();
    let new = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::new());
    let general = RwSignal::new(None::<String>);
    let done = RwSignal::new(false);
    let reset = Action::new_local(move |(t, p): &(String, String)| {
        let (t, p) = (t.clone(), p.clone());
        async move {
            if portal {
                api::portal_account::reset_password(t, p).await
            } else {
                api::auth::reset_password(t, p).await
            }
        }
    });
    let (forgot, sign_in) =
        if portal { ("/portal/forgot-password", "/portal/sign-in") } else { ("/forgot-password", "/login") };
    Effect::new(move |_| match reset.value().get() {
        Some(Ok(())) => done.set(true),
        // A used or expired link is not a field the person can fix here.
        Some(Err(e)) if e.field("token").is_some() => general.set(e.field("token")),
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
        check_new_password(&new.get_untracked(), &confirm.get_untracked(), &mut found);
        errors.set(found.clone());
        if !found.is_empty() {
            focus_after_render(FIRST_INVALID.into());
        } else {
            reset.dispatch((token(), new.get_untracked()));
        }
    };
    view! {
        <main class="login">
            <div class="login__card">
                <h1 class="login__title">"Choose a new password"</h1>
                <Show
                    when=move || done.get()
                    fallback=move || view! {
                        <form on:submit=on_submit novalidate=true>
                            <ErrorNotice message=general />
                            {move || general.get().is_some().then(|| view! {
                                <p class="login__links login__links--after-error"><A href=forgot>"Ask for a new link"</A></p>
                            })}
                            <NewPasswordFields new=new confirm=confirm errors=errors />
                            <button type="submit" class="button button--primary" disabled=move || reset.pending().get()>
                                {move || if reset.pending().get() { "Saving…" } else { "Set password" }}
                            </button>
                        </form>
                    }
                >
                    <p class="notice" role="status">"Your password is set, and every session of your account has ended."</p>
                </Show>
                <p class="login__links"><A href=sign_in>"Sign in"</A></p>
            </div>
        </main>
    }
}
