//! Merging organizations (issue #16 point 3): the preview, every kind of row moving
//! to the survivor, the chosen fields, one transaction (a failure at the very end
//! leaves nothing changed), the old id redirecting (chains too), loops refused,
//! stale versions, agents refused and two merges at once.

use orgdesk_core::api::merge::{MergeOutcome, MergePreview};
use orgdesk_core::api::tickets::ItemStatus;
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::*;

/// The name that makes a debug build's merge fail after every row moved
/// (`db::organizations::merge::FAULT_AT_END`).
const FAULT_AT_END: &str = "Merge fault at end";

async fn preview(app: &TestApp, from: i64, into: i64) -> MergePreview {
    let res = app.get(&format!("/api/organizations/{from}/merge-preview?target_id={into}")).await;
    serde_json::from_value(ok_json(res).await).unwrap()
}

/// Merges with the versions the preview showed.
async fn merge(app: &TestApp, from: i64, into: i64, take: &[&str]) -> reqwest::Response {
    let p = preview(app, from, into).await;
    let body = json!({"target_id": into, "version": p.merged.version, "target_version": p.survivor.version,
                      "take_merged": take});
    app.post(&format!("/api/organizations/{from}/merge"), body).await
}

async fn detail(app: &TestApp, id: i64) -> Value {
    ok_json(app.get(&format!("/api/organizations/{id}/detail")).await).await
}

async fn summaries(app: &TestApp, path: &str) -> Vec<String> {
    let page = ok_json(app.get(path).await).await;
    page["items"].as_array().unwrap().iter().map(|e| e["summary"].as_str().unwrap().to_string()).collect()
}

async fn add_file(app: &TestApp, org: i64, name: &str) {
    let form = Form::new()
        .part("file", Part::bytes(b"hello".to_vec()).file_name(name.to_string()).mime_str("text/plain").unwrap());
    let res = app
        .client
        .post(app.url(&format!("/api/organizations/{org}/files")))
        .header("x-csrf-token", app.csrf.clone().unwrap_or_default())
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
}

async fn set_detail(app: &TestApp, org: i64, change: Value) {
    let version = detail(app, org).await["version"].clone();
    let mut body = change;
    body["version"] = version;
    ok_json(app.patch(&format!("/api/organizations/{org}/detail"), body).await).await;
}

/// Everything a merge could touch, counted straight in the database.
async fn totals(app: &TestApp) -> Vec<i64> {
    let mut out = Vec::new();
    for sql in [
        "SELECT COUNT(*) FROM organizations",
        "SELECT COUNT(*) FROM memberships",
        "SELECT COUNT(*) FROM organization_history",
        "SELECT COUNT(*) FROM customer_history",
        "SELECT COUNT(*) FROM organization_redirects",
        "SELECT COUNT(*) FROM audit_log",
        "SELECT organizations FROM customer_counts",
        "SELECT unassigned FROM customer_counts",
        "SELECT CAST(COALESCE(SUM(organization_id), 0) AS BIGINT) FROM items",
        "SELECT CAST(COALESCE(SUM(organization_id), 0) AS BIGINT) FROM organization_domains",
        "SELECT CAST(COALESCE(SUM(organization_id), 0) AS BIGINT) FROM organization_notes",
    ] {
        out.push(app.scalar(sql).await);
    }
    out
}

#[tokio::test]
async fn every_kind_of_row_moves_to_the_survivor_and_the_chosen_fields_apply() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let holding = app.create_org("Holding", &[]).await.id;
    let ltd = app.create_org("Acme Ltd", &["acme.co.uk"]).await.id;
    let acme = app.create_org("Acme", &["acme.com"]).await.id;
    let child = app.create_org("Acme Scotland", &[]).await.id;
    let ann = app.create_named_customer("ann@acme.co.uk", "Ann", "Lee").await.id;
    let bob = app.create_named_customer("bob@acme.co.uk", "Bob", "Stone").await.id;
    let cy = app.create_named_customer("cy@acme.com", "Cy", "Young").await.id;
    assert_eq!(app.customer(ann).await.organization_id, Some(ltd));
    assert_eq!(app.customer(cy).await.organization_id, Some(acme));
    // Ann manages Acme Ltd (verified), so after the merge she sees Acme's items.
    let version = detail(&app, ltd).await["version"].clone();
    ok_json(
        app.patch(&format!("/api/organizations/{ltd}/members/{ann}"), json!({"version": version, "role": "manager"}))
            .await,
    )
    .await;
    let portal = app.portal_client(ann, true).await;

    let support = app.create_project("Support").await.id;
    let shared = app.create_project("Shared with Ltd").await.id;
    let open = app.create_ticket(support, ann, "Ann's open ticket", ItemStatus::Open).await.id;
    let closed = app.create_ticket(support, bob, "Bob's closed ticket", ItemStatus::Closed).await.id;
    let cys = app.create_ticket(support, cy, "Cy's ticket", ItemStatus::New).await.id;

    // The merged organization's fields and lists.
    set_detail(&app, ltd, json!({"summary": "UK branch", "parent_id": holding})).await;
    set_detail(&app, acme, json!({"summary": "Head office"})).await;
    set_detail(&app, child, json!({"parent_id": ltd})).await;
    let tier = json_with(
        app.post("/api/organization-properties", json!({"label": "Tier", "kind": "text"})).await,
        StatusCode::CREATED,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let region = json_with(
        app.post("/api/organization-properties", json!({"label": "Region", "kind": "text"})).await,
        StatusCode::CREATED,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    for (org, values) in [
        (ltd, json!({tier.to_string(): "Gold", region.to_string(): "EMEA"})),
        (acme, json!({tier.to_string(): "Silver"})),
    ] {
        let version = detail(&app, org).await["version"].clone();
        ok_json(
            app.put(&format!("/api/organizations/{org}/properties"), json!({"version": version, "values": values}))
                .await,
        )
        .await;
    }
    for (org, value) in [(ltd, "+44 20 1234"), (acme, "+1 555 0100")] {
        let version = detail(&app, org).await["version"].clone();
        let entries = json!([{"kind": "phone", "label": "Office", "value": value}]);
        ok_json(
            app.put(&format!("/api/organizations/{org}/contacts"), json!({"version": version, "entries": entries}))
                .await,
        )
        .await;
    }
    json_with(
        app.post(&format!("/api/organizations/{ltd}/notes"), json!({"body": "Prefers email"})).await,
        StatusCode::CREATED,
    )
    .await;
    add_file(&app, ltd, "contract.txt").await;
    json_with(
        app.post(
            &format!("/api/organizations/{ltd}/routing-rules"),
            json!({"name": "UK urgent", "conditions": [], "actions": [{"kind": "set_priority", "priority": "urgent"}]}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    ok_json(app.put(&format!("/api/projects/{shared}/sharing"), json!({"add_organizations": [ltd]})).await).await;
    json_with(
        app.post(&format!("/api/organizations/{ltd}/conversations"), json!({"subject": "Hello", "body": "Welcome."}))
            .await,
        StatusCode::CREATED,
    )
    .await;
    // Usergroups: "VIP support" is linked to Acme Ltd only, "Everyone" to both.
    let group = |name: &str| app.post("/api/usergroups", json!({"name": name}));
    let vip = json_with(group("VIP support").await, StatusCode::CREATED).await["id"].as_i64().unwrap();
    let everyone = json_with(group("Everyone").await, StatusCode::CREATED).await["id"].as_i64().unwrap();
    for (org, g) in [(ltd, vip), (ltd, everyone), (acme, everyone)] {
        ok_json(app.post(&format!("/api/organizations/{org}/usergroups"), json!({"usergroup_id": g})).await).await;
    }
    let ltd_history =
        app.scalar(&format!("SELECT COUNT(*) FROM organization_history WHERE organization_id = {ltd}")).await;
    let organizations_before = app.scalar("SELECT organizations FROM customer_counts").await;
    let unassigned_before = app.scalar("SELECT unassigned FROM customer_counts").await;
    assert!(!ok_json(portal.get("/api/portal/items").await).await.to_string().contains("Cy's ticket"));

    // The preview: side by side, the conflicts, the counts, who gains sight of what.
    let p = preview(&app, ltd, acme).await;
    assert_eq!((p.merged.name.as_str(), p.survivor.name.as_str()), ("Acme Ltd", "Acme"));
    assert_eq!((p.merged.members, p.merged.open_items, p.merged.closed_items), (2, 1, 1));
    assert_eq!((p.merged.notes, p.merged.files, p.merged.history_entries), (1, 1, ltd_history));
    assert_eq!(p.merged.managers, ["Ann Lee"]);
    assert_eq!(p.merged.routing_rules, ["UK urgent"]);
    assert_eq!(p.merged.projects.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["Shared with Ltd"]);
    assert_eq!(p.merged.domains, ["acme.co.uk"]);
    assert_eq!(
        (p.merged.usergroups.clone(), p.merged.usergroup_count),
        (vec!["Everyone".into(), "VIP support".into()], 2)
    );
    assert_eq!((p.survivor.usergroups.clone(), p.survivor.usergroup_count), (vec!["Everyone".into()], 1));
    assert_eq!(p.refused, None);
    let keys: Vec<&str> = p.conflicts.iter().map(|c| c.key.as_str()).collect();
    assert_eq!(keys, ["name", "summary", format!("property:{tier}").as_str()], "region and parent are not conflicts");
    let tier_conflict = &p.conflicts[2];
    assert_eq!((tier_conflict.survivor.as_str(), tier_conflict.merged.as_str()), ("Silver", "Gold"));
    // Ann (verified manager) gains Cy's ticket; Acme's members gain nothing yet (none verified).
    assert_eq!((p.access.merged_members.customers, p.access.merged_members.items), (1, 1));
    assert_eq!((p.access.survivor_members.customers, p.access.survivor_members.items), (0, 0));

    // The merge, taking the merged name and tier.
    let tier_key = format!("property:{tier}");
    let res = merge(&app, ltd, acme, &["name", &tier_key]).await;
    let outcome: MergeOutcome = serde_json::from_value(ok_json(res).await).unwrap();
    assert_eq!((outcome.survivor.id, outcome.survivor.name.as_str()), (acme, "Acme Ltd"));
    assert_eq!((outcome.members, outcome.open_items, outcome.closed_items), (2, 1, 1));
    assert_eq!(outcome.history_entries, ltd_history + 1, "its entries and its own \"Merged into\" entry");

    let d = detail(&app, acme).await;
    assert_eq!(d["name"], "Acme Ltd");
    assert_eq!(d["summary"], "Head office", "the survivor's summary was kept");
    assert_eq!(d["parent"]["id"], holding, "the merged parent fills the survivor's empty one");
    assert_eq!(d["domains"], json!(["acme.co.uk", "acme.com"]));
    assert_eq!(d["member_count"], 3);
    assert_eq!(d["manager_count"], 1);
    assert_eq!(d["children"][0]["id"], child);
    assert_eq!(d["projects"][0]["id"], shared);
    let contacts: Vec<&str> = d["contacts"].as_array().unwrap().iter().map(|c| c["value"].as_str().unwrap()).collect();
    assert_eq!(contacts, ["+1 555 0100", "+44 20 1234"], "the survivor's first, then the merged one's");
    let values: Vec<(String, Value)> = d["properties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["definition"]["label"].as_str().unwrap().to_string(), p["value"].clone()))
        .collect();
    assert!(values.contains(&("Tier".into(), json!("Gold"))), "{values:?}");
    assert!(values.contains(&("Region".into(), json!("EMEA"))), "{values:?}");
    for item in [open, closed, cys] {
        assert_eq!(app.scalar(&format!("SELECT organization_id FROM items WHERE id = {item}")).await, acme);
    }
    assert_eq!(app.customer(bob).await.organization_id, Some(acme));
    let notes = ok_json(app.get(&format!("/api/organizations/{acme}/notes")).await).await;
    assert_eq!(notes["items"][0]["body"], "Prefers email");
    let files = ok_json(app.get(&format!("/api/organizations/{acme}/files")).await).await;
    assert_eq!(files[0]["name"], "contract.txt");
    let rules = ok_json(app.get(&format!("/api/organizations/{acme}/routing-rules")).await).await;
    assert!(rules.to_string().contains("UK urgent"), "{rules}");
    let links = ok_json(app.get(&format!("/api/organizations/{acme}/usergroups")).await).await;
    let mut linked: Vec<i64> = links.as_array().unwrap().iter().map(|l| l["usergroup_id"].as_i64().unwrap()).collect();
    linked.sort_unstable();
    assert_eq!(linked, [vip, everyone], "VIP support moved; Everyone once");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM usergroup_organizations").await, 2);
    let conversations = ok_json(app.get(&format!("/api/organizations/{acme}/conversations")).await).await;
    assert!(conversations.to_string().contains("Hello"), "{conversations}");
    // Both histories: the merged one's entries moved, and the merge is recorded.
    let history = summaries(&app, &format!("/api/organizations/{acme}/history?limit=200")).await;
    assert!(history[0].starts_with("Merged Acme Ltd into this organization (2 members, 2 items"), "{history:?}");
    assert!(history.iter().any(|s| s == "Summary changed"), "{history:?}");
    assert_eq!(history[1], "Merged into Acme", "the merged organization's own last entry, moved along");
    assert_eq!(
        app.scalar(&format!("SELECT COUNT(*) FROM organization_history WHERE organization_id = {acme}")).await,
        app.scalar("SELECT COUNT(*) FROM organization_history").await - {
            app.scalar(&format!(
                "SELECT COUNT(*) FROM organization_history WHERE organization_id IN ({holding}, {child})"
            ))
            .await
        }
    );
    let bobs = summaries(&app, &format!("/api/customers/{bob}/history?limit=50")).await;
    assert!(bobs.iter().any(|s| s == "Moved from Acme Ltd to Acme by merging the organizations"), "{bobs:?}");
    let audit = ok_json(app.get("/api/audit?action=organizations_merged").await).await;
    assert_eq!(audit["items"][0]["target_id"], acme);
    // The merged organization is gone; the counters the Customers app reads stay right.
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM organizations WHERE id = {ltd}")).await, 0);
    assert_eq!(app.scalar("SELECT organizations FROM customer_counts").await, organizations_before - 1);
    assert_eq!(app.scalar("SELECT unassigned FROM customer_counts").await, unassigned_before);
    app.assert_counters_match().await;
    let list = ok_json(app.get("/api/organizations?q=Acme").await).await;
    let names: Vec<&str> = list["items"].as_array().unwrap().iter().map(|o| o["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Acme Ltd", "Acme Scotland"], "the search index knows the new name and no old one");
    // Ann, a manager of the survivor now, sees Acme's ticket in the portal.
    assert!(ok_json(portal.get("/api/portal/items").await).await.to_string().contains("Cy's ticket"));
}

#[tokio::test]
async fn the_preview_counts_what_the_merged_organizations_usergroups_show_the_survivors_members() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let ltd = app.create_org("Acme Ltd", &["acme.co.uk"]).await.id;
    let acme = app.create_org("Acme", &["acme.com"]).await.id;
    let other = app.create_org("Globex", &["globex.com"]).await.id;
    let cy = app.create_named_customer("cy@acme.com", "Cy", "Young").await.id;
    let gus = app.create_named_customer("gus@globex.com", "Gus", "Green").await.id;
    assert_eq!(app.customer(gus).await.organization_id, Some(other));
    // Cy, verified, sees nothing of the launch project until Acme has the group's link.
    let portal = app.portal_client(cy, true).await;
    let launch = app.create_project("Launch").await.id;
    app.create_ticket(launch, gus, "Launch plan", ItemStatus::Open).await;
    let vip = json_with(
        app.post("/api/usergroups", json!({"name": "Launch partners", "project_ids": [launch]})).await,
        StatusCode::CREATED,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    ok_json(app.post(&format!("/api/organizations/{ltd}/usergroups"), json!({"usergroup_id": vip})).await).await;
    assert!(!ok_json(portal.get("/api/portal/items").await).await.to_string().contains("Launch plan"));

    let p = preview(&app, ltd, acme).await;
    assert_eq!((p.access.survivor_members.customers, p.access.survivor_members.items), (1, 1), "Cy gains the plan");
    assert_eq!((p.access.merged_members.customers, p.access.merged_members.items), (0, 0), "Acme Ltd has no members");
    ok_json(merge(&app, ltd, acme, &[]).await).await;
    assert!(ok_json(portal.get("/api/portal/items").await).await.to_string().contains("Launch plan"));
}

#[tokio::test]
async fn an_old_id_opens_the_survivor_even_through_a_chain() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let a = app.create_org("Alpha", &[]).await.id;
    let b = app.create_org("Beta", &[]).await.id;
    let c = app.create_org("Gamma", &[]).await.id;
    ok_json(merge(&app, a, b, &[]).await).await;
    assert_eq!(ok_json(app.get(&format!("/api/organizations/{a}")).await).await["id"], b);
    assert_eq!(detail(&app, a).await["id"], b);
    ok_json(merge(&app, b, c, &[]).await).await;
    for old in [a, b] {
        let org = ok_json(app.get(&format!("/api/organizations/{old}")).await).await;
        assert_eq!((org["id"].as_i64(), org["name"].as_str()), (Some(c), Some("Gamma")), "{old} leads to Gamma");
        assert_eq!(detail(&app, old).await["id"], c);
    }
    // Writes on an old id are not redirected.
    error_body(
        app.post(&format!("/api/organizations/{a}/notes"), json!({"body": "x"})).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    error_body(app.get("/api/organizations/999999").await, StatusCode::NOT_FOUND, "not_found").await;
    // Once the survivor is deleted, the old ids lead nowhere.
    assert_eq!(app.delete(&format!("/api/organizations/{c}")).await.status(), StatusCode::NO_CONTENT);
    error_body(app.get(&format!("/api/organizations/{a}")).await, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn merging_into_a_sub_organization_is_refused_and_into_the_parent_is_not() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let parent = app.create_org("Parent", &[]).await.id;
    let child = app.create_org("Child", &[]).await.id;
    let grandchild = app.create_org("Grandchild", &[]).await.id;
    set_detail(&app, child, json!({"parent_id": parent})).await;
    set_detail(&app, grandchild, json!({"parent_id": child})).await;

    let p = preview(&app, parent, grandchild).await;
    assert!(p.refused.as_deref().unwrap().starts_with("Grandchild is inside Parent"), "{:?}", p.refused);
    let body =
        error_body(merge(&app, parent, grandchild, &[]).await, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(body["fields"]["target_id"].as_str().unwrap().contains("inside"), "{body}");
    error_body(
        app.get(&format!("/api/organizations/{parent}/merge-preview?target_id={parent}")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM organizations").await, 3, "nothing changed");

    // The child into its parent: the grandchild becomes the parent's child.
    let p = preview(&app, child, parent).await;
    assert_eq!(p.refused, None);
    ok_json(merge(&app, child, parent, &[]).await).await;
    assert_eq!(detail(&app, grandchild).await["parent"]["id"], parent);
}

#[tokio::test]
async fn a_merge_after_either_organization_changed_is_a_conflict() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let a = app.create_org("Alpha", &["alpha.com"]).await.id;
    let b = app.create_org("Beta", &[]).await.id;
    let p = preview(&app, a, b).await;
    set_detail(&app, b, json!({"summary": "Changed meanwhile"})).await;
    let before = totals(&app).await;
    let body = json!({"target_id": b, "version": p.merged.version, "target_version": p.survivor.version});
    let res = app.post(&format!("/api/organizations/{a}/merge"), body).await;
    let err = error_body(res, StatusCode::CONFLICT, "conflict").await;
    assert!(err["fields"]["version"].is_string(), "{err}");
    set_detail(&app, a, json!({"summary": "Also changed"})).await;
    let body = json!({"target_id": b, "version": p.merged.version, "target_version": p.survivor.version + 1});
    error_body(app.post(&format!("/api/organizations/{a}/merge"), body).await, StatusCode::CONFLICT, "conflict").await;
    assert_eq!(totals(&app).await[..2], before[..2], "nothing merged");
    // A key that is no conflict of these two is refused.
    let p = preview(&app, a, b).await;
    let body = json!({"target_id": b, "version": p.merged.version, "target_version": p.survivor.version,
                      "take_merged": ["parent"]});
    error_body(
        app.post(&format!("/api/organizations/{a}/merge"), body).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    // Gone organizations are 404s.
    let body = json!({"target_id": 999_999, "version": 1, "target_version": 1});
    error_body(app.post(&format!("/api/organizations/{a}/merge"), body).await, StatusCode::NOT_FOUND, "not_found")
        .await;
    error_body(
        app.get("/api/organizations/999999/merge-preview?target_id=1").await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn agents_may_not_merge_or_preview() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let a = app.create_org("Alpha", &[]).await.id;
    let b = app.create_org("Beta", &[]).await.id;
    let (agent, _) = app.signed_in_agent("agent@orgdesk.test").await;
    error_body(
        agent.get(&format!("/api/organizations/{a}/merge-preview?target_id={b}")).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let body = json!({"target_id": b, "version": 1, "target_version": 1});
    error_body(agent.post(&format!("/api/organizations/{a}/merge"), body).await, StatusCode::FORBIDDEN, "forbidden")
        .await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM organizations").await, 2);
}

#[tokio::test]
async fn a_merge_that_fails_at_the_very_end_leaves_nothing_changed() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let faulty = app.create_org(FAULT_AT_END, &["fault.com"]).await.id;
    let acme = app.create_org("Acme", &["acme.com"]).await.id;
    let ann = app.create_customer("ann@fault.com").await.id;
    let project = app.create_project("Support").await.id;
    app.create_ticket(project, ann, "Open", ItemStatus::Open).await;
    app.create_ticket(project, ann, "Closed", ItemStatus::Closed).await;
    json_with(
        app.post(&format!("/api/organizations/{faulty}/notes"), json!({"body": "A note"})).await,
        StatusCode::CREATED,
    )
    .await;
    let before = totals(&app).await;
    let res = merge(&app, faulty, acme, &["name"]).await;
    // The injected failure is a unique-constraint violation, answered as any such is: 409.
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(totals(&app).await, before, "every row is where it was");
    assert_eq!(app.customer(ann).await.organization_id, Some(faulty));
    assert_eq!(detail(&app, acme).await["name"], "Acme");
    app.assert_counters_match().await;
}

#[tokio::test]
async fn two_merges_at_once_give_one_success_and_a_conflict_or_not_found() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    for round in 0..3 {
        let a = app.create_org(&format!("Alpha {round}"), &[]).await.id;
        let b = app.create_org(&format!("Beta {round}"), &[]).await.id;
        let c = app.create_org(&format!("Gamma {round}"), &[]).await.id;
        let (pa, pb) = (preview(&app, a, b).await, preview(&app, b, a).await);
        let pc = preview(&app, a, c).await;
        let first = json!({"target_id": b, "version": pa.merged.version, "target_version": pa.survivor.version});
        // The same organization into two others, and the reverse pair, at once.
        let second = if round == 0 {
            json!({"target_id": c, "version": pc.merged.version, "target_version": pc.survivor.version})
        } else {
            json!({"target_id": a, "version": pb.merged.version, "target_version": pb.survivor.version})
        };
        let second_from = if round == 0 { a } else { b };
        let (path1, path2) =
            (format!("/api/organizations/{a}/merge"), format!("/api/organizations/{second_from}/merge"));
        let (r1, r2) = tokio::join!(app.post(&path1, first), app.post(&path2, second));
        let mut statuses = [r1.status(), r2.status()];
        statuses.sort();
        assert_eq!(statuses[0], StatusCode::OK, "{statuses:?}");
        assert!(matches!(statuses[1], StatusCode::CONFLICT | StatusCode::NOT_FOUND), "{statuses:?}");
        app.assert_counters_match().await;
    }
}

/// Two organizations of 10,000 members (and 1,000 items) each merge whole, counters right.
/// Not a timed test: it prints the preview's and the merge's time (`--nocapture`).
#[tokio::test]
async fn two_organizations_of_ten_thousand_members_each_merge_whole() {
    use orgdesk_server::db::query;
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let a = app.create_org("Big A", &[]).await.id;
    let b = app.create_org("Big B", &[]).await.id;
    let project = app.create_project("Support").await.id;
    for (org, tag) in [(a, "a"), (b, "b")] {
        query(format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000) \
             INSERT INTO customers (email, first_name, last_name, sort_name, created_at) \
             SELECT 'c' || i || '@{tag}.example', 'C', '{tag}', 'c {tag}', 0 FROM n"
        ))
        .execute(&app.db)
        .await
        .unwrap();
        query(format!(
            "INSERT INTO memberships (customer_id, organization_id) SELECT id, $1 FROM customers WHERE email LIKE '%@{tag}.example'"
        ))
        .bind(org)
        .execute(&app.db)
        .await
        .unwrap();
        query(format!(
            "INSERT INTO items (project_id, item_type, title, status, priority, requester_id, organization_id, created_at, updated_at) \
             SELECT $1, 'ticket', 'T', CASE WHEN id % 2 = 0 THEN 'open' ELSE 'closed' END, 'normal', id, $2, 0, 0 \
             FROM customers WHERE email LIKE '%@{tag}.example' AND id % 10 = 0"
        ))
        .bind(project)
        .bind(org)
        .execute(&app.db)
        .await
        .unwrap();
    }
    let started = std::time::Instant::now();
    let p = preview(&app, a, b).await;
    let previewed = started.elapsed();
    assert_eq!((p.merged.members, p.survivor.members), (10_000, 10_000));
    let body = json!({"target_id": b, "version": p.merged.version, "target_version": p.survivor.version});
    let started = std::time::Instant::now();
    let outcome = ok_json(app.post(&format!("/api/organizations/{a}/merge"), body).await).await;
    let merged = started.elapsed();
    assert_eq!(outcome["members"], 10_000);
    println!(
        "merge of 2 x 10,000 members ({} items moved) on {}: preview {previewed:?}, merge {merged:?} ({} build)",
        outcome["open_items"].as_i64().unwrap() + outcome["closed_items"].as_i64().unwrap(),
        app.db.dialect(),
        if cfg!(debug_assertions) { "debug" } else { "release" }
    );
    app.assert_counters_match().await;
}
