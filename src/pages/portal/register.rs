//! Self-registration (`/portal/register`), when Administration > Portal allows it:
//! email, names and a password chosen twice. The answer is the same whether the
//! email is new or not; what happens next arrives by email (a verification link).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use orgdesk_core::api::portal_accounts::RegisterRequest;
use orgdesk_core::FieldErrors;

use crate::api;
use crate::components::change_password_form::{check_new_password, NewPasswordFields};
use crate::components::error_notice::ErrorNotice;
use crate::components::text_field::TextField;
use crate::forms::focus_after_render;
use crate::pages::portal::invitation::new_password_errors;

const FIRST_INVALID: &str = ".login__card [aria-invalid='true']";

#[component]
pub fn PortalRegisterPage() -> impl IntoView {
    let open = LocalResource::new(api::portal_account::registration_open);
    let email = RwSignal::new(String::new());
    let first = RwSignal::new(String::new());
    let last = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::new());
    let general = RwSignal::new(None::<String>);
    let sent = RwSignal::new(false);
    let register = Action::new_local(move |req: &RegisterRequest| api::portal_account::register(req.clone()));
    Effect::new(move |_| match register.value().get() {
        Some(Ok(())) => sent.set(true),
        Some(Err(e)) => new_password_errors(e, errors, general),
        None => {}
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        general.set(None);
        let mut found = FieldErrors::new();
        if email.get_untracked().trim().is_empty() {
            found.insert("email".into(), "Enter your email address.".into());
        }
        check_new_password(&new.get_untracked(), &confirm.get_untracked(), &mut found);
        errors.set(found.clone());
        if found.is_empty() {
            register.dispatch(RegisterRequest {
                email: email.get_untracked(),
                first_name: first.get_untracked(),
                last_name: last.get_untracked(),
                password: new.get_untracked(),
            });
        } else {
            focus_after_render(FIRST_INVALID.into());
        }
    };
    let err = move |f: &'static str| Signal::derive(move || errors.get().get(f).cloned());

    view! {
        <main class="login">
            <div class="login__card">
                <h1 class="login__title">"Create a support portal account"</h1>
                {move || match (open.get(), sent.get()) {
                    (_, true) => view! {
                        <p class="notice" role="status">
                            "Check your email: we sent you what to do next. To see your organization's requests, \
                             confirm your email address with the link in it (it works for 24 hours)."
                        </p>
                    }
                    .into_any(),
                    (None, _) => view! { <p role="status">"Loading…"</p> }.into_any(),
                    (Some(Ok(false)), _) => view! {
                        <p class="notice" role="status">
                            "Creating an account here is not open. Ask us for an invitation."
                        </p>
                    }
                    .into_any(),
                    (Some(Err(e)), _) => view! { <p class="notice notice--error" role="alert">{e.message()}</p> }.into_any(),
                    (Some(Ok(true)), _) => view! {
                        <form on:submit=on_submit novalidate=true>
                            <ErrorNotice message=general />
                            <TextField id="email" label="Email" value=email error=err("email") input_type="email" autocomplete="email" />
                            <TextField id="first-name" label="First name" value=first error=err("first_name") autocomplete="given-name" />
                            <TextField id="last-name" label="Last name" value=last error=err("last_name") autocomplete="family-name" />
                            <NewPasswordFields new=new confirm=confirm errors=errors />
                            <button type="submit" class="button button--primary" disabled=move || register.pending().get()>
                                {move || if register.pending().get() { "Creating…" } else { "Create account" }}
                            </button>
                        </form>
                    }
                    .into_any(),
                }}
                <p class="login__links"><A href="/portal/sign-in">"Back to sign in"</A></p>
            </div>
        </main>
    }
}
