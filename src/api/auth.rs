//! Signing in and out, and the current session.

use gloo_net::http::Request;
use orgdesk_core::api::{ChangePasswordRequest, ForgotPasswordRequest, LoginRequest, ResetPasswordRequest, Session};

use super::{forget, json, remember, send, with_csrf, ApiError};

/// Signs in; on success the session cookie is set and the CSRF token remembered.
pub async fn login(email: String, password: String) -> Result<Session, ApiError> {
    let response = send(Request::post("/api/auth/login").json(&LoginRequest { email, password }), false).await?;
    let session: Session = json(response).await?;
    remember(&session);
    Ok(session)
}

/// The current session, or an `Unauthorized` error when signed out.
pub async fn me() -> Result<Session, ApiError> {
    let response = send(Request::get("/api/auth/me").build(), false).await?;
    let session: Session = json(response).await?;
    remember(&session);
    Ok(session)
}

pub async fn logout() -> Result<(), ApiError> {
    let result = send(with_csrf(Request::post("/api/auth/logout")).build(), false).await.map(|_| ());
    forget();
    result
}

/// Changes the signed-in agent's password; the agent's other sessions end.
pub async fn change_password(current_password: String, new_password: String) -> Result<(), ApiError> {
    let req = ChangePasswordRequest { current_password, new_password };
    send(with_csrf(Request::post("/api/auth/password")).json(&req), true).await.map(|_| ())
}

/// Ends every session of the signed-in agent, this one included.
pub async fn sign_out_everywhere() -> Result<(), ApiError> {
    let result = send(with_csrf(Request::post("/api/auth/sign-out-everywhere")).build(), true).await.map(|_| ());
    forget();
    result
}

/// "Forgot password?": the server answers the same whether the account exists or not.
pub async fn forgot_password(email: String) -> Result<(), ApiError> {
    send(Request::post("/api/auth/forgot-password").json(&ForgotPasswordRequest { email }), false).await.map(|_| ())
}

/// Sets a new password with a reset link's token.
pub async fn reset_password(token: String, new_password: String) -> Result<(), ApiError> {
    let req = ResetPasswordRequest { token, new_password };
    send(Request::post("/api/auth/reset-password").json(&req), false).await.map(|_| ())
}
