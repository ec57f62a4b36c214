//! The outbox: the record of every email Orgdesk sends (admins only).

use axum::extract::State;
use axum::Json;
use orgdesk_core::api::outbox::OutboxPage;
use orgdesk_core::api::ErrorBody;
use orgdesk_core::paging::{Paging, PagingParams};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AdminAgent;
use crate::db;
use crate::error::ApiResult;
use crate::extract::{ApiPaging, ApiQuery};
use crate::AppState;

/// The outbox reads `offset` and `limit` as numbers first: other text is a
/// malformed query (400), as it always was here; the range is [`ApiPaging`]'s (422).
#[derive(Debug, Deserialize)]
#[allow(dead_code)]
pub struct OutboxNumbers {
    offset: Option<i64>,
    limit: Option<i64>,
}

/// Outgoing emails, newest first, with their delivery status (admins only).
#[utoipa::path(get, path = "/api/outbox", tag = "outbox", params(PagingParams),
    responses(
        (status = 200, body = OutboxPage),
        (status = 400, body = ErrorBody, description = "Malformed query"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody, description = "Not an admin"),
        (status = 422, body = ErrorBody, description = "Offset or limit out of range"),
    ))]
pub async fn list_outbox(
    State(state): State<AppState>,
    _: AdminAgent,
    _: ApiQuery<OutboxNumbers>,
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
