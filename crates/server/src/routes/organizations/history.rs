//! An organization's history, newest first, one page at a time.

use axum::extract::State;
use axum::Json;
use orgdesk_core::api::organization::HistoryPage;
use orgdesk_core::api::ErrorBody;
use orgdesk_core::paging::PagingParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::CurrentAgent;
use crate::db::organizations::history as store;
use crate::error::ApiResult;
use crate::extract::{ApiPaging, ApiPath};
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(history))
}

/// The organization's history, newest first.
#[utoipa::path(get, path = "/api/organizations/{id}/history", tag = "organizations",
    params(("id" = i64, Path), PagingParams),
    responses((status = 200, body = HistoryPage), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
    ApiPaging(paging): ApiPaging,
) -> ApiResult<Json<HistoryPage>> {
    Ok(Json(store::list(&state.db, id, paging).await?))
}
