//! Organization detail panel (issue #5): see `orgdesk_core::api::organization`.
//! The detail, its in-place edits (name, summary, parent), domains with the moves of
//! matching customers, members, the hierarchy picker and links, and the history.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use orgdesk_core::api::organization::{
    AddChildRequest, AddDomainRequest, AddMemberRequest, DomainMatchRequest, DomainMatches, HistoryPage, Member,
    MemberPage, OrganizationDetail, ParentCandidate, Relation, UpdateDetailRequest, UpdateMemberRequest, MAX_POSITION,
    MAX_SUMMARY,
};
use orgdesk_core::api::ErrorBody;
use orgdesk_core::customer::parse_organization_name;
use orgdesk_core::domain::Domain;
use orgdesk_core::FieldErrors;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::CurrentAgent;
use crate::db::org_detail::{self as store, DetailChanges, MoveChoice, NewChild};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::routes::customers::{paging, search_text};
use crate::time_fmt::now_ms;
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_detail, update_detail))
        .routes(routes!(domain_matches))
        .routes(routes!(add_domain))
        .routes(routes!(remove_domain))
        .routes(routes!(list_members, add_member))
        .routes(routes!(update_member, remove_member))
        .routes(routes!(relatives))
        .routes(routes!(add_child))
        .routes(routes!(remove_child))
        .routes(routes!(history))
}

/// The most customers one add-domain request moves individually.
pub const MAX_INDIVIDUAL_MOVES: usize = 1000;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    pub offset: Option<i64>,
    /// At most 200; 50 when absent.
    pub limit: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VersionQuery {
    /// The organization's version the agent saw.
    pub version: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RemoveDomainQuery {
    /// `stay` (members keep their organization) or `leave` (members whose email has the domain leave).
    pub members: Option<String>,
    /// The organization's version the agent saw.
    pub version: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RelativesQuery {
    /// `parent` or `child`.
    pub relation: Option<String>,
    /// The start of an organization's name.
    pub q: Option<String>,
}

fn version_param(v: Option<&str>) -> ApiResult<i64> {
    match v.map(str::trim) {
        None | Some("") => Err(ApiError::invalid("version", "Send the version of the organization you saw.")),
        Some(v) => v.parse().map_err(|_| ApiError::invalid("version", "The version is a whole number.")),
    }
}

fn parse_domain(input: &str) -> ApiResult<Domain> {
    Domain::parse(input).map_err(|e| ApiError::invalid("domain", e.to_string()))
}

/// Everything the panel shows about an organization.
#[utoipa::path(get, path = "/api/organizations/{id}/detail", tag = "organizations", params(("id" = i64, Path)),
    responses((status = 200, body = OrganizationDetail), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_detail(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<OrganizationDetail>> {
    Ok(Json(store::detail_or_404(&state.db, id).await?))
}

/// Edits the name, summary and/or parent in place (version checked and bumped; history recorded).
/// A parent that would make the organization its own ancestor is refused (422 on `parent_id`, with the reason).
#[utoipa::path(patch, path = "/api/organizations/{id}/detail", tag = "organizations", params(("id" = i64, Path)),
    request_body = UpdateDetailRequest,
    responses((status = 200, body = OrganizationDetail), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Changed by someone else (field `version`), or the name is taken (field `name`)"),
        (status = 422, body = ErrorBody, description = "Bad name, summary or parent (the message says why)")))]
pub async fn update_detail(
    State(state): State<AppState>,
    agent: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<UpdateDetailRequest>,
) -> ApiResult<Json<OrganizationDetail>> {
    let mut errors = FieldErrors::new();
    let name = match req.name.as_deref().map(parse_organization_name) {
        Some(Err(e)) => {
            errors.insert("name".into(), e);
            None
        }
        other => other.and_then(Result::ok),
    };
    let summary = req.summary.as_deref().map(str::trim).map(str::to_string);
    if summary.as_ref().is_some_and(|s| s.chars().count() > MAX_SUMMARY) {
        errors.insert("summary".into(), format!("A summary has at most {MAX_SUMMARY} characters."));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let changes = DetailChanges { name, summary, parent: req.parent_id };
    store::update_detail(&state.db, id, req.version, &changes, Some(agent.agent.id), now_ms()).await?;
    Ok(Json(store::detail_or_404(&state.db, id).await?))
}

/// What adding a domain would offer to move: matching customers with no organization,
/// and those in other organizations, by organization (counts, and the first 50 of each). Changes nothing.
#[utoipa::path(post, path = "/api/organizations/{id}/domain-matches", tag = "organizations", params(("id" = i64, Path)),
    request_body = DomainMatchRequest,
    responses((status = 200, body = DomainMatches), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "An organization already has the domain (the message names it)"),
        (status = 422, body = ErrorBody, description = "Not a valid domain (field `domain`)")))]
pub async fn domain_matches(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<DomainMatchRequest>,
) -> ApiResult<Json<DomainMatches>> {
    let domain = parse_domain(&req.domain)?;
    crate::routes::settings::check_organization_domains(&state.db, std::slice::from_ref(&domain), "domain").await?;
    Ok(Json(store::domain_matches(&state.db, id, &domain).await?))
}

/// Adds a domain and moves the chosen matching customers in, in one transaction:
/// all unassigned ones, all of some organizations, and/or individuals. Their open
/// items follow them; closed ones stay. History: `domain_added` and `members_moved`.
#[utoipa::path(post, path = "/api/organizations/{id}/domains", tag = "organizations", params(("id" = i64, Path)),
    request_body = AddDomainRequest,
    responses((status = 200, body = OrganizationDetail), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Changed by someone else (field `version`), or the domain is taken (field `domain`)"),
        (status = 422, body = ErrorBody, description = "Bad domain, or a customer or organization to move that does not match (nothing changes)")))]
pub async fn add_domain(
    State(state): State<AppState>,
    agent: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<AddDomainRequest>,
) -> ApiResult<Json<OrganizationDetail>> {
    let domain = parse_domain(&req.domain)?;
    crate::routes::settings::check_organization_domains(&state.db, std::slice::from_ref(&domain), "domain").await?;
    if req.move_customers.len() > MAX_INDIVIDUAL_MOVES {
        return Err(ApiError::invalid(
            "move_customers",
            format!("Pick at most {MAX_INDIVIDUAL_MOVES} customers; move whole groups instead."),
        ));
    }
    if req.move_from_organizations.len() > 100 {
        return Err(ApiError::invalid("move_from_organizations", "Pick at most 100 organizations."));
    }
    let choice = MoveChoice {
        unassigned: req.move_unassigned,
        from_organizations: req.move_from_organizations,
        customers: req.move_customers,
    };
    store::add_domain(&state.db, id, req.version, &domain, &choice, Some(agent.agent.id), now_ms()).await?;
    Ok(Json(store::detail_or_404(&state.db, id).await?))
}

/// Removes a domain. With `members=leave`, the members whose email has the domain
/// leave the organization (their open items lose it); with `stay` they stay.
#[utoipa::path(delete, path = "/api/organizations/{id}/domains/{domain}", tag = "organizations",
    params(("id" = i64, Path), ("domain" = String, Path), RemoveDomainQuery),
    responses((status = 200, body = OrganizationDetail), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "No such organization, or it does not have the domain"),
        (status = 409, body = ErrorBody, description = "Changed by someone else (field `version`)"),
        (status = 422, body = ErrorBody, description = "Bad domain, `members` or `version`")))]
pub async fn remove_domain(
    State(state): State<AppState>,
    agent: CurrentAgent,
    ApiPath((id, domain)): ApiPath<(i64, String)>,
    ApiQuery(query): ApiQuery<RemoveDomainQuery>,
) -> ApiResult<Json<OrganizationDetail>> {
    let mut errors = FieldErrors::new();
    let domain = match Domain::parse(&domain) {
        Ok(d) => Some(d),
        Err(e) => {
            errors.insert("domain".into(), e.to_string());
            None
        }
    };
    let leave = match query.members.as_deref() {
        Some("stay") => Some(false),
        Some("leave") => Some(true),
        _ => {
            errors.insert("members".into(), "Say whether the members stay or leave (stay or leave).".into());
            None
        }
    };
    let version = version_param(query.version.as_deref()).map_err(|e| {
        if let ApiError::Validation(f) = &e {
            errors.extend(f.clone());
        }
    });
    let (Some(domain), Some(leave), Ok(version)) = (domain, leave, version) else {
        return Err(ApiError::Validation(errors));
    };
    store::remove_domain(&state.db, id, version, &domain, leave, Some(agent.agent.id), now_ms()).await?;
    Ok(Json(store::detail_or_404(&state.db, id).await?))
}

/// The members, managers first, then by name; one page at a time.
#[utoipa::path(get, path = "/api/organizations/{id}/members", tag = "organizations",
    params(("id" = i64, Path), PageQuery),
    responses((status = 200, body = MemberPage), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn list_members(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Json<MemberPage>> {
    let (offset, limit) = paging(query.offset, query.limit)?;
    Ok(Json(store::members(&state.db, id, offset, limit).await?))
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
    Ok(Json(store::detail_or_404(&state.db, id).await?))
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

/// Organizations for the hierarchy picker, by name; choices that would make an
/// organization its own ancestor carry `disabled_reason`.
#[utoipa::path(get, path = "/api/organizations/{id}/relatives", tag = "organizations",
    params(("id" = i64, Path), RelativesQuery),
    responses((status = 200, body = Vec<ParentCandidate>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Bad `relation` or `q`")))]
pub async fn relatives(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<RelativesQuery>,
) -> ApiResult<Json<Vec<ParentCandidate>>> {
    let relation = match query.relation.as_deref() {
        Some("parent") => Relation::Parent,
        Some("child") => Relation::Child,
        _ => return Err(ApiError::invalid("relation", "Say which relation: parent or child.")),
    };
    let q = search_text(query.q.as_deref())?;
    Ok(Json(store::relatives(&state.db, id, relation, q.as_deref()).await?))
}

/// Adds a child: an existing organization (`child_id`) or a new one (`create_name`).
/// A child that would make the organization its own ancestor is refused with the reason.
#[utoipa::path(post, path = "/api/organizations/{id}/children", tag = "organizations", params(("id" = i64, Path)),
    request_body = AddChildRequest,
    responses((status = 200, body = OrganizationDetail), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Changed by someone else (field `version`), or the new name is taken (field `create_name`)"),
        (status = 422, body = ErrorBody, description = "No or bad child, or a loop (the message says why)")))]
pub async fn add_child(
    State(state): State<AppState>,
    agent: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<AddChildRequest>,
) -> ApiResult<Json<OrganizationDetail>> {
    let child = match (req.child_id, req.create_name.as_deref()) {
        (Some(c), None) => NewChild::Existing(c),
        (None, Some(name)) => {
            NewChild::Create(parse_organization_name(name).map_err(|e| ApiError::invalid("create_name", e))?)
        }
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid("child_id", "Send either an existing organization or a new name, not both."))
        }
        (None, None) => return Err(ApiError::invalid("child_id", "Choose an organization, or name a new one.")),
    };
    store::add_child(&state.db, id, req.version, &child, Some(agent.agent.id), now_ms()).await?;
    Ok(Json(store::detail_or_404(&state.db, id).await?))
}

/// Unlinks a child (it stays, with no parent); deletes nothing.
#[utoipa::path(delete, path = "/api/organizations/{id}/children/{child_id}", tag = "organizations",
    params(("id" = i64, Path), ("child_id" = i64, Path), VersionQuery),
    responses((status = 200, body = OrganizationDetail), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "No such organization, or not its child"),
        (status = 409, body = ErrorBody, description = "Changed by someone else (field `version`)"),
        (status = 422, body = ErrorBody, description = "No or bad `version`")))]
pub async fn remove_child(
    State(state): State<AppState>,
    agent: CurrentAgent,
    ApiPath((id, child_id)): ApiPath<(i64, i64)>,
    ApiQuery(query): ApiQuery<VersionQuery>,
) -> ApiResult<Json<OrganizationDetail>> {
    let version = version_param(query.version.as_deref())?;
    store::remove_child(&state.db, id, child_id, version, Some(agent.agent.id), now_ms()).await?;
    Ok(Json(store::detail_or_404(&state.db, id).await?))
}

/// The organization's history, newest first.
#[utoipa::path(get, path = "/api/organizations/{id}/history", tag = "organizations",
    params(("id" = i64, Path), PageQuery),
    responses((status = 200, body = HistoryPage), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> ApiResult<Json<HistoryPage>> {
    let (offset, limit) = paging(query.offset, query.limit)?;
    Ok(Json(store::history(&state.db, id, offset, limit).await?))
}
