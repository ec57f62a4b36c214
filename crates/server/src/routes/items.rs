//! Items (tickets and tasks): the Tickets app's filtered and grouped lists, create,
//! edit, followers, and the item conversation (customer replies and internal notes).

use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use axum::Json;
use orgdesk_core::api::organization::{FileInfo, MAX_FILE_BYTES};
use orgdesk_core::api::tickets::{
    AddItemFollowerRequest, BulkUpdateItemsRequest, BulkUpdateItemsResponse, CreateItemRequest, CreateMessageRequest,
    CustomerRef, Item, ItemGroupPage, ItemPage, Message, UpdateItemRequest,
};
use orgdesk_core::api::ErrorBody;
use orgdesk_core::paging::{Paging, PagingParams};
use orgdesk_core::tickets::{
    parse_message_body, validate_bulk_change, validate_item_changes, validate_new_item, ItemFilter, ItemFilterParams,
    ItemGroupParams, ItemSearch,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::CurrentAgent;
use crate::db::items::files::{self, Uploader};
use crate::db::items::org_groups;
use crate::db::items::{self as store, Mail};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPaging, ApiPath, ApiQuery};
use crate::routes::organizations::files::{attachment, read_upload, FileBytes, FileUpload, MULTIPART_OVERHEAD};
use crate::time_fmt::now_ms;
use crate::AppState;

/// Two parts of one query string, checked together: when both are malformed, the
/// 422 names the fields of both.
pub fn both<A, B>(a: ApiResult<A>, b: ApiResult<B>) -> ApiResult<(A, B)> {
    match (a, b) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        (Err(ApiError::Validation(mut first)), Err(ApiError::Validation(second))) => {
            first.extend(second);
            Err(ApiError::Validation(first))
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    }
}

/// The item filter and the page of a list.
fn filter_and_page(params: &ItemFilterParams, paging: ApiResult<ApiPaging>) -> ApiResult<(ItemFilter, Paging)> {
    let (filter, ApiPaging(paging)) = both(ItemFilter::parse(params).map_err(ApiError::Validation), paging)?;
    Ok((filter, paging))
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

/// Items matching the filters, newest first, one page at a time. `total` is exact when
/// only statuses and one organization or project are filtered on (kept counters); other
/// filters count at most 1,000 items past the offset (`total_capped`: at least that many).
#[utoipa::path(get, path = "/api/items", tag = "items", params(ItemFilterParams, PagingParams),
    responses((status = 200, body = ItemPage), (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "A filter is malformed (the field is named)")))]
pub async fn list_items(
    State(state): State<AppState>,
    current: CurrentAgent,
    ApiQuery(params): ApiQuery<ItemFilterParams>,
    paging: ApiResult<ApiPaging>,
) -> ApiResult<Json<ItemPage>> {
    let (filter, Paging { offset, limit }) = filter_and_page(&params, paging)?;
    let (items, total) = match title_only(&filter) {
        // A search of titles alone matches the same items, in the same order, until an item
        // is created, deleted or retitled: its page's ids are kept by the title version;
        // the rows (status, assignee) are read anew.
        Some(text) => {
            let key = (text.to_string(), offset, limit);
            let page = state
                .title_search_cache
                .get_or_compute(current.versions.titles, key, || store::page_ids(&state.db, &filter, offset, limit))
                .await?;
            (store::listed(&state.db, &page.0).await?, page.1)
        }
        None => store::list(&state.db, &filter, offset, limit).await?,
    };
    Ok(Json(ItemPage { items, total: total.n, total_capped: total.capped, offset, limit }))
}

/// The text of a search of item titles with no other filter.
fn title_only(filter: &ItemFilter) -> Option<&str> {
    match &filter.search {
        Some(ItemSearch::Title(text))
            if *filter == ItemFilter { search: filter.search.clone(), ..ItemFilter::default() } =>
        {
            Some(text)
        }
        _ => None,
    }
}

/// The response header that says how a grouping was answered (for benchmarks): `held`
/// (the kept grouping by organization was current), `updated` (its changed counters
/// were applied), `rebuilt`, `cached` or `computed` (other groupings).
pub const GROUPS_ANSWERED: &str = "x-orgdesk-groups";

/// Matching items grouped by organization (the "none" group last), project or status,
/// with counts; the groups are paged.
#[utoipa::path(get, path = "/api/items/groups", tag = "items", params(ItemGroupParams, ItemFilterParams, PagingParams),
    responses((status = 200, body = ItemGroupPage), (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "A filter or group_by is malformed (the field is named)")))]
pub async fn group_items(
    State(state): State<AppState>,
    current: CurrentAgent,
    ApiQuery(group): ApiQuery<ItemGroupParams>,
    ApiQuery(params): ApiQuery<ItemFilterParams>,
    paging: ApiResult<ApiPaging>,
) -> ApiResult<([(&'static str, HeaderValue); 1], Json<ItemGroupPage>)> {
    let (group_by, (filter, Paging { offset, limit })) =
        both(group.parse().map_err(ApiError::Validation), filter_and_page(&params, paging))?;
    let (groups, answered) = if let Some(scope) = org_groups::scope(group_by, &filter) {
        let (groups, answered) =
            state.org_groups.page(&state.db, current.versions.work, scope, &filter, offset, limit).await?;
        (groups, answered.as_str())
    } else {
        let key = format!("{group_by:?} {filter:?}");
        let computed = std::sync::atomic::AtomicBool::new(false);
        let all = state
            .group_cache
            .get_or_compute(current.versions.work, key, || {
                computed.store(true, std::sync::atomic::Ordering::Relaxed);
                store::all_groups(&state.db, group_by, &filter)
            })
            .await?;
        let answered = if computed.into_inner() { "computed" } else { "cached" };
        (store::page(&all, offset, limit), answered)
    };
    let headers = [(GROUPS_ANSWERED, HeaderValue::from_static(answered))];
    Ok((
        headers,
        Json(ItemGroupPage {
            group_by,
            groups: groups.groups,
            total_groups: groups.total_groups,
            total_items: groups.total_items,
            offset,
            limit,
        }),
    ))
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
    let new = validate_new_item(&req).map_err(ApiError::Validation)?;
    let id = store::create(&state.db, &new, &mail(&state), now_ms()).await?;
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
    let changes = validate_item_changes(&req).map_err(ApiError::Validation)?;
    if !store::update(&state.db, id, &changes, &mail(&state), now_ms()).await? {
        return Err(not_found());
    }
    store::get(&state.db, id).await?.map(Json).ok_or_else(not_found)
}

/// Sets the status, priority and/or assignee of up to 200 items in one transaction:
/// all change or none does. Each item comes with the `updated_at` the agent saw; if
/// any item changed since (or no longer exists), nothing is written and the 409 names
/// the items. Each changed item's history names the agent and the change.
#[utoipa::path(post, path = "/api/items/bulk", tag = "items", request_body = BulkUpdateItemsRequest,
    responses((status = 200, body = BulkUpdateItemsResponse), (status = 401, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "An item changed since the agent saw it, or is gone (field `items`); nothing was changed"),
        (status = 422, body = ErrorBody, description = "No items, too many, an item twice, nothing to change, or an unknown or deactivated assignee")))]
#[tracing::instrument(skip_all)]
pub async fn bulk_update_items(
    State(state): State<AppState>,
    current: CurrentAgent,
    ApiJson(req): ApiJson<BulkUpdateItemsRequest>,
) -> ApiResult<Json<BulkUpdateItemsResponse>> {
    let change = validate_bulk_change(&req).map_err(ApiError::Validation)?;
    let ids = store::bulk_update(&state.db, &change, (current.agent.id, &current.agent.name), now_ms()).await?;
    tracing::info!(items = ids.len(), "bulk change");
    Ok(Json(BulkUpdateItemsResponse { items: store::list_by_ids(&state.db, &ids).await? }))
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

/// The item's attached files (agents' and customers'), newest first.
#[utoipa::path(get, path = "/api/items/{id}/files", tag = "items", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<FileInfo>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_item_files(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<FileInfo>>> {
    files::files(&state.db, id).await?.map(Json).ok_or_else(not_found)
}

/// Attaches a file to the item: a `multipart/form-data` body with one part named
/// `file` (at most 10 MB, else 413). Customers who see the item see it in the portal.
#[utoipa::path(post, path = "/api/items/{id}/files", tag = "items", params(("id" = i64, Path)),
    request_body(content = FileUpload, content_type = "multipart/form-data"),
    responses((status = 201, body = FileInfo), (status = 400, body = ErrorBody, description = "Not a multipart body"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 413, body = ErrorBody, description = "The file is larger than 10 MB"),
        (status = 422, body = ErrorBody, description = "No file part, another part, an empty file, no file name, or the item already holds 100 files (field `file`)")))]
#[tracing::instrument(skip_all, fields(item_id = id))]
pub async fn upload_item_file(
    State(state): State<AppState>,
    current: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<(StatusCode, Json<FileInfo>)> {
    if !files::item_found(&state.db, id).await? {
        return Err(not_found());
    }
    let (name, content_type, content) = read_upload(multipart).await?;
    let info =
        files::add_file(&state.db, id, Uploader::Agent(current.agent.id), &name, &content_type, &content, now_ms())
            .await?;
    tracing::info!(file_id = info.id, size = info.size, "item file attached");
    Ok((StatusCode::CREATED, Json(info)))
}

/// An item file's bytes, as an attachment (`nosniff`; allowlisted types only).
#[utoipa::path(get, path = "/api/item-files/{file_id}", tag = "items",
    params(("file_id" = i64, Path, description = "Item file id")),
    responses((status = 200, description = "The file's bytes as an attachment, with `nosniff`",
            content_type = "application/octet-stream", body = FileBytes),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn download_item_file(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath(file_id): ApiPath<i64>,
) -> ApiResult<Response> {
    let file = files::file_content(&state.db, file_id)
        .await?
        .ok_or_else(|| ApiError::NotFound("There is no such file.".into()))?;
    attachment(file)
}

/// This module's routes (all behind the session); the upload (and the list at its
/// path) take bodies up to the file limit.
pub fn routes() -> OpenApiRouter<AppState> {
    let uploads = OpenApiRouter::new()
        .routes(routes!(list_item_files, upload_item_file))
        .layer(DefaultBodyLimit::max(MAX_FILE_BYTES as usize + MULTIPART_OVERHEAD));
    OpenApiRouter::new()
        .merge(uploads)
        .routes(routes!(download_item_file))
        .routes(routes!(list_items, create_item))
        .routes(routes!(group_items))
        .routes(routes!(bulk_update_items))
        .routes(routes!(get_item, update_item))
        .routes(routes!(list_messages, create_message))
        .routes(routes!(add_item_follower))
        .routes(routes!(remove_item_follower))
}
