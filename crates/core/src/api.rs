//! The JSON contract: request and response bodies of every `/api` route.
//! Field names here are the wire names.

pub mod audit;
pub mod customer_profile;
pub mod deleted_organizations;
pub mod import;
pub mod merge;
pub mod organization;
pub mod outbox;
pub mod portal;
pub mod portal_accounts;
pub mod portal_items;
pub mod portal_policy;
pub mod routing;
pub mod sharing;
pub mod tickets;
pub mod usergroups;

use serde::{Deserialize, Serialize};

use crate::agent::Role;

pub use crate::error::{ErrorBody, ErrorCode};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

/// An agent account as the API shows it (never with its password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Agent {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub active: bool,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// Set for an agent who must choose a new password before doing anything else
    /// (the first admin, whose password was set by configuration or generated).
    #[serde(default)]
    pub must_change_password: bool,
}

/// The signed-in agent and the token to send as `X-CSRF-Token` on every
/// state-changing request of this session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Session {
    pub agent: Agent,
    pub csrf_token: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateAgentRequest {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub password: String,
}

/// Partial update: absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateAgentRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
}

/// Changes the signed-in agent's own password; the current one is required.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangePasswordRequest {
    pub current_password: String,
    /// Checked by [`crate::agent::check_password`].
    pub new_password: String,
}

/// "Forgot password?": the answer is the same whether the account exists or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ForgotPasswordRequest {
    pub email: String,
}

/// Sets a new password with the token of a reset link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResetPasswordRequest {
    pub token: String,
    /// Checked by [`crate::agent::check_password`].
    pub new_password: String,
}

/// The header that carries the session's CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The session cookie's name.
pub const SESSION_COOKIE: &str = "orgdesk_session";

pub mod customers;
pub use customers::*;
