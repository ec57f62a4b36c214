//! Orgdesk's web app: a Leptos single-page app built by Trunk.

mod api;
mod app;
mod components;
mod forms;
mod hooks;
mod pages;
mod state;
mod text;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
