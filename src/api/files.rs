//! An organization's and an item's files: the lists, downloads, deletion, and
//! uploads with progress (the portal's item files upload the same way).

use std::cell::RefCell;
use std::rc::Rc;

use orgdesk_core::api::organization::{FileInfo, MAX_FILE_BYTES};
use orgdesk_core::api::{ErrorBody, CSRF_HEADER};
use orgdesk_core::error::ErrorCode;

use super::{csrf_token, delete, emit, forget, get, ApiError, Event};

pub async fn organization_files(id: i64) -> Result<Vec<FileInfo>, ApiError> {
    get(&format!("/api/organizations/{id}/files")).await
}

/// Where the browser downloads a file from (a plain link; the session cookie goes along).
pub fn file_url(file_id: i64) -> String {
    format!("/api/files/{file_id}")
}

pub async fn delete_file(file_id: i64) -> Result<(), ApiError> {
    delete(&format!("/api/files/{file_id}")).await
}

// Uploads go through XMLHttpRequest: gloo-net cannot report upload progress.

/// What an upload's events leave for the waiting future: `true` once the answer
/// arrived, `false` when the request failed without one.
struct UploadState {
    finished: Option<bool>,
    waker: Option<std::task::Waker>,
}

struct UploadDone(Rc<RefCell<UploadState>>);

impl std::future::Future for UploadDone {
    type Output = bool;

    fn poll(self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<bool> {
        let mut state = self.0.borrow_mut();
        match state.finished {
            Some(done) => std::task::Poll::Ready(done),
            None => {
                state.waker = Some(cx.waker().clone());
                std::task::Poll::Pending
            }
        }
    }
}

/// Uploads one file to an organization (multipart, part `file`), reporting progress
/// from 0.0 to 1.0 as the bytes go out. Errors are the server's JSON error body, as
/// for every other call (413 when the file is too large).
pub async fn upload_file(
    org_id: i64,
    file: web_sys::File,
    on_progress: impl Fn(f64) + 'static,
) -> Result<FileInfo, ApiError> {
    upload_to(&format!("/api/organizations/{org_id}/files"), file, on_progress).await
}

/// An item's files (agents).
pub async fn item_files(item_id: i64) -> Result<Vec<FileInfo>, ApiError> {
    get(&format!("/api/items/{item_id}/files")).await
}

/// Where an agent downloads an item file from.
pub fn item_file_url(file_id: i64) -> String {
    format!("/api/item-files/{file_id}")
}

/// Uploads one file to `url` (multipart, part `file`), as [`upload_file`] does; a 401
/// ends the agent's or, for `/api/portal/...`, the customer's session.
pub async fn upload_to(
    url: &str,
    file: web_sys::File,
    on_progress: impl Fn(f64) + 'static,
) -> Result<FileInfo, ApiError> {
    upload_multipart(url, file, MAX_FILE_BYTES as usize, on_progress).await
}

/// Uploads one file to `url` (multipart, part `file`) with progress, and reads the
/// answer as `T`. `max_bytes` names the limit when a 413 comes without a JSON body.
pub async fn upload_multipart<T: serde::de::DeserializeOwned>(
    url: &str,
    file: web_sys::File,
    max_bytes: usize,
    on_progress: impl Fn(f64) + 'static,
) -> Result<T, ApiError> {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;

    let unreachable = |_| ApiError::Unreachable;
    let form = web_sys::FormData::new().map_err(unreachable)?;
    form.append_with_blob_and_filename("file", &file, &file.name()).map_err(unreachable)?;
    let xhr = web_sys::XmlHttpRequest::new().map_err(unreachable)?;
    xhr.open("POST", url).map_err(unreachable)?;
    if let Some(token) = csrf_token() {
        xhr.set_request_header(CSRF_HEADER, &token).map_err(unreachable)?;
    }

    let state = Rc::new(RefCell::new(UploadState { finished: None, waker: None }));
    let finish = {
        let state = state.clone();
        move |answered: bool| {
            let mut s = state.borrow_mut();
            if s.finished.is_none() {
                s.finished = Some(answered);
            }
            if let Some(waker) = s.waker.take() {
                waker.wake();
            }
        }
    };
    let on_load = Closure::<dyn FnMut()>::new({
        let finish = finish.clone();
        move || finish(true)
    });
    let on_fail = Closure::<dyn FnMut()>::new(move || finish(false));
    let progress = Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
        if e.length_computable() && e.total() > 0.0 {
            on_progress((e.loaded() / e.total()).clamp(0.0, 1.0));
        }
    });
    xhr.set_onload(Some(on_load.as_ref().unchecked_ref()));
    xhr.set_onerror(Some(on_fail.as_ref().unchecked_ref()));
    xhr.set_onabort(Some(on_fail.as_ref().unchecked_ref()));
    xhr.set_ontimeout(Some(on_fail.as_ref().unchecked_ref()));
    if let Ok(upload) = xhr.upload() {
        upload.set_onprogress(Some(progress.as_ref().unchecked_ref()));
    }
    if xhr.send_with_opt_form_data(Some(&form)).is_err() {
        emit(Event::Unreachable);
        return Err(ApiError::Unreachable);
    }
    let answered = UploadDone(state).await;
    // The handlers may go now that the request is over.
    drop((on_load, on_fail, progress));
    if !answered {
        emit(Event::Unreachable);
        return Err(ApiError::Unreachable);
    }
    emit(Event::Reachable);
    let status = xhr.status().unwrap_or(0);
    let text = xhr.response_text().ok().flatten().unwrap_or_default();
    if (200..300).contains(&status) {
        return serde_json::from_str::<T>(&text).map_err(|e| {
            ApiError::Server(ErrorBody::new(ErrorCode::Internal, format!("Unexpected answer from the server: {e}")))
        });
    }
    let body = serde_json::from_str::<ErrorBody>(&text).unwrap_or_else(|_| match status {
        401 => ErrorBody::new(ErrorCode::Unauthorized, format!("The server answered {status}.")),
        413 => ErrorBody::new(
            ErrorCode::PayloadTooLarge,
            format!("The file is larger than {} MB.", max_bytes / (1024 * 1024)),
        ),
        _ => ErrorBody::new(ErrorCode::Internal, format!("The server answered {status}.")),
    });
    if status == 401 {
        forget();
        emit(if url.starts_with("/api/portal/") { Event::PortalSessionEnded } else { Event::SessionEnded });
    }
    Err(ApiError::Server(body))
}
