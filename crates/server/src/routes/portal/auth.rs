//! Customers' sign-in, sign-out and "who am I" in the portal. Failed sign-ins are
//! throttled exactly like agents' (the same [`crate::auth::LoginThrottle`]).

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse};
use axum::Json;
use orgdesk_core::api::portal::PortalSession;
use orgdesk_core::api::{ErrorBody, LoginRequest};
use orgdesk_core::email::Email;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{self, ClientIp};
use crate::db::portal_accounts as accounts;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::portal_auth::{portal_cookie, CurrentCustomer};
use crate::routes::auth::begin_sign_in;
use crate::time_fmt::now_ms;
use crate::AppState;

/// Signs a customer in to the portal and sets the portal session cookie.
#[utoipa::path(post, path = "/api/portal/auth/login", tag = "portal", security(()),
    request_body = LoginRequest,
    responses(
        (status = 200, body = PortalSession, description = "Signed in; the portal session cookie is set"),
        (status = 401, body = ErrorBody, description = "Wrong email or password (one message for both)"),
        (status = 422, body = ErrorBody, description = "Email or password missing"),
        (status = 429, body = ErrorBody, description = "Too many failed attempts; see Retry-After"),
    ))]
#[tracing::instrument(skip_all)]
pub async fn portal_login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<impl IntoResponse> {
    begin_sign_in(&state, ip, &headers, &req)?;
    let found = match Email::parse(&req.email) {
        Ok(email) => accounts::find_for_login(&state.db, email.as_str()).await?,
        Err(_) => None,
    };
    let (id, hash) = match found {
        Some((id, hash)) => (Some(id), Some(hash)),
        None => (None, None),
    };
    let password_ok = state.throttle.verify(&req.email, ip, req.password.clone(), hash).await?;
    let Some(customer_id) = id.filter(|_| password_ok) else {
        tracing::info!("failed portal sign-in");
        return Err(ApiError::WrongCredentials);
    };
    state.throttle.succeeded(&req.email, ip);
    start_session(&state, customer_id).await
}

/// Starts a portal session for `customer_id`: the answer that sets its cookie and
/// carries the session body.
pub async fn start_session(state: &AppState, customer_id: i64) -> ApiResult<impl IntoResponse + use<>> {
    let token = auth::random_token(32);
    let csrf_token = auth::random_token(16);
    let now = now_ms();
    let expires_at = now + i64::try_from(auth::SESSION_TTL.as_millis()).unwrap_or(i64::MAX / 2);
    accounts::insert_session(&state.db, &auth::token_hash(&token), customer_id, &csrf_token, now, expires_at).await?;
    if rand::random::<u8>() < 13 {
        let _ = accounts::delete_expired_sessions(&state.db, now).await;
    }
    let customer = accounts::portal_customer(&state.db, customer_id).await?.ok_or(ApiError::Unauthorized)?;
    let cookie = portal_cookie(Some(&token), state.config.secure_cookies);
    Ok((AppendHeaders([(header::SET_COOKIE, cookie)]), Json(PortalSession { customer, csrf_token })))
}

/// Ends the portal session and clears its cookie.
#[utoipa::path(post, path = "/api/portal/auth/logout", tag = "portal", security(("portal_session" = [])),
    responses((status = 204, description = "Signed out"), (status = 401, body = ErrorBody)))]
pub async fn portal_logout(State(state): State<AppState>, current: CurrentCustomer) -> ApiResult<impl IntoResponse> {
    accounts::delete_session(&state.db, &current.token_hash).await?;
    let cookie = portal_cookie(None, state.config.secure_cookies);
    Ok((StatusCode::NO_CONTENT, AppendHeaders([(header::SET_COOKIE, cookie)])))
}

/// The signed-in customer and the CSRF token of this portal session.
#[utoipa::path(get, path = "/api/portal/auth/me", tag = "portal", security(("portal_session" = [])),
    responses((status = 200, body = PortalSession), (status = 401, body = ErrorBody)))]
pub async fn portal_me(State(state): State<AppState>, current: CurrentCustomer) -> ApiResult<Json<PortalSession>> {
    let customer = accounts::portal_customer(&state.db, current.id()).await?.ok_or(ApiError::Unauthorized)?;
    Ok(Json(PortalSession { customer, csrf_token: current.csrf_token }))
}

pub fn public_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(portal_login))
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(portal_logout)).routes(routes!(portal_me))
}
