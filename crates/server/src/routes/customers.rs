//! Customers: list (grouped by organization, searched, paged), create (joining
//! the organization of their email domain), edit, delete, and moves.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use orgdesk_core::api::customer_profile::MoveVia;
use orgdesk_core::api::tickets::{MovePreview, MovePreviewRequest};
use orgdesk_core::api::{
    CreateCustomerRequest, Customer, CustomerPage, ErrorBody, MoveCustomersRequest, MoveCustomersResult,
    UpdateCustomerRequest, MAX_MOVE,
};
use orgdesk_core::customer::{parse_phone_number, parse_short_text, validate_new_customer};
use orgdesk_core::email::Email;
use orgdesk_core::paging::PagingParams;
use orgdesk_core::FieldErrors;
use serde::Deserialize;
use std::sync::atomic::{AtomicBool, Ordering};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{self, CurrentAgent};
use crate::db::audit::Actor;
use crate::db::customers::{self as store, Changes, Group, Invitation};
use crate::db::projects;
use crate::db::search::Filter;
use crate::error::{ApiError, ApiResult};
use crate::extract::{patch_field, ApiJson, ApiPaging, ApiPath, ApiQuery};
use crate::routes::settings::association;
use crate::time_fmt::now_ms;
use crate::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// An organization id, or `none` for customers in no organization; all customers when absent.
    pub organization_id: Option<String>,
    /// Matches anywhere in a first name, last name, full name, email or organization name,
    /// regardless of case and accents (from 3 characters; shorter: the start of a word).
    pub q: Option<String>,
    /// Keeps the customers following this project, themselves or through their organization.
    pub project_id: Option<i64>,
}

/// The Customers app's filter of a search and a project (which must exist: 422 on `project_id`).
pub async fn list_filter(state: &AppState, q: Option<&str>, project_id: Option<i64>) -> ApiResult<Option<Filter>> {
    let q = search_text(q)?;
    if let Some(id) = project_id {
        if projects::get(&state.db, id).await?.is_none() {
            return Err(ApiError::invalid("project_id", "That project no longer exists. Choose another one."));
        }
    }
    let sample = state.search_stats.sample(&state.db);
    Ok(Filter::new(&state.db, q.as_deref(), project_id, &sample))
}

/// A trimmed, non-empty search text, at most 100 characters.
pub fn search_text(q: Option<&str>) -> ApiResult<Option<String>> {
    match q.map(str::trim).filter(|q| !q.is_empty()) {
        Some(q) if q.chars().count() > 100 => Err(ApiError::invalid("q", "Search for at most 100 characters.")),
        other => Ok(other.map(str::to_string)),
    }
}

/// Customers sorted by name, one page at a time. Without `organization_id` the total
/// counts at most 1,000 (`total_capped`: more).
#[utoipa::path(get, path = "/api/customers", tag = "customers", params(ListQuery, PagingParams),
    responses((status = 200, body = CustomerPage), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_customers(
    State(state): State<AppState>,
    current: CurrentAgent,
    ApiQuery(query): ApiQuery<ListQuery>,
    ApiPaging(paging): ApiPaging,
) -> ApiResult<Json<CustomerPage>> {
    let group = match query.organization_id.as_deref().map(str::trim) {
        None | Some("") => Group::All,
        Some("none") => Group::Unassigned,
        Some(id) => Group::Organization(
            id.parse().map_err(|_| ApiError::invalid("organization_id", "Use an organization id or `none`."))?,
        ),
    };
    let filter = list_filter(&state, query.q.as_deref(), query.project_id).await?;
    let listed = match (group, filter.as_ref()) {
        // The pickers' searches of all customers are asked for again and again as agents
        // type, while customers move: kept per search text version and brought up to date
        // from the membership changes since (`PickerHits`); the page's rows are read anew.
        (Group::All, Some(f)) if query.project_id.is_none() => {
            let key = (search_text(query.q.as_deref())?.unwrap_or_default(), paging.offset, paging.limit);
            let db = &state.db;
            let computed = AtomicBool::new(false);
            let hits = state
                .picker_cache
                .get_checked(
                    current.versions.texts,
                    key,
                    |kept| async move { kept.refresh(db).await },
                    || {
                        computed.store(true, Ordering::Relaxed);
                        store::PickerHits::compute_at(db, f, paging, current.versions.customers)
                    },
                )
                .await?;
            std::sync::Arc::new(hits.page(db, computed.load(Ordering::Relaxed)).await?)
        }
        // With a project (its followers change with moves): kept per data version.
        (Group::All, Some(f)) => {
            let key = (search_text(query.q.as_deref())?, query.project_id, paging.offset, paging.limit);
            state
                .customer_search_cache
                .get_or_compute(current.versions.customers, key, || store::list(&state.db, group, Some(f), paging))
                .await?
        }
        _ => std::sync::Arc::new(store::list(&state.db, group, filter.as_ref(), paging).await?),
    };
    Ok(Json(CustomerPage {
        items: listed.items.clone(),
        total: listed.total,
        total_capped: listed.total_capped,
        offset: paging.offset,
        limit: paging.limit,
    }))
}

/// Creates a customer. They join the organization that owns their email domain;
/// when none does, an organization is created for the domain (if the setting is on
/// and the domain is not a public email provider). With `send_invitation`, a
/// one-time invitation goes to the outbox.
#[utoipa::path(post, path = "/api/customers", tag = "customers", request_body = CreateCustomerRequest,
    responses((status = 201, body = Customer), (status = 401, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Email already used"), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn create_customer(
    State(state): State<AppState>,
    agent: CurrentAgent,
    ApiJson(req): ApiJson<CreateCustomerRequest>,
) -> ApiResult<(StatusCode, Json<Customer>)> {
    let new = validate_new_customer(&req).map_err(ApiError::Validation)?;
    let association = association(&state.db).await?;
    let now = now_ms();
    let token = auth::random_token(32);
    let token_hash = auth::token_hash(&token);
    let body = invitation_body(&state.config.public_url, &new.first_name, &token);
    let invitation = new.send_invitation.then(|| Invitation {
        token: &token,
        token_hash: &token_hash,
        subject: INVITATION_SUBJECT,
        body: &body,
        expires_at: now + 7 * 24 * 3600 * 1000,
    });
    let created = store::create(&state.db, &new, &association, invitation, agent.agent.id, now).await?;
    let customer =
        store::get(&state.db, created.id).await?.ok_or_else(|| ApiError::Internal("customer vanished".into()))?;
    tracing::info!(customer_id = created.id, organization_created = created.organization_created, "customer created");
    Ok((StatusCode::CREATED, Json(customer)))
}

/// The subject of a portal invitation (by hand or by an import).
pub const INVITATION_SUBJECT: &str = "You are invited to our help center";

/// The text of a portal invitation with its one-time link.
pub fn invitation_body(public_url: &str, first_name: &str, token: &str) -> String {
    let greeting = if first_name.is_empty() { "Hello,".to_string() } else { format!("Hello {first_name},") };
    format!(
        "{greeting}\n\nYou have been invited to our help center, where you can follow your requests.\n\
         Accept the invitation and choose a password here (the link works once, for 7 days):\n\n\
         {}/portal/invitations/{token}\n",
        public_url.trim_end_matches('/')
    )
}

#[utoipa::path(get, path = "/api/customers/{id}", tag = "customers", params(("id" = i64, Path)),
    responses((status = 200, body = Customer), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_customer(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Customer>> {
    store::get(&state.db, id).await?.map(Json).ok_or_else(not_found)
}

fn not_found() -> ApiError {
    ApiError::NotFound("No such customer.".into())
}

/// Edits a customer's email, names, phone or position (the organization changes through moves).
#[utoipa::path(patch, path = "/api/customers/{id}", tag = "customers", params(("id" = i64, Path)),
    request_body = UpdateCustomerRequest,
    responses((status = 200, body = Customer), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_customer(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<UpdateCustomerRequest>,
) -> ApiResult<Json<Customer>> {
    let mut errors = FieldErrors::new();
    let email = patch_field(req.email.as_deref(), "email", Email::parse, &mut errors);
    let mut text = |field: &str, value: &Option<String>, what: &str| {
        patch_field(value.as_deref(), field, |v| parse_short_text(v, what), &mut errors)
    };
    let first_name = text("first_name", &req.first_name, "A first name");
    let last_name = text("last_name", &req.last_name, "A last name");
    let position = text("position", &req.position, "A position");
    let phone = patch_field(req.phone.as_deref(), "phone", parse_phone_number, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let changes = Changes { email: email.map(String::from), first_name, last_name, position, phone };
    if !store::update(&state.db, id, &changes).await? {
        return Err(not_found());
    }
    store::get(&state.db, id).await?.map(Json).ok_or_else(not_found)
}

/// Deletes a customer (their organization keeps its other members); recorded in the audit log.
#[utoipa::path(delete, path = "/api/customers/{id}", tag = "customers", params(("id" = i64, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_customer(
    State(state): State<AppState>,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    crate::routes::deleted(store::delete(&state.db, id, &actor, now_ms()).await?, "No such customer.")
}

/// Moves customers into an organization (or, with `organization_id: null`, out of
/// any): one transaction, all or nothing. Returns where each one was, for Undo.
#[utoipa::path(post, path = "/api/customers/move", tag = "customers", request_body = MoveCustomersRequest,
    responses((status = 200, body = MoveCustomersResult), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "The organization does not exist"),
        (status = 422, body = ErrorBody, description = "No, too many, repeated or unknown customers")))]
#[tracing::instrument(skip_all, fields(count = req.customer_ids.len()))]
pub async fn move_customers(
    State(state): State<AppState>,
    agent: CurrentAgent,
    ApiJson(req): ApiJson<MoveCustomersRequest>,
) -> ApiResult<Json<MoveCustomersResult>> {
    let ids = &req.customer_ids;
    if ids.is_empty() {
        return Err(ApiError::invalid("customer_ids", "Choose at least one customer."));
    }
    if ids.len() > MAX_MOVE {
        return Err(ApiError::invalid("customer_ids", format!("Move at most {MAX_MOVE} customers at once.")));
    }
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    sorted.dedup();
    if sorted.len() != ids.len() {
        return Err(ApiError::invalid("customer_ids", "A customer is listed twice."));
    }
    let via = req.via.unwrap_or(MoveVia::CustomersApp);
    let request = store::MoveRequest {
        ids: ids.clone(),
        organization: req.organization_id,
        agent: Some(agent.agent.id),
        via,
        now: now_ms(),
    };
    let moved = state.moves.run(&state.db, request).await?;
    Ok(Json(MoveCustomersResult { organization_id: req.organization_id, moved }))
}

/// What moving these customers would do to their items: open items follow them
/// to the new organization, resolved and closed items keep theirs. Changes nothing.
#[utoipa::path(post, path = "/api/customers/move/preview", tag = "customers", request_body = MovePreviewRequest,
    responses((status = 200, body = MovePreview), (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "No, too many or unknown customers")))]
pub async fn preview_move(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiJson(req): ApiJson<MovePreviewRequest>,
) -> ApiResult<Json<MovePreview>> {
    let mut ids = req.customer_ids;
    if ids.is_empty() {
        return Err(ApiError::invalid("customer_ids", "Choose at least one customer."));
    }
    if ids.len() > MAX_MOVE {
        return Err(ApiError::invalid("customer_ids", format!("Move at most {MAX_MOVE} customers at once.")));
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(Json(crate::db::items::move_preview(&state.db, &ids).await?))
}

/// This module's routes (all behind the session).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_customers, create_customer))
        .routes(routes!(get_customer, update_customer, delete_customer))
        .routes(routes!(move_customers))
        .routes(routes!(preview_move))
}
