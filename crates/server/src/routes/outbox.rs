//! The outbox: the record of every email Orgdesk sends (admins only).

use axum::extract::State;
use axum::Json;
use orgdesk_core::api::outbox::OutboxPage;
use orgdesk_core::api::ErrorBody;
use orgdesk_core::paging::{Paging, PagingParams};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AdminAgent;
use crate::db;
use crate::error::ApiResult;
use crate::extract::ApiPaging;
use crate::AppState;

/// Outgoing emails, newest first, with their delivery status (admins only).
#[utoipa::path(get, path = "/api/outbox", tag = "outbox", security(("session" = ["admin"])), params(PagingParams),
    responses(
        (status = 200, body = OutboxPage),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody, description = "Not an admin"),
        (status = 422, body = ErrorBody, description = "Offset or limit not a whole number in range"),
    ))]
pub async fn list_outbox(
    State(state): State<AppState>,
    _: AdminAgent,
    ApiPaging(Paging { offset, limit }): ApiPaging,
) -> ApiResult<Json<OutboxPage>> {
    let (rows, total) = db::outbox::list(&state.db, offset, limit).await?;
    let items = rows.into_iter().map(|r| r.into_api()).collect::<Result<_, _>>()?;
    Ok(Json(OutboxPage { items, total }))
}

/// This module's routes (all behind the session).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_outbox))
}
