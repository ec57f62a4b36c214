//! The customer portal's session (`/api/portal/auth/*`). A portal session is a
//! cookie of its own; its CSRF token is remembered like an agent's (a tab runs
//! either the portal or the agents' app, never both).

use gloo_net::http::Request;
use orgdesk_core::api::portal::PortalSession;
use orgdesk_core::api::LoginRequest;

use super::{forget, json, remember_token, send, with_csrf, ApiError};

/// Signs a customer in to the portal; the CSRF token is remembered.
pub async fn login(email: String, password: String) -> Result<PortalSession, ApiError> {
    let response = send(Request::post("/api/portal/auth/login").json(&LoginRequest { email, password }), false).await?;
    let session: PortalSession = json(response).await?;
    remember_token(&session.csrf_token);
    Ok(session)
}

/// The current portal session, or an `Unauthorized` error when signed out.
pub async fn me() -> Result<PortalSession, ApiError> {
    let response = send(Request::get("/api/portal/auth/me").build(), false).await?;
    let session: PortalSession = json(response).await?;
    remember_token(&session.csrf_token);
    Ok(session)
}

pub async fn logout() -> Result<(), ApiError> {
    let result = send(with_csrf(Request::post("/api/portal/auth/logout")).build(), false).await.map(|_| ());
    forget();
    result
}
