//! Notes on an organization: listed a page at a time, added by any agent, deleted
//! by their author or an admin.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use orgdesk_core::agent::Role;
use orgdesk_core::api::organization::{CreateNoteRequest, Note, NotePage, MAX_NOTE};
use orgdesk_core::api::ErrorBody;
use orgdesk_core::paging::PagingParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::CurrentAgent;
use crate::db::audit::Actor;
use crate::db::organizations::history::not_found;
use crate::db::organizations::notes as store;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPaging, ApiPath};
use crate::time_fmt::now_ms;
use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_notes, add_note)).routes(routes!(delete_note))
}

/// The organization's notes, newest first, one page at a time.
#[utoipa::path(get, path = "/api/organizations/{id}/notes", tag = "organizations",
    params(("id" = i64, Path, description = "Organization id"), PagingParams),
    responses((status = 200, body = NotePage), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn list_notes(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
    ApiPaging(page): ApiPaging,
) -> ApiResult<Json<NotePage>> {
    store::notes(&state.db, id, page).await?.map(Json).ok_or_else(not_found)
}

/// Adds a note by the signed-in agent.
#[utoipa::path(post, path = "/api/organizations/{id}/notes", tag = "organizations",
    params(("id" = i64, Path, description = "Organization id")), request_body = CreateNoteRequest,
    responses((status = 201, body = Note), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "Empty or too long (field `body`)")))]
#[tracing::instrument(skip_all, fields(organization_id = id))]
pub async fn add_note(
    State(state): State<AppState>,
    current: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<CreateNoteRequest>,
) -> ApiResult<(StatusCode, Json<Note>)> {
    let body = req.body.trim();
    if body.is_empty() {
        return Err(ApiError::invalid("body", "Write the note first."));
    }
    if body.chars().count() > MAX_NOTE {
        return Err(ApiError::invalid("body", format!("A note has at most {MAX_NOTE} characters.")));
    }
    let note = store::add_note(&state.db, id, current.agent.id, body, now_ms()).await?;
    Ok((StatusCode::CREATED, Json(note)))
}

/// Deletes a note (its author or an admin).
#[utoipa::path(delete, path = "/api/organizations/{id}/notes/{note_id}", tag = "organizations",
    params(("id" = i64, Path, description = "Organization id"), ("note_id" = i64, Path, description = "Note id")),
    responses((status = 204), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "Neither the author nor an admin"),
        (status = 404, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(organization_id = id, note_id = note_id))]
pub async fn delete_note(
    State(state): State<AppState>,
    current: CurrentAgent,
    actor: Actor,
    ApiPath((id, note_id)): ApiPath<(i64, i64)>,
) -> ApiResult<StatusCode> {
    let admin = current.agent.role() == Role::Admin;
    store::delete_note(&state.db, id, note_id, current.agent.id, admin, &actor, now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}
