//! Merging organizations (admins only): the preview and the merge (see
//! `orgdesk_core::api::merge`).

use std::collections::BTreeSet;

use axum::extract::State;
use axum::Json;
use orgdesk_core::api::merge::{MergeOutcome, MergePreview, MergeRequest};
use orgdesk_core::api::ErrorBody;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AdminAgent;
use crate::db::audit::Actor;
use crate::db::organizations::merge as store;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::time_fmt::now_ms;
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(merge_preview)).routes(routes!(merge))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PreviewQuery {
    /// The organization that survives.
    pub target_id: Option<i64>,
}

/// What merging organization `id` into `target_id` would do: both side by side, the
/// conflicting fields, what moves and who gains sight of what. Changes nothing.
#[utoipa::path(get, path = "/api/organizations/{id}/merge-preview", tag = "organizations",
    security(("session" = ["admin"])), params(("id" = i64, Path), PreviewQuery),
    responses((status = 200, body = MergePreview), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody, description = "No or bad `target_id`")))]
pub async fn merge_preview(
    State(state): State<AppState>,
    _: AdminAgent,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<PreviewQuery>,
) -> ApiResult<Json<MergePreview>> {
    let Some(target) = query.target_id else {
        return Err(ApiError::invalid("target_id", "Choose the organization to merge into."));
    };
    if target == id {
        return Err(ApiError::invalid("target_id", "An organization cannot be merged into itself."));
    }
    Ok(Json(store::preview(&state.db, id, target).await?))
}

/// Merges organization `id` into `target_id`, in one transaction: members, items,
/// domains, contacts, notes, files, history, conversations, routing rules, shared
/// projects and sub-organizations move; the chosen fields apply; `id` is deleted and
/// redirects to the survivor. Recorded in the survivor's history and the audit log.
#[utoipa::path(post, path = "/api/organizations/{id}/merge", tag = "organizations",
    security(("session" = ["admin"])), params(("id" = i64, Path)), request_body = MergeRequest,
    responses((status = 200, body = MergeOutcome), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "Either organization no longer exists"),
        (status = 409, body = ErrorBody, description = "Either organization changed since the preview (field `version`)"),
        (status = 422, body = ErrorBody, description = "The survivor is inside the merged organization, or a bad choice")))]
#[tracing::instrument(skip_all, fields(organization_id = id))]
pub async fn merge(
    State(state): State<AppState>,
    _: AdminAgent,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<MergeRequest>,
) -> ApiResult<Json<MergeOutcome>> {
    let take: BTreeSet<String> = req.take_merged.iter().map(|k| k.trim().to_string()).collect();
    let outcome =
        store::merge(&state.db, id, req.target_id, (req.version, req.target_version), &take, &actor, now_ms()).await?;
    tracing::info!(survivor = outcome.survivor.id, members = outcome.members, "organizations merged");
    Ok(Json(outcome))
}
