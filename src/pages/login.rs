use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use crate::api::{self, ApiError};
use crate::components::sign_in_form::SignInForm;
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
    crate::hooks::use_title(|| Some("Sign in".to_string()));
    let session = use_session();
    let query = use_query_map();
    let navigate = use_navigate();
    let error = RwSignal::new(None::<ApiError>);

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
    let reason = Signal::derive(move || match session.0.get() {
        Auth::SignedOut { reason } => reason,
        _ => None,
    });

    view! {
        <SignInForm
            title="Sign in to Orgdesk"
            reason=reason
            pending=login.pending()
            error=error
            on_submit=move |credentials| {
                login.dispatch(credentials);
            }
        >
            <p class="login__links"><A href="/forgot-password">"Forgot password?"</A></p>
        </SignInForm>
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
