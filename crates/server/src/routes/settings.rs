//! Administration settings of the Customers app.

use axum::extract::State;
use axum::Json;
use orgdesk_core::api::audit::{AuditAction, AuditTarget};
use orgdesk_core::api::{ErrorBody, Settings, UpdateSettingsRequest};
use orgdesk_core::customer::parse_domain_list;
use orgdesk_core::domain::PUBLIC_EMAIL_DOMAINS;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{AdminAgent, CurrentAgent};
use crate::db::audit::Actor;
use crate::db::customers::Association;
use crate::db::{self, Db};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::time_fmt::now_ms;
use crate::AppState;

const AUTO_CREATE: &str = "auto_create_organizations";
const EXTRA_PUBLIC: &str = "extra_public_domains";
const AGENTS_DELETE_ORGANIZATIONS: &str = "agents_may_delete_organizations";

async fn read(db: &Db) -> Result<Settings, sqlx::Error> {
    let auto_create = db::settings::get(db, AUTO_CREATE).await?.map(|v| v == "true").unwrap_or(true);
    let extra: Vec<String> =
        db::settings::get(db, EXTRA_PUBLIC).await?.and_then(|v| serde_json::from_str(&v).ok()).unwrap_or_default();
    Ok(Settings {
        auto_create_organizations: auto_create,
        builtin_public_domains: PUBLIC_EMAIL_DOMAINS.iter().map(|d| d.to_string()).collect(),
        extra_public_domains: extra,
        agents_may_delete_organizations: agents_may_delete_organizations(db).await?,
    })
}

/// "Agents may delete organizations" (off unless an admin turned it on).
pub async fn agents_may_delete_organizations(db: &Db) -> Result<bool, sqlx::Error> {
    Ok(db::settings::get(db, AGENTS_DELETE_ORGANIZATIONS).await?.is_some_and(|v| v == "true"))
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

/// Changes the settings (admins only); a change is recorded in the audit log.
#[utoipa::path(patch, path = "/api/settings", tag = "settings", security(("session" = ["admin"])), request_body = UpdateSettingsRequest,
    responses((status = 200, body = Settings), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn update_settings(
    State(state): State<AppState>,
    _: AdminAgent,
    actor: Actor,
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
    let mut changed = serde_json::Map::new();
    if let Some(on) = req.auto_create_organizations {
        changes.push((AUTO_CREATE, on.to_string()));
        changed.insert(AUTO_CREATE.into(), on.into());
    }
    if let Some(extra) = extra {
        changes.push((EXTRA_PUBLIC, serde_json::to_string(&extra).map_err(|e| ApiError::Internal(e.to_string()))?));
        changed.insert(EXTRA_PUBLIC.into(), extra.into());
    }
    if let Some(on) = req.agents_may_delete_organizations {
        changes.push((AGENTS_DELETE_ORGANIZATIONS, on.to_string()));
        changed.insert(AGENTS_DELETE_ORGANIZATIONS.into(), on.into());
    }
    if !changes.is_empty() {
        let entry = actor.entry(
            AuditAction::SettingsChanged,
            AuditTarget::Settings,
            None,
            "Settings",
            serde_json::Value::Object(changed),
        );
        db::settings::set_many(&state.db, &changes, &entry, now_ms()).await?;
    }
    Ok(Json(read(&state.db).await?))
}

/// This module's routes (all behind the session).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_settings, update_settings))
}
