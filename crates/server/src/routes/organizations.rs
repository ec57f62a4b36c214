//! Customer organizations: list with member counts, create, rename, change domains,
//! delete; the organization panel's sections have their own modules below.

pub mod contacts;
pub mod detail;
pub mod domains;
pub mod files;
pub mod hierarchy;
pub mod history;
pub mod members;
pub mod merge;
pub mod notes;
pub mod properties;

use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use orgdesk_core::agent::Role;
use orgdesk_core::api::{
    CreateOrganizationRequest, ErrorBody, Organization, OrganizationPage, UpdateOrganizationRequest,
};
use orgdesk_core::customer::{parse_organization_domains, parse_organization_name, validate_new_organization};
use orgdesk_core::paging::PagingParams;
use orgdesk_core::FieldErrors;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::CurrentAgent;
use crate::db::audit::Actor;
use crate::db::organizations as store;
use crate::error::{ApiError, ApiResult};
use crate::extract::{patch_field, ApiJson, ApiPaging, ApiPath, ApiQuery};
use crate::routes::customers::{list_filter, search_text};
use crate::time_fmt::now_ms;
use crate::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Keeps organizations whose name, or some member's name or email, contains this,
    /// regardless of case and accents (from 3 characters; shorter: the start of a word).
    pub q: Option<String>,
    /// Keeps the organizations following this project, and those with a member following it.
    pub project_id: Option<i64>,
}

/// Organizations by name, with member counts and the number of unassigned customers.
#[utoipa::path(get, path = "/api/organizations", tag = "organizations", params(ListQuery, PagingParams),
    responses((status = 200, body = OrganizationPage), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_organizations(
    State(state): State<AppState>,
    current: CurrentAgent,
    ApiQuery(query): ApiQuery<ListQuery>,
    ApiPaging(paging): ApiPaging,
) -> ApiResult<Json<OrganizationPage>> {
    let (offset, limit) = (paging.offset, paging.limit);
    let filter = list_filter(&state, query.q.as_deref(), query.project_id).await?;
    let kept = match &filter {
        // Without a project: kept per search text version and brought up to date after
        // moves (`search_hits`); the page's organizations are read anew.
        Some(f) if query.project_id.is_none() => {
            let db = &state.db;
            let hits = state
                .org_search_cache
                .get_checked(
                    current.versions.texts,
                    search_text(query.q.as_deref())?.unwrap_or_default(),
                    |kept| async move { kept.refresh(db).await },
                    || store::search_hits::OrgHits::compute(db, f, current.versions.customers),
                )
                .await?;
            hits.page(db, offset, limit).await?.map(Arc::new)
        }
        _ => None,
    };
    let list = match (kept, &filter) {
        (Some(list), _) => list,
        // The list by name: a slice of the live organizations' ids, kept in order by the
        // search text version (no index walk past `offset`).
        (None, None) => {
            let order = state
                .org_order_cache
                .get_or_compute(current.versions.texts, (), || store::live_order(&state.db))
                .await?;
            Arc::new(store::list_ids(&state.db, store::page_of(&order, offset, limit)).await?)
        }
        // A search too broad to be kept that way, or with a project: kept per data version.
        (None, Some(f)) => {
            let key = (search_text(query.q.as_deref())?, query.project_id, offset, limit);
            state
                .search_cache
                .get_or_compute(current.versions.customers, key, || store::list(&state.db, Some(f), offset, limit))
                .await?
        }
    };
    Ok(Json(OrganizationPage {
        items: list.items.clone(),
        total: list.total,
        offset,
        limit,
        unassigned_count: list.unassigned,
        customer_count: list.customers,
    }))
}

/// Creates an organization. Its name is unique regardless of case; each domain
/// belongs to at most one organization.
#[utoipa::path(post, path = "/api/organizations", tag = "organizations", request_body = CreateOrganizationRequest,
    responses((status = 201, body = Organization), (status = 401, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Name or domain taken (the message names the owner)"),
        (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn create_organization(
    State(state): State<AppState>,
    current: CurrentAgent,
    ApiJson(req): ApiJson<CreateOrganizationRequest>,
) -> ApiResult<(StatusCode, Json<Organization>)> {
    let new = validate_new_organization(&req).map_err(ApiError::Validation)?;
    crate::routes::settings::check_organization_domains(&state.db, &new.domains, "domains").await?;
    let id = store::create(&state.db, &new.name, &new.domains, Some(current.agent.id), now_ms()).await?;
    let org = store::get(&state.db, id).await?.ok_or_else(not_found)?;
    Ok((StatusCode::CREATED, Json(org)))
}

fn not_found() -> ApiError {
    ApiError::NotFound("No such organization.".into())
}

#[utoipa::path(get, path = "/api/organizations/{id}", tag = "organizations", params(("id" = i64, Path)),
    responses((status = 200, body = Organization), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_organization(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Organization>> {
    // A merged organization's id answers with the survivor.
    let id = store::merge::resolve(&state.db, id).await?.ok_or_else(not_found)?;
    store::get(&state.db, id).await?.map(Json).ok_or_else(not_found)
}

/// Renames an organization and/or replaces its domains (one transaction).
#[utoipa::path(patch, path = "/api/organizations/{id}", tag = "organizations", params(("id" = i64, Path)),
    request_body = UpdateOrganizationRequest,
    responses((status = 200, body = Organization), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_organization(
    State(state): State<AppState>,
    agent: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<UpdateOrganizationRequest>,
) -> ApiResult<Json<Organization>> {
    let mut errors = FieldErrors::new();
    let name = patch_field(req.name.as_deref(), "name", parse_organization_name, &mut errors);
    let domains = patch_field(req.domains.as_deref(), "domains", parse_organization_domains, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    if let Some(domains) = &domains {
        crate::routes::settings::check_organization_domains(&state.db, domains, "domains").await?;
    }
    if !store::update(&state.db, id, name.as_deref(), domains.as_deref(), Some(agent.agent.id), now_ms()).await? {
        return Err(not_found());
    }
    store::get(&state.db, id).await?.map(Json).ok_or_else(not_found)
}

/// Where a deleted organization's members go.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteQuery {
    /// Moves the members (and their open items) to this organization; without it
    /// they are left without an organization.
    pub move_members_to: Option<i64>,
}

/// Deletes an organization: its members are left without an organization or move
/// to `move_members_to`; its items keep a record of it. It can be restored from
/// Administration > Deleted organizations until the retention ends (30 days unless
/// changed), then it is purged. Admins only, unless an admin turned on "Agents may
/// delete organizations" (`agents_may_delete_organizations` in the settings).
#[utoipa::path(delete, path = "/api/organizations/{id}", tag = "organizations", security(("session" = ["admin", "agents_may_delete_organizations"])), params(("id" = i64, Path), DeleteQuery),
    responses((status = 204), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "An agent, while only admins may delete organizations"),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(organization_id = id))]
pub async fn delete_organization(
    State(state): State<AppState>,
    current: CurrentAgent,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<DeleteQuery>,
) -> ApiResult<StatusCode> {
    if current.agent.role() != Role::Admin
        && !crate::routes::settings::agents_may_delete_organizations(&state.db).await?
    {
        return Err(ApiError::Forbidden(DELETE_FORBIDDEN.into()));
    }
    let outcome =
        crate::db::organizations::deleted::delete(&state.db, id, query.move_members_to, &actor, now_ms()).await?;
    crate::routes::deleted(outcome.is_some(), "No such organization.")
}

/// Why an agent may not delete an organization.
pub const DELETE_FORBIDDEN: &str = "Only administrators can delete organizations. An administrator can allow agents \
     to under Administration (\"Agents may delete organizations\").";

/// The version of the organization the agent saw, from a query string (edits sent
/// as `DELETE` carry it there): required, a whole number.
pub(crate) fn version_param(v: Option<&str>) -> ApiResult<i64> {
    match v.map(str::trim) {
        None | Some("") => Err(ApiError::invalid("version", "Send the version of the organization you saw.")),
        Some(v) => v.parse().map_err(|_| ApiError::invalid("version", "The version is a whole number.")),
    }
}

/// This module's routes and its sections' (all behind the session).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_organizations, create_organization))
        .routes(routes!(get_organization, update_organization, delete_organization))
        .merge(detail::routes())
        .merge(domains::routes())
        .merge(members::routes())
        .merge(hierarchy::routes())
        .merge(history::routes())
        .merge(contacts::routes())
        .merge(properties::routes())
        .merge(notes::routes())
        .merge(files::routes())
        .merge(merge::routes())
}
