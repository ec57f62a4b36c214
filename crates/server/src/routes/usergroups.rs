//! Usergroups: Administration > Usergroups (any agent reads, admins write), an
//! organization's Usergroups section, and a customer's groups. The route list is
//! `orgdesk_core::api::usergroups`'s module doc.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use orgdesk_core::api::usergroups::{
    AddUsergroupMemberRequest, CreateUsergroupRequest, CustomerUsergroup, LinkUsergroupRequest, UpdateUsergroupRequest,
    Usergroup, UsergroupLink, UsergroupMember, UsergroupMemberPage, UsergroupPage,
};
use orgdesk_core::api::ErrorBody;
use orgdesk_core::paging::{Paging, PagingParams};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{AdminAgent, CurrentAgent};
use crate::db::audit::Actor;
use crate::db::organizations::history::not_found as no_organization;
use crate::db::usergroups::{self as store, not_found};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPaging, ApiPath, ApiQuery};
use crate::routes::customers::search_text;
use crate::time_fmt::now_ms;
use crate::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UsergroupListQuery {
    /// The start of the name, regardless of case (at most 100 characters).
    pub q: Option<String>,
}

/// Usergroups by name, each with its projects, linked organizations and member counts.
#[utoipa::path(get, path = "/api/usergroups", tag = "usergroups", params(UsergroupListQuery, PagingParams),
    responses((status = 200, body = UsergroupPage), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_usergroups(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPaging(Paging { offset, limit }): ApiPaging,
    ApiQuery(query): ApiQuery<UsergroupListQuery>,
) -> ApiResult<Json<UsergroupPage>> {
    let q = search_text(query.q.as_deref())?;
    Ok(Json(store::list(&state.db, q.as_deref(), offset, limit).await?))
}

/// Adds a usergroup (admins). Names are unique regardless of case (409 `name`);
/// every project must exist (422 `project_ids`).
#[utoipa::path(post, path = "/api/usergroups", tag = "usergroups", security(("session" = ["admin"])),
    request_body = CreateUsergroupRequest,
    responses((status = 201, body = Usergroup), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Another usergroup has this name"),
        (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn create_usergroup(
    State(state): State<AppState>,
    _: AdminAgent,
    actor: Actor,
    ApiJson(req): ApiJson<CreateUsergroupRequest>,
) -> ApiResult<(StatusCode, Json<Usergroup>)> {
    Ok((StatusCode::CREATED, Json(store::create(&state.db, &req, &actor, now_ms()).await?)))
}

#[utoipa::path(get, path = "/api/usergroups/{id}", tag = "usergroups", params(("id" = i64, Path)),
    responses((status = 200, body = Usergroup), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_usergroup(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Usergroup>> {
    let mut db = &state.db;
    store::get(&mut db, id).await?.map(Json).ok_or_else(not_found)
}

/// Changes a usergroup (admins): absent fields stay, `project_ids` replaces its
/// projects; `version` must be the group's (409 otherwise).
#[utoipa::path(patch, path = "/api/usergroups/{id}", tag = "usergroups", security(("session" = ["admin"])),
    params(("id" = i64, Path)), request_body = UpdateUsergroupRequest,
    responses((status = 200, body = Usergroup), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Someone changed the group since it was read, or the name is taken"),
        (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(usergroup_id = id))]
pub async fn update_usergroup(
    State(state): State<AppState>,
    _: AdminAgent,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<UpdateUsergroupRequest>,
) -> ApiResult<Json<Usergroup>> {
    Ok(Json(store::update(&state.db, id, &req, &actor, now_ms()).await?))
}

/// Deletes a usergroup (admins): its members lose what it granted at once.
#[utoipa::path(delete, path = "/api/usergroups/{id}", tag = "usergroups", security(("session" = ["admin"])),
    params(("id" = i64, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(usergroup_id = id))]
pub async fn delete_usergroup(
    State(state): State<AppState>,
    _: AdminAgent,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    let found = store::delete(&state.db, id, &actor, now_ms()).await?;
    crate::routes::deleted(found, "There is no such usergroup.")
}

/// The group's members by name, individually or through a linked organization, each with the source.
#[utoipa::path(get, path = "/api/usergroups/{id}/members", tag = "usergroups", params(("id" = i64, Path), PagingParams),
    responses((status = 200, body = UsergroupMemberPage), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn list_usergroup_members(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
    ApiPaging(Paging { offset, limit }): ApiPaging,
) -> ApiResult<Json<UsergroupMemberPage>> {
    store::members(&state.db, id, offset, limit).await?.map(Json).ok_or_else(not_found)
}

/// Adds a customer to the group individually (admins); adding them again changes nothing.
#[utoipa::path(post, path = "/api/usergroups/{id}/members", tag = "usergroups", security(("session" = ["admin"])),
    params(("id" = i64, Path)), request_body = AddUsergroupMemberRequest,
    responses((status = 200, body = UsergroupMember), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody, description = "No such customer")))]
#[tracing::instrument(skip_all, fields(usergroup_id = id))]
pub async fn add_usergroup_member(
    State(state): State<AppState>,
    _: AdminAgent,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<AddUsergroupMemberRequest>,
) -> ApiResult<Json<UsergroupMember>> {
    Ok(Json(store::add_member(&state.db, id, req.customer_id, &actor, now_ms()).await?))
}

/// Removes a customer's individual membership (admins). A customer in the group
/// only through their organization is refused with the reason (409 `customer_id`).
#[utoipa::path(delete, path = "/api/usergroups/{id}/members/{customer_id}", tag = "usergroups",
    security(("session" = ["admin"])), params(("id" = i64, Path), ("customer_id" = i64, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "In the group only through their organization (named)")))]
#[tracing::instrument(skip_all, fields(usergroup_id = id, customer_id = customer_id))]
pub async fn remove_usergroup_member(
    State(state): State<AppState>,
    _: AdminAgent,
    actor: Actor,
    ApiPath((id, customer_id)): ApiPath<(i64, i64)>,
) -> ApiResult<StatusCode> {
    store::remove_member(&state.db, id, customer_id, &actor, now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The usergroups linked to the organization, by name.
#[utoipa::path(get, path = "/api/organizations/{id}/usergroups", tag = "usergroups", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<UsergroupLink>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_organization_usergroups(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<UsergroupLink>>> {
    store::organization_links(&state.db, id).await?.map(Json).ok_or_else(no_organization)
}

/// Links a usergroup to the organization (admins): every member, present and
/// future, is in it. Answers the organization's links.
#[utoipa::path(post, path = "/api/organizations/{id}/usergroups", tag = "usergroups", security(("session" = ["admin"])),
    params(("id" = i64, Path)), request_body = LinkUsergroupRequest,
    responses((status = 200, body = Vec<UsergroupLink>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody, description = "No such usergroup")))]
#[tracing::instrument(skip_all, fields(organization_id = id))]
pub async fn link_organization_usergroup(
    State(state): State<AppState>,
    _: AdminAgent,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<LinkUsergroupRequest>,
) -> ApiResult<Json<Vec<UsergroupLink>>> {
    store::link(&state.db, id, req.usergroup_id, &actor, now_ms()).await?;
    store::organization_links(&state.db, id).await?.map(Json).ok_or_else(no_organization)
}

/// Unlinks a usergroup from the organization (admins): only the memberships the
/// link gave go; individual ones stay.
#[utoipa::path(delete, path = "/api/organizations/{id}/usergroups/{usergroup_id}", tag = "usergroups",
    security(("session" = ["admin"])), params(("id" = i64, Path), ("usergroup_id" = i64, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(organization_id = id, usergroup_id = usergroup_id))]
pub async fn unlink_organization_usergroup(
    State(state): State<AppState>,
    _: AdminAgent,
    actor: Actor,
    ApiPath((id, usergroup_id)): ApiPath<(i64, i64)>,
) -> ApiResult<StatusCode> {
    let found = store::unlink(&state.db, id, usergroup_id, &actor, now_ms()).await?;
    crate::routes::deleted(found, "This usergroup is not linked to this organization.")
}

/// The usergroups the customer is in, by name, each with its source.
#[utoipa::path(get, path = "/api/customers/{id}/usergroups", tag = "usergroups", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<CustomerUsergroup>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_customer_usergroups(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<CustomerUsergroup>>> {
    store::customer_groups(&state.db, id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::NotFound("There is no such customer.".into()))
}

/// This module's routes (all behind the agents' session).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_usergroups, create_usergroup))
        .routes(routes!(get_usergroup, update_usergroup, delete_usergroup))
        .routes(routes!(list_usergroup_members, add_usergroup_member))
        .routes(routes!(remove_usergroup_member))
        .routes(routes!(list_organization_usergroups, link_organization_usergroup))
        .routes(routes!(unlink_organization_usergroup))
        .routes(routes!(list_customer_usergroups))
}
