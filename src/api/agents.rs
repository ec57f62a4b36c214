//! The agents (administrators manage them).

use gloo_net::http::Request;
use orgdesk_core::api::{Agent, CreateAgentRequest, UpdateAgentRequest};

use super::{get, write, ApiError};

pub async fn list_agents() -> Result<Vec<Agent>, ApiError> {
    get("/api/agents").await
}

pub async fn create_agent(req: CreateAgentRequest) -> Result<Agent, ApiError> {
    write(Request::post("/api/agents"), &req).await
}

pub async fn update_agent(id: i64, req: UpdateAgentRequest) -> Result<Agent, ApiError> {
    write(Request::patch(&format!("/api/agents/{id}")), &req).await
}
