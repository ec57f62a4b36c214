//! Files attached to an organization: a streamed multipart upload (at most 10 MB),
//! the list, the download as an attachment, and deletion (by the uploader or an admin).

use axum::body::Body;
use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use axum::Json;
use orgdesk_core::agent::Role;
use orgdesk_core::api::organization::{FileInfo, MAX_FILE_BYTES};
use orgdesk_core::api::ErrorBody;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::CurrentAgent;
use crate::db::audit::Actor;
use crate::db::organizations::files as store;
use crate::db::organizations::history::not_found;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiPath;
use crate::time_fmt::now_ms;
use crate::AppState;

/// The most a multipart upload adds around the file itself (boundaries, part headers).
pub const MULTIPART_OVERHEAD: usize = 64 * 1024;
/// The longest file name kept.
pub const MAX_FILE_NAME: usize = 200;

/// The upload (and the list at its path) take bodies up to the file limit; the
/// other routes keep the JSON limit.
pub fn routes() -> OpenApiRouter<AppState> {
    let uploads = OpenApiRouter::new()
        .routes(routes!(list_files, upload_file))
        .layer(DefaultBodyLimit::max(MAX_FILE_BYTES as usize + MULTIPART_OVERHEAD));
    OpenApiRouter::new().routes(routes!(download_file, delete_file)).merge(uploads)
}

/// The organization's files, newest first.
#[utoipa::path(get, path = "/api/organizations/{id}/files", tag = "organizations",
    params(("id" = i64, Path, description = "Organization id")),
    responses((status = 200, body = Vec<FileInfo>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list_files(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<FileInfo>>> {
    store::files(&state.db, id).await?.map(Json).ok_or_else(not_found)
}

/// The upload form: one part named `file`, and no other (`deny_unknown_fields` makes the
/// document say so; the type only describes the form).
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct FileUpload {
    /// The file; its part's filename names it.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

fn too_large() -> ApiError {
    ApiError::PayloadTooLarge(format!(
        "The file is larger than {} MB. Attach a smaller file.",
        MAX_FILE_BYTES / (1024 * 1024)
    ))
}

fn multipart_error(e: MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large()
    } else {
        ApiError::BadRequest(format!("Could not read the upload: {}", e.body_text()))
    }
}

/// The name a file is kept under: its last path component, without control
/// characters, trimmed, at most [`MAX_FILE_NAME`] characters. `None` when nothing is left.
pub fn sanitize_file_name(raw: &str) -> Option<String> {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base.chars().filter(|c| !c.is_control()).collect();
    let name: String = cleaned.trim().chars().take(MAX_FILE_NAME).collect();
    let name = name.trim().to_string();
    (!name.is_empty() && name != "." && name != "..").then_some(name)
}

/// A content type as the client sent it, when it looks like one; else `application/octet-stream`.
fn sanitize_content_type(raw: Option<&str>) -> String {
    let fallback = "application/octet-stream".to_string();
    let Some(ct) = raw.map(str::trim) else { return fallback };
    let (essence, _) = ct.split_once(';').unwrap_or((ct, ""));
    let token = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b));
    match essence.trim().split_once('/') {
        Some((t, s)) if ct.len() <= 200 && token(t) && token(s) && ct.bytes().all(|b| (0x20..0x7f).contains(&b)) => {
            ct.to_string()
        }
        _ => fallback,
    }
}

/// The content types a download keeps (images, PDF, plain text); the browser cannot be
/// made to interpret anything else, whatever the uploader claimed: it is served as
/// `application/octet-stream` (always as an attachment, with `nosniff`).
const SERVED_TYPES: &[&str] = &["image/png", "image/jpeg", "image/gif", "application/pdf", "text/plain"];

/// The content type a stored file is served with: its own when allowlisted, else octet-stream.
fn served_content_type(stored: &str) -> &'static str {
    let essence = stored.split(';').next().unwrap_or("").trim();
    SERVED_TYPES.iter().find(|t| t.eq_ignore_ascii_case(essence)).copied().unwrap_or("application/octet-stream")
}

/// Reads an upload: a `multipart/form-data` body with exactly one part, named `file`,
/// streamed up to [`MAX_FILE_BYTES`] (else 413). Returns the sanitized name, content
/// type and bytes; a 422 on `file` for no file, another part, no name or an empty file.
/// (Item attachments, agents' and customers', take files the same way.)
pub async fn read_upload(multipart: Result<Multipart, MultipartRejection>) -> ApiResult<(String, String, Vec<u8>)> {
    let mut multipart = multipart.map_err(|e| {
        ApiError::BadRequest(format!(
            "Send the file as multipart/form-data with a part named file ({}).",
            e.body_text()
        ))
    })?;
    let mut upload: Option<(String, String, Vec<u8>)> = None;
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        if field.name() != Some("file") || upload.is_some() {
            return Err(ApiError::invalid("file", "Send one part, named file, and no other parts."));
        }
        let name = field.file_name().and_then(sanitize_file_name);
        let content_type = sanitize_content_type(field.content_type());
        let mut content: Vec<u8> = Vec::new();
        // Counted while streaming: nothing past the limit is buffered.
        while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
            if (content.len() + chunk.len()) as i64 > MAX_FILE_BYTES {
                return Err(too_large());
            }
            content.extend_from_slice(&chunk);
        }
        let Some(name) = name else {
            return Err(ApiError::invalid("file", "The file has no name."));
        };
        upload = Some((name, content_type, content));
    }
    let Some((name, content_type, content)) = upload else {
        return Err(ApiError::invalid("file", "Choose a file to attach."));
    };
    if content.is_empty() {
        return Err(ApiError::invalid("file", "The file is empty."));
    }
    Ok((name, content_type, content))
}

/// Attaches a file to the organization: a `multipart/form-data` body with one part
/// named `file` (at most 10 MB, else 413 `payload_too_large`).
#[utoipa::path(post, path = "/api/organizations/{id}/files", tag = "organizations",
    params(("id" = i64, Path, description = "Organization id")),
    request_body(content = FileUpload, content_type = "multipart/form-data"),
    responses((status = 201, body = FileInfo), (status = 400, body = ErrorBody, description = "Not a multipart body"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 413, body = ErrorBody, description = "The file is larger than 10 MB"),
        (status = 422, body = ErrorBody, description = "No file part, another part, an empty file, or no file name (field `file`)")))]
#[tracing::instrument(skip_all, fields(organization_id = id))]
pub async fn upload_file(
    State(state): State<AppState>,
    current: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<(StatusCode, Json<FileInfo>)> {
    if !store::organization_found(&state.db, id).await? {
        return Err(not_found());
    }
    let (name, content_type, content) = read_upload(multipart).await?;
    let info = store::add_file(&state.db, id, current.agent.id, &name, &content_type, &content, now_ms()).await?;
    tracing::info!(file_id = info.id, size = info.size, "file attached");
    Ok((StatusCode::CREATED, Json(info)))
}

/// A file's bytes (documentation only).
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)]
pub struct FileBytes(Vec<u8>);

/// `attachment; filename="ascii fallback"; filename*=UTF-8''percent-encoded` (RFC 6266).
pub fn content_disposition(name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| if c.is_ascii() && !c.is_ascii_control() && c != '"' && c != '\\' { c } else { '_' })
        .collect();
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// The file's bytes, as an attachment.
#[utoipa::path(get, path = "/api/files/{file_id}", tag = "organizations",
    params(("file_id" = i64, Path, description = "File id")),
    responses((status = 200, description = "The file's bytes as an attachment, with `nosniff`; its content type when it is \
            image/png, image/jpeg, image/gif, application/pdf or text/plain, else application/octet-stream",
            content_type = "application/octet-stream", body = FileBytes),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn download_file(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath(file_id): ApiPath<i64>,
) -> ApiResult<Response> {
    let file = store::file_content(&state.db, file_id)
        .await?
        .ok_or_else(|| ApiError::NotFound("There is no such file.".into()))?;
    attachment(file)
}

/// A stored file as a download: always an attachment, `nosniff`, sandboxed, and
/// served as its own type only when that is allowlisted (item attachments too).
pub fn attachment(file: store::FileContent) -> ApiResult<Response> {
    let content_type = HeaderValue::from_static(served_content_type(&file.content_type));
    let disposition = HeaderValue::from_str(&content_disposition(&file.name))
        .map_err(|e| ApiError::Internal(format!("content disposition: {e}")))?;
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CONTENT_LENGTH, file.content.len())
        .header(header::CONTENT_DISPOSITION, disposition)
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
        // An uploaded HTML or SVG file opened directly runs no script and reaches nothing.
        .header(header::CONTENT_SECURITY_POLICY, "sandbox; default-src 'none'")
        .header(header::CACHE_CONTROL, "private, no-cache")
        .body(Body::from(file.content))
        .map_err(|e| ApiError::Internal(format!("file response: {e}")))
}

/// Deletes a file (its uploader or an admin); recorded in the audit log.
#[utoipa::path(delete, path = "/api/files/{file_id}", tag = "organizations", security(("session" = ["admin", "uploader"])),
    params(("file_id" = i64, Path, description = "File id")),
    responses((status = 204), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "Neither the uploader nor an admin"),
        (status = 404, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(file_id = file_id))]
pub async fn delete_file(
    State(state): State<AppState>,
    current: CurrentAgent,
    actor: Actor,
    ApiPath(file_id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    let admin = current.agent.role() == Role::Admin;
    store::delete_file(&state.db, file_id, current.agent.id, admin, &actor, now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_paths_and_control_characters() {
        assert_eq!(sanitize_file_name("C:\\Users\\ann\\report.pdf").as_deref(), Some("report.pdf"));
        assert_eq!(sanitize_file_name("../../etc/passwd").as_deref(), Some("passwd"));
        assert_eq!(sanitize_file_name(" a\u{0}b.txt ").as_deref(), Some("ab.txt"));
        assert_eq!(sanitize_file_name("dir/"), None);
        assert_eq!(sanitize_file_name(".."), None);
        assert_eq!(sanitize_file_name(&"x".repeat(300)).map(|n| n.chars().count()), Some(MAX_FILE_NAME));
    }

    #[test]
    fn dispositions_have_an_ascii_fallback_and_utf8_name() {
        assert_eq!(
            content_disposition("Angebot \"März\".pdf"),
            "attachment; filename=\"Angebot _M_rz_.pdf\"; filename*=UTF-8''Angebot%20%22M%C3%A4rz%22.pdf"
        );
    }

    #[test]
    fn downloads_keep_only_allowlisted_content_types() {
        assert_eq!(served_content_type("image/png"), "image/png");
        assert_eq!(served_content_type("TEXT/PLAIN; charset=utf-8"), "text/plain");
        assert_eq!(served_content_type("text/html"), "application/octet-stream");
        assert_eq!(served_content_type("image/svg+xml"), "application/octet-stream");
        assert_eq!(served_content_type("application/xhtml+xml"), "application/octet-stream");
    }

    #[test]
    fn content_types_are_kept_only_when_well_formed() {
        assert_eq!(sanitize_content_type(Some("text/plain; charset=utf-8")), "text/plain; charset=utf-8");
        assert_eq!(sanitize_content_type(Some("nonsense")), "application/octet-stream");
        assert_eq!(sanitize_content_type(Some("text/plain\r\nX: y")), "application/octet-stream");
        assert_eq!(sanitize_content_type(None), "application/octet-stream");
    }
}
