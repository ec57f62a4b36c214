//! Custom organization properties: the definitions admins manage (kinds, options,
//! order, unique labels) and the values agents fill in, validated by kind.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::*;
use crate::support::*;

async fn define(app: &TestApp, body: Value) -> Value {
    json_with(app.post("/api/organization-properties", body).await, StatusCode::CREATED).await
}

/// Stored property values (definition id, JSON text), straight from the database.
async fn value_rows(app: &TestApp, org: i64) -> Vec<(i64, String)> {
    app.rows_for(
        "SELECT definition_id, value FROM organization_property_values WHERE organization_id = $1 ORDER BY definition_id",
        org,
    )
    .await
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

    let list = json_with(app.get("/api/organization-properties").await, StatusCode::OK).await;
    assert_eq!(list, json!([tier, size]));

    let tier_id = tier["id"].as_i64().unwrap();
    let changed = json_with(
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
    json_with(
        app.patch(&format!("/api/organization-properties/{tier_id}"), json!({"label": "LEVEL", "kind": "text"})).await,
        StatusCode::OK,
    )
    .await;

    assert_eq!(app.delete(&format!("/api/organization-properties/{tier_id}")).await.status(), StatusCode::NO_CONTENT);
    let list = json_with(app.get("/api/organization-properties").await, StatusCode::OK).await;
    assert_eq!(list, json!([size]));
    error_body(
        app.delete(&format!("/api/organization-properties/{tier_id}")).await,
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
    let org = app.create_org("Acme", &[]).await.id;
    let def = define(&app, json!({"label": "Region", "kind": "text"})).await;
    let id = def["id"].as_i64().unwrap();
    let (agent, _) = app.signed_in_agent("agent@example.com").await;

    let list = json_with(agent.get("/api/organization-properties").await, StatusCode::OK).await;
    assert_eq!(list, json!([def]));
    for res in [
        agent.post("/api/organization-properties", json!({"label": "Other", "kind": "text"})).await,
        agent.patch(&format!("/api/organization-properties/{id}"), json!({"label": "Area", "kind": "text"})).await,
        agent.delete(&format!("/api/organization-properties/{id}")).await,
        agent.put("/api/organization-properties/order", json!({"ids": [id]})).await,
    ] {
        error_body(res, StatusCode::FORBIDDEN, "forbidden").await;
    }
    let list = json_with(app.get("/api/organization-properties").await, StatusCode::OK).await;
    assert_eq!(list, json!([def]), "nothing changed");

    // An agent fills the value in.
    let detail = json_with(
        agent
            .put(
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
    let list = json_with(app.get("/api/organization-properties").await, StatusCode::OK).await;
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
    let list = json_with(app.get("/api/organization-properties").await, StatusCode::OK).await;
    assert_eq!(list, json!([existing]), "nothing created or changed");
}

#[tokio::test]
async fn a_kind_cannot_change_while_values_exist_nor_can_an_option_in_use_go() {
    let app = TestApp::spawn_admin().await;
    let org = app.create_org("Acme", &[]).await.id;
    let tier =
        define(&app, json!({"label": "Tier", "kind": "single_choice", "options": ["Gold", "Silver", "Bronze"]})).await;
    let tags = define(&app, json!({"label": "Tags", "kind": "multiple_choice", "options": ["A", "B", "C"]})).await;
    let (tier_id, tags_id) = (tier["id"].as_i64().unwrap(), tags["id"].as_i64().unwrap());

    // With no values, the kind may change (and back).
    json_with(
        app.patch(&format!("/api/organization-properties/{tier_id}"), json!({"label": "Tier", "kind": "text"})).await,
        StatusCode::OK,
    )
    .await;
    json_with(
        app.patch(
            &format!("/api/organization-properties/{tier_id}"),
            json!({"label": "Tier", "kind": "single_choice", "options": ["Gold", "Silver", "Bronze"]}),
        )
        .await,
        StatusCode::OK,
    )
    .await;

    json_with(
        app.put(
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
    let list = json_with(app.get("/api/organization-properties").await, StatusCode::OK).await;
    assert_eq!(list[0]["options"], json!(["Gold", "Silver", "Bronze"]), "nothing changed");
    assert_eq!(list[1]["options"], json!(["A", "B", "C"]));

    // An unused option may go, and reordering options reorders stored choices.
    let changed = json_with(
        app.patch(
            &format!("/api/organization-properties/{tier_id}"),
            json!({"label": "Tier", "kind": "single_choice", "options": ["Gold", "Silver"]}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(changed["options"], json!(["Gold", "Silver"]));
    json_with(
        app.patch(
            &format!("/api/organization-properties/{tags_id}"),
            json!({"label": "Tags", "kind": "multiple_choice", "options": ["C", "B", "A"]}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let stored = value_rows(&app, org).await;
    assert_eq!(stored, [(tier_id, "\"Gold\"".to_string()), (tags_id, "[\"B\",\"A\"]".to_string())]);

    // Deleting a property deletes its values.
    assert_eq!(app.delete(&format!("/api/organization-properties/{tags_id}")).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(value_rows(&app, org).await, [(tier_id, "\"Gold\"".to_string())]);
}

#[tokio::test]
async fn properties_are_reordered_only_with_exactly_every_id() {
    let app = TestApp::spawn_admin().await;
    let mut ids = Vec::new();
    for label in ["A", "B", "C"] {
        ids.push(define(&app, json!({"label": label, "kind": "text"})).await["id"].as_i64().unwrap());
    }
    let list = json_with(
        app.put("/api/organization-properties/order", json!({"ids": [ids[2], ids[0], ids[1]]})).await,
        StatusCode::OK,
    )
    .await;
    let labels: Vec<&str> = list.as_array().unwrap().iter().map(|d| d["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["C", "A", "B"]);
    let positions: Vec<i64> = list.as_array().unwrap().iter().map(|d| d["position"].as_i64().unwrap()).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
    assert_eq!(json_with(app.get("/api/organization-properties").await, StatusCode::OK).await, list);

    for bad in [
        json!({"ids": [ids[0], ids[1]]}),
        json!({"ids": [ids[0], ids[1], ids[2], 999999]}),
        json!({"ids": [ids[0], ids[1], ids[1]]}),
        json!({"ids": [ids[0], ids[1], ids[1], ids[2]]}),
        json!({"ids": []}),
    ] {
        let body = error_body(
            app.put("/api/organization-properties/order", bad.clone()).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        )
        .await;
        assert!(body["fields"]["ids"].is_string(), "{bad} -> {body}");
    }
    assert_eq!(json_with(app.get("/api/organization-properties").await, StatusCode::OK).await, list, "order kept");
    // A new property goes last.
    let d = define(&app, json!({"label": "D", "kind": "text"})).await;
    let list = json_with(app.get("/api/organization-properties").await, StatusCode::OK).await;
    assert_eq!(list.as_array().unwrap().last().unwrap()["id"], d["id"]);
}

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
    let org = app.create_org("Acme", &[]).await.id;
    let ids = every_kind(&app).await;
    let path = format!("/api/organizations/{org}/properties");
    let detail = json_with(
        app.put(
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
    let h = history_rows(&app, org).await;
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].0, "properties_changed");
    assert_eq!(h[0].1, "Properties changed: Motto, About, Seats, Renewal, Tier, Products, VIP");

    let before = value_rows(&app, org).await;
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
            app.put(&path, json!({"version": 2, "values": {ids[i].to_string(): value}})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        )
        .await;
        assert_eq!(body["fields"][format!("values.{}", ids[i])], message, "{body}");
    }
    // One bad value among good ones: nothing is stored.
    let body = error_body(
        app.put(
            &path,
            json!({"version": 2, "values": values(&ids, vec![json!("New motto"), json!("New about"), json!("x")])}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(body["fields"].as_object().unwrap().len(), 1, "{body}");
    assert_eq!(value_rows(&app, org).await, before, "nothing changed");
    assert_eq!(version(&app, org).await, 2);
    assert_eq!(history_rows(&app, org).await.len(), 1);
}

#[tokio::test]
async fn null_or_empty_empties_a_value_absent_ones_stay() {
    let app = TestApp::spawn_admin().await;
    let org = app.create_org("Acme", &[]).await.id;
    let ids = every_kind(&app).await;
    let path = format!("/api/organizations/{org}/properties");
    json_with(
        app.put(
            &path,
            json!({"version": 1, "values": values(&ids[..3], vec![json!("Motto"), json!("About"), json!(7)])}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let detail = json_with(
        app.put(&path, json!({"version": 2, "values": {ids[0].to_string(): null, ids[1].to_string(): "  "}})).await,
        StatusCode::OK,
    )
    .await;
    let got: Vec<Value> = detail["properties"].as_array().unwrap().iter().map(|p| p["value"].clone()).collect();
    assert_eq!(got, [Value::Null, Value::Null, json!(7), Value::Null, Value::Null, Value::Null, Value::Null]);
    assert_eq!(value_rows(&app, org).await, [(ids[2], "7".to_string())], "emptied values are deleted");
    assert_eq!(history_rows(&app, org).await.last().unwrap().1, "Properties changed: Motto, About");

    // Setting the same value again records no change.
    json_with(app.put(&path, json!({"version": 3, "values": {ids[2].to_string(): 7}})).await, StatusCode::OK).await;
    assert_eq!(history_rows(&app, org).await.len(), 2);
}

#[tokio::test]
async fn a_required_property_cannot_be_emptied() {
    let app = TestApp::spawn_admin().await;
    let org = app.create_org("Acme", &[]).await.id;
    let def = define(&app, json!({"label": "Account", "kind": "text", "required": true})).await;
    let key = def["id"].to_string();
    let path = format!("/api/organizations/{org}/properties");
    json_with(app.put(&path, json!({"version": 1, "values": {key.clone(): "A-1"}})).await, StatusCode::OK).await;
    for empty in [Value::Null, json!(""), json!("   ")] {
        let body = error_body(
            app.put(&path, json!({"version": 2, "values": {key.clone(): empty}})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        )
        .await;
        assert_eq!(body["fields"][format!("values.{key}")], "Account is required.", "{body}");
    }
    assert_eq!(value_rows(&app, org).await, [(def["id"].as_i64().unwrap(), "\"A-1\"".to_string())]);
}

#[tokio::test]
async fn unknown_properties_stale_versions_and_unknown_organizations_are_refused() {
    let app = TestApp::spawn_admin().await;
    let org = app.create_org("Acme", &[]).await.id;
    let def = define(&app, json!({"label": "Region", "kind": "text"})).await;
    let key = def["id"].to_string();
    let path = format!("/api/organizations/{org}/properties");
    let body = error_body(
        app.put(&path, json!({"version": 1, "values": {"999999": "x", key.clone(): "EMEA"}})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert!(body["fields"]["values.999999"].is_string(), "{body}");
    assert!(value_rows(&app, org).await.is_empty());

    json_with(app.put(&path, json!({"version": 1, "values": {key.clone(): "EMEA"}})).await, StatusCode::OK).await;
    let body = error_body(
        app.put(&path, json!({"version": 1, "values": {key.clone(): "APAC"}})).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    assert!(body["fields"]["version"].is_string(), "{body}");
    assert_eq!(value_rows(&app, org).await, [(def["id"].as_i64().unwrap(), "\"EMEA\"".to_string())]);

    error_body(
        app.put("/api/organizations/999999/properties", json!({"version": 1, "values": {key: "x"}})).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    // A key that is not a property id is refused, naming the field.
    let body = error_body(
        app.put(&path, json!({"version": 2, "values": {"abc": "x"}})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert!(body["fields"]["values"].is_string(), "{body}");
    assert_eq!(version(&app, org).await, 2);
}

#[tokio::test]
async fn definitions_and_values_need_a_session() {
    let app = TestApp::spawn_admin().await;
    let org = app.create_org("Acme", &[]).await.id;
    let def = define(&app, json!({"label": "Region", "kind": "text"})).await;
    let d = def["id"].as_i64().unwrap();
    assert_each_needs_a_session(
        &app,
        vec![
            (
                Method::PUT,
                format!("/api/organizations/{org}/properties"),
                Some(json!({"version": 1, "values": {d.to_string(): "EMEA"}})),
            ),
            (Method::GET, "/api/organization-properties".into(), None),
            (Method::POST, "/api/organization-properties".into(), Some(json!({"label": "X", "kind": "text"}))),
            (Method::PATCH, format!("/api/organization-properties/{d}"), Some(json!({"label": "X", "kind": "text"}))),
            (Method::DELETE, format!("/api/organization-properties/{d}"), None),
            (Method::PUT, "/api/organization-properties/order".into(), Some(json!({"ids": [d]}))),
        ],
    )
    .await;
    assert_eq!(json_with(app.get("/api/organization-properties").await, StatusCode::OK).await, json!([def]));
    assert!(value_rows(&app, org).await.is_empty(), "nothing changed");
}
