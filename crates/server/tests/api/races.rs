//! Concurrent writes on the same rows: many clients at once over real HTTP, on
//! both databases. Each answer is a success or a 409 (or the 422 of a rule the
//! winner's change made true, such as a loop in the hierarchy), never a 5xx, and
//! after each race the database holds its invariants: no loop in the hierarchy,
//! one organization per domain, every stored counter equal to a real count,
//! each customer in at most one organization, and history that matches the answers.

use std::collections::BTreeMap;
use std::sync::Arc;

use reqwest::{Client, Method, StatusCode};
use serde_json::{json, Value};
use tokio::sync::Barrier;

use crate::support::*;

/// How many clients race in each test.
const CLIENTS: usize = 12;

/// A cloneable handle on the signed-in admin's session, for many tasks at once.
#[derive(Clone)]
struct Session {
    client: Client,
    base: String,
    csrf: String,
}

impl Session {
    fn of(app: &TestApp) -> Session {
        Session {
            client: app.client.clone(),
            base: format!("http://{}", app.addr),
            csrf: app.csrf.clone().expect("signed in"),
        }
    }

    async fn send(&self, method: Method, path: &str, body: Value) -> (StatusCode, Value) {
        let res = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("x-csrf-token", &self.csrf)
            .json(&body)
            .send()
            .await
            .expect("the server answers");
        let status = res.status();
        let text = res.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

/// Sends `requests` all at once (released together by a barrier) and returns
/// the answers in the same order. Panics on any 5xx, showing its body.
async fn race(app: &TestApp, requests: Vec<(Method, String, Value)>) -> Vec<(StatusCode, Value)> {
    let session = Session::of(app);
    let barrier = Arc::new(Barrier::new(requests.len()));
    let tasks: Vec<_> = requests
        .into_iter()
        .map(|(method, path, body)| {
            let (session, barrier) = (session.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                session.send(method, &path, body).await
            })
        })
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        let (status, body) = task.await.unwrap();
        assert!(!status.is_server_error(), "a racing request got {status}: {body}");
        answers.push((status, body));
    }
    answers
}

/// Asserts every answer is one of `allowed`; a 409 must be the JSON error body.
fn assert_statuses(answers: &[(StatusCode, Value)], allowed: &[StatusCode]) {
    for (status, body) in answers {
        assert!(allowed.contains(status), "unexpected {status}: {body}");
        if *status == StatusCode::CONFLICT {
            assert_eq!(body["code"], "conflict", "{body}");
        }
    }
}

fn successes(answers: &[(StatusCode, Value)]) -> usize {
    answers.iter().filter(|(s, _)| s.is_success()).count()
}

impl TestApp {
    /// Every invariant the concurrent writers could break, checked in the database.
    async fn assert_invariants(&self) {
        let unassigned = self.scalar(
            "SELECT (SELECT unassigned FROM customer_counts WHERE id = 1) - \
             (SELECT COUNT(*) FROM customers c WHERE NOT EXISTS (SELECT 1 FROM memberships m WHERE m.customer_id = c.id))",
        );
        assert_eq!(unassigned.await, 0, "the unassigned counter drifted");
        let organizations = self.scalar(
            "SELECT (SELECT organizations FROM customer_counts WHERE id = 1) \
             - (SELECT COUNT(*) FROM organizations WHERE deleted_at IS NULL)",
        );
        assert_eq!(organizations.await, 0, "the organization counter drifted");
        self.assert_counters_match().await;
        let doubled = self.scalar(
            "SELECT COUNT(*) FROM (SELECT customer_id FROM memberships GROUP BY customer_id HAVING COUNT(*) > 1) t",
        );
        assert_eq!(doubled.await, 0, "a customer is in two organizations");
        let shared = self.scalar(
            "SELECT COUNT(*) FROM (SELECT domain FROM organization_domains GROUP BY domain HAVING COUNT(*) > 1) t",
        );
        assert_eq!(shared.await, 0, "a domain belongs to two organizations");
        self.assert_no_hierarchy_loop().await;
    }

    /// Follows every organization's parents: each chain ends within as many steps as there are organizations.
    async fn assert_no_hierarchy_loop(&self) {
        let parents: Vec<(i64, Option<i64>)> =
            orgdesk_server::db::query("SELECT id, parent_id FROM organizations").fetch_all(&self.db).await.unwrap();
        let parent_of: BTreeMap<i64, Option<i64>> = parents.iter().copied().collect();
        for &(start, _) in &parents {
            let mut at = Some(start);
            for _ in 0..=parents.len() {
                at = at.and_then(|id| parent_of.get(&id).copied().flatten());
            }
            assert_eq!(at, None, "organization {start} is in a loop of parents");
        }
    }

    async fn version_of(&self, org: i64) -> i64 {
        ok_json(self.get(&format!("/api/organizations/{org}/detail")).await).await["version"].as_i64().unwrap()
    }

    /// The organization of each customer in `ids` (None: unassigned).
    async fn homes(&self, ids: &[i64]) -> Vec<Option<i64>> {
        let mut homes = Vec::new();
        for id in ids {
            homes.push(self.customer(*id).await.organization_id);
        }
        homes
    }

    /// `(organization, count)` of every `members_moved` entry moving members in.
    async fn moved_in_entries(&self) -> Vec<(i64, i64)> {
        let rows: Vec<(i64, String)> = orgdesk_server::db::query(
            "SELECT organization_id, details FROM organization_history WHERE action = 'members_moved' ORDER BY id",
        )
        .fetch_all(&self.db)
        .await
        .unwrap();
        let mut entries: Vec<(i64, i64)> = rows
            .into_iter()
            .filter_map(|(org, details)| {
                let details: Value = serde_json::from_str(&details).unwrap();
                (details["direction"] == "in").then(|| (org, details["count"].as_i64().unwrap()))
            })
            .collect();
        entries.sort_unstable();
        entries
    }
}

async fn organizations(app: &TestApp, prefix: &str, n: usize) -> Vec<i64> {
    let mut ids = Vec::new();
    for i in 0..n {
        ids.push(app.create_org(&format!("{prefix} {i:02}"), &[]).await.id);
    }
    ids
}

async fn customers(app: &TestApp, domain: &str, n: usize) -> Vec<i64> {
    let mut ids = Vec::new();
    for i in 0..n {
        ids.push(app.create_customer(&format!("person{i:02}@{domain}")).await.id);
    }
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn moving_the_same_customers_to_different_organizations_at_once_leaves_each_in_exactly_one() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let orgs = organizations(&app, "Target", CLIENTS).await;
    let people = customers(&app, "movers.test", 40).await;
    for round in 0..3 {
        // Half the clients list the customers backwards: opposite lock orders.
        let requests = orgs
            .iter()
            .enumerate()
            .map(|(i, org)| {
                let mut ids = people.clone();
                if (i + round) % 2 == 1 {
                    ids.reverse();
                }
                (Method::POST, "/api/customers/move".to_string(), json!({"customer_ids": ids, "organization_id": org}))
            })
            .collect();
        let answers = race(&app, requests).await;
        assert_statuses(&answers, &[StatusCode::OK]);
        app.assert_invariants().await;
        // Each move takes all 40: they end together in one of the targets, the one the
        // last recorded move took them to.
        let homes = app.homes(&people).await;
        assert!(homes[0].is_some_and(|h| orgs.contains(&h)), "{homes:?}");
        assert!(homes.iter().all(|h| *h == homes[0]), "split between organizations: {homes:?}");
        let last_in = app.scalar(
            "SELECT organization_id FROM organization_history WHERE action = 'members_moved' \
             AND details LIKE '%\"direction\":\"in\"%' ORDER BY id DESC LIMIT 1",
        );
        assert_eq!(Some(last_in.await), homes[0], "the history's last move is where they are");
    }
    // Every move that changed something left one "moved in" entry of all 40 on its target,
    // and one "left" entry on its source unless it took them from no organization (the first).
    let ins = app.moved_in_entries().await;
    assert!(ins.iter().all(|(_, n)| *n == 40), "{ins:?}");
    let all = app.scalar("SELECT COUNT(*) FROM organization_history WHERE action = 'members_moved'").await;
    assert_eq!(all - ins.len() as i64, ins.len() as i64 - 1, "one out entry per move between organizations");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_customer_added_to_many_organizations_at_once_ends_in_one_of_them() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let orgs = organizations(&app, "Club", CLIENTS).await;
    let people = customers(&app, "joiner.test", 3).await;
    let mut added = 0;
    for &person in &people {
        let requests = orgs
            .iter()
            .map(|org| (Method::POST, format!("/api/organizations/{org}/members"), json!({"customer_id": person})))
            .collect();
        let answers = race(&app, requests).await;
        assert_statuses(&answers, &[StatusCode::CREATED, StatusCode::CONFLICT]);
        assert!(successes(&answers) >= 1, "someone wins");
        app.assert_invariants().await;
        let home = app.customer(person).await.organization_id.expect("in an organization");
        // The customer is where the last successful add put them, and in that organization only.
        let winners: Vec<i64> =
            orgs.iter().zip(&answers).filter(|(_, (s, _))| s.is_success()).map(|(o, _)| *o).collect();
        assert!(winners.contains(&home), "{home} is not among {winners:?}");
        let memberships =
            app.rows_for::<(i64,)>("SELECT organization_id FROM memberships WHERE customer_id = $1", person);
        assert_eq!(memberships.await, [(home,)]);
        added += winners.len() as i64;
        let entries = app.scalar("SELECT COUNT(*) FROM organization_history WHERE action = 'member_added'");
        assert_eq!(entries.await, added, "one history entry per successful add");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn organizations_made_each_others_parents_at_once_never_form_a_loop() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let allowed = [StatusCode::OK, StatusCode::CONFLICT, StatusCode::UNPROCESSABLE_ENTITY];
    // Pairs: A parent of B against B parent of A, several pairs at once.
    let orgs = organizations(&app, "Pair", CLIENTS).await;
    let mut requests = Vec::new();
    for pair in orgs.chunks(2) {
        let (a, b) = (pair[0], pair[1]);
        requests.push((a, b, app.version_of(a).await));
        requests.push((b, a, app.version_of(b).await));
    }
    let requests = requests
        .into_iter()
        .map(|(child, parent, v)| {
            (Method::PATCH, format!("/api/organizations/{child}/detail"), json!({"version": v, "parent_id": parent}))
        })
        .collect();
    let answers = race(&app, requests).await;
    assert_statuses(&answers, &allowed);
    assert_eq!(successes(&answers), CLIENTS / 2, "exactly one of each pair wins: {answers:?}");
    app.assert_invariants().await;

    // Longer loops: A under B, B under C, C under A (and four-long), all at once.
    let orgs = organizations(&app, "Ring", CLIENTS).await;
    for ring in [&orgs[0..3], &orgs[3..6], &orgs[6..CLIENTS]] {
        let mut requests = Vec::new();
        for (i, &child) in ring.iter().enumerate() {
            let parent = ring[(i + 1) % ring.len()];
            let v = app.version_of(child).await;
            requests.push((
                Method::PATCH,
                format!("/api/organizations/{child}/detail"),
                json!({"version": v, "parent_id": parent}),
            ));
        }
        let answers = race(&app, requests).await;
        assert_statuses(&answers, &allowed);
        // A link bumps its parent's version too, so a later link may be refused as stale.
        let won = successes(&answers);
        assert!((1..ring.len()).contains(&won), "some links, never the whole loop: {answers:?}");
        app.assert_invariants().await;
    }

    // Children added from both ends at once: A adds B as a child while B adds A.
    let orgs = organizations(&app, "Kin", 2).await;
    let (a, b) = (orgs[0], orgs[1]);
    let (va, vb) = (app.version_of(a).await, app.version_of(b).await);
    let answers = race(
        &app,
        vec![
            (Method::POST, format!("/api/organizations/{a}/children"), json!({"version": va, "child_id": b})),
            (Method::POST, format!("/api/organizations/{b}/children"), json!({"version": vb, "child_id": a})),
        ],
    )
    .await;
    assert_statuses(
        &answers,
        &[StatusCode::OK, StatusCode::CREATED, StatusCode::CONFLICT, StatusCode::UNPROCESSABLE_ENTITY],
    );
    assert_eq!(successes(&answers), 1, "{answers:?}");
    app.assert_invariants().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn organizations_claiming_the_same_domain_at_once_leave_it_with_one() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let orgs = organizations(&app, "Claimant", CLIENTS).await;
    // From the panel (version checked) ...
    let mut requests = Vec::new();
    for &org in &orgs {
        let v = app.version_of(org).await;
        requests.push((
            Method::POST,
            format!("/api/organizations/{org}/domains"),
            json!({"domain": "contested.test", "version": v}),
        ));
    }
    let answers = race(&app, requests).await;
    assert_statuses(&answers, &[StatusCode::OK, StatusCode::CONFLICT]);
    assert_eq!(successes(&answers), 1, "{answers:?}");
    let winner = orgs.iter().zip(&answers).find(|(_, (s, _))| s.is_success()).map(|(o, _)| *o).unwrap();
    for (_, body) in answers.iter().filter(|(s, _)| *s == StatusCode::CONFLICT) {
        assert!(body["fields"]["domain"].is_string(), "the 409 names the field: {body}");
    }
    let owner = app.scalar("SELECT organization_id FROM organization_domains WHERE domain = 'contested.test'");
    assert_eq!(owner.await, winner);
    let added = app.scalar("SELECT COUNT(*) FROM organization_history WHERE action = 'domain_added'");
    assert_eq!(added.await, 1, "one history entry, the winner's");
    app.assert_invariants().await;

    // ... and from the Customers app (the whole domain list replaced).
    let requests = orgs
        .iter()
        .map(|org| (Method::PATCH, format!("/api/organizations/{org}"), json!({"domains": ["second.test"]})))
        .collect();
    let answers = race(&app, requests).await;
    assert_statuses(&answers, &[StatusCode::OK, StatusCode::CONFLICT]);
    assert_eq!(successes(&answers), 1, "{answers:?}");
    let owners = app.scalar("SELECT COUNT(*) FROM organization_domains WHERE domain = 'second.test'");
    assert_eq!(owners.await, 1);
    app.assert_invariants().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn customers_given_the_same_email_at_once_leave_it_with_one() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let people = customers(&app, "renamed.test", CLIENTS).await;
    let requests = people
        .iter()
        .map(|id| (Method::PATCH, format!("/api/customers/{id}"), json!({"email": "same@renamed.test"})))
        .collect();
    let answers = race(&app, requests).await;
    assert_statuses(&answers, &[StatusCode::OK, StatusCode::CONFLICT]);
    assert_eq!(successes(&answers), 1, "{answers:?}");
    for (_, body) in answers.iter().filter(|(s, _)| *s == StatusCode::CONFLICT) {
        assert!(body["fields"]["email"].is_string(), "the 409 names the field: {body}");
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM customers WHERE email = 'same@renamed.test'").await, 1);
    // New customers with one email at once: one is created.
    let requests = (0..CLIENTS)
        .map(|_| (Method::POST, "/api/customers".to_string(), json!({"email": "new@renamed.test"})))
        .collect();
    let answers = race(&app, requests).await;
    assert_statuses(&answers, &[StatusCode::CREATED, StatusCode::CONFLICT]);
    assert_eq!(successes(&answers), 1, "{answers:?}");
    app.assert_invariants().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn customers_of_a_new_domain_created_at_once_share_one_automatic_organization() {
    let app = TestApp::spawn_admin().await;
    let requests = (0..CLIENTS)
        .map(|i| (Method::POST, "/api/customers".to_string(), json!({"email": format!("p{i}@fresh-company.test")})))
        .collect();
    let answers = race(&app, requests).await;
    assert_statuses(&answers, &[StatusCode::CREATED]);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM organizations").await, 1);
    let org = app.scalar("SELECT id FROM organizations").await;
    let members = app.rows_for::<(i64,)>("SELECT customer_id FROM memberships WHERE organization_id = $1", org);
    assert_eq!(members.await.len(), CLIENTS);
    app.assert_invariants().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_domain_added_with_moves_while_agents_move_the_same_customers_is_all_or_nothing() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let taker = app.create_org("Taker", &[]).await.id;
    let others = organizations(&app, "Manual", CLIENTS - 1).await;
    let people = customers(&app, "shared-domain.test", 30).await;
    let v = app.version_of(taker).await;
    let mut requests = vec![(
        Method::POST,
        format!("/api/organizations/{taker}/domains"),
        json!({"domain": "shared-domain.test", "version": v, "move_unassigned": true}),
    )];
    for (i, org) in others.iter().enumerate() {
        // Each manual move takes a slice of the customers, overlapping its neighbours'.
        let slice: Vec<i64> = people.iter().copied().cycle().skip(i * 3).take(10).collect();
        requests.push((
            Method::POST,
            "/api/customers/move".into(),
            json!({"customer_ids": slice, "organization_id": org}),
        ));
    }
    let answers = race(&app, requests).await;
    assert_statuses(&answers, &[StatusCode::OK, StatusCode::CONFLICT, StatusCode::UNPROCESSABLE_ENTITY]);
    app.assert_invariants().await;
    let domain_added = answers[0].0.is_success();
    let owner = app.scalar("SELECT COUNT(*) FROM organization_domains WHERE domain = 'shared-domain.test'").await;
    assert_eq!(owner, i64::from(domain_added), "the domain is there exactly when its request succeeded");
    // Every customer is somewhere now (each was unassigned or taken by some move) and
    // the history's "moved in" entries add up to what the answers moved.
    let homes = app.homes(&people).await;
    let in_taker = homes.iter().filter(|h| **h == Some(taker)).count() as i64;
    let entries = app.moved_in_entries().await;
    let taker_in: i64 = entries.iter().filter(|(o, _)| *o == taker).map(|(_, n)| n).sum();
    assert!(taker_in >= in_taker, "{taker_in} moved in, {in_taker} there");
    if !domain_added {
        assert_eq!(taker_in, 0, "a refused domain add moved nobody");
    }
    for (i, org) in others.iter().enumerate() {
        let n: i64 = entries.iter().filter(|(o, _)| o == org).map(|(_, n)| n).sum();
        // Each manual target is fresh: a successful move moved its 10 in, a refused one none.
        assert_eq!(n, if answers[i + 1].0.is_success() { 10 } else { 0 }, "{:?}", answers[i + 1]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_organization_deleted_while_customers_move_into_it_leaves_no_member_of_a_missing_organization() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let doomed = app.create_org("Doomed", &[]).await.id;
    let people = customers(&app, "doomed.test", 20).await;
    let mut requests = vec![(Method::DELETE, format!("/api/organizations/{doomed}"), Value::Null)];
    for chunk in people.chunks(2) {
        requests.push((
            Method::POST,
            "/api/customers/move".to_string(),
            json!({"customer_ids": chunk, "organization_id": doomed}),
        ));
    }
    let answers = race(&app, requests).await;
    assert_statuses(&answers[..1], &[StatusCode::NO_CONTENT, StatusCode::OK]);
    assert_statuses(&answers[1..], &[StatusCode::OK, StatusCode::NOT_FOUND]);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM organizations WHERE deleted_at IS NULL").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM memberships").await, 0, "no one is left in the deleted organization");
    app.assert_invariants().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn projects_and_organizations_created_with_one_name_at_once_exist_once() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let requests =
        (0..CLIENTS).map(|_| (Method::POST, "/api/projects".to_string(), json!({"name": "Launch"}))).collect();
    let answers = race(&app, requests).await;
    assert_statuses(&answers, &[StatusCode::CREATED, StatusCode::CONFLICT]);
    assert_eq!(successes(&answers), 1, "{answers:?}");
    let requests = (0..CLIENTS)
        .map(|i| {
            let name = if i % 2 == 0 { "Same Name" } else { "same name" };
            (Method::POST, "/api/organizations".to_string(), json!({"name": name, "domains": [format!("d{i}.test")]}))
        })
        .collect();
    let answers = race(&app, requests).await;
    assert_statuses(&answers, &[StatusCode::CREATED, StatusCode::CONFLICT]);
    assert_eq!(successes(&answers), 1, "{answers:?}");
    for (_, body) in answers.iter().filter(|(s, _)| *s == StatusCode::CONFLICT) {
        assert!(body["fields"]["name"].is_string(), "the 409 names the field: {body}");
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM organization_domains").await, 1, "only the winner's domain");
    app.assert_invariants().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bulk_changes_of_the_same_items_at_once_let_one_win_and_refuse_the_rest() {
    let app = TestApp::spawn_admin().await;
    let ann = app.create_customer("ann@acme.com").await.id;
    let p = app.create_project("Website").await.id;
    let mut items = Vec::new();
    for title in ["One", "Two", "Three", "Four"] {
        items.push(app.create_ticket(p, ann, title, orgdesk_core::api::tickets::ItemStatus::New).await);
    }
    let statuses = ["open", "waiting", "resolved", "closed"];
    // Each client changes an overlapping window of the items, with the versions all saw.
    let requests = (0..CLIENTS)
        .map(|i| {
            let window: Vec<Value> = (0..3)
                .map(|k| &items[(i + k) % items.len()])
                .map(|it| json!({"id": it.id, "updated_at": it.updated_at}))
                .collect();
            (Method::POST, "/api/items/bulk".to_string(), json!({"items": window, "status": statuses[i % 4]}))
        })
        .collect();
    let answers = race(&app, requests).await;
    assert_statuses(&answers, &[StatusCode::OK, StatusCode::CONFLICT]);
    let won = successes(&answers);
    assert!(won >= 1, "{answers:?}");
    // Any two windows of three of four items overlap, so exactly one wins.
    assert_eq!(won, 1, "{answers:?}");
    let history = app.scalar("SELECT COUNT(*) FROM item_history").await;
    assert_eq!(history, 3, "one history line per item the winner changed, none from the losers");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM items WHERE status = 'new'").await, 1, "the fourth stays new");
    app.assert_invariants().await;
}

/// Moves queued together are written in one transaction, each answered as if alone: a
/// request refused (a customer gone) changes nothing and the others are kept, in order.
#[tokio::test]
async fn moves_written_together_are_each_answered_as_if_alone() {
    use orgdesk_core::api::customer_profile::MoveVia;
    use orgdesk_server::db::customers::{move_batch, MoveRequest};
    use orgdesk_server::error::ApiError;

    let app = TestApp::spawn_admin().await;
    let x = app.create_org("Xeno", &["xeno.test"]).await.id;
    let y = app.create_org("Yonder", &["yonder.test"]).await.id;
    let ann = app.create_named_customer("ann@gmail.com", "Ann", "Adams").await.id;
    let bob = app.create_named_customer("bob@gmail.com", "Bob", "Brown").await.id;
    let cy = app.create_named_customer("cy@gmail.com", "Cy", "Cole").await.id;
    let request = |ids: Vec<i64>, organization: Option<i64>| MoveRequest {
        ids,
        organization,
        agent: None,
        via: MoveVia::CustomersApp,
        now: 1_800_000_000_000,
    };
    let entries = |id: i64| format!("SELECT COUNT(*) FROM customer_history WHERE customer_id = {id}");
    let (ann_before, bob_before) = (app.scalar(&entries(ann)).await, app.scalar(&entries(bob)).await);
    let results = move_batch(
        &app.db,
        &[
            request(vec![ann], Some(x)),
            request(vec![bob, 999_999], Some(x)),
            // Ann again: read after the first move is written.
            request(vec![ann], Some(y)),
            // Written together with the one before.
            request(vec![cy], Some(y)),
        ],
    )
    .await;
    assert_eq!(results.len(), 4);
    let first = results[0].as_ref().expect("the first move");
    assert_eq!((first[0].customer_id, first[0].from_organization_id), (ann, None));
    assert!(matches!(&results[1], Err(ApiError::Validation(fields)) if fields.contains_key("customer_ids")));
    let third = results[2].as_ref().expect("the third move");
    assert_eq!(third[0].from_organization_id, Some(x), "the third sees the first's move");
    let fourth = results[3].as_ref().expect("the fourth move");
    assert_eq!((fourth[0].customer_id, fourth[0].from_organization_id), (cy, None));

    let home = |id: i64| format!("SELECT COALESCE(MAX(organization_id), 0) FROM memberships WHERE customer_id = {id}");
    assert_eq!(app.scalar(&home(ann)).await, y);
    assert_eq!(app.scalar(&home(bob)).await, 0, "the refused move changed nothing");
    assert_eq!(app.scalar(&home(cy)).await, y);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM organization_history WHERE action = 'members_moved'").await,
        4,
        "Ann in to Xeno, out of Xeno and in to Yonder; Cy in to Yonder"
    );
    // Every stored counter (members, customers in no organization, items) equals a real count.
    app.assert_invariants().await;
    assert_eq!(app.scalar(&entries(ann)).await, ann_before + 2, "both of Ann's moves are in her history");
    assert_eq!(app.scalar(&entries(bob)).await, bob_before, "the refused move wrote no history");
}
