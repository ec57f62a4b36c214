//! An organization's members, from its panel: list (managers first), add an
//! existing customer, edit a member's position and role, remove a member.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use orgdesk_core::api::organization::{
    AddMemberRequest, Member, MemberPage, OrganizationDetail, UpdateMemberRequest, MAX_POSITION,
};
use orgdesk_core::api::ErrorBody;
use orgdesk_core::paging::PagingParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::CurrentAgent;
use crate::db::organizations::detail::detail_or_404;
use crate::db::organizations::members as store;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPaging, ApiPath};
use crate::time_fmt::now_ms;
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_members, add_member)).routes(routes!(update_member, remove_member))
}

/// The members, managers first, then by name; one page at a time.
#[utoipa::path(get, path = "/api/organizations/{id}/members", tag = "organizations",
    params(("id" = i64, Path), PagingParams),
    responses((status = 200, body = MemberPage), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn list_members(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
    ApiPaging(paging): ApiPaging,
) -> ApiResult<Json<MemberPage>> {
    Ok(Json(store::members(&state.db, id, paging).await?))
}

/// Adds an existing customer. A member of another organization moves here (their
/// open items follow, as in the Customers app). History: `member_added`.
#[utoipa::path(post, path = "/api/organizations/{id}/members", tag = "organizations", params(("id" = i64, Path)),
    request_body = AddMemberRequest,
    responses((status = 201, body = Member), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "No such organization or customer"),
        (status = 409, body = ErrorBody, description = "Already a member"), (status = 422, body = ErrorBody)))]
pub async fn add_member(
    State(state): State<AppState>,
    agent: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<AddMemberRequest>,
) -> ApiResult<(StatusCode, Json<Member>)> {
    let member = store::add_member(&state.db, id, req.customer_id, Some(agent.agent.id), now_ms()).await?;
    Ok((StatusCode::CREATED, Json(member)))
}

/// Edits a member's position (job title) and/or role (version checked and bumped).
#[utoipa::path(patch, path = "/api/organizations/{id}/members/{customer_id}", tag = "organizations",
    params(("id" = i64, Path), ("customer_id" = i64, Path)), request_body = UpdateMemberRequest,
    responses((status = 200, body = OrganizationDetail), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "No such organization, or the customer is not a member"),
        (status = 409, body = ErrorBody, description = "Changed by someone else (field `version`)"),
        (status = 422, body = ErrorBody, description = "Position too long (field `position`)")))]
pub async fn update_member(
    State(state): State<AppState>,
    agent: CurrentAgent,
    ApiPath((id, customer_id)): ApiPath<(i64, i64)>,
    ApiJson(req): ApiJson<UpdateMemberRequest>,
) -> ApiResult<Json<OrganizationDetail>> {
    let position = req.position.as_deref().map(str::trim);
    if position.is_some_and(|p| p.chars().count() > MAX_POSITION) {
        return Err(ApiError::invalid("position", format!("A position has at most {MAX_POSITION} characters.")));
    }
    if position.is_some_and(|p| p.chars().any(char::is_control)) {
        return Err(ApiError::invalid("position", "A position is one line of text."));
    }
    store::update_member(
        &state.db,
        id,
        customer_id,
        req.version,
        (position, req.role.as_ref()),
        Some(agent.agent.id),
        now_ms(),
    )
    .await?;
    Ok(Json(detail_or_404(&state.db, id).await?))
}

/// The customer leaves the organization; the customer is never deleted. Their open items follow.
#[utoipa::path(delete, path = "/api/organizations/{id}/members/{customer_id}", tag = "organizations",
    params(("id" = i64, Path), ("customer_id" = i64, Path)),
    responses((status = 204), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "No such organization, or the customer is not a member")))]
pub async fn remove_member(
    State(state): State<AppState>,
    agent: CurrentAgent,
    ApiPath((id, customer_id)): ApiPath<(i64, i64)>,
) -> ApiResult<StatusCode> {
    store::remove_member(&state.db, id, customer_id, Some(agent.agent.id), now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}
