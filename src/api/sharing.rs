//! Sharing: the sharing dialog's preview and change, and who sees what.

use gloo_net::http::Request;
use orgdesk_core::api::sharing::{ItemAccessPage, ProjectAccessPage, SharedProject, SharingChange, SharingPreview};
use orgdesk_core::api::tickets::Follower;

use super::{get, write, ApiError};

pub async fn preview_sharing(project_id: i64, change: &SharingChange) -> Result<SharingPreview, ApiError> {
    write(Request::post(&format!("/api/projects/{project_id}/sharing/preview")), change).await
}

pub async fn apply_sharing(project_id: i64, change: &SharingChange) -> Result<Vec<Follower>, ApiError> {
    write(Request::put(&format!("/api/projects/{project_id}/sharing")), change).await
}

pub async fn project_access(project_id: i64, offset: i64, limit: i64) -> Result<ProjectAccessPage, ApiError> {
    get(&format!("/api/projects/{project_id}/access?offset={offset}&limit={limit}")).await
}

pub async fn customer_shared_projects(customer_id: i64) -> Result<Vec<SharedProject>, ApiError> {
    get(&format!("/api/customers/{customer_id}/shared-projects")).await
}

pub async fn item_access(item_id: i64, offset: i64, limit: i64) -> Result<ItemAccessPage, ApiError> {
    get(&format!("/api/items/{item_id}/access?offset={offset}&limit={limit}")).await
}
