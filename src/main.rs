//! The agents' web app (Trunk builds it from `index.html`); the code is in the library.

fn main() {
    orgdesk_web::start_agent();
}
