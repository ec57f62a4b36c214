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

/// The customer portal is a separate app in `dist/portal/`: `/portal` and every path under
/// it get its page, every other client route the agents' page; the CSP allows the inline
/// start-up script of both pages.
#[tokio::test]
async fn portal_routes_get_the_portals_own_page_and_the_csp_allows_both_start_up_scripts() {
    let dist = built_app();
    std::fs::write(dist.path().join("index.html"), "<title>Orgdesk</title><script type=\"module\">agent()</script>")
        .unwrap();
    std::fs::create_dir(dist.path().join("portal")).unwrap();
    std::fs::write(
        dist.path().join("portal/index.html"),
        "<title>Support portal</title><script type=\"module\">portal()</script>",
    )
    .unwrap();
    std::fs::write(dist.path().join("portal/orgdesk-portal-0123456789abcdef.js"), "portal();").unwrap();
    let path = dist.path().to_path_buf();
    let app = TestApp::spawn_with(|c| c.dist = Some(path)).await;
    let client = reqwest::Client::builder().no_brotli().no_gzip().build().unwrap();
    for route in ["/portal", "/portal/", "/portal/sign-in", "/portal/items/42"] {
        let res = client.get(app.url(route)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{route}");
        assert_eq!(res.headers()["cache-control"], "no-cache", "{route}");
        let csp = res.headers()["content-security-policy"].to_str().unwrap().to_string();
        assert!(res.text().await.unwrap().contains("Support portal"), "{route}");
        for script in ["agent()", "portal()"] {
            let hash = orgdesk_server::security_headers::inline_script_hashes(&format!("<script>{script}</script>"));
            assert!(csp.contains(&hash[0]), "{route}: {script} not allowed by {csp}");
        }
    }
    for route in ["/customers", "/portals", "/organizations/42"] {
        let res = client.get(app.url(route)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{route}");
        assert!(res.text().await.unwrap().contains("<title>Orgdesk</title>"), "{route}");
    }
    let res = client.get(app.url("/portal/orgdesk-portal-0123456789abcdef.js")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(res.text().await.unwrap(), "portal();");
}

/// Without a portal build, portal paths are "not found" rather than the agents' app
/// (whose router would hand them straight back to the server).
#[tokio::test]
async fn portal_routes_are_not_found_when_the_portal_is_not_built() {
    let dist = built_app();
    let path = dist.path().to_path_buf();
    let app = TestApp::spawn_with(|c| c.dist = Some(path)).await;
    let res = reqwest::get(app.url("/portal/sign-in")).await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(!res.text().await.unwrap().contains("<title>Orgdesk</title>"));
}
