//! The outbox: the record of every email Orgdesk sends (admins only).

use axum::extract::State;
use axum::Json;
use orgdesk_core::api::outbox::{OutboxPage, MAX_OUTBOX_PAGE};
use orgdesk_core::api::ErrorBody;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AdminAgent;
use crate::db;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    pub offset: Option<i64>,
    /// At most 200; 50 when absent.
    pub limit: Option<i64>,
}

/// Outgoing emails, newest first, with their delivery status (admins only).
#[utoipa::path(get, path = "/api/outbox", tag = "outbox", params(OutboxQuery),
    responses(
        (status = 200, body = OutboxPage),
        (status = 400, body = ErrorBody, description = "Malformed query"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody, description = "Not an admin"),
        (status = 422, body = ErrorBody, description = "Offset or limit out of range"),
    ))]
pub async fn list_outbox(
    State(state): State<AppState>,
    _: AdminAgent,
    ApiQuery(query): ApiQuery<OutboxQuery>,
) -> ApiResult<Json<OutboxPage>> {
    let offset = query.offset.unwrap_or(0);
    let limit = query.limit.unwrap_or(50);
    if offset < 0 {
        return Err(ApiError::invalid("offset", "The offset cannot be negative."));
    }
    if !(1..=MAX_OUTBOX_PAGE).contains(&limit) {
        return Err(ApiError::invalid("limit", format!("The limit is between 1 and {MAX_OUTBOX_PAGE}.")));
    }
    let (rows, total) = db::outbox::list(&state.db, offset, limit).await?;
    Ok(Json(OutboxPage { items: rows.into_iter().map(|r| r.into_api()).collect(), total }))
}

/// This module's routes (all behind the session).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_outbox))
}
