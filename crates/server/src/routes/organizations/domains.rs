//! An organization's email domains, from its panel: what adding one would move,
//! adding one with the chosen moves of matching customers, and removing one.

use axum::extract::State;
use axum::Json;
use orgdesk_core::api::organization::{AddDomainRequest, DomainMatchRequest, DomainMatches, OrganizationDetail};
use orgdesk_core::api::ErrorBody;
use orgdesk_core::domain::Domain;
use orgdesk_core::FieldErrors;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::version_param;
use crate::auth::CurrentAgent;
use crate::db::organizations::detail::detail_or_404;
use crate::db::organizations::domains::{self as store, MoveChoice};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::time_fmt::now_ms;
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(domain_matches)).routes(routes!(add_domain)).routes(routes!(remove_domain))
}

/// The most customers one add-domain request moves individually.
pub const MAX_INDIVIDUAL_MOVES: usize = 1000;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RemoveDomainQuery {
    /// `stay` (members keep their organization) or `leave` (members whose email has the domain leave).
    pub members: Option<String>,
    /// The organization's version the agent saw.
    pub version: Option<String>,
}

fn parse_domain(input: &str) -> ApiResult<Domain> {
    Domain::parse(input).map_err(|e| ApiError::invalid("domain", e.to_string()))
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
    Ok(Json(detail_or_404(&state.db, id).await?))
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
    Ok(Json(detail_or_404(&state.db, id).await?))
}
