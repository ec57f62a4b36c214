//! The server's error type. Every failure becomes the JSON body
//! `{"code","message","fields"}` with the matching status; internal details are
//! logged, never sent.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use orgdesk_core::error::{ErrorBody, ErrorCode, FieldErrors};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("sign in to continue")]
    Unauthorized,
    /// A failed sign-in: one message whether the email or the password was wrong.
    #[error("wrong email or password")]
    WrongCredentials,
    #[error("{0}")]
    Forbidden(String),
    /// The agent must choose a new password before using anything else.
    #[error("password change required")]
    PasswordChangeRequired,
    #[error("{0}")]
    NotFound(String),
    #[error("{message}")]
    Conflict { message: String, fields: FieldErrors },
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("invalid fields")]
    Validation(FieldErrors),
    #[error("{message}")]
    TooManyRequests { message: String, retry_after_secs: u64 },
    #[error("method not allowed")]
    MethodNotAllowed,
    /// Too busy now (e.g. every password-hashing slot is taken and the queue is full).
    #[error("{message}")]
    Unavailable { message: String, retry_after_secs: u64 },
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("internal: {0}")]
    Internal(String),
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// A 409 naming the field in conflict. A unique-constraint violation of a
    /// statement reaches it through [`crate::db::OnUnique`], never by matching the error.
    pub fn conflict_on(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        let mut fields = FieldErrors::new();
        fields.insert(field.to_string(), message.clone());
        ApiError::Conflict { message, fields }
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        let mut fields = FieldErrors::new();
        fields.insert(field.to_string(), message.into());
        ApiError::Validation(fields)
    }

    pub fn body(&self) -> ErrorBody {
        match self {
            ApiError::BadRequest(m) => ErrorBody::new(ErrorCode::BadRequest, m.clone()),
            ApiError::Unauthorized => {
                ErrorBody::new(ErrorCode::Unauthorized, "Your session has ended. Sign in to continue.")
            }
            ApiError::WrongCredentials => {
                ErrorBody::new(ErrorCode::Unauthorized, "The email or password is incorrect.")
            }
            ApiError::Forbidden(m) => ErrorBody::new(ErrorCode::Forbidden, m.clone()),
            ApiError::PasswordChangeRequired => {
                ErrorBody::new(ErrorCode::PasswordChangeRequired, "Choose a new password before you continue.")
            }
            ApiError::NotFound(m) => ErrorBody::new(ErrorCode::NotFound, m.clone()),
            ApiError::Conflict { message, fields } => {
                ErrorBody { code: ErrorCode::Conflict, message: message.clone(), fields: fields.clone() }
            }
            ApiError::PayloadTooLarge(m) => ErrorBody::new(ErrorCode::PayloadTooLarge, m.clone()),
            ApiError::Validation(fields) => ErrorBody::validation(fields.clone()),
            ApiError::TooManyRequests { message, .. } => ErrorBody::new(ErrorCode::TooManyRequests, message.clone()),
            ApiError::Unavailable { message, .. } => ErrorBody::new(ErrorCode::Unavailable, message.clone()),
            ApiError::MethodNotAllowed => {
                ErrorBody::new(ErrorCode::MethodNotAllowed, "This route does not accept that method.")
            }
            ApiError::Database(_) | ApiError::Internal(_) => {
                ErrorBody::new(ErrorCode::Internal, "Something went wrong on the server. Please try again.")
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Database(e) = &self {
            tracing::error!(error = %e, "database error");
        }
        if let ApiError::Internal(e) = &self {
            tracing::error!(error = %e, "internal error");
        }
        let body = self.body();
        let status = StatusCode::from_u16(body.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(body)).into_response();
        if let ApiError::TooManyRequests { retry_after_secs, .. } | ApiError::Unavailable { retry_after_secs, .. } =
            self
        {
            if let Ok(v) = retry_after_secs.to_string().parse() {
                response.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
            }
        }
        response
    }
}
