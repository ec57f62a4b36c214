//! Passwords: change your own, sign out everywhere, reset links (sent by an admin
//! or asked for with "Forgot password?") and using one.
//!
//! A change ends every other session of the agent; a reset ends all of them. A
//! reset link is a random token mailed through the outbox; the database keeps only
//! its SHA-256, it works once and for [`RESET_TTL`]. "Forgot password?" answers the
//! same whether the account exists or not, and is throttled per account and source.

use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{AppendHeaders, IntoResponse};
use orgdesk_core::agent::check_password;
use orgdesk_core::api::{ChangePasswordRequest, ErrorBody, ForgotPasswordRequest, ResetPasswordRequest};
use orgdesk_core::email::Email;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use orgdesk_core::api::audit::{AuditAction, AuditTarget};
use serde_json::json;

use crate::auth::{self, AdminAgent, ClientIp, CurrentAgent};
use crate::db::agents::AgentRow;
use crate::db::audit::Actor;
use crate::db::outbox::NewMail;
use crate::db::passwords::{NewReset, ResetRefused};
use crate::db::{self};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath};
use crate::routes::audit::{actor_of, source_of};
use crate::time_fmt::now_ms;
use crate::AppState;

/// How long a reset link works.
pub const RESET_TTL: Duration = Duration::from_secs(3600);

/// Changes the signed-in agent's password. Every other session of the agent ends;
/// this one stays. Clears "must change password".
#[utoipa::path(post, path = "/api/auth/password", tag = "auth", request_body = ChangePasswordRequest,
    responses(
        (status = 204, description = "Changed; the agent's other sessions have ended"),
        (status = 400, body = ErrorBody, description = "Malformed JSON body"),
        (status = 413, body = ErrorBody, description = "Body over 1 MiB"),
        (status = 401, body = ErrorBody, description = "No session"),
        (status = 403, body = ErrorBody, description = "Missing or wrong CSRF token, or a cross-site request"),
        (status = 422, body = ErrorBody,
            description = "`current_password` is wrong, or `new_password` breaks the rules (10 to 256 characters, \
                           not only spaces, not the current one); nothing changed"),
        (status = 429, body = ErrorBody, description = "Too many wrong current passwords; see Retry-After"),
        (status = 503, body = ErrorBody, description = "Too many passwords being checked at once; see Retry-After"),
    ))]
#[tracing::instrument(skip_all, fields(agent_id = current.agent.id))]
pub async fn change_password(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    current: CurrentAgent,
    ApiJson(req): ApiJson<ChangePasswordRequest>,
) -> ApiResult<StatusCode> {
    if req.current_password.is_empty() {
        return Err(ApiError::invalid("current_password", "Enter your current password."));
    }
    check_password(&req.new_password).map_err(|e| ApiError::invalid("new_password", e))?;
    if req.new_password == req.current_password {
        return Err(ApiError::invalid("new_password", "Choose a password different from the current one."));
    }
    let agent = &current.agent;
    if let Err(wait) = state.throttle.attempt(&agent.email, ip) {
        return Err(ApiError::too_many(wait, "wrong passwords"));
    }
    let hash = db::passwords::hash_of(&state.db, agent.id).await?;
    if !state.throttle.verify(&agent.email, ip, req.current_password, hash).await? {
        return Err(ApiError::invalid("current_password", "The current password is incorrect."));
    }
    state.throttle.succeeded(&agent.email, ip);
    let new_hash = auth::hash_password(req.new_password).await?;
    let entry = actor_of(&current, ip).entry(
        AuditAction::PasswordChanged,
        AuditTarget::Agent,
        Some(agent.id),
        agent.email.clone(),
        json!({ "other_sessions_ended": true }),
    );
    db::passwords::change(&state.db, agent.id, &new_hash, &current.token_hash, &entry, now_ms()).await?;
    tracing::info!("password changed");
    Ok(StatusCode::NO_CONTENT)
}

/// Ends every session of the signed-in agent, this one included, and clears the cookie.
#[utoipa::path(post, path = "/api/auth/sign-out-everywhere", tag = "auth",
    responses(
        (status = 204, description = "Every session of the agent has ended"),
        (status = 401, body = ErrorBody, description = "No session"),
        (status = 403, body = ErrorBody, description = "Missing or wrong CSRF token, or a cross-site request"),
    ))]
#[tracing::instrument(skip_all, fields(agent_id = current.agent.id))]
pub async fn sign_out_everywhere(
    State(state): State<AppState>,
    current: CurrentAgent,
    actor: Actor,
) -> ApiResult<impl IntoResponse> {
    let ended = db::passwords::end_all_sessions(&state.db, current.agent.id, &actor, now_ms()).await?;
    tracing::info!(sessions = ended, "signed out everywhere");
    let cookie = auth::session_cookie(None, state.config.secure_cookies);
    Ok((StatusCode::NO_CONTENT, AppendHeaders([(header::SET_COOKIE, cookie)])))
}

/// Mails an agent a one-time password reset link (admins only), through the outbox.
#[utoipa::path(post, path = "/api/agents/{id}/password-reset", tag = "agents", security(("session" = ["admin"])),
    params(("id" = i64, Path, description = "Agent id")),
    responses(
        (status = 202, description = "The reset link is queued in the outbox (it works once, for one hour)"),
        (status = 400, body = ErrorBody, description = "The id is not a number"),
        (status = 401, body = ErrorBody, description = "No session"),
        (status = 403, body = ErrorBody, description = "Not an admin, or a missing or wrong CSRF token"),
        (status = 404, body = ErrorBody, description = "No such agent"),
        (status = 409, body = ErrorBody, description = "The agent is deactivated"),
    ))]
#[tracing::instrument(skip_all, fields(agent_id = id))]
pub async fn send_password_reset(
    State(state): State<AppState>,
    _: AdminAgent,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    let agent = db::agents::get(&state.db, id).await?.ok_or_else(|| ApiError::NotFound("No such agent.".into()))?;
    if !agent.active {
        return Err(ApiError::conflict_on("active", "This agent is deactivated; reactivate them first."));
    }
    queue_reset(&state, &agent, &actor, "admin").await?;
    tracing::info!("password reset link sent by an admin");
    Ok(StatusCode::ACCEPTED)
}

/// "Forgot password?": mails a reset link when the email belongs to an active
/// agent. The answer is the same either way.
#[utoipa::path(post, path = "/api/auth/forgot-password", tag = "auth", security(()),
    request_body = ForgotPasswordRequest,
    responses(
        (status = 202, description = "Accepted; if the email belongs to an active agent, a reset link is on its way"),
        (status = 400, body = ErrorBody, description = "Malformed JSON body"),
        (status = 413, body = ErrorBody, description = "Body over 1 MiB"),
        (status = 403, body = ErrorBody, description = "A cross-site request"),
        (status = 422, body = ErrorBody, description = "`email` is empty or longer than 254 characters"),
        (status = 429, body = ErrorBody, description = "Too many requests for this email or from this address; see Retry-After"),
    ))]
#[tracing::instrument(skip_all)]
pub async fn forgot_password(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ApiJson(req): ApiJson<ForgotPasswordRequest>,
) -> ApiResult<StatusCode> {
    let agent = match begin_forgot(&state, ip, &headers, &req.email, req.email.trim())? {
        Some(email) => db::agents::find_for_login(&state.db, email.as_str()).await?.map(|(agent, _)| agent),
        None => None,
    };
    if let Some(agent) = agent.filter(|a| a.active) {
        // Nobody is signed in: the log names the email asked for and the address it came from.
        let actor = Actor { id: None, email: agent.email.clone(), source: source_of(ip) };
        queue_reset(&state, &agent, &actor, "forgot_password").await?;
        tracing::info!(agent_id = agent.id, "password reset link requested");
    }
    Ok(StatusCode::ACCEPTED)
}

/// Sets a new password with a reset link's token. The token is spent, and every
/// session of the agent ends; the agent then signs in with the new password.
#[utoipa::path(post, path = "/api/auth/reset-password", tag = "auth", security(()),
    request_body = ResetPasswordRequest,
    responses(
        (status = 204, description = "The password is set; every session of the agent has ended"),
        (status = 400, body = ErrorBody, description = "Malformed JSON body"),
        (status = 413, body = ErrorBody, description = "Body over 1 MiB"),
        (status = 403, body = ErrorBody, description = "A cross-site request"),
        (status = 422, body = ErrorBody,
            description = "`token` is unknown, used or expired, or `new_password` breaks the rules (10 to 256 \
                           characters, not only spaces); nothing changed"),
        (status = 503, body = ErrorBody, description = "Too many passwords being hashed at once; see Retry-After"),
    ))]
#[tracing::instrument(skip_all)]
pub async fn reset_password(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ApiJson(req): ApiJson<ResetPasswordRequest>,
) -> ApiResult<StatusCode> {
    auth::reject_cross_site(&Method::POST, &headers)?;
    let token = req.token.trim();
    if token.is_empty() {
        return Err(ApiError::invalid("token", "This reset link is not valid. Ask for a new one."));
    }
    check_password(&req.new_password).map_err(|e| ApiError::invalid("new_password", e))?;
    let token_hash = auth::token_hash(token);
    // A token that cannot work is refused before any password is hashed.
    db::passwords::check_reset(&state.db, &token_hash, now_ms()).await?.map_err(refused)?;
    let hash = auth::hash_password(req.new_password).await?;
    // Checked again inside the transaction: a concurrent use spends it once.
    let agent_id =
        db::passwords::reset(&state.db, &token_hash, &hash, &source_of(ip), now_ms()).await?.map_err(refused)?;
    tracing::info!(agent_id, "password reset link used");
    Ok(StatusCode::NO_CONTENT)
}

fn refused(why: ResetRefused) -> ApiError {
    ApiError::invalid(
        "token",
        match why {
            ResetRefused::Unknown => "This reset link is not valid. Ask for a new one.",
            ResetRefused::Used => "This reset link was already used. Ask for a new one.",
            ResetRefused::Expired => "This reset link has expired. Ask for a new one.",
        },
    )
}

/// What every "forgot password" request (agents' and customers') checks first: not
/// cross-site, an email given (422), the reset-request throttle for `throttle_key`
/// and the source (429). The email parsed, or `None` when it is no address at all
/// (answered like an unknown one).
pub fn begin_forgot(
    state: &AppState,
    ip: Option<std::net::IpAddr>,
    headers: &HeaderMap,
    email: &str,
    throttle_key: &str,
) -> ApiResult<Option<Email>> {
    auth::reject_cross_site(&Method::POST, headers)?;
    let email = email.trim();
    if email.is_empty() {
        return Err(ApiError::invalid("email", "Enter your email address."));
    }
    state.throttle.forgot(throttle_key, ip).map_err(|wait| ApiError::too_many(wait, "password reset requests"))?;
    Ok(Email::parse(email).ok())
}

/// The text of a reset email: `greeting`, what the password is for ("Orgdesk",
/// "support portal") and the one-hour link to `path` with `token`.
pub fn reset_email(greeting: &str, what: &str, public_url: &str, path: &str, token: &str) -> String {
    format!(
        "{greeting}\n\nSomeone (hopefully you) asked to reset your {what} password. Choose a new one here \
         (the link works once, for one hour):\n\n{}{path}?token={token}\n\nIf you did not ask for this, \
         ignore this email: your password stays as it is.\n",
        public_url.trim_end_matches('/'),
    )
}

/// Stores a new reset token for `agent`, queues the email with its link and records
/// it in the audit log as sent by `actor` (`via` "admin" or "forgot_password").
async fn queue_reset(state: &AppState, agent: &AgentRow, actor: &Actor, via: &str) -> ApiResult<()> {
    let token = auth::random_token(32);
    let token_hash = auth::token_hash(&token);
    let body =
        reset_email(&format!("Hello {},", agent.name), "Orgdesk", &state.config.public_url, "/reset-password", &token);
    let now = now_ms();
    let reset = NewReset {
        agent_id: agent.id,
        token_hash: &token_hash,
        expires_at: now + i64::try_from(RESET_TTL.as_millis()).unwrap_or(i64::MAX / 2),
        mail: NewMail {
            kind: "password_reset",
            recipient: &agent.email,
            subject: "Reset your Orgdesk password",
            body: &body,
            customer_id: None,
            item_id: None,
            conversation_id: None,
        },
    };
    let entry = actor.entry(
        AuditAction::PasswordResetSent,
        AuditTarget::Agent,
        Some(agent.id),
        agent.email.clone(),
        json!({ "via": via }),
    );
    db::passwords::create_reset(&state.db, &reset, &entry, now).await?;
    Ok(())
}

/// Routes open to anyone (the reset link's reader has no session).
pub fn public_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(forgot_password)).routes(routes!(reset_password))
}

/// Routes behind the session.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(change_password))
        .routes(routes!(sign_out_everywhere))
        .routes(routes!(send_password_reset))
}
