//! Projects: list (active, archived or all), create, rename, describe, archive,
//! and their followers (customers and whole organizations).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use orgdesk_core::api::tickets::{
    AddFollowerRequest, CreateProjectRequest, Follower, FollowerKind, Project, ProjectPage, UpdateProjectRequest,
};
use orgdesk_core::api::ErrorBody;
use orgdesk_core::paging::{Paging, PagingParams};
use orgdesk_core::tickets::{parse_description, parse_project_name};
use orgdesk_core::FieldErrors;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::CurrentAgent;
use crate::db::projects::{self as store, Archived};
use crate::error::{ApiError, ApiResult};
use crate::extract::{patch_field, ApiJson, ApiPaging, ApiPath, ApiQuery};
use crate::routes::customers::search_text;
use crate::time_fmt::now_ms;
use crate::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProjectListQuery {
    /// `false` (the default): active projects; `true`: archived ones; `all`: both.
    pub archived: Option<String>,
    /// Text anywhere in the name, regardless of case.
    pub q: Option<String>,
}

/// Projects by name with their item counts. Archived projects show only with `archived=true` or `all`.
#[utoipa::path(get, path = "/api/projects", tag = "projects", params(ProjectListQuery, PagingParams),
    responses((status = 200, body = ProjectPage), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_projects(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPaging(Paging { offset, limit }): ApiPaging,
    ApiQuery(query): ApiQuery<ProjectListQuery>,
) -> ApiResult<Json<ProjectPage>> {
    let archived = match query.archived.as_deref().map(str::trim) {
        None | Some("") | Some("false") => Archived::No,
        Some("true") => Archived::Yes,
        Some("all") => Archived::All,
        Some(_) => return Err(ApiError::invalid("archived", "Use false, true or all.")),
    };
    let q = search_text(query.q.as_deref())?;
    let (items, total) = store::list(&state.db, archived, q.as_deref(), offset, limit).await?;
    Ok(Json(ProjectPage { items, total, offset, limit }))
}

fn not_found() -> ApiError {
    ApiError::NotFound("No such project.".into())
}

/// Creates a project. Names are unique regardless of case.
#[utoipa::path(post, path = "/api/projects", tag = "projects", request_body = CreateProjectRequest,
    responses((status = 201, body = Project), (status = 401, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Name taken"), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn create_project(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiJson(req): ApiJson<CreateProjectRequest>,
) -> ApiResult<(StatusCode, Json<Project>)> {
    let mut errors = FieldErrors::new();
    let name = parse_project_name(&req.name).map_err(|e| errors.insert("name".into(), e)).ok();
    let description = parse_description(&req.description).map_err(|e| errors.insert("description".into(), e)).ok();
    let (Some(name), Some(description)) = (name, description) else {
        return Err(ApiError::Validation(errors));
    };
    let id = store::create(&state.db, &name, &description, now_ms()).await?;
    let project = store::get(&state.db, id).await?.ok_or_else(not_found)?;
    Ok((StatusCode::CREATED, Json(project)))
}

#[utoipa::path(get, path = "/api/projects/{id}", tag = "projects", params(("id" = i64, Path)),
    responses((status = 200, body = Project), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_project(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Project>> {
    store::get(&state.db, id).await?.map(Json).ok_or_else(not_found)
}

/// Renames, describes, archives (`{"archived": true}`) or restores a project. Projects are never deleted.
#[utoipa::path(patch, path = "/api/projects/{id}", tag = "projects", params(("id" = i64, Path)),
    request_body = UpdateProjectRequest,
    responses((status = 200, body = Project), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(project_id = id))]
pub async fn update_project(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<UpdateProjectRequest>,
) -> ApiResult<Json<Project>> {
    let mut errors = FieldErrors::new();
    let name = patch_field(req.name.as_deref(), "name", parse_project_name, &mut errors);
    let description = patch_field(req.description.as_deref(), "description", parse_description, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    if !store::update(&state.db, id, name.as_deref(), description.as_deref(), req.archived).await? {
        return Err(not_found());
    }
    store::get(&state.db, id).await?.map(Json).ok_or_else(not_found)
}

/// Who follows the project: organizations (by name), then customers (by name).
#[utoipa::path(get, path = "/api/projects/{id}/followers", tag = "projects", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Follower>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_project_followers(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<Follower>>> {
    if store::archived(&state.db, id).await?.is_none() {
        return Err(not_found());
    }
    Ok(Json(store::followers(&state.db, id).await?))
}

/// Adds a customer or a whole organization (exactly one of the two) as a follower;
/// adding one that already follows changes nothing.
#[utoipa::path(post, path = "/api/projects/{id}/followers", tag = "projects", params(("id" = i64, Path)),
    request_body = AddFollowerRequest,
    responses((status = 201, body = Follower), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Neither or both, or no such customer or organization")))]
pub async fn add_project_follower(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<AddFollowerRequest>,
) -> ApiResult<(StatusCode, Json<Follower>)> {
    let (kind, follower) = match (req.customer_id, req.organization_id) {
        (Some(c), None) => (FollowerKind::Customer, c),
        (None, Some(o)) => (FollowerKind::Organization, o),
        _ => {
            return Err(ApiError::invalid(
                "customer_id",
                "Choose either a customer (customer_id) or an organization (organization_id).",
            ))
        }
    };
    let added = store::add_follower(&state.db, id, kind, follower, now_ms()).await?.ok_or_else(not_found)?;
    Ok((StatusCode::CREATED, Json(added)))
}

#[utoipa::path(delete, path = "/api/projects/{id}/followers/customers/{customer_id}", tag = "projects",
    params(("id" = i64, Path), ("customer_id" = i64, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn remove_project_customer_follower(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath((id, customer_id)): ApiPath<(i64, i64)>,
) -> ApiResult<StatusCode> {
    let removed = store::remove_follower(&state.db, id, FollowerKind::Customer, customer_id).await?;
    crate::routes::deleted(removed, "This customer does not follow the project.")
}

#[utoipa::path(delete, path = "/api/projects/{id}/followers/organizations/{organization_id}", tag = "projects",
    params(("id" = i64, Path), ("organization_id" = i64, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn remove_project_organization_follower(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath((id, organization_id)): ApiPath<(i64, i64)>,
) -> ApiResult<StatusCode> {
    let removed = store::remove_follower(&state.db, id, FollowerKind::Organization, organization_id).await?;
    crate::routes::deleted(removed, "This organization does not follow the project.")
}

/// This module's routes (all behind the session).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_projects, create_project))
        .routes(routes!(get_project, update_project))
        .routes(routes!(list_project_followers, add_project_follower))
        .routes(routes!(remove_project_customer_follower))
        .routes(routes!(remove_project_organization_follower))
}
