//! The signed-in customer's account (`/portal/account`): whether their email is
//! verified (with a new link on request) and changing the password.

use leptos::prelude::*;

use crate::api;
use crate::components::change_password_form::ChangePasswordForm;
use crate::components::error_notice::ErrorNotice;
use crate::pages::portal::use_portal;

#[component]
pub fn PortalAccountPage() -> impl IntoView {
    crate::hooks::use_title(|| Some("Account".to_string()));
    let portal = use_portal();
    let changed = RwSignal::new(false);
    let sent = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let resend = Action::new_local(|_: &()| api::portal_account::send_verification());
    Effect::new(move |_| match resend.value().get() {
        Some(Ok(())) => sent.set(true),
        Some(Err(e)) => error.set(Some(e.message())),
        None => {}
    });
    let customer = move || portal.session().map(|s| s.customer);
    let email = move || customer().map(|c| c.email).unwrap_or_default();
    let verified = move || customer().is_some_and(|c| c.email_verified);

    view! {
        <section class="portal-account">
            <h1 class="page__title">"Account"</h1>
            <section class="card portal-account__section" aria-labelledby="email-title">
                <h2 class="section__title" id="email-title">"Email address"</h2>
                <p class="portal-account__email">{email}" "
                    <span class="portal-account__state" class:portal-account__state--ok=verified>
                        {move || if verified() { "Verified" } else { "Not verified" }}
                    </span>
                </p>
                <Show when=move || !verified()>
                    <p>"Confirm your email address to see what your organization shares with you."</p>
                    <ErrorNotice message=error />
                    <Show
                        when=move || sent.get()
                        fallback=move || view! {
                            <button type="button" class="button" disabled=move || resend.pending().get()
                                on:click=move |_| { error.set(None); resend.dispatch(()); }>
                                {move || if resend.pending().get() { "Sending…" } else { "Send a new confirmation link" }}
                            </button>
                        }
                    >
                        <p class="notice" role="status">"A confirmation link is on its way. It works once, for 24 hours."</p>
                    </Show>
                </Show>
            </section>
            <section class="card portal-account__section" aria-labelledby="password-title">
                <h2 class="section__title" id="password-title">"Password"</h2>
                {move || changed.get().then(|| view! {
                    <p class="notice" role="status">"Your password is changed. Your other sessions have ended."</p>
                })}
                <ChangePasswordForm submit_label="Change password" portal=true on_changed=move |_| changed.set(true) />
            </section>
        </section>
    }
}
