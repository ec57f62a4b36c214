//! Customers' portal sessions: a cookie of their own ([`PORTAL_SESSION_COOKIE`]),
//! checked by [`require_customer_session`] on every `/api/portal` route but the
//! public ones. An agent's session cookie means nothing here, and a portal
//! session cookie means nothing on agents' routes (`auth::require_session`).

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use orgdesk_core::api::portal::PORTAL_SESSION_COOKIE;
use orgdesk_core::portal::Viewer;

use crate::auth::{check_csrf, cookie, set_cookie, token_hash};
use crate::db;
use crate::error::ApiError;
use crate::time_fmt::now_ms;
use crate::AppState;

/// The signed-in customer of a portal request, put there by [`require_customer_session`],
/// with what decides what they see, read at the start of this request.
#[derive(Debug, Clone)]
pub struct CurrentCustomer {
    pub viewer: Viewer,
    pub csrf_token: String,
    pub token_hash: String,
}

impl CurrentCustomer {
    pub fn id(&self) -> i64 {
        self.viewer.customer_id
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentCustomer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<CurrentCustomer>().cloned().ok_or(ApiError::Unauthorized)
    }
}

/// The `Set-Cookie` value that starts a portal session (or, with `None`, ends it).
pub fn portal_cookie(token: Option<&str>, secure: bool) -> String {
    set_cookie(PORTAL_SESSION_COOKIE, token, secure)
}

/// Middleware on every signed-in portal route: a valid portal session, and its
/// CSRF token on state-changing methods.
pub async fn require_customer_session(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let token = cookie(req.headers(), PORTAL_SESSION_COOKIE).ok_or(ApiError::Unauthorized)?;
    let hash = token_hash(&token);
    let (customer_id, csrf_token) =
        db::portal_accounts::find_session(&state.db, &hash, now_ms()).await?.ok_or(ApiError::Unauthorized)?;
    check_csrf(req.method(), req.headers(), &csrf_token)?;
    let viewer = db::access::viewer(&state.db, customer_id).await?.ok_or(ApiError::Unauthorized)?;
    req.extensions_mut().insert(CurrentCustomer { viewer, csrf_token, token_hash: hash });
    Ok(next.run(req).await)
}
