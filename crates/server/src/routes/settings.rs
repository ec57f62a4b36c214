//! Administration settings of the Customers app.

use axum::extract::State;
use axum::Json;
use orgdesk_core::api::{ErrorBody, Settings, UpdateSettingsRequest};
use orgdesk_core::customer::parse_domain_list;
use orgdesk_core::domain::PUBLIC_EMAIL_DOMAINS;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{AdminAgent, CurrentAgent};
use crate::db::customers::Association;
use crate::db::{self, Db};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::AppState;

const AUTO_CREATE: &str = "auto_create_organizations";
const EXTRA_PUBLIC: &str = "extra_public_domains";

async fn read(db: &Db) -> Result<Settings, sqlx::Error> {
    let auto_create = db::settings::get(db, AUTO_CREATE).await?.map(|v| v == "true").unwrap_or(true);
    let extra: Vec<String> =
        db::settings::get(db, EXTRA_PUBLIC).await?.and_then(|v| serde_json::from_str(&v).ok()).unwrap_or_default();
    Ok(Settings {
        auto_create_organizations: auto_create,
        builtin_public_domains: PUBLIC_EMAIL_DOMAINS.iter().map(|d| d.to_string()).collect(),
        extra_public_domains: extra,
    })
}

/// What decides automatic association when a customer is created.
pub async fn association(db: &Db) -> Result<Association, sqlx::Error> {
    let s = read(db).await?;
    Ok(Association { auto_create: s.auto_create_organizations, extra_public: s.extra_public_domains })
}

/// Refuses public email providers as an organization's domains, the admins' own
/// additions included (core checks the built-in list; see
/// `orgdesk_core::domain::check_organization_domain`). 422 on `field`.
pub async fn check_organization_domains(
    db: &Db,
    domains: &[orgdesk_core::domain::Domain],
    field: &str,
) -> Result<(), ApiError> {
    if domains.is_empty() {
        return Ok(());
    }
    let extra = association(db).await?.extra_public;
    for d in domains {
        orgdesk_core::domain::check_organization_domain(d, &extra).map_err(|e| ApiError::invalid(field, e))?;
    }
    Ok(())
}

#[utoipa::path(get, path = "/api/settings", tag = "settings",
    responses((status = 200, body = Settings), (status = 401, body = ErrorBody)))]
pub async fn get_settings(State(state): State<AppState>, _: CurrentAgent) -> ApiResult<Json<Settings>> {
    Ok(Json(read(&state.db).await?))
}

/// Changes the settings (admins only).
#[utoipa::path(patch, path = "/api/settings", tag = "settings", request_body = UpdateSettingsRequest,
    responses((status = 200, body = Settings), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn update_settings(
    State(state): State<AppState>,
    _: AdminAgent,
    ApiJson(req): ApiJson<UpdateSettingsRequest>,
) -> ApiResult<Json<Settings>> {
    let extra = match &req.extra_public_domains {
        Some(list) => {
            let parsed = parse_domain_list(list, orgdesk_core::limits::MAX_PUBLIC_DOMAINS)
                .map_err(|e| ApiError::invalid("extra_public_domains", e))?;
            if parsed.iter().any(|d| d.is_wildcard()) {
                return Err(ApiError::invalid("extra_public_domains", "List providers without *."));
            }
            Some(parsed.into_iter().map(|d| d.as_str().to_string()).collect::<Vec<_>>())
        }
        None => None,
    };
    let mut changes: Vec<(&str, String)> = Vec::new();
    if let Some(on) = req.auto_create_organizations {
        changes.push((AUTO_CREATE, on.to_string()));
    }
    if let Some(extra) = extra {
        changes.push((EXTRA_PUBLIC, serde_json::to_string(&extra).map_err(|e| ApiError::Internal(e.to_string()))?));
    }
    db::settings::set_many(&state.db, &changes).await?;
    Ok(Json(read(&state.db).await?))
}

/// This module's routes (all behind the session).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_settings, update_settings))
}
