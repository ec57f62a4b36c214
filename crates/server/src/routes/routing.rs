//! Routing rules: an organization's routing section (any agent reads and writes),
//! the property-targeted rules of Administration > Routing (any agent reads, admins
//! write), the editor's dry-run input and exposure warning, and an item's history.
//! The route list is `orgdesk_core::api::routing`'s module doc.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use orgdesk_core::api::routing::{
    CreateRoutingRuleRequest, DryRunData, ItemHistoryEntry, ProjectExposure, ReorderRoutingRulesRequest, RoutingRule,
    RoutingSection, UpdateRoutingRuleRequest,
};
use orgdesk_core::api::ErrorBody;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{AdminAgent, CurrentAgent};
use crate::db::audit::Actor;
use crate::db::organizations::history::not_found as no_organization;
use crate::db::routing::{self as store, insight, Scope};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::time_fmt::now_ms;
use crate::AppState;

fn no_rule() -> ApiError {
    ApiError::NotFound("There is no such routing rule.".into())
}

/// The organization's routing section: its own rules (in order, editable) and every
/// rule that applies to its items in precedence order (own, inherited from parents
/// nearest first, property-targeted), each with its references resolved.
#[utoipa::path(get, path = "/api/organizations/{id}/routing-rules", tag = "routing", params(("id" = i64, Path)),
    responses((status = 200, body = RoutingSection), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_section(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<RoutingSection>> {
    store::section(&state.db, id).await?.map(Json).ok_or_else(no_organization)
}

/// Adds a rule at the end of the organization's rules. Every project, agent,
/// customer and organization it names must exist and be usable (422 naming the field).
#[utoipa::path(post, path = "/api/organizations/{id}/routing-rules", tag = "routing", params(("id" = i64, Path)),
    request_body = CreateRoutingRuleRequest,
    responses((status = 201, body = RoutingRule), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "A bad field, an unknown or unusable reference, too many rules")))]
#[tracing::instrument(skip_all, fields(organization_id = id))]
pub async fn create_rule(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<CreateRoutingRuleRequest>,
) -> ApiResult<(StatusCode, Json<RoutingRule>)> {
    let rule = store::create(&state.db, Scope::Organization(id), &req, &actor, now_ms()).await?;
    Ok((StatusCode::CREATED, Json(rule.ok_or_else(no_organization)?)))
}

/// Changes a rule (absent fields stay); `version` must be the rule's (409 otherwise).
/// Enabling or disabling is a change of `enabled`.
#[utoipa::path(patch, path = "/api/organizations/{id}/routing-rules/{rule_id}", tag = "routing",
    params(("id" = i64, Path), ("rule_id" = i64, Path)), request_body = UpdateRoutingRuleRequest,
    responses((status = 200, body = RoutingRule), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Someone changed the rule since it was read"),
        (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(organization_id = id, rule_id = rule_id))]
pub async fn update_rule(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath((id, rule_id)): ApiPath<(i64, i64)>,
    ApiJson(req): ApiJson<UpdateRoutingRuleRequest>,
) -> ApiResult<Json<RoutingRule>> {
    Ok(Json(store::update(&state.db, Scope::Organization(id), rule_id, &req, &actor, now_ms()).await?))
}

#[utoipa::path(delete, path = "/api/organizations/{id}/routing-rules/{rule_id}", tag = "routing",
    params(("id" = i64, Path), ("rule_id" = i64, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(organization_id = id, rule_id = rule_id))]
pub async fn delete_rule(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath((id, rule_id)): ApiPath<(i64, i64)>,
) -> ApiResult<StatusCode> {
    let found = store::delete(&state.db, Scope::Organization(id), rule_id, &actor, now_ms()).await?;
    crate::routes::deleted(found, "There is no such routing rule in this organization.")
}

/// Puts the organization's rules in a new order: `ids` is every one of its rule ids once.
#[utoipa::path(put, path = "/api/organizations/{id}/routing-rules/order", tag = "routing", params(("id" = i64, Path)),
    request_body = ReorderRoutingRulesRequest,
    responses((status = 200, body = RoutingSection), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "The ids are not exactly the organization's rules")))]
pub async fn reorder_rules(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<ReorderRoutingRulesRequest>,
) -> ApiResult<Json<RoutingSection>> {
    if !store::reorder(&state.db, Scope::Organization(id), &req.ids, &actor, now_ms()).await? {
        return Err(no_organization());
    }
    store::section(&state.db, id).await?.map(Json).ok_or_else(no_organization)
}

/// The dry run's input: the organization's newest items as rule input (descriptions
/// cut to 2,000 characters); the editor evaluates a draft rule against them.
#[utoipa::path(get, path = "/api/organizations/{id}/routing-rules/dry-run", tag = "routing", params(("id" = i64, Path)),
    responses((status = 200, body = DryRunData), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn dry_run(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<DryRunData>> {
    insight::dry_run(&state.db, id).await?.map(Json).ok_or_else(no_organization)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExposureParams {
    /// The project a "Change project" action points at.
    pub project_id: i64,
}

/// Who outside this organization (and its subtree) follows the project, so routing
/// items there would show them to them.
#[utoipa::path(get, path = "/api/organizations/{id}/routing-rules/exposure", tag = "routing",
    params(("id" = i64, Path), ExposureParams),
    responses((status = 200, body = ProjectExposure), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "No such project")))]
pub async fn exposure(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(params): ApiQuery<ExposureParams>,
) -> ApiResult<Json<ProjectExposure>> {
    insight::exposure(&state.db, id, params.project_id).await?.map(Json).ok_or_else(no_organization)
}

/// The property-targeted rules, in order.
#[utoipa::path(get, path = "/api/routing-rules", tag = "routing",
    responses((status = 200, body = Vec<RoutingRule>), (status = 401, body = ErrorBody)))]
pub async fn list_property_rules(State(state): State<AppState>, _: CurrentAgent) -> ApiResult<Json<Vec<RoutingRule>>> {
    Ok(Json(store::property_rules(&state.db).await?))
}

/// Adds a property-targeted rule (admins): `target` names the property and the value
/// organizations must have.
#[utoipa::path(post, path = "/api/routing-rules", tag = "routing", security(("session" = ["admin"])),
    request_body = CreateRoutingRuleRequest,
    responses((status = 201, body = RoutingRule), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "A bad field or target, an unknown or unusable reference")))]
#[tracing::instrument(skip_all)]
pub async fn create_property_rule(
    State(state): State<AppState>,
    _: AdminAgent,
    actor: Actor,
    ApiJson(req): ApiJson<CreateRoutingRuleRequest>,
) -> ApiResult<(StatusCode, Json<RoutingRule>)> {
    let rule = store::create(&state.db, Scope::Property, &req, &actor, now_ms()).await?;
    Ok((StatusCode::CREATED, Json(rule.ok_or_else(no_rule)?)))
}

/// Changes a property-targeted rule (admins); 409 on a stale `version`.
#[utoipa::path(patch, path = "/api/routing-rules/{id}", tag = "routing", security(("session" = ["admin"])),
    params(("id" = i64, Path)), request_body = UpdateRoutingRuleRequest,
    responses((status = 200, body = RoutingRule), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(rule_id = id))]
pub async fn update_property_rule(
    State(state): State<AppState>,
    _: AdminAgent,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<UpdateRoutingRuleRequest>,
) -> ApiResult<Json<RoutingRule>> {
    Ok(Json(store::update(&state.db, Scope::Property, id, &req, &actor, now_ms()).await?))
}

#[utoipa::path(delete, path = "/api/routing-rules/{id}", tag = "routing", security(("session" = ["admin"])),
    params(("id" = i64, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(rule_id = id))]
pub async fn delete_property_rule(
    State(state): State<AppState>,
    _: AdminAgent,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    let found = store::delete(&state.db, Scope::Property, id, &actor, now_ms()).await?;
    crate::routes::deleted(found, "There is no such routing rule.")
}

/// Puts the property-targeted rules in a new order (admins).
#[utoipa::path(put, path = "/api/routing-rules/order", tag = "routing", security(("session" = ["admin"])),
    request_body = ReorderRoutingRulesRequest,
    responses((status = 200, body = Vec<RoutingRule>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "The ids are not exactly the property-targeted rules")))]
pub async fn reorder_property_rules(
    State(state): State<AppState>,
    _: AdminAgent,
    actor: Actor,
    ApiJson(req): ApiJson<ReorderRoutingRulesRequest>,
) -> ApiResult<Json<Vec<RoutingRule>>> {
    store::reorder(&state.db, Scope::Property, &req.ids, &actor, now_ms()).await?;
    Ok(Json(store::property_rules(&state.db).await?))
}

/// What happened to the item and why (routing rules' lines), oldest first; at most
/// the newest 500 lines.
#[utoipa::path(get, path = "/api/items/{id}/history", tag = "items", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<ItemHistoryEntry>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn item_history(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<ItemHistoryEntry>>> {
    insight::item_history(&state.db, id).await?.map(Json).ok_or_else(|| ApiError::NotFound("No such item.".into()))
}

/// This module's routes (all behind the agents' session).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_section, create_rule))
        .routes(routes!(update_rule, delete_rule))
        .routes(routes!(reorder_rules))
        .routes(routes!(dry_run))
        .routes(routes!(exposure))
        .routes(routes!(list_property_rules, create_property_rule))
        .routes(routes!(update_property_rule, delete_property_rule))
        .routes(routes!(reorder_property_rules))
        .routes(routes!(item_history))
}

#[cfg(test)]
mod tests {
    use orgdesk_core::api::routing::{MAX_CONTAINS, MAX_TEMPLATE};
    use orgdesk_core::api::tickets::Priority;
    use orgdesk_core::word::Word;
    use serde_json::Value;

    /// The bound the document states for `property` in one of `schema`'s variants.
    fn bound(doc: &Value, schema: &str, property: &str, key: &str) -> Option<u64> {
        let variants = doc["components"]["schemas"][schema]["oneOf"].as_array()?;
        variants.iter().find_map(|v| v["properties"][property][key].as_u64())
    }

    #[test]
    fn the_documented_bounds_of_conditions_and_actions_are_cores() {
        let doc = serde_json::to_value(crate::openapi::document()).unwrap();
        assert_eq!(bound(&doc, "Condition", "text", "maxLength"), Some(MAX_CONTAINS as u64));
        assert_eq!(bound(&doc, "Condition", "priorities", "maxItems"), Some(Priority::ALL.len() as u64));
        assert_eq!(bound(&doc, "Action", "template", "maxLength"), Some(MAX_TEMPLATE as u64));
    }
}
