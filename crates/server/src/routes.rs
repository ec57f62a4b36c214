//! The `/api` router: one module per resource, each documented for OpenAPI.

pub mod agents;
pub mod audit;
pub mod auth;
pub mod conversations;
pub mod customer_profile;
pub mod customers;
pub mod deleted_organizations;
pub mod imports;
pub mod items;
pub mod meta;
pub mod organizations;
pub mod outbox;
pub mod passwords;
pub mod portal;
pub mod portal_settings;
pub mod projects;
pub mod routing;
pub mod settings;
pub mod sharing;
pub mod usergroups;

use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::routing::any;
use axum::Router;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiError;
use crate::extract::MAX_JSON_BYTES;
use crate::{auth as session, AppState};

/// Routes open to anyone: sign-in, "forgot password" and using a reset link.
fn public_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(auth::login)).merge(passwords::public_routes()).merge(portal::public_routes())
}

/// Routes that need an agent's session (and, for changes, the CSRF token); each resource
/// module lists its own.
fn protected_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(auth::routes())
        .merge(passwords::routes())
        .merge(agents::routes())
        .merge(meta::routes())
        .merge(customers::routes())
        .merge(customer_profile::routes())
        .merge(organizations::routes())
        .merge(settings::routes())
        .merge(outbox::routes())
        .merge(audit::routes())
        .merge(projects::routes())
        .merge(conversations::routes())
        .merge(items::routes())
        .merge(portal_settings::routes())
        .merge(sharing::routes())
        .merge(routing::routes())
        .merge(imports::routes())
        .merge(usergroups::routes())
        .merge(deleted_organizations::routes())
}

/// Every documented route, for the OpenAPI document.
pub fn documented() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(crate::openapi::base())
        .merge(public_routes())
        .merge(protected_routes())
        .merge(portal::routes())
}

pub fn api_router(state: AppState) -> Router {
    let protected = protected_routes().route_layer(from_fn_with_state(state.clone(), session::require_session));
    let portal =
        portal::routes().route_layer(from_fn_with_state(state.clone(), crate::portal_auth::require_customer_session));
    let (router, _) = OpenApiRouter::new().merge(public_routes()).merge(protected).merge(portal).split_for_parts();
    router
        .route("/api", any(api_not_found))
        .route("/api/{*rest}", any(api_not_found))
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_JSON_BYTES))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(panic_response))
        .with_state(state)
}

/// 204 when something was deleted, else 404 with `message`.
pub(crate) fn deleted(found: bool, message: &str) -> Result<axum::http::StatusCode, ApiError> {
    if found {
        Ok(axum::http::StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound(message.into()))
    }
}

async fn api_not_found() -> ApiError {
    ApiError::NotFound("There is no such API route.".into())
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    use axum::response::IntoResponse;
    ApiError::Internal("a handler panicked".into()).into_response()
}
