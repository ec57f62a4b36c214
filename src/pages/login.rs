use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use crate::api::{self, ApiError};
use crate::components::error_notice::ErrorNotice;
use crate::components::text_field::TextField;
use crate::state::{use_session, Auth};

/// Where to go after signing in: the page the agent asked for, if it is one of ours.
fn safe_next(next: Option<String>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/login") => n,
        _ => "/customers".into(),
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let navigate = use_navigate();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let local_errors = RwSignal::new(Vec::<(&'static str, String)>::new());

    // Signed in (just now, or already): go where the agent was going.
    Effect::new(move |_| {
        if let Auth::SignedIn(_) = session.0.get() {
            let next = safe_next(query.get_untracked().get("next"));
            navigate(&next, NavigateOptions { replace: true, ..Default::default() });
        }
    });

    let login = Action::new_local(move |(e, p): &(String, String)| api::auth::login(e.clone(), p.clone()));
    Effect::new(move |_| match login.value().get() {
        Some(Ok(s)) => session.0.set(Auth::SignedIn(s)),
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });

    let on_submit = move |ev: SubmitEvent| {
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
            login.dispatch((email.get_untracked(), password.get_untracked()));
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
    let reason = move || match session.0.get() {
        Auth::SignedOut { reason } => reason,
        _ => None,
    };
    let general_error = move || error.get().filter(|e| e.field("email").is_none() && e.field("password").is_none());

    view! {
        <main class="login">
            <form class="login__card" on:submit=on_submit novalidate=true>
                <h1 class="login__title">"Sign in to Orgdesk"</h1>
                {move || reason().map(|r| view! { <p class="notice" role="status">{r}</p> })}
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
                <button type="submit" class="button button--primary" disabled=move || login.pending().get()>
                    {move || if login.pending().get() { "Signing in…" } else { "Sign in" }}
                </button>
                <p class="login__links"><A href="/forgot-password">"Forgot password?"</A></p>
            </form>
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next(Some("/admin?x=1".into())), "/admin?x=1");
        assert_eq!(safe_next(Some("//evil.example".into())), "/customers");
        assert_eq!(safe_next(Some("https://evil.example".into())), "/customers");
        assert_eq!(safe_next(Some("/login".into())), "/customers");
        assert_eq!(safe_next(None), "/customers");
    }
}
