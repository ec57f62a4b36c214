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
    Database(sqlx::Error),
    #[error("internal: {0}")]
    Internal(String),
}

pub type ApiResult<T> = Result<T, ApiError>;

/// What kind of failure a database error is, for its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbFailure {
    /// The database cannot be reached now (connection refused or lost, pool exhausted, shutting down).
    Unreachable,
    /// Another transaction held what this one needed (a lock wait that timed out,
    /// SQLITE_BUSY, a deadlock or serialization failure): nothing was written.
    Busy,
    /// The disk (or the database's size limit) is full: nothing was written.
    Full,
    /// A unique constraint refused the change: someone else just took the value.
    Unique,
    /// Anything else: a bug or bad data, logged and answered 500.
    Other,
}

impl DbFailure {
    pub fn of(err: &sqlx::Error) -> DbFailure {
        use sqlx::Error as E;
        match err {
            E::PoolTimedOut | E::PoolClosed | E::Io(_) | E::Tls(_) | E::WorkerCrashed => DbFailure::Unreachable,
            E::Database(db) if db.is_unique_violation() => DbFailure::Unique,
            E::Database(db) => match db.code().as_deref() {
                // PostgreSQL: serialization failure, deadlock, lock wait timeout, query cancelled.
                Some("40001" | "40P01" | "55P03" | "57014") => DbFailure::Busy,
                // PostgreSQL: disk full, out of memory, too many connections.
                Some("53100") => DbFailure::Full,
                Some("53200" | "53300") => DbFailure::Busy,
                // PostgreSQL: connection exceptions, shutting down, cannot connect now.
                Some(code) if code.starts_with("08") || code.starts_with("57P") => DbFailure::Unreachable,
                // SQLite (primary result code): BUSY, LOCKED, FULL, I/O error.
                Some(code) => match code.parse::<i32>().map(|c| c & 0xff) {
                    Ok(5 | 6) => DbFailure::Busy,
                    Ok(13) => DbFailure::Full,
                    Ok(10) => DbFailure::Unreachable,
                    _ => DbFailure::Other,
                },
                None => DbFailure::Other,
            },
            _ => DbFailure::Other,
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        ApiError::Database(err)
    }
}

const UNREACHABLE: &str = "The database cannot be reached right now; nothing was changed. Try again in a moment.";
const BUSY: &str = "The database is busy with other changes; nothing was changed. Try again in a moment.";
const FULL: &str = "The server's disk is full; nothing was changed. Ask an administrator to free space.";

impl ApiError {
    /// The answer of a request that shares the failure `err` of another (moves written
    /// together whose turn to write never came): what [`ApiError::Database`] of `err`
    /// answers, as a value of its own.
    pub fn shared(err: &sqlx::Error) -> ApiError {
        let (message, retry_after_secs) = match DbFailure::of(err) {
            DbFailure::Busy => (BUSY, 1),
            DbFailure::Unreachable => (UNREACHABLE, 5),
            DbFailure::Full => (FULL, 60),
            DbFailure::Unique | DbFailure::Other => return ApiError::Internal(err.to_string()),
        };
        ApiError::Unavailable { message: message.into(), retry_after_secs }
    }

    /// A 409 naming the field in conflict. A unique-constraint violation of a
    /// statement reaches it through [`crate::db::OnUnique`], never by matching the error.
    pub fn conflict_on(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        let mut fields = FieldErrors::new();
        fields.insert(field.to_string(), message.clone());
        ApiError::Conflict { message, fields }
    }

    /// A 429 telling the client to wait `wait` seconds (also sent as `Retry-After`).
    pub fn too_many(wait: u64, what: &str) -> Self {
        ApiError::TooManyRequests {
            message: format!("Too many {what}. Try again in {wait} seconds."),
            retry_after_secs: wait,
        }
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
            ApiError::Database(err) => match DbFailure::of(err) {
                DbFailure::Unreachable => ErrorBody::new(ErrorCode::Unavailable, UNREACHABLE),
                DbFailure::Busy => ErrorBody::new(ErrorCode::Unavailable, BUSY),
                DbFailure::Full => ErrorBody::new(ErrorCode::Unavailable, FULL),
                DbFailure::Unique => ErrorBody::new(
                    ErrorCode::Conflict,
                    "Someone else changed this at the same time. Reload and try again.",
                ),
                DbFailure::Other => {
                    ErrorBody::new(ErrorCode::Internal, "Something went wrong on the server. Please try again.")
                }
            },
            ApiError::Internal(_) => {
                ErrorBody::new(ErrorCode::Internal, "Something went wrong on the server. Please try again.")
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut retry_after = None;
        if let ApiError::Database(e) = &self {
            match DbFailure::of(e) {
                DbFailure::Other => tracing::error!(error = %e, "database error"),
                DbFailure::Unique => tracing::info!(error = %e, "concurrent change refused"),
                DbFailure::Busy => {
                    tracing::warn!(error = %e, "database busy");
                    retry_after = Some(1);
                }
                DbFailure::Unreachable => {
                    tracing::warn!(error = %e, "database unreachable");
                    retry_after = Some(5);
                }
                DbFailure::Full => {
                    tracing::error!(error = %e, "database full");
                    retry_after = Some(60);
                }
            }
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
            retry_after = Some(retry_after_secs);
        }
        if let Some(secs) = retry_after {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(secs));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shared_failure_answers_what_the_failure_itself_answers() {
        for (err, retry) in [(sqlx::Error::PoolTimedOut, 5), (sqlx::Error::WorkerCrashed, 5)] {
            let shared = ApiError::shared(&err);
            assert!(
                matches!(&shared, ApiError::Unavailable { retry_after_secs, .. } if *retry_after_secs == retry),
                "{shared:?}"
            );
            let itself = ApiError::Database(err);
            assert_eq!(shared.body(), itself.body());
            assert_eq!(shared.into_response().status(), itself.into_response().status());
        }
        let other = ApiError::shared(&sqlx::Error::RowNotFound);
        assert!(matches!(other, ApiError::Internal(_)), "{other:?}");
    }
}
