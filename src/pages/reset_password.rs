//! The page a reset link opens (`/reset-password?token=...`): choose a new
//! password. Every session of the account ends; the agent then signs in.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use orgdesk_core::agent::check_password;
use orgdesk_core::FieldErrors;

use crate::api::{self, ApiError};
use crate::components::error_notice::ErrorNotice;
use crate::components::text_field::TextField;

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.get_untracked().get("token").unwrap_or_default();
    let new = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::new());
    let general = RwSignal::new(None::<String>);
    let done = RwSignal::new(false);
    let reset = Action::new_local(move |(t, p): &(String, String)| api::auth::reset_password(t.clone(), p.clone()));
    Effect::new(move |_| match reset.value().get() {
        Some(Ok(())) => done.set(true),
        // A used or expired link is not a field the person can fix here.
        Some(Err(e)) if e.field("token").is_some() => general.set(e.field("token")),
        Some(Err(ApiError::Server(body))) if !body.fields.is_empty() => errors.set(body.fields),
        Some(Err(e)) => general.set(Some(e.message())),
        None => {}
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        general.set(None);
        let mut found = FieldErrors::new();
        if let Err(e) = check_password(&new.get_untracked()) {
            found.insert("new_password".into(), e);
        } else if new.get_untracked() != confirm.get_untracked() {
            found.insert("confirm_password".into(), "The two new passwords differ.".into());
        }
        errors.set(found.clone());
        if found.is_empty() {
            reset.dispatch((token(), new.get_untracked()));
        }
    };
    let err = move |f: &'static str| Signal::derive(move || errors.get().get(f).cloned());

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
                                <p class="login__links login__links--after-error"><A href="/forgot-password">"Ask for a new link"</A></p>
                            })}
                            <TextField id="new-password" label="New password (at least 10 characters)" value=new
                                error=err("new_password") input_type="password" autocomplete="new-password" />
                            <TextField id="confirm-password" label="New password again" value=confirm
                                error=err("confirm_password") input_type="password" autocomplete="new-password" />
                            <button type="submit" class="button button--primary" disabled=move || reset.pending().get()>
                                {move || if reset.pending().get() { "Saving…" } else { "Set password" }}
                            </button>
                        </form>
                    }
                >
                    <p class="notice" role="status">"Your password is set, and every session of your account has ended."</p>
                </Show>
                <p class="login__links"><A href="/login">"Sign in"</A></p>
            </div>
        </main>
    }
}
