//! The page a verification email opens (`/portal/verify-email?token=...`): one
//! button confirms the address (a link checker that merely opens the page
//! confirms nothing).

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api;
use crate::components::error_notice::ErrorNotice;
use crate::pages::portal::{check_portal_session, use_portal, PortalAuth};

#[component]
pub fn PortalVerifyEmailPage() -> impl IntoView {
    let query = use_query_map();
    let portal = use_portal();
    let token = move || query.get_untracked().get("token").unwrap_or_default();
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(false);
    let verify = Action::new_local(move |t: &String| api::portal_account::verify_email(t.clone()));
    Effect::new(move |_| match verify.value().get() {
        Some(Ok(())) => {
            done.set(true);
            // A signed-in customer's portal shows the new state at once.
            if matches!(portal.0.get_untracked(), PortalAuth::SignedIn(_)) {
                check_portal_session(portal);
            }
        }
        Some(Err(e)) => error.set(Some(e.field_or_message("token"))),
        None => {}
    });

    view! {
        <main class="login">
            <div class="login__card">
                <h1 class="login__title">"Confirm your email address"</h1>
                <Show
                    when=move || done.get()
                    fallback=move || view! {
                        <ErrorNotice message=error />
                        <p>"Confirm that this email address is yours, to see what your organization shares with you."</p>
                        <button
                            type="button"
                            class="button button--primary"
                            disabled=move || verify.pending().get()
                            on:click=move |_| {
                                error.set(None);
                                verify.dispatch(token());
                            }
                        >
                            {move || if verify.pending().get() { "Confirming…" } else { "Confirm my email address" }}
                        </button>
                    }
                >
                    <p class="notice" role="status">"Your email address is confirmed."</p>
                </Show>
                <p class="login__links"><A href="/portal/items">"Go to the support portal"</A></p>
            </div>
        </main>
    }
}
