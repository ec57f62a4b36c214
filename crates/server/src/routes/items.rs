//! Items (tickets and tasks): the Tickets app's filtered and grouped lists, create,
//! edit, followers, and the item conversation (customer replies and internal notes).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use orgdesk_core::api::work::{
    AddItemFollowerRequest, CreateItemRequest, CreateMessageRequest, CustomerRef, GroupBy, Item, ItemGroupPage,
    ItemPage, ItemStatus, ItemType, Message, Priority, UpdateItemRequest,
};
use orgdesk_core::api::ErrorBody;
use orgdesk_core::work::{
    check_requester, parse_description, parse_item_search, parse_item_title, parse_message_body, parse_priority_list,
    parse_status_list,
};
use orgdesk_core::FieldErrors;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::CurrentAgent;
use crate::db::items::{self as store, ItemChanges, ItemFilter, Mail, NewItem};
use crate::error::{ApiError, ApiResult};
use crate::extract::{patch_field, ApiJson, ApiPath, ApiQuery};
use crate::routes::projects::parse_paging;
use crate::time_fmt::now_ms;
use crate::AppState;

/// The Tickets app's filters (all optional; blank means absent).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ItemListQuery {
    pub project_id: Option<String>,
    /// Comma-separated statuses, e.g. `new,open,waiting`.
    pub status: Option<String>,
    /// Comma-separated priorities, e.g. `high,urgent`.
    pub priority: Option<String>,
    /// An agent id, or `none` for unassigned items.
    pub assignee: Option<String>,
    pub requester_id: Option<String>,
    /// An organization id, or `none` for items without an organization.
    pub organization: Option<String>,
    /// Text in the title (case-insensitive), or `#123` for an item id.
    pub q: Option<String>,
    /// `ticket` or `task`.
    pub item_type: Option<String>,
    /// `true`: with `organization={id}`, the items of its descendant organizations too.
    pub include_children: Option<String>,
    pub offset: Option<String>,
    /// At most 200; 50 when absent.
    pub limit: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ItemGroupQuery {
    /// `organization` (the default), `project` or `status`.
    pub group_by: Option<String>,
    pub project_id: Option<String>,
    /// Comma-separated statuses, e.g. `new,open,waiting`.
    pub status: Option<String>,
    /// Comma-separated priorities, e.g. `high,urgent`.
    pub priority: Option<String>,
    /// An agent id, or `none` for unassigned items.
    pub assignee: Option<String>,
    pub requester_id: Option<String>,
    /// An organization id, or `none` for items without an organization.
    pub organization: Option<String>,
    /// Text in the title (case-insensitive), or `#123` for an item id.
    pub q: Option<String>,
    /// `ticket` or `task`.
    pub item_type: Option<String>,
    /// `true`: with `organization={id}`, the items of its descendant organizations too.
    pub include_children: Option<String>,
    /// Paging of the groups.
    pub offset: Option<String>,
    /// At most 200 groups; 50 when absent.
    pub limit: Option<String>,
}

impl ItemGroupQuery {
    fn filters(self) -> ItemListQuery {
        ItemListQuery {
            project_id: self.project_id,
            status: self.status,
            priority: self.priority,
            assignee: self.assignee,
            requester_id: self.requester_id,
            organization: self.organization,
            q: self.q,
            item_type: self.item_type,
            include_children: self.include_children,
            offset: self.offset,
            limit: self.limit,
        }
    }
}

fn present(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn id_or_none(value: &str, field: &str, what: &str, errors: &mut FieldErrors) -> Option<Option<i64>> {
    if value.eq_ignore_ascii_case("none") {
        return Some(None);
    }
    match value.parse::<i64>() {
        Ok(id) => Some(Some(id)),
        Err(_) => {
            errors.insert(field.into(), format!("Use {what} id or `none`."));
            None
        }
    }
}

fn id(value: &str, field: &str, errors: &mut FieldErrors) -> Option<i64> {
    value.parse::<i64>().map_err(|_| errors.insert(field.into(), "Use a numeric id.".into())).ok()
}

/// Parses the filters, naming every bad one (422).
pub fn parse_filter(q: &ItemListQuery) -> ApiResult<(ItemFilter, i64, i64)> {
    let mut errors = FieldErrors::new();
    let mut filter = ItemFilter::default();
    if let Some(v) = present(&q.project_id) {
        filter.project_id = id(v, "project_id", &mut errors);
    }
    if let Some(v) = present(&q.status) {
        filter.statuses = parse_status_list(v).map_err(|e| errors.insert("status".into(), e)).unwrap_or_default();
    }
    if let Some(v) = present(&q.priority) {
        filter.priorities = parse_priority_list(v).map_err(|e| errors.insert("priority".into(), e)).unwrap_or_default();
    }
    if let Some(v) = present(&q.assignee) {
        filter.assignee = id_or_none(v, "assignee", "an agent", &mut errors);
    }
    if let Some(v) = present(&q.requester_id) {
        filter.requester_id = id(v, "requester_id", &mut errors);
    }
    if let Some(v) = present(&q.organization) {
        filter.organization = id_or_none(v, "organization", "an organization", &mut errors);
    }
    if let Some(v) = present(&q.include_children) {
        match v.to_ascii_lowercase().as_str() {
            "true" => filter.include_children = true,
            "false" => {}
            _ => {
                errors.insert("include_children".into(), "Use true or false.".into());
            }
        }
    }
    if let Some(v) = present(&q.q) {
        filter.search = parse_item_search(v).map_err(|e| errors.insert("q".into(), e)).ok().flatten();
    }
    if let Some(v) = present(&q.item_type) {
        filter.item_type = ItemType::parse(&v.to_ascii_lowercase());
        if filter.item_type.is_none() {
            errors.insert("item_type".into(), "Use ticket or task.".into());
        }
    }
    let paging = parse_paging(q.offset.as_deref(), q.limit.as_deref());
    if let Err(ApiError::Validation(e)) = &paging {
        errors.extend(e.clone());
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let (offset, limit) = paging?;
    // Only an organization has children; elsewhere the flag changes nothing.
    filter.include_children &= matches!(filter.organization, Some(Some(_)));
    Ok((filter, offset, limit))
}

/// The sign-off under every email about an item or conversation.
pub fn mail(state: &AppState) -> Mail {
    Mail {
        footer: format!(
            "\n--\nSent by our help desk. Reply to this email to answer.\n{}\n",
            state.config.public_url.trim_end_matches('/')
        ),
    }
}

/// Items matching the filters, newest first, one page at a time.
#[utoipa::path(get, path = "/api/items", tag = "items", params(ItemListQuery),
    responses((status = 200, body = ItemPage), (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "A filter is malformed (the field is named)")))]
pub async fn list_items(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiQuery(query): ApiQuery<ItemListQuery>,
) -> ApiResult<Json<ItemPage>> {
    let (filter, offset, limit) = parse_filter(&query)?;
    let (items, total) = store::list(&state.db, &filter, offset, limit).await?;
    Ok(Json(ItemPage { items, total, offset, limit }))
}

/// Matching items grouped by organization (the "none" group last), project or status,
/// with counts; the groups are paged.
#[utoipa::path(get, path = "/api/items/groups", tag = "items", params(ItemGroupQuery),
    responses((status = 200, body = ItemGroupPage), (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "A filter or group_by is malformed (the field is named)")))]
pub async fn group_items(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiQuery(query): ApiQuery<ItemGroupQuery>,
) -> ApiResult<Json<ItemGroupPage>> {
    let group_by = match present(&query.group_by.clone()).map(str::to_ascii_lowercase).as_deref() {
        None | Some("organization") => Ok(GroupBy::Organization),
        Some("project") => Ok(GroupBy::Project),
        Some("status") => Ok(GroupBy::Status),
        Some(_) => Err("Group by organization, project or status.".to_string()),
    };
    let parsed = parse_filter(&query.filters());
    let (filter, offset, limit) = match (group_by.clone(), parsed) {
        (Ok(_), Ok(p)) => p,
        (by, p) => {
            let mut errors = match p {
                Err(ApiError::Validation(e)) => e,
                Err(other) => return Err(other),
                Ok(_) => FieldErrors::new(),
            };
            if let Err(e) = by {
                errors.insert("group_by".into(), e);
            }
            return Err(ApiError::Validation(errors));
        }
    };
    let group_by = group_by.map_err(|e| ApiError::invalid("group_by", e))?;
    let version = store::work_version(&state.db).await?;
    let key = format!("{group_by:?} {filter:?}");
    let all =
        state.group_cache.get_or_compute(version, key, || store::all_groups(&state.db, group_by, &filter)).await?;
    let groups = store::page(&all, offset, limit);
    Ok(Json(ItemGroupPage {
        group_by,
        groups: groups.groups,
        total_groups: groups.total_groups,
        total_items: groups.total_items,
        offset,
        limit,
    }))
}

fn not_found() -> ApiError {
    ApiError::NotFound("No such item.".into())
}

/// Creates a ticket or task. Tickets need a requester; the item takes the requester's
/// current organization. The project must exist and not be archived; the assignee
/// must be an active agent.
#[utoipa::path(post, path = "/api/items", tag = "items", request_body = CreateItemRequest,
    responses((status = 201, body = Item), (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Bad field, unknown project/customer/agent, archived project")))]
#[tracing::instrument(skip_all)]
pub async fn create_item(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiJson(req): ApiJson<CreateItemRequest>,
) -> ApiResult<(StatusCode, Json<Item>)> {
    let mut errors = FieldErrors::new();
    let title = parse_item_title(&req.title).map_err(|e| errors.insert("title".into(), e)).ok();
    let description = parse_description(&req.description).map_err(|e| errors.insert("description".into(), e)).ok();
    if let Err(e) = check_requester(req.item_type, req.requester_id) {
        errors.insert("requester_id".into(), e);
    }
    let (Some(title), Some(description), true) = (title, description, errors.is_empty()) else {
        return Err(ApiError::Validation(errors));
    };
    let new = NewItem {
        project_id: req.project_id,
        item_type: req.item_type,
        title,
        description,
        status: req.status.unwrap_or(ItemStatus::New),
        priority: req.priority.unwrap_or(Priority::Normal),
        assignee_id: req.assignee_id,
        requester_id: req.requester_id,
    };
    let id = store::create(&state.db, &new, now_ms()).await?;
    tracing::info!(item_id = id, "item created");
    let item = store::get(&state.db, id).await?.ok_or_else(not_found)?;
    Ok((StatusCode::CREATED, Json(item)))
}

#[utoipa::path(get, path = "/api/items/{id}", tag = "items", params(("id" = i64, Path)),
    responses((status = 200, body = Item), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_item(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Item>> {
    store::get(&state.db, id).await?.map(Json).ok_or_else(not_found)
}

/// Edits an item; absent fields stay, `null` clears the assignee or (for tasks) the
/// requester. A new requester takes the item to their current organization and, when
/// there are customer replies already, receives the conversation so far by email.
#[utoipa::path(patch, path = "/api/items/{id}", tag = "items", params(("id" = i64, Path)),
    request_body = UpdateItemRequest,
    responses((status = 200, body = Item), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(item_id = id))]
pub async fn update_item(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<UpdateItemRequest>,
) -> ApiResult<Json<Item>> {
    let mut errors = FieldErrors::new();
    let title = patch_field(req.title.as_deref(), "title", parse_item_title, &mut errors);
    let description = patch_field(req.description.as_deref(), "description", parse_description, &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let changes = ItemChanges {
        title,
        description,
        status: req.status,
        priority: req.priority,
        project_id: req.project_id,
        item_type: req.item_type,
        assignee_id: req.assignee_id,
        requester_id: req.requester_id,
    };
    if !store::update(&state.db, id, &changes, &mail(&state), now_ms()).await? {
        return Err(not_found());
    }
    store::get(&state.db, id).await?.map(Json).ok_or_else(not_found)
}

/// The item's conversation, oldest first: customer replies and internal notes.
#[utoipa::path(get, path = "/api/items/{id}/messages", tag = "items", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Message>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_messages(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<Message>>> {
    store::messages(&state.db, id).await?.map(Json).ok_or_else(not_found)
}

/// Writes a customer reply (`kind: reply`: one outbox email per customer recipient,
/// the requester and the followers) or an internal note (`kind: note`: agents only,
/// never emailed).
#[utoipa::path(post, path = "/api/items/{id}/messages", tag = "items", params(("id" = i64, Path)),
    request_body = CreateMessageRequest,
    responses((status = 201, body = Message), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Empty body, or a reply with no customer to send it to")))]
#[tracing::instrument(skip_all, fields(item_id = id))]
pub async fn create_message(
    State(state): State<AppState>,
    current: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<CreateMessageRequest>,
) -> ApiResult<(StatusCode, Json<Message>)> {
    let body = parse_message_body(&req.body).map_err(|e| ApiError::invalid("body", e))?;
    let message = store::add_message(&state.db, id, current.agent.id, req.kind, &body, &mail(&state), now_ms())
        .await?
        .ok_or_else(not_found)?;
    Ok((StatusCode::CREATED, Json(message)))
}

/// Adds a customer who receives the item's customer replies; returns all followers.
#[utoipa::path(post, path = "/api/items/{id}/followers", tag = "items", params(("id" = i64, Path)),
    request_body = AddItemFollowerRequest,
    responses((status = 201, body = Vec<CustomerRef>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "No such customer")))]
pub async fn add_item_follower(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<AddItemFollowerRequest>,
) -> ApiResult<(StatusCode, Json<Vec<CustomerRef>>)> {
    let followers = store::add_follower(&state.db, id, req.customer_id).await?.ok_or_else(not_found)?;
    Ok((StatusCode::CREATED, Json(followers)))
}

#[utoipa::path(delete, path = "/api/items/{id}/followers/{customer_id}", tag = "items",
    params(("id" = i64, Path), ("customer_id" = i64, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn remove_item_follower(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath((id, customer_id)): ApiPath<(i64, i64)>,
) -> ApiResult<StatusCode> {
    let removed = store::remove_follower(&state.db, id, customer_id).await?;
    crate::routes::deleted(removed, "This customer does not follow the item.")
}

/// This module's routes (all behind the session).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_items, create_item))
        .routes(routes!(group_items))
        .routes(routes!(get_item, update_item))
        .routes(routes!(list_messages, create_message))
        .routes(routes!(add_item_follower))
        .routes(routes!(remove_item_follower))
}
