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

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Outlet, A};
use leptos_router::hooks::{use_location, use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use orgdesk_core::api::portal::PortalSession;

use crate::api::{self, ApiError};
use crate::components::sign_in_form::SignInForm;
use crate::components::skip_link::SkipLink;

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
                <SkipLink />
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
                <main class="portal-main" id="main" tabindex="-1">
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
    crate::hooks::use_title(|| Some("Sign in to the support portal".to_string()));
    let portal = use_portal();
    let query = use_query_map();
    let navigate = use_navigate();
    let error = RwSignal::new(None::<ApiError>);
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
    let reason = Signal::derive(move || match portal.0.get() {
        PortalAuth::SignedOut { reason } => reason,
        _ => None,
    });
    view! {
        <SignInForm
            title="Sign in to the support portal"
            reason=reason
            pending=login.pending()
            error=error
            on_submit=move |credentials| {
                login.dispatch(credentials);
            }
        >
            <p class="login__links"><A href="/portal/forgot-password">"Forgot password?"</A></p>
            {move || matches!(registration_open.get(), Some(Ok(true))).then(|| view! {
                <p class="login__links">"New here? "<A href="/portal/register">"Create an account"</A></p>
            })}
        </SignInForm>
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
