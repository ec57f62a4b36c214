use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::*;

#[tokio::test]
async fn an_admin_creates_an_agent_who_can_then_sign_in() {
    let mut app = TestApp::spawn().await;
    app.login_admin().await;
    let res = app
        .post("/api/agents", json!({"email": " Sam@Example.com ", "name": " Sam Rivera ", "role": "agent", "password": "sam-password-1"}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let agent: Value = res.json().await.unwrap();
    assert_eq!(agent["email"], "sam@example.com");
    assert_eq!(agent["name"], "Sam Rivera");
    assert_eq!(agent["role"], "agent");
    assert_eq!(agent["active"], true);
    assert!(agent["created_at"].as_str().unwrap().ends_with('Z'));

    let mut sam = app.other_client();
    let (status, _, body) = sam.login("sam@example.com", "sam-password-1").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["agent"]["role"], "agent");
}

#[tokio::test]
async fn a_taken_email_is_a_409_on_the_email_field() {
    let mut app = TestApp::spawn().await;
    app.login_admin().await;
    app.create_agent("sam@example.com", "agent").await;
    let res = app
        .post(
            "/api/agents",
            json!({"email": "SAM@example.com", "name": "Other", "role": "agent", "password": "sam-password-1"}),
        )
        .await;
    let body = error_body(res, StatusCode::CONFLICT, "conflict").await;
    assert!(body["fields"]["email"].as_str().unwrap().contains("already"), "{body}");
    let agents: Vec<Value> = app.get("/api/agents").await.json().await.unwrap();
    assert_eq!(agents.len(), 2);
}

#[tokio::test]
async fn invalid_fields_are_all_reported_and_nothing_is_created() {
    let mut app = TestApp::spawn().await;
    app.login_admin().await;
    let res = app
        .post("/api/agents", json!({"email": "not-an-email", "name": "  ", "role": "agent", "password": "short"}))
        .await;
    let body = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    for field in ["email", "name", "password"] {
        assert!(body["fields"][field].is_string(), "{field} in {body}");
    }
    let agents: Vec<Value> = app.get("/api/agents").await.json().await.unwrap();
    assert_eq!(agents.len(), 1);
}

#[tokio::test]
async fn agents_can_list_agents_but_not_create_or_change_them() {
    let mut app = TestApp::spawn().await;
    app.login_admin().await;
    let sam_id = app.create_agent("sam@example.com", "agent").await;
    let mut sam = app.other_client();
    sam.login("sam@example.com", AGENT_PASSWORD).await;
    assert_eq!(sam.get("/api/agents").await.status(), StatusCode::OK);
    let res = sam
        .post(
            "/api/agents",
            json!({"email": "new@example.com", "name": "New", "role": "admin", "password": "long-enough-1"}),
        )
        .await;
    error_body(res, StatusCode::FORBIDDEN, "forbidden").await;
    error_body(
        sam.patch(&format!("/api/agents/{sam_id}"), json!({"role": "admin"})).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let me: Value = sam.get("/api/auth/me").await.json().await.unwrap();
    assert_eq!(me["agent"]["role"], "agent", "the agent could not promote itself");
}

#[tokio::test]
async fn deactivating_an_agent_ends_their_sessions_and_blocks_sign_in() {
    let mut app = TestApp::spawn().await;
    app.login_admin().await;
    let sam_id = app.create_agent("sam@example.com", "agent").await;
    let mut sam = app.other_client();
    sam.login("sam@example.com", AGENT_PASSWORD).await;
    assert_eq!(sam.get("/api/auth/me").await.status(), StatusCode::OK);

    let res = app.patch(&format!("/api/agents/{sam_id}"), json!({"active": false})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["active"], false);
    assert_eq!(sam.get("/api/auth/me").await.status(), StatusCode::UNAUTHORIZED);
    let (status, _, _) = sam.login("sam@example.com", AGENT_PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    app.patch(&format!("/api/agents/{sam_id}"), json!({"active": true})).await;
    let (status, _, _) = sam.login("sam@example.com", AGENT_PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "reactivated agents sign in again");
}

#[tokio::test]
async fn the_last_active_admin_cannot_be_demoted_or_deactivated() {
    let mut app = TestApp::spawn().await;
    app.login_admin().await;
    let me: Value = app.get("/api/auth/me").await.json().await.unwrap();
    let my_id = me["agent"]["id"].as_i64().unwrap();
    let body = error_body(
        app.patch(&format!("/api/agents/{my_id}"), json!({"role": "agent"})).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    assert!(body["fields"]["role"].is_string());
    error_body(
        app.patch(&format!("/api/agents/{my_id}"), json!({"active": false})).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    // Read back: still an active admin, in the list and in the session.
    let agents: Value = ok_json(app.get("/api/agents").await).await;
    let mine = agents.as_array().unwrap().iter().find(|a| a["id"] == my_id).unwrap().clone();
    assert_eq!((mine["role"].as_str(), mine["active"].as_bool()), (Some("admin"), Some(true)), "{mine}");
    let me: Value = ok_json(app.get("/api/auth/me").await).await;
    assert_eq!(me["agent"]["role"], "admin");

    // With a second admin, the first may step down to agent.
    app.create_agent("second@example.com", "admin").await;
    let res = app.patch(&format!("/api/agents/{my_id}"), json!({"role": "agent"})).await;
    assert_eq!(ok_json(res).await["role"], "agent");
    let agents: Value = ok_json(app.get("/api/agents").await).await;
    let mine = agents.as_array().unwrap().iter().find(|a| a["id"] == my_id).unwrap().clone();
    assert_eq!(mine["role"], "agent", "the change was stored: {mine}");
    let me: Value = ok_json(app.get("/api/auth/me").await).await;
    assert_eq!(me["agent"]["role"], "agent");
    // The remaining admin is now the last one, and is protected in turn.
    let second = agents.as_array().unwrap().iter().find(|a| a["email"] == "second@example.com").unwrap()["id"].clone();
    let mut second_client = app.other_client();
    second_client.login("second@example.com", AGENT_PASSWORD).await;
    error_body(
        second_client.patch(&format!("/api/agents/{second}"), json!({"role": "agent"})).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
}

#[tokio::test]
async fn renaming_validates_the_name_and_unknown_agents_are_404() {
    let mut app = TestApp::spawn().await;
    app.login_admin().await;
    let id = app.create_agent("sam@example.com", "agent").await;
    let body = error_body(
        app.patch(&format!("/api/agents/{id}"), json!({"name": ""})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert!(body["fields"]["name"].is_string());
    let res = app.patch(&format!("/api/agents/{id}"), json!({"name": "Samuel"})).await;
    assert_eq!(res.json::<Value>().await.unwrap()["name"], "Samuel");
    error_body(app.patch("/api/agents/999999", json!({"name": "Ghost"})).await, StatusCode::NOT_FOUND, "not_found")
        .await;
    error_body(
        app.patch(&format!("/api/agents/{id}"), json!({"password_hash": "x"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
}
