//! CSV import (see `orgdesk_core::api::import` for the routes): the upload with
//! progress, the dry run, the rejected rows as a download, the import and its
//! progress, the history with undo, and the mapping presets.

use gloo_net::http::Request;
use orgdesk_core::api::customers::CustomerPage;
use orgdesk_core::api::import::{
    CreateImportPresetRequest, DryRunReport, ImportBatch, ImportBatchPage, ImportOptions, ImportPreset, ImportStarted,
    ImportUpload, UndoReport, MAX_IMPORT_BYTES,
};
use wasm_bindgen::JsCast;

use super::{delete, get, json, send, with_csrf, write, ApiError};

/// Uploads the CSV file (multipart, part `file`), reporting progress from 0.0 to 1.0.
/// The server reads it, keeps it, and answers with its headers, first rows and guesses.
pub async fn upload(file: web_sys::File, on_progress: impl Fn(f64) + 'static) -> Result<ImportUpload, ApiError> {
    super::files::upload_multipart("/api/imports/uploads", file, MAX_IMPORT_BYTES, on_progress).await
}

/// An upload kept on the server (404 once it expired, after 24 hours).
pub async fn get_upload(upload_id: i64) -> Result<ImportUpload, ApiError> {
    get(&format!("/api/imports/uploads/{upload_id}")).await
}

pub async fn dry_run(upload_id: i64, options: &ImportOptions) -> Result<DryRunReport, ApiError> {
    write(Request::post(&format!("/api/imports/uploads/{upload_id}/dry-run")), options).await
}

pub async fn start(upload_id: i64, options: &ImportOptions) -> Result<ImportStarted, ApiError> {
    write(Request::post(&format!("/api/imports/uploads/{upload_id}/import")), options).await
}

pub async fn batch(batch_id: i64) -> Result<ImportBatch, ApiError> {
    get(&format!("/api/imports/{batch_id}")).await
}

/// The customers import `batch_id` created (first) and changed, as they are now.
pub async fn batch_customers(batch_id: i64, offset: usize, limit: usize) -> Result<CustomerPage, ApiError> {
    get(&format!("/api/imports/{batch_id}/customers?offset={offset}&limit={limit}")).await
}

pub async fn history(offset: usize, limit: usize) -> Result<ImportBatchPage, ApiError> {
    get(&format!("/api/imports?offset={offset}&limit={limit}")).await
}

pub async fn undo(batch_id: i64) -> Result<UndoReport, ApiError> {
    json(send(with_csrf(Request::post(&format!("/api/imports/{batch_id}/undo"))).build(), true).await?).await
}

pub async fn presets() -> Result<Vec<ImportPreset>, ApiError> {
    get("/api/import-presets").await
}

pub async fn create_preset(req: &CreateImportPresetRequest) -> Result<ImportPreset, ApiError> {
    write(Request::post("/api/import-presets"), req).await
}

pub async fn delete_preset(id: i64) -> Result<(), ApiError> {
    delete(&format!("/api/import-presets/{id}")).await
}

/// Asks the server for the rejected rows (a CSV with a `reason` column) and hands
/// it to the browser as a download named after the upload.
pub async fn download_rejected(upload_id: i64, options: &ImportOptions, file_name: &str) -> Result<(), ApiError> {
    let request = with_csrf(Request::post(&format!("/api/imports/uploads/{upload_id}/rejected.csv"))).json(options);
    let response = send(request, true).await?;
    let text = response.text().await.map_err(|_| ApiError::Unreachable)?;
    save_as(&text, &rejected_name(file_name)).map_err(|_| {
        ApiError::Server(orgdesk_core::api::ErrorBody::new(
            orgdesk_core::error::ErrorCode::Internal,
            "The browser refused to save the file.".to_string(),
        ))
    })
}

/// `customers.csv` → `customers-rejected.csv`.
fn rejected_name(file_name: &str) -> String {
    let stem = file_name.strip_suffix(".csv").or_else(|| file_name.strip_suffix(".CSV")).unwrap_or(file_name);
    format!("{stem}-rejected.csv")
}

/// Offers `text` as a file download named `name` (a Blob URL clicked through a link).
fn save_as(text: &str, name: &str) -> Result<(), wasm_bindgen::JsValue> {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/csv;charset=utf-8");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let document = leptos::prelude::document();
    let link: web_sys::HtmlAnchorElement = document.create_element("a")?.unchecked_into();
    link.set_href(&url);
    link.set_download(name);
    link.set_class_name("visually-hidden");
    let body = document.body().ok_or_else(|| wasm_bindgen::JsValue::from_str("no body"))?;
    body.append_child(&link)?;
    link.click();
    link.remove();
    web_sys::Url::revoke_object_url(&url)
}
