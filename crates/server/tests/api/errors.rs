use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::*;

#[tokio::test]
async fn malformed_json_is_a_400_with_the_error_body() {
    let mut app = TestApp::spawn().await;
    app.login_admin().await;
    let res = app
        .client
        .post(app.url("/api/agents"))
        .header("x-csrf-token", app.csrf.clone().unwrap())
        .header("content-type", "application/json")
        .body("{\"email\": ")
        .send()
        .await
        .unwrap();
    error_body(res, StatusCode::BAD_REQUEST, "bad_request").await;
}

#[tokio::test]
async fn a_body_that_is_not_json_is_a_400() {
    let mut app = TestApp::spawn().await;
    app.login_admin().await;
    let res = app
        .client
        .post(app.url("/api/agents"))
        .header("x-csrf-token", app.csrf.clone().unwrap())
        .header("content-type", "text/plain")
        .body("email=x")
        .send()
        .await
        .unwrap();
    error_body(res, StatusCode::BAD_REQUEST, "bad_request").await;
}

#[tokio::test]
async fn a_wrong_type_is_a_422_naming_the_field() {
    let mut app = TestApp::spawn().await;
    app.login_admin().await;
    let res =
        app.post("/api/agents", json!({"email": 42, "name": "X", "role": "agent", "password": "long-enough-1"})).await;
    let body = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(body["fields"]["email"].is_string(), "{body}");

    let res = app
        .post("/api/agents", json!({"email": "a@b.io", "name": "X", "role": "root", "password": "long-enough-1"}))
        .await;
    let body = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(body["fields"]["role"].is_string(), "{body}");

    let res = app.post("/api/agents", json!({"email": "a@b.io"})).await;
    error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;

    let res = app.patch("/api/agents/1", json!({"active": "yes"})).await;
    let body = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(body["fields"]["active"].is_string(), "{body}");

    let agents: Vec<Value> = app.get("/api/agents").await.json().await.unwrap();
    assert_eq!(agents.len(), 1, "nothing was created");
    assert_eq!(agents[0]["active"], true, "nothing was changed");
}

#[tokio::test]
async fn an_oversize_body_is_a_413() {
    let mut app = TestApp::spawn().await;
    app.login_admin().await;
    let huge = "x".repeat(2 * 1024 * 1024);
    let res = app
        .post("/api/agents", json!({"email": "a@b.io", "name": huge, "role": "agent", "password": "long-enough-1"}))
        .await;
    error_body(res, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
}

#[tokio::test]
async fn a_bad_path_parameter_is_a_400() {
    let mut app = TestApp::spawn().await;
    app.login_admin().await;
    error_body(app.patch("/api/agents/abc", json!({})).await, StatusCode::BAD_REQUEST, "bad_request").await;
}

#[tokio::test]
async fn unknown_api_routes_are_json_404s_and_wrong_methods_json_405s() {
    let mut app = TestApp::spawn().await;
    app.login_admin().await;
    error_body(app.get("/api/nothing/here").await, StatusCode::NOT_FOUND, "not_found").await;
    error_body(app.get("/api").await, StatusCode::NOT_FOUND, "not_found").await;
    error_body(
        app.call(reqwest::Method::DELETE, "/api/auth/me", None).await,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
    )
    .await;
}
