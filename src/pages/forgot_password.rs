//! "Forgot password?": asks for the email and says the same thing whether an
//! account exists for it or not. Agents' accounts at `/forgot-password`,
//! customers' portal accounts at `/portal/forgot-password`.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::{self, ApiError};
use crate::components::error_notice::ErrorNotice;
use crate::components::text_field::TextField;

/// `portal`: a customer's portal account (its own API, texts and links).
#[component]
pub fn ForgotPasswordPage(#[prop(optional)] portal: bool) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let local_error = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<ApiError>);
    let sent = RwSignal::new(false);
    let ask = Action::new_local(move |e: &String| {
        let e = e.clone();
        async move {
            if portal {
                api::portal_account::forgot_password(e).await
            } else {
                api::auth::forgot_password(e).await
            }
        }
    });
    let (account, sign_in) =
        if portal { ("support portal account", "/portal/sign-in") } else { ("Orgdesk account", "/login") };
    Effect::new(move |_| match ask.value().get() {
        Some(Ok(())) => sent.set(true),
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        if email.get_untracked().trim().is_empty() {
            local_error.set(Some("Enter your email address.".into()));
            return;
        }
        local_error.set(None);
        ask.dispatch(email.get_untracked());
    };
    let field_error = Signal::derive(move || local_error.get().or_else(|| error.get().and_then(|e| e.field("email"))));
    let general = Signal::derive(move || error.get().filter(|e| e.field("email").is_none()).map(|e| e.message()));

    view! {
        <main class="login">
            <div class="login__card">
                <h1 class="login__title">"Reset your password"</h1>
                <Show
                    when=move || sent.get()
                    fallback=move || view! {
                        <form on:submit=on_submit novalidate=true>
                            <p>{format!("Enter the email address of your {account}. We will send you a link to choose a new password.")}</p>
                            <ErrorNotice message=general />
                            <TextField id="email" label="Email" value=email error=field_error input_type="email" autocomplete="username" />
                            <button type="submit" class="button button--primary" disabled=move || ask.pending().get()>
                                {move || if ask.pending().get() { "Sending…" } else { "Send reset link" }}
                            </button>
                        </form>
                    }
                >
                    <p class="notice" role="status">
                        "If an account exists for that email, a link to reset its password is on its way. The link works once, for one hour."
                    </p>
                </Show>
                <p class="login__links"><A href=sign_in>"Back to sign in"</A></p>
            </div>
        </main>
    }
}
