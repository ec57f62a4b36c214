//! The pickers' customer search and the organization search are kept per search text
//! version and follow membership changes without being computed anew (migration 0022).
//! After each kind of write that changes who matches or where they belong, a second
//! server that had the answer kept answers exactly what a computation from scratch gives.

use orgdesk_core::paging::Paging;
use orgdesk_server::db::customers::{self as customer_store, Group};
use orgdesk_server::db::organizations as org_store;
use orgdesk_server::db::search::Filter;
use orgdesk_server::db::search_stats::Sample;
use serde_json::{json, Value};

use crate::import::{import, uploaded};
use crate::support::*;

/// A substring search (the organization's name, a first and a last name) and a prefix one.
const SEARCHES: [&str; 2] = ["zebul", "ze"];

fn filter(app: &TestApp, q: &str) -> Filter {
    Filter::new(&app.db, Some(q), None, &Sample::default()).expect("a search")
}

/// The picker's page through `app` and from scratch, which must be equal; the names
/// with their organization, for the assertions of the test.
async fn picker(app: &TestApp, q: &str) -> Vec<String> {
    let page = ok_json(app.get(&format!("/api/customers?offset=0&limit=8&q={q}")).await).await;
    let fresh =
        customer_store::list(&app.db, Group::All, Some(&filter(app, q)), Paging { offset: 0, limit: 8 }).await.unwrap();
    let expected = json!({"items": fresh.items, "total": fresh.total, "total_capped": fresh.total_capped});
    let got = json!({"items": page["items"], "total": page["total"], "total_capped": page["total_capped"]});
    assert_eq!(got, expected, "the picker's search for {q} is stale");
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| format!("{} {}", c["first_name"].as_str().unwrap(), c["organization_name"].as_str().unwrap_or("-")))
        .collect()
}

/// The organization search through `app` and from scratch, which must be equal;
/// "name matches/members" of each organization, for the assertions of the test.
async fn organizations(app: &TestApp, q: &str) -> Vec<String> {
    let page = ok_json(app.get(&format!("/api/organizations?offset=0&limit=50&q={q}")).await).await;
    let fresh = org_store::list(&app.db, Some(&filter(app, q)), 0, 50).await.unwrap();
    let expected = json!({"items": fresh.items, "total": fresh.total, "unassigned_count": fresh.unassigned,
                          "customer_count": fresh.customers});
    let got = json!({"items": page["items"], "total": page["total"], "unassigned_count": page["unassigned_count"],
                     "customer_count": page["customer_count"]});
    assert_eq!(got, expected, "the organization search for {q} is stale");
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o: &Value| format!("{} {}/{}", o["name"].as_str().unwrap(), o["match_count"], o["member_count"]))
        .collect()
}

/// Both searches, both texts, through the server that keeps them.
async fn check(app: &TestApp) -> (Vec<String>, Vec<String>) {
    for q in SEARCHES {
        picker(app, q).await;
        organizations(app, q).await;
    }
    (picker(app, "zebul").await, organizations(app, "zebul").await)
}

#[tokio::test]
async fn kept_searches_follow_every_kind_of_change_at_once_on_another_server() {
    let a = TestApp::spawn_admin().await;
    let b = a.restart().await;
    let zeb = a.create_org("Zebulon Labs", &["zeb.test"]).await.id;
    let other = a.create_org("Other", &["other.test"]).await.id;
    let plain = a.create_org("Plain", &["plain.test"]).await.id;
    let ann = a.create_named_customer("ann@zeb.test", "Ann", "Adams").await.id;
    let bob = a.create_named_customer("bob@other.test", "Bob", "Brown").await.id;
    let zia = a.create_named_customer("zia@other.test", "Zebulia", "Young").await.id;
    let gus = a.create_named_customer("gus@gmail.com", "Gus", "Zebulsky").await.id;
    a.create_named_customer("pat@plain.test", "Pat", "Plum").await;

    let (pick, orgs) = check(&b).await;
    assert_eq!(pick, ["Ann Zebulon Labs", "Gus -", "Zebulia Other"]);
    assert_eq!(orgs, ["Other 1/2", "Zebulon Labs 1/1"]);

    // A listed organization's domains changed: its kept row (with the domains) is read anew.
    let domains = json!({"domains": ["zeb.test", "zebulon.example"]});
    ok_json(a.patch(&format!("/api/organizations/{zeb}"), domains).await).await;
    check(&b).await;

    // Moves: a member of nothing matched joins the organization matched by name, a
    // customer matched by themselves leaves theirs, one in no organization joins one.
    a.move_customers(&[bob], Some(zeb)).await;
    let (pick, orgs) = check(&b).await;
    assert_eq!(pick, ["Ann Zebulon Labs", "Bob Zebulon Labs", "Gus -", "Zebulia Other"]);
    assert_eq!(orgs, ["Other 1/1", "Zebulon Labs 2/2"]);
    a.move_customers(&[zia], None).await;
    assert_eq!(check(&b).await.1, ["Zebulon Labs 2/2"]);
    a.move_customers(&[gus], Some(plain)).await;
    let (pick, orgs) = check(&b).await;
    assert_eq!(pick, ["Ann Zebulon Labs", "Bob Zebulon Labs", "Gus Plain", "Zebulia -"]);
    assert_eq!(orgs, ["Plain 1/2", "Zebulon Labs 2/2"]);
    a.move_customers(&[bob], Some(other)).await;
    assert_eq!(check(&b).await.0, ["Ann Zebulon Labs", "Gus Plain", "Zebulia -"]);

    // Text: an organization renamed, a customer renamed, new customers (by hand, joining
    // by their domain, and by an import), a customer deleted.
    ok_json(a.patch(&format!("/api/organizations/{other}"), json!({"name": "Zebulonia"})).await).await;
    assert_eq!(check(&b).await.1, ["Plain 1/2", "Zebulon Labs 1/1", "Zebulonia 1/1"]);
    ok_json(a.patch(&format!("/api/customers/{gus}"), json!({"last_name": "Grey"})).await).await;
    assert_eq!(check(&b).await.1, ["Zebulon Labs 1/1", "Zebulonia 1/1"]);
    a.create_named_customer("cy@zeb.test", "Cy", "Cole").await;
    assert_eq!(check(&b).await.1, ["Zebulon Labs 2/2", "Zebulonia 1/1"]);
    let upload = uploaded(&a, "more.csv", "Email,First name\ndee@zeb.test,Dee\n").await;
    let batch = import(&a, &upload, &json!({"mapping": upload["guessed"]})).await;
    assert_eq!(batch["counts"]["created_customers"], 1, "{batch}");
    assert_eq!(check(&b).await.1, ["Zebulon Labs 3/3", "Zebulonia 1/1"]);
    assert_eq!(a.delete(&format!("/api/customers/{ann}")).await.status(), reqwest::StatusCode::NO_CONTENT);
    let (pick, orgs) = check(&b).await;
    assert_eq!(pick, ["Bob Zebulonia", "Cy Zebulon Labs", "Dee Zebulon Labs", "Zebulia -"]);
    assert_eq!(orgs, ["Zebulon Labs 2/2", "Zebulonia 1/1"]);

    // An organization's domains replaced, one deleted (its members leave), one merged into
    // an organization the search does not match.
    ok_json(a.patch(&format!("/api/organizations/{plain}"), json!({"domains": ["plain.example"]})).await).await;
    check(&b).await;
    assert_eq!(a.delete(&format!("/api/organizations/{other}")).await.status(), reqwest::StatusCode::NO_CONTENT);
    let (pick, orgs) = check(&b).await;
    assert_eq!(pick, ["Cy Zebulon Labs", "Dee Zebulon Labs", "Zebulia -"]);
    assert_eq!(orgs, ["Zebulon Labs 2/2"]);
    a.move_customers(&[zia], Some(zeb)).await;
    let preview = ok_json(a.get(&format!("/api/organizations/{zeb}/merge-preview?target_id={plain}")).await).await;
    let body = json!({"target_id": plain, "version": preview["merged"]["version"],
                      "target_version": preview["survivor"]["version"], "take_merged": []});
    ok_json(a.post(&format!("/api/organizations/{zeb}/merge"), body).await).await;
    let (pick, orgs) = check(&b).await;
    assert_eq!(pick, ["Zebulia Plain"]);
    assert_eq!(orgs, ["Plain 1/5"]);
}

/// The names on the page of `hits` (brought up to date), which must equal a computation
/// from scratch, and its total.
async fn kept_page(app: &TestApp, hits: &customer_store::PickerHits, q: &str, limit: i64) -> (Vec<String>, i64) {
    let kept = hits.page(&app.db, false).await.unwrap();
    let fresh =
        customer_store::list(&app.db, Group::All, Some(&filter(app, q)), Paging { offset: 0, limit }).await.unwrap();
    assert_eq!(
        json!([kept.items, kept.total, kept.total_capped]),
        json!([fresh.items, fresh.total, fresh.total_capped])
    );
    (kept.items.iter().map(|c| c.first_name.clone()).collect(), kept.total)
}

#[tokio::test]
async fn a_kept_picker_search_follows_moves_and_is_computed_anew_only_when_it_must() {
    let app = TestApp::spawn_admin().await;
    let zeb = app.create_org("Zebulon Labs", &["zeb.test"]).await.id;
    let third = app.create_org("Third", &["third.test"]).await.id;
    let ann = app.create_named_customer("ann@zeb.test", "Ann", "Adams").await.id;
    let eve = app.create_named_customer("eve@zeb.test", "Eve", "Evans").await.id;
    let bob = app.create_named_customer("bob@other.test", "Bob", "Brown").await.id;
    app.create_named_customer("gus@gmail.com", "Gus", "Zebulsky").await;
    let text_version = "SELECT version FROM search_text_version WHERE id = 1";
    let texts = app.scalar(text_version).await;
    // The first two of Ann and Eve (through Zebulon Labs) and Gus (by himself).
    let hits = customer_store::PickerHits::compute(&app.db, &filter(&app, "zebul"), Paging { offset: 0, limit: 2 })
        .await
        .unwrap();
    assert!(hits.refresh(&app.db).await.unwrap());
    assert_eq!(kept_page(&app, &hits, "zebul", 2).await, (vec!["Ann".to_string(), "Eve".into()], 3));

    // Between organizations the search does not match by name: the same customers match.
    app.move_customers(&[bob], Some(third)).await;
    app.move_customers(&[bob], None).await;
    assert!(hits.refresh(&app.db).await.unwrap(), "a move elsewhere keeps the result");
    assert_eq!(kept_page(&app, &hits, "zebul", 2).await.1, 3);
    assert_eq!(app.scalar(text_version).await, texts, "moves change no text");

    // Bob joins the organization matched by name and sorts among the first two.
    app.move_customers(&[bob], Some(zeb)).await;
    assert!(hits.refresh(&app.db).await.unwrap(), "followed, not computed anew");
    assert_eq!(kept_page(&app, &hits, "zebul", 2).await, (vec!["Ann".to_string(), "Bob".into()], 4));
    // Eve, no longer on the page, leaves: only the count changes.
    app.move_customers(&[eve], Some(third)).await;
    assert!(hits.refresh(&app.db).await.unwrap());
    assert_eq!(kept_page(&app, &hits, "zebul", 2).await, (vec!["Ann".to_string(), "Bob".into()], 3));
    // Ann leaves the full page: who comes after Bob is not kept, so it is computed anew.
    app.move_customers(&[ann], None).await;
    assert!(!hits.refresh(&app.db).await.unwrap(), "a listed customer left a full page");
    let again = customer_store::PickerHits::compute(&app.db, &filter(&app, "zebul"), Paging { offset: 0, limit: 2 })
        .await
        .unwrap();
    assert_eq!(kept_page(&app, &again, "zebul", 2).await, (vec!["Bob".to_string(), "Gus".into()], 2));
    // The first move that touches a new result: what it lists is read then, so Bob
    // leaving is seen as leaving a full page.
    app.move_customers(&[bob], None).await;
    assert!(!again.refresh(&app.db).await.unwrap(), "a listed customer left a full page");

    ok_json(app.patch(&format!("/api/customers/{bob}"), json!({"first_name": "Robert"})).await).await;
    assert!(app.scalar(text_version).await > texts, "a rename changes the text");
}

#[tokio::test]
async fn kept_searches_equal_fresh_ones_after_each_of_many_moves() {
    let app = TestApp::spawn_admin().await;
    // Two organizations matched by name, one not; customers matched by themselves or not.
    let mut orgs = vec![None];
    for (name, domain) in [("Zebulon Labs", "zeb.test"), ("Zebulix", "zx.test"), ("Plain", "plain.test")] {
        orgs.push(Some(app.create_org(name, &[domain]).await.id));
    }
    let mut customers = Vec::new();
    for (i, first) in
        ["Ann", "Bob", "Cy", "Dee", "Eve", "Fay", "Gus", "Hal", "Ida", "Jo", "Kim", "Lu"].iter().enumerate()
    {
        let last = if i % 4 == 0 { "Zebulsky" } else { "Brown" };
        let email = format!("{}@gmail.com", first.to_lowercase());
        customers.push(app.create_named_customer(&email, first, last).await.id);
    }
    let mut seed = 7u64;
    let mut next = |n: usize| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) as usize % n
    };
    let search = |app: &TestApp| filter(app, "zebul");
    let mut hits =
        customer_store::PickerHits::compute(&app.db, &search(&app), Paging { offset: 0, limit: 3 }).await.unwrap();
    let mut computed = 0;
    for _ in 0..40 {
        let (customer, org) = (customers[next(customers.len())], orgs[next(orgs.len())]);
        app.move_customers(&[customer], org).await;
        if !hits.refresh(&app.db).await.unwrap() {
            computed += 1;
            hits = customer_store::PickerHits::compute(&app.db, &search(&app), Paging { offset: 0, limit: 3 })
                .await
                .unwrap();
        }
        kept_page(&app, &hits, "zebul", 3).await;
        // The organization search the server keeps follows the same moves.
        organizations(&app, "zebul").await;
    }
    assert!(computed < 40, "some moves were followed without a new computation ({computed} of 40 computed anew)");
}

/// Many requests for the same kept search at once after a move: one brings it up to
/// date, the others wait for it and answer from it. Every answer must equal a computation
/// from scratch (no move happens while they run).
#[tokio::test]
async fn concurrent_requests_for_a_kept_search_all_see_the_moves_before_them() {
    let app = TestApp::spawn_admin().await;
    let mut orgs = vec![None];
    for (name, domain) in [("Zebulon Labs", "zeb.test"), ("Zebulix", "zx.test"), ("Plain", "plain.test")] {
        orgs.push(Some(app.create_org(name, &[domain]).await.id));
    }
    let mut customers = Vec::new();
    for (i, first) in ["Ann", "Bob", "Cy", "Dee", "Eve", "Fay", "Gus", "Hal"].iter().enumerate() {
        let last = if i % 3 == 0 { "Zebulsky" } else { "Brown" };
        customers.push(app.create_named_customer(&format!("{}@gmail.com", first.to_lowercase()), first, last).await.id);
    }
    let base = format!("http://{}", app.addr);
    let paths = ["/api/organizations?offset=0&limit=50&q=zebul", "/api/customers?offset=0&limit=3&q=zebul"];
    for round in 0..12 {
        // Customers in no organization join one, members leave for none or another.
        let (customer, org) = (customers[(round * 5) % customers.len()], orgs[(round * 3 + 1) % orgs.len()]);
        app.move_customers(&[customer], org).await;
        let tasks: Vec<_> = (0..16)
            .map(|k| {
                let (client, url) = (app.client.clone(), format!("{base}{}", paths[k % 2]));
                tokio::spawn(async move { client.get(url).send().await.expect("the server answers") })
            })
            .collect();
        let mut answers = Vec::new();
        for task in tasks {
            answers.push(ok_json(task.await.unwrap()).await);
        }
        let fresh_orgs = org_store::list(&app.db, Some(&filter(&app, "zebul")), 0, 50).await.unwrap();
        let fresh_picker =
            customer_store::list(&app.db, Group::All, Some(&filter(&app, "zebul")), Paging { offset: 0, limit: 3 })
                .await
                .unwrap();
        for (k, page) in answers.iter().enumerate() {
            if k % 2 == 0 {
                let expected = json!({"items": fresh_orgs.items, "total": fresh_orgs.total,
                                      "unassigned_count": fresh_orgs.unassigned, "customer_count": fresh_orgs.customers});
                let got = json!({"items": page["items"], "total": page["total"],
                                 "unassigned_count": page["unassigned_count"], "customer_count": page["customer_count"]});
                assert_eq!(got, expected, "round {round}: a concurrent organization search is stale");
            } else {
                let expected = json!({"items": fresh_picker.items, "total": fresh_picker.total});
                let got = json!({"items": page["items"], "total": page["total"]});
                assert_eq!(got, expected, "round {round}: a concurrent picker search is stale");
            }
        }
    }
}
