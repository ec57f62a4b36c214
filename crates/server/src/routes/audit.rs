//! The audit log (admins only): a page at a time, newest first, filtered by action
//! and by actor. Entries are kept; there is no route that deletes them. Also the
//! [`Actor`] of a request, which any handler takes to record an entry.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::Json;
use orgdesk_core::api::audit::{AuditFilter, AuditPage, AuditQuery};
use orgdesk_core::api::ErrorBody;
use orgdesk_core::paging::PagingParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{AdminAgent, ClientIp, CurrentAgent};
use crate::db::audit::{self as store, Actor};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiPaging, ApiQuery};
use crate::AppState;

/// The signed-in agent and the client address, as an audit entry names them.
impl<S: Send + Sync> FromRequestParts<S> for Actor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let current = CurrentAgent::from_request_parts(parts, state).await?;
        let Ok(ClientIp(ip)) = ClientIp::from_request_parts(parts, state).await;
        Ok(actor_of(&current, ip))
    }
}

/// The actor `current` from address `ip`.
pub fn actor_of(current: &CurrentAgent, ip: Option<std::net::IpAddr>) -> Actor {
    Actor { id: Some(current.agent.id), email: current.agent.email.clone(), source: source_of(ip) }
}

/// A client address as the log keeps it ("" when unknown).
pub fn source_of(ip: Option<std::net::IpAddr>) -> String {
    ip.map(|ip| ip.to_string()).unwrap_or_default()
}

/// The audit log, newest first (admins only): sign-ins and failed sign-ins,
/// sign-outs, deletions, agents added, role changes, deactivations, password and
/// settings changes. Entries are kept indefinitely (no route deletes them).
#[utoipa::path(get, path = "/api/audit", tag = "audit", security(("session" = ["admin"])), params(AuditQuery, PagingParams),
    responses(
        (status = 200, body = AuditPage),
        (status = 400, body = ErrorBody, description = "A malformed query string (e.g. a filter given twice)"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody, description = "Not an admin"),
        (status = 422, body = ErrorBody,
            description = "An unknown action (field `action`), an actor that is not an agent id from 1 (field `actor`), \
                or offset/limit out of range (offset from 0, limit 1 to 200)"),
    ))]
pub async fn list_audit(
    State(state): State<AppState>,
    _: AdminAgent,
    ApiQuery(query): ApiQuery<AuditQuery>,
    ApiPaging(page): ApiPaging,
) -> ApiResult<Json<AuditPage>> {
    let filter = AuditFilter::parse(&query).map_err(ApiError::Validation)?;
    Ok(Json(store::list(&state.db, filter, page).await?))
}

/// This module's routes (all behind the session).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_audit))
}
