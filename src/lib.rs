//! Orgdesk's web apps: two Leptos single-page apps built by Trunk from this library,
//! each its own wasm so nobody downloads the other's code:
//! - `orgdesk-web` (`src/main.rs`, `index.html`): the agents' app;
//! - `orgdesk-portal` (`src/bin/orgdesk-portal.rs`, `portal.html`): the customer portal under `/portal`.
//!
//! A path one app does not own is loaded from the server as a full page (see
//! `app::LeaveApp`), so links between the two still work.

mod api;
mod app;
mod components;
mod forms;
mod hooks;
mod pages;
mod state;
mod text;

/// Starts the agents' app (everything outside `/portal`).
pub fn start_agent() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::AgentApp);
}

/// Starts the customer portal (`/portal/...`).
pub fn start_portal() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::PortalApp);
}
