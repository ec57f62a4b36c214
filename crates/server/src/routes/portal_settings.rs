//! Administration > Portal (`/api/settings/portal`) and an organization's
//! override of what its members see (`/api/organizations/{id}/portal-visibility`).
//! What these settings mean is `orgdesk_core::portal`; `db::access` reads them.

use axum::extract::State;
use axum::Json;
use orgdesk_core::api::audit::{AuditAction, AuditTarget};
use orgdesk_core::api::portal_policy::{PortalVisibility, SetPortalVisibilityRequest, UpdatePortalPolicyRequest};
use orgdesk_core::api::ErrorBody;
use orgdesk_core::portal::PortalPolicy;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{AdminAgent, CurrentAgent};
use crate::db::audit::Actor;
use crate::db::organizations::history;
use crate::db::{access, portal_policy as store, Db};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath};
use crate::time_fmt::now_ms;
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_portal_settings, update_portal_settings))
        .routes(routes!(get_portal_visibility, set_portal_visibility))
}

/// What customers may do and see in the portal (defaults where never set).
#[utoipa::path(get, path = "/api/settings/portal", tag = "settings",
    responses((status = 200, body = PortalPolicy), (status = 401, body = ErrorBody)))]
pub async fn get_portal_settings(State(state): State<AppState>, _: CurrentAgent) -> ApiResult<Json<PortalPolicy>> {
    Ok(Json(access::policy(&state.db).await?))
}

/// Changes Administration > Portal (admins only); absent fields stay as they are.
/// A change is recorded in the audit log.
#[utoipa::path(patch, path = "/api/settings/portal", tag = "settings", security(("session" = ["admin"])), request_body = UpdatePortalPolicyRequest,
    responses((status = 200, body = PortalPolicy), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "An unknown value or field (the field is named)")))]
pub async fn update_portal_settings(
    State(state): State<AppState>,
    _: AdminAgent,
    actor: Actor,
    ApiJson(req): ApiJson<UpdatePortalPolicyRequest>,
) -> ApiResult<Json<PortalPolicy>> {
    let old = access::policy(&state.db).await?;
    let new = PortalPolicy {
        organization_items: req.organization_items.unwrap_or(old.organization_items),
        project_items: req.project_items.unwrap_or(old.project_items),
        self_registration: req.self_registration.unwrap_or(old.self_registration),
        fields: req.fields.unwrap_or(old.fields),
    };
    if new != old {
        let detail = serde_json::json!({ "from": old, "to": new });
        let entry = actor.entry(AuditAction::SettingsChanged, AuditTarget::Settings, None, "Portal settings", detail);
        let rows = store::settings_rows(&new, &req).map_err(|e| ApiError::Internal(e.to_string()))?;
        store::save(&state.db, &rows, &entry, now_ms()).await?;
    }
    Ok(Json(access::policy(&state.db).await?))
}

async fn visibility(db: &Db, id: i64) -> ApiResult<PortalVisibility> {
    let Some(organization_override) = store::organization_override(db, id).await? else {
        return Err(history::not_found());
    };
    Ok(PortalVisibility::new(organization_override, access::policy(db).await?.organization_items))
}

/// What the organization's members see in the portal: its override, the portal
/// setting and the effective visibility (the more permissive of the two).
#[utoipa::path(get, path = "/api/organizations/{id}/portal-visibility", tag = "organizations",
    params(("id" = i64, Path)),
    responses((status = 200, body = PortalVisibility), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_portal_visibility(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<PortalVisibility>> {
    Ok(Json(visibility(&state.db, id).await?))
}

/// Sets the organization's override (`null`: the portal default); recorded in the
/// organization's history. Members' access changes at once.
#[utoipa::path(put, path = "/api/organizations/{id}/portal-visibility", tag = "organizations",
    params(("id" = i64, Path)), request_body = SetPortalVisibilityRequest,
    responses((status = 200, body = PortalVisibility), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Not null, own, read or reply")))]
pub async fn set_portal_visibility(
    State(state): State<AppState>,
    agent: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<SetPortalVisibilityRequest>,
) -> ApiResult<Json<PortalVisibility>> {
    store::set_override(&state.db, id, req.organization_items, Some(agent.agent.id), now_ms()).await?;
    Ok(Json(visibility(&state.db, id).await?))
}
