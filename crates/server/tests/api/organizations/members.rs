//! An organization's members in its panel: managers first, positions and roles
//! edited in place, members added and removed (customers are never deleted, and
//! their open tickets follow them).

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::*;
use crate::support::*;

#[tokio::test]
async fn members_are_listed_managers_first_and_edited_in_place() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let acme = app.create_org("Acme", &["acme.com"]).await.id;
    let zed = app.create_customer("zed@acme.com").await.id;
    let amy = app.create_customer("amy@acme.com").await.id;
    let max = app.create_customer("max@acme.com").await.id;
    let path = format!("/api/organizations/{acme}/members");
    let v = version(&app, acme).await;
    let d = ok_json(
        app.patch(&format!("{path}/{zed}"), json!({"version": v, "role": "manager", "position": "  CEO  "})).await,
    )
    .await;
    assert_eq!(d["version"], v + 1);
    assert_eq!(d["manager_count"], 1);
    let v = v + 1;
    ok_json(app.patch(&format!("{path}/{max}"), json!({"version": v, "role": "manager"})).await).await;
    let page = ok_json(app.get(&path).await).await;
    let order: Vec<(i64, String)> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["customer"]["id"].as_i64().unwrap(), m["role"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(
        order,
        [(max, "manager".to_string()), (zed, "manager".to_string()), (amy, "member".to_string())],
        "managers first, then by name"
    );
    assert_eq!(page["items"][1]["position"], "CEO");
    assert_eq!(page["items"][1]["customer"]["email"], "zed@acme.com");
    assert_eq!(page["total"], 3);
    let page = ok_json(app.get(&format!("{path}?offset=2&limit=1")).await).await;
    assert_eq!(page["items"][0]["customer"]["id"], amy);
    assert_eq!((page["offset"].as_i64(), page["limit"].as_i64()), (Some(2), Some(1)));
    error_body(app.get(&format!("{path}?limit=201")).await, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    error_body(app.get(&format!("{path}?offset=-1")).await, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    error_body(app.get("/api/organizations/999999/members").await, StatusCode::NOT_FOUND, "not_found").await;

    // Position validation and other bad input: nothing changes.
    let v = version(&app, acme).await;
    for (body, field) in [
        (json!({"version": v, "position": "x".repeat(101)}), "position"),
        (json!({"version": v, "position": "a\nb"}), "position"),
        (json!({"version": v, "role": "boss"}), "role"),
        (json!({"version": v, "position": 5}), "position"),
        (json!({"position": "CTO"}), "body"),
    ] {
        let e = error_body(
            app.patch(&format!("{path}/{amy}"), body.clone()).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        )
        .await;
        assert!(e["fields"][field].is_string(), "{body} -> {e}");
    }
    assert_eq!(version(&app, acme).await, v);
    let outsider = app.create_customer("out@else.com").await.id;
    error_body(
        app.patch(&format!("{path}/{outsider}"), json!({"version": v, "position": "X"})).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    error_body(
        app.patch(&format!("{path}/999999"), json!({"version": v, "position": "X"})).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let d =
        ok_json(app.patch(&format!("{path}/{amy}"), json!({"version": v, "position": "x".repeat(100)})).await).await;
    assert_eq!(d["version"], v + 1);
    let e = &history(&app, acme).await[0];
    assert_eq!(e["action"], "member_updated");
    assert!(e["summary"].as_str().unwrap().starts_with("Updated amy@acme.com: position"));

    // A position edited on the customer moves the organization's version on.
    let v = version(&app, acme).await;
    ok_json(app.patch(&format!("/api/customers/{zed}"), json!({"position": "Chair"})).await).await;
    assert_eq!(version(&app, acme).await, v + 1);
    let page = ok_json(app.get(&path).await).await;
    assert_eq!(page["items"][1]["position"], "Chair");
}

#[tokio::test]
async fn members_are_added_and_removed_without_deleting_anyone() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let acme = app.create_org("Acme", &[]).await.id;
    let old = app.create_org("Old", &[]).await.id;
    let ann = app.create_customer("ann@x.com").await.id;
    let bob = app.create_customer("bob@y.com").await.id;
    app.move_customers(&[bob], Some(old)).await;
    let p = app.create_project("Support").await.id;
    let open = app.create_ticket(p, bob, "Open", ItemStatus::Waiting).await.id;
    let closed = app.create_ticket(p, bob, "Closed", ItemStatus::New).await.id;
    app.set_status(closed, ItemStatus::Closed).await;
    let path = format!("/api/organizations/{acme}/members");
    let v = version(&app, acme).await;

    let res = app.post(&path, json!({"customer_id": ann})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let m: Value = res.json().await.unwrap();
    assert_eq!(
        m,
        json!({"customer": {"id": ann, "name": "ann@x.com", "email": "ann@x.com"}, "position": "", "role": "member",
               "email_verified": false, "portal_account": false})
    );
    let res = app.post(&path, json!({"customer_id": bob})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(customer_org(&app, bob).await, acme);
    assert_eq!(item_org(&app, open).await, acme, "open items follow");
    assert_eq!(item_org(&app, closed).await, old, "closed items stay");
    assert_eq!(version(&app, acme).await, v, "additions do not bump the version");
    let e = &history(&app, acme).await[0];
    assert_eq!(e["action"], "member_added");
    assert_eq!(e["summary"], "Added bob@y.com (from Old)");
    assert_eq!(history(&app, old).await[0]["summary"], "bob@y.com left for Acme");

    let e = error_body(app.post(&path, json!({"customer_id": ann})).await, StatusCode::CONFLICT, "conflict").await;
    assert!(e["fields"]["customer_id"].as_str().unwrap().contains("already a member"));
    error_body(app.post(&path, json!({"customer_id": 999999})).await, StatusCode::NOT_FOUND, "not_found").await;
    error_body(
        app.post("/api/organizations/999999/members", json!({"customer_id": ann})).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let e = error_body(
        app.post(&path, json!({"customer_id": "ann"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert!(e["fields"]["customer_id"].is_string());
    error_body(app.post(&path, json!({})).await, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;

    // Removal: the customer stays, unassigned; open items go with them.
    let res = app.delete(&format!("{path}/{bob}")).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let c = ok_json(app.get(&format!("/api/customers/{bob}")).await).await;
    assert_eq!(c["organization_id"], Value::Null);
    assert_eq!(item_org(&app, open).await, Value::Null);
    assert_eq!(item_org(&app, closed).await, old);
    app.assert_counters_match().await;
    let e = &history(&app, acme).await[0];
    assert_eq!((e["action"].as_str(), e["summary"].as_str()), (Some("member_removed"), Some("Removed bob@y.com")));
    error_body(app.delete(&format!("{path}/{bob}")).await, StatusCode::NOT_FOUND, "not_found").await;
    error_body(app.delete(&format!("{path}/999999")).await, StatusCode::NOT_FOUND, "not_found").await;
    error_body(
        app.delete(&format!("/api/organizations/999999/members/{ann}")).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM customers").await, 2);
    assert_eq!(detail(&app, acme).await["member_count"], 1);
}

#[tokio::test]
async fn listing_adding_editing_or_removing_members_needs_a_session() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let acme = app.create_org("Acme", &["acme.com"]).await.id;
    let ann = app.create_customer("ann@acme.com").await.id;
    let bob = app.create_customer("bob@gmail.com").await.id;
    assert_each_needs_a_session(
        &app,
        vec![
            (Method::GET, format!("/api/organizations/{acme}/members"), None),
            (Method::POST, format!("/api/organizations/{acme}/members"), Some(json!({"customer_id": bob}))),
            (
                Method::PATCH,
                format!("/api/organizations/{acme}/members/{ann}"),
                Some(json!({"version": 1, "role": "manager"})),
            ),
            (Method::DELETE, format!("/api/organizations/{acme}/members/{ann}"), None),
        ],
    )
    .await;
    let d = detail(&app, acme).await;
    assert_eq!((d["member_count"].as_i64(), d["manager_count"].as_i64()), (Some(1), Some(0)), "nothing changed");
    assert_eq!(customer_org(&app, bob).await, Value::Null);
}
