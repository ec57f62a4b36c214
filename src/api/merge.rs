//! Merging organizations (contract in `orgdesk_core::api::merge`).

use gloo_net::http::Request;
use orgdesk_core::api::merge::{MergeOutcome, MergePreview, MergeRequest};

use super::{get, write, ApiError};

pub async fn merge_preview(id: i64, target: i64) -> Result<MergePreview, ApiError> {
    get(&format!("/api/organizations/{id}/merge-preview?target_id={target}")).await
}

pub async fn merge(id: i64, req: &MergeRequest) -> Result<MergeOutcome, ApiError> {
    write(Request::post(&format!("/api/organizations/{id}/merge")), req).await
}
