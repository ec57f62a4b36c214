//! The custom property definitions of organizations and of customers (administrators
//! define them): one contract, two collections.

use gloo_net::http::Request;
use orgdesk_core::api::organization::{PropertyDefinition, ReorderPropertiesRequest};
use orgdesk_core::properties::PropertyDefinitionInput;

use super::{delete, get, write, ApiError};

/// Whose properties: organizations' or customers'.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PropertyOwner {
    #[default]
    Organization,
    Customer,
}

impl PropertyOwner {
    fn base(self) -> &'static str {
        match self {
            PropertyOwner::Organization => "/api/organization-properties",
            PropertyOwner::Customer => "/api/customer-properties",
        }
    }
}

pub async fn property_definitions(owner: PropertyOwner) -> Result<Vec<PropertyDefinition>, ApiError> {
    get(owner.base()).await
}

pub async fn create_property_definition(
    owner: PropertyOwner,
    req: &PropertyDefinitionInput,
) -> Result<PropertyDefinition, ApiError> {
    write(Request::post(owner.base()), req).await
}

pub async fn update_property_definition(
    owner: PropertyOwner,
    id: i64,
    req: &PropertyDefinitionInput,
) -> Result<PropertyDefinition, ApiError> {
    write(Request::patch(&format!("{}/{id}", owner.base())), req).await
}

pub async fn delete_property_definition(owner: PropertyOwner, id: i64) -> Result<(), ApiError> {
    delete(&format!("{}/{id}", owner.base())).await
}

pub async fn reorder_property_definitions(
    owner: PropertyOwner,
    ids: Vec<i64>,
) -> Result<Vec<PropertyDefinition>, ApiError> {
    write(Request::put(&format!("{}/order", owner.base())), &ReorderPropertiesRequest { ids }).await
}
