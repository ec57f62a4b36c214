//! Signing in and out, and the current session.

use gloo_net::http::Request;
use orgdesk_core::api::{LoginRequest, Session};

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
