//! The root component: context providers, the router and the routes.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos::wasm_split::{wasm_split, SplitLoaderError};
use leptos_router::components::{Outlet, ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::{path, Lazy, LazyRoute, NavigateOptions};

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
                <Route path=path!("/forgot-password") view={Lazy::<ForgotPasswordRoute>::new()} />
                <Route path=path!("/reset-password") view={Lazy::<ResetPasswordRoute>::new()} />
                <ParentRoute path=path!("") view=Shell>
                    <Route path=path!("") view=|| view! { <Redirect path="/customers" /> } />
                    // The Customers list stays mounted while an organization's panel opens,
                    // switches or closes beside it: only the outlet changes.
                    <Route path=path!("organizations/:id/merge") view={Lazy::<MergeRoute>::new()} />
                    <ParentRoute path=path!("") view=CustomersPage>
                        <Route path=path!("customers") view=|| () />
                        <Route path=path!("customers/:id") view={Lazy::<CustomerProfileLazy>::new()} />
                        <Route path=path!("organizations/:id") view={Lazy::<OrganizationLazy>::new()} />
                    </ParentRoute>
                    <ParentRoute path=path!("projects") view={Lazy::<ProjectsRoute>::new()}>
                        <Route path=path!("") view=|| () />
                        <Route path=path!(":id") view={Lazy::<ProjectPanelRoute>::new()} />
                    </ParentRoute>
                    <ParentRoute path=path!("tickets") view={Lazy::<TicketsRoute>::new()}>
                        <Route path=path!("") view=|| () />
                        <Route path=path!(":id") view={Lazy::<ItemPanelRoute>::new()} />
                    </ParentRoute>
                    <Route path=path!("admin") view={Lazy::<AdminRoute>::new()} />
                    <Route path=path!("admin/audit") view={Lazy::<AuditLogRoute>::new()} />
                    <Route path=path!("admin/import") view={Lazy::<ImportRoute>::new()} />
                    <Route path=path!("admin/portal") view={Lazy::<AdminPortalRoute>::new()} />
                    <Route path=path!("admin/routing") view={Lazy::<AdminRoutingRoute>::new()} />
                    <Route path=path!("admin/usergroups") view={Lazy::<AdminUsergroupsRoute>::new()} />
                    <Route path=path!("admin/deleted-organizations") view={Lazy::<DeletedOrganizationsRoute>::new()} />
                    <Route path=path!("admin/duplicate-organizations") view={Lazy::<DuplicateOrganizationsRoute>::new()} />
                    <Route path=path!("account") view={Lazy::<AccountRoute>::new()} />
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

// The agents' app in four parts. The first screen needs only the main module: the sign-in
// page, the frame and the Customers list. Each area below is one `#[wasm_split]` function, which
// scripts/wasm-split/link.sh splits off into a chunk of its own (code two areas share goes
// into a shared chunk), fetched the first time one of its pages opens. Three areas rather
// than a split per page: every split multiplies the shared chunks, and so the requests.

/// A route whose view comes from a lazy area: `$route` shows `$area($page)`.
macro_rules! lazy_route {
    ($route:ident, $area:ident, $preload:ident, $page:expr) => {
        struct $route;

        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> impl std::future::Future<Output = AnyView> {
                async { area_or_error($area($page).await) }
            }

            fn preload() -> impl std::future::Future<Output = ()> {
                async {
                    let _ = $preload().await;
                }
            }
        }
    };
}

/// An area's page, or when its code could not be fetched (the server is unreachable) a
/// message that says so where the page would be, with the connection banner above.
fn area_or_error(area: Result<AnyView, SplitLoaderError>) -> AnyView {
    area.unwrap_or_else(|_| {
        api::report_unreachable();
        view! { <AreaUnavailable /> }.into_any()
    })
}

#[component]
fn AreaUnavailable() -> impl IntoView {
    view! {
        <section class="page">
            <h1 class="page__title">"This page could not be loaded"</h1>
            <p>"Its code comes from the Orgdesk server, which cannot be reached. Check the connection, then try again."</p>
            <button type="button" class="button" on:click=move |_| {
                let _ = window().location().reload();
            }>"Try again"</button>
        </section>
    }
}

/// The pages of the customer area.
#[derive(Clone, Copy)]
enum CustomerArea {
    Merge,
    CustomerProfile,
    Organization,
}

/// The organization panel, a customer's profile and the merge page: opened from the Customers list.
#[wasm_split(customer_area, wasm_split_path = ::leptos::wasm_split, fallible, preload(load_customer_area))]
fn customer_area(page: CustomerArea) -> Result<AnyView, SplitLoaderError> {
    Ok(match page {
        CustomerArea::Merge => view! { <MergePage /> }.into_any(),
        CustomerArea::CustomerProfile => view! { <CustomerProfileRoute /> }.into_any(),
        CustomerArea::Organization => view! { <OrganizationRoute /> }.into_any(),
    })
}

/// Fetches the customer area's code in the background (the Customers list asks for it once
/// its first page is shown), so the first organization or profile opened does not wait for it.
pub fn preload_customer_area() {
    spawn_local(async {
        let _ = load_customer_area().await;
    });
}

lazy_route!(MergeRoute, customer_area, load_customer_area, CustomerArea::Merge);
lazy_route!(CustomerProfileLazy, customer_area, load_customer_area, CustomerArea::CustomerProfile);
lazy_route!(OrganizationLazy, customer_area, load_customer_area, CustomerArea::Organization);

/// The pages of the work area.
#[derive(Clone, Copy)]
enum WorkArea {
    Projects,
    ProjectPanel,
    Tickets,
    ItemPanel,
}

/// Projects and Tickets with their panels.
#[wasm_split(work_area, wasm_split_path = ::leptos::wasm_split, fallible, preload(load_work_area))]
fn work_area(page: WorkArea) -> Result<AnyView, SplitLoaderError> {
    Ok(match page {
        WorkArea::Projects => view! { <ProjectsPage /> }.into_any(),
        WorkArea::ProjectPanel => view! { <ProjectPanel /> }.into_any(),
        WorkArea::Tickets => view! { <TicketsPage /> }.into_any(),
        WorkArea::ItemPanel => view! { <ItemPanel /> }.into_any(),
    })
}

lazy_route!(ProjectsRoute, work_area, load_work_area, WorkArea::Projects);
lazy_route!(ProjectPanelRoute, work_area, load_work_area, WorkArea::ProjectPanel);
lazy_route!(TicketsRoute, work_area, load_work_area, WorkArea::Tickets);
lazy_route!(ItemPanelRoute, work_area, load_work_area, WorkArea::ItemPanel);

/// The pages of the admin area.
#[derive(Clone, Copy)]
enum AdminArea {
    ForgotPassword,
    ResetPassword,
    Admin,
    AuditLog,
    Import,
    AdminPortal,
    AdminRouting,
    AdminUsergroups,
    DeletedOrganizations,
    DuplicateOrganizations,
    Account,
}

/// Administration, the agent's account and the password pages.
#[wasm_split(admin_area, wasm_split_path = ::leptos::wasm_split, fallible, preload(load_admin_area))]
fn admin_area(page: AdminArea) -> Result<AnyView, SplitLoaderError> {
    Ok(match page {
        AdminArea::ForgotPassword => view! { <ForgotPasswordPage /> }.into_any(),
        AdminArea::ResetPassword => view! { <ResetPasswordPage /> }.into_any(),
        AdminArea::Admin => view! { <AdminPage /> }.into_any(),
        AdminArea::AuditLog => view! { <AuditLogPage /> }.into_any(),
        AdminArea::Import => view! { <ImportPage /> }.into_any(),
        AdminArea::AdminPortal => view! { <AdminPortalPage /> }.into_any(),
        AdminArea::AdminRouting => view! { <AdminRoutingPage /> }.into_any(),
        AdminArea::AdminUsergroups => view! { <AdminUsergroupsPage /> }.into_any(),
        AdminArea::DeletedOrganizations => view! { <DeletedOrganizationsPage /> }.into_any(),
        AdminArea::DuplicateOrganizations => view! { <DuplicateOrganizationsPage /> }.into_any(),
        AdminArea::Account => view! { <AccountPage /> }.into_any(),
    })
}

lazy_route!(ForgotPasswordRoute, admin_area, load_admin_area, AdminArea::ForgotPassword);
lazy_route!(ResetPasswordRoute, admin_area, load_admin_area, AdminArea::ResetPassword);
lazy_route!(AdminRoute, admin_area, load_admin_area, AdminArea::Admin);
lazy_route!(AuditLogRoute, admin_area, load_admin_area, AdminArea::AuditLog);
lazy_route!(ImportRoute, admin_area, load_admin_area, AdminArea::Import);
lazy_route!(AdminPortalRoute, admin_area, load_admin_area, AdminArea::AdminPortal);
lazy_route!(AdminRoutingRoute, admin_area, load_admin_area, AdminArea::AdminRouting);
lazy_route!(AdminUsergroupsRoute, admin_area, load_admin_area, AdminArea::AdminUsergroups);
lazy_route!(DeletedOrganizationsRoute, admin_area, load_admin_area, AdminArea::DeletedOrganizations);
lazy_route!(DuplicateOrganizationsRoute, admin_area, load_admin_area, AdminArea::DuplicateOrganizations);
lazy_route!(AccountRoute, admin_area, load_admin_area, AdminArea::Account);
