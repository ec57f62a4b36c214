//! The signed-in customer's own profile: their names and, for managers, the
//! choice to follow every new item of their organization.

use axum::extract::State;
use axum::Json;
use orgdesk_core::api::portal::PortalCustomer;
use orgdesk_core::api::portal_policy::UpdatePortalProfileRequest;
use orgdesk_core::api::ErrorBody;
use orgdesk_core::customer::parse_short_text;
use orgdesk_core::FieldErrors;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::db::portal_accounts::portal_customer;
use crate::db::portal_policy::{self as store, ProfileChanges};
use crate::error::{ApiError, ApiResult};
use crate::extract::{patch_field, ApiJson};
use crate::portal_auth::CurrentCustomer;
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_profile, update_profile))
}

#[utoipa::path(get, path = "/api/portal/profile", tag = "portal", security(("portal_session" = [])),
    responses((status = 200, body = PortalCustomer), (status = 401, body = ErrorBody)))]
pub async fn get_profile(State(state): State<AppState>, current: CurrentCustomer) -> ApiResult<Json<PortalCustomer>> {
    portal_customer(&state.db, current.id()).await?.map(Json).ok_or(ApiError::Unauthorized)
}

/// Changes the customer's names and/or, for a manager, "Follow every new item
/// from my organization" (verified managers with it on follow each new item of
/// the organization; losing the role ends those follows and turns it off).
#[utoipa::path(patch, path = "/api/portal/profile", tag = "portal", security(("portal_session" = [])),
    request_body = UpdatePortalProfileRequest,
    responses((status = 200, body = PortalCustomer), (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "A bad name, or the follow choice from someone who is not a manager")))]
pub async fn update_profile(
    State(state): State<AppState>,
    current: CurrentCustomer,
    ApiJson(req): ApiJson<UpdatePortalProfileRequest>,
) -> ApiResult<Json<PortalCustomer>> {
    let mut errors = FieldErrors::new();
    let first_name =
        patch_field(req.first_name.as_deref(), "first_name", |v| parse_short_text(v, "A first name"), &mut errors);
    let last_name =
        patch_field(req.last_name.as_deref(), "last_name", |v| parse_short_text(v, "A last name"), &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let changes = ProfileChanges { first_name, last_name, follow_organization_items: req.follow_organization_items };
    store::update_profile(&state.db, current.id(), &changes).await?;
    portal_customer(&state.db, current.id()).await?.map(Json).ok_or(ApiError::Unauthorized)
}
