//! The organization panel's head: everything it shows, and in-place edits of the
//! name, summary and parent (see `orgdesk_core::api::organization`).

use axum::extract::State;
use axum::Json;
use orgdesk_core::api::organization::{OrganizationDetail, UpdateDetailRequest, MAX_SUMMARY};
use orgdesk_core::api::ErrorBody;
use orgdesk_core::customer::parse_organization_name;
use orgdesk_core::FieldErrors;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::CurrentAgent;
use crate::db::organizations::detail::{self as store, DetailChanges};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath};
use crate::time_fmt::now_ms;
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_detail, update_detail))
}

/// Everything the panel shows about an organization.
#[utoipa::path(get, path = "/api/organizations/{id}/detail", tag = "organizations", params(("id" = i64, Path)),
    responses((status = 200, body = OrganizationDetail), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_detail(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<OrganizationDetail>> {
    // A merged organization's id answers with the survivor (whose `id` differs).
    let id = crate::db::organizations::merge::resolve(&state.db, id).await?.unwrap_or(id);
    Ok(Json(store::detail_or_404(&state.db, id).await?))
}

/// Edits the name, summary and/or parent in place (version checked and bumped; history recorded).
/// A parent that would make the organization its own ancestor is refused (422 on `parent_id`, with the reason).
#[utoipa::path(patch, path = "/api/organizations/{id}/detail", tag = "organizations", params(("id" = i64, Path)),
    request_body = UpdateDetailRequest,
    responses((status = 200, body = OrganizationDetail), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Changed by someone else (field `version`), or the name is taken (field `name`)"),
        (status = 422, body = ErrorBody, description = "Bad name, summary or parent (the message says why)")))]
pub async fn update_detail(
    State(state): State<AppState>,
    agent: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<UpdateDetailRequest>,
) -> ApiResult<Json<OrganizationDetail>> {
    let mut errors = FieldErrors::new();
    let name = match req.name.as_deref().map(parse_organization_name) {
        Some(Err(e)) => {
            errors.insert("name".into(), e);
            None
        }
        other => other.and_then(Result::ok),
    };
    let summary = req.summary.as_deref().map(str::trim).map(str::to_string);
    if summary.as_ref().is_some_and(|s| s.chars().count() > MAX_SUMMARY) {
        errors.insert("summary".into(), format!("A summary has at most {MAX_SUMMARY} characters."));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let changes = DetailChanges { name, summary, parent: req.parent_id };
    store::update_detail(&state.db, id, req.version, &changes, Some(agent.agent.id), now_ms()).await?;
    Ok(Json(store::detail_or_404(&state.db, id).await?))
}
