//! Organizations: the Customers app's create, rename, domain edits, delete and
//! list (searches included), and, one module per section of the organization
//! panel, everything the panel reads and edits.

mod contacts;
mod detail;
mod domains;
mod files;
mod hierarchy;
mod history;
mod members;
mod notes;
mod properties;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::support::*;

/// The organization's detail, as the panel reads it.
async fn detail(app: &TestApp, id: i64) -> Value {
    ok_json(app.get(&format!("/api/organizations/{id}/detail")).await).await
}

/// The version an in-place edit must carry.
async fn version(app: &TestApp, id: i64) -> i64 {
    detail(app, id).await["version"].as_i64().unwrap()
}

/// The organization's history as the panel lists it, newest first, without its
/// first entry (`created`, see history.rs): the changes since.
async fn history(app: &TestApp, id: i64) -> Vec<Value> {
    let page = ok_json(app.get(&format!("/api/organizations/{id}/history?limit=200")).await).await;
    page["items"].as_array().unwrap().iter().filter(|e| e["action"] != "created").cloned().collect()
}

fn actions(entries: &[Value]) -> Vec<String> {
    entries.iter().map(|e| e["action"].as_str().unwrap().to_string()).collect()
}

/// The organization's history rows (action, summary), oldest first, straight from
/// the database, without the `created` entry (see history.rs): the changes since.
async fn history_rows(app: &TestApp, org: i64) -> Vec<(String, String)> {
    app.rows_for(
        "SELECT action, summary FROM organization_history WHERE organization_id = $1 AND action <> 'created' ORDER BY id",
        org,
    )
    .await
}

/// The customer's organization id (JSON null when none).
async fn customer_org(app: &TestApp, id: i64) -> Value {
    json!(app.customer(id).await.organization_id)
}

/// The item's organization id (JSON null when none).
async fn item_org(app: &TestApp, id: i64) -> Value {
    json!(app.item(id).await.organization_id)
}

/// Each request, sent by a client that never signed in, is a 401 with the error body.
async fn assert_each_needs_a_session(app: &TestApp, requests: Vec<(Method, String, Option<Value>)>) {
    let anonymous = app.other_client();
    for (method, path, body) in requests {
        let res = anonymous.call(method.clone(), &path, body).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{method} {path}");
        error_body(res, StatusCode::UNAUTHORIZED, "unauthorized").await;
    }
}

#[tokio::test]
async fn an_organization_is_created_with_normalized_domains() {
    let app = TestApp::spawn_admin().await;
    let res = app
        .post(
            "/api/organizations",
            json!({"name": "  Acme Corp ", "domains": ["@ACME.com.", " acme.co.uk", "*.Acme.DE"]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let org: Value = res.json().await.unwrap();
    assert_eq!(org["name"], "Acme Corp");
    assert_eq!(org["domains"], json!(["*.acme.de", "acme.co.uk", "acme.com"]));
    assert_eq!(org["member_count"], 0);
}

#[tokio::test]
async fn names_are_unique_regardless_of_case() {
    let app = TestApp::spawn_admin().await;
    app.post("/api/organizations", json!({"name": "Acme"})).await;
    let body =
        error_body(app.post("/api/organizations", json!({"name": "ACME"})).await, StatusCode::CONFLICT, "conflict")
            .await;
    assert!(body["fields"]["name"].as_str().unwrap().contains("already exists"));
}

#[tokio::test]
async fn a_taken_domain_is_a_409_naming_the_owner_and_nothing_is_created() {
    let app = TestApp::spawn_admin().await;
    app.post("/api/organizations", json!({"name": "Acme", "domains": ["acme.com"]})).await;
    let body = error_body(
        app.post("/api/organizations", json!({"name": "Other", "domains": ["other.com", "ACME.com"]})).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    assert_eq!(body["fields"]["domains"], "acme.com already belongs to Acme.");
    let list: Value = app.get("/api/organizations").await.json().await.unwrap();
    assert_eq!(list["total"], 1, "Other was not created");
}

#[tokio::test]
async fn invalid_names_and_domains_are_422s_naming_the_field() {
    let app = TestApp::spawn_admin().await;
    for (body, field) in [
        (json!({"name": ""}), "name"),
        (json!({"name": "X", "domains": ["not a domain"]}), "domains"),
        (json!({"name": "X", "domains": ["http://acme.com"]}), "domains"),
        (json!({"name": "X", "domains": ["ann@acme.com"]}), "domains"),
        (json!({"name": "X", "domains": ["acme.com:8080"]}), "domains"),
        (json!({"name": "X", "domains": ["localhost"]}), "domains"),
        (json!({"name": "X", "domains": ["acme.com", "ACME.COM"]}), "domains"),
        (json!({"name": "X", "domains": "acme.com"}), "domains"),
    ] {
        let res = error_body(
            app.post("/api/organizations", body.clone()).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        )
        .await;
        assert!(res["fields"][field].is_string(), "{body} -> {res}");
    }
    assert_eq!(app.get("/api/organizations").await.json::<Value>().await.unwrap()["total"], 0);
}

#[tokio::test]
async fn renaming_and_replacing_domains_keep_the_rules() {
    let app = TestApp::spawn_admin().await;
    let acme: Value =
        app.post("/api/organizations", json!({"name": "Acme", "domains": ["acme.com"]})).await.json().await.unwrap();
    app.post("/api/organizations", json!({"name": "Globex", "domains": ["globex.com"]})).await;
    let id = acme["id"].as_i64().unwrap();
    let res = app
        .patch(&format!("/api/organizations/{id}"), json!({"name": "Acme Inc", "domains": ["acme.com", "acme.io"]}))
        .await;
    let updated: Value = res.json().await.unwrap();
    assert_eq!(updated["name"], "Acme Inc");
    assert_eq!(updated["domains"], json!(["acme.com", "acme.io"]));
    error_body(
        app.patch(&format!("/api/organizations/{id}"), json!({"name": "globex"})).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    error_body(
        app.patch(&format!("/api/organizations/{id}"), json!({"domains": ["globex.com"]})).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    error_body(
        app.patch("/api/organizations/99999", json!({"name": "Ghost"})).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let now: Value = app.get(&format!("/api/organizations/{id}")).await.json().await.unwrap();
    assert_eq!(now["domains"], json!(["acme.com", "acme.io"]), "the refused change left the domains alone");
}

#[tokio::test]
async fn deleting_an_organization_unassigns_its_members_and_frees_its_domains() {
    let app = TestApp::spawn_admin().await;
    let acme: Value =
        app.post("/api/organizations", json!({"name": "Acme", "domains": ["acme.com"]})).await.json().await.unwrap();
    let id = acme["id"].as_i64().unwrap();
    app.post("/api/customers", json!({"email": "ann@acme.com"})).await;
    app.post("/api/customers", json!({"email": "bo@acme.com"})).await;
    let res = app.call(reqwest::Method::DELETE, &format!("/api/organizations/{id}"), None).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let page: Value = app.get("/api/customers?organization_id=none").await.json().await.unwrap();
    assert_eq!(page["total"], 2, "the members are unassigned, not deleted");
    let res = app.post("/api/organizations", json!({"name": "Acme 2", "domains": ["acme.com"]})).await;
    assert_eq!(res.status(), StatusCode::CREATED, "the domain is free again");
}

#[tokio::test]
async fn the_organization_list_pages_by_name_with_counts() {
    let app = TestApp::spawn_admin().await;
    for name in ["Charlie", "alpha", "Bravo"] {
        app.post("/api/organizations", json!({"name": name})).await;
    }
    let page: Value = app.get("/api/organizations?limit=2").await.json().await.unwrap();
    let names: Vec<&str> = page["items"].as_array().unwrap().iter().map(|o| o["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["alpha", "Bravo"]);
    assert_eq!(page["total"], 3);
    let page: Value = app.get("/api/organizations?limit=2&offset=2").await.json().await.unwrap();
    assert_eq!(page["items"][0]["name"], "Charlie");
}

#[tokio::test]
async fn agents_manage_organizations_and_anonymous_users_do_not() {
    let mut app = TestApp::spawn_admin().await;
    app.create_agent("sam@example.com", "agent").await;
    let mut sam = app.other_client();
    sam.login("sam@example.com", AGENT_PASSWORD).await;
    assert_eq!(sam.post("/api/organizations", json!({"name": "Sam's"})).await.status(), StatusCode::CREATED);
    let anonymous = app.other_client();
    error_body(
        anonymous.post("/api/organizations", json!({"name": "Nope"})).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    error_body(anonymous.get("/api/customers").await, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let _ = &mut app;
}

/// Searches are cached per data version: every kind of write must show in the next search.
#[tokio::test]
async fn a_repeated_search_shows_every_change_made_in_between() {
    let app = TestApp::spawn_admin().await;
    let search = |q: &'static str| {
        let app = &app;
        async move {
            let page: Value = app.get(&format!("/api/organizations?q={q}")).await.json().await.unwrap();
            let groups: Vec<String> = page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| format!("{}:{}:{}", o["name"].as_str().unwrap(), o["match_count"], o["domains"]))
                .collect();
            (groups, page["unassigned_count"].as_i64().unwrap())
        }
    };
    let org: Value = app.post("/api/organizations", json!({"name": "Zenith"})).await.json().await.unwrap();
    let org_id = org["id"].as_i64().unwrap();
    assert_eq!(search("zed").await, (vec![], 0));

    // A new customer at a public provider stays unassigned.
    let res = app.post("/api/customers", json!({"email": "zed@gmail.com", "first_name": "Zed"})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let zed = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    assert_eq!(search("zed").await, (vec![], 1), "customer insert");

    // Moved into the organization (memberships).
    let res = app.post("/api/customers/move", json!({"customer_ids": [zed], "organization_id": org_id})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(search("zed").await, (vec!["Zenith:1:[]".to_string()], 0), "membership insert");

    // Renamed customer (customers update): no longer matches.
    app.patch(&format!("/api/customers/{zed}"), json!({"first_name": "Ann", "email": "ann@gmail.com"})).await;
    assert_eq!(search("zed").await, (vec![], 0), "customer update");

    // Organization domains and name (organizations, organization_domains).
    app.patch(&format!("/api/organizations/{org_id}"), json!({"domains": ["zenith.io"]})).await;
    assert_eq!(search("zen").await, (vec!["Zenith:1:[\"zenith.io\"]".to_string()], 0), "domain insert");
    app.patch(&format!("/api/organizations/{org_id}"), json!({"name": "Apex"})).await;
    assert_eq!(search("zen").await, (vec![], 0), "organization update");

    // Deleted customer.
    app.call(reqwest::Method::DELETE, &format!("/api/customers/{zed}"), None).await;
    assert_eq!(search("ann").await, (vec![], 0), "customer delete");
}
