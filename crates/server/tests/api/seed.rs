use orgdesk_server::{on_db, seed};

use crate::support::*;

async fn count(app: &TestApp, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    on_db!(&app.db, pool => sqlx::query_scalar::<_, i64>(&sql).fetch_one(pool).await).unwrap()
}

#[tokio::test]
async fn the_demo_data_is_seeded_once() {
    let app = TestApp::spawn().await;
    assert!(seed::demo(&app.db).await.unwrap());
    let orgs = count(&app, "organizations").await;
    let customers = count(&app, "customers").await;
    assert!(orgs >= 10, "{orgs}");
    assert!(customers >= 40, "{customers}");
    assert!(count(&app, "memberships").await < customers, "some customers have no organization");
    assert!(count(&app, "agents").await >= 3);
    assert!(!seed::demo(&app.db).await.unwrap(), "a second start does not seed again");
    assert_eq!(count(&app, "organizations").await, orgs);
}

#[tokio::test]
async fn the_generator_makes_the_requested_data_set_and_can_run_twice() {
    let app = TestApp::spawn().await;
    seed::bulk(&app.db, 120, 2_500).await.unwrap();
    seed::bulk(&app.db, 30, 500).await.unwrap();
    assert_eq!(count(&app, "organizations").await, 150);
    assert_eq!(count(&app, "organization_domains").await, 150);
    assert_eq!(count(&app, "customers").await, 3_000);
    assert_eq!(count(&app, "memberships").await, 2_700, "nine in ten customers are members");
    // New rows after a bulk seed get fresh ids (PostgreSQL sequences were advanced).
    let id: i64 = on_db!(&app.db, pool => sqlx::query_scalar::<_, i64>(
        "INSERT INTO organizations (name, name_key, created_at) VALUES ('Fresh', 'fresh', 0) RETURNING id")
        .fetch_one(pool)
        .await)
    .unwrap();
    assert_eq!(id, 151);
}

#[tokio::test]
async fn the_demo_data_has_projects_items_and_conversations() {
    let app = TestApp::spawn().await;
    assert!(seed::demo(&app.db).await.unwrap());
    assert!(count(&app, "projects").await >= 3);
    assert_eq!(count(&app, "projects WHERE archived = TRUE").await, 1);
    let items = count(&app, "items").await;
    assert!(items >= 40, "{items}");
    assert!(count(&app, "items WHERE item_type = 'task'").await > 0);
    assert!(count(&app, "items WHERE status IN ('new', 'open', 'waiting')").await > 0);
    assert!(count(&app, "items WHERE status IN ('resolved', 'closed')").await > 0);
    assert!(count(&app, "items WHERE assignee_id IS NOT NULL").await > 0);
    assert!(count(&app, "(SELECT DISTINCT organization_id FROM items WHERE organization_id IS NOT NULL) o").await >= 5);
    assert!(count(&app, "messages WHERE kind = 'reply'").await > 0);
    assert!(count(&app, "messages WHERE kind = 'note'").await > 0);
    assert_eq!(count(&app, "conversations").await, 2);
    assert_eq!(count(&app, "outbox WHERE status = 'pending'").await, 0, "demo mail is history, never sent");
    // Every item's organization is its requester's (open and closed alike, nobody moved yet).
    assert_eq!(
        count(
            &app,
            "items i LEFT JOIN memberships m ON m.customer_id = i.requester_id \
            WHERE COALESCE(i.organization_id, 0) <> COALESCE(m.organization_id, 0)"
        )
        .await,
        0
    );
    crate::work::assert_counters_match(&app).await;
}

#[tokio::test]
async fn the_item_generator_spreads_items_over_customers_projects_and_agents() {
    let app = TestApp::spawn().await;
    seed::bulk(&app.db, 50, 1_000).await.unwrap();
    seed::bulk_items(&app.db, 5_000, 7).await.unwrap();
    seed::bulk_items(&app.db, 1_000, 3).await.unwrap();
    assert_eq!(count(&app, "items").await, 6_000);
    assert_eq!(count(&app, "projects").await, 10);
    let open = count(&app, "items WHERE status IN ('new', 'open', 'waiting')").await;
    assert!((2_700..=3_300).contains(&open), "about half are open: {open}");
    assert_eq!(count(&app, "items WHERE item_type = 'ticket' AND requester_id IS NULL").await, 0);
    let orgs = count(&app, "(SELECT DISTINCT organization_id FROM items) o").await;
    assert!(orgs > 40, "every organization with members: {orgs}");
    assert_eq!(
        count(
            &app,
            "items i LEFT JOIN memberships m ON m.customer_id = i.requester_id \
            WHERE COALESCE(i.organization_id, 0) <> COALESCE(m.organization_id, 0)"
        )
        .await,
        0,
        "each item carries its requester's organization"
    );
    crate::work::assert_counters_match(&app).await;
    // New rows after a bulk seed get fresh ids (PostgreSQL sequences were advanced).
    let id: i64 = on_db!(&app.db, pool => sqlx::query_scalar::<_, i64>(
        "INSERT INTO projects (name, name_key, created_at) VALUES ('Fresh', 'fresh', 0) RETURNING id")
        .fetch_one(pool)
        .await)
    .unwrap();
    assert_eq!(id, 11);
}

/// The demo's organization details obey the rules the panel enforces on edits.
#[tokio::test]
async fn the_demo_organization_details_pass_the_panel_rules() {
    use orgdesk_core::contact::{validate_entries, ContactEntry};
    use orgdesk_core::properties::{validate_definition, validate_value, PropertyDefinitionInput};

    let app = TestApp::spawn().await;
    assert!(seed::demo(&app.db).await.unwrap());
    let child_links = count(&app, "organizations WHERE parent_id IS NOT NULL").await;
    assert_eq!(child_links, 1, "Acme Europe belongs to Acme Corporation");
    assert!(count(&app, "memberships WHERE role = 'manager'").await >= 10);
    assert!(count(&app, "organization_notes").await >= 1);
    assert_eq!(count(&app, "organization_history").await, count(&app, "organizations").await);

    let definitions: Vec<(i64, String, String, bool, String)> = on_db!(&app.db, pool => sqlx::query_as(
        "SELECT id, label, kind, required, options FROM organization_property_definitions ORDER BY position")
        .fetch_all(pool).await)
    .unwrap();
    assert!(definitions.len() >= 6);
    for (id, label, kind, required, options) in definitions {
        let input = PropertyDefinitionInput {
            label,
            kind: serde_json::from_value(serde_json::Value::String(kind)).unwrap(),
            required,
            options: serde_json::from_str(&options).unwrap(),
        };
        validate_definition(&input).unwrap();
        let values: Vec<String> = on_db!(&app.db, pool => sqlx::query_scalar(
            "SELECT value FROM organization_property_values WHERE definition_id = $1")
            .bind(id).fetch_all(pool).await)
        .unwrap();
        assert!(!values.is_empty(), "{} has values", input.label);
        for value in values {
            let value: serde_json::Value = serde_json::from_str(&value).unwrap();
            assert_eq!(validate_value(&input, &value), Ok(Some(value.clone())), "{}", input.label);
        }
    }

    let contacts: Vec<(String, String, String)> = on_db!(&app.db, pool => sqlx::query_as(
        "SELECT kind, label, value FROM organization_contacts ORDER BY organization_id, position")
        .fetch_all(pool).await)
    .unwrap();
    assert_eq!(contacts.len(), 5);
    let entries: Vec<ContactEntry> = contacts
        .into_iter()
        .map(|(kind, label, value)| ContactEntry {
            kind: serde_json::from_value(serde_json::Value::String(kind)).unwrap(),
            label,
            value,
        })
        .collect();
    assert_eq!(validate_entries(&entries).unwrap(), entries, "stored exactly as the rules normalize them");
}
