//! An organization's contact information (phones, emails, websites, addresses,
//! social profiles), saved as a whole from the panel.

use axum::extract::State;
use axum::Json;
use orgdesk_core::api::organization::{OrganizationDetail, ReplaceContactsRequest};
use orgdesk_core::api::ErrorBody;
use orgdesk_core::contact::validate_entries;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::CurrentAgent;
use crate::db::organizations::contacts as store;
use crate::db::organizations::history::not_found;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath};
use crate::time_fmt::now_ms;
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(replace_contacts))
}

/// Replaces the organization's contact information (phones, emails, websites,
/// addresses, social profiles), checking and bumping its version.
#[utoipa::path(put, path = "/api/organizations/{id}/contacts", tag = "organizations",
    params(("id" = i64, Path, description = "Organization id")), request_body = ReplaceContactsRequest,
    responses((status = 200, body = OrganizationDetail), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Changed by someone else (field `version`)"),
        (status = 422, body = ErrorBody, description = "Invalid entries (fields `entries.{index}.label|value`)")))]
#[tracing::instrument(skip_all, fields(organization_id = id))]
pub async fn replace_contacts(
    State(state): State<AppState>,
    current: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<ReplaceContactsRequest>,
) -> ApiResult<Json<OrganizationDetail>> {
    let entries = validate_entries(&req.entries).map_err(ApiError::Validation)?;
    store::replace_contacts(&state.db, id, req.version, &entries, current.agent.id, now_ms()).await?;
    crate::db::organizations::detail::load_detail(&state.db, id).await?.map(Json).ok_or_else(not_found)
}
