//! Customers' portal accounts: accepting an invitation (which sets the first
//! password), "Forgot password?" and the reset link, self-registration (off by
//! default) with its verification link, resending that link, and changing the
//! password.
//!
//! Every link is a random token mailed through the outbox; the database keeps only
//! its SHA-256 and it works once: an invitation for 7 days, a reset link for one
//! hour, a verification link for 24 hours. Accepting an invitation, using a reset
//! link or a verification link proves the mailbox: the email becomes verified.
//! "Forgot password?" and registration answer the same whether an account exists
//! or not, and are throttled like agents' "Forgot password?".

use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use orgdesk_core::agent::check_password;
use orgdesk_core::api::portal::PortalSession;
use orgdesk_core::api::portal_accounts::{
    AcceptInvitationRequest, InvitationInfo, RegisterRequest, RegistrationStatus, VerifyEmailRequest, RESET_HOURS,
    VERIFY_HOURS,
};
use orgdesk_core::api::{
    ChangePasswordRequest, CreateCustomerRequest, ErrorBody, ForgotPasswordRequest, ResetPasswordRequest,
};
use orgdesk_core::customer::validate_new_customer;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::start_session;
use crate::auth::{self, ClientIp};
use crate::db::access;
use crate::db::outbox::NewMail;
use crate::db::portal_accounts::{self as accounts, Registered, TokenPurpose, TokenRefused};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath};
use crate::portal_auth::CurrentCustomer;
use crate::routes::passwords::{begin_forgot, reset_email};
use crate::routes::settings::association;
use crate::time_fmt::now_ms;
use crate::AppState;

const HOUR_MS: i64 = 3600 * 1000;

fn invitation_gone() -> ApiError {
    ApiError::NotFound("This invitation is not valid: it was already used or has expired. Ask us for a new one.".into())
}

/// The throttle key of a portal account (apart from an agent with the same email).
fn throttle_key(email: &str) -> String {
    format!("portal:{}", email.trim())
}

fn greeting(first_name: &str) -> String {
    if first_name.trim().is_empty() {
        "Hello,".into()
    } else {
        format!("Hello {first_name},")
    }
}

/// Who an invitation is for, while it is open.
#[utoipa::path(get, path = "/api/portal/invitations/{token}", tag = "portal", security(()),
    params(("token" = String, Path, description = "The token of the invitation link")),
    responses(
        (status = 200, body = InvitationInfo),
        (status = 404, body = ErrorBody, description = "Unknown, already used or expired"),
    ))]
pub async fn get_invitation(
    State(state): State<AppState>,
    ApiPath(token): ApiPath<String>,
) -> ApiResult<Json<InvitationInfo>> {
    let found = accounts::open_invitation(&state.db, &auth::token_hash(token.trim()), now_ms()).await?;
    found.map(|(_, info)| Json(info)).ok_or_else(invitation_gone)
}

/// Accepts an invitation: sets the customer's password, verifies their email,
/// spends the invitation and signs them in to the portal.
#[utoipa::path(post, path = "/api/portal/invitations/{token}", tag = "portal", security(()),
    params(("token" = String, Path, description = "The token of the invitation link")),
    request_body = AcceptInvitationRequest,
    responses(
        (status = 200, body = PortalSession, description = "Accepted; the portal session cookie is set"),
        (status = 403, body = ErrorBody, description = "A cross-site request"),
        (status = 404, body = ErrorBody, description = "Unknown, already used or expired"),
        (status = 422, body = ErrorBody, description = "`password` breaks the rules (10 to 256 characters, not only spaces)"),
        (status = 503, body = ErrorBody, description = "Too many passwords being hashed at once; see Retry-After"),
    ))]
#[tracing::instrument(skip_all)]
pub async fn accept_invitation(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(token): ApiPath<String>,
    ApiJson(req): ApiJson<AcceptInvitationRequest>,
) -> ApiResult<impl IntoResponse> {
    auth::reject_cross_site(&Method::POST, &headers)?;
    let token_hash = auth::token_hash(token.trim());
    // A dead invitation is refused before any password is hashed.
    accounts::open_invitation(&state.db, &token_hash, now_ms()).await?.ok_or_else(invitation_gone)?;
    check_password(&req.password).map_err(|e| ApiError::invalid("password", e))?;
    let hash = auth::hash_password(req.password).await?;
    // Checked again as it is spent: of two concurrent acceptances one wins.
    let customer_id =
        accounts::accept_invitation(&state.db, &token_hash, &hash, now_ms()).await?.ok_or_else(invitation_gone)?;
    tracing::info!(customer_id, "portal invitation accepted");
    start_session(&state, customer_id).await
}

/// "Forgot password?" in the portal: mails a one-time reset link (one hour) when
/// the email belongs to a customer, whether or not they have chosen a password
/// yet. The answer is the same either way.
#[utoipa::path(post, path = "/api/portal/auth/forgot-password", tag = "portal", security(()),
    request_body = ForgotPasswordRequest,
    responses(
        (status = 202, description = "Accepted; if the email belongs to a customer, a reset link is on its way"),
        (status = 403, body = ErrorBody, description = "A cross-site request"),
        (status = 422, body = ErrorBody, description = "`email` is empty or too long"),
        (status = 429, body = ErrorBody, description = "Too many requests for this email or from this address; see Retry-After"),
    ))]
#[tracing::instrument(skip_all)]
pub async fn portal_forgot_password(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ApiJson(req): ApiJson<ForgotPasswordRequest>,
) -> ApiResult<StatusCode> {
    let found = match begin_forgot(&state, ip, &headers, &req.email, &throttle_key(req.email.trim()))? {
        Some(email) => accounts::find_by_email(&state.db, email.as_str()).await?.map(|c| (email, c)),
        None => None,
    };
    if let Some((email, (customer_id, first_name, _))) = found {
        let token = auth::random_token(32);
        let body = reset_email(
            &greeting(&first_name),
            "support portal",
            &state.config.public_url,
            "/portal/reset-password",
            &token,
        );
        let mail = NewMail {
            kind: "portal_password_reset",
            recipient: email.as_str(),
            subject: "Reset your support portal password",
            body: &body,
            customer_id: Some(customer_id),
            item_id: None,
            conversation_id: None,
        };
        let now = now_ms();
        let expires_at = now + RESET_HOURS * HOUR_MS;
        accounts::send_token(
            &state.db,
            customer_id,
            TokenPurpose::Reset,
            &auth::token_hash(&token),
            expires_at,
            &mail,
            now,
        )
        .await?;
        tracing::info!(customer_id, "portal password reset link requested");
    }
    Ok(StatusCode::ACCEPTED)
}

fn refused(why: TokenRefused, what: &str) -> ApiError {
    ApiError::invalid(
        "token",
        match why {
            TokenRefused::Unknown => format!("This {what} link is not valid. Ask for a new one."),
            TokenRefused::Used => format!("This {what} link was already used. Ask for a new one."),
            TokenRefused::Expired => format!("This {what} link has expired. Ask for a new one."),
        },
    )
}

/// Sets a new portal password with a reset link's token. The token is spent, the
/// email counts as verified, and every portal session of the customer ends; they
/// then sign in with the new password.
#[utoipa::path(post, path = "/api/portal/auth/reset-password", tag = "portal", security(()),
    request_body = ResetPasswordRequest,
    responses(
        (status = 204, description = "The password is set; every portal session of the customer has ended"),
        (status = 403, body = ErrorBody, description = "A cross-site request"),
        (status = 422, body = ErrorBody,
            description = "`token` is unknown, used or expired, or `new_password` breaks the rules; nothing changed"),
        (status = 503, body = ErrorBody, description = "Too many passwords being hashed at once; see Retry-After"),
    ))]
#[tracing::instrument(skip_all)]
pub async fn portal_reset_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<ResetPasswordRequest>,
) -> ApiResult<StatusCode> {
    auth::reject_cross_site(&Method::POST, &headers)?;
    let token = req.token.trim();
    if token.is_empty() {
        return Err(refused(TokenRefused::Unknown, "reset"));
    }
    let token_hash = auth::token_hash(token);
    accounts::check_token(&state.db, &token_hash, TokenPurpose::Reset, now_ms())
        .await?
        .map_err(|e| refused(e, "reset"))?;
    check_password(&req.new_password).map_err(|e| ApiError::invalid("new_password", e))?;
    let hash = auth::hash_password(req.new_password).await?;
    let customer_id =
        accounts::reset(&state.db, &token_hash, &hash, now_ms()).await?.map_err(|e| refused(e, "reset"))?;
    tracing::info!(customer_id, "portal password reset link used");
    Ok(StatusCode::NO_CONTENT)
}

/// Whether customers may register their own portal account.
#[utoipa::path(get, path = "/api/portal/registration", tag = "portal", security(()),
    responses((status = 200, body = RegistrationStatus)))]
pub async fn registration_status(State(state): State<AppState>) -> ApiResult<Json<RegistrationStatus>> {
    Ok(Json(RegistrationStatus { open: access::policy(&state.db).await?.self_registration }))
}

/// Self-registration (when Administration > Portal allows it). The answer is the
/// same whether the email is new or not: a new customer is created (joining the
/// organization of their email domain, as agents' creation does) with the
/// password and an unverified email, and a verification link (24 hours) goes to
/// the outbox; an email that already belongs to a customer gets "you already have
/// an account" instead, and nothing of theirs changes.
#[utoipa::path(post, path = "/api/portal/auth/register", tag = "portal", security(()),
    request_body = RegisterRequest,
    responses(
        (status = 202, description = "Accepted; an email with what to do next is on its way"),
        (status = 403, body = ErrorBody, description = "Self-registration is off, or a cross-site request"),
        (status = 422, body = ErrorBody, description = "A field breaks the rules (named in `fields`)"),
        (status = 429, body = ErrorBody, description = "Too many requests for this email or from this address; see Retry-After"),
        (status = 503, body = ErrorBody, description = "Too many passwords being hashed at once; see Retry-After"),
    ))]
#[tracing::instrument(skip_all)]
pub async fn register(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ApiJson(req): ApiJson<RegisterRequest>,
) -> ApiResult<StatusCode> {
    auth::reject_cross_site(&Method::POST, &headers)?;
    if !access::policy(&state.db).await?.self_registration {
        return Err(ApiError::Forbidden(
            "Creating an account in the portal is not open. Ask us for an invitation.".into(),
        ));
    }
    let customer = CreateCustomerRequest {
        email: req.email.clone(),
        first_name: req.first_name.clone(),
        last_name: req.last_name.clone(),
        phone: String::new(),
        send_invitation: false,
    };
    let validated = validate_new_customer(&customer);
    let mut errors = validated.as_ref().err().cloned().unwrap_or_default();
    if let Err(e) = check_password(&req.password) {
        errors.insert("password".into(), e);
    }
    let new = match validated {
        Ok(new) if errors.is_empty() => new,
        _ => return Err(ApiError::Validation(errors)),
    };
    if let Err(wait) = state.throttle.forgot(&throttle_key(new.email.as_str()), ip) {
        return Err(ApiError::too_many(wait, "account requests"));
    }
    // Hashed whether or not the email is new, so the answer takes as long either way.
    let hash = auth::hash_password(req.password).await?;
    let base = state.config.public_url.trim_end_matches('/').to_string();
    let token = auth::random_token(32);
    let token_hash = auth::token_hash(&token);
    let verify_body = format!(
        "{}\n\nWelcome to our support portal. Confirm your email address here (the link works once, for 24 \
         hours):\n\n{base}/portal/verify-email?token={token}\n\nIf you did not create an account, ignore this email.\n",
        greeting(&new.first_name),
    );
    let exists_body = format!(
        "{}\n\nSomeone (hopefully you) tried to create a support portal account with this email address, but you \
         already have one. Sign in at {base}/portal/sign-in, or choose a new password at \
         {base}/portal/forgot-password.\n\nIf this was not you, ignore this email: nothing has changed.\n",
        greeting(&new.first_name),
    );
    let verify_mail = NewMail {
        kind: "portal_verify_email",
        recipient: new.email.as_str(),
        subject: "Confirm your email address",
        body: &verify_body,
        customer_id: None,
        item_id: None,
        conversation_id: None,
    };
    let exists_mail = NewMail {
        kind: "portal_account_exists",
        subject: "You already have a support portal account",
        body: &exists_body,
        ..verify_mail
    };
    let now = now_ms();
    let association = association(&state.db).await?;
    let expires_at = now + VERIFY_HOURS * HOUR_MS;
    let outcome = accounts::register(
        &state.db,
        &new,
        &association,
        &hash,
        (&token_hash, expires_at, &verify_mail),
        &exists_mail,
        now,
    )
    .await;
    match outcome {
        Ok(Registered::Created(id)) => tracing::info!(customer_id = id, "portal account registered"),
        Ok(Registered::Exists(id)) => tracing::info!(customer_id = id, "portal registration for an existing email"),
        // Created by someone else in the meantime: the same answer, nothing changed.
        Err(ApiError::Conflict { .. }) => tracing::info!("portal registration raced a creation"),
        Err(e) => return Err(e),
    }
    Ok(StatusCode::ACCEPTED)
}

/// Uses a verification link: the customer's email is verified.
#[utoipa::path(post, path = "/api/portal/auth/verify-email", tag = "portal", security(()),
    request_body = VerifyEmailRequest,
    responses(
        (status = 204, description = "The email is verified"),
        (status = 403, body = ErrorBody, description = "A cross-site request"),
        (status = 422, body = ErrorBody, description = "`token` is unknown, used or expired"),
    ))]
#[tracing::instrument(skip_all)]
pub async fn verify_email(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<VerifyEmailRequest>,
) -> ApiResult<StatusCode> {
    auth::reject_cross_site(&Method::POST, &headers)?;
    let token = req.token.trim();
    if token.is_empty() {
        return Err(refused(TokenRefused::Unknown, "verification"));
    }
    let customer_id = accounts::verify(&state.db, &auth::token_hash(token), now_ms())
        .await?
        .map_err(|e| refused(e, "verification"))?;
    tracing::info!(customer_id, "portal email verified");
    Ok(StatusCode::NO_CONTENT)
}

/// Sends the signed-in customer a new verification link (24 hours).
#[utoipa::path(post, path = "/api/portal/auth/send-verification", tag = "portal", security(("portal_session" = [])),
    responses(
        (status = 202, description = "A verification link is on its way"),
        (status = 401, body = ErrorBody, description = "No portal session"),
        (status = 403, body = ErrorBody, description = "Missing or wrong CSRF token"),
        (status = 409, body = ErrorBody, description = "The email is already verified"),
        (status = 429, body = ErrorBody, description = "Too many requests; see Retry-After"),
    ))]
#[tracing::instrument(skip_all, fields(customer_id = current.id()))]
pub async fn send_verification(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    current: CurrentCustomer,
) -> ApiResult<StatusCode> {
    let customer = accounts::portal_customer(&state.db, current.id()).await?.ok_or(ApiError::Unauthorized)?;
    if customer.email_verified {
        return Err(ApiError::conflict_on("email", "Your email address is already verified."));
    }
    if let Err(wait) = state.throttle.forgot(&format!("verify:{}", customer.email), ip) {
        return Err(ApiError::too_many(wait, "verification requests"));
    }
    let token = auth::random_token(32);
    let body = format!(
        "{}\n\nConfirm your email address here (the link works once, for 24 hours):\n\n{}/portal/verify-email?token={token}\n",
        greeting(&customer.first_name),
        state.config.public_url.trim_end_matches('/'),
    );
    let mail = NewMail {
        kind: "portal_verify_email",
        recipient: &customer.email,
        subject: "Confirm your email address",
        body: &body,
        customer_id: Some(customer.id),
        item_id: None,
        conversation_id: None,
    };
    let now = now_ms();
    let expires_at = now + VERIFY_HOURS * HOUR_MS;
    accounts::send_token(
        &state.db,
        customer.id,
        TokenPurpose::Verify,
        &auth::token_hash(&token),
        expires_at,
        &mail,
        now,
    )
    .await?;
    Ok(StatusCode::ACCEPTED)
}

/// Changes the signed-in customer's portal password; their other portal sessions end.
#[utoipa::path(post, path = "/api/portal/auth/password", tag = "portal", security(("portal_session" = [])),
    request_body = ChangePasswordRequest,
    responses(
        (status = 204, description = "Changed; the customer's other portal sessions have ended"),
        (status = 401, body = ErrorBody, description = "No portal session"),
        (status = 403, body = ErrorBody, description = "Missing or wrong CSRF token"),
        (status = 422, body = ErrorBody,
            description = "`current_password` is wrong, or `new_password` breaks the rules or is the current one"),
        (status = 429, body = ErrorBody, description = "Too many wrong current passwords; see Retry-After"),
        (status = 503, body = ErrorBody, description = "Too many passwords being checked at once; see Retry-After"),
    ))]
#[tracing::instrument(skip_all, fields(customer_id = current.id()))]
pub async fn portal_change_password(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    current: CurrentCustomer,
    ApiJson(req): ApiJson<ChangePasswordRequest>,
) -> ApiResult<StatusCode> {
    if req.current_password.is_empty() {
        return Err(ApiError::invalid("current_password", "Enter your current password."));
    }
    check_password(&req.new_password).map_err(|e| ApiError::invalid("new_password", e))?;
    if req.new_password == req.current_password {
        return Err(ApiError::invalid("new_password", "Choose a password different from the current one."));
    }
    let customer = accounts::portal_customer(&state.db, current.id()).await?.ok_or(ApiError::Unauthorized)?;
    // The same counters as a portal sign-in with this email.
    if let Err(wait) = state.throttle.attempt(&customer.email, ip) {
        return Err(ApiError::too_many(wait, "wrong passwords"));
    }
    let hash = accounts::hash_of(&state.db, current.id()).await?;
    if !state.throttle.verify(&customer.email, ip, req.current_password, hash).await? {
        return Err(ApiError::invalid("current_password", "The current password is incorrect."));
    }
    state.throttle.succeeded(&customer.email, ip);
    let new_hash = auth::hash_password(req.new_password).await?;
    accounts::change_password(&state.db, current.id(), &new_hash, &current.token_hash).await?;
    tracing::info!("portal password changed");
    Ok(StatusCode::NO_CONTENT)
}

pub fn public_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_invitation, accept_invitation))
        .routes(routes!(portal_forgot_password))
        .routes(routes!(portal_reset_password))
        .routes(routes!(registration_status))
        .routes(routes!(register))
        .routes(routes!(verify_email))
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(send_verification)).routes(routes!(portal_change_password))
}
