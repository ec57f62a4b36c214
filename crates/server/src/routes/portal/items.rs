//! What customers see and do in the portal: the items they may see (searched and
//! counted within that set), one item with whether they may reply, its customer
//! replies, a reply of theirs, new tickets, the projects they may submit to, and
//! attachments. Anything a customer may not see answers 404, decided by
//! `db::access` alone; replying (and attaching) where they may only read is a 403.

use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use orgdesk_core::api::organization::{FileInfo, MAX_FILE_BYTES};
use orgdesk_core::api::portal_items::{
    CreatePortalItemRequest, CreatePortalMessageRequest, PortalItemDetail, PortalItemPage, PortalItemParams,
    PortalMessage, PortalProject,
};
use orgdesk_core::api::routing::ItemSource;
use orgdesk_core::api::tickets::{ItemStatus, ItemType, Priority};
use orgdesk_core::api::ErrorBody;
use orgdesk_core::paging::{Paging, PagingParams};
use orgdesk_core::portal::{may_reply, AccessReason};
use orgdesk_core::tickets::{parse_description, parse_item_title, parse_message_body, ItemFilter, NewItem};
use orgdesk_core::FieldErrors;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::db::items::files::{self, Uploader};
use crate::db::{access, items, portal_items as store};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPaging, ApiPath, ApiQuery};
use crate::portal_auth::CurrentCustomer;
use crate::routes::items::{both, mail};
use crate::routes::organizations::files::{attachment, read_upload, FileBytes, FileUpload, MULTIPART_OVERHEAD};
use crate::time_fmt::now_ms;
use crate::AppState;

fn not_found() -> ApiError {
    ApiError::NotFound("No such item.".into())
}

/// Why the signed-in customer sees item `id`; 404 when they may not (or it does not exist).
async fn reasons(state: &AppState, current: &CurrentCustomer, id: i64) -> ApiResult<Vec<AccessReason>> {
    access::item_reasons(&state.db, &current.viewer, id).await?.ok_or_else(not_found)
}

/// 404 unless the customer sees the item, 403 when they may only read it.
async fn check_may_reply(state: &AppState, current: &CurrentCustomer, id: i64) -> ApiResult<()> {
    let reasons = reasons(state, current, id).await?;
    if !may_reply(&current.viewer, &reasons) {
        return Err(ApiError::Forbidden("You can read this item but not reply to it.".into()));
    }
    Ok(())
}

async fn detail(state: &AppState, current: &CurrentCustomer, id: i64) -> ApiResult<PortalItemDetail> {
    let reasons = reasons(state, current, id).await?;
    let fields = access::policy(&state.db).await?.fields;
    let item = store::get(&state.db, &fields, id).await?.ok_or_else(not_found)?;
    Ok(PortalItemDetail { item, can_reply: may_reply(&current.viewer, &reasons) })
}

/// The items the customer sees, newest first, one page at a time; `q` searches the
/// titles (or `#123` the number), `status` filters. The total counts only those items.
#[utoipa::path(get, path = "/api/portal/items", tag = "portal", security(("portal_session" = [])),
    params(PortalItemParams, PagingParams),
    responses((status = 200, body = PortalItemPage), (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "A filter or the paging is malformed (the field is named)")))]
pub async fn list_portal_items(
    State(state): State<AppState>,
    current: CurrentCustomer,
    ApiQuery(params): ApiQuery<PortalItemParams>,
    paging: ApiResult<ApiPaging>,
) -> ApiResult<Json<PortalItemPage>> {
    let filter = ItemFilter::parse(&params.as_filter_params()).map_err(ApiError::Validation);
    let (filter, ApiPaging(Paging { offset, limit })) = both(filter, paging)?;
    let fields = access::policy(&state.db).await?.fields;
    let (items, total) = store::list(&state.db, &current.viewer, &fields, &filter, offset, limit).await?;
    Ok(Json(PortalItemPage { items, total, offset, limit }))
}

/// One item the customer sees, and whether they may reply; 404 otherwise.
#[utoipa::path(get, path = "/api/portal/items/{id}", tag = "portal", security(("portal_session" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = PortalItemDetail), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_portal_item(
    State(state): State<AppState>,
    current: CurrentCustomer,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<PortalItemDetail>> {
    Ok(Json(detail(&state, &current, id).await?))
}

/// Submits a ticket requested by the customer (organization: theirs), in a project
/// they may submit to, or without `project_id` in the portal's default project.
#[utoipa::path(post, path = "/api/portal/items", tag = "portal", security(("portal_session" = [])),
    request_body = CreatePortalItemRequest,
    responses((status = 201, body = PortalItemDetail), (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Bad title or description, or a project they may not use (`project_id`)")))]
#[tracing::instrument(skip_all)]
pub async fn create_portal_item(
    State(state): State<AppState>,
    current: CurrentCustomer,
    ApiJson(req): ApiJson<CreatePortalItemRequest>,
) -> ApiResult<(StatusCode, Json<PortalItemDetail>)> {
    let mut errors = FieldErrors::new();
    let title = parse_item_title(&req.title).map_err(|e| errors.insert("title".into(), e)).ok();
    let description = parse_description(&req.description).map_err(|e| errors.insert("description".into(), e)).ok();
    if let Some(project) = req.project_id {
        if !store::may_submit_to(&state.db, &current.viewer, project).await? {
            errors.insert("project_id".into(), "Choose one of the projects offered.".into());
        }
    }
    let (Some(title), Some(description)) = (title, description) else {
        return Err(ApiError::Validation(errors));
    };
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let now = now_ms();
    let project_id = match req.project_id {
        Some(p) => p,
        None => store::default_project(&state.db, now).await?,
    };
    let new = NewItem {
        project_id,
        item_type: ItemType::Ticket,
        title,
        description,
        status: ItemStatus::New,
        priority: Priority::Normal,
        assignee_id: None,
        requester_id: Some(current.id()),
        source: ItemSource::Portal,
    };
    let id = items::create(&state.db, &new, &crate::routes::items::mail(&state), now).await?;
    tracing::info!(item_id = id, "portal ticket created");
    Ok((StatusCode::CREATED, Json(detail(&state, &current, id).await?)))
}

/// The item's replies, oldest first (never internal notes); 404 unless the customer sees the item.
#[utoipa::path(get, path = "/api/portal/items/{id}/messages", tag = "portal", security(("portal_session" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<PortalMessage>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_portal_messages(
    State(state): State<AppState>,
    current: CurrentCustomer,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<PortalMessage>>> {
    reasons(&state, &current, id).await?;
    Ok(Json(store::messages(&state.db, &current.viewer, id).await?))
}

/// A reply by the customer: emailed to the item's requester and followers (and the
/// project's followers when the portal shows them its items) except the author.
/// 403 when they may only read the item, 404 when they do not see it.
#[utoipa::path(post, path = "/api/portal/items/{id}/messages", tag = "portal", security(("portal_session" = [])),
    params(("id" = i64, Path)), request_body = CreatePortalMessageRequest,
    responses((status = 201, body = PortalMessage), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "They may read the item but not reply"),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody, description = "Empty body")))]
#[tracing::instrument(skip_all, fields(item_id = id))]
pub async fn create_portal_message(
    State(state): State<AppState>,
    current: CurrentCustomer,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<CreatePortalMessageRequest>,
) -> ApiResult<(StatusCode, Json<PortalMessage>)> {
    check_may_reply(&state, &current, id).await?;
    let body = parse_message_body(&req.body).map_err(|e| ApiError::invalid("body", e))?;
    let message = items::add_customer_reply(&state.db, id, current.id(), &body, &mail(&state), now_ms())
        .await?
        .ok_or_else(not_found)?;
    Ok((
        StatusCode::CREATED,
        Json(PortalMessage {
            id: message.id,
            author_name: message.author_name,
            from_customer: true,
            mine: true,
            body: message.body,
            created_at: message.created_at,
        }),
    ))
}

/// The projects the customer may submit tickets to (they follow it, or, email
/// verified, their organization does), by name.
#[utoipa::path(get, path = "/api/portal/projects", tag = "portal", security(("portal_session" = [])),
    responses((status = 200, body = Vec<PortalProject>), (status = 401, body = ErrorBody)))]
pub async fn list_portal_projects(
    State(state): State<AppState>,
    current: CurrentCustomer,
) -> ApiResult<Json<Vec<PortalProject>>> {
    Ok(Json(store::projects(&state.db, &current.viewer).await?))
}

/// The item's attached files, newest first; 404 unless the customer sees the item.
#[utoipa::path(get, path = "/api/portal/items/{id}/files", tag = "portal", security(("portal_session" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<FileInfo>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_portal_item_files(
    State(state): State<AppState>,
    current: CurrentCustomer,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<FileInfo>>> {
    reasons(&state, &current, id).await?;
    files::files(&state.db, id).await?.map(Json).ok_or_else(not_found)
}

/// Attaches a file to the item (`multipart/form-data`, one part named `file`, at
/// most 10 MB, else 413); like replying, only for customers who may reply.
#[utoipa::path(post, path = "/api/portal/items/{id}/files", tag = "portal", security(("portal_session" = [])),
    params(("id" = i64, Path)),
    request_body(content = FileUpload, content_type = "multipart/form-data"),
    responses((status = 201, body = FileInfo), (status = 400, body = ErrorBody, description = "Not a multipart body"),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "They may read the item but not reply"),
        (status = 404, body = ErrorBody),
        (status = 413, body = ErrorBody, description = "The file is larger than 10 MB"),
        (status = 422, body = ErrorBody, description = "No file part, another part, an empty file, no file name, or the item already holds 100 files (field `file`)")))]
#[tracing::instrument(skip_all, fields(item_id = id))]
pub async fn upload_portal_item_file(
    State(state): State<AppState>,
    current: CurrentCustomer,
    ApiPath(id): ApiPath<i64>,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<(StatusCode, Json<FileInfo>)> {
    check_may_reply(&state, &current, id).await?;
    let (name, content_type, content) = read_upload(multipart).await?;
    let info =
        files::add_file(&state.db, id, Uploader::Customer(current.id()), &name, &content_type, &content, now_ms())
            .await?;
    tracing::info!(file_id = info.id, size = info.size, "portal file attached");
    Ok((StatusCode::CREATED, Json(info)))
}

/// An item file's bytes, as an attachment (`nosniff`); 404 unless the customer sees its item.
#[utoipa::path(get, path = "/api/portal/files/{file_id}", tag = "portal", security(("portal_session" = [])),
    params(("file_id" = i64, Path, description = "Item file id")),
    responses((status = 200, description = "The file's bytes as an attachment, with `nosniff`",
            content_type = "application/octet-stream", body = FileBytes),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn download_portal_file(
    State(state): State<AppState>,
    current: CurrentCustomer,
    ApiPath(file_id): ApiPath<i64>,
) -> ApiResult<Response> {
    let no_file = || ApiError::NotFound("There is no such file.".into());
    let item = files::file_item(&state.db, file_id).await?.ok_or_else(no_file)?;
    access::item_reasons(&state.db, &current.viewer, item).await?.ok_or_else(no_file)?;
    attachment(files::file_content(&state.db, file_id).await?.ok_or_else(no_file)?)
}

/// The portal's item routes (behind the customer session); the upload (and the
/// list at its path) take bodies up to the file limit.
pub fn routes() -> OpenApiRouter<AppState> {
    let uploads = OpenApiRouter::new()
        .routes(routes!(list_portal_item_files, upload_portal_item_file))
        .layer(DefaultBodyLimit::max(MAX_FILE_BYTES as usize + MULTIPART_OVERHEAD));
    OpenApiRouter::new()
        .routes(routes!(list_portal_items, create_portal_item))
        .routes(routes!(get_portal_item))
        .routes(routes!(list_portal_messages, create_portal_message))
        .routes(routes!(list_portal_projects))
        .routes(routes!(download_portal_file))
        .merge(uploads)
}
