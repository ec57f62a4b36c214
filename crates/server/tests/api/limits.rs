//! Every input is bounded and clean: strings and lists over their documented limit,
//! and NUL or other control characters in any kind of field (names, free text,
//! search terms, path segments) are refused with a 422 naming the field, and
//! change nothing, on SQLite and PostgreSQL alike.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::*;

async fn org_count(app: &TestApp) -> i64 {
    app.scalar("SELECT COUNT(*) FROM organizations").await
}

#[tokio::test]
async fn a_too_long_name_is_a_422_naming_the_field_and_its_limit_and_creates_nothing() {
    let app = TestApp::spawn_admin().await;
    let body = error_body(
        app.post("/api/organizations", json!({"name": "x".repeat(121), "domains": []})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(body["fields"]["name"], "Use at most 120 characters.");
    assert_eq!(org_count(&app).await, 0);
}

#[tokio::test]
async fn eighty_thousand_domains_are_a_422_naming_the_list_and_nothing_changes() {
    let app = TestApp::spawn_admin().await;
    // Short names, so that the body stays under the 1 MiB body limit (beyond it, a 413).
    let domains: Vec<String> = (0..80_000).map(|i| format!("a{i}.io")).collect();
    let body = error_body(
        app.post("/api/organizations", json!({"name": "Acme", "domains": domains})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(body["fields"]["domains"], "Send at most 100 items.");
    assert_eq!(org_count(&app).await, 0);
    // The largest accepted list, all duplicates of one domain, is found out too.
    let twice = vec!["acme.com"; 100];
    let body = error_body(
        app.post("/api/organizations", json!({"name": "Acme", "domains": twice})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert!(body["fields"]["domains"].as_str().unwrap().contains("listed twice"), "{body}");
    assert_eq!(org_count(&app).await, 0);
}

#[tokio::test]
async fn a_too_long_list_of_ids_is_a_422_naming_it() {
    let app = TestApp::spawn_admin().await;
    let ids: Vec<i64> = (1..=10_001).collect();
    let body = error_body(
        app.post("/api/customers/move", json!({"customer_ids": ids, "organization_id": null})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(body["fields"]["customer_ids"], "Send at most 10000 items.");
}

#[tokio::test]
async fn a_nul_in_a_name_is_a_422_naming_the_field_and_creates_nothing() {
    let app = TestApp::spawn_admin().await;
    let body = error_body(
        app.post("/api/organizations", json!({"name": "Ac\u{0}me", "domains": []})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(body["fields"]["name"], "Remove the control character U+0000.");
    assert_eq!(org_count(&app).await, 0);
    let body = error_body(
        app.post("/api/customers", json!({"email": "ann@acme.com", "first_name": "A\u{1b}nn"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert!(body["fields"]["first_name"].is_string(), "{body}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM customers").await, 0);
}

#[tokio::test]
async fn a_nul_in_a_note_is_a_422_but_line_breaks_and_tabs_are_kept() {
    let app = TestApp::spawn_admin().await;
    let org = app.create_org("Acme", &[]).await.id;
    let path = format!("/api/organizations/{org}/notes");
    let body = error_body(
        app.post(&path, json!({"body": "first line\u{0}"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(body["fields"]["body"], "Remove the control character U+0000.");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM organization_notes").await, 0);
    let res = app.post(&path, json!({"body": "first line\r\n\tsecond line"})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM organization_notes").await, 1);
}

#[tokio::test]
async fn a_nul_in_a_search_or_a_path_segment_is_a_422_not_a_500() {
    let app = TestApp::spawn_admin().await;
    let org = app.create_org("Acme", &["acme.com"]).await.id;
    for path in ["/api/customers?q=a%00b", "/api/organizations?q=a%00", "/api/items?q=%00", "/api/projects?q=%00"] {
        let body = error_body(app.get(path).await, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
        assert!(body["fields"]["q"].is_string(), "{path}: {body}");
    }
    let res = app.delete(&format!("/api/organizations/{org}/domains/acme.com%00?members=stay&version=1")).await;
    let body = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(body["fields"]["domain"].is_string(), "{body}");
    let search = "x".repeat(101);
    let body = error_body(
        app.get(&format!("/api/customers?q={search}")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(body["fields"]["q"], "Use at most 100 characters.");
}
