//! The page an invitation email opens (`/portal/invitations/:token`): who it is
//! for, and a password chosen twice. Accepting signs the customer in and opens
//! their items; a used or expired invitation says so and offers a reset link.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use leptos_router::NavigateOptions;
use orgdesk_core::FieldErrors;

use crate::api::{self, ApiError};
use crate::components::change_password_form::{check_new_password, NewPasswordFields};
use crate::components::error_notice::ErrorNotice;
use crate::forms::focus_after_render;
use crate::pages::portal::{use_portal, PortalAuth};

/// The field a failed check sends the focus to.
const FIRST_INVALID: &str = ".login__card [aria-invalid='true']";

/// The server's errors under the names of the page's fields (it calls the new password `password`).
pub(super) fn new_password_errors(e: ApiError, errors: RwSignal<FieldErrors>, general: RwSignal<Option<String>>) {
    match e {
        ApiError::Server(body) if !body.fields.is_empty() => {
            let fields = body
                .fields
                .into_iter()
                .map(|(k, v)| if k == "password" { ("new_password".to_string(), v) } else { (k, v) })
                .collect();
            errors.set(fields);
            focus_after_render(FIRST_INVALID.into());
        }
        other => general.set(Some(other.message())),
    }
}

#[component]
pub fn PortalInvitationPage() -> impl IntoView {
    let params = use_params_map();
    let portal = use_portal();
    let navigate = use_navigate();
    let token = move || params.get_untracked().get("token").unwrap_or_default();
    let invitation = LocalResource::new(move || api::portal_account::invitation(token()));
    let new = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::new());
    let general = RwSignal::new(None::<String>);
    let accept = Action::new_local(move |(t, p): &(String, String)| {
        api::portal_account::accept_invitation(t.clone(), p.clone())
    });
    Effect::new(move |_| match accept.value().get() {
        Some(Ok(session)) => {
            portal.0.set(PortalAuth::SignedIn(session));
            navigate("/portal/items", NavigateOptions { replace: true, ..Default::default() });
        }
        Some(Err(e)) => new_password_errors(e, errors, general),
        None => {}
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        general.set(None);
        let mut found = FieldErrors::new();
        check_new_password(&new.get_untracked(), &confirm.get_untracked(), &mut found);
        errors.set(found.clone());
        if found.is_empty() {
            accept.dispatch((token(), new.get_untracked()));
        } else {
            focus_after_render(FIRST_INVALID.into());
        }
    };

    view! {
        <main class="login">
            <div class="login__card">
                <h1 class="login__title">"Accept your invitation"</h1>
                {move || match invitation.get() {
                    None => view! { <p role="status">"Loading the invitation…"</p> }.into_any(),
                    Some(Err(e)) => view! {
                        <p class="notice notice--error" role="alert">{e.message()}</p>
                        <p class="login__links">
                            "Already accepted it? "<A href="/portal/sign-in">"Sign in"</A>
                            " or "<A href="/portal/forgot-password">"choose a new password"</A>"."
                        </p>
                    }
                    .into_any(),
                    Some(Ok(info)) => {
                        let name = format!("{} {}", info.first_name, info.last_name).trim().to_string();
                        let welcome = if name.is_empty() { "Welcome.".to_string() } else { format!("Welcome, {name}.") };
                        view! {
                            <form on:submit=on_submit novalidate=true>
                                <p>{welcome}" Choose a password to sign in to the support portal"
                                    {info.organization_name.map(|o| format!(" of {o}"))}"."</p>
                                <p class="portal-account__email">
                                    "Your email: "<strong class="portal-invitation__email">{info.email}</strong>
                                </p>
                                <ErrorNotice message=general />
                                <NewPasswordFields new=new confirm=confirm errors=errors />
                                <button type="submit" class="button button--primary" disabled=move || accept.pending().get()>
                                    {move || if accept.pending().get() { "Signing in…" } else { "Accept and sign in" }}
                                </button>
                            </form>
                        }
                        .into_any()
                    }
                }}
            </div>
        </main>
    }
}
