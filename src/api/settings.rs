//! The workspace settings.

use gloo_net::http::Request;
use orgdesk_core::api::{Settings, UpdateSettingsRequest};

use super::{get, write, ApiError};

pub async fn get_settings() -> Result<Settings, ApiError> {
    get("/api/settings").await
}

pub async fn update_settings(req: UpdateSettingsRequest) -> Result<Settings, ApiError> {
    write(Request::patch("/api/settings"), &req).await
}
