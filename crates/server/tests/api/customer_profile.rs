//! The customer profile: what it shows, the customer's history (written with each
//! change, keyset paged), and the custom customer properties (defined by admins,
//! edited in place with the version check; the organization properties' code).

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::import::{import, uploaded};
use crate::support::*;

async fn profile(app: &TestApp, id: i64) -> Value {
    ok_json(app.get(&format!("/api/customers/{id}/profile")).await).await
}

/// Every history entry of customer `id`, newest first, as (action, summary).
async fn history(app: &TestApp, id: i64) -> Vec<(String, String)> {
    let page = ok_json(app.get(&format!("/api/customers/{id}/history?limit=200")).await).await;
    assert_eq!(page["next_before"], Value::Null, "one page holds it all: {page}");
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["action"].as_str().unwrap().to_string(), e["summary"].as_str().unwrap().to_string()))
        .collect()
}

fn summaries(entries: &[(String, String)]) -> Vec<&str> {
    entries.iter().map(|(_, s)| s.as_str()).collect()
}

async fn define(app: &TestApp, body: Value) -> i64 {
    json_with(app.post("/api/customer-properties", body).await, StatusCode::CREATED).await["id"].as_i64().unwrap()
}

#[tokio::test]
async fn the_profile_shows_the_customer_their_role_projects_and_properties() {
    let app = TestApp::spawn_admin().await;
    let acme = app.create_org("Acme", &["acme.test"]).await;
    let ann = app.create_named_customer("ann@acme.test", "Ann", "Lee").await;
    let support = app.create_project("Support").await;
    let billing = app.create_project("Billing").await;
    ok_json(app.post(&format!("/api/projects/{}/followers", support.id), json!({"organization_id": acme.id})).await)
        .await;
    ok_json(app.post(&format!("/api/projects/{}/followers", billing.id), json!({"customer_id": ann.id})).await).await;
    ok_json(app.post(&format!("/api/projects/{}/followers", support.id), json!({"customer_id": ann.id})).await).await;
    let tier = define(&app, json!({"label": "Tier", "kind": "single_choice", "options": ["Gold", "Silver"]})).await;

    let p = profile(&app, ann.id).await;
    assert_eq!(p["customer"]["email"], "ann@acme.test");
    assert_eq!(p["customer"]["organization_name"], "Acme");
    assert_eq!(p["customer"]["email_verified"], false);
    assert_eq!(p["role"], "Member");
    assert_eq!(p["version"], 1);
    assert_eq!(
        p["projects"],
        json!([
            {"project": {"id": billing.id, "name": "Billing", "archived": false}, "through_organization": false},
            {"project": {"id": support.id, "name": "Support", "archived": false}, "through_organization": false},
        ]),
        "a project followed both ways is listed once, as the customer's own"
    );
    assert_eq!(p["properties"][0]["definition"]["id"], tier);
    assert_eq!(p["properties"][0]["value"], Value::Null);

    // Through the organization only.
    let bob = app.create_customer("bob@acme.test").await;
    let p = profile(&app, bob.id).await;
    assert_eq!(p["projects"][0]["through_organization"], true);
    assert_eq!(p["projects"].as_array().unwrap().len(), 1);

    // Without an organization: no role.
    let solo = app.create_customer("solo@gmail.com").await;
    assert_eq!(profile(&app, solo.id).await["role"], Value::Null);

    error_body(app.get("/api/customers/999/profile").await, StatusCode::NOT_FOUND, "not_found").await;
    error_body(app.get("/api/customers/999/history").await, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn the_history_records_creation_invitations_and_every_kind_of_move_with_who_and_how() {
    let app = TestApp::spawn_admin().await;
    let acme = app.create_org("Acme", &["acme.test"]).await;
    let globex = app.create_org("Globex", &[]).await;
    let res = app.post("/api/customers", json!({"email": "ann@acme.test", "send_invitation": true})).await;
    let ann = json_with(res, StatusCode::CREATED).await["id"].as_i64().unwrap();
    // An automatically created organization says so.
    let zed = app.create_customer("zed@zed.test").await.id;

    // The Customers app, the profile's picker, Undo, the organization panel, a domain rule.
    app.move_customers(&[ann], Some(globex.id)).await;
    let body = json!({"customer_ids": [ann], "organization_id": acme.id, "via": "profile"});
    ok_json(app.post("/api/customers/move", body).await).await;
    let body = json!({"customer_ids": [ann], "organization_id": null, "via": "undo"});
    ok_json(app.post("/api/customers/move", body).await).await;
    ok_json(app.post(&format!("/api/organizations/{}/members", globex.id), json!({"customer_id": ann})).await).await;
    let res = app.delete(&format!("/api/organizations/{}/members/{ann}", globex.id)).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);

    let entries = history(&app, ann).await;
    assert_eq!(
        summaries(&entries),
        [
            "Left Globex from the organization's panel",
            "Joined Globex from the organization's panel",
            "Left Acme by an Undo",
            "Moved from Globex to Acme from the customer's profile",
            "Moved from Acme to Globex in the Customers app",
            "Invitation to the portal sent to ann@acme.test",
            "Created by an agent; joined Acme by the email domain rule",
        ]
    );
    let page = ok_json(app.get(&format!("/api/customers/{ann}/history?limit=1")).await).await;
    assert_eq!(page["items"][0]["agent_name"], "Administrator", "who: {page}");
    assert_eq!(page["items"][0]["details"]["via"], "organization_panel");
    assert_eq!(
        history(&app, zed).await,
        [(
            "created".to_string(),
            "Created by an agent; joined zed.test by the email domain rule (created for their domain)".to_string()
        )]
    );
}

#[tokio::test]
async fn a_domain_rule_move_is_recorded_on_each_customer_it_moves() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let acme = app.create_org("Acme", &[]).await;
    let ann = app.create_customer("ann@acme.test").await.id;
    let v = ok_json(app.get(&format!("/api/organizations/{}/detail", acme.id)).await).await["version"].clone();
    let body = json!({"version": v, "domain": "acme.test", "move_unassigned": true});
    ok_json(app.post(&format!("/api/organizations/{}/domains", acme.id), body).await).await;
    let entries = history(&app, ann).await;
    assert_eq!(summaries(&entries), ["Joined Acme by an email domain rule", "Created by an agent"]);
    // Removing the domain with its members leaving.
    let v = ok_json(app.get(&format!("/api/organizations/{}/detail", acme.id)).await).await["version"].clone();
    let res = app.delete(&format!("/api/organizations/{}/domains/acme.test?members=leave&version={v}", acme.id)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(history(&app, ann).await[0].1, "Left Acme by an email domain rule");
}

#[tokio::test]
async fn a_portal_sign_up_is_in_the_history() {
    let app = TestApp::spawn_admin().await;
    app.create_org("Acme", &["acme.test"]).await;
    orgdesk_server::db::query("INSERT INTO settings (key, value) VALUES ('portal_self_registration', 'true')")
        .execute(&app.db)
        .await
        .unwrap();
    let anyone = app.other_client();
    let body =
        json!({"email": "new@acme.test", "first_name": "New", "last_name": "One", "password": "Chosen-password-1"});
    assert_eq!(anyone.post("/api/portal/auth/register", body).await.status(), StatusCode::ACCEPTED);
    let list = ok_json(app.get("/api/customers?q=new").await).await;
    let id = list["items"][0]["id"].as_i64().unwrap();
    let page = ok_json(app.get(&format!("/api/customers/{id}/history")).await).await;
    assert_eq!(page["items"][0]["summary"], "Signed up in the portal; joined Acme by the email domain rule");
    assert_eq!(page["items"][0]["agent_name"], "", "nobody: the customer themselves");
    assert_eq!(page["items"][0]["details"]["by"], "portal_sign_up");
}

#[tokio::test]
async fn imports_and_their_undo_are_in_the_history() {
    let app = TestApp::spawn_admin().await;
    let acme = app.create_org("Acme", &["acme.test"]).await;
    let old = app.create_named_customer("old@acme.test", "Old", "").await.id;
    let text = "Email,First name,Organization\nold@acme.test,Olga,Globex\nnew@globex.test,New,Globex\n";
    let u = uploaded(&app, "people.csv", text).await;
    let options = json!({"mapping": u["guessed"], "existing": "overwrite", "create_organizations": true,
        "send_invitations": true});
    let batch = import(&app, &u, &options).await;
    assert_eq!(batch["status"]["state"], "done", "{batch}");
    let new: Vec<(i64,)> =
        app.rows_for("SELECT id FROM customers WHERE email = 'new@globex.test' AND id > $1", 0).await;
    let entries = history(&app, new[0].0).await;
    assert!(summaries(&entries).contains(&"Joined Globex by a CSV import"), "{entries:?}");
    assert!(summaries(&entries).contains(&"Created by a CSV import"), "{entries:?}");
    assert_eq!(entries.iter().filter(|(a, _)| a == "invitation_sent").count(), 1, "{entries:?}");
    assert_eq!(history(&app, old).await[0].1, "Moved from Acme to Globex by a CSV import");

    let id = batch["id"].as_i64().unwrap();
    ok_json(app.post(&format!("/api/imports/{id}/undo"), json!({})).await).await;
    assert_eq!(history(&app, old).await[0].1, "Moved from Globex to Acme by undoing a CSV import");
    assert_eq!(app.customer(old).await.organization_id, Some(acme.id));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM customer_history WHERE customer_id NOT IN (SELECT id FROM customers)").await,
        0
    );
}

#[tokio::test]
async fn the_history_pages_by_keyset_newest_first_and_refuses_bad_paging() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let a = app.create_org("A", &[]).await.id;
    let b = app.create_org("B", &[]).await.id;
    let ann = app.create_customer("ann@example.com").await.id;
    for _ in 0..3 {
        app.move_customers(&[ann], Some(a)).await;
        app.move_customers(&[ann], Some(b)).await;
    }
    // 1 created + 6 moves.
    let mut seen = Vec::new();
    let mut path = format!("/api/customers/{ann}/history?limit=3");
    loop {
        let page = ok_json(app.get(&path).await).await;
        let ids: Vec<i64> = page["items"].as_array().unwrap().iter().map(|e| e["id"].as_i64().unwrap()).collect();
        assert!(ids.len() <= 3);
        seen.extend(ids);
        match page["next_before"].as_i64() {
            Some(before) => path = format!("/api/customers/{ann}/history?limit=3&before={before}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 7);
    assert!(seen.windows(2).all(|w| w[0] > w[1]), "newest first, no repeats: {seen:?}");
    for bad in ["limit=0", "limit=201", "limit=x", "before=0", "before=abc"] {
        let body = error_body(
            app.get(&format!("/api/customers/{ann}/history?{bad}")).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        )
        .await;
        let field = bad.split('=').next().unwrap();
        assert!(body["fields"][field].is_string(), "{bad}: {body}");
    }
}

#[tokio::test]
async fn a_history_page_reads_a_range_of_the_customer_index() {
    let app = TestApp::spawn_admin().await;
    let ann = app.create_customer("ann@acme.test").await.id;
    let sql = orgdesk_server::db::customers::history::PAGE_SQL;
    let args = vec![ann.into(), i64::MAX.into(), 21i64.into()];
    let plan = app.query_plan(sql, args).await;
    let text = plan.join("\n");
    assert!(text.contains("customer_history_customer"), "{text}");
    if app.db.dialect() == "sqlite" {
        assert!(plan.iter().all(|l| !l.starts_with("SCAN h")), "{text}");
    } else {
        assert!(!text.contains("Seq Scan on customer_history"), "{text}");
    }
}

#[tokio::test]
async fn customer_properties_are_defined_by_admins_and_edited_with_the_version_check() {
    let app = TestApp::spawn_admin().await;
    let (agent, _) = app.signed_in_agent("agent@example.com").await;
    error_body(
        agent.post("/api/customer-properties", json!({"label": "Tier", "kind": "text"})).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let tier = define(&app, json!({"label": "Tier", "kind": "single_choice", "options": ["Gold", "Silver"]})).await;
    let seats = define(&app, json!({"label": "Seats", "kind": "number", "required": true})).await;
    let vip = define(&app, json!({"label": "VIP", "kind": "checkbox"})).await;
    // Labels are per kind of owner: an organization property may share one.
    ok_json(app.post("/api/organization-properties", json!({"label": "Tier", "kind": "text"})).await).await;
    error_body(
        app.post("/api/customer-properties", json!({"label": "tier", "kind": "text"})).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    let listed = ok_json(agent.get("/api/customer-properties").await).await;
    assert_eq!(
        listed.as_array().unwrap().iter().map(|d| d["id"].as_i64().unwrap()).collect::<Vec<_>>(),
        [tier, seats, vip]
    );

    let ann = app.create_customer("ann@acme.test").await.id;
    let path = format!("/api/customers/{ann}/properties");
    let body =
        json!({"version": 1, "values": {tier.to_string(): "Gold", seats.to_string(): 12, vip.to_string(): true}});
    let p = ok_json(agent.put(&path, body).await).await;
    assert_eq!(p["version"], 2);
    let values: Vec<Value> = p["properties"].as_array().unwrap().iter().map(|v| v["value"].clone()).collect();
    assert_eq!(values, [json!("Gold"), json!(12), json!(true)]);
    let entries = history(&app, ann).await;
    assert_eq!(entries[0], ("properties_changed".to_string(), "Properties changed: Tier, Seats, VIP".to_string()));

    // Bad values: 422 naming each field, nothing changed (values and version).
    let body = json!({"version": 2, "values": {tier.to_string(): "Bronze", seats.to_string(): "many", "999": 1}});
    let err = error_body(agent.put(&path, body).await, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    for field in [format!("values.{tier}"), format!("values.{seats}"), "values.999".to_string()] {
        assert!(err["fields"][&field].is_string(), "{field}: {err}");
    }
    let body = json!({"version": 2, "values": {seats.to_string(): null}});
    let err = error_body(agent.put(&path, body).await, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(err["fields"][format!("values.{seats}")].is_string(), "required: {err}");
    let p = profile(&app, ann).await;
    assert_eq!(p["version"], 2, "a refused edit leaves the version");
    assert_eq!(p["properties"][0]["value"], "Gold");
    assert_eq!(history(&app, ann).await.len(), entries.len());

    // A stale version: 409 on `version`, nothing changed.
    let body = json!({"version": 1, "values": {tier.to_string(): "Silver"}});
    let err = error_body(agent.put(&path, body).await, StatusCode::CONFLICT, "conflict").await;
    assert!(err["fields"]["version"].is_string(), "{err}");
    assert_eq!(profile(&app, ann).await["properties"][0]["value"], "Gold");
    error_body(
        agent.put("/api/customers/999/properties", json!({"version": 1, "values": {}})).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;

    // An option in use cannot go, the kind cannot change while values exist.
    let res = app
        .patch(
            &format!("/api/customer-properties/{tier}"),
            json!({"label": "Tier", "kind": "single_choice", "options": ["Silver"]}),
        )
        .await;
    let err = error_body(res, StatusCode::CONFLICT, "conflict").await;
    assert!(err["fields"]["options"].as_str().unwrap().contains("used by 1 customer"), "{err}");
    let res = app.patch(&format!("/api/customer-properties/{seats}"), json!({"label": "Seats", "kind": "text"})).await;
    let err = error_body(res, StatusCode::CONFLICT, "conflict").await;
    assert!(err["fields"]["kind"].as_str().unwrap().starts_with("1 customer has a value"), "{err}");
    // Order, delete (with its values).
    let order = ok_json(app.put("/api/customer-properties/order", json!({"ids": [vip, tier, seats]})).await).await;
    assert_eq!(order[0]["id"], vip);
    assert_eq!(app.delete(&format!("/api/customer-properties/{vip}")).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.scalar(&format!("SELECT COUNT(*) FROM customer_property_values WHERE definition_id = {vip}")).await,
        0
    );
    // The organization properties were not touched.
    assert_eq!(ok_json(app.get("/api/organization-properties").await).await.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn two_simultaneous_edits_of_the_same_version_give_one_200_and_one_409() {
    let app = TestApp::spawn_admin().await;
    let tier = define(&app, json!({"label": "Tier", "kind": "text"})).await;
    let ann = app.create_customer("ann@acme.test").await.id;
    let (other, _) = app.signed_in_agent("other@example.com").await;
    let path = format!("/api/customers/{ann}/properties");
    for round in 0..5 {
        let version = profile(&app, ann).await["version"].clone();
        let (a, b) = tokio::join!(
            app.put(&path, json!({"version": version, "values": {tier.to_string(): format!("a{round}")}})),
            other.put(&path, json!({"version": version, "values": {tier.to_string(): format!("b{round}")}})),
        );
        let mut statuses = [a.status(), b.status()];
        statuses.sort();
        assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT], "round {round}");
        let value = profile(&app, ann).await["properties"][0]["value"].as_str().unwrap().to_string();
        let winner = if a.status() == StatusCode::OK { format!("a{round}") } else { format!("b{round}") };
        assert_eq!(value, winner, "the 200 is the stored value");
    }
    assert_eq!(profile(&app, ann).await["version"], 6);
}
