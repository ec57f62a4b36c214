//! Projects: archived ones listed on request and closed to new tickets, names
//! unique regardless of case, and followers (customers or whole organizations).

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::support::*;
use crate::tickets::{json_of, snapshot};

#[tokio::test]
async fn archived_projects_list_only_on_request_and_take_no_new_items() {
    let app = TestApp::spawn_admin().await;
    let old = app.create_project("Old site").await.id;
    app.create_project("New site").await;
    let task = app.create_task(old, "Migrate").await;
    let res = app.patch(&format!("/api/projects/{old}"), json!({"archived": true})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let names = |page: Value| -> Vec<String> {
        page["items"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(names(json_of(&app, "/api/projects").await), ["New site"]);
    assert_eq!(names(json_of(&app, "/api/projects?archived=true").await), ["Old site"]);
    assert_eq!(names(json_of(&app, "/api/projects?archived=all").await), ["New site", "Old site"]);
    assert_eq!(names(json_of(&app, "/api/projects?archived=all&q=OLD").await), ["Old site"]);
    error_body(app.get("/api/projects?archived=maybe").await, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;

    let err = error_body(
        app.post("/api/items", json!({"project_id": old, "item_type": "task", "title": "More"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert!(err["fields"]["project_id"].as_str().unwrap().contains("archived"), "{err}");
    // Existing items stay editable and listed.
    let res = app.patch(&format!("/api/items/{}", task.id), json!({"status": "closed"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let p = json_of(&app, &format!("/api/projects/{old}")).await;
    assert_eq!(
        (p["archived"].as_bool(), p["item_count"].as_i64(), p["open_item_count"].as_i64()),
        (Some(true), Some(1), Some(0))
    );
    // Restored, it takes items again.
    app.patch(&format!("/api/projects/{old}"), json!({"archived": false})).await;
    app.create_task(old, "More").await;
}

#[tokio::test]
async fn project_names_are_unique_regardless_of_case_and_validated() {
    let app = TestApp::spawn_admin().await;
    let p = app.create_project("Website").await.id;
    let before = snapshot(&app).await;
    let err =
        error_body(app.post("/api/projects", json!({"name": "WEBSITE"})).await, StatusCode::CONFLICT, "conflict").await;
    assert!(err["fields"]["name"].is_string());
    for body in [json!({"name": ""}), json!({"name": "x".repeat(201)}), json!({}), json!({"name": 5})] {
        error_body(app.post("/api/projects", body).await, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    }
    let other = app.create_project("Apps").await.id;
    error_body(
        app.patch(&format!("/api/projects/{other}"), json!({"name": "website"})).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    error_body(
        app.patch(&format!("/api/projects/{p}"), json!({"archived": "yes"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    error_body(app.patch("/api/projects/999999", json!({"name": "x"})).await, StatusCode::NOT_FOUND, "not_found").await;
    error_body(app.get("/api/projects/999999").await, StatusCode::NOT_FOUND, "not_found").await;
    assert_eq!(snapshot(&app).await[1..], before[1..]);
    let renamed: Value = app
        .patch(&format!("/api/projects/{p}"), json!({"name": "website", "description": "Public site"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!((renamed["name"].as_str(), renamed["description"].as_str()), (Some("website"), Some("Public site")));
}

#[tokio::test]
async fn project_followers_are_customers_or_whole_organizations() {
    let app = TestApp::spawn_admin().await;
    let acme = app.create_org("Acme", &["acme.com"]).await.id;
    app.create_customer("ann@acme.com").await;
    let pat = app.create_customer("pat@gmail.com").await.id;
    let p = app.create_project("Website").await.id;
    let res = app.post(&format!("/api/projects/{p}/followers"), json!({"organization_id": acme})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let f: Value = res.json().await.unwrap();
    assert_eq!(f, json!({"kind": "organization", "id": acme, "name": "Acme", "email": null, "member_count": 1}));
    let res = app.post(&format!("/api/projects/{p}/followers"), json!({"customer_id": pat})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = app.post(&format!("/api/projects/{p}/followers"), json!({"customer_id": pat})).await;
    assert_eq!(res.status(), StatusCode::CREATED, "adding again changes nothing");
    let list = json_of(&app, &format!("/api/projects/{p}/followers")).await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[1]["email"], "pat@gmail.com");

    let before = snapshot(&app).await;
    for body in [
        json!({}),
        json!({"customer_id": pat, "organization_id": acme}),
        json!({"customer_id": 999_999}),
        json!({"organization_id": 999_999}),
    ] {
        error_body(
            app.post(&format!("/api/projects/{p}/followers"), body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        )
        .await;
    }
    error_body(
        app.post("/api/projects/999999/followers", json!({"customer_id": pat})).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_eq!(snapshot(&app).await, before);

    let res = app.call(Method::DELETE, &format!("/api/projects/{p}/followers/customers/{pat}"), None).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app.call(Method::DELETE, &format!("/api/projects/{p}/followers/customers/{pat}"), None).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = app.call(Method::DELETE, &format!("/api/projects/{p}/followers/organizations/{acme}"), None).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(json_of(&app, &format!("/api/projects/{p}/followers")).await, json!([]));
}
