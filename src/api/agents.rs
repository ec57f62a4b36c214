//! The agents (administrators manage them).

use gloo_net::http::Request;
use orgdesk_core::api::{Agent, CreateAgentRequest, UpdateAgentRequest};

use super::{get, send, with_csrf, write, ApiError};

pub async fn list_agents() -> Result<Vec<Agent>, ApiError> {
    get("/api/agents").await
}

pub async fn create_agent(req: CreateAgentRequest) -> Result<Agent, ApiError> {
    write(Request::post("/api/agents"), &req).await
}

pub async fn update_agent(id: i64, req: UpdateAgentRequest) -> Result<Agent, ApiError> {
    write(Request::patch(&format!("/api/agents/{id}")), &req).await
}

/// Mails the agent a one-time password reset link (through the outbox).
pub async fn send_password_reset(id: i64) -> Result<(), ApiError> {
    send(with_csrf(Request::post(&format!("/api/agents/{id}/password-reset"))).build(), true).await.map(|_| ())
}
