//! The one error body every API failure uses: `{"code","message","fields"}`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Machine-readable error codes. The HTTP status follows from the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request is malformed (bad JSON, wrong content type, bad query string).
    BadRequest,
    /// No valid session.
    Unauthorized,
    /// Signed in, but the role does not allow it (or the CSRF check failed).
    Forbidden,
    /// Signed in, but the agent must choose a new password before anything else.
    PasswordChangeRequired,
    NotFound,
    /// The route exists, but not with this HTTP method.
    MethodNotAllowed,
    /// The change conflicts with existing data (a taken email, a stale version).
    Conflict,
    /// The request body is larger than the server accepts.
    PayloadTooLarge,
    /// Well-formed, but one or more fields are invalid; see `fields`.
    Validation,
    /// Too many failed attempts; try again later.
    TooManyRequests,
    /// Something went wrong on the server; details are in the server log only.
    Internal,
    /// The server is too busy for this request now; try again after `Retry-After`.
    Unavailable,
}

impl ErrorCode {
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::BadRequest => 400,
            ErrorCode::Unauthorized => 401,
            ErrorCode::Forbidden | ErrorCode::PasswordChangeRequired => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::Conflict => 409,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::Validation => 422,
            ErrorCode::TooManyRequests => 429,
            ErrorCode::Internal => 500,
            ErrorCode::Unavailable => 503,
        }
    }
}

/// Field name to a readable message, for the offending fields of a request.
pub type FieldErrors = BTreeMap<String, String>;

/// The JSON error body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub code: ErrorCode,
    pub message: String,
    /// The offending fields, each with a message meant to be shown next to it.
    #[serde(default)]
    pub fields: FieldErrors,
}

impl ErrorBody {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), fields: FieldErrors::new() }
    }

    /// A 422 listing the offending fields.
    pub fn validation(fields: FieldErrors) -> Self {
        let message = if fields.len() == 1 {
            "One field needs attention.".to_string()
        } else {
            format!("{} fields need attention.", fields.len())
        };
        Self { code: ErrorCode::Validation, message, fields }
    }

    pub fn with_field(mut self, field: &str, message: impl Into<String>) -> Self {
        self.fields.insert(field.to_string(), message.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_serializes_with_snake_case_code_and_fields() {
        let body = ErrorBody::new(ErrorCode::Conflict, "Taken").with_field("email", "in use");
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(json, serde_json::json!({"code": "conflict", "message": "Taken", "fields": {"email": "in use"}}));
    }

    #[test]
    fn every_code_maps_to_its_http_status() {
        for (code, status) in [
            (ErrorCode::BadRequest, 400),
            (ErrorCode::Unauthorized, 401),
            (ErrorCode::Forbidden, 403),
            (ErrorCode::NotFound, 404),
            (ErrorCode::MethodNotAllowed, 405),
            (ErrorCode::Conflict, 409),
            (ErrorCode::PayloadTooLarge, 413),
            (ErrorCode::Validation, 422),
            (ErrorCode::TooManyRequests, 429),
            (ErrorCode::Internal, 500),
            (ErrorCode::Unavailable, 503),
        ] {
            assert_eq!(code.http_status(), status, "{code:?}");
        }
    }

    #[test]
    fn validation_message_counts_fields() {
        let mut fields = FieldErrors::new();
        fields.insert("a".into(), "x".into());
        assert_eq!(ErrorBody::validation(fields.clone()).message, "One field needs attention.");
        fields.insert("b".into(), "y".into());
        assert_eq!(ErrorBody::validation(fields).message, "2 fields need attention.");
    }
}
