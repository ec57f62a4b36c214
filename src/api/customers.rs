//! Customers: the lists, changes, and moves between organizations.

use gloo_net::http::Request;
use orgdesk_core::api::tickets::{MovePreview, MovePreviewRequest};
use orgdesk_core::api::{
    CreateCustomerRequest, Customer, CustomerPage, MoveCustomersRequest, MoveCustomersResult, UpdateCustomerRequest,
};

use super::{delete, get, project_param, search_param, write, ApiError};

/// Members of one organization (`Some(id)`) or the unassigned customers (`None`).
pub async fn list_members(
    organization_id: Option<i64>,
    q: &str,
    project: Option<i64>,
    offset: usize,
    limit: usize,
) -> Result<CustomerPage, ApiError> {
    let group = organization_id.map(|id| id.to_string()).unwrap_or_else(|| "none".into());
    let filter = format!("{}{}", search_param(q), project_param(project));
    get(&format!("/api/customers?organization_id={group}&offset={offset}&limit={limit}{filter}")).await
}

/// One customer (for a filter chip after a reload).
pub async fn get_customer(id: i64) -> Result<Customer, ApiError> {
    get(&format!("/api/customers/{id}")).await
}

/// Customers whose name, email or organization starts with `q`, any organization.
pub async fn search_customers(q: &str, limit: usize) -> Result<CustomerPage, ApiError> {
    get(&format!("/api/customers?offset=0&limit={limit}{}", search_param(q))).await
}

pub async fn create_customer(req: CreateCustomerRequest) -> Result<Customer, ApiError> {
    write(Request::post("/api/customers"), &req).await
}

pub async fn update_customer(id: i64, req: UpdateCustomerRequest) -> Result<Customer, ApiError> {
    write(Request::patch(&format!("/api/customers/{id}")), &req).await
}

pub async fn delete_customer(id: i64) -> Result<(), ApiError> {
    delete(&format!("/api/customers/{id}")).await
}

/// What moving these customers would do to the items they requested.
pub async fn move_preview(customer_ids: Vec<i64>) -> Result<MovePreview, ApiError> {
    write(Request::post("/api/customers/move/preview"), &MovePreviewRequest { customer_ids }).await
}

pub async fn move_customers(req: MoveCustomersRequest) -> Result<MoveCustomersResult, ApiError> {
    write(Request::post("/api/customers/move"), &req).await
}
