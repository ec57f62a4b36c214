//! The screen an agent who must choose a new password sees right after signing in
//! (the first admin, whose password came from configuration). Nothing else opens
//! until the password is changed; the server refuses other requests meanwhile.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::components::change_password_form::ChangePasswordForm;
use crate::forms::focus_after_render;
use crate::state::{use_session, Auth};

#[component]
pub fn ChoosePasswordPage() -> impl IntoView {
    let session = use_session();
    let on_changed = move |_| {
        spawn_local(async move {
            if let Ok(s) = api::auth::me().await {
                session.0.set(Auth::SignedIn(s));
            }
        });
    };
    let sign_out = move |_| {
        spawn_local(async move {
            let _ = api::auth::logout().await;
            session.0.set(Auth::SignedOut { reason: None });
        });
    };
    // Nothing else can be done here: the first field takes the focus.
    Effect::new(move |_| focus_after_render("#current-password".into()));
    view! {
        <main class="login">
            <div class="login__card">
                <h1 class="login__title">"Choose a new password"</h1>
                <p>"This account's password was set when Orgdesk was installed. Choose your own before you continue."</p>
                <ChangePasswordForm submit_label="Save and continue" on_changed=on_changed />
                <button type="button" class="button button--quiet login__secondary" on:click=sign_out>
                    "Sign out"
                </button>
            </div>
        </main>
    }
}
