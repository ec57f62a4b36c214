//! The organization property definitions (administrators define them).

use gloo_net::http::Request;
use orgdesk_core::api::organization::{PropertyDefinition, ReorderPropertiesRequest};
use orgdesk_core::properties::PropertyDefinitionInput;

use super::{delete, get, write, ApiError};

pub async fn property_definitions() -> Result<Vec<PropertyDefinition>, ApiError> {
    get("/api/organization-properties").await
}

pub async fn create_property_definition(req: &PropertyDefinitionInput) -> Result<PropertyDefinition, ApiError> {
    write(Request::post("/api/organization-properties"), req).await
}

pub async fn update_property_definition(
    id: i64,
    req: &PropertyDefinitionInput,
) -> Result<PropertyDefinition, ApiError> {
    write(Request::patch(&format!("/api/organization-properties/{id}")), req).await
}

pub async fn delete_property_definition(id: i64) -> Result<(), ApiError> {
    delete(&format!("/api/organization-properties/{id}")).await
}

pub async fn reorder_property_definitions(ids: Vec<i64>) -> Result<Vec<PropertyDefinition>, ApiError> {
    write(Request::put("/api/organization-properties/order"), &ReorderPropertiesRequest { ids }).await
}
