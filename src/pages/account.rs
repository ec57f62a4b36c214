//! The signed-in agent's own account: change the password, sign out everywhere.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::api;
use crate::components::change_password_form::ChangePasswordForm;
use crate::components::confirm_dialog::ConfirmDialog;
use crate::state::{use_session, Auth};

#[component]
pub fn AccountPage() -> impl IntoView {
    crate::hooks::use_title(|| Some("Account".to_string()));
    let session = use_session();
    let navigate = use_navigate();
    let changed = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let sign_out = Action::new_local(|_: &()| api::auth::sign_out_everywhere());
    Effect::new(move |_| match sign_out.value().get() {
        Some(Ok(())) => {
            navigate("/login", Default::default());
            session.0.set(Auth::SignedOut { reason: Some("You signed out on every device.".into()) });
        }
        Some(Err(e)) => error.set(Some(e.message())),
        None => {}
    });
    let who = move || session.session().map(|s| format!("{} ({})", s.agent.name, s.agent.email));

    view! {
        <section class="page account">
            <h1 class="page__title">"Account"</h1>
            <p class="account__who">{who}</p>
            <section class="card account__section" aria-labelledby="password-title">
                <h2 class="section__title" id="password-title">"Password"</h2>
                {move || changed.get().then(|| view! {
                    <p class="notice" role="status">"Your password is changed. Your other sessions have ended."</p>
                })}
                <ChangePasswordForm submit_label="Change password" on_changed=move |_| changed.set(true) />
            </section>
            <section class="card account__section" aria-labelledby="sessions-title">
                <h2 class="section__title" id="sessions-title">"Sessions"</h2>
                <p>"Signed in on another computer or a lost phone? End every session of your account, this one included."</p>
                <button type="button" class="button button--danger" on:click=move |_| confirming.set(true)>
                    "Sign out everywhere"
                </button>
            </section>
            <Show when=move || confirming.get()>
                <ConfirmDialog
                    id="sign-out-everywhere"
                    title="Sign out everywhere?"
                    message="Every session of your account ends, this one included. You will sign in again."
                    confirm_label="Sign out everywhere"
                    on_confirm=move |_| {
                        sign_out.dispatch(());
                    }
                    on_close=move |_| confirming.set(false)
                    busy=sign_out.pending()
                    error=error
                />
            </Show>
        </section>
    }
}
