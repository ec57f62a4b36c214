//! Customers' portal accounts (`/api/portal/invitations/*`, `/api/portal/auth/*`,
//! `/api/portal/registration`): accepting an invitation, forgotten passwords,
//! self-registration, email verification and changing the password. "Forgot
//! password" and the reset use the agents' [`super::ForgotPasswordRequest`] and
//! [`super::ResetPasswordRequest`]; a change uses [`super::ChangePasswordRequest`].

use serde::{Deserialize, Serialize};

/// How long an invitation link works (days), a reset link (hours) and a verification link (hours).
pub const INVITATION_DAYS: i64 = 7;
pub const RESET_HOURS: i64 = 1;
pub const VERIFY_HOURS: i64 = 24;

/// Who an open invitation is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvitationInfo {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    /// The customer's organization, when they belong to one.
    pub organization_name: Option<String>,
}

/// Accepts an invitation by choosing a password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AcceptInvitationRequest {
    /// Checked by [`crate::agent::check_password`].
    pub password: String,
}

/// Whether customers may create their own portal account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegistrationStatus {
    pub open: bool,
}

/// Self-registration: the email is verified by a link before the organization's
/// items open to the new customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegisterRequest {
    pub email: String,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    /// Checked by [`crate::agent::check_password`].
    pub password: String,
}

/// The token of an email verification link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VerifyEmailRequest {
    pub token: String,
}
