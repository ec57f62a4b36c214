//! The organization detail panel (issue #5): the detail, in-place edits with the
//! version check, domains and the move of matching existing customers, members,
//! the hierarchy, the history, the Tickets tab's include_children, and bad input.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::support::*;
use crate::work::{assert_counters_match, count, customer, org, project, ticket};

async fn ok_json(res: reqwest::Response) -> Value {
    let status = res.status();
    let body = res.text().await.unwrap();
    assert!(status.is_success(), "{status}: {body}");
    serde_json::from_str(&body).unwrap()
}

async fn detail(app: &TestApp, id: i64) -> Value {
    ok_json(app.get(&format!("/api/organizations/{id}/detail")).await).await
}

async fn version(app: &TestApp, id: i64) -> i64 {
    detail(app, id).await["version"].as_i64().unwrap()
}

async fn history(app: &TestApp, id: i64) -> Vec<Value> {
    let page = ok_json(app.get(&format!("/api/organizations/{id}/history?limit=200")).await).await;
    page["items"].as_array().unwrap().clone()
}

fn actions(entries: &[Value]) -> Vec<String> {
    entries.iter().map(|e| e["action"].as_str().unwrap().to_string()).collect()
}

async fn delete(app: &TestApp, path: &str) -> reqwest::Response {
    app.call(Method::DELETE, path, None).await
}

/// A signed-in admin with automatic organizations off, so customers can be unassigned.
async fn setup() -> TestApp {
    let app = TestApp::spawn_admin().await;
    let res = app.patch("/api/settings", json!({"auto_create_organizations": false})).await;
    assert_eq!(res.status(), StatusCode::OK);
    app
}

async fn move_to(app: &TestApp, ids: &[i64], organization: Option<i64>) {
    let res = app.post("/api/customers/move", json!({"customer_ids": ids, "organization_id": organization})).await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
}

async fn customer_org(app: &TestApp, id: i64) -> Value {
    ok_json(app.get(&format!("/api/customers/{id}")).await).await["organization_id"].clone()
}

async fn item_org(app: &TestApp, id: i64) -> Value {
    ok_json(app.get(&format!("/api/items/{id}")).await).await["organization_id"].clone()
}

async fn set_status(app: &TestApp, item: i64, status: &str) {
    ok_json(app.patch(&format!("/api/items/{item}"), json!({"status": status})).await).await;
}

#[tokio::test]
async fn every_route_needs_a_session() {
    let app = setup().await;
    let acme = org(&app, "Acme", &[]).await;
    let anon = app.other_client();
    for (method, path, body) in [
        (Method::GET, format!("/api/organizations/{acme}/detail"), None),
        (Method::PATCH, format!("/api/organizations/{acme}/detail"), Some(json!({"version": 1, "name": "X"}))),
        (Method::POST, format!("/api/organizations/{acme}/domain-matches"), Some(json!({"domain": "acme.com"}))),
        (Method::POST, format!("/api/organizations/{acme}/domains"), Some(json!({"domain": "acme.com", "version": 1}))),
        (Method::DELETE, format!("/api/organizations/{acme}/domains/acme.com?members=stay&version=1"), None),
        (Method::GET, format!("/api/organizations/{acme}/members"), None),
        (Method::POST, format!("/api/organizations/{acme}/members"), Some(json!({"customer_id": 1}))),
        (Method::PATCH, format!("/api/organizations/{acme}/members/1"), Some(json!({"version": 1}))),
        (Method::DELETE, format!("/api/organizations/{acme}/members/1"), None),
        (Method::GET, format!("/api/organizations/{acme}/relatives?relation=parent"), None),
        (Method::POST, format!("/api/organizations/{acme}/children"), Some(json!({"version": 1, "create_name": "X"}))),
        (Method::DELETE, format!("/api/organizations/{acme}/children/2?version=1"), None),
        (Method::GET, format!("/api/organizations/{acme}/history"), None),
    ] {
        let res = anon.call(method.clone(), &path, body).await;
        error_body(res, StatusCode::UNAUTHORIZED, "unauthorized").await;
    }
    assert_eq!(detail(&app, acme).await["name"], "Acme", "nothing changed");
    assert_eq!(history(&app, acme).await.len(), 0);
}

#[tokio::test]
async fn the_detail_shows_everything_about_the_organization() {
    let app = setup().await;
    let acme = org(&app, "Acme", &["acme.com", "acme.io"]).await;
    let parent = org(&app, "Holding", &[]).await;
    let child_b = org(&app, "Beta", &[]).await;
    let child_a = org(&app, "Alpha", &[]).await;
    let v = version(&app, acme).await;
    ok_json(app.patch(&format!("/api/organizations/{acme}/detail"), json!({"version": v, "parent_id": parent})).await)
        .await;
    for c in [child_b, child_a] {
        let v = version(&app, acme).await;
        ok_json(app.post(&format!("/api/organizations/{acme}/children"), json!({"version": v, "child_id": c})).await)
            .await;
    }
    let ann = customer(&app, "ann@acme.com").await;
    let bob = customer(&app, "bob@acme.com").await;
    let v = version(&app, acme).await;
    ok_json(
        app.patch(&format!("/api/organizations/{acme}/members/{bob}"), json!({"version": v, "role": "manager"})).await,
    )
    .await;
    let p = project(&app, "Support").await;
    ticket(&app, p, ann, "One", "new").await;
    ticket(&app, p, ann, "Two", "open").await;
    ticket(&app, p, bob, "Three", "open").await;
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
    let app = setup().await;
    let acme = org(&app, "Acme", &[]).await;
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
    let c = customer(&app, "ann@x.com").await;
    move_to(&app, &[c], Some(acme)).await;
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
    assert_eq!(count(&app, "SELECT COUNT(*) FROM organizations WHERE name_key = 'kid'").await, 0);

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
    let app = setup().await;
    let acme = org(&app, "Acme", &[]).await;
    org(&app, "Globex", &[]).await;
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
    assert_eq!(page["total"], 2);
    assert_eq!(page["items"][0]["action"], "renamed");
    error_body(
        app.get(&format!("/api/organizations/{acme}/history?limit=0")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    error_body(app.get("/api/organizations/999999/history").await, StatusCode::NOT_FOUND, "not_found").await;
}

/// Acme (the panel's organization, with ann@acme.com already a member), Old (with
/// bob and cat @acme.com, and dan@old.com), Other (with eve@acme.com) and unassigned
/// fay and gus @acme.com, hal@other.com and ida@eu.acme.com.
struct World {
    app: TestApp,
    acme: i64,
    old: i64,
    other: i64,
    ann: i64,
    bob: i64,
    cat: i64,
    dan: i64,
    eve: i64,
    fay: i64,
    gus: i64,
    hal: i64,
    ida: i64,
}

async fn world() -> World {
    let app = setup().await;
    let acme = org(&app, "Acme", &[]).await;
    let old = org(&app, "Old", &[]).await;
    let other = org(&app, "Other", &[]).await;
    let ann = customer(&app, "ann@acme.com").await;
    let bob = customer(&app, "bob@acme.com").await;
    let cat = customer(&app, "cat@acme.com").await;
    let dan = customer(&app, "dan@old.com").await;
    let eve = customer(&app, "eve@acme.com").await;
    let fay = customer(&app, "fay@acme.com").await;
    let gus = customer(&app, "gus@acme.com").await;
    let hal = customer(&app, "hal@other.com").await;
    let ida = customer(&app, "ida@eu.acme.com").await;
    move_to(&app, &[ann], Some(acme)).await;
    move_to(&app, &[bob, cat, dan], Some(old)).await;
    move_to(&app, &[eve], Some(other)).await;
    World { app, acme, old, other, ann, bob, cat, dan, eve, fay, gus, hal, ida }
}

#[tokio::test]
async fn domain_matches_count_the_existing_customers_split_by_organization() {
    let w = world().await;
    let app = &w.app;
    let path = format!("/api/organizations/{}/domain-matches", w.acme);
    let m = ok_json(app.post(&path, json!({"domain": " @ACME.com. "})).await).await;
    assert_eq!(m["domain"], "acme.com");
    assert_eq!(m["unassigned_count"], 2);
    let unassigned: Vec<i64> = m["unassigned"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(unassigned, [w.fay, w.gus], "by name; hal (other.com) and ida (eu.acme.com) do not match");
    assert_eq!(m["unassigned"][0]["email"], "fay@acme.com");
    let groups = m["elsewhere"].as_array().unwrap();
    assert_eq!(groups.len(), 2, "ann, already in Acme, is not counted: {m}");
    assert_eq!(groups[0]["organization"], json!({"id": w.old, "name": "Old"}));
    assert_eq!(groups[0]["count"], 2);
    let old_ids: Vec<i64> =
        groups[0]["customers"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(old_ids, [w.bob, w.cat], "dan (old.com) does not match");
    assert_eq!(groups[1]["organization"]["name"], "Other");
    assert_eq!(groups[1]["count"], 1);
    assert_eq!(groups[1]["customers"][0]["id"], w.eve);

    // A wildcard covers subdomains only.
    let m = ok_json(app.post(&path, json!({"domain": "*.acme.com"})).await).await;
    assert_eq!(m["unassigned_count"], 1);
    assert_eq!(m["unassigned"][0]["id"], w.ida);
    assert_eq!(m["elsewhere"], json!([]));

    // Read only.
    assert_eq!(detail(app, w.acme).await["domains"], json!([]));
    assert_eq!(customer_org(app, w.fay).await, Value::Null);

    // Bad input.
    for body in [
        json!({"domain": "not a domain"}),
        json!({"domain": "ann@acme.com"}),
        json!({"domain": "*.com"}),
        json!({"domain": 5}),
    ] {
        let e = error_body(app.post(&path, body.clone()).await, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
        assert!(e["fields"]["domain"].is_string(), "{body} -> {e}");
    }
    error_body(app.post(&path, json!({})).await, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    error_body(
        app.post("/api/organizations/999999/domain-matches", json!({"domain": "acme.com"})).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let v = version(app, w.other).await;
    ok_json(
        app.post(&format!("/api/organizations/{}/domains", w.other), json!({"domain": "acme.org", "version": v})).await,
    )
    .await;
    let e = error_body(app.post(&path, json!({"domain": "ACME.org"})).await, StatusCode::CONFLICT, "conflict").await;
    assert_eq!(e["fields"]["domain"], "acme.org already belongs to Other.");
}

#[tokio::test]
async fn adding_a_domain_moves_only_the_unassigned_when_asked() {
    let w = world().await;
    let app = &w.app;
    let v = version(app, w.acme).await;
    let d = ok_json(
        app.post(
            &format!("/api/organizations/{}/domains", w.acme),
            json!({"domain": "Acme.com", "version": v, "move_unassigned": true}),
        )
        .await,
    )
    .await;
    assert_eq!(d["domains"], json!(["acme.com"]));
    assert_eq!(d["version"], v + 1);
    assert_eq!(d["member_count"], 3, "ann, fay and gus");
    for c in [w.fay, w.gus] {
        assert_eq!(customer_org(app, c).await, w.acme);
    }
    for (c, o) in [(w.bob, w.old), (w.cat, w.old), (w.eve, w.other)] {
        assert_eq!(customer_org(app, c).await, o, "members of other organizations stay");
    }
    assert_eq!(customer_org(app, w.hal).await, Value::Null);
    assert_eq!(customer_org(app, w.ida).await, Value::Null);
    let entries = history(app, w.acme).await;
    assert_eq!(actions(&entries), ["members_moved", "domain_added", "members_moved"], "the last: the setup move");
    assert_eq!(entries[1]["summary"], "Added domain acme.com");
    assert_eq!(entries[0]["summary"], "2 members moved in (2 with no organization)");
    assert_eq!(entries[0]["details"]["count"], 2);
    assert_eq!(entries[0]["details"]["unassigned"], 2);
    // Nothing was recorded for organizations that lost no one by this request.
    let old_moves = history(app, w.old).await.iter().filter(|e| e["action"] == "members_moved").count();
    assert_eq!(old_moves, 1, "only the setup move into Old");
}

#[tokio::test]
async fn adding_a_domain_moves_one_source_organization_with_its_open_items() {
    let w = world().await;
    let app = &w.app;
    let p = project(app, "Support").await;
    let open = ticket(app, p, w.bob, "Open", "open").await;
    let closed = ticket(app, p, w.bob, "Closed", "new").await;
    set_status(app, closed, "closed").await;
    let dans = ticket(app, p, w.dan, "Dan's", "open").await;
    let v = version(app, w.acme).await;
    let d = ok_json(
        app.post(
            &format!("/api/organizations/{}/domains", w.acme),
            json!({"domain": "acme.com", "version": v, "move_from_organizations": [w.old]}),
        )
        .await,
    )
    .await;
    assert_eq!(d["member_count"], 3, "ann, bob and cat");
    assert_eq!(customer_org(app, w.bob).await, w.acme);
    assert_eq!(customer_org(app, w.cat).await, w.acme);
    assert_eq!(customer_org(app, w.dan).await, w.old, "dan@old.com does not match");
    assert_eq!(customer_org(app, w.eve).await, w.other);
    assert_eq!(customer_org(app, w.fay).await, Value::Null);
    assert_eq!(item_org(app, open).await, w.acme, "open items follow");
    assert_eq!(item_org(app, closed).await, w.old, "closed items stay");
    assert_eq!(item_org(app, dans).await, w.old);
    assert_counters_match(app).await;
    let entries = history(app, w.acme).await;
    assert_eq!(entries[0]["action"], "members_moved");
    assert_eq!(entries[0]["summary"], "2 members moved in (2 from Old)");
    assert_eq!(
        entries[0]["details"]["from"],
        json!([{"organization_id": w.old, "organization_name": "Old", "count": 2}])
    );
    let old = history(app, w.old).await;
    assert_eq!(old[0]["action"], "members_moved");
    assert_eq!(old[0]["summary"], "2 members left for Acme");
}

#[tokio::test]
async fn adding_a_domain_moves_picked_individuals_and_groups_together() {
    let w = world().await;
    let app = &w.app;
    let path = format!("/api/organizations/{}/domains", w.acme);
    // Individuals only: one from Old, one unassigned; ann (already a member) is ignored.
    let v = version(app, w.acme).await;
    let d = ok_json(
        app.post(&path, json!({"domain": "acme.com", "version": v, "move_customers": [w.cat, w.fay, w.ann]})).await,
    )
    .await;
    assert_eq!(d["member_count"], 3);
    assert_eq!(customer_org(app, w.cat).await, w.acme);
    assert_eq!(customer_org(app, w.fay).await, w.acme);
    assert_eq!(customer_org(app, w.bob).await, w.old);
    assert_eq!(customer_org(app, w.gus).await, Value::Null);
    assert_eq!(history(app, w.acme).await[0]["summary"], "2 members moved in (1 from Old, 1 with no organization)");

    // Both groups at once, on a second domain (a wildcard) in another organization.
    let v = version(app, w.other).await;
    let d = ok_json(
        app.post(
            &format!("/api/organizations/{}/domains", w.other),
            json!({"domain": "*.acme.com", "version": v, "move_unassigned": true, "move_from_organizations": []}),
        )
        .await,
    )
    .await;
    assert_eq!(d["member_count"], 2, "eve and ida");
    assert_eq!(customer_org(app, w.ida).await, w.other);
    // A wildcard domain is removed by its name in the path.
    let v = version(app, w.other).await;
    let d = ok_json(
        delete(app, &format!("/api/organizations/{}/domains/*.acme.com?members=leave&version={v}", w.other)).await,
    )
    .await;
    assert_eq!(d["domains"], json!([]));
    assert_eq!(customer_org(app, w.ida).await, Value::Null);
    assert_eq!(customer_org(app, w.eve).await, w.other, "eve@acme.com is not covered by *.acme.com");

    // Both: all unassigned and all of Old, plus an individual of Other, on a third organization.
    let third = org(app, "Third", &[]).await;
    move_to(app, &[w.bob, w.cat, w.fay], Some(w.old)).await;
    move_to(app, &[w.gus], None).await;
    let v = version(app, third).await;
    let d = ok_json(
        app.post(
            &format!("/api/organizations/{third}/domains"),
            json!({"domain": "acme.net", "version": v, "move_unassigned": true, "move_from_organizations": [w.old]}),
        )
        .await,
    )
    .await;
    assert_eq!(d["member_count"], 0, "nobody has acme.net");
    assert_eq!(actions(&history(app, third).await), ["domain_added"], "no move, no members_moved entry");
    let v = version(app, w.acme).await;
    ok_json(delete(app, &format!("/api/organizations/{}/domains/acme.com?members=stay&version={v}", w.acme)).await)
        .await;
    let v = version(app, third).await;
    let d = ok_json(
        app.post(
            &format!("/api/organizations/{third}/domains"),
            json!({"domain": "acme.com", "version": v, "move_unassigned": true,
                   "move_from_organizations": [w.old], "move_customers": [w.eve]}),
        )
        .await,
    )
    .await;
    // gus (unassigned), bob, cat, fay (Old), eve (Other).
    assert_eq!(d["member_count"], 5, "{d}");
    assert_eq!(customer_org(app, w.ann).await, w.acme, "Acme was not a chosen source");
    assert_eq!(customer_org(app, w.dan).await, w.old);
    let e = &history(app, third).await[0];
    assert_eq!(e["summary"], "5 members moved in (3 from Old, 1 from Other, 1 with no organization)");
    assert_eq!(history(app, w.other).await[0]["summary"], "1 member left for Third");
}

#[tokio::test]
async fn a_bad_pick_changes_nothing_at_all() {
    let w = world().await;
    let app = &w.app;
    let path = format!("/api/organizations/{}/domains", w.acme);
    let v = version(app, w.acme).await;
    for (body, field) in [
        (
            json!({"domain": "acme.com", "version": v, "move_unassigned": true, "move_customers": [w.bob, 999999]}),
            "move_customers",
        ),
        (
            json!({"domain": "acme.com", "version": v, "move_unassigned": true, "move_customers": [w.hal]}),
            "move_customers",
        ),
        (
            json!({"domain": "acme.com", "version": v, "move_unassigned": true, "move_from_organizations": [999999]}),
            "move_from_organizations",
        ),
        (json!({"domain": "acme.com", "version": v, "move_from_organizations": [w.acme]}), "move_from_organizations"),
        (json!({"domain": "acme.com", "version": v, "move_customers": "all"}), "move_customers"),
        (json!({"domain": "not a domain", "version": v}), "domain"),
        (json!({"domain": "acme.com"}), "body"),
    ] {
        let e = error_body(app.post(&path, body.clone()).await, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
        assert!(e["fields"][field].is_string(), "{body} -> {e}");
    }
    let d = detail(app, w.acme).await;
    assert_eq!(d["domains"], json!([]), "the domain was not added");
    assert_eq!(d["version"], v, "the version did not move");
    assert_eq!(d["member_count"], 1);
    assert_eq!(customer_org(app, w.fay).await, Value::Null);
    assert_eq!(customer_org(app, w.bob).await, w.old);
    assert!(history(app, w.acme).await.iter().all(|e| e["action"] != "domain_added"));
    // A domain another organization owns: 409 naming it.
    ok_json(
        app.post(
            &format!("/api/organizations/{}/domains", w.old),
            json!({"domain": "old.com", "version": version(app, w.old).await}),
        )
        .await,
    )
    .await;
    let e =
        error_body(app.post(&path, json!({"domain": "old.com", "version": v})).await, StatusCode::CONFLICT, "conflict")
            .await;
    assert_eq!(e["fields"]["domain"], "old.com already belongs to Old.");
    assert_eq!(version(app, w.acme).await, v);
    error_body(
        app.post("/api/organizations/999999/domains", json!({"domain": "x.com", "version": 1})).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn removing_a_domain_keeps_or_lets_go_of_its_members() {
    let w = world().await;
    let app = &w.app;
    let p = project(app, "Support").await;
    let path = format!("/api/organizations/{}/domains", w.acme);
    let v = version(app, w.acme).await;
    ok_json(app.post(&path, json!({"domain": "acme.com", "version": v, "move_unassigned": true})).await).await;
    let v = version(app, w.acme).await;
    ok_json(app.post(&path, json!({"domain": "acme.io", "version": v})).await).await;
    let jon = customer(app, "jon@acme.io").await;
    assert_eq!(customer_org(app, jon).await, w.acme, "joined by domain");
    let open = ticket(app, p, w.fay, "Open", "open").await;
    let closed = ticket(app, p, w.fay, "Done", "open").await;
    set_status(app, closed, "resolved").await;

    // Stay: the members keep their organization.
    let v = version(app, w.acme).await;
    let d = ok_json(delete(app, &format!("{path}/acme.io?members=stay&version={v}")).await).await;
    assert_eq!(d["domains"], json!(["acme.com"]));
    assert_eq!(d["member_count"], 4);
    assert_eq!(customer_org(app, jon).await, w.acme);
    assert_eq!(history(app, w.acme).await[0]["summary"], "Removed domain acme.io");

    // Bad input changes nothing.
    let v = version(app, w.acme).await;
    for (query, field) in [
        (format!("acme.com?members=maybe&version={v}"), "members"),
        ("acme.com?members=leave".to_string(), "version"),
        ("acme.com?members=leave&version=x".to_string(), "version"),
        (format!("not%20a%20domain?members=leave&version={v}"), "domain"),
    ] {
        let e =
            error_body(delete(app, &format!("{path}/{query}")).await, StatusCode::UNPROCESSABLE_ENTITY, "validation")
                .await;
        assert!(e["fields"][field].is_string(), "{query} -> {e}");
    }
    error_body(
        delete(app, &format!("{path}/acme.org?members=leave&version={v}")).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let e = error_body(
        delete(app, &format!("{path}/acme.com?members=leave&version={}", v - 1)).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    assert!(e["fields"]["version"].is_string());
    assert_eq!(detail(app, w.acme).await["domains"], json!(["acme.com"]));

    // Leave: members with that domain leave; open items go with them, resolved ones stay.
    let d = ok_json(delete(app, &format!("{path}/ACME.com?members=leave&version={v}")).await).await;
    assert_eq!(d["domains"], json!([]));
    assert_eq!(d["member_count"], 1, "only jon (acme.io) stays");
    for c in [w.ann, w.fay, w.gus] {
        assert_eq!(customer_org(app, c).await, Value::Null);
    }
    assert_eq!(customer_org(app, jon).await, w.acme);
    assert_eq!(item_org(app, open).await, Value::Null);
    assert_eq!(item_org(app, closed).await, w.acme);
    assert_counters_match(app).await;
    let e = &history(app, w.acme).await[0];
    assert_eq!(e["action"], "domain_removed");
    assert_eq!(e["summary"], "Removed domain acme.com; 3 members left");
    assert_eq!(e["details"]["left"], 3);
    assert_eq!(count(app, "SELECT COUNT(*) FROM customers").await, 10, "no customer was deleted");
}

#[tokio::test]
async fn members_are_listed_managers_first_and_edited_in_place() {
    let app = setup().await;
    let acme = org(&app, "Acme", &["acme.com"]).await;
    let zed = customer(&app, "zed@acme.com").await;
    let amy = customer(&app, "amy@acme.com").await;
    let max = customer(&app, "max@acme.com").await;
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
    let outsider = customer(&app, "out@else.com").await;
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
    let app = setup().await;
    let acme = org(&app, "Acme", &[]).await;
    let old = org(&app, "Old", &[]).await;
    let ann = customer(&app, "ann@x.com").await;
    let bob = customer(&app, "bob@y.com").await;
    move_to(&app, &[bob], Some(old)).await;
    let p = project(&app, "Support").await;
    let open = ticket(&app, p, bob, "Open", "waiting").await;
    let closed = ticket(&app, p, bob, "Closed", "new").await;
    set_status(&app, closed, "closed").await;
    let path = format!("/api/organizations/{acme}/members");
    let v = version(&app, acme).await;

    let res = app.post(&path, json!({"customer_id": ann})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let m: Value = res.json().await.unwrap();
    assert_eq!(
        m,
        json!({"customer": {"id": ann, "name": "ann@x.com", "email": "ann@x.com"}, "position": "", "role": "member"})
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
    let res = delete(&app, &format!("{path}/{bob}")).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let c = ok_json(app.get(&format!("/api/customers/{bob}")).await).await;
    assert_eq!(c["organization_id"], Value::Null);
    assert_eq!(item_org(&app, open).await, Value::Null);
    assert_eq!(item_org(&app, closed).await, old);
    assert_counters_match(&app).await;
    let e = &history(&app, acme).await[0];
    assert_eq!((e["action"].as_str(), e["summary"].as_str()), (Some("member_removed"), Some("Removed bob@y.com")));
    error_body(delete(&app, &format!("{path}/{bob}")).await, StatusCode::NOT_FOUND, "not_found").await;
    error_body(delete(&app, &format!("{path}/999999")).await, StatusCode::NOT_FOUND, "not_found").await;
    error_body(
        delete(&app, &format!("/api/organizations/999999/members/{ann}")).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_eq!(count(&app, "SELECT COUNT(*) FROM customers").await, 2);
    assert_eq!(detail(&app, acme).await["member_count"], 1);
}

async fn set_parent(app: &TestApp, org: i64, parent: Option<i64>) -> reqwest::Response {
    let v = version(app, org).await;
    app.patch(&format!("/api/organizations/{org}/detail"), json!({"version": v, "parent_id": parent})).await
}

#[tokio::test]
async fn a_parent_that_would_close_a_loop_is_refused_with_the_reason() {
    let app = setup().await;
    // root ─ mid ─ leaf ─ tip
    let root = org(&app, "Root", &[]).await;
    let mid = org(&app, "Mid", &[]).await;
    let leaf = org(&app, "Leaf", &[]).await;
    let tip = org(&app, "Tip", &[]).await;
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
    let app = setup().await;
    let mut chain = Vec::new();
    for i in 0..32 {
        let id = org(&app, &format!("Level {i:02}"), &[]).await;
        if let Some(&above) = chain.last() {
            ok_json(set_parent(&app, id, Some(above)).await).await;
        }
        chain.push(id);
    }
    let extra = org(&app, "Too deep", &[]).await;
    let e = error_body(set_parent(&app, extra, Some(chain[31])).await, StatusCode::UNPROCESSABLE_ENTITY, "validation")
        .await;
    assert_eq!(e["fields"]["parent_id"], "A hierarchy has at most 32 levels.");
    ok_json(set_parent(&app, extra, Some(chain[30])).await).await;
}

#[tokio::test]
async fn setting_a_parent_transfers_nothing_else() {
    let app = setup().await;
    let parent = org(&app, "Parent", &["parent.com"]).await;
    let kid = org(&app, "Kid", &["kid.com"]).await;
    let p_member = customer(&app, "a@parent.com").await;
    let k_member = customer(&app, "b@kid.com").await;
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
    let app = setup().await;
    let acme = org(&app, "Acme", &[]).await;
    let kid = org(&app, "Acme Kid", &[]).await;
    let grandkid = org(&app, "Acme Grandkid", &[]).await;
    let top = org(&app, "Acme Top", &[]).await;
    let free = org(&app, "Free", &[]).await;
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
    let app = setup().await;
    let acme = org(&app, "Acme", &[]).await;
    let top = org(&app, "Top", &[]).await;
    let other = org(&app, "Other", &["other.com"]).await;
    let member = customer(&app, "m@other.com").await;
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
    assert_eq!(count(&app, "SELECT COUNT(*) FROM organizations").await, 4);

    // Unlinking deletes nothing.
    let d = ok_json(delete(&app, &format!("{path}/{other}?version={v}")).await).await;
    assert_eq!(d["children"], json!([{"id": created, "name": "New Branch"}]));
    let o = detail(&app, other).await;
    assert_eq!(o["parent"], Value::Null);
    assert_eq!(o["domains"], json!(["other.com"]));
    assert_eq!(o["member_count"], 1);
    assert_eq!(customer_org(&app, member).await, other);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM organizations").await, 4);
    assert_eq!(history(&app, other).await[0]["summary"], "Parent Acme removed");
    assert_eq!(history(&app, acme).await[0]["summary"], "Other is no longer a child");
    let v = version(&app, acme).await;
    error_body(delete(&app, &format!("{path}/{other}?version={v}")).await, StatusCode::NOT_FOUND, "not_found").await;
    error_body(delete(&app, &format!("{path}/{created}")).await, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    error_body(delete(&app, &format!("{path}/{created}?version={}", v - 1)).await, StatusCode::CONFLICT, "conflict")
        .await;
    assert_eq!(detail(&app, created).await["parent"]["id"], acme);
}

#[tokio::test]
async fn the_tickets_tab_can_include_the_children_items() {
    let app = setup().await;
    let acme = org(&app, "Acme", &["acme.com"]).await;
    let kid = org(&app, "Kid", &["kid.com"]).await;
    let grandkid = org(&app, "Grandkid", &["grand.com"]).await;
    let stranger = org(&app, "Stranger", &["stranger.com"]).await;
    ok_json(set_parent(&app, kid, Some(acme)).await).await;
    ok_json(set_parent(&app, grandkid, Some(kid)).await).await;
    let p = project(&app, "Support").await;
    let a = ticket(&app, p, customer(&app, "a@acme.com").await, "A", "new").await;
    let k = ticket(&app, p, customer(&app, "k@kid.com").await, "K", "open").await;
    let g = ticket(&app, p, customer(&app, "g@grand.com").await, "G", "open").await;
    ticket(&app, p, customer(&app, "s@stranger.com").await, "S", "open").await;
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
    ok_json(delete(&app, &format!("/api/organizations/{acme}/children/{kid}?version={v}")).await).await;
    let page = ok_json(app.get(&format!("/api/items?organization={acme}&include_children=true")).await).await;
    assert_eq!(ids(&page), [a]);
}

#[tokio::test]
async fn changes_from_the_customers_app_leave_history_too() {
    let app = setup().await;
    let acme = org(&app, "Acme", &["acme.com"]).await;
    let old = org(&app, "Old", &[]).await;
    let a = customer(&app, "a@x.com").await;
    let b = customer(&app, "b@y.com").await;
    let c = customer(&app, "c@z.com").await;
    move_to(&app, &[a, b], Some(old)).await;
    let v = version(&app, acme).await;
    move_to(&app, &[a, b, c], Some(acme)).await;
    assert_eq!(version(&app, acme).await, v, "moves do not bump the version");
    let e = &history(&app, acme).await[0];
    assert_eq!(e["action"], "members_moved");
    assert_eq!(e["summary"], "3 members moved in (2 from Old, 1 with no organization)");
    let e = &history(&app, old).await[0];
    assert_eq!(e["summary"], "2 members left for Acme");
    move_to(&app, &[c], None).await;
    assert_eq!(history(&app, acme).await[0]["summary"], "1 member left for no organization");
    // A move into the organization one already is in records nothing.
    let before = history(&app, acme).await.len();
    move_to(&app, &[a], Some(acme)).await;
    assert_eq!(history(&app, acme).await.len(), before);

    let res = app
        .patch(&format!("/api/organizations/{acme}"), json!({"name": "Acme Inc", "domains": ["acme.com", "acme.io"]}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(version(&app, acme).await, v + 1);
    let entries = history(&app, acme).await;
    assert_eq!(actions(&entries[..2]), ["domains_changed", "renamed"]);
    assert_eq!(entries[0]["summary"], "Domains changed to acme.com, acme.io");
    assert_eq!(entries[1]["summary"], "Renamed from Acme to Acme Inc");
    // The same name and domains again: no entry, no bump.
    let res = app
        .patch(&format!("/api/organizations/{acme}"), json!({"name": "Acme Inc", "domains": ["acme.io", "acme.com"]}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(version(&app, acme).await, v + 1);
    assert_eq!(history(&app, acme).await.len(), entries.len());
}

/// gmail.com as an organization's domain would pull every new gmail customer into it.
#[tokio::test]
async fn public_email_providers_are_never_an_organization_domain() {
    let app = setup().await;
    let acme = org(&app, "Acme", &[]).await;
    let res = app.patch("/api/settings", json!({"extra_public_domains": ["mail.example.org"]})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let v = version(&app, acme).await;
    for domain in ["gmail.com", "Hotmail.co.uk", "*.yahoo.com", "mail.example.org"] {
        let path = format!("/api/organizations/{acme}/domain-matches");
        let e = error_body(
            app.post(&path, json!({"domain": domain})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        )
        .await;
        assert!(e["fields"]["domain"].as_str().unwrap().contains("public email provider"), "{domain}: {e}");
        let path = format!("/api/organizations/{acme}/domains");
        let e = error_body(
            app.post(&path, json!({"domain": domain, "version": v})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        )
        .await;
        assert!(e["fields"]["domain"].as_str().unwrap().contains("public email provider"), "{domain}: {e}");
        // The Customers app's create and edit dialogs too.
        let res = app.post("/api/organizations", json!({"name": "Mail users", "domains": [domain]})).await;
        let e = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
        assert!(e["fields"]["domains"].as_str().unwrap().contains("public email provider"), "{domain}: {e}");
        let res = app.patch(&format!("/api/organizations/{acme}"), json!({"domains": ["acme.com", domain]})).await;
        error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    }
    let d = detail(&app, acme).await;
    assert_eq!(d["domains"], json!([]), "nothing was added");
    assert_eq!(d["version"], v, "nothing changed");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM organizations").await, 1);
}
