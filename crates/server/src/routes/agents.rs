//! Agent accounts: everyone signed in can list them; admins create, change and deactivate.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use orgdesk_core::agent::{parse_name, validate_new_agent, Role};
use orgdesk_core::api::{Agent, CreateAgentRequest, ErrorBody, UpdateAgentRequest};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{self, AdminAgent, CurrentAgent};
use crate::db::audit::Actor;
use crate::db::{self, OnUnique};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath};
use crate::time_fmt::now_ms;
use crate::AppState;

/// All agents, active first.
#[utoipa::path(get, path = "/api/agents", tag = "agents",
    responses((status = 200, body = Vec<Agent>), (status = 401, body = ErrorBody)))]
pub async fn list_agents(State(state): State<AppState>, _: CurrentAgent) -> ApiResult<Json<Vec<Agent>>> {
    let rows = db::agents::list(&state.db).await?;
    Ok(Json(rows.into_iter().map(|r| r.into_api()).collect()))
}

/// Creates an agent (admins only); recorded in the audit log.
#[utoipa::path(post, path = "/api/agents", tag = "agents", security(("session" = ["admin"])), request_body = CreateAgentRequest,
    responses(
        (status = 201, body = Agent),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody, description = "Not an admin"),
        (status = 409, body = ErrorBody, description = "Email already used by another agent"),
        (status = 422, body = ErrorBody),
    ))]
#[tracing::instrument(skip_all)]
pub async fn create_agent(
    State(state): State<AppState>,
    _: AdminAgent,
    actor: Actor,
    ApiJson(req): ApiJson<CreateAgentRequest>,
) -> ApiResult<(StatusCode, Json<Agent>)> {
    let new = validate_new_agent(&req).map_err(ApiError::Validation)?;
    let hash = auth::hash_password(new.password).await?;
    let row = db::agents::create(&state.db, new.email.as_str(), &new.name, new.role, &hash, &actor, now_ms())
        .await
        .on_unique("email", || "Another agent already uses this email address.".into())?;
    tracing::info!(agent_id = row.id, "agent created");
    Ok((StatusCode::CREATED, Json(row.into_api())))
}

/// Renames, changes the role of, deactivates or reactivates an agent (admins only).
/// Deactivating ends the agent's sessions at once. The last active admin stays an active admin.
/// Role changes, deactivations and reactivations are recorded in the audit log.
#[utoipa::path(patch, path = "/api/agents/{id}", tag = "agents", security(("session" = ["admin"])), request_body = UpdateAgentRequest,
    params(("id" = i64, Path, description = "Agent id")),
    responses(
        (status = 200, body = Agent),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Would leave no active admin"),
        (status = 422, body = ErrorBody),
    ))]
#[tracing::instrument(skip_all, fields(agent_id = id))]
pub async fn update_agent(
    State(state): State<AppState>,
    AdminAgent(admin): AdminAgent,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<UpdateAgentRequest>,
) -> ApiResult<Json<Agent>> {
    let name = match &req.name {
        Some(n) => Some(parse_name(n).map_err(|e| ApiError::invalid("name", e))?),
        None => None,
    };
    let existing = db::agents::get(&state.db, id).await?.ok_or_else(|| ApiError::NotFound("No such agent.".into()))?;
    let loses_admin = existing.role() == Role::Admin
        && existing.active
        && (req.role == Some(Role::Agent) || req.active == Some(false));
    if loses_admin && db::agents::other_active_admins(&state.db, id).await? == 0 {
        let field = if req.active == Some(false) { "active" } else { "role" };
        return Err(ApiError::conflict_on(field, "Orgdesk needs at least one active admin."));
    }
    if id == admin.agent.id && req.active == Some(false) {
        return Err(ApiError::conflict_on("active", "You cannot deactivate your own account."));
    }
    let row = db::agents::update(&state.db, id, name.as_deref(), req.role, req.active, &actor, now_ms())
        .await?
        .ok_or_else(|| ApiError::NotFound("No such agent.".into()))?;
    Ok(Json(row.into_api()))
}

/// This module's routes (all behind the session).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_agents, create_agent)).routes(routes!(update_agent))
}
