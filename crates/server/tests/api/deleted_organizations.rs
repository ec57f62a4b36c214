//! Deleting an organization with a choice for its members, restoring it, and
//! purging it after the retention (issue #16, point 4).

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{error_body, ok_json, ItemStatus, TestApp};

const DAY_MS: i64 = 86_400_000;

fn now_ms() -> i64 {
    orgdesk_server::time_fmt::now_ms()
}

/// Acme (acme.com) with Ann (an open ticket) and Bo (a closed one), a note, and a
/// project; automatic organizations off so new customers stay where they are put.
struct Acme {
    app: TestApp,
    acme: i64,
    ann: i64,
    bo: i64,
    open_item: i64,
    closed_item: i64,
    project: i64,
}

async fn acme() -> Acme {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let acme = app.create_org("Acme", &["acme.com"]).await.id;
    let ann = app.create_customer("ann@acme.com").await.id;
    let bo = app.create_customer("bo@acme.com").await.id;
    assert_eq!(app.customer(ann).await.organization_id, Some(acme), "the domain rule placed her");
    let project = app.create_project("Support").await.id;
    let open_item = app.create_ticket(project, ann, "Printer", ItemStatus::Open).await.id;
    let closed_item = app.create_ticket(project, bo, "Old", ItemStatus::Closed).await.id;
    let res = app.post(&format!("/api/organizations/{acme}/notes"), json!({"body": "Pays late"})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let entries = json!([{"kind": "phone", "label": "Main", "value": "+49 30 1234567"}]);
    let res = app.put(&format!("/api/organizations/{acme}/contacts"), json!({"version": 1, "entries": entries})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app.put(&format!("/api/projects/{project}/sharing"), json!({"add_organizations": [acme]})).await;
    assert_eq!(res.status(), StatusCode::OK);
    Acme { app, acme, ann, bo, open_item, closed_item, project }
}

async fn delete(app: &TestApp, id: i64, move_to: Option<i64>) -> reqwest::Response {
    match move_to {
        Some(t) => app.delete(&format!("/api/organizations/{id}?move_members_to={t}")).await,
        None => app.delete(&format!("/api/organizations/{id}")).await,
    }
}

async fn restore(app: &TestApp, id: i64) -> reqwest::Response {
    app.post(&format!("/api/deleted-organizations/{id}/restore"), json!({})).await
}

async fn org_total(app: &TestApp) -> i64 {
    ok_json(app.get("/api/organizations").await).await["total"].as_i64().unwrap()
}

#[tokio::test]
async fn the_delete_dialog_counts_members_and_open_and_closed_items() {
    let Acme { app, acme, .. } = acme().await;
    let preview = ok_json(app.get(&format!("/api/organizations/{acme}/deletion")).await).await;
    assert_eq!(
        (&preview["members"], &preview["open_items"], &preview["closed_items"], &preview["retention_days"]),
        (&json!(2), &json!(1), &json!(1), &json!(30))
    );
    error_body(app.get("/api/organizations/99999/deletion").await, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn deleting_and_leaving_members_unassigned_then_restoring_brings_everything_back() {
    let Acme { app, acme, ann, bo, open_item, closed_item, project } = acme().await;
    let before = org_total(&app).await;
    let followers = ok_json(app.get(&format!("/api/projects/{project}/followers")).await).await;
    assert!(followers.to_string().contains("Acme"), "{followers}");
    assert_eq!(delete(&app, acme, None).await.status(), StatusCode::NO_CONTENT);

    // Gone from everything that lists or finds organizations.
    error_body(app.get(&format!("/api/organizations/{acme}")).await, StatusCode::NOT_FOUND, "not_found").await;
    error_body(app.get(&format!("/api/organizations/{acme}/detail")).await, StatusCode::NOT_FOUND, "not_found").await;
    assert_eq!(org_total(&app).await, before - 1, "the organization count left it out");
    let found = ok_json(app.get("/api/organizations?q=Acme").await).await;
    assert_eq!(found["items"], json!([]), "search does not find it");
    assert_eq!(app.customer(ann).await.organization_id, None);
    assert_eq!(app.customer(bo).await.organization_id, None);
    assert_eq!(app.create_customer("cy@acme.com").await.organization_id, None, "its domain no longer places anyone");
    // Writes to it by id find nothing.
    let res = app.post(&format!("/api/organizations/{acme}/notes"), json!({"body": "late"})).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // Its name is free meanwhile.
    let other = app.create_org("Acme", &[]).await.id;
    assert_eq!(app.delete(&format!("/api/organizations/{other}")).await.status(), StatusCode::NO_CONTENT);

    let followers = ok_json(app.get(&format!("/api/projects/{project}/followers")).await).await;
    assert!(!followers.to_string().contains("Acme"), "the project no longer lists it as a follower: {followers}");
    // Items keep a record of it.
    for item in [open_item, closed_item] {
        assert_eq!(app.item(item).await.organization_id, None);
        let former: Vec<(Option<i64>, Option<String>)> = app
            .rows_for("SELECT former_organization_id, former_organization_name FROM items WHERE id = $1", item)
            .await;
        assert_eq!(former, [(Some(acme), Some("Acme".to_string()))]);
    }

    // Administration > Deleted organizations lists it with who, when and how many.
    let page = ok_json(app.get("/api/deleted-organizations").await).await;
    let row = page["items"].as_array().unwrap().iter().find(|r| r["id"] == acme).expect("listed").clone();
    assert_eq!(
        (&row["name"], &row["member_count"], &row["domains"]),
        (&json!("Acme"), &json!(2), &json!(["acme.com"]))
    );
    assert!(row["deleted_by"].as_str().is_some_and(|n| !n.is_empty()), "{row}");
    assert_eq!(page["retention_days"], 30);

    let outcome = ok_json(restore(&app, acme).await).await;
    assert_eq!((&outcome["members_restored"], &outcome["members_stayed"]), (&json!(2), &json!(0)));
    assert_eq!(outcome["domains_restored"], json!(["acme.com"]));
    assert_eq!(outcome["domains_taken"], json!([]));
    assert_eq!(outcome["items_restored"], 2);
    assert_eq!(org_total(&app).await, before);
    assert_eq!(app.customer(ann).await.organization_id, Some(acme));
    assert_eq!(app.customer(bo).await.organization_id, Some(acme));
    assert_eq!(app.item(open_item).await.organization_id, Some(acme));
    assert_eq!(app.item(closed_item).await.organization_id, Some(acme), "closed items come back too");
    let notes = ok_json(app.get(&format!("/api/organizations/{acme}/notes")).await).await;
    assert_eq!(notes["items"][0]["body"], "Pays late");
    let detail = ok_json(app.get(&format!("/api/organizations/{acme}/detail")).await).await;
    assert_eq!(detail["contacts"][0]["value"], "+49 30 1234567", "contacts kept");
    assert_eq!(detail["projects"][0]["name"], "Support", "the project it follows, kept");
    let history = ok_json(app.get(&format!("/api/organizations/{acme}/history")).await).await;
    let actions: Vec<&str> =
        history["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(
        actions.contains(&"deleted") && actions.contains(&"restored") && actions.contains(&"created"),
        "{actions:?}"
    );
    assert_eq!(app.create_customer("di@acme.com").await.organization_id, Some(acme), "the domain rule again");
    let page = ok_json(app.get("/api/deleted-organizations").await).await;
    assert!(page["items"].as_array().unwrap().iter().all(|r| r["id"] != acme), "no longer listed as deleted");
    app.assert_counters_match().await;
}

#[tokio::test]
async fn deleting_and_moving_members_brings_back_only_those_who_did_not_move_since() {
    let Acme { app, acme, ann, bo, open_item, closed_item, .. } = acme().await;
    let globex = app.create_org("Globex", &[]).await.id;
    let initech = app.create_org("Initech", &[]).await.id;
    error_body(
        app.delete(&format!("/api/organizations/{acme}?move_members_to={acme}")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    error_body(
        app.delete(&format!("/api/organizations/{acme}?move_members_to=99999")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(delete(&app, acme, Some(globex)).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.customer(ann).await.organization_id, Some(globex));
    assert_eq!(app.customer(bo).await.organization_id, Some(globex));
    assert_eq!(app.item(open_item).await.organization_id, Some(globex), "open items follow their requester");
    assert_eq!(app.item(closed_item).await.organization_id, None, "closed items keep only the record");
    let globex_history = ok_json(app.get(&format!("/api/organizations/{globex}/history")).await).await;
    assert!(globex_history.to_string().contains("moved in"), "{globex_history}");

    // Bo moves on; Ann stays where the deletion put her.
    app.move_customers(&[bo], Some(initech)).await;
    let outcome = ok_json(restore(&app, acme).await).await;
    assert_eq!((&outcome["members_restored"], &outcome["members_stayed"]), (&json!(1), &json!(1)));
    assert_eq!(app.customer(ann).await.organization_id, Some(acme));
    assert_eq!(app.customer(bo).await.organization_id, Some(initech), "who moved since stays");
    assert_eq!(app.item(open_item).await.organization_id, Some(acme), "her open item came back with her");
    assert_eq!(app.item(closed_item).await.organization_id, Some(acme));
    app.assert_counters_match().await;
}

#[tokio::test]
async fn a_restore_reports_domains_taken_since_and_refuses_a_name_taken_since() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let acme = app.create_org("Acme", &["acme.com", "acme.io"]).await.id;
    assert_eq!(delete(&app, acme, None).await.status(), StatusCode::NO_CONTENT);
    let taker = app.create_org("Acme Two", &["acme.com"]).await.id;
    let namesake = app.create_org("ACME", &[]).await.id;
    let body = error_body(restore(&app, acme).await, StatusCode::CONFLICT, "conflict").await;
    assert!(body["fields"]["name"].as_str().unwrap().contains("Acme"), "{body}");
    let v = ok_json(app.get(&format!("/api/organizations/{namesake}/detail")).await).await["version"].clone();
    let res =
        app.patch(&format!("/api/organizations/{namesake}/detail"), json!({"version": v, "name": "Acme Old"})).await;
    assert_eq!(res.status(), StatusCode::OK);

    let outcome = ok_json(restore(&app, acme).await).await;
    assert_eq!(outcome["domains_restored"], json!(["acme.io"]));
    assert_eq!(
        outcome["domains_taken"],
        json!([{"domain": "acme.com", "organization_id": taker, "organization_name": "Acme Two"}])
    );
    let org = ok_json(app.get(&format!("/api/organizations/{acme}")).await).await;
    assert_eq!(org["domains"], json!(["acme.io"]));
    let taker_org = ok_json(app.get(&format!("/api/organizations/{taker}")).await).await;
    assert_eq!(taker_org["domains"], json!(["acme.com"]), "the taker keeps it");
}

#[tokio::test]
async fn parent_and_children_links_come_back_where_nothing_took_their_place() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let parent = app.create_org("Holding", &[]).await.id;
    let mid = app.create_org("Acme", &[]).await.id;
    let kid = app.create_org("Acme East", &[]).await.id;
    let other_kid = app.create_org("Acme West", &[]).await.id;
    let adopter = app.create_org("Globex", &[]).await.id;
    for (org, p) in [(mid, parent), (kid, mid), (other_kid, mid)] {
        let v = ok_json(app.get(&format!("/api/organizations/{org}/detail")).await).await["version"].clone();
        let res = app.patch(&format!("/api/organizations/{org}/detail"), json!({"version": v, "parent_id": p})).await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    assert_eq!(delete(&app, mid, None).await.status(), StatusCode::NO_CONTENT);
    let kid_detail = ok_json(app.get(&format!("/api/organizations/{kid}/detail")).await).await;
    assert_eq!(kid_detail["parent"], Value::Null, "a child of a deleted organization has no parent meanwhile");
    let holding = ok_json(app.get(&format!("/api/organizations/{parent}/detail")).await).await;
    assert_eq!(holding["children"], json!([]), "a deleted child is not listed");
    let v = ok_json(app.get(&format!("/api/organizations/{other_kid}/detail")).await).await["version"].clone();
    let res =
        app.patch(&format!("/api/organizations/{other_kid}/detail"), json!({"version": v, "parent_id": adopter})).await;
    assert_eq!(res.status(), StatusCode::OK);

    let outcome = ok_json(restore(&app, mid).await).await;
    assert_eq!(outcome["children_restored"], 1);
    let detail = ok_json(app.get(&format!("/api/organizations/{mid}/detail")).await).await;
    assert_eq!(detail["parent"]["id"], parent);
    let children: Vec<i64> = detail["children"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(children, [kid], "the child adopted since stays with its new parent");
}

#[tokio::test]
async fn a_deleted_organization_is_purged_after_the_retention_and_not_before() {
    let Acme { app, acme, open_item, .. } = acme().await;
    let before = org_total(&app).await;
    let deleted_at = now_ms();
    assert_eq!(delete(&app, acme, None).await.status(), StatusCode::NO_CONTENT);
    let purge =
        |days: i64| orgdesk_server::db::organizations::deleted::purge_expired(&app.db, deleted_at + days * DAY_MS);
    assert_eq!(purge(29).await.unwrap(), 0, "29 days on, it is still kept");
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM organization_notes WHERE organization_id = {acme}")).await, 1);
    assert_eq!(purge(31).await.unwrap(), 1, "31 days on, it is purged");
    error_body(restore(&app, acme).await, StatusCode::NOT_FOUND, "not_found").await;
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM organizations WHERE id = {acme}")).await, 0);
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM organization_notes WHERE organization_id = {acme}")).await, 0);
    assert_eq!(
        app.scalar(&format!("SELECT COUNT(*) FROM deleted_organization_members WHERE organization_id = {acme}")).await,
        0
    );
    assert_eq!(org_total(&app).await, before - 1, "the purge did not count it twice");
    let former: Vec<(Option<String>,)> =
        app.rows_for("SELECT former_organization_name FROM items WHERE id = $1", open_item).await;
    assert_eq!(former, [(Some("Acme".to_string()),)], "items still say which organization they had");
    let audit = ok_json(app.get("/api/audit?action=organization_purged").await).await;
    assert_eq!(audit["items"][0]["target_label"], "Acme", "{audit}");
    app.assert_counters_match().await;
}

#[tokio::test]
async fn the_retention_is_configurable_within_bounds() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    for bad in [0, 366, -1] {
        let res = app.put("/api/deleted-organizations/retention", json!({"retention_days": bad})).await;
        error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    }
    let res = app.put("/api/deleted-organizations/retention", json!({"retention_days": 2})).await;
    assert_eq!(ok_json(res).await["retention_days"], 2);
    assert_eq!(ok_json(app.get("/api/deleted-organizations/retention").await).await["retention_days"], 2);
    let acme = app.create_org("Acme", &[]).await.id;
    let deleted_at = now_ms();
    assert_eq!(delete(&app, acme, None).await.status(), StatusCode::NO_CONTENT);
    let purge =
        |days: i64| orgdesk_server::db::organizations::deleted::purge_expired(&app.db, deleted_at + days * DAY_MS);
    assert_eq!(purge(1).await.unwrap(), 0);
    assert_eq!(purge(3).await.unwrap(), 1, "purged after two days");
}

#[tokio::test]
async fn agents_may_preview_but_only_admins_list_restore_and_set_the_retention() {
    let Acme { app, acme, .. } = acme().await;
    let (agent, _) = app.signed_in_agent("agent@example.com").await;
    assert_eq!(agent.get(&format!("/api/organizations/{acme}/deletion")).await.status(), StatusCode::OK);
    assert_eq!(delete(&agent, acme, None).await.status(), StatusCode::FORBIDDEN, "agents may not delete by default");
    assert_eq!(delete(&app, acme, None).await.status(), StatusCode::NO_CONTENT);
    for res in [
        agent.get("/api/deleted-organizations").await,
        restore(&agent, acme).await,
        agent.get("/api/deleted-organizations/retention").await,
        agent.put("/api/deleted-organizations/retention", json!({"retention_days": 5})).await,
    ] {
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
    }
    assert_eq!(restore(&app, acme).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_delete_racing_an_edit_and_two_restores_racing_never_fail_with_a_server_error() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    for round in 0..4 {
        let id = app.create_org(&format!("Race {round}"), &[&format!("race{round}.com")]).await.id;
        let v = ok_json(app.get(&format!("/api/organizations/{id}/detail")).await).await["version"].clone();
        let path = format!("/api/organizations/{id}/detail");
        let (deleted, edited) =
            tokio::join!(delete(&app, id, None), app.patch(&path, json!({"version": v, "summary": "edited"})));
        assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
        assert!(
            [StatusCode::OK, StatusCode::NOT_FOUND, StatusCode::CONFLICT].contains(&edited.status()),
            "edit racing a delete: {}",
            edited.status()
        );
        let (a, b) = tokio::join!(restore(&app, id), restore(&app, id));
        let mut statuses = [a.status(), b.status()];
        statuses.sort();
        assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT], "one restore wins, the other is told");
        let (a, b) = tokio::join!(delete(&app, id, None), delete(&app, id, None));
        let mut statuses = [a.status(), b.status()];
        statuses.sort();
        assert_eq!(statuses, [StatusCode::NO_CONTENT, StatusCode::NOT_FOUND]);
    }
    app.assert_counters_match().await;
}

/// An organization of 10,000 members with 1,000 items is deleted (members moved) and
/// restored whole, counters right. Not a timed test: it prints both times (`--nocapture`).
#[tokio::test]
async fn an_organization_of_ten_thousand_members_is_deleted_and_restored_whole() {
    use orgdesk_server::db::query;
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let acme = app.create_org("Acme", &["acme.example"]).await.id;
    let globex = app.create_org("Globex", &[]).await.id;
    let project = app.create_project("Support").await.id;
    query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000) \
         INSERT INTO customers (email, first_name, last_name, sort_name, created_at) \
         SELECT 'c' || i || '@acme.example', 'C', 'A', 'c a', 0 FROM n",
    )
    .execute(&app.db)
    .await
    .unwrap();
    query("INSERT INTO memberships (customer_id, organization_id) SELECT id, $1 FROM customers")
        .bind(acme)
        .execute(&app.db)
        .await
        .unwrap();
    query(
        "INSERT INTO items (project_id, item_type, title, status, priority, requester_id, organization_id, created_at, updated_at) \
         SELECT $1, 'ticket', 'T', CASE WHEN id % 20 = 0 THEN 'open' ELSE 'closed' END, 'normal', id, $2, 0, 0 \
         FROM customers WHERE id % 10 = 0",
    )
    .bind(project)
    .bind(acme)
    .execute(&app.db)
    .await
    .unwrap();
    let started = std::time::Instant::now();
    assert_eq!(delete(&app, acme, Some(globex)).await.status(), StatusCode::NO_CONTENT);
    let deleted = started.elapsed();
    let started = std::time::Instant::now();
    let outcome = ok_json(restore(&app, acme).await).await;
    let restored = started.elapsed();
    assert_eq!((&outcome["members_restored"], &outcome["items_restored"]), (&json!(10_000), &json!(1_000)));
    println!(
        "delete (10,000 members moved, 1,000 items) {deleted:?}, restore {restored:?} on {} ({} build)",
        app.db.dialect(),
        if cfg!(debug_assertions) { "debug" } else { "release" }
    );
    app.assert_counters_match().await;
}
