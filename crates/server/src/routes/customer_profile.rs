//! The customer profile: the profile itself, its custom properties (values edited
//! in place with the version check; definitions written by admins, the same code as
//! the organization properties) and the customer's history.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use orgdesk_core::api::customer_profile::{CustomerHistoryPage, CustomerProfile};
use orgdesk_core::api::organization::{PropertyDefinition, ReorderPropertiesRequest, SetPropertiesRequest};
use orgdesk_core::api::ErrorBody;
use orgdesk_core::paging::{DEFAULT_LIMIT, MAX_LIMIT};
use orgdesk_core::properties::{validate_definition, PropertyDefinitionInput};
use orgdesk_core::FieldErrors;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{AdminAgent, CurrentAgent};
use crate::db::audit::Actor;
use crate::db::customers::history::{self, not_found};
use crate::db::customers::profile;
use crate::db::organizations::properties::{self as store, Owner};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::time_fmt::now_ms;
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(customer_profile))
        .routes(routes!(customer_history))
        .routes(routes!(set_customer_properties))
        .routes(routes!(list_customer_property_definitions, create_customer_property_definition))
        .routes(routes!(reorder_customer_property_definitions))
        .routes(routes!(update_customer_property_definition, delete_customer_property_definition))
}

/// The customer's profile: details, version, role, followed projects and properties.
#[utoipa::path(get, path = "/api/customers/{id}/profile", tag = "customers", params(("id" = i64, Path)),
    responses((status = 200, body = CustomerProfile), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn customer_profile(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<CustomerProfile>> {
    profile::load(&state.db, id).await?.map(Json).ok_or_else(not_found)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// Entries older than this entry id (the previous page's `next_before`); the newest when absent.
    #[param(value_type = Option<i64>, minimum = 1)]
    pub before: Option<String>,
    /// Entries to return (1 to 200; default 50).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
}

/// `before` and `limit`, checked (422 naming each bad one).
fn history_page(q: &HistoryQuery) -> Result<(Option<i64>, i64), FieldErrors> {
    let mut errors = FieldErrors::new();
    let before = match q.before.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => match s.parse::<i64>() {
            Ok(n) if n >= 1 => Some(n),
            _ => {
                errors.insert("before".into(), "Use the next_before of the previous page.".into());
                None
            }
        },
    };
    let limit = match q.limit.as_deref().map(str::trim) {
        None | Some("") => DEFAULT_LIMIT,
        Some(s) => match s.parse::<i64>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
            _ => {
                errors.insert("limit".into(), format!("The limit is a whole number from 1 to {MAX_LIMIT}."));
                DEFAULT_LIMIT
            }
        },
    };
    if errors.is_empty() {
        Ok((before, limit))
    } else {
        Err(errors)
    }
}

/// The customer's history, newest first, keyset paged (`before` = the previous page's `next_before`).
#[utoipa::path(get, path = "/api/customers/{id}/history", tag = "customers", params(("id" = i64, Path), HistoryQuery),
    responses((status = 200, body = CustomerHistoryPage), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn customer_history(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<HistoryQuery>,
) -> ApiResult<Json<CustomerHistoryPage>> {
    let (before, limit) = history_page(&query).map_err(ApiError::Validation)?;
    Ok(Json(history::list(&state.db, id, before, limit).await?))
}

/// Sets or empties (`null`) the customer's property values; absent ones stay.
/// Each is validated against its property; checks and bumps the customer's version.
#[utoipa::path(put, path = "/api/customers/{id}/properties", tag = "customers",
    params(("id" = i64, Path, description = "Customer id")), request_body = SetPropertiesRequest,
    responses((status = 200, body = CustomerProfile), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Changed by someone else (field `version`)"),
        (status = 422, body = ErrorBody, description = "Invalid or unknown values (fields `values.{property id}`)")))]
#[tracing::instrument(skip_all, fields(customer_id = id))]
pub async fn set_customer_properties(
    State(state): State<AppState>,
    current: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<SetPropertiesRequest>,
) -> ApiResult<Json<CustomerProfile>> {
    store::set_properties(&state.db, Owner::Customer, id, req.version, &req.values, current.agent.id, now_ms()).await?;
    profile::load(&state.db, id).await?.map(Json).ok_or_else(not_found)
}

/// Every custom customer property, in the profile's order.
#[utoipa::path(get, path = "/api/customer-properties", tag = "customers",
    responses((status = 200, body = Vec<PropertyDefinition>), (status = 401, body = ErrorBody)))]
pub async fn list_customer_property_definitions(
    State(state): State<AppState>,
    _: CurrentAgent,
) -> ApiResult<Json<Vec<PropertyDefinition>>> {
    Ok(Json(store::definitions(&state.db, Owner::Customer).await?))
}

/// Defines a custom customer property (admins only); it goes last in the order.
#[utoipa::path(post, path = "/api/customer-properties", tag = "customers", security(("session" = ["admin"])),
    request_body = PropertyDefinitionInput,
    responses((status = 201, body = PropertyDefinition), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "Not an admin"),
        (status = 409, body = ErrorBody, description = "Label taken (field `label`)"), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn create_customer_property_definition(
    State(state): State<AppState>,
    _: AdminAgent,
    ApiJson(req): ApiJson<PropertyDefinitionInput>,
) -> ApiResult<(StatusCode, Json<PropertyDefinition>)> {
    let def = validate_definition(&req).map_err(ApiError::Validation)?;
    let created = store::create_definition(&state.db, Owner::Customer, &def, now_ms()).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Replaces a customer property's label, kind, required flag and options (admins
/// only). The kind cannot change while customers have values, nor can an option in use go.
#[utoipa::path(patch, path = "/api/customer-properties/{id}", tag = "customers", security(("session" = ["admin"])),
    params(("id" = i64, Path, description = "Property definition id")), request_body = PropertyDefinitionInput,
    responses((status = 200, body = PropertyDefinition), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Label taken, kind change with values, or a removed option in use"),
        (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(property_id = id))]
pub async fn update_customer_property_definition(
    State(state): State<AppState>,
    _: AdminAgent,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<PropertyDefinitionInput>,
) -> ApiResult<Json<PropertyDefinition>> {
    let def = validate_definition(&req).map_err(ApiError::Validation)?;
    Ok(Json(store::update_definition(&state.db, Owner::Customer, id, &def).await?))
}

/// Deletes a customer property and every customer's value of it (admins only); recorded in the audit log.
#[utoipa::path(delete, path = "/api/customer-properties/{id}", tag = "customers", security(("session" = ["admin"])),
    params(("id" = i64, Path, description = "Property definition id")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(property_id = id))]
pub async fn delete_customer_property_definition(
    State(state): State<AppState>,
    _: AdminAgent,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    let found = store::delete_definition(&state.db, Owner::Customer, id, &actor, now_ms()).await?;
    crate::routes::deleted(found, "There is no such property.")
}

/// Puts the customer properties in a new order (admins only): every id exactly once.
#[utoipa::path(put, path = "/api/customer-properties/order", tag = "customers", security(("session" = ["admin"])),
    request_body = ReorderPropertiesRequest,
    responses((status = 200, body = Vec<PropertyDefinition>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Not exactly the existing ids (field `ids`)")))]
#[tracing::instrument(skip_all)]
pub async fn reorder_customer_property_definitions(
    State(state): State<AppState>,
    _: AdminAgent,
    ApiJson(req): ApiJson<ReorderPropertiesRequest>,
) -> ApiResult<Json<Vec<PropertyDefinition>>> {
    Ok(Json(store::reorder_definitions(&state.db, Owner::Customer, &req.ids).await?))
}
