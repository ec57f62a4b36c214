//! CSV import (see `orgdesk_core::api::import` for the contract): upload, dry run,
//! rejected rows, import in the background in one transaction, progress, history,
//! undo, presets. Any agent may import; an import is undone by its agent or an admin.
//!
//! Parsing, checking and planning run on blocking threads, at most [`PARSERS`] at
//! once; the write runs in one write transaction (all or nothing), and its progress
//! lives in memory ([`Running`]) so `GET /api/imports/{id}` reads it while the
//! transaction is open.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, LazyLock, Mutex};

use axum::body::Body;
use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use axum::{Extension, Json};
use orgdesk_core::agent::Role;
use orgdesk_core::api::audit::AuditAction;
use orgdesk_core::api::customers::CustomerPage;
use orgdesk_core::api::import::{
    ColumnMapping, CreateImportPresetRequest, Delimiter, DryRunReport, ImportBatch, ImportBatchPage, ImportField,
    ImportOptions, ImportPreset, ImportStarted, ImportUpload, UndoReport, MAX_IMPORT_BYTES, MAX_IMPORT_ROWS,
    MAX_PRESET_NAME, PREVIEW_ROWS, UPLOAD_TTL_HOURS,
};
use orgdesk_core::api::ErrorBody;
use orgdesk_core::email::Email;
use orgdesk_core::import::row::{check_mapping, Columns, PropertyDef};
use orgdesk_core::import::{
    decode, decode_owned, detect_delimiter, guess_mapping, neutralise_formula, read_row, write_row, CsvError, Decoded,
    Records,
};
use serde_json::json;
use tokio::sync::Semaphore;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::CurrentAgent;
use crate::db::audit::{self, Actor};
use crate::db::imports::plan::{self, Context, ParsedRow, Plan};
use crate::db::imports::write::{self, InvitationText};
use crate::db::imports::{self as store, Src, StoredUpload, Wanted};
use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPaging, ApiPath};
use crate::routes::customers::{invitation_body, INVITATION_SUBJECT};
use crate::routes::organizations::files::{content_disposition, sanitize_file_name, MULTIPART_OVERHEAD};
use crate::time_fmt::{now_ms, rfc3339};
use crate::AppState;

/// Parses and plans that run at once (each holds a file's rows in memory).
pub const PARSERS: usize = 2;
static PARSE_SLOTS: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(PARSERS));

/// The imports this server runs now: batch id → (rows done, rows in all).
#[derive(Default)]
pub struct Running {
    progress: Mutex<HashMap<i64, (i64, i64)>>,
}

impl Running {
    fn snapshot(&self) -> HashMap<i64, (i64, i64)> {
        self.progress.lock().map(|p| p.clone()).unwrap_or_default()
    }

    fn get(&self, id: i64) -> Option<(i64, i64)> {
        self.progress.lock().ok().and_then(|p| p.get(&id).copied())
    }

    /// Claims the one import slot (as batch 0 until the batch exists); false when
    /// another import runs.
    fn claim(&self) -> bool {
        match self.progress.lock() {
            Ok(mut p) if p.is_empty() => {
                p.insert(0, (0, 0));
                true
            }
            _ => false,
        }
    }

    /// Hands the claimed slot (batch 0) to batch `id` under one lock, so no other
    /// import can claim the slot in between.
    fn promote(&self, id: i64, total: i64) {
        if let Ok(mut p) = self.progress.lock() {
            p.remove(&0);
            p.insert(id, (0, total));
        }
    }

    fn set(&self, id: i64, done: i64, total: i64) {
        if let Ok(mut p) = self.progress.lock() {
            p.insert(id, (done, total));
        }
    }

    fn finish(&self, id: i64) {
        if let Ok(mut p) = self.progress.lock() {
            p.remove(&id);
        }
    }
}

pub fn routes() -> OpenApiRouter<AppState> {
    let uploads = OpenApiRouter::new()
        .routes(routes!(upload))
        .layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES + MULTIPART_OVERHEAD));
    OpenApiRouter::new()
        .routes(routes!(get_upload))
        .routes(routes!(dry_run))
        .routes(routes!(rejected_rows))
        .routes(routes!(start_import))
        .routes(routes!(list_batches))
        .routes(routes!(get_batch))
        .routes(routes!(batch_customers))
        .routes(routes!(undo))
        .routes(routes!(list_presets, create_preset))
        .routes(routes!(delete_preset))
        .merge(uploads)
        .layer(Extension(Arc::new(Running::default())))
}

/// The upload form: one part named `file` (documentation only).
#[derive(ToSchema, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct ImportFileUpload {
    /// The CSV file; its part's filename names it.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

fn too_large() -> ApiError {
    ApiError::PayloadTooLarge(format!(
        "The file is larger than {} MiB. Split it into smaller files and import them one after the other.",
        MAX_IMPORT_BYTES / (1024 * 1024)
    ))
}

fn multipart_error(e: MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large()
    } else {
        ApiError::BadRequest(format!("Could not read the upload: {}", e.body_text()))
    }
}

fn file_error(message: impl Into<String>) -> ApiError {
    ApiError::invalid("file", message)
}

/// Reads the multipart body: one part `file`, streamed up to the limit.
async fn read_file(multipart: Result<Multipart, MultipartRejection>) -> ApiResult<(String, Vec<u8>)> {
    let mut multipart = multipart.map_err(|e| {
        ApiError::BadRequest(format!(
            "Send the file as multipart/form-data with a part named file ({}).",
            e.body_text()
        ))
    })?;
    let mut upload = None;
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        if field.name() != Some("file") || upload.is_some() {
            return Err(file_error("Send one part, named file, and no other parts."));
        }
        let name = field.file_name().and_then(sanitize_file_name).unwrap_or_else(|| "import.csv".to_string());
        let mut content: Vec<u8> = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
            if content.len() + chunk.len() > MAX_IMPORT_BYTES {
                return Err(too_large());
            }
            content.extend_from_slice(&chunk);
        }
        upload = Some((name, content));
    }
    let Some((name, content)) = upload else { return Err(file_error("Choose a CSV file to import.")) };
    if content.is_empty() {
        return Err(file_error("The file is empty."));
    }
    Ok((name, content))
}

/// Runs `work` on a blocking thread once a parse slot is free.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> ApiResult<T> {
    let _slot = PARSE_SLOTS.acquire().await.map_err(|e| ApiError::Internal(e.to_string()))?;
    tokio::task::spawn_blocking(work).await.map_err(|e| ApiError::Internal(e.to_string()))
}

/// A file read up to its header, counted, with a preview.
struct Analysis {
    decoded: Decoded,
    delimiter: Delimiter,
    headers: Vec<String>,
    preview: Vec<Vec<String>>,
    rows: usize,
}

/// Reads the whole file once (so a broken row anywhere refuses it) and keeps the
/// header, the first rows and the count.
fn analyse(bytes: &[u8]) -> Result<Analysis, String> {
    let decoded = decode(bytes).map_err(|e| e.to_string())?;
    let delimiter = detect_delimiter(&decoded.text);
    let mut records = Records::new(&decoded.text, delimiter);
    let headers = match records.next() {
        None => return Err("The file is empty.".into()),
        Some(Err(e)) => return Err(e.to_string()),
        Some(Ok(r)) => r.fields.into_iter().map(|h| h.trim().to_string()).collect::<Vec<_>>(),
    };
    if headers.iter().any(|h| Email::parse(h).is_ok()) {
        return Err("The first row holds an email address, not column names: add a header row (Email, First name, \
                    ...) and upload the file again."
            .into());
    }
    let width = headers.len();
    let mut preview = Vec::new();
    let mut rows = 0usize;
    for r in records {
        let r = r.map_err(|e| e.to_string())?;
        rows += 1;
        if rows > MAX_IMPORT_ROWS {
            return Err(format!("The file has more than {MAX_IMPORT_ROWS} rows. Split it and import the parts."));
        }
        if preview.len() < PREVIEW_ROWS {
            let mut fields = r.fields;
            fields.resize(width, String::new());
            preview.push(fields);
        }
    }
    if rows == 0 {
        return Err("The file has a header row but no data rows.".into());
    }
    Ok(Analysis { decoded, delimiter, headers, preview, rows })
}

async fn property_labels(state: &AppState) -> Result<Vec<(i64, String)>, sqlx::Error> {
    let defs = crate::db::organizations::properties::definitions(
        &state.db,
        crate::db::organizations::properties::Owner::Organization,
    )
    .await?;
    Ok(defs.into_iter().map(|d| (d.id, d.label)).collect())
}

fn upload_of(stored: &StoredUpload, a: &Analysis, properties: &[(i64, String)]) -> ImportUpload {
    ImportUpload {
        id: stored.id,
        file_name: stored.file_name.clone(),
        size: stored.size,
        encoding: a.decoded.encoding,
        delimiter: a.delimiter,
        headers: a.headers.clone(),
        preview: a.preview.clone(),
        rows: a.rows as i64,
        guessed: guess_mapping(&a.headers, &a.preview, properties),
        expires_at: rfc3339(stored.expires_at),
    }
}

/// Uploads a CSV file to import: `multipart/form-data` with one part named `file`.
/// The file is read whole (encoding, delimiter, every row) before it is kept; a
/// refused file is not stored.
#[utoipa::path(post, path = "/api/imports/uploads", tag = "import",
    request_body(content = ImportFileUpload, content_type = "multipart/form-data"),
    responses((status = 201, body = ImportUpload), (status = 400, body = ErrorBody, description = "Not a multipart body"),
        (status = 401, body = ErrorBody),
        (status = 413, body = ErrorBody, description = "The file is larger than 32 MiB"),
        (status = 422, body = ErrorBody, description = "Empty, binary or UTF-16, no header row, a broken row, too many \
            rows or columns, or no column that can be the email or the organization name (field `file`)")))]
#[tracing::instrument(skip_all)]
pub async fn upload(
    State(state): State<AppState>,
    current: CurrentAgent,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<(StatusCode, Json<ImportUpload>)> {
    let (name, content) = read_file(multipart).await?;
    let properties = property_labels(&state).await?;
    let (content, analysis) = blocking(move || {
        let a = analyse(&content);
        (content, a)
    })
    .await?;
    let analysis = analysis.map_err(file_error)?;
    let guessed = guess_mapping(&analysis.headers, &analysis.preview, &properties);
    if !guessed.iter().any(|m| matches!(m.field, ImportField::Email | ImportField::OrganizationName)) {
        return Err(file_error(
            "No column holds email addresses (customers) or organization names (organizations). Name a column \
             Email or Organization, or check that the file is the right one.",
        ));
    }
    let now = now_ms();
    let expires_at = now + UPLOAD_TTL_HOURS * 3600 * 1000;
    let id = store::insert_upload(&state.db, current.agent.id, &name, &content, now, expires_at).await?;
    let stored = StoredUpload {
        id,
        agent_id: current.agent.id,
        file_name: name,
        size: content.len() as i64,
        content: Vec::new(),
        created_at: now,
        expires_at,
    };
    tracing::info!(upload_id = id, rows = analysis.rows, size = stored.size, "import file uploaded");
    Ok((StatusCode::CREATED, Json(upload_of(&stored, &analysis, &properties))))
}

fn no_upload() -> ApiError {
    ApiError::NotFound("There is no such upload (uploads are kept 24 hours). Upload the file again.".into())
}

async fn stored_upload(state: &AppState, current: &CurrentAgent, id: i64) -> ApiResult<StoredUpload> {
    store::upload(&state.db, current.agent.id, id, now_ms()).await?.ok_or_else(no_upload)
}

/// An upload as it was answered (read again from the stored bytes).
#[utoipa::path(get, path = "/api/imports/uploads/{id}", tag = "import", params(("id" = i64, Path, description = "Upload id")),
    responses((status = 200, body = ImportUpload), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "Expired, or another agent's")))]
pub async fn get_upload(
    State(state): State<AppState>,
    current: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ImportUpload>> {
    let mut stored = stored_upload(&state, &current, id).await?;
    let properties = property_labels(&state).await?;
    let content = std::mem::take(&mut stored.content);
    let analysis = blocking(move || analyse(&content)).await?.map_err(file_error)?;
    Ok(Json(upload_of(&stored, &analysis, &properties)))
}

/// A stored file decoded and mapped. Its text stays; its rows are read from it one at a
/// time, twice (first the keys the plan looks up, then the plan itself), so the rows'
/// checked values are never all held at once: the memory of an import is the file's
/// text, the records it touches and what it will write.
struct Mapped {
    text: String,
    delimiter: Delimiter,
    headers: Vec<String>,
    columns: Columns,
    properties: Vec<PropertyDef>,
    extra_public: Vec<String>,
}

impl Mapped {
    /// Decodes `content` and checks `mapping` against its header row (422 on `mapping`
    /// when it does not fit the file).
    fn new(
        content: Vec<u8>,
        mapping: &[ColumnMapping],
        properties: Vec<PropertyDef>,
        extra_public: Vec<String>,
    ) -> ApiResult<Mapped> {
        let decoded = decode_owned(content).map_err(|e| file_error(e.to_string()))?;
        let delimiter = detect_delimiter(&decoded.text);
        let headers: Vec<String> = match Records::new(&decoded.text, delimiter).next() {
            Some(Ok(r)) => r.fields.into_iter().map(|h| h.trim().to_string()).collect(),
            Some(Err(e)) => return Err(file_error(e.to_string())),
            None => return Err(file_error("The file is empty.")),
        };
        let columns =
            check_mapping(mapping, headers.len(), &properties).map_err(|e| ApiError::invalid("mapping", e))?;
        Ok(Mapped { text: decoded.text, delimiter, headers, columns, properties, extra_public })
    }

    /// The data rows, each read and checked as it comes.
    fn rows(&self) -> impl Iterator<Item = Result<ParsedRow, CsvError>> + '_ {
        Records::new(&self.text, self.delimiter).skip(1).map(|r| {
            r.map(|r| ParsedRow {
                line: r.line as i64,
                values: read_row(&r.fields, &self.columns, &self.properties, &self.extra_public),
            })
        })
    }

    /// The first pass: what the plan needs to read from the database, and how many
    /// rows there are. A broken row refuses the file here (uploads are checked whole,
    /// so this only happens to a file changed on the server).
    fn wanted(&self) -> ApiResult<(Wanted, i64)> {
        let mut wanted = Wanted { parents: self.columns.parent.is_some(), ..Wanted::default() };
        let mut rows = 0;
        for r in self.rows() {
            let r = r.map_err(|e| file_error(e.to_string()))?;
            rows += 1;
            let Ok(v) = r.values else { continue };
            if let Some(e) = v.email {
                wanted.emails.insert(e.as_str().to_string());
            }
            wanted.org_names.extend(v.organization);
            wanted.org_names.extend(v.parent);
            wanted.domains.extend(v.domains.into_iter().flatten().map(|d| d.as_str().to_string()));
        }
        Ok((wanted.with_hosts(), rows))
    }
}

/// Decodes and maps the file and makes the first pass, on a blocking thread.
async fn map_file(
    content: Vec<u8>,
    options: &ImportOptions,
    properties: Vec<PropertyDef>,
    extra_public: Vec<String>,
) -> ApiResult<(Mapped, Wanted, i64)> {
    let mapping = options.mapping.clone();
    blocking(move || {
        let mapped = Mapped::new(content, &mapping, properties, extra_public)?;
        let (wanted, rows) = mapped.wanted()?;
        Ok((mapped, wanted, rows))
    })
    .await?
}

/// The properties and settings the row checks need, read before the rows.
async fn row_rules(state: &AppState) -> ApiResult<(Vec<PropertyDef>, Vec<String>)> {
    let defs = crate::db::organizations::properties::definitions(
        &state.db,
        crate::db::organizations::properties::Owner::Organization,
    )
    .await?;
    let association = crate::routes::settings::association(&state.db).await?;
    Ok((defs.iter().map(|d| PropertyDef { id: d.id, def: d.rules() }).collect(), association.extra_public))
}

/// The second pass: plans the rows on a blocking thread (the file and the context
/// move there and back).
async fn plan_rows(mapped: Mapped, options: ImportOptions, ctx: Context) -> ApiResult<(Plan, Mapped)> {
    blocking(move || {
        // The first pass read every row of this same text, so none fails now.
        let rows = mapped.rows().map_while(Result::ok);
        let p = plan::plan(rows, &mapped.headers, &mapped.columns, &options, &ctx);
        (p, mapped)
    })
    .await
}

/// Plans the upload with `options`; with `keep`, the upload keeps its bytes.
async fn dry_run_plan(
    state: &AppState,
    current: &CurrentAgent,
    id: i64,
    options: &ImportOptions,
    keep: bool,
) -> ApiResult<(Plan, Mapped, StoredUpload)> {
    let mut stored = stored_upload(state, current, id).await?;
    let (properties, extra_public) = row_rules(state).await?;
    let content = if keep { stored.content.clone() } else { std::mem::take(&mut stored.content) };
    let (mapped, wanted, _) = map_file(content, options, properties, extra_public).await?;
    let ctx = store::load_context(&mut Src::Db(&state.db), wanted).await?;
    let (plan, mapped) = plan_rows(mapped, options.clone(), ctx).await?;
    Ok((plan, mapped, stored))
}

/// What importing the upload with these options would do; nothing is written.
#[utoipa::path(post, path = "/api/imports/uploads/{id}/dry-run", tag = "import",
    params(("id" = i64, Path, description = "Upload id")), request_body = ImportOptions,
    responses((status = 200, body = DryRunReport), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "The mapping does not fit the file (field `mapping`)")))]
#[tracing::instrument(skip_all, fields(upload_id = id))]
pub async fn dry_run(
    State(state): State<AppState>,
    current: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
    ApiJson(options): ApiJson<ImportOptions>,
) -> ApiResult<Json<DryRunReport>> {
    let (plan, mapped, _) = dry_run_plan(&state, &current, id, &options, false).await?;
    Ok(Json(plan.report(&mapped.headers, &mapped.columns, mapped.columns.is_customers())))
}

/// The rejected rows as CSV with a `reason` column, formula-looking cells neutralised.
fn rejected_csv(content: &[u8], reasons: &HashMap<i64, String>) -> Result<String, String> {
    let decoded = decode(content).map_err(|e| e.to_string())?;
    let delimiter = detect_delimiter(&decoded.text);
    let mut out = String::new();
    for (i, r) in Records::new(&decoded.text, delimiter).enumerate() {
        let r = r.map_err(|e| e.to_string())?;
        let reason = if i == 0 { Some("reason".to_string()) } else { reasons.get(&(r.line as i64)).cloned() };
        let Some(reason) = reason else { continue };
        let mut cells: Vec<String> = r.fields.iter().map(|c| neutralise_formula(c).into_owned()).collect();
        cells.push(neutralise_formula(&reason).into_owned());
        write_row(&mut out, &cells, delimiter);
    }
    Ok(out)
}

/// The CSV text of the rejected rows (documentation only).
#[derive(ToSchema)]
#[schema(value_type = String)]
#[allow(dead_code)]
pub struct CsvText(String);

/// The rows the import would reject, as a CSV file to fix and upload again: the header
/// row with `reason` added last, then each rejected row as read.
#[utoipa::path(post, path = "/api/imports/uploads/{id}/rejected.csv", tag = "import",
    params(("id" = i64, Path, description = "Upload id")), request_body = ImportOptions,
    responses((status = 200, description = "The rejected rows as an attachment", content_type = "text/csv", body = CsvText),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn rejected_rows(
    State(state): State<AppState>,
    current: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
    ApiJson(options): ApiJson<ImportOptions>,
) -> ApiResult<Response> {
    let (plan, _, mut stored) = dry_run_plan(&state, &current, id, &options, true).await?;
    let reasons: HashMap<i64, String> = plan.problems.iter().map(|p| (p.line, p.reason.clone())).collect();
    let content = std::mem::take(&mut stored.content);
    let csv = blocking(move || rejected_csv(&content, &reasons)).await?.map_err(file_error)?;
    let base = stored.file_name.strip_suffix(".csv").unwrap_or(&stored.file_name).to_string();
    let disposition = HeaderValue::from_str(&content_disposition(&format!("{base}-rejected.csv")))
        .map_err(|e| ApiError::Internal(format!("content disposition: {e}")))?;
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "text/csv; charset=utf-8")
        .header(header::CONTENT_DISPOSITION, disposition)
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
        .header(header::CACHE_CONTROL, "private, no-store")
        .body(Body::from(csv))
        .map_err(|e| ApiError::Internal(format!("csv response: {e}")))
}

/// Test hook: in debug builds only, a file named `fault-at-end.csv` fails at write
/// time after every row was written (a unique-constraint violation), to prove that
/// nothing of it stays. Release builds never do this.
fn fault_at_end(file_name: &str) -> bool {
    cfg!(debug_assertions) && file_name == "fault-at-end.csv"
}

/// Starts the import: 202 with the batch id at once; the rows are written in the
/// background in one transaction (poll `GET /api/imports/{id}`). 409 while another
/// import runs.
#[utoipa::path(post, path = "/api/imports/uploads/{id}/import", tag = "import",
    params(("id" = i64, Path, description = "Upload id")), request_body = ImportOptions,
    responses((status = 202, body = ImportStarted), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Another import is running"), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(upload_id = id))]
pub async fn start_import(
    State(state): State<AppState>,
    Extension(running): Extension<Arc<Running>>,
    current: CurrentAgent,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
    ApiJson(options): ApiJson<ImportOptions>,
) -> ApiResult<(StatusCode, Json<ImportStarted>)> {
    let mut stored = stored_upload(&state, &current, id).await?;
    let (properties, extra_public) = row_rules(&state).await?;
    let (mapped, wanted, rows) =
        map_file(std::mem::take(&mut stored.content), &options, properties, extra_public).await?;
    let busy = || ApiError::conflict_on("file", "Another import is running. Wait for it to finish, then import.");
    // The slot is taken (under id 0) before the batch exists, so two imports never both start.
    if !running.claim() {
        return Err(busy());
    }
    let now = now_ms();
    // Another process of a PostgreSQL deployment may be running one (its heartbeat says so).
    let started = match store::running_anywhere(&state.db, now).await {
        Ok(true) => Err(busy()),
        Ok(false) => {
            store::start_batch(&state.db, current.agent.id, &current.agent.name, &stored.file_name, &options, now)
                .await
                .map_err(ApiError::from)
        }
        Err(e) => Err(e.into()),
    };
    let batch_id = match started {
        Ok(id) => id,
        Err(e) => {
            running.finish(0);
            return Err(e);
        }
    };
    running.promote(batch_id, rows);
    if matches!(state.db, Db::Postgres(..)) {
        tokio::spawn(heartbeat(state.clone(), running.clone(), batch_id));
    }
    let public_url = state.config.public_url.clone();
    let file_name = stored.file_name.clone();
    let task_state = state.clone();
    let task_running = running.clone();
    tokio::spawn(async move {
        // However the task ends (a panic included), the slot is freed; a batch left
        // running in the database then reads as interrupted.
        struct Release(Arc<Running>, i64);
        impl Drop for Release {
            fn drop(&mut self) {
                self.0.finish(self.1);
            }
        }
        let _release = Release(task_running.clone(), batch_id);
        let result = run_import(
            &task_state,
            &task_running,
            batch_id,
            (mapped, wanted),
            &options,
            &file_name,
            &actor,
            public_url,
        )
        .await;
        if let Err(e) = result {
            let reason = match &e {
                ApiError::Conflict { message, .. } => message.clone(),
                other => {
                    tracing::error!(batch_id, error = %other, "import failed");
                    "The import failed; nothing was written.".to_string()
                }
            };
            if let Err(e) = store::fail_batch(&task_state.db, batch_id, &reason, now_ms()).await {
                tracing::error!(batch_id, error = %e, "could not record the failed import");
            }
        }
    });
    Ok((StatusCode::ACCEPTED, Json(ImportStarted { batch_id })))
}

/// Writes the progress of batch `id` for the other processes every
/// [`store::HEARTBEAT_MS`] while this process runs it (PostgreSQL only: on SQLite the
/// import's transaction holds the one write lock, and one process serves the file).
async fn heartbeat(state: AppState, running: Arc<Running>, id: i64) {
    let mut tick = tokio::time::interval(std::time::Duration::from_millis(store::HEARTBEAT_MS));
    loop {
        tick.tick().await;
        let Some((done, total)) = running.get(id) else { break };
        if let Err(e) = store::heartbeat(&state.db, id, done, total, now_ms()).await {
            tracing::warn!(batch_id = id, error = %e, "could not write the import's progress");
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn run_import(
    state: &AppState,
    running: &Arc<Running>,
    batch_id: i64,
    (mapped, wanted): (Mapped, Wanted),
    options: &ImportOptions,
    file_name: &str,
    actor: &Actor,
    public_url: String,
) -> ApiResult<()> {
    let mut tx = state.db.begin_write().await?;
    let ctx = store::load_context(&mut Src::Tx(&mut tx), wanted).await?;
    let (plan, mapped) = plan_rows(mapped, options.clone(), ctx).await?;
    drop(mapped);
    let progress_to = running.clone();
    let progress = move |done: i64, total: i64| progress_to.set(batch_id, done, total);
    let invitations = options.send_invitations.then(|| InvitationText {
        subject: INVITATION_SUBJECT.into(),
        body: Box::new(move |first: &str, token: &str| invitation_body(&public_url, first, token)),
    });
    let now = now_ms();
    let batch = write::Batch {
        id: batch_id,
        agent: actor.id.unwrap_or_default(),
        file_name,
        now,
        invitations,
        progress: &progress,
        fail_at_end: fault_at_end(file_name),
    };
    let counts = write::write(&mut tx, &plan, &batch).await?;
    let entry = actor
        .plain(AuditAction::ImportCompleted, json!({"batch_id": batch_id, "file_name": file_name, "counts": counts}));
    audit::record(&mut tx, &entry, now).await?;
    tx.commit().await?;
    tracing::info!(batch_id, created = counts.created_customers, updated = counts.updated_customers, "import done");
    Ok(())
}

/// One import: its status (with progress while running) and counts.
#[utoipa::path(get, path = "/api/imports/{id}", tag = "import", params(("id" = i64, Path, description = "Batch id")),
    responses((status = 200, body = ImportBatch), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_batch(
    State(state): State<AppState>,
    Extension(running): Extension<Arc<Running>>,
    current: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ImportBatch>> {
    let admin = current.agent.role == Role::Admin;
    store::batch(&state.db, id, running.get(id), current.agent.id, admin)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::NotFound("There is no such import.".into()))
}

/// The customers an import created (first) or changed, as they are now, in the
/// order of its file; after undo, those it kept.
#[utoipa::path(get, path = "/api/imports/{id}/customers", tag = "import",
    params(("id" = i64, Path, description = "Batch id"), orgdesk_core::paging::PagingParams),
    responses((status = 200, body = CustomerPage), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn batch_customers(
    State(state): State<AppState>,
    Extension(running): Extension<Arc<Running>>,
    current: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
    ApiPaging(paging): ApiPaging,
) -> ApiResult<Json<CustomerPage>> {
    let admin = current.agent.role == Role::Admin;
    store::batch(&state.db, id, running.get(id), current.agent.id, admin)
        .await?
        .ok_or_else(|| ApiError::NotFound("There is no such import.".into()))?;
    let (items, total) = store::batch_customers(&state.db, id, paging.offset, paging.limit).await?;
    Ok(Json(CustomerPage { items, total, total_capped: false, offset: paging.offset, limit: paging.limit }))
}

/// Import history, newest first.
#[utoipa::path(get, path = "/api/imports", tag = "import", params(orgdesk_core::paging::PagingParams),
    responses((status = 200, body = ImportBatchPage), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_batches(
    State(state): State<AppState>,
    Extension(running): Extension<Arc<Running>>,
    current: CurrentAgent,
    ApiPaging(paging): ApiPaging,
) -> ApiResult<Json<ImportBatchPage>> {
    let admin = current.agent.role == Role::Admin;
    let (items, total) =
        store::batches(&state.db, paging.offset, paging.limit, &running.snapshot(), current.agent.id, admin).await?;
    Ok(Json(ImportBatchPage { items, total, offset: paging.offset, limit: paging.limit }))
}

/// Undoes an import (its agent or an admin): removes what it created, sets back what
/// it changed, and names what was edited since (kept).
#[utoipa::path(post, path = "/api/imports/{id}/undo", tag = "import", security(("session" = ["admin", "importer"])),
    params(("id" = i64, Path, description = "Batch id")),
    responses((status = 200, body = UndoReport), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody, description = "Another agent's import, and not an admin"),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "Not done, or undone already")))]
#[tracing::instrument(skip_all, fields(batch_id = id))]
pub async fn undo(
    State(state): State<AppState>,
    Extension(running): Extension<Arc<Running>>,
    current: CurrentAgent,
    actor: Actor,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<UndoReport>> {
    let admin = current.agent.role == Role::Admin;
    let batch = store::batch(&state.db, id, running.get(id), current.agent.id, admin)
        .await?
        .ok_or_else(|| ApiError::NotFound("There is no such import.".into()))?;
    if !admin && batch.agent_id != Some(current.agent.id) {
        return Err(ApiError::Forbidden("Only the agent who imported it or an admin can undo an import.".into()));
    }
    if !batch.can_undo {
        return Err(ApiError::conflict_on("status", "Only a finished import that is not undone can be undone."));
    }
    let report = store::undo::undo(&state.db, id, &actor, now_ms()).await?;
    Ok(Json(report))
}

/// Saved mappings, by name.
#[utoipa::path(get, path = "/api/import-presets", tag = "import",
    responses((status = 200, body = Vec<ImportPreset>), (status = 401, body = ErrorBody)))]
pub async fn list_presets(State(state): State<AppState>, _: CurrentAgent) -> ApiResult<Json<Vec<ImportPreset>>> {
    Ok(Json(store::presets(&state.db).await?))
}

/// Saves a mapping as a named preset.
#[utoipa::path(post, path = "/api/import-presets", tag = "import", request_body = CreateImportPresetRequest,
    responses((status = 201, body = ImportPreset), (status = 401, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "The name is taken"), (status = 422, body = ErrorBody)))]
pub async fn create_preset(
    State(state): State<AppState>,
    current: CurrentAgent,
    ApiJson(req): ApiJson<CreateImportPresetRequest>,
) -> ApiResult<(StatusCode, Json<ImportPreset>)> {
    let name = req.name.trim().to_string();
    if name.is_empty() {
        return Err(ApiError::invalid("name", "Enter a name for the preset."));
    }
    if name.chars().count() > MAX_PRESET_NAME {
        return Err(ApiError::invalid("name", orgdesk_core::limits::too_long_message(MAX_PRESET_NAME)));
    }
    let mut seen = HashSet::new();
    if let Some(dup) = req.columns.iter().find(|c| !seen.insert(c.header.trim().to_lowercase())) {
        return Err(ApiError::invalid("columns", format!("The column {} is listed twice.", dup.header.trim())));
    }
    let preset = store::create_preset(&state.db, &name, &req, current.agent.id, now_ms()).await?;
    Ok((StatusCode::CREATED, Json(preset)))
}

#[utoipa::path(delete, path = "/api/import-presets/{id}", tag = "import", params(("id" = i64, Path, description = "Preset id")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_preset(
    State(state): State<AppState>,
    _: CurrentAgent,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    let found = store::delete_preset(&state.db, id).await?;
    crate::routes::deleted(found, "There is no such preset.")
}
