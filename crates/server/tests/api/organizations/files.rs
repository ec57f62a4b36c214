//! Files attached to an organization: multipart upload up to 10 MB, listing,
//! download as a sandboxed attachment, deletion, and every malformed upload refused.

use reqwest::multipart::{Form, Part};
use reqwest::{Response, StatusCode};
use serde_json::json;

use super::*;
use crate::support::*;

const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

async fn file_count(app: &TestApp) -> i64 {
    app.scalar("SELECT COUNT(*) FROM organization_files").await
}

async fn upload(app: &TestApp, org: i64, form: Form) -> Response {
    app.client
        .post(app.url(&format!("/api/organizations/{org}/files")))
        .header("x-csrf-token", app.csrf.clone().unwrap_or_default())
        .multipart(form)
        .send()
        .await
        .unwrap()
}

fn file_form(name: &str, content_type: &str, bytes: Vec<u8>) -> Form {
    Form::new().part("file", Part::bytes(bytes).file_name(name.to_string()).mime_str(content_type).unwrap())
}

#[tokio::test]
async fn files_are_uploaded_listed_downloaded_and_deleted() {
    let app = TestApp::spawn_admin().await;
    let org = app.create_org("Acme", &[]).await.id;
    let bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let info = json_with(
        upload(&app, org, file_form("C:\\scans\\Vertrag März.pdf", "application/pdf", bytes.clone())).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(info["name"], "Vertrag März.pdf", "the path is dropped");
    assert_eq!(info["content_type"], "application/pdf");
    assert_eq!(info["size"], 70_000);
    assert!(!info["uploaded_by"].as_str().unwrap().is_empty());
    let second = json_with(
        upload(&app, org, file_form("notes.txt", "text/plain", b"hello".to_vec())).await,
        StatusCode::CREATED,
    )
    .await;
    // A part with no usable content type is stored as octet-stream.
    let third = json_with(
        upload(&app, org, Form::new().part("file", Part::bytes(b"x".to_vec()).file_name("raw.bin"))).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(third["content_type"], "application/octet-stream");

    let list = json_with(app.get(&format!("/api/organizations/{org}/files")).await, StatusCode::OK).await;
    assert_eq!(list, json!([third, second, info]), "newest first");

    let res = app.get(&format!("/api/files/{}", info["id"])).await;
    assert_eq!(res.status(), StatusCode::OK);
    let h = res.headers().clone();
    assert_eq!(h["content-type"], "application/pdf");
    assert_eq!(h["content-length"], "70000");
    assert_eq!(
        h["content-disposition"],
        "attachment; filename=\"Vertrag M_rz.pdf\"; filename*=UTF-8''Vertrag%20M%C3%A4rz.pdf"
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["content-security-policy"], "sandbox; default-src 'none'", "an uploaded page cannot run script");
    assert_eq!(res.bytes().await.unwrap().to_vec(), bytes, "exactly the uploaded bytes");

    assert_eq!(version(&app, org).await, 1, "files do not bump the version");
    assert_eq!(app.delete(&format!("/api/files/{}", info["id"])).await.status(), StatusCode::NO_CONTENT);
    error_body(app.get(&format!("/api/files/{}", info["id"])).await, StatusCode::NOT_FOUND, "not_found").await;
    error_body(app.delete(&format!("/api/files/{}", info["id"])).await, StatusCode::NOT_FOUND, "not_found").await;
    let list = json_with(app.get(&format!("/api/organizations/{org}/files")).await, StatusCode::OK).await;
    assert_eq!(list, json!([third, second]));

    let h = history_rows(&app, org).await;
    let actions: Vec<&str> = h.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(actions, ["file_added", "file_added", "file_added", "file_deleted"]);
    assert_eq!(h[0].1, "File attached: Vertrag März.pdf (69 KB)");
    assert_eq!(h[3].1, "File deleted: Vertrag März.pdf");

    // A deleted organization's files are out of reach, and kept until it is purged.
    let deleted_at = orgdesk_server::time_fmt::now_ms();
    assert_eq!(app.delete(&format!("/api/organizations/{org}")).await.status(), StatusCode::NO_CONTENT);
    error_body(app.get(&format!("/api/files/{}", second["id"])).await, StatusCode::NOT_FOUND, "not_found").await;
    error_body(app.get(&format!("/api/organizations/{org}/files")).await, StatusCode::NOT_FOUND, "not_found").await;
    assert_eq!(file_count(&app).await, 2);
    let purge_at = deleted_at + 31 * 86_400_000;
    assert_eq!(orgdesk_server::db::organizations::deleted::purge_expired(&app.db, purge_at).await.unwrap(), 1);
    assert_eq!(file_count(&app).await, 0, "the purge takes its files with it");
}

#[tokio::test]
async fn a_file_over_the_limit_is_a_413_and_nothing_is_stored() {
    let app = TestApp::spawn_admin().await;
    let org = app.create_org("Acme", &[]).await.id;
    let body = error_body(
        upload(&app, org, file_form("big.bin", "application/octet-stream", vec![7u8; MAX_FILE_BYTES + 1])).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    )
    .await;
    assert_eq!(body["message"], "The file is larger than 10 MB. Attach a smaller file.");
    assert_eq!(file_count(&app).await, 0);
    assert!(history_rows(&app, org).await.is_empty());

    // Exactly the limit is accepted.
    let info = json_with(
        upload(&app, org, file_form("max.bin", "application/octet-stream", vec![7u8; MAX_FILE_BYTES])).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(info["size"], MAX_FILE_BYTES as i64);
    // Other routes keep the small JSON limit.
    let res = app
        .client
        .post(app.url(&format!("/api/organizations/{org}/notes")))
        .header("x-csrf-token", app.csrf.clone().unwrap())
        .header("content-type", "application/json")
        .body(format!("{{\"body\": \"{}\"}}", "x".repeat(2 * 1024 * 1024)))
        .send()
        .await
        .unwrap();
    error_body(res, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
}

#[tokio::test]
async fn empty_missing_nameless_or_misplaced_uploads_are_refused() {
    let app = TestApp::spawn_admin().await;
    let org = app.create_org("Acme", &[]).await.id;
    let body = error_body(
        upload(&app, org, file_form("empty.txt", "text/plain", Vec::new())).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(body["fields"]["file"], "The file is empty.");
    let body = error_body(
        upload(&app, org, Form::new().text("other", "value")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(body["fields"]["file"], "Send one part, named file, and no other parts.");
    let form = file_form("a.txt", "text/plain", b"abc".to_vec()).text("other", "value");
    let body = error_body(upload(&app, org, form).await, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert_eq!(body["fields"]["file"], "Send one part, named file, and no other parts.");
    assert_eq!(file_count(&app).await, 0, "a form with another part stores nothing");
    let body = error_body(
        upload(&app, org, Form::new().part("file", Part::bytes(b"abc".to_vec()))).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert!(body["fields"]["file"].is_string(), "no file name: {body}");
    let body = error_body(
        upload(&app, org, file_form("../", "text/plain", b"abc".to_vec())).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert!(body["fields"]["file"].is_string(), "nothing left of the name: {body}");
    error_body(
        upload(&app, 999999, file_form("a.txt", "text/plain", b"abc".to_vec())).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    // Not multipart at all.
    error_body(
        app.post(&format!("/api/organizations/{org}/files"), json!({"file": "abc"})).await,
        StatusCode::BAD_REQUEST,
        "bad_request",
    )
    .await;
    error_body(app.get("/api/files/999999").await, StatusCode::NOT_FOUND, "not_found").await;
    error_body(app.delete("/api/files/999999").await, StatusCode::NOT_FOUND, "not_found").await;
    error_body(app.get("/api/organizations/999999/files").await, StatusCode::NOT_FOUND, "not_found").await;
    assert_eq!(file_count(&app).await, 0);
}

#[tokio::test]
async fn listing_uploading_downloading_or_deleting_files_needs_a_session() {
    let app = TestApp::spawn_admin().await;
    let org = app.create_org("Acme", &[]).await.id;
    let file =
        json_with(upload(&app, org, file_form("a.txt", "text/plain", b"abc".to_vec())).await, StatusCode::CREATED)
            .await;
    let f = file["id"].as_i64().unwrap();
    assert_each_needs_a_session(
        &app,
        vec![
            (Method::GET, format!("/api/organizations/{org}/files"), None),
            (Method::GET, format!("/api/files/{f}"), None),
            (Method::DELETE, format!("/api/files/{f}"), None),
        ],
    )
    .await;
    let anonymous = app.other_client();
    error_body(
        upload(&anonymous, org, file_form("b.txt", "text/plain", b"abc".to_vec())).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    assert_eq!(file_count(&app).await, 1, "nothing changed");
}

#[tokio::test]
async fn a_file_of_a_type_outside_the_allowlist_downloads_as_an_octet_stream_attachment() {
    let app = TestApp::spawn_admin().await;
    let org = app.create_org("Acme", &[]).await.id;
    let page = b"<html><script>alert(1)</script></html>".to_vec();
    let info = json_with(upload(&app, org, file_form("page.html", "text/html", page)).await, StatusCode::CREATED).await;
    let res = app.get(&format!("/api/files/{}", info["id"])).await;
    assert_eq!(res.status(), StatusCode::OK);
    let h = res.headers();
    assert_eq!(h["content-type"], "application/octet-stream", "never served as HTML");
    assert!(h["content-disposition"].to_str().unwrap().starts_with("attachment;"));
    assert_eq!(h["x-content-type-options"], "nosniff");
}
