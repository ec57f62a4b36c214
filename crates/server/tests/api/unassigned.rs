//! The "No organization" group is paged from `unassigned_customers` (migration 0020), which
//! triggers keep: after every kind of change it must list exactly the customers without a
//! membership, by name, as a scan of all customers would.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::*;

/// The names on the "No organization" pages of two, and the group's total.
async fn unassigned(app: &TestApp) -> (Vec<String>, i64) {
    let (mut names, mut offset) = (Vec::new(), 0);
    loop {
        let page =
            ok_json(app.get(&format!("/api/customers?organization_id=none&offset={offset}&limit=2")).await).await;
        let total = page["total"].as_i64().unwrap();
        let items = page["items"].as_array().unwrap().clone();
        if items.is_empty() {
            return (names, total);
        }
        for c in &items {
            assert!(c["organization_id"].is_null(), "{c} is in an organization");
            names.push(format!("{} {}", c["first_name"].as_str().unwrap(), c["last_name"].as_str().unwrap()));
        }
        offset += 2;
    }
}

/// What a scan of every customer finds: ids of those without a membership, by name.
async fn scanned(app: &TestApp) -> Vec<i64> {
    app.rows_for::<(i64,)>(
        "SELECT c.id FROM customers c WHERE NOT EXISTS (SELECT 1 FROM memberships m WHERE m.customer_id = c.id) \
         AND c.id > $1 ORDER BY c.sort_name, c.id",
        0,
    )
    .await
    .into_iter()
    .map(|r| r.0)
    .collect()
}

async fn listed_ids(app: &TestApp) -> Vec<i64> {
    let page = ok_json(app.get("/api/customers?organization_id=none&offset=0&limit=200").await).await;
    page["items"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn the_no_organization_group_follows_every_change() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let acme = app.create_org("Acme", &["acme.com"]).await.id;
    let zed = app.create_named_customer("zed@x.io", "Zed", "Young").await.id;
    let amy = app.create_named_customer("amy@x.io", "Amy", "Adams").await.id;
    let bob = app.create_named_customer("bob@acme.com", "Bob", "Brown").await.id;
    let cat = app.create_named_customer("cat@y.io", "Cat", "Cole").await.id;
    assert_eq!(unassigned(&app).await, (vec!["Amy Adams".into(), "Cat Cole".into(), "Zed Young".into()], 3));

    app.move_customers(&[amy], Some(acme)).await;
    app.move_customers(&[bob], None).await;
    assert_eq!(unassigned(&app).await, (vec!["Bob Brown".into(), "Cat Cole".into(), "Zed Young".into()], 3));

    // A new name sorts anew.
    let res = app.patch(&format!("/api/customers/{zed}"), json!({"first_name": "Aaron"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(unassigned(&app).await.0, vec!["Aaron Young", "Bob Brown", "Cat Cole"]);

    // A deleted customer leaves the group; members of a deleted organization join it, and
    // leave it again when it is restored.
    assert_eq!(app.delete(&format!("/api/customers/{cat}")).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.delete(&format!("/api/organizations/{acme}")).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(unassigned(&app).await, (vec!["Aaron Young".into(), "Amy Adams".into(), "Bob Brown".into()], 3));
    let res = app.post(&format!("/api/deleted-organizations/{acme}/restore"), json!({})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(unassigned(&app).await, (vec!["Aaron Young".into(), "Bob Brown".into()], 2));

    // Bulk inserts (one statement for many customers) keep it too.
    orgdesk_server::seed::bulk(&app.db, 20, 150).await.unwrap();
    let listed = listed_ids(&app).await;
    assert!(listed.len() > 2, "the seed leaves some customers in no organization");
    assert_eq!(listed, scanned(&app).await);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM unassigned_customers").await, listed.len() as i64);
}
