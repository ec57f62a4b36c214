//! Security headers on every kind of response: JSON, JSON errors and the app.

use base64::Engine as _;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use sha2::{Digest, Sha256};

use crate::support::*;

const INLINE_SCRIPT: &str = "\nimport init from '/orgdesk-web-0123456789abcdef.js';\nawait init();\n";

fn assert_security_headers(h: &HeaderMap, what: &str) {
    assert_eq!(h["x-content-type-options"], "nosniff", "{what}");
    assert_eq!(h["x-frame-options"], "DENY", "{what}");
    assert_eq!(h["referrer-policy"], "no-referrer", "{what}");
    assert_eq!(h["cross-origin-opener-policy"], "same-origin", "{what}");
    assert!(h["permissions-policy"].to_str().unwrap().contains("camera=()"), "{what}");
    let csp = h["content-security-policy"].to_str().unwrap();
    for part in [
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "style-src 'self';",
    ] {
        assert!(csp.contains(part), "{what}: {part} missing in {csp}");
    }
    assert!(!csp.contains("unsafe-inline"), "{what}: {csp}");
    assert!(!csp.contains("'unsafe-eval'"), "{what}: {csp}");
}

#[tokio::test]
async fn json_answers_and_json_errors_carry_the_security_headers_but_no_hsts_over_http() {
    let app = TestApp::spawn_admin().await;
    let ok = app.get("/api/customers").await;
    assert_eq!(ok.status(), StatusCode::OK);
    assert_security_headers(ok.headers(), "a JSON answer");
    assert!(ok.headers().get("strict-transport-security").is_none());

    let missing = app.get("/api/organizations/999999").await;
    assert_security_headers(missing.headers(), "a 404");
    error_body(missing, StatusCode::NOT_FOUND, "not_found").await;

    let signed_out = reqwest::get(app.url("/api/customers")).await.unwrap();
    assert_security_headers(signed_out.headers(), "a 401");
    error_body(signed_out, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

#[tokio::test]
async fn the_app_page_allows_exactly_its_own_inline_script_and_wasm() {
    let dist = tempfile::tempdir().unwrap();
    let html = format!("<!DOCTYPE html><head><script type=\"module\">{INLINE_SCRIPT}</script></head><body></body>");
    std::fs::write(dist.path().join("index.html"), html).unwrap();
    let path = dist.path().to_path_buf();
    let app = TestApp::spawn_with(|c| c.dist = Some(path)).await;
    for route in ["/", "/customers"] {
        let res = reqwest::get(app.url(route)).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_security_headers(res.headers(), route);
        let csp = res.headers()["content-security-policy"].to_str().unwrap().to_string();
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(INLINE_SCRIPT.as_bytes()));
        assert!(csp.contains(&format!("script-src 'self' 'wasm-unsafe-eval' 'sha256-{hash}';")), "{csp}");
    }
}

#[tokio::test]
async fn hsts_is_sent_when_secure_cookies_are_on() {
    let app = TestApp::spawn_with(|c| c.secure_cookies = true).await;
    let res = reqwest::get(app.url("/api/customers")).await.unwrap();
    assert_eq!(res.headers()["strict-transport-security"], "max-age=31536000");
    assert_security_headers(res.headers(), "a 401 with secure cookies");
}

#[tokio::test]
async fn the_csp_names_the_configured_report_uri() {
    let app = TestApp::spawn_with(|c| c.csp_report_uri = Some("https://reports.example/csp".into())).await;
    let res = reqwest::get(app.url("/api/customers")).await.unwrap();
    let csp = res.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.ends_with("; report-uri https://reports.example/csp"), "{csp}");
}
