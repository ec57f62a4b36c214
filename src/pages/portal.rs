//! The customer portal (`/portal`): the same app, its own pages, layout and
//! session. Customers see only what the server's access rules give them; these
//! pages never decide access, they show what the portal API returns.

pub mod account;
pub mod invitation;
pub mod item;
pub mod items;
pub mod new_ticket;
pub mod profile;
pub mod register;
pub mod verify;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Outlet, A};
use leptos_router::hooks::{use_location, use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use orgdesk_core::api::portal::PortalSession;

use crate::api::{self, ApiError};
use crate::components::error_notice::ErrorNotice;
use crate::components::text_field::TextField;

/// Where a customer's portal sign-in stands.
#[derive(Clone, Debug, PartialEq)]
pub enum PortalAuth {
    Checking,
    SignedOut { reason: Option<String> },
    SignedIn(PortalSession),
}

#[derive(Clone, Copy)]
pub struct PortalContext(pub RwSignal<PortalAuth>);

impl PortalContext {
    pub fn session(&self) -> Option<PortalSession> {
        match self.0.get() {
            PortalAuth::SignedIn(s) => Some(s),
            _ => None,
        }
    }
}

/// Provided by the app root, so the API listener can end a portal session.
pub fn provide_portal_session() -> PortalContext {
    let ctx = PortalContext(RwSignal::new(PortalAuth::Checking));
    provide_context(ctx);
    ctx
}

pub fn use_portal() -> PortalContext {
    expect_context::<PortalContext>()
}

/// Asks the server whether this browser has a portal session.
pub fn check_portal_session(ctx: PortalContext) {
    spawn_local(async move {
        match api::portal::me().await {
            Ok(s) => ctx.0.set(PortalAuth::SignedIn(s)),
            Err(ApiError::Unreachable) => {}
            Err(_) => {
                if ctx.0.get_untracked() == PortalAuth::Checking {
                    ctx.0.set(PortalAuth::SignedOut { reason: None })
                }
            }
        }
    });
}

/// Where to go after signing in: a portal page the customer asked for, else their items.
fn safe_next(next: Option<String>) -> String {
    match next {
        Some(n) if n.starts_with("/portal/") && !n.starts_with("/portal/sign-in") => n,
        _ => "/portal/items".into(),
    }
}

/// The signed-in portal frame: header, navigation and the routed page. Without a
/// portal session it sends the customer to sign in, remembering where they were going.
#[component]
pub fn PortalShell() -> impl IntoView {
    let portal = use_portal();
    let location = use_location();
    let navigate = use_navigate();
    if portal.0.get_untracked() == PortalAuth::Checking {
        check_portal_session(portal);
    }
    Effect::new(move |_| {
        if let PortalAuth::SignedOut { .. } = portal.0.get() {
            let (path, search) = (location.pathname.get_untracked(), location.search.get_untracked());
            let here = match search.trim_start_matches('?') {
                "" => path,
                query => format!("{path}?{query}"),
            };
            let next = String::from(js_sys::encode_uri_component(&here));
            navigate(&format!("/portal/sign-in?next={next}"), NavigateOptions { replace: true, ..Default::default() });
        }
    });
    let sign_out = move |_| {
        spawn_local(async move {
            let _ = api::portal::logout().await;
            portal.0.set(PortalAuth::SignedOut { reason: Some("You have signed out.".into()) });
        });
    };
    // Drawn once per sign-in, not per session update (a saved profile updates the
    // session): the page under the header keeps its state and the keyboard's focus.
    let signed_in = Memo::new(move |_| portal.session().is_some());
    let name = move || {
        portal.session().map(|s| match format!("{} {}", s.customer.first_name, s.customer.last_name).trim() {
            "" => s.customer.email.clone(),
            n => n.to_string(),
        })
    };
    move || {
        if signed_in.get() {
            view! {
                <header class="portal-bar">
                    <a class="portal-bar__brand" href="/portal/items">"Support portal"</a>
                    <nav class="portal-bar__nav" aria-label="Portal">
                        <A href="/portal/items">"Items"</A>
                        <A href="/portal/new">"New ticket"</A>
                        <A href="/portal/profile">"Profile"</A>
                        <A href="/portal/account">"Account"</A>
                    </nav>
                    <span class="portal-bar__who">{name}</span>
                    <button type="button" class="button" on:click=sign_out>"Sign out"</button>
                </header>
                <main class="portal-main">
                    <Outlet />
                </main>
            }
            .into_any()
        } else {
            view! { <p class="app-loading">"Loading the portal…"</p> }.into_any()
        }
    }
}

#[component]
pub fn PortalSignInPage() -> impl IntoView {
    let portal = use_portal();
    let query = use_query_map();
    let navigate = use_navigate();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let local_errors = RwSignal::new(Vec::<(&'static str, String)>::new());
    if portal.0.get_untracked() == PortalAuth::Checking {
        check_portal_session(portal);
    }
    Effect::new(move |_| {
        if let PortalAuth::SignedIn(_) = portal.0.get() {
            let next = safe_next(query.get_untracked().get("next"));
            navigate(&next, NavigateOptions { replace: true, ..Default::default() });
        }
    });
    let registration_open = LocalResource::new(api::portal_account::registration_open);
    let login = Action::new_local(move |(e, p): &(String, String)| api::portal::login(e.clone(), p.clone()));
    Effect::new(move |_| match login.value().get() {
        Some(Ok(s)) => portal.0.set(PortalAuth::SignedIn(s)),
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
    let reason = move || match portal.0.get() {
        PortalAuth::SignedOut { reason } => reason,
        _ => None,
    };
    let general_error = move || error.get().filter(|e| e.field("email").is_none() && e.field("password").is_none());
    view! {
        <main class="login">
            <form class="login__card" on:submit=on_submit novalidate=true>
                <h1 class="login__title">"Sign in to the support portal"</h1>
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
                <p class="login__links"><A href="/portal/forgot-password">"Forgot password?"</A></p>
                {move || matches!(registration_open.get(), Some(Ok(true))).then(|| view! {
                    <p class="login__links">"New here? "<A href="/portal/register">"Create an account"</A></p>
                })}
            </form>
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_portal_paths_are_followed_after_portal_sign_in() {
        assert_eq!(safe_next(Some("/portal/items/4".into())), "/portal/items/4");
        assert_eq!(safe_next(Some("/customers".into())), "/portal/items");
        assert_eq!(safe_next(Some("//evil.example".into())), "/portal/items");
        assert_eq!(safe_next(Some("/portal/sign-in".into())), "/portal/items");
        assert_eq!(safe_next(None), "/portal/items");
    }
}
