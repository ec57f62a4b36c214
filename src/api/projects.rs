//! Projects, their followers and conversations.

use gloo_net::http::Request;
use orgdesk_core::api::tickets::{
    AddFollowerRequest, Conversation, CreateProjectRequest, Follower, FollowerKind, Project, ProjectPage,
    StartConversationRequest, StartedConversation, UpdateProjectRequest,
};

use super::{delete, get, search_param, write, ApiError};

/// `archived`: `false` (active), `true` (archived) or `all`.
pub async fn list_projects(archived: &str, q: &str, offset: usize, limit: usize) -> Result<ProjectPage, ApiError> {
    get(&format!("/api/projects?archived={archived}&offset={offset}&limit={limit}{}", search_param(q))).await
}

pub async fn get_project(id: i64) -> Result<Project, ApiError> {
    get(&format!("/api/projects/{id}")).await
}

pub async fn create_project(req: CreateProjectRequest) -> Result<Project, ApiError> {
    write(Request::post("/api/projects"), &req).await
}

pub async fn update_project(id: i64, req: UpdateProjectRequest) -> Result<Project, ApiError> {
    write(Request::patch(&format!("/api/projects/{id}")), &req).await
}

pub async fn list_project_followers(id: i64) -> Result<Vec<Follower>, ApiError> {
    get(&format!("/api/projects/{id}/followers")).await
}

pub async fn add_project_follower(id: i64, req: AddFollowerRequest) -> Result<Follower, ApiError> {
    write(Request::post(&format!("/api/projects/{id}/followers")), &req).await
}

pub async fn remove_project_follower(id: i64, kind: FollowerKind, follower_id: i64) -> Result<(), ApiError> {
    let kind = match kind {
        FollowerKind::Customer => "customers",
        FollowerKind::Organization => "organizations",
    };
    delete(&format!("/api/projects/{id}/followers/{kind}/{follower_id}")).await
}

pub async fn list_project_conversations(id: i64) -> Result<Vec<Conversation>, ApiError> {
    get(&format!("/api/projects/{id}/conversations")).await
}

pub async fn start_project_conversation(
    id: i64,
    req: StartConversationRequest,
) -> Result<StartedConversation, ApiError> {
    write(Request::post(&format!("/api/projects/{id}/conversations")), &req).await
}
