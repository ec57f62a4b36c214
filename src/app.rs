//! The root component: context providers, the router and the routes.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Outlet, ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::{path, NavigateOptions};

use crate::api::{self, ApiError, Event};
use crate::components::connection_banner::ConnectionBanner;
use crate::components::skip_link::SkipLink;
use crate::components::top_bar::TopBar;
use crate::pages::account::AccountPage;
use crate::pages::admin::audit::AuditLogPage;
use crate::pages::admin::deleted_organizations::DeletedOrganizationsPage;
use crate::pages::admin::duplicates::DuplicateOrganizationsPage;
use crate::pages::admin::import::ImportPage;
use crate::pages::admin::portal::AdminPortalPage;
use crate::pages::admin::routing::AdminRoutingPage;
use crate::pages::admin::usergroups::AdminUsergroupsPage;
use crate::pages::admin::AdminPage;
use crate::pages::choose_password::ChoosePasswordPage;
use crate::pages::customer_profile::CustomerProfileRoute;
use crate::pages::customers::CustomersPage;
use crate::pages::forgot_password::ForgotPasswordPage;
use crate::pages::login::LoginPage;
use crate::pages::not_found::NotFoundPage;
use crate::pages::organization::OrganizationRoute;
use crate::pages::organization_merge::MergePage;
use crate::pages::portal::account::PortalAccountPage;
use crate::pages::portal::invitation::PortalInvitationPage;
use crate::pages::portal::item::PortalItemPage;
use crate::pages::portal::items::PortalItemsPage;
use crate::pages::portal::new_ticket::PortalNewTicketPage;
use crate::pages::portal::profile::PortalProfilePage;
use crate::pages::portal::register::PortalRegisterPage;
use crate::pages::portal::verify::PortalVerifyEmailPage;
use crate::pages::portal::{check_portal_session, provide_portal_session, PortalAuth, PortalShell, PortalSignInPage};
use crate::pages::projects::{ProjectPanel, ProjectsPage};
use crate::pages::reset_password::ResetPasswordPage;
use crate::pages::tickets::{ItemPanel, TicketsPage};
use crate::state::{self, Auth};

/// The agents' app: everything outside `/portal`.
#[component]
pub fn AgentApp() -> impl IntoView {
    let session = state::provide_session();
    let connection = state::provide_connection();
    api::set_listener(move |event| match event {
        Event::Reachable => connection.0.set(true),
        Event::Unreachable => connection.0.set(false),
        Event::SessionEnded => {
            session.0.set(Auth::SignedOut { reason: Some("Your session has ended. Sign in again to continue.".into()) })
        }
        // The portal's requests are made by the portal's own app.
        Event::PortalSessionEnded => {}
    });
    check_session(session);

    view! {
        <Router>
            <ConnectionBanner on_retry=move || check_session(session) />
            <Routes fallback=|| view! { <LeaveApp owned=agent_owns /> }>
                <Route path=path!("/login") view=LoginPage />
                <Route path=path!("/forgot-password") view=|| view! { <ForgotPasswordPage /> } />
                <Route path=path!("/reset-password") view=|| view! { <ResetPasswordPage /> } />
                <ParentRoute path=path!("") view=Shell>
                    <Route path=path!("") view=|| view! { <Redirect path="/customers" /> } />
                    // The Customers list stays mounted while an organization's panel opens,
                    // switches or closes beside it: only the outlet changes.
                    <Route path=path!("organizations/:id/merge") view=MergePage />
                    <ParentRoute path=path!("") view=CustomersPage>
                        <Route path=path!("customers") view=|| () />
                        <Route path=path!("customers/:id") view=CustomerProfileRoute />
                        <Route path=path!("organizations/:id") view=OrganizationRoute />
                    </ParentRoute>
                    <ParentRoute path=path!("projects") view=ProjectsPage>
                        <Route path=path!("") view=|| () />
                        <Route path=path!(":id") view=ProjectPanel />
                    </ParentRoute>
                    <ParentRoute path=path!("tickets") view=TicketsPage>
                        <Route path=path!("") view=|| () />
                        <Route path=path!(":id") view=ItemPanel />
                    </ParentRoute>
                    <Route path=path!("admin") view=AdminPage />
                    <Route path=path!("admin/audit") view=AuditLogPage />
                    <Route path=path!("admin/import") view=ImportPage />
                    <Route path=path!("admin/portal") view=AdminPortalPage />
                    <Route path=path!("admin/routing") view=AdminRoutingPage />
                    <Route path=path!("admin/usergroups") view=AdminUsergroupsPage />
                    <Route path=path!("admin/deleted-organizations") view=DeletedOrganizationsPage />
                    <Route path=path!("admin/duplicate-organizations") view=DuplicateOrganizationsPage />
                    <Route path=path!("account") view=AccountPage />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// The customer portal: `/portal` and everything under it.
#[component]
pub fn PortalApp() -> impl IntoView {
    let connection = state::provide_connection();
    let portal = provide_portal_session();
    api::set_listener(move |event| match event {
        Event::Reachable => connection.0.set(true),
        Event::Unreachable => connection.0.set(false),
        // The agents' requests are made by the agents' app.
        Event::SessionEnded => {}
        Event::PortalSessionEnded => portal
            .0
            .set(PortalAuth::SignedOut { reason: Some("Your session has ended. Sign in again to continue.".into()) }),
    });

    view! {
        <Router>
            <ConnectionBanner on_retry=move || check_portal_session(portal) />
            <Routes fallback=|| view! { <LeaveApp owned=portal_owns /> }>
                <Route path=path!("/portal/sign-in") view=PortalSignInPage />
                <Route path=path!("/portal/invitations/:token") view=PortalInvitationPage />
                <Route path=path!("/portal/forgot-password") view=|| view! { <ForgotPasswordPage portal=true /> } />
                <Route path=path!("/portal/reset-password") view=|| view! { <ResetPasswordPage portal=true /> } />
                <Route path=path!("/portal/register") view=PortalRegisterPage />
                <Route path=path!("/portal/verify-email") view=PortalVerifyEmailPage />
                <ParentRoute path=path!("/portal") view=PortalShell>
                    <Route path=path!("") view=|| view! { <Redirect path="/portal/items" /> } />
                    <Route path=path!("account") view=PortalAccountPage />
                    <Route path=path!("profile") view=PortalProfilePage />
                    <Route path=path!("items") view=PortalItemsPage />
                    <Route path=path!("items/:id") view=PortalItemPage />
                    <Route path=path!("new") view=PortalNewTicketPage />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// Whether a path belongs to the customer portal's app (the server serves
/// `dist/portal/index.html` for exactly these; see the server's `assets.rs`).
fn portal_owns(path: &str) -> bool {
    path == "/portal" || path.starts_with("/portal/")
}

fn agent_owns(path: &str) -> bool {
    !portal_owns(path)
}

/// The router's fallback. A path this app owns but has no page for is "not found";
/// a path of the other app (a link between the agents' app and the portal) is
/// loaded from the server as a full page, which serves the other app.
#[component]
fn LeaveApp(owned: fn(&str) -> bool) -> impl IntoView {
    let location = use_location();
    let path = location.pathname.get_untracked();
    if owned(&path) {
        return view! { <NotFoundPage /> }.into_any();
    }
    let target = match location.search.get_untracked().trim_start_matches('?') {
        "" => path,
        query => format!("{path}?{query}"),
    };
    let _ = window().location().assign(&target);
    view! { <p class="app-loading">"Loading…"</p> }.into_any()
}

/// Asks the server whether this browser has a session (at start, and on retry).
fn check_session(session: state::SessionContext) {
    spawn_local(async move {
        match api::auth::me().await {
            Ok(s) => session.0.set(Auth::SignedIn(s)),
            // Stay "checking" while the server is unreachable: the banner says so and offers a retry.
            Err(ApiError::Unreachable) => {}
            Err(_) => {
                if session.0.get_untracked() == Auth::Checking {
                    session.0.set(Auth::SignedOut { reason: None })
                }
            }
        }
    });
}

/// The signed-in frame: top bar and the routed page. Without a session it sends
/// the agent to sign in, remembering where they were going.
#[component]
fn Shell() -> impl IntoView {
    let session = state::use_session();
    let location = use_location();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Auth::SignedOut { .. } = session.0.get() {
            if location.pathname.get_untracked().starts_with("/login") {
                return;
            }
            let (path, search) = (location.pathname.get_untracked(), location.search.get_untracked());
            // The router's `search` comes without its `?`.
            let here = match search.trim_start_matches('?') {
                "" => path,
                query => format!("{path}?{query}"),
            };
            let next = String::from(js_sys::encode_uri_component(&here));
            navigate(&format!("/login?next={next}"), NavigateOptions { replace: true, ..Default::default() });
        }
    });
    move || match session.0.get() {
        // Nothing else opens until the agent has chosen a new password.
        Auth::SignedIn(s) if s.agent.must_change_password => view! { <ChoosePasswordPage /> }.into_any(),
        Auth::SignedIn(s) => view! {
            <SkipLink />
            <TopBar session=s />
            <main class="app-main" id="main" tabindex="-1">
                <Outlet />
            </main>
        }
        .into_any(),
        _ => view! { <p class="app-loading">"Loading Orgdesk…"</p> }.into_any(),
    }
}
