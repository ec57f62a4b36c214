//! Orgdesk's web app: a Leptos single-page app built by Trunk.

mod api;
mod app;
mod components;
mod forms;
mod pages;
mod state;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
