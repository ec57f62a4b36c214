//! Parent and child organizations: the pickers' loop reasons, the depth limit,
//! children added by id or created by name, unlinking that deletes nothing, and the
//! Tickets tab's "Include child organizations".

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::*;
use crate::support::*;

async fn set_parent(app: &TestApp, org: i64, parent: Option<i64>) -> reqwest::Response {
    let v = version(app, org).await;
    app.patch(&format!("/api/organizations/{org}/detail"), json!({"version": v, "parent_id": parent})).await
}

#[tokio::test]
async fn a_parent_that_would_close_a_loop_is_refused_with_the_reason() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    // root ─ mid ─ leaf ─ tip
    let root = app.create_org("Root", &[]).await.id;
    let mid = app.create_org("Mid", &[]).await.id;
    let leaf = app.create_org("Leaf", &[]).await.id;
    let tip = app.create_org("Tip", &[]).await.id;
    ok_json(set_parent(&app, mid, Some(root)).await).await;
    ok_json(set_parent(&app, leaf, Some(mid)).await).await;
    ok_json(set_parent(&app, tip, Some(leaf)).await).await;
    for (parent, reason) in [
        (root, "An organization cannot be its own parent."),
        (mid, "Mid is a child of this organization, so it cannot be its parent."),
        (leaf, "Leaf is below this organization in the hierarchy, so it cannot be its parent."),
        (tip, "Tip is below this organization in the hierarchy, so it cannot be its parent."),
    ] {
        let v = version(&app, root).await;
        let e = error_body(set_parent(&app, root, Some(parent)).await, StatusCode::UNPROCESSABLE_ENTITY, "validation")
            .await;
        assert_eq!(e["fields"]["parent_id"], reason);
        assert_eq!(version(&app, root).await, v, "nothing changed");
    }
    assert_eq!(detail(&app, root).await["parent"], Value::Null);
    let e =
        error_body(set_parent(&app, root, Some(999999)).await, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(e["fields"]["parent_id"].is_string());

    // Re-parenting higher up is fine, and records history on all three.
    let d = ok_json(set_parent(&app, tip, Some(root)).await).await;
    assert_eq!(d["parent"], json!({"id": root, "name": "Root"}));
    assert_eq!(history(&app, tip).await[0]["summary"], "Parent set to Root");
    assert_eq!(history(&app, root).await[0]["summary"], "Added child Tip");
    assert_eq!(history(&app, leaf).await[0]["summary"], "Tip is no longer a child");
    assert_eq!(detail(&app, leaf).await["children"], json!([]));
    let d = ok_json(set_parent(&app, tip, None).await).await;
    assert_eq!(d["parent"], Value::Null);
    assert_eq!(history(&app, tip).await[0]["action"], "parent_removed");
}

#[tokio::test]
async fn a_hierarchy_deeper_than_the_limit_is_refused() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let mut chain = Vec::new();
    for i in 0..32 {
        let id = app.create_org(&format!("Level {i:02}"), &[]).await.id;
        if let Some(&above) = chain.last() {
            ok_json(set_parent(&app, id, Some(above)).await).await;
        }
        chain.push(id);
    }
    let extra = app.create_org("Too deep", &[]).await.id;
    let e = error_body(set_parent(&app, extra, Some(chain[31])).await, StatusCode::UNPROCESSABLE_ENTITY, "validation")
        .await;
    assert_eq!(e["fields"]["parent_id"], "A hierarchy has at most 32 levels.");
    ok_json(set_parent(&app, extra, Some(chain[30])).await).await;
}

#[tokio::test]
async fn setting_a_parent_transfers_nothing_else() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let parent = app.create_org("Parent", &["parent.com"]).await.id;
    let kid = app.create_org("Kid", &["kid.com"]).await.id;
    let p_member = app.create_customer("a@parent.com").await.id;
    let k_member = app.create_customer("b@kid.com").await.id;
    let before = detail(&app, kid).await;
    let d = ok_json(set_parent(&app, kid, Some(parent)).await).await;
    assert_eq!(d["name"], before["name"]);
    assert_eq!(d["domains"], before["domains"]);
    assert_eq!(d["member_count"], 1);
    let p = detail(&app, parent).await;
    assert_eq!(p["name"], "Parent");
    assert_eq!(p["domains"], json!(["parent.com"]));
    assert_eq!(p["member_count"], 1);
    assert_eq!(p["children"], json!([{"id": kid, "name": "Kid"}]));
    assert_eq!(customer_org(&app, p_member).await, parent);
    assert_eq!(customer_org(&app, k_member).await, kid);
}

#[tokio::test]
async fn the_picker_greys_out_choices_that_would_loop() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let acme = app.create_org("Acme", &[]).await.id;
    let kid = app.create_org("Acme Kid", &[]).await.id;
    let grandkid = app.create_org("Acme Grandkid", &[]).await.id;
    let top = app.create_org("Acme Top", &[]).await.id;
    let free = app.create_org("Free", &[]).await.id;
    ok_json(set_parent(&app, kid, Some(acme)).await).await;
    ok_json(set_parent(&app, grandkid, Some(kid)).await).await;
    ok_json(set_parent(&app, acme, Some(top)).await).await;
    let reasons = |list: &Value| -> Vec<(i64, Value)> {
        list.as_array().unwrap().iter().map(|c| (c["id"].as_i64().unwrap(), c["disabled_reason"].clone())).collect()
    };
    let list = ok_json(app.get(&format!("/api/organizations/{acme}/relatives?relation=parent&q=acme")).await).await;
    assert_eq!(
        reasons(&list),
        [
            (acme, json!("An organization cannot be its own parent.")),
            (grandkid, json!("Acme Grandkid is below this organization in the hierarchy, so it cannot be its parent.")),
            (kid, json!("Acme Kid is a child of this organization, so it cannot be its parent.")),
            (top, Value::Null),
        ]
    );
    let list = ok_json(app.get(&format!("/api/organizations/{acme}/relatives?relation=child")).await).await;
    assert_eq!(
        reasons(&list),
        [
            (acme, json!("An organization cannot be its own parent.")),
            (grandkid, Value::Null),
            (kid, json!("Acme Kid is already a child of this organization.")),
            (top, json!("Acme is a child of this organization, so it cannot be its parent.")),
            (free, Value::Null),
        ]
    );
    assert_eq!(list[4]["name"], "Free");
    let list = ok_json(app.get(&format!("/api/organizations/{acme}/relatives?relation=parent&q=fr")).await).await;
    assert_eq!(reasons(&list), [(free, Value::Null)]);
    for query in ["", "?relation=sibling"] {
        let e = error_body(
            app.get(&format!("/api/organizations/{acme}/relatives{query}")).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        )
        .await;
        assert!(e["fields"]["relation"].is_string());
    }
    let long = "x".repeat(101);
    error_body(
        app.get(&format!("/api/organizations/{acme}/relatives?relation=parent&q={long}")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    error_body(
        app.get("/api/organizations/999999/relatives?relation=parent").await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn children_are_added_by_id_or_created_by_name_and_unlinked_without_deleting() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let acme = app.create_org("Acme", &[]).await.id;
    let top = app.create_org("Top", &[]).await.id;
    let other = app.create_org("Other", &["other.com"]).await.id;
    let member = app.create_customer("m@other.com").await.id;
    ok_json(set_parent(&app, acme, Some(top)).await).await;
    let path = format!("/api/organizations/{acme}/children");

    let v = version(&app, acme).await;
    let d = ok_json(app.post(&path, json!({"version": v, "child_id": other})).await).await;
    assert_eq!(d["children"], json!([{"id": other, "name": "Other"}]));
    assert_eq!(d["version"], v + 1);
    let v = v + 1;
    let d = ok_json(app.post(&path, json!({"version": v, "create_name": "  New Branch "})).await).await;
    let created = d["children"][0]["id"].as_i64().unwrap();
    assert_eq!(d["children"][0]["name"], "New Branch");
    assert_eq!(detail(&app, created).await["parent"]["id"], acme);
    assert_eq!(history(&app, acme).await[0]["summary"], "Created and added child New Branch");
    assert_eq!(history(&app, created).await[0]["summary"], "Parent set to Acme");

    // Refusals, each changing nothing.
    let v = version(&app, acme).await;
    for (body, status, field) in [
        (json!({"version": v, "child_id": acme}), StatusCode::UNPROCESSABLE_ENTITY, "child_id"),
        (json!({"version": v, "child_id": top}), StatusCode::UNPROCESSABLE_ENTITY, "child_id"),
        (json!({"version": v, "child_id": other}), StatusCode::UNPROCESSABLE_ENTITY, "child_id"),
        (json!({"version": v, "child_id": 999999}), StatusCode::UNPROCESSABLE_ENTITY, "child_id"),
        (json!({"version": v}), StatusCode::UNPROCESSABLE_ENTITY, "child_id"),
        (json!({"version": v, "child_id": other, "create_name": "X"}), StatusCode::UNPROCESSABLE_ENTITY, "child_id"),
        (json!({"version": v, "create_name": " "}), StatusCode::UNPROCESSABLE_ENTITY, "create_name"),
        (json!({"version": v, "create_name": "TOP"}), StatusCode::CONFLICT, "create_name"),
        (json!({"version": v - 1, "child_id": top}), StatusCode::CONFLICT, "version"),
    ] {
        let code = if status == StatusCode::CONFLICT { "conflict" } else { "validation" };
        let e = error_body(app.post(&path, body.clone()).await, status, code).await;
        assert!(e["fields"][field].is_string(), "{body} -> {e}");
    }
    let e = error_body(
        app.post(&path, json!({"version": v, "child_id": top})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(e["fields"]["child_id"], "Acme is a child of this organization, so it cannot be its parent.");
    assert_eq!(version(&app, acme).await, v);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM organizations").await, 4);

    // Unlinking deletes nothing.
    let d = ok_json(app.delete(&format!("{path}/{other}?version={v}")).await).await;
    assert_eq!(d["children"], json!([{"id": created, "name": "New Branch"}]));
    let o = detail(&app, other).await;
    assert_eq!(o["parent"], Value::Null);
    assert_eq!(o["domains"], json!(["other.com"]));
    assert_eq!(o["member_count"], 1);
    assert_eq!(customer_org(&app, member).await, other);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM organizations").await, 4);
    assert_eq!(history(&app, other).await[0]["summary"], "Parent Acme removed");
    assert_eq!(history(&app, acme).await[0]["summary"], "Other is no longer a child");
    let v = version(&app, acme).await;
    error_body(app.delete(&format!("{path}/{other}?version={v}")).await, StatusCode::NOT_FOUND, "not_found").await;
    error_body(app.delete(&format!("{path}/{created}")).await, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    error_body(app.delete(&format!("{path}/{created}?version={}", v - 1)).await, StatusCode::CONFLICT, "conflict")
        .await;
    assert_eq!(detail(&app, created).await["parent"]["id"], acme);
}

#[tokio::test]
async fn the_tickets_tab_can_include_the_children_items() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let acme = app.create_org("Acme", &["acme.com"]).await.id;
    let kid = app.create_org("Kid", &["kid.com"]).await.id;
    let grandkid = app.create_org("Grandkid", &["grand.com"]).await.id;
    let stranger = app.create_org("Stranger", &["stranger.com"]).await.id;
    ok_json(set_parent(&app, kid, Some(acme)).await).await;
    ok_json(set_parent(&app, grandkid, Some(kid)).await).await;
    let p = app.create_project("Support").await.id;
    let a = app.create_ticket(p, app.create_customer("a@acme.com").await.id, "A", ItemStatus::New).await.id;
    let k = app.create_ticket(p, app.create_customer("k@kid.com").await.id, "K", ItemStatus::Open).await.id;
    let g = app.create_ticket(p, app.create_customer("g@grand.com").await.id, "G", ItemStatus::Open).await.id;
    app.create_ticket(p, app.create_customer("s@stranger.com").await.id, "S", ItemStatus::Open).await;
    let ids = |page: &Value| -> Vec<i64> {
        page["items"].as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect()
    };
    let page = ok_json(app.get(&format!("/api/items?organization={acme}")).await).await;
    assert_eq!(ids(&page), [a]);
    assert_eq!(page["total"], 1);
    let page = ok_json(app.get(&format!("/api/items?organization={acme}&include_children=true")).await).await;
    assert_eq!(ids(&page), [g, k, a]);
    assert_eq!(page["total"], 3);
    let page =
        ok_json(app.get(&format!("/api/items?organization={kid}&include_children=true&status=open")).await).await;
    assert_eq!(ids(&page), [g, k]);
    let page = ok_json(app.get(&format!("/api/items?organization={acme}&include_children=false")).await).await;
    assert_eq!(ids(&page), [a]);
    let groups =
        ok_json(app.get(&format!("/api/items/groups?group_by=status&organization={acme}&include_children=true")).await)
            .await;
    let counts: Vec<(String, i64)> = groups["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["key"].as_str().unwrap().to_string(), g["count"].as_i64().unwrap()))
        .collect();
    assert_eq!(counts, [("new".to_string(), 1), ("open".to_string(), 2)]);
    let groups = ok_json(
        app.get(&format!("/api/items/groups?group_by=organization&organization={acme}&include_children=true")).await,
    )
    .await;
    assert_eq!(groups["total_items"], 3);
    assert_eq!(groups["total_groups"], 3);
    let _ = stranger;
    let e = error_body(
        app.get(&format!("/api/items?organization={acme}&include_children=maybe")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert!(e["fields"]["include_children"].is_string());
    // Unlinking the child takes its items out of the parent's tab.
    let v = version(&app, acme).await;
    ok_json(app.delete(&format!("/api/organizations/{acme}/children/{kid}?version={v}")).await).await;
    let page = ok_json(app.get(&format!("/api/items?organization={acme}&include_children=true")).await).await;
    assert_eq!(ids(&page), [a]);
}

#[tokio::test]
async fn the_pickers_and_changes_to_children_need_a_session() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let acme = app.create_org("Acme", &[]).await.id;
    let kid = app.create_org("Kid", &[]).await.id;
    ok_json(set_parent(&app, kid, Some(acme)).await).await;
    let v = version(&app, acme).await;
    assert_each_needs_a_session(
        &app,
        vec![
            (Method::GET, format!("/api/organizations/{acme}/relatives?relation=parent"), None),
            (
                Method::POST,
                format!("/api/organizations/{acme}/children"),
                Some(json!({"version": v, "create_name": "X"})),
            ),
            (Method::DELETE, format!("/api/organizations/{acme}/children/{kid}?version={v}"), None),
        ],
    )
    .await;
    assert_eq!(detail(&app, acme).await["children"], json!([{"id": kid, "name": "Kid"}]), "nothing changed");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM organizations").await, 2);
}
