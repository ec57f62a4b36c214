//! Extractors whose rejections use the JSON error body: [`ApiJson`] (with the
//! offending field named), [`ApiPath`] and [`ApiQuery`]. Each first checks its input
//! against the OpenAPI document ([`crate::contract`]): bounds, types, enums and
//! control characters, answered with a 422 naming the field.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, MatchedPath, Path, Query, RawPathParams, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

use orgdesk_core::paging::{Paging, PagingParams};
use orgdesk_core::FieldErrors;

use crate::error::ApiError;

/// The largest JSON body any route accepts.
pub const MAX_JSON_BYTES: usize = 1024 * 1024;

/// A JSON body. Wrong content type and bad syntax are 400, a body over
/// [`MAX_JSON_BYTES`] is 413, and a wrong type or missing field is 422 naming the field.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case("application/json"))
            .unwrap_or(false);
        if !is_json {
            return Err(ApiError::BadRequest("Send the body as JSON (Content-Type: application/json).".into()));
        }
        let method = req.method().as_str().to_string();
        let route = req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string());
        let bytes = Bytes::from_request(req, state).await.map_err(|e| match e {
            BytesRejection::FailedToBufferBody(_) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                ApiError::PayloadTooLarge(format!("The request body is larger than {} KiB.", MAX_JSON_BYTES / 1024))
            }
            other => ApiError::BadRequest(format!("Could not read the request body: {}", other.body_text())),
        })?;
        let value: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| ApiError::BadRequest(format!("The body is not valid JSON: {e}")))?;
        let errors = crate::contract::check_body(&method, route.as_deref(), &value);
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        parse_value(value).map(ApiJson)
    }
}

/// Deserializes an already parsed JSON value, naming the offending field on a type error.
fn parse_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(|err| {
        // An unreadable map key shows as `.?`: name the map itself.
        let path = err.path().to_string().replace(".?", "");
        let field = if path == "." || path.is_empty() { "body".to_string() } else { path };
        ApiError::invalid(&field, err.into_inner().to_string())
    })
}

impl<T: Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// Path parameters; a malformed one (say, a non-numeric id) is a 400.
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if let Ok(raw) = RawPathParams::from_request_parts(parts, state).await {
            let pairs: Vec<(String, String)> = raw.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
            let errors = crate::contract::check_path(parts.method.as_str(), matched_path(parts), &pairs);
            if !errors.is_empty() {
                return Err(ApiError::Validation(errors));
            }
        }
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(v)| ApiPath(v))
            .map_err(|e: PathRejection| ApiError::BadRequest(e.body_text()))
    }
}

/// A query string; a malformed one is a 400.
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(parts.uri.query().unwrap_or(""))
            .map_err(|e| ApiError::BadRequest(format!("The query string is malformed: {e}")))?;
        let errors = crate::contract::check_query(parts.method.as_str(), matched_path(parts), &pairs);
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| ApiQuery(v))
            .map_err(|e: QueryRejection| ApiError::BadRequest(e.body_text()))
    }
}

fn matched_path(parts: &Parts) -> Option<&str> {
    parts.extensions.get::<MatchedPath>().map(MatchedPath::as_str)
}

/// A field of a partial update: `None` when absent, or when invalid (the message then
/// goes into `errors` under `field`, so one response names every bad field).
pub fn patch_field<I: ?Sized, T, E: ToString>(
    value: Option<&I>,
    field: &str,
    parse: impl FnOnce(&I) -> Result<T, E>,
    errors: &mut FieldErrors,
) -> Option<T> {
    match value.map(parse)? {
        Ok(v) => Some(v),
        Err(e) => {
            errors.insert(field.into(), e.to_string());
            None
        }
    }
}

/// `offset` and `limit` from the query string (other keys are left to the
/// route's own query type), checked by core's [`Paging::parse`]: a bad value is a
/// 422 naming the field.
pub struct ApiPaging(pub Paging);

impl<S: Send + Sync> FromRequestParts<S> for ApiPaging {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ApiQuery(params) = ApiQuery::<PagingParams>::from_request_parts(parts, state).await?;
        Paging::parse(&params).map(ApiPaging).map_err(ApiError::Validation)
    }
}
