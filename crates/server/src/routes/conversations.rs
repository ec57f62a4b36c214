//! Conversations with an organization's members or a project's followers: every
//! message notifies each current recipient once, through the outbox.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use orgdesk_core::api::tickets::{
    Conversation, CreateConversationMessageRequest, StartConversationRequest, StartedConversation,
};
use orgdesk_core::api::ErrorBody;
use orgdesk_core::tickets::{parse_message_body, parse_subject};
use orgdesk_core::FieldErrors;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::CurrentAgent;
use crate::db::conversations::{self as store, Target};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath};
use crate::routes::items::mail;
use crate::time_fmt::now_ms;
use crate::AppState;

fn target_not_found(target: Target) -> ApiError {
    match target {
        Target::Organization(_) => ApiError::NotFound("No such organization.".into()),
        Target::Project(_) => ApiError::NotFound("No such project.".into()),
    }
}

fn not_found() -> ApiError {
    ApiError::NotFound("No such conversation.".into())
}

async fn list(state: &AppState, target: Target) -> ApiResult<Json<Vec<Conversation>>> {
    store::list(&state.db, target).await?.map(Json).ok_or_else(|| target_not_found(target))
}

async fn start(
    state: &AppState,
    current: &CurrentAgent,
    target: Target,
    req: &StartConversationRequest,
) -> ApiResult<(StatusCode, Json<StartedConversation>)> {
    let mut errors = FieldErrors::new();
    let subject = parse_subject(&req.subject).map_err(|e| errors.insert("subject".into(), e)).ok();
    let body = parse_message_body(&req.body).map_err(|e| errors.insert("body".into(), e)).ok();
    let (Some(subject), Some(body)) = (subject, body) else {
        return Err(ApiError::Validation(errors));
    };
    let footer = mail(state).footer;
    let (id, notified) = store::start(&state.db, target, current.agent.id, &subject, &body, &footer, now_ms())
        .await?
        .ok_or_else(|| target_not_found(target))?;
    tracing::info!(conversation_id = id, notified, "conversation started");
    let conversation = store::get(&state.db, id).await?.ok_or_else(not_found)?;
    Ok((StatusCode::CREATED, Json(StartedConversation { conversation, notified })))
}

/// The organization's conversations, newest first (at most 100), each with its messages.
#[utoipa::path(get, path = "/api/organizations/{id}/conversations", tag = "conversations", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Conversation>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_organization_conversations(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<Conversation>>> {
    list(&state, Target::Organization(id)).await
}

/// Starts a conversation with the organization: every current member gets one
/// notification in the outbox (non-members none), in one transaction.
#[utoipa::path(post, path = "/api/organizations/{id}/conversations", tag = "conversations", params(("id" = i64, Path)),
    request_body = StartConversationRequest,
    responses((status = 201, body = StartedConversation), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(organization_id = id))]
pub async fn start_organization_conversation(
    State(state): State<AppState>,
    current: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<StartConversationRequest>,
) -> ApiResult<(StatusCode, Json<StartedConversation>)> {
    start(&state, &current, Target::Organization(id), &req).await
}

/// The project's conversations, newest first (at most 100), each with its messages.
#[utoipa::path(get, path = "/api/projects/{id}/conversations", tag = "conversations", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Conversation>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_project_conversations(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<Conversation>>> {
    list(&state, Target::Project(id)).await
}

/// Starts a conversation with the project's followers: customer followers and the
/// members of follower organizations, each notified once.
#[utoipa::path(post, path = "/api/projects/{id}/conversations", tag = "conversations", params(("id" = i64, Path)),
    request_body = StartConversationRequest,
    responses((status = 201, body = StartedConversation), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(project_id = id))]
pub async fn start_project_conversation(
    State(state): State<AppState>,
    current: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<StartConversationRequest>,
) -> ApiResult<(StatusCode, Json<StartedConversation>)> {
    start(&state, &current, Target::Project(id), &req).await
}

#[utoipa::path(get, path = "/api/conversations/{id}", tag = "conversations", params(("id" = i64, Path)),
    responses((status = 200, body = Conversation), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_conversation(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Conversation>> {
    store::get(&state.db, id).await?.map(Json).ok_or_else(not_found)
}

/// Adds a message to a conversation; its recipients as they are now are notified.
#[utoipa::path(post, path = "/api/conversations/{id}/messages", tag = "conversations", params(("id" = i64, Path)),
    request_body = CreateConversationMessageRequest,
    responses((status = 201, body = StartedConversation), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(conversation_id = id))]
pub async fn add_conversation_message(
    State(state): State<AppState>,
    current: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
    ApiJson(req): ApiJson<CreateConversationMessageRequest>,
) -> ApiResult<(StatusCode, Json<StartedConversation>)> {
    let body = parse_message_body(&req.body).map_err(|e| ApiError::invalid("body", e))?;
    let footer = mail(&state).footer;
    let notified =
        store::reply(&state.db, id, current.agent.id, &body, &footer, now_ms()).await?.ok_or_else(not_found)?;
    let conversation = store::get(&state.db, id).await?.ok_or_else(not_found)?;
    Ok((StatusCode::CREATED, Json(StartedConversation { conversation, notified })))
}

/// This module's routes (all behind the session).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_project_conversations, start_project_conversation))
        .routes(routes!(list_organization_conversations, start_organization_conversation))
        .routes(routes!(get_conversation))
        .routes(routes!(add_conversation_message))
}
