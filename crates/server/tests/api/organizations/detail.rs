//! The organization panel's header: the detail it reads (everything about the
//! organization at once), in-place edits of name and summary, and the version
//! check that refuses an edit made over someone else's.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::*;
use crate::support::*;

#[tokio::test]
async fn the_detail_shows_everything_about_the_organization() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let acme = app.create_org("Acme", &["acme.com", "acme.io"]).await.id;
    let parent = app.create_org("Holding", &[]).await.id;
    let child_b = app.create_org("Beta", &[]).await.id;
    let child_a = app.create_org("Alpha", &[]).await.id;
    let v = version(&app, acme).await;
    ok_json(app.patch(&format!("/api/organizations/{acme}/detail"), json!({"version": v, "parent_id": parent})).await)
        .await;
    for c in [child_b, child_a] {
        let v = version(&app, acme).await;
        ok_json(app.post(&format!("/api/organizations/{acme}/children"), json!({"version": v, "child_id": c})).await)
            .await;
    }
    let ann = app.create_customer("ann@acme.com").await.id;
    let bob = app.create_customer("bob@acme.com").await.id;
    let v = version(&app, acme).await;
    ok_json(
        app.patch(&format!("/api/organizations/{acme}/members/{bob}"), json!({"version": v, "role": "manager"})).await,
    )
    .await;
    let p = app.create_project("Support").await.id;
    app.create_ticket(p, ann, "One", ItemStatus::New).await;
    app.create_ticket(p, ann, "Two", ItemStatus::Open).await;
    app.create_ticket(p, bob, "Three", ItemStatus::Open).await;
    let res = app.post(&format!("/api/projects/{p}/followers"), json!({"organization_id": acme})).await;
    assert_eq!(res.status(), StatusCode::CREATED);

    let d = detail(&app, acme).await;
    assert_eq!(d["id"], acme);
    assert_eq!(d["name"], "Acme");
    assert_eq!(d["domains"], json!(["acme.com", "acme.io"]));
    assert_eq!(d["summary"], "");
    assert_eq!(d["parent"], json!({"id": parent, "name": "Holding"}));
    assert_eq!(d["children"], json!([{"id": child_a, "name": "Alpha"}, {"id": child_b, "name": "Beta"}]));
    assert_eq!(d["member_count"], 2);
    assert_eq!(d["manager_count"], 1);
    assert_eq!(d["contacts"], json!([]));
    assert_eq!(d["properties"], json!([]));
    assert_eq!(d["item_counts"], json!({"new": 1, "open": 2}));
    assert_eq!(d["projects"], json!([{"id": p, "name": "Support", "archived": false}]));
    assert!(d["created_at"].as_str().unwrap().ends_with('Z'));
    assert!(d["updated_at"].as_str().unwrap().ends_with('Z'));
    assert!(d["version"].as_i64().unwrap() > 1);

    error_body(app.get("/api/organizations/999999/detail").await, StatusCode::NOT_FOUND, "not_found").await;
    error_body(app.get("/api/organizations/abc/detail").await, StatusCode::BAD_REQUEST, "bad_request").await;
}

#[tokio::test]
async fn two_edits_with_the_same_version_conflict_and_the_second_changes_nothing() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let acme = app.create_org("Acme", &[]).await.id;
    let v = version(&app, acme).await;
    let first = ok_json(
        app.patch(&format!("/api/organizations/{acme}/detail"), json!({"version": v, "name": "Acme Corp"})).await,
    )
    .await;
    assert_eq!(first["name"], "Acme Corp");
    assert_eq!(first["version"], v + 1);
    let body = error_body(
        app.patch(&format!("/api/organizations/{acme}/detail"), json!({"version": v, "summary": "Mine"})).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    assert!(body["fields"]["version"].as_str().unwrap().contains("changed by someone else"));
    let d = detail(&app, acme).await;
    assert_eq!(d["name"], "Acme Corp");
    assert_eq!(d["summary"], "", "the stale edit changed nothing");
    assert_eq!(d["version"], v + 1);
    // The same for every versioned write.
    let c = app.create_customer("ann@x.com").await.id;
    app.move_customers(&[c], Some(acme)).await;
    for (method, path, body) in [
        (Method::POST, format!("/api/organizations/{acme}/domains"), Some(json!({"domain": "acme.com", "version": v}))),
        (
            Method::PATCH,
            format!("/api/organizations/{acme}/members/{c}"),
            Some(json!({"version": v, "position": "CEO"})),
        ),
        (
            Method::POST,
            format!("/api/organizations/{acme}/children"),
            Some(json!({"version": v, "create_name": "Kid"})),
        ),
    ] {
        let body = error_body(app.call(method, &path, body).await, StatusCode::CONFLICT, "conflict").await;
        assert!(body["fields"]["version"].is_string(), "{path}");
    }
    let d = detail(&app, acme).await;
    assert_eq!(d["domains"], json!([]));
    assert_eq!(d["children"], json!([]));
    assert_eq!(d["version"], v + 1);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM organizations WHERE name_key = 'kid'").await, 0);

    // Truly at once: exactly one wins.
    let v = version(&app, acme).await;
    let path = format!("/api/organizations/{acme}/detail");
    let (a, b) = tokio::join!(
        app.patch(&path, json!({"version": v, "summary": "From A"})),
        app.patch(&path, json!({"version": v, "summary": "From B"}))
    );
    let mut statuses = [a.status(), b.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);
    let d = detail(&app, acme).await;
    assert_eq!(d["version"], v + 1);
    let winner = if a.status() == StatusCode::OK { "From A" } else { "From B" };
    assert_eq!(d["summary"], winner);
}

#[tokio::test]
async fn name_and_summary_edits_are_validated_and_recorded() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let acme = app.create_org("Acme", &[]).await.id;
    app.create_org("Globex", &[]).await;
    let path = format!("/api/organizations/{acme}/detail");
    let v = version(&app, acme).await;
    let body =
        error_body(app.patch(&path, json!({"version": v, "name": "GLOBEX"})).await, StatusCode::CONFLICT, "conflict")
            .await;
    assert!(body["fields"]["name"].as_str().unwrap().contains("already exists"));
    for (req, field) in [
        (json!({"version": v, "name": "  "}), "name"),
        (json!({"version": v, "summary": "x".repeat(10_001)}), "summary"),
        (json!({"version": v, "name": "", "summary": "y".repeat(10_001)}), "summary"),
        (json!({"version": "one"}), "version"),
        (json!({"version": v, "colour": "red"}), "*"),
        (json!({"version": v, "parent_id": "x"}), "parent_id"),
    ] {
        let body =
            error_body(app.patch(&path, req.clone()).await, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
        let fields = body["fields"].as_object().unwrap();
        assert!(field == "*" && !fields.is_empty() || fields.contains_key(field), "{req} -> {body}");
    }
    let res = app.call(Method::PATCH, &path, None).await;
    assert!(res.status().is_client_error());
    assert_eq!(version(&app, acme).await, v, "no bad edit bumped the version");

    let d = ok_json(
        app.patch(&path, json!({"version": v, "name": " Acme Corp ", "summary": "  Our best customer.  "})).await,
    )
    .await;
    assert_eq!(d["name"], "Acme Corp");
    assert_eq!(d["summary"], "Our best customer.");
    let error = error_body(
        app.patch("/api/organizations/999999/detail", json!({"version": 1, "summary": "x"})).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert!(error["message"].is_string());

    let entries = history(&app, acme).await;
    assert_eq!(actions(&entries), ["summary_changed", "renamed"], "newest first");
    assert_eq!(entries[1]["summary"], "Renamed from Acme to Acme Corp");
    assert_eq!(entries[1]["details"], json!({"from": "Acme", "to": "Acme Corp"}));
    assert_eq!(entries[1]["agent_name"], "Administrator");
    assert!(entries[0]["created_at"].as_str().unwrap().ends_with('Z'));
    // Paging.
    let page = ok_json(app.get(&format!("/api/organizations/{acme}/history?offset=1&limit=1")).await).await;
    assert_eq!(page["total"], 3, "the two changes and the creation");
    assert_eq!(page["items"][0]["action"], "renamed");
    error_body(
        app.get(&format!("/api/organizations/{acme}/history?limit=0")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    error_body(app.get("/api/organizations/999999/history").await, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn reading_or_editing_the_detail_needs_a_session() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let acme = app.create_org("Acme", &[]).await.id;
    assert_each_needs_a_session(
        &app,
        vec![
            (Method::GET, format!("/api/organizations/{acme}/detail"), None),
            (Method::PATCH, format!("/api/organizations/{acme}/detail"), Some(json!({"version": 1, "name": "X"}))),
        ],
    )
    .await;
    let d = detail(&app, acme).await;
    assert_eq!((d["name"].as_str(), d["version"].as_i64()), (Some("Acme"), Some(1)), "nothing changed");
}
