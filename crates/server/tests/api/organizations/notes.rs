//! Notes on an organization: added with their author, listed newest first, deleted
//! by their author or an admin; they never bump the version.

use reqwest::StatusCode;
use serde_json::json;

use super::*;
use crate::support::*;

#[tokio::test]
async fn notes_are_added_listed_newest_first_and_deleted_by_author_or_admin() {
    let app = TestApp::spawn_admin().await;
    let org = app.create_org("Acme", &[]).await.id;
    let other = app.create_org("Other", &[]).await.id;
    let me = json_with(app.get("/api/auth/me").await, StatusCode::OK).await;
    let path = format!("/api/organizations/{org}/notes");

    let first =
        json_with(app.post(&path, json!({"body": "  Called them about renewal.  "})).await, StatusCode::CREATED).await;
    assert_eq!(first["body"], "Called them about renewal.");
    assert_eq!(first["author_name"], me["agent"]["name"]);
    assert_eq!(first["author_id"], me["agent"]["id"]);
    assert!(first["created_at"].as_str().unwrap().ends_with('Z'));

    let (agent, agent_id) = app.signed_in_agent("agent@example.com").await;
    let second = json_with(agent.post(&path, json!({"body": "Prefers email."})).await, StatusCode::CREATED).await;
    assert_eq!(second["author_name"], "Test Agent");
    assert_eq!(second["author_id"], agent_id);

    let page = json_with(app.get(&path).await, StatusCode::OK).await;
    assert_eq!(page["total"], 2);
    assert_eq!(page["items"], json!([second, first]), "newest first");
    let page = json_with(app.get(&format!("{path}?offset=1&limit=1")).await, StatusCode::OK).await;
    assert_eq!(page["items"], json!([first]));
    assert_eq!(page["total"], 2);
    error_body(app.get(&format!("{path}?limit=0")).await, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    error_body(app.get("/api/organizations/999999/notes").await, StatusCode::NOT_FOUND, "not_found").await;
    assert_eq!(version(&app, org).await, 1, "notes do not bump the version");

    // The agent cannot delete the admin's note; the admin can delete the agent's.
    let first_path = format!("{path}/{}", first["id"]);
    error_body(agent.delete(&first_path).await, StatusCode::FORBIDDEN, "forbidden").await;
    // A note is deleted through its own organization only.
    error_body(
        app.delete(&format!("/api/organizations/{other}/notes/{}", first["id"])).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_eq!(json_with(app.get(&path).await, StatusCode::OK).await["total"], 2);
    assert_eq!(app.delete(&format!("{path}/{}", second["id"])).await.status(), StatusCode::NO_CONTENT);
    // An author deletes their own note.
    let third = json_with(agent.post(&path, json!({"body": "Mine"})).await, StatusCode::CREATED).await;
    assert_eq!(agent.delete(&format!("{path}/{}", third["id"])).await.status(), StatusCode::NO_CONTENT);
    error_body(agent.delete(&format!("{path}/{}", third["id"])).await, StatusCode::NOT_FOUND, "not_found").await;
    let page = json_with(app.get(&path).await, StatusCode::OK).await;
    assert_eq!(page["items"], json!([first]));

    let actions: Vec<String> = history_rows(&app, org).await.into_iter().map(|(a, _)| a).collect();
    assert_eq!(actions, ["note_added", "note_added", "note_deleted", "note_added", "note_deleted"]);
    assert_eq!(history_rows(&app, org).await[0].1, "Note added: \"Called them about renewal.\"");
    assert_eq!(version(&app, org).await, 1);
}

#[tokio::test]
async fn empty_or_too_long_notes_are_422s() {
    let app = TestApp::spawn_admin().await;
    let org = app.create_org("Acme", &[]).await.id;
    let path = format!("/api/organizations/{org}/notes");
    for body in [json!({"body": ""}), json!({"body": "  \n "}), json!({"body": "x".repeat(10_001)}), json!({"body": 5})]
    {
        let res = error_body(app.post(&path, body.clone()).await, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
        assert!(res["fields"]["body"].is_string(), "{body} -> {res}");
    }
    // Exactly the limit is fine.
    json_with(app.post(&path, json!({"body": "x".repeat(10_000)})).await, StatusCode::CREATED).await;
    assert_eq!(json_with(app.get(&path).await, StatusCode::OK).await["total"], 1);
    error_body(
        app.post("/api/organizations/999999/notes", json!({"body": "Hello"})).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn reading_adding_or_deleting_notes_needs_a_session() {
    let app = TestApp::spawn_admin().await;
    let org = app.create_org("Acme", &[]).await.id;
    let path = format!("/api/organizations/{org}/notes");
    let note = json_with(app.post(&path, json!({"body": "Hi"})).await, StatusCode::CREATED).await;
    assert_each_needs_a_session(
        &app,
        vec![
            (Method::GET, path.clone(), None),
            (Method::POST, path.clone(), Some(json!({"body": "x"}))),
            (Method::DELETE, format!("{path}/{}", note["id"]), None),
        ],
    )
    .await;
    assert_eq!(json_with(app.get(&path).await, StatusCode::OK).await["items"], json!([note]), "nothing changed");
}
