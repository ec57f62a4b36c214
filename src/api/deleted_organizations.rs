//! Deleting an organization with a choice for its members, the deleted
//! organizations an admin can restore, and duplicate suggestions.

use gloo_net::http::Request;
use orgdesk_core::api::deleted_organizations::{
    DeletedOrganizationPage, DeletionPreview, DismissDuplicateRequest, DuplicatePage, RestoreOutcome, RetentionSetting,
};

use super::{delete, get, send, with_csrf, write, ApiError};

/// What deleting organization `id` would touch, for the delete dialog.
pub async fn deletion_preview(id: i64) -> Result<DeletionPreview, ApiError> {
    get(&format!("/api/organizations/{id}/deletion")).await
}

/// Deletes organization `id`; its members move to `move_to`, or are left without an organization.
pub async fn delete_organization(id: i64, move_to: Option<i64>) -> Result<(), ApiError> {
    match move_to {
        Some(to) => delete(&format!("/api/organizations/{id}?move_members_to={to}")).await,
        None => delete(&format!("/api/organizations/{id}")).await,
    }
}

pub async fn list_deleted(offset: usize, limit: usize) -> Result<DeletedOrganizationPage, ApiError> {
    get(&format!("/api/deleted-organizations?offset={offset}&limit={limit}")).await
}

pub async fn restore(id: i64) -> Result<RestoreOutcome, ApiError> {
    write(Request::post(&format!("/api/deleted-organizations/{id}/restore")), &serde_json::json!({})).await
}

pub async fn retention() -> Result<RetentionSetting, ApiError> {
    get("/api/deleted-organizations/retention").await
}

pub async fn set_retention(days: i64) -> Result<RetentionSetting, ApiError> {
    write(Request::put("/api/deleted-organizations/retention"), &RetentionSetting { retention_days: days }).await
}

pub async fn list_duplicates(offset: usize, limit: usize) -> Result<DuplicatePage, ApiError> {
    get(&format!("/api/duplicate-organizations?offset={offset}&limit={limit}")).await
}

/// "Not duplicates".
pub async fn dismiss_duplicate(first_id: i64, second_id: i64) -> Result<(), ApiError> {
    let req = DismissDuplicateRequest { first_id, second_id };
    send(with_csrf(Request::post("/api/duplicate-organizations/dismissals")).json(&req), true).await.map(|_| ())
}
