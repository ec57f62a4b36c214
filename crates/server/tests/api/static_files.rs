use reqwest::StatusCode;

use crate::support::*;

fn built_app() -> tempfile::TempDir {
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(dist.path().join("index.html"), "<!DOCTYPE html><title>Orgdesk</title>".repeat(20)).unwrap();
    std::fs::write(dist.path().join("orgdesk-web-0123456789abcdef.js"), "console.log('orgdesk');".repeat(50)).unwrap();
    orgdesk_server::assets::precompress_dir(dist.path()).unwrap();
    dist
}

#[tokio::test]
async fn client_routes_get_index_html_and_api_routes_stay_json() {
    let dist = built_app();
    let path = dist.path().to_path_buf();
    let app = TestApp::spawn_with(|c| c.dist = Some(path)).await;
    let client = reqwest::Client::builder().no_brotli().no_gzip().build().unwrap();
    for route in ["/", "/customers", "/organizations/42", "/admin"] {
        let res = client.get(app.url(route)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{route}");
        assert_eq!(res.headers()["cache-control"], "no-cache", "{route}");
        assert!(res.text().await.unwrap().contains("<title>Orgdesk</title>"), "{route}");
    }
    let res = client.get(app.url("/api/unknown")).send().await.unwrap();
    error_body(res, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn hashed_assets_are_served_precompressed_and_cached_for_a_year() {
    let dist = built_app();
    let path = dist.path().to_path_buf();
    let app = TestApp::spawn_with(|c| c.dist = Some(path)).await;
    let raw = reqwest::Client::builder().no_brotli().no_gzip().build().unwrap();
    let res =
        raw.get(app.url("/orgdesk-web-0123456789abcdef.js")).header("accept-encoding", "br").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-encoding"], "br");
    assert_eq!(res.headers()["cache-control"], "public, max-age=31536000, immutable");
    let compressed = res.bytes().await.unwrap();
    assert!(compressed.len() < 50 * "console.log('orgdesk');".len() / 4, "brotli made it much smaller");

    let res =
        raw.get(app.url("/orgdesk-web-0123456789abcdef.js")).header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(res.headers()["content-encoding"], "gzip");
}
