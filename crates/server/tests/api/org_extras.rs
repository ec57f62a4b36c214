//! The organization panel's contact information, custom properties, notes and files (issue #5).

use orgdesk_server::db::Db;
use reqwest::multipart::{Form, Part};
use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};

use crate::support::*;

const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

async fn create_org(app: &TestApp, name: &str) -> i64 {
    let res = app.post("/api/organizations", json!({ "name": name })).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

async fn put(app: &TestApp, path: &str, body: Value) -> Response {
    app.call(Method::PUT, path, Some(body)).await
}

async fn delete(app: &TestApp, path: &str) -> Response {
    app.call(Method::DELETE, path, None).await
}

async fn ok_json(res: Response, status: StatusCode) -> Value {
    let got = res.status();
    let body: Value = res.json().await.unwrap();
    assert_eq!(got, status, "{body}");
    body
}

/// The organization's version, straight from the database.
async fn version(db: &Db, org: i64) -> i64 {
    orgdesk_server::on_db!(db, pool => sqlx::query_scalar::<_, i64>("SELECT version FROM organizations WHERE id = $1")
        .bind(org).fetch_one(pool).await.unwrap())
}

/// The organization's contact rows (kind, label, value), in order, straight from the database.
async fn contact_rows(db: &Db, org: i64) -> Vec<(String, String, String)> {
    orgdesk_server::on_db!(db, pool => sqlx::query_as::<_, (String, String, String)>(
        "SELECT kind, label, value FROM organization_contacts WHERE organization_id = $1 ORDER BY position")
        .bind(org).fetch_all(pool).await.unwrap())
}

/// Stored property values (definition id, JSON text), straight from the database.
async fn value_rows(db: &Db, org: i64) -> Vec<(i64, String)> {
    orgdesk_server::on_db!(db, pool => sqlx::query_as::<_, (i64, String)>(
        "SELECT definition_id, value FROM organization_property_values WHERE organization_id = $1 ORDER BY definition_id")
        .bind(org).fetch_all(pool).await.unwrap())
}

/// The organization's history (action, summary), oldest first, straight from the database.
async fn history(db: &Db, org: i64) -> Vec<(String, String)> {
    orgdesk_server::on_db!(db, pool => sqlx::query_as::<_, (String, String)>(
        "SELECT action, summary FROM organization_history WHERE organization_id = $1 ORDER BY id")
        .bind(org).fetch_all(pool).await.unwrap())
}

async fn file_count(db: &Db) -> i64 {
    orgdesk_server::on_db!(db, pool => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM organization_files")
        .fetch_one(pool).await.unwrap())
}

/// A signed-in agent (role `agent`) on the same server, created by the admin.
async fn signed_in_agent(app: &TestApp, email: &str) -> (TestApp, i64) {
    let id = app.create_agent(email, "agent").await;
    let mut agent = app.other_client();
    let (status, _, body) = agent.login(email, "agent-password-1").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (agent, id)
}

// ---------------------------------------------------------------------------
// Contacts

#[tokio::test]
async fn contacts_are_replaced_normalized_and_recorded() {
    let app = TestApp::spawn_admin().await;
    let org = create_org(&app, "Acme").await;
    let entries = json!([
        {"kind": "phone", "label": " Main ", "value": "+49 30  1234567"},
        {"kind": "email", "label": "Support", "value": "Help@ACME.com"},
        {"kind": "website", "label": "", "value": "acme.com"},
        {"kind": "address", "label": "HQ", "value": " 1 Main St \n\n Springfield "},
        {"kind": "social", "label": "LinkedIn", "value": "linkedin.com/company/acme"},
        {"kind": "social", "label": "X", "value": "@acme"},
    ]);
    let detail = ok_json(
        put(&app, &format!("/api/organizations/{org}/contacts"), json!({"version": 1, "entries": entries})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(detail["version"], 2);
    assert_eq!(
        detail["contacts"],
        json!([
            {"kind": "phone", "label": "Main", "value": "+49 30 1234567"},
            {"kind": "email", "label": "Support", "value": "help@acme.com"},
            {"kind": "website", "label": "", "value": "https://acme.com"},
            {"kind": "address", "label": "HQ", "value": "1 Main St\nSpringfield"},
            {"kind": "social", "label": "LinkedIn", "value": "https://linkedin.com/company/acme"},
            {"kind": "social", "label": "X", "value": "@acme"},
        ])
    );
    assert_eq!(contact_rows(&app.db, org).await.len(), 6);
    assert_eq!(
        history(&app.db, org).await,
        [("contacts_changed".to_string(), "Contact information changed: 6 added".to_string())]
    );

    // Keep four, drop two, add one.
    let entries = json!([
        {"kind": "phone", "label": "Main", "value": "+49 30 1234567"},
        {"kind": "email", "label": "Support", "value": "help@acme.com"},
        {"kind": "website", "label": "", "value": "https://acme.com"},
        {"kind": "address", "label": "HQ", "value": "1 Main St\nSpringfield"},
        {"kind": "phone", "label": "Fax", "value": "+49 30 7654321"},
    ]);
    let detail = ok_json(
        put(&app, &format!("/api/organizations/{org}/contacts"), json!({"version": 2, "entries": entries})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(detail["version"], 3);
    assert_eq!(detail["contacts"].as_array().unwrap().len(), 5);
    assert_eq!(detail["contacts"][4]["label"], "Fax", "position follows the list");
    let h = history(&app.db, org).await;
    assert_eq!(h.last().unwrap().1, "Contact information changed: 1 added, 2 removed");

    // Emptying them all is allowed.
    let detail = ok_json(
        put(&app, &format!("/api/organizations/{org}/contacts"), json!({"version": 3, "entries": []})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(detail["contacts"], json!([]));
    assert!(contact_rows(&app.db, org).await.is_empty());
}

#[tokio::test]
async fn invalid_contacts_are_422s_per_entry_and_change_nothing() {
    let app = TestApp::spawn_admin().await;
    let org = create_org(&app, "Acme").await;
    let path = format!("/api/organizations/{org}/contacts");
    let good = json!({"kind": "phone", "label": "Main", "value": "+1 555 0100"});
    ok_json(put(&app, &path, json!({"version": 1, "entries": [good]})).await, StatusCode::OK).await;
    let before = contact_rows(&app.db, org).await;

    for (bad, field) in [
        (json!({"kind": "phone", "label": "", "value": "call me"}), "entries.1.value"),
        (json!({"kind": "phone", "label": "", "value": "123"}), "entries.1.value"),
        (json!({"kind": "email", "label": "", "value": "not-an-email"}), "entries.1.value"),
        (json!({"kind": "website", "label": "", "value": "ftp://acme.com"}), "entries.1.value"),
        (json!({"kind": "website", "label": "", "value": "acme com"}), "entries.1.value"),
        (json!({"kind": "address", "label": "", "value": "   "}), "entries.1.value"),
        (json!({"kind": "social", "label": "", "value": "@"}), "entries.1.value"),
        (json!({"kind": "phone", "label": "x".repeat(41), "value": "+1 555 0100"}), "entries.1.label"),
    ] {
        let body = error_body(
            put(&app, &path, json!({"version": 2, "entries": [good, bad]})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        )
        .await;
        assert!(body["fields"][field].is_string(), "{bad} -> {body}");
        assert_eq!(body["fields"].as_object().unwrap().len(), 1, "only the bad entry is named: {body}");
    }
    // An unknown kind is refused by the contract itself.
    let body = error_body(
        put(&app, &path, json!({"version": 2, "entries": [{"kind": "fax", "label": "", "value": "1"}]})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert!(body["fields"]["entries[0].kind"].is_string(), "{body}");
    // At most 50 entries.
    let many: Vec<Value> = (0..51).map(|_| good.clone()).collect();
    let body = error_body(
        put(&app, &path, json!({"version": 2, "entries": many})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert!(body["fields"]["entries"].is_string(), "{body}");

    assert_eq!(contact_rows(&app.db, org).await, before, "nothing changed");
    assert_eq!(version(&app.db, org).await, 2, "no version bump");
    assert_eq!(history(&app.db, org).await.len(), 1);
}

#[tokio::test]
async fn a_stale_contacts_edit_is_a_409_and_changes_nothing() {
    let app = TestApp::spawn_admin().await;
    let org = create_org(&app, "Acme").await;
    let path = format!("/api/organizations/{org}/contacts");
    let first = json!([{"kind": "email", "label": "", "value": "one@acme.com"}]);
    let second = json!([{"kind": "email", "label": "", "value": "two@acme.com"}]);
    ok_json(put(&app, &path, json!({"version": 1, "entries": first})).await, StatusCode::OK).await;
    // A second agent saw version 1 too.
    let body =
        error_body(put(&app, &path, json!({"version": 1, "entries": second})).await, StatusCode::CONFLICT, "conflict")
            .await;
    assert!(body["fields"]["version"].as_str().unwrap().contains("changed by someone else"), "{body}");
    assert_eq!(contact_rows(&app.db, org).await, [("email".into(), "".into(), "one@acme.com".into())]);
    assert_eq!(version(&app.db, org).await, 2);
    assert_eq!(history(&app.db, org).await.len(), 1);

    error_body(
        put(&app, "/api/organizations/999999/contacts", json!({"version": 1, "entries": []})).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn of_two_simultaneous_edits_of_one_version_exactly_one_wins() {
    let app = TestApp::spawn_admin().await;
    let org = create_org(&app, "Acme").await;
    let path = format!("/api/organizations/{org}/contacts");
    let a = json!({"version": 1, "entries": [{"kind": "email", "label": "", "value": "a@acme.com"}]});
    let b = json!({"version": 1, "entries": [{"kind": "email", "label": "", "value": "b@acme.com"}]});
    let (ra, rb) = tokio::join!(put(&app, &path, a), put(&app, &path, b));
    let mut statuses = [ra.status(), rb.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);
    let winner = if ra.status() == StatusCode::OK { "a@acme.com" } else { "b@acme.com" };
    assert_eq!(contact_rows(&app.db, org).await, [("email".into(), "".into(), winner.into())]);
    assert_eq!(version(&app.db, org).await, 2);
    assert_eq!(history(&app.db, org).await.len(), 1);
}

// ---------------------------------------------------------------------------
// Property definitions

async fn define(app: &TestApp, body: Value) -> Value {
    ok_json(app.post("/api/organization-properties", body).await, StatusCode::CREATED).await
}

#[tokio::test]
async fn admins_create_list_change_and_delete_property_definitions() {
    let app = TestApp::spawn_admin().await;
    let tier = define(
        &app,
        json!({"label": " Tier ", "kind": "single_choice", "required": true, "options": [" Gold", "Silver "]}),
    )
    .await;
    assert_eq!(tier["label"], "Tier");
    assert_eq!(tier["options"], json!(["Gold", "Silver"]));
    assert_eq!(tier["required"], true);
    assert_eq!(tier["position"], 1);
    let size = define(&app, json!({"label": "Size", "kind": "number"})).await;
    assert_eq!(size["position"], 2);
    assert_eq!(size["required"], false);
    assert_eq!(size["options"], json!([]));

    let list = ok_json(app.get("/api/organization-properties").await, StatusCode::OK).await;
    assert_eq!(list, json!([tier, size]));

    let tier_id = tier["id"].as_i64().unwrap();
    let changed = ok_json(
        app.patch(
            &format!("/api/organization-properties/{tier_id}"),
            json!({"label": "Level", "kind": "single_choice", "options": ["Gold", "Silver", "Bronze"]}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(changed["label"], "Level");
    assert_eq!(changed["required"], false, "PATCH replaces the whole definition");
    assert_eq!(changed["options"], json!(["Gold", "Silver", "Bronze"]));
    assert_eq!(changed["position"], 1);
    // Renaming to the same label in another case is fine.
    ok_json(
        app.patch(&format!("/api/organization-properties/{tier_id}"), json!({"label": "LEVEL", "kind": "text"})).await,
        StatusCode::OK,
    )
    .await;

    assert_eq!(delete(&app, &format!("/api/organization-properties/{tier_id}")).await.status(), StatusCode::NO_CONTENT);
    let list = ok_json(app.get("/api/organization-properties").await, StatusCode::OK).await;
    assert_eq!(list, json!([size]));
    error_body(
        delete(&app, &format!("/api/organization-properties/{tier_id}")).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    error_body(
        app.patch(&format!("/api/organization-properties/{tier_id}"), json!({"label": "X", "kind": "text"})).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn only_admins_change_property_definitions_but_agents_read_and_fill_them() {
    let app = TestApp::spawn_admin().await;
    let org = create_org(&app, "Acme").await;
    let def = define(&app, json!({"label": "Region", "kind": "text"})).await;
    let id = def["id"].as_i64().unwrap();
    let (agent, _) = signed_in_agent(&app, "agent@example.com").await;

    let list = ok_json(agent.get("/api/organization-properties").await, StatusCode::OK).await;
    assert_eq!(list, json!([def]));
    for res in [
        agent.post("/api/organization-properties", json!({"label": "Other", "kind": "text"})).await,
        agent.patch(&format!("/api/organization-properties/{id}"), json!({"label": "Area", "kind": "text"})).await,
        delete(&agent, &format!("/api/organization-properties/{id}")).await,
        put(&agent, "/api/organization-properties/order", json!({"ids": [id]})).await,
    ] {
        error_body(res, StatusCode::FORBIDDEN, "forbidden").await;
    }
    let list = ok_json(app.get("/api/organization-properties").await, StatusCode::OK).await;
    assert_eq!(list, json!([def]), "nothing changed");

    // An agent fills the value in.
    let detail = ok_json(
        put(
            &agent,
            &format!("/api/organizations/{org}/properties"),
            json!({"version": 1, "values": {id.to_string(): "EMEA"}}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(detail["properties"][0]["value"], "EMEA");
}

#[tokio::test]
async fn labels_are_unique_regardless_of_case() {
    let app = TestApp::spawn_admin().await;
    define(&app, json!({"label": "Region", "kind": "text"})).await;
    let other = define(&app, json!({"label": "Size", "kind": "number"})).await;
    let body = error_body(
        app.post("/api/organization-properties", json!({"label": " REGION ", "kind": "number"})).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    assert!(body["fields"]["label"].as_str().unwrap().contains("already exists"), "{body}");
    let body = error_body(
        app.patch(
            &format!("/api/organization-properties/{}", other["id"]),
            json!({"label": "region", "kind": "number"}),
        )
        .await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    assert!(body["fields"]["label"].is_string(), "{body}");
    let list = ok_json(app.get("/api/organization-properties").await, StatusCode::OK).await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[1]["label"], "Size");
}

#[tokio::test]
async fn bad_definitions_are_422s_naming_the_field() {
    let app = TestApp::spawn_admin().await;
    let existing = define(&app, json!({"label": "Region", "kind": "text"})).await;
    for (body, field) in [
        (json!({"label": "", "kind": "text"}), "label"),
        (json!({"label": "   ", "kind": "text"}), "label"),
        (json!({"label": "x".repeat(201), "kind": "text"}), "label"),
        (json!({"label": "Color", "kind": "color"}), "kind"),
        (json!({"label": "Tier", "kind": "single_choice"}), "options"),
        (json!({"label": "Tier", "kind": "multiple_choice", "options": ["Gold", "gold"]}), "options"),
        (json!({"label": "Tier", "kind": "single_choice", "options": ["Gold", " "]}), "options"),
        (json!({"label": "Size", "kind": "number", "options": ["1"]}), "options"),
        (json!({"label": "Size", "kind": "number", "required": "yes"}), "required"),
    ] {
        let res = error_body(
            app.post("/api/organization-properties", body.clone()).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        )
        .await;
        assert!(res["fields"][field].is_string(), "{body} -> {res}");
        let res = error_body(
            app.patch(&format!("/api/organization-properties/{}", existing["id"]), body.clone()).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        )
        .await;
        assert!(res["fields"][field].is_string(), "PATCH {body} -> {res}");
    }
    // A missing kind is named in the message (the JSON extractor reports missing fields under `body`).
    let res = error_body(
        app.post("/api/organization-properties", json!({"label": "Color"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert!(res["fields"].to_string().contains("kind"), "{res}");
    let list = ok_json(app.get("/api/organization-properties").await, StatusCode::OK).await;
    assert_eq!(list, json!([existing]), "nothing created or changed");
}

#[tokio::test]
async fn a_kind_cannot_change_while_values_exist_nor_can_an_option_in_use_go() {
    let app = TestApp::spawn_admin().await;
    let org = create_org(&app, "Acme").await;
    let tier =
        define(&app, json!({"label": "Tier", "kind": "single_choice", "options": ["Gold", "Silver", "Bronze"]})).await;
    let tags = define(&app, json!({"label": "Tags", "kind": "multiple_choice", "options": ["A", "B", "C"]})).await;
    let (tier_id, tags_id) = (tier["id"].as_i64().unwrap(), tags["id"].as_i64().unwrap());

    // With no values, the kind may change (and back).
    ok_json(
        app.patch(&format!("/api/organization-properties/{tier_id}"), json!({"label": "Tier", "kind": "text"})).await,
        StatusCode::OK,
    )
    .await;
    ok_json(
        app.patch(
            &format!("/api/organization-properties/{tier_id}"),
            json!({"label": "Tier", "kind": "single_choice", "options": ["Gold", "Silver", "Bronze"]}),
        )
        .await,
        StatusCode::OK,
    )
    .await;

    ok_json(
        put(
            &app,
            &format!("/api/organizations/{org}/properties"),
            json!({"version": 1, "values": {tier_id.to_string(): "Gold", tags_id.to_string(): ["B", "A"]}}),
        )
        .await,
        StatusCode::OK,
    )
    .await;

    let body = error_body(
        app.patch(&format!("/api/organization-properties/{tier_id}"), json!({"label": "Tier", "kind": "text"})).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    assert!(body["fields"]["kind"].as_str().unwrap().contains("1 organization has a value"), "{body}");

    let body = error_body(
        app.patch(
            &format!("/api/organization-properties/{tier_id}"),
            json!({"label": "Tier", "kind": "single_choice", "options": ["Silver", "Bronze"]}),
        )
        .await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    assert_eq!(
        body["fields"]["options"], "\"Gold\" is used by 1 organization. Change their values first, or keep the option.",
        "{body}"
    );
    let body = error_body(
        app.patch(
            &format!("/api/organization-properties/{tags_id}"),
            json!({"label": "Tags", "kind": "multiple_choice", "options": ["B", "C"]}),
        )
        .await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    assert!(body["fields"]["options"].as_str().unwrap().contains("\"A\" is used by 1 organization"), "{body}");
    let list = ok_json(app.get("/api/organization-properties").await, StatusCode::OK).await;
    assert_eq!(list[0]["options"], json!(["Gold", "Silver", "Bronze"]), "nothing changed");
    assert_eq!(list[1]["options"], json!(["A", "B", "C"]));

    // An unused option may go, and reordering options reorders stored choices.
    let changed = ok_json(
        app.patch(
            &format!("/api/organization-properties/{tier_id}"),
            json!({"label": "Tier", "kind": "single_choice", "options": ["Gold", "Silver"]}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(changed["options"], json!(["Gold", "Silver"]));
    ok_json(
        app.patch(
            &format!("/api/organization-properties/{tags_id}"),
            json!({"label": "Tags", "kind": "multiple_choice", "options": ["C", "B", "A"]}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let stored = value_rows(&app.db, org).await;
    assert_eq!(stored, [(tier_id, "\"Gold\"".to_string()), (tags_id, "[\"B\",\"A\"]".to_string())]);

    // Deleting a property deletes its values.
    assert_eq!(delete(&app, &format!("/api/organization-properties/{tags_id}")).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(value_rows(&app.db, org).await, [(tier_id, "\"Gold\"".to_string())]);
}

#[tokio::test]
async fn properties_are_reordered_only_with_exactly_every_id() {
    let app = TestApp::spawn_admin().await;
    let mut ids = Vec::new();
    for label in ["A", "B", "C"] {
        ids.push(define(&app, json!({"label": label, "kind": "text"})).await["id"].as_i64().unwrap());
    }
    let list = ok_json(
        put(&app, "/api/organization-properties/order", json!({"ids": [ids[2], ids[0], ids[1]]})).await,
        StatusCode::OK,
    )
    .await;
    let labels: Vec<&str> = list.as_array().unwrap().iter().map(|d| d["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["C", "A", "B"]);
    let positions: Vec<i64> = list.as_array().unwrap().iter().map(|d| d["position"].as_i64().unwrap()).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
    assert_eq!(ok_json(app.get("/api/organization-properties").await, StatusCode::OK).await, list);

    for bad in [
        json!({"ids": [ids[0], ids[1]]}),
        json!({"ids": [ids[0], ids[1], ids[2], 999999]}),
        json!({"ids": [ids[0], ids[1], ids[1]]}),
        json!({"ids": [ids[0], ids[1], ids[1], ids[2]]}),
        json!({"ids": []}),
    ] {
        let body = error_body(
            put(&app, "/api/organization-properties/order", bad.clone()).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        )
        .await;
        assert!(body["fields"]["ids"].is_string(), "{bad} -> {body}");
    }
    assert_eq!(ok_json(app.get("/api/organization-properties").await, StatusCode::OK).await, list, "order kept");
    // A new property goes last.
    let d = define(&app, json!({"label": "D", "kind": "text"})).await;
    let list = ok_json(app.get("/api/organization-properties").await, StatusCode::OK).await;
    assert_eq!(list.as_array().unwrap().last().unwrap()["id"], d["id"]);
}

// ---------------------------------------------------------------------------
// Property values

/// One property of every kind; returns their ids in the order text, long text,
/// number, date, single choice, multiple choice, checkbox.
async fn every_kind(app: &TestApp) -> Vec<i64> {
    let mut ids = Vec::new();
    for body in [
        json!({"label": "Motto", "kind": "text"}),
        json!({"label": "About", "kind": "long_text"}),
        json!({"label": "Seats", "kind": "number"}),
        json!({"label": "Renewal", "kind": "date"}),
        json!({"label": "Tier", "kind": "single_choice", "options": ["Gold", "Silver"]}),
        json!({"label": "Products", "kind": "multiple_choice", "options": ["Mail", "Chat", "Phone"]}),
        json!({"label": "VIP", "kind": "checkbox"}),
    ] {
        ids.push(define(app, body).await["id"].as_i64().unwrap());
    }
    ids
}

fn values(ids: &[i64], values: Vec<Value>) -> Value {
    Value::Object(ids.iter().zip(values).map(|(id, v)| (id.to_string(), v)).collect())
}

#[tokio::test]
async fn values_of_every_kind_are_validated_normalized_and_recorded() {
    let app = TestApp::spawn_admin().await;
    let org = create_org(&app, "Acme").await;
    let ids = every_kind(&app).await;
    let path = format!("/api/organizations/{org}/properties");
    let detail = ok_json(
        put(
            &app,
            &path,
            json!({"version": 1, "values": values(&ids, vec![
                json!("  Always on "), json!("Two\nlines"), json!(42.5), json!("2026-02-28"),
                json!("Gold"), json!(["Phone", "Mail"]), json!(false),
            ])}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(detail["version"], 2);
    let got: Vec<Value> = detail["properties"].as_array().unwrap().iter().map(|p| p["value"].clone()).collect();
    assert_eq!(
        got,
        [
            json!("Always on"),
            json!("Two\nlines"),
            json!(42.5),
            json!("2026-02-28"),
            json!("Gold"),
            json!(["Mail", "Phone"]),
            json!(false)
        ]
    );
    assert_eq!(detail["properties"][4]["definition"]["label"], "Tier");
    let h = history(&app.db, org).await;
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].0, "properties_changed");
    assert_eq!(h[0].1, "Properties changed: Motto, About, Seats, Renewal, Tier, Products, VIP");

    let before = value_rows(&app.db, org).await;
    let bad: Vec<(usize, Value, &str)> = vec![
        (0, json!("two\nlines"), "One line of text, without control characters."),
        (0, json!("x".repeat(501)), "At most 500 characters."),
        (0, json!(5), "Enter text."),
        (1, json!("x".repeat(10_001)), "At most 10000 characters."),
        (2, json!("42"), "Enter a number."),
        (2, json!(true), "Enter a number."),
        (3, json!("2023-02-29"), "Enter a date as YYYY-MM-DD."),
        (3, json!("28.02.2026"), "Enter a date as YYYY-MM-DD."),
        (4, json!("Platinum"), "\"Platinum\" is not one of the choices."),
        (4, json!("gold"), "\"gold\" is not one of the choices."),
        (5, json!(["Mail", "Fax"]), "\"Fax\" is not one of the choices."),
        (5, json!("Mail"), "Choose from the list."),
        (6, json!("yes"), "Tick or untick the box."),
    ];
    for (i, value, message) in bad {
        let body = error_body(
            put(&app, &path, json!({"version": 2, "values": {ids[i].to_string(): value}})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        )
        .await;
        assert_eq!(body["fields"][format!("values.{}", ids[i])], message, "{body}");
    }
    // One bad value among good ones: nothing is stored.
    let body = error_body(
        put(
            &app,
            &path,
            json!({"version": 2, "values": values(&ids, vec![json!("New motto"), json!("New about"), json!("x")])}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(body["fields"].as_object().unwrap().len(), 1, "{body}");
    assert_eq!(value_rows(&app.db, org).await, before, "nothing changed");
    assert_eq!(version(&app.db, org).await, 2);
    assert_eq!(history(&app.db, org).await.len(), 1);
}

#[tokio::test]
async fn null_or_empty_empties_a_value_absent_ones_stay() {
    let app = TestApp::spawn_admin().await;
    let org = create_org(&app, "Acme").await;
    let ids = every_kind(&app).await;
    let path = format!("/api/organizations/{org}/properties");
    ok_json(
        put(
            &app,
            &path,
            json!({"version": 1, "values": values(&ids[..3], vec![json!("Motto"), json!("About"), json!(7)])}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let detail = ok_json(
        put(&app, &path, json!({"version": 2, "values": {ids[0].to_string(): null, ids[1].to_string(): "  "}})).await,
        StatusCode::OK,
    )
    .await;
    let got: Vec<Value> = detail["properties"].as_array().unwrap().iter().map(|p| p["value"].clone()).collect();
    assert_eq!(got, [Value::Null, Value::Null, json!(7), Value::Null, Value::Null, Value::Null, Value::Null]);
    assert_eq!(value_rows(&app.db, org).await, [(ids[2], "7".to_string())], "emptied values are deleted");
    assert_eq!(history(&app.db, org).await.last().unwrap().1, "Properties changed: Motto, About");

    // Setting the same value again records no change.
    ok_json(put(&app, &path, json!({"version": 3, "values": {ids[2].to_string(): 7}})).await, StatusCode::OK).await;
    assert_eq!(history(&app.db, org).await.len(), 2);
}

#[tokio::test]
async fn a_required_property_cannot_be_emptied() {
    let app = TestApp::spawn_admin().await;
    let org = create_org(&app, "Acme").await;
    let def = define(&app, json!({"label": "Account", "kind": "text", "required": true})).await;
    let key = def["id"].to_string();
    let path = format!("/api/organizations/{org}/properties");
    ok_json(put(&app, &path, json!({"version": 1, "values": {key.clone(): "A-1"}})).await, StatusCode::OK).await;
    for empty in [Value::Null, json!(""), json!("   ")] {
        let body = error_body(
            put(&app, &path, json!({"version": 2, "values": {key.clone(): empty}})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        )
        .await;
        assert_eq!(body["fields"][format!("values.{key}")], "Account is required.", "{body}");
    }
    assert_eq!(value_rows(&app.db, org).await, [(def["id"].as_i64().unwrap(), "\"A-1\"".to_string())]);
}

#[tokio::test]
async fn unknown_properties_stale_versions_and_unknown_organizations_are_refused() {
    let app = TestApp::spawn_admin().await;
    let org = create_org(&app, "Acme").await;
    let def = define(&app, json!({"label": "Region", "kind": "text"})).await;
    let key = def["id"].to_string();
    let path = format!("/api/organizations/{org}/properties");
    let body = error_body(
        put(&app, &path, json!({"version": 1, "values": {"999999": "x", key.clone(): "EMEA"}})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert!(body["fields"]["values.999999"].is_string(), "{body}");
    assert!(value_rows(&app.db, org).await.is_empty());

    ok_json(put(&app, &path, json!({"version": 1, "values": {key.clone(): "EMEA"}})).await, StatusCode::OK).await;
    let body = error_body(
        put(&app, &path, json!({"version": 1, "values": {key.clone(): "APAC"}})).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    assert!(body["fields"]["version"].is_string(), "{body}");
    assert_eq!(value_rows(&app.db, org).await, [(def["id"].as_i64().unwrap(), "\"EMEA\"".to_string())]);

    error_body(
        put(&app, "/api/organizations/999999/properties", json!({"version": 1, "values": {key: "x"}})).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    // A key that is not a property id is a malformed request.
    error_body(
        put(&app, &path, json!({"version": 2, "values": {"abc": "x"}})).await,
        StatusCode::BAD_REQUEST,
        "bad_request",
    )
    .await;
    assert_eq!(version(&app.db, org).await, 2);
}

// ---------------------------------------------------------------------------
// Notes

#[tokio::test]
async fn notes_are_added_listed_newest_first_and_deleted_by_author_or_admin() {
    let app = TestApp::spawn_admin().await;
    let org = create_org(&app, "Acme").await;
    let other = create_org(&app, "Other").await;
    let me = ok_json(app.get("/api/auth/me").await, StatusCode::OK).await;
    let path = format!("/api/organizations/{org}/notes");

    let first =
        ok_json(app.post(&path, json!({"body": "  Called them about renewal.  "})).await, StatusCode::CREATED).await;
    assert_eq!(first["body"], "Called them about renewal.");
    assert_eq!(first["author_name"], me["agent"]["name"]);
    assert_eq!(first["author_id"], me["agent"]["id"]);
    assert!(first["created_at"].as_str().unwrap().ends_with('Z'));

    let (agent, agent_id) = signed_in_agent(&app, "agent@example.com").await;
    let second = ok_json(agent.post(&path, json!({"body": "Prefers email."})).await, StatusCode::CREATED).await;
    assert_eq!(second["author_name"], "Test Agent");
    assert_eq!(second["author_id"], agent_id);

    let page = ok_json(app.get(&path).await, StatusCode::OK).await;
    assert_eq!(page["total"], 2);
    assert_eq!(page["items"], json!([second, first]), "newest first");
    let page = ok_json(app.get(&format!("{path}?offset=1&limit=1")).await, StatusCode::OK).await;
    assert_eq!(page["items"], json!([first]));
    assert_eq!(page["total"], 2);
    error_body(app.get(&format!("{path}?limit=0")).await, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    error_body(app.get("/api/organizations/999999/notes").await, StatusCode::NOT_FOUND, "not_found").await;
    assert_eq!(version(&app.db, org).await, 1, "notes do not bump the version");

    // The agent cannot delete the admin's note; the admin can delete the agent's.
    let first_path = format!("{path}/{}", first["id"]);
    error_body(delete(&agent, &first_path).await, StatusCode::FORBIDDEN, "forbidden").await;
    // A note is deleted through its own organization only.
    error_body(
        delete(&app, &format!("/api/organizations/{other}/notes/{}", first["id"])).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    assert_eq!(ok_json(app.get(&path).await, StatusCode::OK).await["total"], 2);
    assert_eq!(delete(&app, &format!("{path}/{}", second["id"])).await.status(), StatusCode::NO_CONTENT);
    // An author deletes their own note.
    let third = ok_json(agent.post(&path, json!({"body": "Mine"})).await, StatusCode::CREATED).await;
    assert_eq!(delete(&agent, &format!("{path}/{}", third["id"])).await.status(), StatusCode::NO_CONTENT);
    error_body(delete(&agent, &format!("{path}/{}", third["id"])).await, StatusCode::NOT_FOUND, "not_found").await;
    let page = ok_json(app.get(&path).await, StatusCode::OK).await;
    assert_eq!(page["items"], json!([first]));

    let actions: Vec<String> = history(&app.db, org).await.into_iter().map(|(a, _)| a).collect();
    assert_eq!(actions, ["note_added", "note_added", "note_deleted", "note_added", "note_deleted"]);
    assert_eq!(history(&app.db, org).await[0].1, "Note added: \"Called them about renewal.\"");
    assert_eq!(version(&app.db, org).await, 1);
}

#[tokio::test]
async fn empty_or_too_long_notes_are_422s() {
    let app = TestApp::spawn_admin().await;
    let org = create_org(&app, "Acme").await;
    let path = format!("/api/organizations/{org}/notes");
    for body in [json!({"body": ""}), json!({"body": "  \n "}), json!({"body": "x".repeat(10_001)}), json!({"body": 5})]
    {
        let res = error_body(app.post(&path, body.clone()).await, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
        assert!(res["fields"]["body"].is_string(), "{body} -> {res}");
    }
    // Exactly the limit is fine.
    ok_json(app.post(&path, json!({"body": "x".repeat(10_000)})).await, StatusCode::CREATED).await;
    assert_eq!(ok_json(app.get(&path).await, StatusCode::OK).await["total"], 1);
    error_body(
        app.post("/api/organizations/999999/notes", json!({"body": "Hello"})).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

// ---------------------------------------------------------------------------
// Files

async fn upload(app: &TestApp, org: i64, form: Form) -> Response {
    app.client
        .post(app.url(&format!("/api/organizations/{org}/files")))
        .header("x-csrf-token", app.csrf.clone().unwrap_or_default())
        .multipart(form)
        .send()
        .await
        .unwrap()
}

fn file_form(name: &str, content_type: &str, bytes: Vec<u8>) -> Form {
    Form::new().part("file", Part::bytes(bytes).file_name(name.to_string()).mime_str(content_type).unwrap())
}

#[tokio::test]
async fn files_are_uploaded_listed_downloaded_and_deleted() {
    let app = TestApp::spawn_admin().await;
    let org = create_org(&app, "Acme").await;
    let bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let info = ok_json(
        upload(&app, org, file_form("C:\\scans\\Vertrag März.pdf", "application/pdf", bytes.clone())).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(info["name"], "Vertrag März.pdf", "the path is dropped");
    assert_eq!(info["content_type"], "application/pdf");
    assert_eq!(info["size"], 70_000);
    assert!(!info["uploaded_by"].as_str().unwrap().is_empty());
    let second =
        ok_json(upload(&app, org, file_form("notes.txt", "text/plain", b"hello".to_vec())).await, StatusCode::CREATED)
            .await;
    // A part with no usable content type is stored as octet-stream.
    let third = ok_json(
        upload(&app, org, Form::new().part("file", Part::bytes(b"x".to_vec()).file_name("raw.bin"))).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(third["content_type"], "application/octet-stream");

    let list = ok_json(app.get(&format!("/api/organizations/{org}/files")).await, StatusCode::OK).await;
    assert_eq!(list, json!([third, second, info]), "newest first");

    let res = app.get(&format!("/api/files/{}", info["id"])).await;
    assert_eq!(res.status(), StatusCode::OK);
    let h = res.headers().clone();
    assert_eq!(h["content-type"], "application/pdf");
    assert_eq!(h["content-length"], "70000");
    assert_eq!(
        h["content-disposition"],
        "attachment; filename=\"Vertrag M_rz.pdf\"; filename*=UTF-8''Vertrag%20M%C3%A4rz.pdf"
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["content-security-policy"], "sandbox; default-src 'none'", "an uploaded page cannot run script");
    assert_eq!(res.bytes().await.unwrap().to_vec(), bytes, "exactly the uploaded bytes");

    assert_eq!(version(&app.db, org).await, 1, "files do not bump the version");
    assert_eq!(delete(&app, &format!("/api/files/{}", info["id"])).await.status(), StatusCode::NO_CONTENT);
    error_body(app.get(&format!("/api/files/{}", info["id"])).await, StatusCode::NOT_FOUND, "not_found").await;
    error_body(delete(&app, &format!("/api/files/{}", info["id"])).await, StatusCode::NOT_FOUND, "not_found").await;
    let list = ok_json(app.get(&format!("/api/organizations/{org}/files")).await, StatusCode::OK).await;
    assert_eq!(list, json!([third, second]));

    let h = history(&app.db, org).await;
    let actions: Vec<&str> = h.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(actions, ["file_added", "file_added", "file_added", "file_deleted"]);
    assert_eq!(h[0].1, "File attached: Vertrag März.pdf (69 KB)");
    assert_eq!(h[3].1, "File deleted: Vertrag März.pdf");

    // Deleting the organization takes its files with it.
    assert_eq!(delete(&app, &format!("/api/organizations/{org}")).await.status(), StatusCode::NO_CONTENT);
    error_body(app.get(&format!("/api/files/{}", second["id"])).await, StatusCode::NOT_FOUND, "not_found").await;
    error_body(app.get(&format!("/api/organizations/{org}/files")).await, StatusCode::NOT_FOUND, "not_found").await;
    assert_eq!(file_count(&app.db).await, 0);
}

#[tokio::test]
async fn a_file_over_the_limit_is_a_413_and_nothing_is_stored() {
    let app = TestApp::spawn_admin().await;
    let org = create_org(&app, "Acme").await;
    let body = error_body(
        upload(&app, org, file_form("big.bin", "application/octet-stream", vec![7u8; MAX_FILE_BYTES + 1])).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
    )
    .await;
    assert_eq!(body["message"], "The file is larger than 10 MB. Attach a smaller file.");
    assert_eq!(file_count(&app.db).await, 0);
    assert!(history(&app.db, org).await.is_empty());

    // Exactly the limit is accepted.
    let info = ok_json(
        upload(&app, org, file_form("max.bin", "application/octet-stream", vec![7u8; MAX_FILE_BYTES])).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(info["size"], MAX_FILE_BYTES as i64);
    // Other routes keep the small JSON limit.
    let res = app
        .client
        .post(app.url(&format!("/api/organizations/{org}/notes")))
        .header("x-csrf-token", app.csrf.clone().unwrap())
        .header("content-type", "application/json")
        .body(format!("{{\"body\": \"{}\"}}", "x".repeat(2 * 1024 * 1024)))
        .send()
        .await
        .unwrap();
    error_body(res, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
}

#[tokio::test]
async fn empty_missing_nameless_or_misplaced_uploads_are_refused() {
    let app = TestApp::spawn_admin().await;
    let org = create_org(&app, "Acme").await;
    let body = error_body(
        upload(&app, org, file_form("empty.txt", "text/plain", Vec::new())).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(body["fields"]["file"], "The file is empty.");
    let body = error_body(
        upload(&app, org, Form::new().text("other", "value")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(body["fields"]["file"], "Choose a file to attach.");
    let body = error_body(
        upload(&app, org, Form::new().part("file", Part::bytes(b"abc".to_vec()))).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert!(body["fields"]["file"].is_string(), "no file name: {body}");
    let body = error_body(
        upload(&app, org, file_form("../", "text/plain", b"abc".to_vec())).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert!(body["fields"]["file"].is_string(), "nothing left of the name: {body}");
    error_body(
        upload(&app, 999999, file_form("a.txt", "text/plain", b"abc".to_vec())).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    // Not multipart at all.
    error_body(
        app.post(&format!("/api/organizations/{org}/files"), json!({"file": "abc"})).await,
        StatusCode::BAD_REQUEST,
        "bad_request",
    )
    .await;
    error_body(app.get("/api/files/999999").await, StatusCode::NOT_FOUND, "not_found").await;
    error_body(delete(&app, "/api/files/999999").await, StatusCode::NOT_FOUND, "not_found").await;
    error_body(app.get("/api/organizations/999999/files").await, StatusCode::NOT_FOUND, "not_found").await;
    assert_eq!(file_count(&app.db).await, 0);
}

// ---------------------------------------------------------------------------
// Sessions

#[tokio::test]
async fn every_route_needs_a_session() {
    let app = TestApp::spawn_admin().await;
    let org = create_org(&app, "Acme").await;
    let def = define(&app, json!({"label": "Region", "kind": "text"})).await;
    let note =
        ok_json(app.post(&format!("/api/organizations/{org}/notes"), json!({"body": "Hi"})).await, StatusCode::CREATED)
            .await;
    let file =
        ok_json(upload(&app, org, file_form("a.txt", "text/plain", b"abc".to_vec())).await, StatusCode::CREATED).await;
    let anon = app.other_client();
    let d = def["id"].as_i64().unwrap();
    let (n, f) = (note["id"].as_i64().unwrap(), file["id"].as_i64().unwrap());
    let requests: Vec<(Method, String, Option<Value>)> = vec![
        (Method::PUT, format!("/api/organizations/{org}/contacts"), Some(json!({"version": 1, "entries": []}))),
        (Method::PUT, format!("/api/organizations/{org}/properties"), Some(json!({"version": 1, "values": {}}))),
        (Method::GET, "/api/organization-properties".into(), None),
        (Method::POST, "/api/organization-properties".into(), Some(json!({"label": "X", "kind": "text"}))),
        (Method::PATCH, format!("/api/organization-properties/{d}"), Some(json!({"label": "X", "kind": "text"}))),
        (Method::DELETE, format!("/api/organization-properties/{d}"), None),
        (Method::PUT, "/api/organization-properties/order".into(), Some(json!({"ids": [d]}))),
        (Method::GET, format!("/api/organizations/{org}/notes"), None),
        (Method::POST, format!("/api/organizations/{org}/notes"), Some(json!({"body": "x"}))),
        (Method::DELETE, format!("/api/organizations/{org}/notes/{n}"), None),
        (Method::GET, format!("/api/organizations/{org}/files"), None),
        (Method::GET, format!("/api/files/{f}"), None),
        (Method::DELETE, format!("/api/files/{f}"), None),
    ];
    for (method, path, body) in requests {
        let res = anon.call(method.clone(), &path, body).await;
        error_body(res, StatusCode::UNAUTHORIZED, "unauthorized").await;
    }
    error_body(
        upload(&anon, org, file_form("b.txt", "text/plain", b"abc".to_vec())).await,
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
    // Nothing changed.
    assert_eq!(file_count(&app.db).await, 1);
    assert_eq!(ok_json(app.get(&format!("/api/organizations/{org}/notes")).await, StatusCode::OK).await["total"], 1);
    assert_eq!(ok_json(app.get("/api/organization-properties").await, StatusCode::OK).await, json!([def]));
}
