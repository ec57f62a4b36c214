//! Custom organization properties: admins define them (label, kind, required,
//! options, order), agents fill them in on each organization's panel.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use orgdesk_core::api::organization::{
    OrganizationDetail, PropertyDefinition, ReorderPropertiesRequest, SetPropertiesRequest,
};
use orgdesk_core::api::ErrorBody;
use orgdesk_core::properties::{validate_definition, PropertyDefinitionInput};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{AdminAgent, CurrentAgent};
use crate::db::audit::Actor;
use crate::db::organizations::history::not_found;
use crate::db::organizations::properties::{self as store, Owner};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath};
use crate::time_fmt::now_ms;
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(set_properties))
        .routes(routes!(list_property_definitions, create_property_definition))
        .routes(routes!(reorder_property_definitions))
        .routes(routes!(update_property_definition, delete_property_definition))
}

/// Every custom organization property, in the panel's order.
#[utoipa::path(get, path = "/api/organization-properties", tag = "organizations",
    responses((status = 200, body = Vec<PropertyDefinition>), (status = 401, body = ErrorBody)))]
pub async fn list_property_definitions(
    State(state): State<AppState>,
    _: CurrentAgent,
) -> ApiResult<Json<Vec<PropertyDefinition>>> {
    Ok(Json(store::definitions(&state.db, Owner::Organization).await?))
}

/// Defines a custom organization property (admins only); it goes last in the order.
#[utoipa::path(post, path = "/api/organization-properties", tag = "organizations", security(("session" = ["admin"])), request_body = PropertyDefinitionInput,
    responses((status = 201, body = PropertyDefinition), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "Not an admin"),
        (status = 409, body = ErrorBody, description = "Label taken (field `label`)"), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn create_property_definition(
    State(state): State<AppState>,
    _: AdminAgent,
    ApiJson(req): ApiJson<PropertyDefinitionInput>,
) -> ApiResult<(StatusCode, Json<PropertyDefinition>)> {
    let def = validate_definition(&req).map_err(ApiError::Validation)?;
    let created = store::create_definition(&state.db, Owner::Organization, &def, now_ms()).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Replaces a property's label, kind, required flag and options (admins only). The
/// kind cannot change while organizations have values, nor can an option in use go.
#[utoipa::path(patch, path = "/api/organization-properties/{id}", tag = "organizations", security(("session" = ["admin"])),
    params(("id" = i64, Path, description = "Property definition id")), request_body = PropertyDefinitionInput,
    responses((status = 200, body = PropertyDefinition), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Label taken, kind change with values, or a removed option in use"),
        (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(property_id = id))]
pub async fn update_property_definition(
    State(state): State<AppState>,
    _: AdminAgent,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<PropertyDefinitionInput>,
) -> ApiResult<Json<PropertyDefinition>> {
    let def = validate_definition(&req).map_err(ApiError::Validation)?;
    Ok(Json(store::update_definition(&state.db, Owner::Organization, id, &def).await?))
}

/// Deletes a property and every organization's value of it (admins only); recorded in the audit log.
#[utoipa::path(delete, path = "/api/organization-properties/{id}", tag = "organizations", security(("session" = ["admin"])),
    params(("id" = i64, Path, description = "Property definition id")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(property_id = id))]
pub async fn delete_property_definition(
    State(state): State<AppState>,
    _: AdminAgent,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    let found = store::delete_definition(&state.db, Owner::Organization, id, &actor, now_ms()).await?;
    crate::routes::deleted(found, "There is no such property.")
}

/// Puts the properties in a new order (admins only): every id exactly once.
#[utoipa::path(put, path = "/api/organization-properties/order", tag = "organizations", security(("session" = ["admin"])),
    request_body = ReorderPropertiesRequest,
    responses((status = 200, body = Vec<PropertyDefinition>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Not exactly the existing ids (field `ids`)")))]
#[tracing::instrument(skip_all)]
pub async fn reorder_property_definitions(
    State(state): State<AppState>,
    _: AdminAgent,
    ApiJson(req): ApiJson<ReorderPropertiesRequest>,
) -> ApiResult<Json<Vec<PropertyDefinition>>> {
    Ok(Json(store::reorder_definitions(&state.db, Owner::Organization, &req.ids).await?))
}

/// Sets or empties (`null`) the organization's property values; absent ones stay.
/// Each is validated against its property; checks and bumps the version.
#[utoipa::path(put, path = "/api/organizations/{id}/properties", tag = "organizations",
    params(("id" = i64, Path, description = "Organization id")), request_body = SetPropertiesRequest,
    responses((status = 200, body = OrganizationDetail), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Changed by someone else (field `version`)"),
        (status = 422, body = ErrorBody, description = "Invalid or unknown values (fields `values.{property id}`)")))]
#[tracing::instrument(skip_all, fields(organization_id = id))]
pub async fn set_properties(
    State(state): State<AppState>,
    current: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<SetPropertiesRequest>,
) -> ApiResult<Json<OrganizationDetail>> {
    store::set_properties(&state.db, Owner::Organization, id, req.version, &req.values, current.agent.id, now_ms())
        .await?;
    crate::db::organizations::detail::load_detail(&state.db, id).await?.map(Json).ok_or_else(not_found)
}
