//! An organization's contact information: phones, emails, websites, addresses and
//! social profiles, replaced as a list, normalized, validated per entry, and guarded
//! by the version like every in-place edit.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::*;
use crate::support::*;

/// The organization's contact rows (kind, label, value), in order, straight from the database.
async fn contact_rows(app: &TestApp, org: i64) -> Vec<(String, String, String)> {
    app.rows_for(
        "SELECT kind, label, value FROM organization_contacts WHERE organization_id = $1 ORDER BY position",
        org,
    )
    .await
}

#[tokio::test]
async fn contacts_are_replaced_normalized_and_recorded() {
    let app = TestApp::spawn_admin().await;
    let org = app.create_org("Acme", &[]).await.id;
    let entries = json!([
        {"kind": "phone", "label": " Main ", "value": "+49 30  1234567"},
        {"kind": "email", "label": "Support", "value": "Help@ACME.com"},
        {"kind": "website", "label": "", "value": "acme.com"},
        {"kind": "address", "label": "HQ", "value": " 1 Main St \n\n Springfield "},
        {"kind": "social", "label": "LinkedIn", "value": "linkedin.com/company/acme"},
        {"kind": "social", "label": "X", "value": "@acme"},
    ]);
    let detail = json_with(
        app.put(&format!("/api/organizations/{org}/contacts"), json!({"version": 1, "entries": entries})).await,
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
    assert_eq!(contact_rows(&app, org).await.len(), 6);
    assert_eq!(
        history_rows(&app, org).await,
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
    let detail = json_with(
        app.put(&format!("/api/organizations/{org}/contacts"), json!({"version": 2, "entries": entries})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(detail["version"], 3);
    assert_eq!(detail["contacts"].as_array().unwrap().len(), 5);
    assert_eq!(detail["contacts"][4]["label"], "Fax", "position follows the list");
    let h = history_rows(&app, org).await;
    assert_eq!(h.last().unwrap().1, "Contact information changed: 1 added, 2 removed");

    // Emptying them all is allowed.
    let detail = json_with(
        app.put(&format!("/api/organizations/{org}/contacts"), json!({"version": 3, "entries": []})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(detail["contacts"], json!([]));
    assert!(contact_rows(&app, org).await.is_empty());
}

#[tokio::test]
async fn invalid_contacts_are_422s_per_entry_and_change_nothing() {
    let app = TestApp::spawn_admin().await;
    let org = app.create_org("Acme", &[]).await.id;
    let path = format!("/api/organizations/{org}/contacts");
    let good = json!({"kind": "phone", "label": "Main", "value": "+1 555 0100"});
    json_with(app.put(&path, json!({"version": 1, "entries": [good]})).await, StatusCode::OK).await;
    let before = contact_rows(&app, org).await;

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
            app.put(&path, json!({"version": 2, "entries": [good, bad]})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        )
        .await;
        assert!(body["fields"][field].is_string(), "{bad} -> {body}");
        assert_eq!(body["fields"].as_object().unwrap().len(), 1, "only the bad entry is named: {body}");
    }
    // An unknown kind is refused by the contract itself.
    let body = error_body(
        app.put(&path, json!({"version": 2, "entries": [{"kind": "fax", "label": "", "value": "1"}]})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert!(body["fields"]["entries.0.kind"].is_string(), "{body}");
    // At most 50 entries.
    let many: Vec<Value> = (0..51).map(|_| good.clone()).collect();
    let body = error_body(
        app.put(&path, json!({"version": 2, "entries": many})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert!(body["fields"]["entries"].is_string(), "{body}");

    assert_eq!(contact_rows(&app, org).await, before, "nothing changed");
    assert_eq!(version(&app, org).await, 2, "no version bump");
    assert_eq!(history_rows(&app, org).await.len(), 1);
}

#[tokio::test]
async fn a_stale_contacts_edit_is_a_409_and_changes_nothing() {
    let app = TestApp::spawn_admin().await;
    let org = app.create_org("Acme", &[]).await.id;
    let path = format!("/api/organizations/{org}/contacts");
    let first = json!([{"kind": "email", "label": "", "value": "one@acme.com"}]);
    let second = json!([{"kind": "email", "label": "", "value": "two@acme.com"}]);
    json_with(app.put(&path, json!({"version": 1, "entries": first})).await, StatusCode::OK).await;
    // A second agent saw version 1 too.
    let body =
        error_body(app.put(&path, json!({"version": 1, "entries": second})).await, StatusCode::CONFLICT, "conflict")
            .await;
    assert!(body["fields"]["version"].as_str().unwrap().contains("changed by someone else"), "{body}");
    assert_eq!(contact_rows(&app, org).await, [("email".into(), "".into(), "one@acme.com".into())]);
    assert_eq!(version(&app, org).await, 2);
    assert_eq!(history_rows(&app, org).await.len(), 1);

    error_body(
        app.put("/api/organizations/999999/contacts", json!({"version": 1, "entries": []})).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn of_two_simultaneous_edits_of_one_version_exactly_one_wins() {
    let app = TestApp::spawn_admin().await;
    let org = app.create_org("Acme", &[]).await.id;
    let path = format!("/api/organizations/{org}/contacts");
    let a = json!({"version": 1, "entries": [{"kind": "email", "label": "", "value": "a@acme.com"}]});
    let b = json!({"version": 1, "entries": [{"kind": "email", "label": "", "value": "b@acme.com"}]});
    let (ra, rb) = tokio::join!(app.put(&path, a), app.put(&path, b));
    let mut statuses = [ra.status(), rb.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);
    let winner = if ra.status() == StatusCode::OK { "a@acme.com" } else { "b@acme.com" };
    assert_eq!(contact_rows(&app, org).await, [("email".into(), "".into(), winner.into())]);
    assert_eq!(version(&app, org).await, 2);
    assert_eq!(history_rows(&app, org).await.len(), 1);
}

#[tokio::test]
async fn replacing_contacts_needs_a_session() {
    let app = TestApp::spawn_admin().await;
    let org = app.create_org("Acme", &[]).await.id;
    let entries = json!([{"kind": "email", "label": "", "value": "x@acme.com"}]);
    assert_each_needs_a_session(
        &app,
        vec![(
            Method::PUT,
            format!("/api/organizations/{org}/contacts"),
            Some(json!({"version": 1, "entries": entries})),
        )],
    )
    .await;
    assert!(contact_rows(&app, org).await.is_empty(), "nothing changed");
    assert_eq!(version(&app, org).await, 1);
}
