//! The demo data (`orgdesk --demo`) and the bulk generators behind the benchmarks.
//! The demo's figures are exact: they follow from the lists in the server's `seed.rs`.

use orgdesk_server::db::query;
use orgdesk_server::seed;

use crate::support::*;

async fn count(app: &TestApp, table: &str) -> i64 {
    app.scalar(&format!("SELECT COUNT(*) FROM {table}")).await
}

/// 13 organizations; every one with a domain but Tyrell gets 3 + (i * 7) % 6 members
/// (3, 4, 5, 6, 7, 8, 3, 4, 5, 6, 7, 3), and three customers use public or unknown providers.
const DEMO_ORGANIZATIONS: i64 = 13;
const DEMO_MEMBERS: i64 = 61;
const DEMO_CUSTOMERS: i64 = DEMO_MEMBERS + 3;
/// Requesters are spread over all customers, so every organization with members has items.
const DISTINCT_ITEM_ORGANIZATIONS: i64 = 12;
/// The first member of each of the 12 organizations with members manages it.
const DEMO_MANAGERS: i64 = 12;

#[tokio::test]
async fn the_demo_data_is_seeded_once() {
    let app = TestApp::spawn().await;
    assert!(seed::demo(&app.db).await.unwrap());
    assert_eq!(count(&app, "organizations").await, DEMO_ORGANIZATIONS);
    assert_eq!(count(&app, "organization_domains").await, 13, "Acme has two, Tyrell none");
    assert_eq!(count(&app, "customers").await, DEMO_CUSTOMERS);
    assert_eq!(count(&app, "memberships").await, DEMO_MEMBERS, "three customers have no organization");
    assert_eq!(count(&app, "agents").await, 3, "the admin, Sam and Kim");
    assert!(!seed::demo(&app.db).await.unwrap(), "a second start does not seed again");
    assert_eq!(count(&app, "organizations").await, DEMO_ORGANIZATIONS);
    assert_eq!(count(&app, "customers").await, DEMO_CUSTOMERS);
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
    // Written with their duplicate keys, as core computes them: the server's start has
    // nothing to fill in (which rewrote every organization row, see seed/customers.rs).
    let orgs: Vec<(String, Option<String>)> =
        query("SELECT name, duplicate_key FROM organizations").fetch_all(&app.db).await.unwrap();
    assert_eq!(orgs.len(), 150);
    for (name, key) in orgs {
        assert_eq!(key.as_deref(), Some(orgdesk_core::duplicates::name_key(&name).as_str()), "{name}");
    }
    let domains: Vec<(String, Option<String>)> =
        query("SELECT domain, root FROM organization_domains").fetch_all(&app.db).await.unwrap();
    for (domain, root) in domains {
        assert_eq!(root, Some(orgdesk_core::duplicates::domain_root(&domain).unwrap_or_default()), "{domain}");
    }
    // New rows after a bulk seed get fresh ids (PostgreSQL sequences were advanced).
    let id: i64 =
        query("INSERT INTO organizations (name, name_key, created_at) VALUES ('Fresh', 'fresh', 0) RETURNING id")
            .scalar::<i64>(&app.db)
            .await
            .unwrap();
    assert_eq!(id, 151);
}

#[tokio::test]
async fn the_demo_data_has_projects_items_and_conversations() {
    let app = TestApp::spawn().await;
    assert!(seed::demo(&app.db).await.unwrap());
    assert_eq!(count(&app, "projects").await, 4);
    assert_eq!(count(&app, "projects WHERE archived = TRUE").await, 1);
    // 48 items, every sixth a task (8); the first six, in the archived project, closed.
    assert_eq!(count(&app, "items").await, 48);
    assert_eq!(count(&app, "items WHERE item_type = 'task'").await, 8);
    assert_eq!(count(&app, "items i JOIN projects p ON p.id = i.project_id WHERE p.archived = TRUE").await, 6);
    assert_eq!(count(&app, "items WHERE status IN ('new', 'open', 'waiting')").await, 29);
    assert_eq!(count(&app, "items WHERE status IN ('resolved', 'closed')").await, 19);
    assert_eq!(count(&app, "items WHERE assignee_id IS NOT NULL").await, 32, "two in three, to Sam or Kim");
    assert_eq!(count(&app, "items WHERE requester_id IS NOT NULL").await, 44, "tickets, and four tasks");
    assert_eq!(
        count(&app, "(SELECT DISTINCT organization_id FROM items WHERE organization_id IS NOT NULL) o").await,
        DISTINCT_ITEM_ORGANIZATIONS
    );
    // Each of the 34 items with a requester that is past "new" has one or two replies and a note.
    assert_eq!(count(&app, "messages WHERE kind = 'reply'").await, 49);
    assert_eq!(count(&app, "messages WHERE kind = 'note'").await, 34);
    assert_eq!(count(&app, "conversations").await, 2);
    // The demo's mail is history: every reply and both conversations (Acme's three members,
    // and the website's followers: those three and a freelancer) were sent, none waits.
    assert_eq!(count(&app, "outbox WHERE kind = 'item_reply' AND status = 'sent'").await, 49);
    assert_eq!(count(&app, "outbox WHERE kind = 'conversation' AND status = 'sent'").await, 3 + 4);
    assert_eq!(count(&app, "outbox").await, 49 + 7, "no other mail");
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
    app.assert_counters_match().await;
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
    app.assert_counters_match().await;
    // New rows after a bulk seed get fresh ids (PostgreSQL sequences were advanced).
    let id: i64 = query("INSERT INTO projects (name, name_key, created_at) VALUES ('Fresh', 'fresh', 0) RETURNING id")
        .scalar::<i64>(&app.db)
        .await
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
    assert_eq!(count(&app, "memberships WHERE role = 'manager'").await, DEMO_MANAGERS);
    assert_eq!(count(&app, "organization_notes").await, 1);
    assert_eq!(count(&app, "organization_history").await, count(&app, "organizations").await);

    let definitions: Vec<(i64, String, String, bool, String)> =
        query("SELECT id, label, kind, required, options FROM organization_property_definitions ORDER BY position")
            .fetch_all(&app.db)
            .await
            .unwrap();
    assert_eq!(definitions.len(), 6, "Plan, Seats, Renewal date, Products, Priority support, Account notes");
    for (id, label, kind, required, options) in definitions {
        let input = PropertyDefinitionInput {
            label,
            kind: serde_json::from_value(serde_json::Value::String(kind)).unwrap(),
            required,
            options: serde_json::from_str(&options).unwrap(),
        };
        validate_definition(&input).unwrap();
        let values: Vec<String> = query("SELECT value FROM organization_property_values WHERE definition_id = $1")
            .bind(id)
            .scalars(&app.db)
            .await
            .unwrap();
        assert!(!values.is_empty(), "{} has values", input.label);
        for value in values {
            let value: serde_json::Value = serde_json::from_str(&value).unwrap();
            assert_eq!(validate_value(&input, &value), Ok(Some(value.clone())), "{}", input.label);
        }
    }

    let contacts: Vec<(String, String, String)> =
        query("SELECT kind, label, value FROM organization_contacts ORDER BY organization_id, position")
            .fetch_all(&app.db)
            .await
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

#[tokio::test]
async fn the_demo_portal_customers_sign_in_as_run_sh_says() {
    let app = TestApp::spawn().await;
    assert!(seed::demo(&app.db).await.unwrap());
    for (email, manager) in [("ava.adams@acme.com", true), ("isla.lopez@acme.com", false)] {
        let res = app
            .other_client()
            .post("/api/portal/auth/login", serde_json::json!({"email": email, "password": seed::DEMO_AGENT_PASSWORD}))
            .await;
        let session = json_with(res, reqwest::StatusCode::OK).await;
        assert_eq!(session["customer"]["email_verified"], true, "{email}");
        assert_eq!(session["customer"]["organization"]["name"], "Acme Corporation", "{email}");
        assert_eq!(session["customer"]["organization"]["manager"], manager, "{email}");
    }
    let script = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/run.sh")).unwrap();
    assert!(script.contains("ava.adams@acme.com") && script.contains("isla.lopez@acme.com"));
}
