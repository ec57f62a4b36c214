//! Deleted organizations (Administration > Deleted organizations): the delete
//! dialog's preview, the list, restore, the retention setting; and duplicate
//! suggestions (Administration > Duplicate organizations). Issue #16, points 4-5.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use orgdesk_core::api::deleted_organizations::{
    DeletedOrganizationPage, DeletionPreview, DismissDuplicateRequest, DuplicatePage, RestoreOutcome, RetentionSetting,
    MAX_RETENTION_DAYS, MIN_RETENTION_DAYS,
};
use orgdesk_core::api::ErrorBody;
use orgdesk_core::paging::PagingParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{AdminAgent, CurrentAgent};
use crate::db::audit::Actor;
use crate::db::organizations::{deleted as store, duplicates};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPaging, ApiPath};
use crate::time_fmt::now_ms;
use crate::AppState;

/// What deleting the organization would touch (members, open and closed items,
/// sub-organizations) and how long it could be restored, for the delete dialog.
#[utoipa::path(get, path = "/api/organizations/{id}/deletion", tag = "organizations", params(("id" = i64, Path)),
    responses((status = 200, body = DeletionPreview), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn deletion_preview(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<DeletionPreview>> {
    store::preview(&state.db, id).await?.map(Json).ok_or_else(|| ApiError::NotFound("No such organization.".into()))
}

/// Deleted organizations, most recently deleted first, with who deleted them,
/// when, how many members they had and when they are purged (admins only).
#[utoipa::path(get, path = "/api/deleted-organizations", tag = "organizations", security(("session" = ["admin"])),
    params(PagingParams),
    responses((status = 200, body = DeletedOrganizationPage), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_deleted(
    State(state): State<AppState>,
    _: AdminAgent,
    ApiPaging(paging): ApiPaging,
) -> ApiResult<Json<DeletedOrganizationPage>> {
    let (items, total, retention_days) = store::list(&state.db, paging.offset, paging.limit).await?;
    Ok(Json(DeletedOrganizationPage { items, total, offset: paging.offset, limit: paging.limit, retention_days }))
}

/// Restores a deleted organization (admins only): its name, the domains no one
/// took since (the others are reported), the members who have not moved since,
/// its items, links and everything it kept. 409 when another organization has
/// its name now, or when it was restored already.
#[utoipa::path(post, path = "/api/deleted-organizations/{id}/restore", tag = "organizations",
    security(("session" = ["admin"])), params(("id" = i64, Path)),
    responses((status = 200, body = RestoreOutcome), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(organization_id = id))]
pub async fn restore_organization(
    State(state): State<AppState>,
    _: AdminAgent,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<RestoreOutcome>> {
    Ok(Json(store::restore(&state.db, id, &actor, now_ms()).await?))
}

/// How many days a deleted organization can be restored before it is purged.
#[utoipa::path(get, path = "/api/deleted-organizations/retention", tag = "organizations",
    security(("session" = ["admin"])),
    responses((status = 200, body = RetentionSetting), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn get_retention(State(state): State<AppState>, _: AdminAgent) -> ApiResult<Json<RetentionSetting>> {
    Ok(Json(RetentionSetting { retention_days: store::retention_days(&state.db).await? }))
}

/// Changes the retention (1 to 365 days; admins only; recorded in the audit log).
#[utoipa::path(put, path = "/api/deleted-organizations/retention", tag = "organizations",
    security(("session" = ["admin"])), request_body = RetentionSetting,
    responses((status = 200, body = RetentionSetting), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn set_retention(
    State(state): State<AppState>,
    _: AdminAgent,
    actor: Actor,
    ApiJson(req): ApiJson<RetentionSetting>,
) -> ApiResult<Json<RetentionSetting>> {
    if !(MIN_RETENTION_DAYS..=MAX_RETENTION_DAYS).contains(&req.retention_days) {
        return Err(ApiError::invalid(
            "retention_days",
            format!("Choose from {MIN_RETENTION_DAYS} to {MAX_RETENTION_DAYS} days."),
        ));
    }
    store::set_retention(&state.db, req.retention_days, &actor, now_ms()).await?;
    Ok(Json(RetentionSetting { retention_days: req.retention_days }))
}

/// Pairs of organizations that look like duplicates (same name once case,
/// punctuation, accents and legal forms are set aside, or domains with the same
/// root), the smaller with the larger, except pairs dismissed (admins only).
#[utoipa::path(get, path = "/api/duplicate-organizations", tag = "organizations", security(("session" = ["admin"])),
    params(PagingParams),
    responses((status = 200, body = DuplicatePage), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn list_duplicates(
    State(state): State<AppState>,
    _: AdminAgent,
    ApiPaging(paging): ApiPaging,
) -> ApiResult<Json<DuplicatePage>> {
    let (items, more) = duplicates::list(&state.db, paging.offset, paging.limit).await?;
    Ok(Json(DuplicatePage { items, more, offset: paging.offset, limit: paging.limit }))
}

/// "Not duplicates": the pair is not suggested again (admins only).
#[utoipa::path(post, path = "/api/duplicate-organizations/dismissals", tag = "organizations",
    security(("session" = ["admin"])), request_body = DismissDuplicateRequest,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn dismiss_duplicate(
    State(state): State<AppState>,
    _: AdminAgent,
    ApiJson(req): ApiJson<DismissDuplicateRequest>,
) -> ApiResult<StatusCode> {
    if req.first_id == req.second_id {
        return Err(ApiError::invalid("second_id", "Choose two different organizations."));
    }
    crate::routes::deleted(
        duplicates::dismiss(&state.db, req.first_id, req.second_id, now_ms()).await?,
        "No such organization.",
    )
}

/// This module's routes (all behind the session).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(deletion_preview))
        .routes(routes!(list_deleted))
        .routes(routes!(restore_organization))
        .routes(routes!(get_retention, set_retention))
        .routes(routes!(list_duplicates))
        .routes(routes!(dismiss_duplicate))
}

/// How often the server purges deleted organizations past the retention.
pub const PURGE_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// The background task: purges at start and every [`PURGE_EVERY`].
pub fn spawn_purge(db: crate::db::Db) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(PURGE_EVERY);
        loop {
            tick.tick().await;
            match store::purge_expired(&db, now_ms()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(purged = n, "purged deleted organizations past their retention"),
                Err(e) => tracing::warn!(error = %e, "purging deleted organizations failed"),
            }
        }
    })
}
