//! Sharing: the sharing dialog's preview and change of a project's followers, and
//! who sees what (a project's and an item's access lists, a customer's shared projects).

use axum::extract::State;
use axum::Json;
use orgdesk_core::api::sharing::{ItemAccessPage, ProjectAccessPage, SharedProject, SharingChange, SharingPreview};
use orgdesk_core::api::tickets::Follower;
use orgdesk_core::api::ErrorBody;
use orgdesk_core::paging::{Paging, PagingParams};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::CurrentAgent;
use crate::db::audit::Actor;
use crate::db::sharing as store;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPaging, ApiPath};
use crate::time_fmt::now_ms;
use crate::AppState;

fn no_project() -> ApiError {
    ApiError::NotFound("No such project.".into())
}

/// What a change of the project's followers would do, before it is saved: who
/// gains and who loses access, the organizations whose future members will gain
/// it too, and how many items they will see under the current portal settings.
#[utoipa::path(post, path = "/api/projects/{id}/sharing/preview", tag = "projects", params(("id" = i64, Path)),
    request_body = SharingChange,
    responses((status = 200, body = SharingPreview), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "No such customer or organization, or one both added and removed")))]
pub async fn preview_sharing(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
    ApiJson(change): ApiJson<SharingChange>,
) -> ApiResult<Json<SharingPreview>> {
    store::preview(&state.db, id, &change).await?.map(Json).ok_or_else(no_project)
}

/// Adds and removes the project's followers in one change (all or nothing),
/// records it in the audit log, and answers the followers. Adding one that follows
/// already, or removing one that does not, changes nothing.
#[utoipa::path(put, path = "/api/projects/{id}/sharing", tag = "projects", params(("id" = i64, Path)),
    request_body = SharingChange,
    responses((status = 200, body = Vec<Follower>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "No such customer or organization, or one both added and removed")))]
#[tracing::instrument(skip_all, fields(project_id = id))]
pub async fn apply_sharing(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(change): ApiJson<SharingChange>,
) -> ApiResult<Json<Vec<Follower>>> {
    store::apply(&state.db, id, &change, &actor, now_ms()).await?.map(Json).ok_or_else(no_project)
}

/// The customers the project is shared with (following it themselves, or through
/// their organization once their email is verified), by name, with totals.
#[utoipa::path(get, path = "/api/projects/{id}/access", tag = "projects", params(("id" = i64, Path), PagingParams),
    responses((status = 200, body = ProjectAccessPage), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn project_access(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
    ApiPaging(Paging { offset, limit }): ApiPaging,
) -> ApiResult<Json<ProjectAccessPage>> {
    store::project_access(&state.db, id, offset, limit).await?.map(Json).ok_or_else(no_project)
}

/// The projects shared with a customer, directly or through their organization.
#[utoipa::path(get, path = "/api/customers/{id}/shared-projects", tag = "customers", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<SharedProject>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn customer_shared_projects(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<SharedProject>>> {
    store::shared_projects(&state.db, id).await?.map(Json).ok_or_else(|| ApiError::NotFound("No such customer.".into()))
}

/// "Who can see this?": the customers who may see the item in the portal, by
/// name, each with the reasons the portal applies, and how many customers each reason covers.
#[utoipa::path(get, path = "/api/items/{id}/access", tag = "items", params(("id" = i64, Path), PagingParams),
    responses((status = 200, body = ItemAccessPage), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn item_access(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
    ApiPaging(Paging { offset, limit }): ApiPaging,
) -> ApiResult<Json<ItemAccessPage>> {
    store::item_access(&state.db, id, offset, limit)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::NotFound("No such item.".into()))
}

/// This module's routes (all behind the agents' session).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(preview_sharing))
        .routes(routes!(apply_sharing))
        .routes(routes!(project_access))
        .routes(routes!(customer_shared_projects))
        .routes(routes!(item_access))
}
