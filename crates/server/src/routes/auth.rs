//! Sign-in, sign-out and "who am I". Sign-ins, failed sign-ins (with the email
//! tried) and sign-outs are recorded in the audit log.

use axum::extract::State;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{AppendHeaders, IntoResponse};
use orgdesk_core::api::audit::AuditAction;
use orgdesk_core::api::{ErrorBody, LoginRequest, Session};
use orgdesk_core::email::Email;
use orgdesk_core::FieldErrors;
use serde_json::json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{self, ClientIp, CurrentAgent};
use crate::db;
use crate::db::audit::Actor;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::routes::audit::source_of;
use crate::time_fmt::now_ms;
use crate::AppState;

/// Signs in and sets the session cookie.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", security(()),
    request_body = LoginRequest,
    responses(
        (status = 200, body = Session, description = "Signed in; the session cookie is set"),
        (status = 401, body = ErrorBody, description = "Wrong email or password (one message for both)"),
        (status = 422, body = ErrorBody, description = "Email or password missing"),
        (status = 429, body = ErrorBody, description = "Too many failed attempts; see Retry-After"),
        (status = 503, body = ErrorBody, description = "Too many sign-ins being checked at once; see Retry-After"),
    ))]
#[tracing::instrument(skip_all)]
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<impl IntoResponse> {
    begin_sign_in(&state, ip, &headers, &req)?;
    let found = match Email::parse(&req.email) {
        Ok(email) => db::agents::find_for_login(&state.db, email.as_str()).await?,
        Err(_) => None,
    };
    let (agent, hash) = match found {
        Some((agent, hash)) => (Some(agent), Some(hash)),
        None => (None, None),
    };
    let password_ok = state.throttle.verify(&req.email, ip, req.password.clone(), hash).await?;
    let source = source_of(ip);
    let agent = match agent {
        Some(agent) if password_ok && agent.active => agent,
        other => {
            tracing::info!("failed sign-in");
            // The attempted email (cut to its limit by the log); an inactive account's
            // right password is told apart for the admins who read the log.
            let reason = if password_ok && other.is_some() { "inactive" } else { "wrong_credentials" };
            let actor = Actor { id: None, email: req.email.trim().to_string(), source };
            db::audit::record(
                &state.db,
                &actor.plain(AuditAction::SignInFailed, json!({ "reason": reason })),
                now_ms(),
            )
            .await?;
            return Err(ApiError::WrongCredentials);
        }
    };
    state.throttle.succeeded(&req.email, ip);

    let token = auth::random_token(32);
    let csrf_token = auth::random_token(16);
    let now = now_ms();
    let expires_at = now + i64::try_from(auth::SESSION_TTL.as_millis()).unwrap_or(i64::MAX / 2);
    db::sessions::insert(&state.db, &auth::token_hash(&token), agent.id, &csrf_token, now, expires_at).await?;
    let actor = Actor { id: Some(agent.id), email: agent.email.clone(), source };
    db::audit::record(&state.db, &actor.plain(AuditAction::SignIn, json!({})), now).await?;
    if rand_cleanup() {
        let _ = db::sessions::delete_expired(&state.db, now).await;
    }
    let cookie = auth::session_cookie(Some(&token), state.config.secure_cookies);
    Ok((AppendHeaders([(header::SET_COOKIE, cookie)]), axum::Json(Session { agent: agent.into_api(), csrf_token })))
}

/// What every sign-in (agents' and customers') checks before looking up the account:
/// not cross-site, both fields filled in (422 naming the empty ones), and the
/// failed-attempt throttle for this email and source (429).
pub fn begin_sign_in(
    state: &AppState,
    ip: Option<std::net::IpAddr>,
    headers: &HeaderMap,
    req: &LoginRequest,
) -> ApiResult<()> {
    auth::reject_cross_site(&Method::POST, headers)?;
    let mut missing = FieldErrors::new();
    if req.email.trim().is_empty() {
        missing.insert("email".into(), "Enter your email address.".into());
    }
    if req.password.is_empty() {
        missing.insert("password".into(), "Enter your password.".into());
    }
    if !missing.is_empty() {
        return Err(ApiError::Validation(missing));
    }
    state.throttle.attempt(&req.email, ip).map_err(|wait| ApiError::too_many(wait, "failed sign-in attempts"))
}

/// Expired sessions are swept now and then, on sign-in.
fn rand_cleanup() -> bool {
    use rand::Rng;
    rand::thread_rng().gen_ratio(1, 20)
}

/// Ends the session and clears the cookie.
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth",
    responses((status = 204, description = "Signed out"), (status = 401, body = ErrorBody)))]
pub async fn logout(
    State(state): State<AppState>,
    current: CurrentAgent,
    actor: Actor,
) -> ApiResult<impl IntoResponse> {
    db::sessions::delete(&state.db, &current.token_hash).await?;
    db::audit::record(&state.db, &actor.plain(AuditAction::SignOut, json!({})), now_ms()).await?;
    let cookie = auth::session_cookie(None, state.config.secure_cookies);
    Ok((StatusCode::NO_CONTENT, AppendHeaders([(header::SET_COOKIE, cookie)])))
}

/// The signed-in agent and the CSRF token of this session.
#[utoipa::path(get, path = "/api/auth/me", tag = "auth",
    responses((status = 200, body = Session), (status = 401, body = ErrorBody)))]
pub async fn me(current: CurrentAgent) -> axum::Json<Session> {
    axum::Json(Session { agent: current.agent.into_api(), csrf_token: current.csrf_token })
}

/// This module's routes (all behind the session).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(logout)).routes(routes!(me))
}
