//! The customer portal's API, `/api/portal/*`: customers' sign-in and everything
//! they see and do. Routes here take [`crate::portal_auth::CurrentCustomer`],
//! never an agent; what a customer may see is decided by `db::access` alone.

pub mod accounts;
pub mod auth;
pub mod items;
pub mod profile;

use utoipa_axum::router::OpenApiRouter;

use crate::AppState;

/// Portal routes open to anyone (sign-in, invitations, forgotten passwords,
/// registration, verification).
pub fn public_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().merge(auth::public_routes()).merge(accounts::public_routes())
}

/// Portal routes behind a customer's portal session.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().merge(auth::routes()).merge(accounts::routes()).merge(profile::routes()).merge(items::routes())
}
