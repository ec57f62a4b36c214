//! What customers see and do in the portal (`/api/portal/items`, `/api/portal/projects`,
//! `/api/portal/files`): their items, replies, new tickets and attachments.

use gloo_net::http::Request;
use orgdesk_core::api::organization::FileInfo;
use orgdesk_core::api::portal_items::{
    CreatePortalItemRequest, CreatePortalMessageRequest, PortalItemDetail, PortalItemPage, PortalMessage, PortalProject,
};
use orgdesk_core::paging::Paging;

use super::{encode, get, write, ApiError};

/// One page of the items the customer sees: `q` searches titles (or `#123`), `status`
/// is a comma-separated list of statuses (empty: all).
pub async fn list_items(q: &str, status: &str, paging: Paging) -> Result<PortalItemPage, ApiError> {
    let mut parts = vec![paging.to_query()];
    if !q.trim().is_empty() {
        parts.push(format!("q={}", encode(q.trim())));
    }
    if !status.is_empty() {
        parts.push(format!("status={}", encode(status)));
    }
    get(&format!("/api/portal/items?{}", parts.join("&"))).await
}

pub async fn get_item(id: i64) -> Result<PortalItemDetail, ApiError> {
    get(&format!("/api/portal/items/{id}")).await
}

pub async fn list_messages(id: i64) -> Result<Vec<PortalMessage>, ApiError> {
    get(&format!("/api/portal/items/{id}/messages")).await
}

pub async fn reply(id: i64, body: String) -> Result<PortalMessage, ApiError> {
    write(Request::post(&format!("/api/portal/items/{id}/messages")), &CreatePortalMessageRequest { body }).await
}

pub async fn create_item(req: CreatePortalItemRequest) -> Result<PortalItemDetail, ApiError> {
    write(Request::post("/api/portal/items"), &req).await
}

pub async fn projects() -> Result<Vec<PortalProject>, ApiError> {
    get("/api/portal/projects").await
}

pub async fn item_files(id: i64) -> Result<Vec<FileInfo>, ApiError> {
    get(&format!("/api/portal/items/{id}/files")).await
}

/// Where a customer downloads an item file from (a plain link; the portal cookie goes along).
pub fn file_url(file_id: i64) -> String {
    format!("/api/portal/files/{file_id}")
}

/// Uploads one file to the item, reporting progress from 0.0 to 1.0.
pub async fn upload_file(
    id: i64,
    file: web_sys::File,
    on_progress: impl Fn(f64) + 'static,
) -> Result<FileInfo, ApiError> {
    super::files::upload_to(&format!("/api/portal/items/{id}/files"), file, on_progress).await
}
