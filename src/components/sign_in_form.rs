//! The sign-in form of the agents' app and of the customer portal: email and
//! password, checked for blanks before anything is sent, the server's answer next
//! to the field it names (or above the fields), and the links each page adds.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::api::ApiError;
use crate::components::error_notice::ErrorNotice;
use crate::components::text_field::TextField;

#[component]
pub fn SignInForm(
    title: &'static str,
    /// Why the person is asked to sign in (their session ended, they signed out).
    #[prop(into)]
    reason: Signal<Option<String>>,
    /// A sign-in is on its way.
    #[prop(into)]
    pending: Signal<bool>,
    /// The server's answer to the last attempt, when it failed.
    error: RwSignal<Option<ApiError>>,
    /// Signs in with (email, password), both filled in.
    #[prop(into)]
    on_submit: Callback<(String, String)>,
    /// Links under the button.
    children: Children,
) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let local_errors = RwSignal::new(Vec::<(&'static str, String)>::new());
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let mut missing = Vec::new();
        if email.get_untracked().trim().is_empty() {
            missing.push(("email", "Enter your email address.".to_string()));
        }
        if password.get_untracked().is_empty() {
            missing.push(("password", "Enter your password.".to_string()));
        }
        local_errors.set(missing.clone());
        if missing.is_empty() {
            on_submit.run((email.get_untracked(), password.get_untracked()));
        }
    };
    let field_error = move |name: &'static str| {
        Signal::derive(move || {
            local_errors
                .get()
                .iter()
                .find(|(f, _)| *f == name)
                .map(|(_, m)| m.clone())
                .or_else(|| error.get().and_then(|e| e.field(name)))
        })
    };
    let general_error = move || error.get().filter(|e| e.field("email").is_none() && e.field("password").is_none());
    view! {
        <main class="login">
            <form class="login__card" on:submit=submit novalidate=true>
                <h1 class="login__title">{title}</h1>
                {move || reason.get().map(|r| view! { <p class="notice" role="status">{r}</p> })}
                <ErrorNotice message=Signal::derive(move || general_error().map(|e| e.message())) />
                <TextField id="email" label="Email" value=email error=field_error("email") input_type="email" autocomplete="username" />
                <TextField
                    id="password"
                    label="Password"
                    value=password
                    error=field_error("password")
                    input_type="password"
                    autocomplete="current-password"
                />
                <button type="submit" class="button button--primary" disabled=move || pending.get()>
                    {move || if pending.get() { "Signing in…" } else { "Sign in" }}
                </button>
                {children()}
            </form>
        </main>
    }
}
