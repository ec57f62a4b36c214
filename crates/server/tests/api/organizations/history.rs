//! An organization's history: changes made outside the panel (moves, renames and
//! domain edits in the Customers app) are recorded too, and repeats record nothing.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::*;
use crate::support::*;

#[tokio::test]
async fn changes_from_the_customers_app_leave_history_too() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let acme = app.create_org("Acme", &["acme.com"]).await.id;
    let old = app.create_org("Old", &[]).await.id;
    let a = app.create_customer("a@x.com").await.id;
    let b = app.create_customer("b@y.com").await.id;
    let c = app.create_customer("c@z.com").await.id;
    app.move_customers(&[a, b], Some(old)).await;
    let v = version(&app, acme).await;
    app.move_customers(&[a, b, c], Some(acme)).await;
    assert_eq!(version(&app, acme).await, v, "moves do not bump the version");
    let e = &history(&app, acme).await[0];
    assert_eq!(e["action"], "members_moved");
    assert_eq!(e["summary"], "a@x.com, b@y.com and 1 more moved in (2 from Old, 1 with no organization)");
    let e = &history(&app, old).await[0];
    assert_eq!(e["summary"], "a@x.com and b@y.com left for Acme");
    assert_eq!(e["details"]["customers"], json!([{"id": a, "name": "a@x.com"}, {"id": b, "name": "b@y.com"}]));
    app.move_customers(&[c], None).await;
    assert_eq!(history(&app, acme).await[0]["summary"], "c@z.com left for no organization");
    // A move into the organization one already is in records nothing.
    let before = history(&app, acme).await.len();
    app.move_customers(&[a], Some(acme)).await;
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

#[tokio::test]
async fn reading_the_history_needs_a_session() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let acme = app.create_org("Acme", &[]).await.id;
    assert_each_needs_a_session(&app, vec![(Method::GET, format!("/api/organizations/{acme}/history"), None)]).await;
}

#[tokio::test]
async fn a_move_names_the_customers_and_keeps_the_first_fifty_with_the_total() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let acme = app.create_org("Acme", &[]).await.id;
    let ann = app.create_named_customer("ann@x.com", "Ann", "Lee").await.id;
    let bob = app.create_named_customer("bob@y.com", "Bob", "Stone").await.id;
    let mut rest = Vec::new();
    for i in 0..58 {
        rest.push(app.create_customer(&format!("c{i:02}@z.com")).await.id);
    }
    let mut all = vec![ann, bob];
    all.extend(&rest);
    app.move_customers(&all, Some(acme)).await;
    let page = ok_json(app.get(&format!("/api/organizations/{acme}/history?limit=200")).await).await;
    let e = &page["items"][0];
    assert_eq!(e["summary"], "Ann Lee, Bob Stone and 58 more moved in (60 with no organization)");
    assert_eq!(e["details"]["count"], 60);
    let listed = e["details"]["customers"].as_array().unwrap();
    assert_eq!(listed.len(), 50, "the first fifty, for the full list on expansion");
    assert_eq!(listed[0], json!({"id": ann, "name": "Ann Lee"}));
    assert_eq!(listed[49]["name"], "c47@z.com");
}

#[tokio::test]
async fn creation_is_recorded_from_the_app_the_hierarchy_and_the_domain_rule() {
    let app = TestApp::spawn_admin().await;
    let acme = app.create_org("Acme", &["acme.com", "acme.io"]).await.id;
    let page = ok_json(app.get(&format!("/api/organizations/{acme}/history")).await).await;
    assert_eq!(page["total"], 1);
    let e = &page["items"][0];
    assert_eq!(e["action"], "created");
    assert_eq!(e["summary"], "Created with the domains acme.com and acme.io");
    assert_eq!(e["agent_name"], "Administrator");
    assert_eq!(e["details"], json!({"name": "Acme", "domains": ["acme.com", "acme.io"]}));

    // A sub-organization created from the panel.
    let v = version(&app, acme).await;
    let res = app
        .post(&format!("/api/organizations/{acme}/children"), json!({"version": v, "create_name": "Acme Labs"}))
        .await;
    let status = res.status();
    assert!(status.is_success(), "{status}: {}", res.text().await.unwrap());
    let labs = app.scalar("SELECT id FROM organizations WHERE name = 'Acme Labs'").await;
    let first = &ok_json(app.get(&format!("/api/organizations/{labs}/history")).await).await["items"];
    let created: Vec<&Value> = first.as_array().unwrap().iter().filter(|e| e["action"] == "created").collect();
    assert_eq!(created.len(), 1, "{first}");
    assert_eq!(created[0]["summary"], "Created as a sub-organization of Acme");

    // The domain rule: a new customer of an unknown company domain.
    app.create_customer("zed@zeta-works.com").await;
    let zeta = app.scalar("SELECT organization_id FROM organization_domains WHERE domain = 'zeta-works.com'").await;
    let page = ok_json(app.get(&format!("/api/organizations/{zeta}/history")).await).await;
    let created: Vec<&Value> = page["items"].as_array().unwrap().iter().filter(|e| e["action"] == "created").collect();
    assert_eq!(created.len(), 1, "{page}");
    assert_eq!(created[0]["summary"], "Created automatically for zed@zeta-works.com's email domain");
    assert_eq!(created[0]["agent_name"], "", "Orgdesk itself");
}
