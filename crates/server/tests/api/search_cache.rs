//! The organization search is cached per server process; two servers on one
//! database never answer from a stale cache.

use serde_json::{json, Value};

use crate::support::*;

async fn search(app: &TestApp, q: &str) -> Vec<String> {
    let page = ok_json(app.get(&format!("/api/organizations?q={q}")).await).await;
    page["items"].as_array().unwrap().iter().map(|o: &Value| o["name"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn a_customer_renamed_through_one_server_is_found_by_the_new_name_through_the_other_at_once() {
    let a = TestApp::spawn_admin().await;
    let b = a.restart().await;
    a.create_org("Acme", &["acme.com"]).await;
    a.create_org("Globex", &["globex.com"]).await;
    let ann = a.create_named_customer("a.lee@acme.com", "Ann", "Lee").await;

    // B has both searches cached before the change.
    assert_eq!(search(&b, "Ann").await, ["Acme"]);
    assert!(search(&b, "Quorra").await.is_empty());

    let res = a.patch(&format!("/api/customers/{}", ann.id), json!({"first_name": "Quorra"})).await;
    ok_json(res).await;
    assert_eq!(search(&b, "Quorra").await, ["Acme"], "B answered from its cache");
    assert!(search(&b, "Ann").await.is_empty(), "B still finds the old name");

    // A move through A is seen by B's search as well.
    a.move_customers(&[ann.id], Some(a.create_org("Initech", &[]).await.id)).await;
    assert_eq!(search(&b, "Quorra").await, ["Initech"]);
}

/// The pickers' search of all customers (`GET /api/customers?q=`): names and organizations.
async fn pick(app: &TestApp, q: &str) -> Vec<(String, Option<String>)> {
    let page = ok_json(app.get(&format!("/api/customers?offset=0&limit=8&q={q}")).await).await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c: &Value| {
            (c["first_name"].as_str().unwrap().to_string(), c["organization_name"].as_str().map(str::to_string))
        })
        .collect()
}

#[tokio::test]
async fn the_pickers_search_is_cached_until_customers_change_on_any_server() {
    let a = TestApp::spawn_admin().await;
    let b = a.restart().await;
    a.create_org("Acme", &["acme.com"]).await;
    let ann = a.create_named_customer("a.lee@acme.com", "Annabel", "Lee").await;

    // B has both searches cached before each change.
    assert_eq!(pick(&b, "annab").await, [("Annabel".to_string(), Some("Acme".to_string()))]);
    assert!(pick(&b, "quorr").await.is_empty());
    let res = a.patch(&format!("/api/customers/{}", ann.id), json!({"first_name": "Quorra"})).await;
    ok_json(res).await;
    assert_eq!(
        pick(&b, "quorr").await,
        [("Quorra".to_string(), Some("Acme".to_string()))],
        "B answered from its cache"
    );
    assert!(pick(&b, "annab").await.is_empty(), "B still finds the old name");

    // A move through A shows the new organization in B's picker.
    a.move_customers(&[ann.id], Some(a.create_org("Initech", &[]).await.id)).await;
    assert_eq!(pick(&b, "quorr").await, [("Quorra".to_string(), Some("Initech".to_string()))]);
    // A new customer through A is found by B at once.
    a.create_named_customer("q2@acme.com", "Quorrabel", "Ng").await;
    assert_eq!(pick(&b, "quorr").await.len(), 2);
}

/// The list of organizations by name, page by page through `app`, and the same pages
/// from scratch (an index walk past the offset), which must be equal; the names.
async fn list_pages(app: &TestApp) -> Vec<String> {
    let mut names = Vec::new();
    for offset in 0..8 {
        let page = ok_json(app.get(&format!("/api/organizations?offset={offset}&limit=3")).await).await;
        let fresh = orgdesk_server::db::organizations::list(&app.db, None, offset, 3).await.unwrap();
        let expected = json!({"items": fresh.items, "total": fresh.total, "unassigned_count": fresh.unassigned});
        let got = json!({"items": page["items"], "total": page["total"], "unassigned_count": page["unassigned_count"]});
        assert_eq!(got, expected, "page at offset {offset}");
        if offset == 0 {
            names = page["items"].as_array().unwrap().iter().map(|o| o["name"].as_str().unwrap().to_string()).collect();
        }
    }
    names
}

/// The list without a search pages a kept order of the organizations' ids; every change
/// of which organizations exist or what they are called, through another server,
/// shows at once on every page.
#[tokio::test]
async fn the_list_by_name_follows_new_renamed_deleted_and_restored_organizations_on_another_server() {
    let a = TestApp::spawn_admin().await;
    let b = a.restart().await;
    let mut ids = Vec::new();
    for name in ["Delta", "Bravo", "Echo", "Alpha", "Charlie"] {
        ids.push(a.create_org(name, &[]).await.id);
    }
    a.create_named_customer("pat@nowhere.test", "Pat", "Plum").await;
    assert_eq!(list_pages(&b).await, ["Alpha", "Bravo", "Charlie"]);

    a.create_org("Aardvark", &[]).await;
    assert_eq!(list_pages(&b).await, ["Aardvark", "Alpha", "Bravo"], "a new organization");
    ok_json(a.patch(&format!("/api/organizations/{}", ids[2]), json!({"name": "Able"})).await).await;
    assert_eq!(list_pages(&b).await, ["Aardvark", "Able", "Alpha"], "a rename");
    assert!(a.delete(&format!("/api/organizations/{}", ids[3])).await.status().is_success());
    assert_eq!(list_pages(&b).await, ["Aardvark", "Able", "Bravo"], "a delete");
    let restored = a.post(&format!("/api/deleted-organizations/{}/restore", ids[3]), json!({})).await;
    assert!(restored.status().is_success(), "{}", restored.status());
    assert_eq!(list_pages(&b).await, ["Aardvark", "Able", "Alpha"], "a restore");
}
