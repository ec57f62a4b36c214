//! Administration > Portal, an organization's portal visibility, and the
//! customer's own portal profile.

use gloo_net::http::Request;
use orgdesk_core::api::portal::PortalCustomer;
use orgdesk_core::api::portal_policy::{
    PortalVisibility, SetPortalVisibilityRequest, UpdatePortalPolicyRequest, UpdatePortalProfileRequest,
};
use orgdesk_core::portal::{OrgItemAccess, PortalPolicy};

use super::{get, write, ApiError};

pub async fn get_portal_settings() -> Result<PortalPolicy, ApiError> {
    get("/api/settings/portal").await
}

pub async fn update_portal_settings(req: &UpdatePortalPolicyRequest) -> Result<PortalPolicy, ApiError> {
    write(Request::patch("/api/settings/portal"), req).await
}

pub async fn portal_visibility(organization: i64) -> Result<PortalVisibility, ApiError> {
    get(&format!("/api/organizations/{organization}/portal-visibility")).await
}

pub async fn set_portal_visibility(
    organization: i64,
    organization_items: Option<OrgItemAccess>,
) -> Result<PortalVisibility, ApiError> {
    let req = SetPortalVisibilityRequest { organization_items };
    write(Request::put(&format!("/api/organizations/{organization}/portal-visibility")), &req).await
}

pub async fn profile() -> Result<PortalCustomer, ApiError> {
    get("/api/portal/profile").await
}

pub async fn update_profile(req: &UpdatePortalProfileRequest) -> Result<PortalCustomer, ApiError> {
    write(Request::patch("/api/portal/profile"), req).await
}
