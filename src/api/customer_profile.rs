//! The customer profile: the profile, its property values and the customer's history.

use gloo_net::http::Request;
use orgdesk_core::api::customer_profile::{CustomerHistoryPage, CustomerProfile, SetPropertiesRequest};

use super::{get, write, ApiError};

pub async fn customer_profile(id: i64) -> Result<CustomerProfile, ApiError> {
    get(&format!("/api/customers/{id}/profile")).await
}

pub async fn set_customer_properties(id: i64, req: &SetPropertiesRequest) -> Result<CustomerProfile, ApiError> {
    write(Request::put(&format!("/api/customers/{id}/properties")), req).await
}

/// One page of the customer's history, newest first: entries older than `before` (the newest with `None`).
pub async fn customer_history(id: i64, before: Option<i64>, limit: usize) -> Result<CustomerHistoryPage, ApiError> {
    let before = before.map(|b| format!("&before={b}")).unwrap_or_default();
    get(&format!("/api/customers/{id}/history?limit={limit}{before}")).await
}
