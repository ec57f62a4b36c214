//! Routing rules: an organization's routing section, the property-targeted rules of
//! Administration > Routing, the editor's dry-run input and exposure warning, and an
//! item's history.

use gloo_net::http::Request;
use orgdesk_core::api::routing::{
    CreateRoutingRuleRequest, DryRunData, ItemHistoryEntry, ProjectExposure, ReorderRoutingRulesRequest, RoutingRule,
    RoutingSection, UpdateRoutingRuleRequest,
};

use super::{delete, get, write, ApiError};

pub async fn routing_section(organization_id: i64) -> Result<RoutingSection, ApiError> {
    get(&format!("/api/organizations/{organization_id}/routing-rules")).await
}

pub async fn create_rule(organization_id: i64, req: &CreateRoutingRuleRequest) -> Result<RoutingRule, ApiError> {
    write(Request::post(&format!("/api/organizations/{organization_id}/routing-rules")), req).await
}

pub async fn update_rule(
    organization_id: i64,
    rule_id: i64,
    req: &UpdateRoutingRuleRequest,
) -> Result<RoutingRule, ApiError> {
    write(Request::patch(&format!("/api/organizations/{organization_id}/routing-rules/{rule_id}")), req).await
}

pub async fn delete_rule(organization_id: i64, rule_id: i64) -> Result<(), ApiError> {
    delete(&format!("/api/organizations/{organization_id}/routing-rules/{rule_id}")).await
}

pub async fn reorder_rules(organization_id: i64, ids: Vec<i64>) -> Result<RoutingSection, ApiError> {
    write(
        Request::put(&format!("/api/organizations/{organization_id}/routing-rules/order")),
        &ReorderRoutingRulesRequest { ids },
    )
    .await
}

pub async fn dry_run_data(organization_id: i64) -> Result<DryRunData, ApiError> {
    get(&format!("/api/organizations/{organization_id}/routing-rules/dry-run")).await
}

pub async fn project_exposure(organization_id: i64, project_id: i64) -> Result<ProjectExposure, ApiError> {
    get(&format!("/api/organizations/{organization_id}/routing-rules/exposure?project_id={project_id}")).await
}

pub async fn property_rules() -> Result<Vec<RoutingRule>, ApiError> {
    get("/api/routing-rules").await
}

pub async fn create_property_rule(req: &CreateRoutingRuleRequest) -> Result<RoutingRule, ApiError> {
    write(Request::post("/api/routing-rules"), req).await
}

pub async fn update_property_rule(rule_id: i64, req: &UpdateRoutingRuleRequest) -> Result<RoutingRule, ApiError> {
    write(Request::patch(&format!("/api/routing-rules/{rule_id}")), req).await
}

pub async fn delete_property_rule(rule_id: i64) -> Result<(), ApiError> {
    delete(&format!("/api/routing-rules/{rule_id}")).await
}

pub async fn reorder_property_rules(ids: Vec<i64>) -> Result<Vec<RoutingRule>, ApiError> {
    write(Request::put("/api/routing-rules/order"), &ReorderRoutingRulesRequest { ids }).await
}

pub async fn item_history(item_id: i64) -> Result<Vec<ItemHistoryEntry>, ApiError> {
    get(&format!("/api/items/{item_id}/history")).await
}
