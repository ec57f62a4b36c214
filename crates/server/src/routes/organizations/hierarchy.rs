//! Parents and children, from the organization panel: the picker's candidates,
//! linking a child (existing or new) and unlinking one.

use axum::extract::State;
use axum::Json;
use orgdesk_core::api::organization::{AddChildRequest, OrganizationDetail, ParentCandidate, Relation};
use orgdesk_core::api::ErrorBody;
use orgdesk_core::customer::parse_organization_name;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::version_param;
use crate::auth::CurrentAgent;
use crate::db::organizations::detail::detail_or_404;
use crate::db::organizations::hierarchy::{self as store, NewChild};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::routes::customers::search_text;
use crate::time_fmt::now_ms;
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(relatives)).routes(routes!(add_child)).routes(routes!(remove_child))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RelativesQuery {
    /// `parent` or `child`.
    pub relation: Option<String>,
    /// The start of an organization's name.
    pub q: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VersionQuery {
    /// The organization's version the agent saw.
    pub version: Option<String>,
}

/// Organizations for the hierarchy picker, by name; choices that would make an
/// organization its own ancestor carry `disabled_reason`.
#[utoipa::path(get, path = "/api/organizations/{id}/relatives", tag = "organizations",
    params(("id" = i64, Path), RelativesQuery),
    responses((status = 200, body = Vec<ParentCandidate>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Bad `relation` or `q`")))]
pub async fn relatives(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<RelativesQuery>,
) -> ApiResult<Json<Vec<ParentCandidate>>> {
    let relation = match query.relation.as_deref() {
        Some("parent") => Relation::Parent,
        Some("child") => Relation::Child,
        _ => return Err(ApiError::invalid("relation", "Say which relation: parent or child.")),
    };
    let q = search_text(query.q.as_deref())?;
    Ok(Json(store::relatives(&state.db, id, relation, q.as_deref()).await?))
}

/// Adds a child: an existing organization (`child_id`) or a new one (`create_name`).
/// A child that would make the organization its own ancestor is refused with the reason.
#[utoipa::path(post, path = "/api/organizations/{id}/children", tag = "organizations", params(("id" = i64, Path)),
    request_body = AddChildRequest,
    responses((status = 200, body = OrganizationDetail), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Changed by someone else (field `version`), or the new name is taken (field `create_name`)"),
        (status = 422, body = ErrorBody, description = "No or bad child, or a loop (the message says why)")))]
pub async fn add_child(
    State(state): State<AppState>,
    agent: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<AddChildRequest>,
) -> ApiResult<Json<OrganizationDetail>> {
    let child = match (req.child_id, req.create_name.as_deref()) {
        (Some(c), None) => NewChild::Existing(c),
        (None, Some(name)) => {
            NewChild::Create(parse_organization_name(name).map_err(|e| ApiError::invalid("create_name", e))?)
        }
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid("child_id", "Send either an existing organization or a new name, not both."))
        }
        (None, None) => return Err(ApiError::invalid("child_id", "Choose an organization, or name a new one.")),
    };
    store::add_child(&state.db, id, req.version, &child, Some(agent.agent.id), now_ms()).await?;
    Ok(Json(detail_or_404(&state.db, id).await?))
}

/// Unlinks a child (it stays, with no parent); deletes nothing.
#[utoipa::path(delete, path = "/api/organizations/{id}/children/{child_id}", tag = "organizations",
    params(("id" = i64, Path), ("child_id" = i64, Path), VersionQuery),
    responses((status = 200, body = OrganizationDetail), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "No such organization, or not its child"),
        (status = 409, body = ErrorBody, description = "Changed by someone else (field `version`)"),
        (status = 422, body = ErrorBody, description = "No or bad `version`")))]
pub async fn remove_child(
    State(state): State<AppState>,
    agent: CurrentAgent,
    ApiPath((id, child_id)): ApiPath<(i64, i64)>,
    ApiQuery(query): ApiQuery<VersionQuery>,
) -> ApiResult<Json<OrganizationDetail>> {
    let version = version_param(query.version.as_deref())?;
    store::remove_child(&state.db, id, child_id, version, Some(agent.agent.id), now_ms()).await?;
    Ok(Json(detail_or_404(&state.db, id).await?))
}
