//! Customers' portal accounts: invitations, forgotten passwords, registration,
//! email verification and changing the password (`/api/portal/invitations/*`,
//! `/api/portal/registration`, `/api/portal/auth/*`).

use gloo_net::http::Request;
use orgdesk_core::api::portal::PortalSession;
use orgdesk_core::api::portal_accounts::{
    AcceptInvitationRequest, InvitationInfo, RegisterRequest, RegistrationStatus, VerifyEmailRequest,
};
use orgdesk_core::api::{ChangePasswordRequest, ForgotPasswordRequest, ResetPasswordRequest};

use super::{encode, json, remember_token, send, with_csrf, ApiError};

fn invitation_path(token: &str) -> String {
    format!("/api/portal/invitations/{}", encode(token))
}

/// Who an open invitation is for (a 404 when it is unknown, used or expired).
pub async fn invitation(token: String) -> Result<InvitationInfo, ApiError> {
    json(send(Request::get(&invitation_path(&token)).build(), false).await?).await
}

/// Accepts an invitation with the chosen password; the customer is then signed in.
pub async fn accept_invitation(token: String, password: String) -> Result<PortalSession, ApiError> {
    let request = Request::post(&invitation_path(&token)).json(&AcceptInvitationRequest { password });
    let session: PortalSession = json(send(request, false).await?).await?;
    remember_token(&session.csrf_token);
    Ok(session)
}

/// "Forgot password?": the server answers the same whether the account exists or not.
pub async fn forgot_password(email: String) -> Result<(), ApiError> {
    let request = Request::post("/api/portal/auth/forgot-password").json(&ForgotPasswordRequest { email });
    send(request, false).await.map(|_| ())
}

/// Sets a new portal password with a reset link's token.
pub async fn reset_password(token: String, new_password: String) -> Result<(), ApiError> {
    let request = Request::post("/api/portal/auth/reset-password").json(&ResetPasswordRequest { token, new_password });
    send(request, false).await.map(|_| ())
}

/// Whether customers may create their own account.
pub async fn registration_open() -> Result<bool, ApiError> {
    let status: RegistrationStatus = json(send(Request::get("/api/portal/registration").build(), false).await?).await?;
    Ok(status.open)
}

/// Asks for an account; what happens next arrives by email.
pub async fn register(req: RegisterRequest) -> Result<(), ApiError> {
    send(Request::post("/api/portal/auth/register").json(&req), false).await.map(|_| ())
}

/// Confirms the email address with a verification link's token.
pub async fn verify_email(token: String) -> Result<(), ApiError> {
    send(Request::post("/api/portal/auth/verify-email").json(&VerifyEmailRequest { token }), false).await.map(|_| ())
}

/// Mails the signed-in customer a new verification link.
pub async fn send_verification() -> Result<(), ApiError> {
    send(with_csrf(Request::post("/api/portal/auth/send-verification")).build(), true).await.map(|_| ())
}

/// Changes the signed-in customer's password; their other portal sessions end.
pub async fn change_password(current_password: String, new_password: String) -> Result<(), ApiError> {
    let req = ChangePasswordRequest { current_password, new_password };
    send(with_csrf(Request::post("/api/portal/auth/password")).json(&req), true).await.map(|_| ())
}
