//! The customer portal's web app (Trunk builds it from `portal.html` into `dist/portal/`).

fn main() {
    orgdesk_web::start_portal();
}
