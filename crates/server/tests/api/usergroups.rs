//! Usergroups: membership and its sources (join, leave, link, unlink, individual
//! removal refused with the reason), portal access through a group (seeing a
//! project's items, creating tickets and replying only when the group allows),
//! bad input changing nothing, concurrent edits, and who may read and write.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::*;

/// Acme (ann, bob), Globex (gus), and a project "Secret" with a ticket of gus's.
struct World {
    admin: TestApp,
    acme: i64,
    globex: i64,
    secret: i64,
    ann: i64,
    bob: i64,
    gus: i64,
    guss: i64,
}

async fn world() -> World {
    let admin = TestApp::spawn_admin().await;
    let acme = admin.create_org("Acme Corp", &["acme.test"]).await.id;
    let globex = admin.create_org("Globex", &["globex.test"]).await.id;
    let secret = admin.create_project("Secret").await.id;
    let ann = admin.create_named_customer("ann@acme.test", "Ann", "Archer").await.id;
    let bob = admin.create_named_customer("bob@acme.test", "Bob", "Baker").await.id;
    let gus = admin.create_named_customer("gus@globex.test", "Gus", "Green").await.id;
    let guss = admin.create_ticket(secret, gus, "Globex launch plan", ItemStatus::Open).await.id;
    World { admin, acme, globex, secret, ann, bob, gus, guss }
}

async fn create_group(app: &TestApp, body: Value) -> Value {
    json_with(app.post("/api/usergroups", body).await, StatusCode::CREATED).await
}

async fn link(app: &TestApp, org: i64, group: i64) -> Value {
    json_with(
        app.post(&format!("/api/organizations/{org}/usergroups"), json!({"usergroup_id": group})).await,
        StatusCode::OK,
    )
    .await
}

/// The customer's groups as (name, individual, through organization name).
async fn groups_of(app: &TestApp, customer: i64) -> Vec<(String, bool, Option<String>)> {
    let list = json_with(app.get(&format!("/api/customers/{customer}/usergroups")).await, StatusCode::OK).await;
    list.as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["name"].as_str().unwrap().to_string(),
                g["source"]["individual"].as_bool().unwrap(),
                g["source"]["through"]["name"].as_str().map(str::to_string),
            )
        })
        .collect()
}

/// The group's members as (customer id, individual, through organization id), and the total.
async fn members_of(app: &TestApp, group: i64) -> (Vec<(i64, bool, Option<i64>)>, i64) {
    let page = json_with(app.get(&format!("/api/usergroups/{group}/members?limit=100")).await, StatusCode::OK).await;
    let items = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["customer_id"].as_i64().unwrap(),
                m["source"]["individual"].as_bool().unwrap(),
                m["source"]["through"]["id"].as_i64(),
            )
        })
        .collect();
    (items, page["total"].as_i64().unwrap())
}

#[tokio::test]
async fn every_member_present_and_future_is_in_a_linked_group_and_a_leaver_is_out_at_once() {
    let w = world().await;
    let vip = create_group(&w.admin, json!({"name": "VIP support", "description": "Top customers"})).await;
    let vip = vip["id"].as_i64().unwrap();
    assert!(groups_of(&w.admin, w.ann).await.is_empty());

    let links = link(&w.admin, w.acme, vip).await;
    assert_eq!(links[0]["name"], "VIP support");
    assert_eq!(links[0]["members_through_link"], 2);
    assert_eq!(groups_of(&w.admin, w.ann).await, vec![("VIP support".into(), false, Some("Acme Corp".into()))]);
    // Linking twice changes nothing.
    assert_eq!(link(&w.admin, w.acme, vip).await, links);

    // Join: a new customer at Acme's domain is in the group with no other step.
    let cat = w.admin.create_named_customer("cat@acme.test", "Cat", "Cole").await.id;
    assert_eq!(groups_of(&w.admin, cat).await, vec![("VIP support".into(), false, Some("Acme Corp".into()))]);
    let (members, total) = members_of(&w.admin, vip).await;
    assert_eq!(total, 3);
    assert_eq!(members, vec![(w.ann, false, Some(w.acme)), (w.bob, false, Some(w.acme)), (cat, false, Some(w.acme))]);

    // Leave: moved to Globex, Cat is out of the group at once.
    w.admin.move_customers(&[cat], Some(w.globex)).await;
    assert!(groups_of(&w.admin, cat).await.is_empty());
    assert_eq!(members_of(&w.admin, vip).await.1, 2);

    // The group's detail counts and names its links.
    let detail = json_with(w.admin.get(&format!("/api/usergroups/{vip}")).await, StatusCode::OK).await;
    assert_eq!(detail["members"], 2);
    assert_eq!(detail["individual_members"], 0);
    assert_eq!(detail["organizations"], json!([{"id": w.acme, "name": "Acme Corp"}]));
}

#[tokio::test]
async fn unlinking_removes_only_the_memberships_the_organization_gave() {
    let w = world().await;
    let vip = create_group(&w.admin, json!({"name": "VIP support"})).await["id"].as_i64().unwrap();
    link(&w.admin, w.acme, vip).await;
    // Bob is in the group individually too; Gus (Globex) only individually.
    for c in [w.bob, w.gus] {
        let res = w.admin.post(&format!("/api/usergroups/{vip}/members"), json!({"customer_id": c})).await;
        json_with(res, StatusCode::OK).await;
    }
    assert_eq!(groups_of(&w.admin, w.bob).await, vec![("VIP support".into(), true, Some("Acme Corp".into()))]);
    let links =
        json_with(w.admin.get(&format!("/api/organizations/{}/usergroups", w.acme)).await, StatusCode::OK).await;
    assert_eq!(links[0]["members_through_link"], 1, "only Ann is in it through Acme alone");

    let res = w.admin.delete(&format!("/api/organizations/{}/usergroups/{vip}", w.acme)).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert!(groups_of(&w.admin, w.ann).await.is_empty());
    assert_eq!(groups_of(&w.admin, w.bob).await, vec![("VIP support".into(), true, None)]);
    assert_eq!(groups_of(&w.admin, w.gus).await, vec![("VIP support".into(), true, None)]);
    assert_eq!(members_of(&w.admin, vip).await, (vec![(w.bob, true, None), (w.gus, true, None)], 2));
    // Unlinking again: nothing is linked.
    let res = w.admin.delete(&format!("/api/organizations/{}/usergroups/{vip}", w.acme)).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    let audit = json_with(w.admin.get("/api/audit?action=usergroup_membership_changed").await, StatusCode::OK).await;
    assert_eq!(audit["total"], 4, "link, two additions, unlink: {audit}");
}

#[tokio::test]
async fn removing_a_customer_who_is_in_a_group_through_the_organization_is_refused_with_the_reason() {
    let w = world().await;
    let vip = create_group(&w.admin, json!({"name": "VIP support"})).await["id"].as_i64().unwrap();
    link(&w.admin, w.acme, vip).await;
    let res = w.admin.delete(&format!("/api/usergroups/{vip}/members/{}", w.ann)).await;
    let body = error_body(res, StatusCode::CONFLICT, "conflict").await;
    assert_eq!(
        body["message"],
        "Ann Archer is in VIP support through Acme Corp; unlink Acme Corp or move the customer to remove them."
    );
    assert!(body["fields"]["customer_id"].is_string());
    assert_eq!(groups_of(&w.admin, w.ann).await.len(), 1, "nothing changed");

    // Someone who is in it both ways loses only the individual membership.
    w.admin.post(&format!("/api/usergroups/{vip}/members"), json!({"customer_id": w.ann})).await;
    assert_eq!(groups_of(&w.admin, w.ann).await, vec![("VIP support".into(), true, Some("Acme Corp".into()))]);
    let res = w.admin.delete(&format!("/api/usergroups/{vip}/members/{}", w.ann)).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(groups_of(&w.admin, w.ann).await, vec![("VIP support".into(), false, Some("Acme Corp".into()))]);
    // Someone not in the group at all: 404.
    let res = w.admin.delete(&format!("/api/usergroups/{vip}/members/{}", w.gus)).await;
    error_body(res, StatusCode::NOT_FOUND, "not_found").await;
}

async fn portal_ids(portal: &TestApp) -> (Vec<i64>, i64) {
    let page = json_with(portal.get("/api/portal/items").await, StatusCode::OK).await;
    let ids = page["items"].as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect();
    (ids, page["total"].as_i64().unwrap())
}

async fn portal_project_ids(portal: &TestApp) -> Vec<i64> {
    let list = json_with(portal.get("/api/portal/projects").await, StatusCode::OK).await;
    list.as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn a_usergroup_shows_its_projects_items_and_lets_members_create_and_reply_only_when_it_allows() {
    let w = world().await;
    let ann = w.admin.portal_client(w.ann, true).await;
    let bob = w.admin.portal_client(w.bob, false).await;
    let item = format!("/api/portal/items/{}", w.guss);
    assert_eq!(portal_ids(&ann).await, (vec![], 0));
    assert_eq!(ann.get(&item).await.status(), StatusCode::NOT_FOUND);

    let group = create_group(&w.admin, json!({"name": "Launch partners", "project_ids": [w.secret]})).await;
    let id = group["id"].as_i64().unwrap();
    assert_eq!(group["projects"][0]["name"], "Secret");
    assert_eq!(group["may_create"], false);
    link(&w.admin, w.acme, id).await;

    // Seen through the group, read only: list, total, search, item, replies, files.
    assert_eq!(portal_ids(&ann).await, (vec![w.guss], 1));
    let found = json_with(ann.get("/api/portal/items?q=launch").await, StatusCode::OK).await;
    assert_eq!(found["total"], 1);
    let detail = json_with(ann.get(&item).await, StatusCode::OK).await;
    assert_eq!(detail["can_reply"], false);
    assert_eq!(ann.get(&format!("{item}/messages")).await.status(), StatusCode::OK);
    assert_eq!(ann.get(&format!("{item}/files")).await.status(), StatusCode::OK);
    let res = ann.post(&format!("{item}/messages"), json!({"body": "Can we join?"})).await;
    error_body(res, StatusCode::FORBIDDEN, "forbidden").await;
    assert!(!portal_project_ids(&ann).await.contains(&w.secret));
    let res = ann.post("/api/portal/items", json!({"title": "Ours", "description": "", "project_id": w.secret})).await;
    let body = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(body["fields"]["project_id"].is_string());

    // Through the organization, an unverified member gains nothing.
    assert_eq!(portal_ids(&bob).await, (vec![], 0));
    assert_eq!(bob.get(&item).await.status(), StatusCode::NOT_FOUND);

    // "Who can see this?" says why, as the portal decides.
    let access = json_with(w.admin.get(&format!("/api/items/{}/access", w.guss)).await, StatusCode::OK).await;
    let ann_row = access["items"].as_array().unwrap().iter().find(|r| r["customer_id"] == w.ann).cloned();
    assert_eq!(ann_row.expect("Ann is listed")["reasons"], json!(["usergroup_read_only"]));
    assert!(!access["items"].as_array().unwrap().iter().any(|r| r["customer_id"] == w.bob));
    assert!(access["reasons"].as_array().unwrap().contains(&json!({"reason": "usergroup_read_only", "count": 1})));

    // The group now allows creating and replying.
    let version = group["version"].as_i64().unwrap();
    let res = w
        .admin
        .patch(&format!("/api/usergroups/{id}"), json!({"version": version, "may_create": true, "may_reply": true}))
        .await;
    json_with(res, StatusCode::OK).await;
    assert_eq!(json_with(ann.get(&item).await, StatusCode::OK).await["can_reply"], true);
    let res = ann.post(&format!("{item}/messages"), json!({"body": "Can we join?"})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert!(portal_project_ids(&ann).await.contains(&w.secret));
    let res = ann.post("/api/portal/items", json!({"title": "Ours", "description": "", "project_id": w.secret})).await;
    let created = json_with(res, StatusCode::CREATED).await;
    assert_eq!(portal_ids(&ann).await.1, 2);
    let access = json_with(w.admin.get(&format!("/api/items/{}/access", w.guss)).await, StatusCode::OK).await;
    let ann_row = access["items"].as_array().unwrap().iter().find(|r| r["customer_id"] == w.ann).cloned().unwrap();
    assert_eq!(ann_row["reasons"], json!(["usergroup"]));
    assert_eq!(ann_row["may_reply"], true);

    // An unverified customer added individually (an admin's grant) sees it.
    w.admin.post(&format!("/api/usergroups/{id}/members"), json!({"customer_id": w.bob})).await;
    assert_eq!(portal_ids(&bob).await.1, 2);

    // Leaving the organization ends what the link gave, at once.
    w.admin.move_customers(&[w.ann], None).await;
    let (ids, total) = portal_ids(&ann).await;
    assert_eq!((ids, total), (vec![created["item"]["id"].as_i64().unwrap()], 1), "only her own ticket is left");
    assert_eq!(ann.get(&item).await.status(), StatusCode::NOT_FOUND);
    assert!(!portal_project_ids(&ann).await.contains(&w.secret));

    // Deleting the group ends the individual grant too.
    assert_eq!(w.admin.delete(&format!("/api/usergroups/{id}")).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(portal_ids(&bob).await, (vec![], 0));
    assert!(groups_of(&w.admin, w.bob).await.is_empty());
}

#[tokio::test]
async fn bad_input_is_a_422_or_409_naming_the_field_and_changes_nothing() {
    let w = world().await;
    let vip = create_group(&w.admin, json!({"name": "VIP support"})).await;
    let id = vip["id"].as_i64().unwrap();
    for (body, field) in [
        (json!({"name": "   "}), "name"),
        (json!({"name": "x".repeat(101)}), "name"),
        (json!({"name": "Gold", "description": "d".repeat(2001)}), "description"),
        (json!({"name": "Gold", "project_ids": [w.secret, 9999]}), "project_ids"),
        (json!({"name": "Gold", "project_ids": (0..101).collect::<Vec<i64>>()}), "project_ids"),
        (json!({"name": "Gold", "surprise": 1}), ""),
    ] {
        let res = w.admin.post("/api/usergroups", body.clone()).await;
        let err = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
        if !field.is_empty() {
            assert!(err["fields"][field].is_string(), "{body}: {err}");
        }
    }
    let res = w.admin.post("/api/usergroups", json!({"name": "vip SUPPORT"})).await;
    let err = error_body(res, StatusCode::CONFLICT, "conflict").await;
    assert!(err["fields"]["name"].is_string());
    let res =
        w.admin.patch(&format!("/api/usergroups/{id}"), json!({"version": 1, "name": "", "may_reply": true})).await;
    error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    let res = w.admin.post(&format!("/api/organizations/{}/usergroups", w.acme), json!({"usergroup_id": 9999})).await;
    let err = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(err["fields"]["usergroup_id"].is_string());
    let res = w.admin.post(&format!("/api/usergroups/{id}/members"), json!({"customer_id": 9999})).await;
    let err = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(err["fields"]["customer_id"].is_string());
    let res = w.admin.post("/api/organizations/9999/usergroups", json!({"usergroup_id": id})).await;
    error_body(res, StatusCode::NOT_FOUND, "not_found").await;
    assert_eq!(w.admin.get("/api/usergroups/9999").await.status(), StatusCode::NOT_FOUND);

    let page = json_with(w.admin.get("/api/usergroups").await, StatusCode::OK).await;
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0], vip, "the group is as it was");
    assert!(groups_of(&w.admin, w.ann).await.is_empty());
    let audit = json_with(w.admin.get("/api/audit?action=usergroup_created").await, StatusCode::OK).await;
    assert_eq!(audit["total"], 1);
}

#[tokio::test]
async fn two_concurrent_edits_of_a_group_give_one_200_and_one_409() {
    let w = world().await;
    let vip = create_group(&w.admin, json!({"name": "VIP support"})).await;
    let id = vip["id"].as_i64().unwrap();
    let path = format!("/api/usergroups/{id}");
    let (a, b) = tokio::join!(
        w.admin.patch(&path, json!({"version": 1, "name": "Gold"})),
        w.admin.patch(&path, json!({"version": 1, "name": "Platinum", "may_reply": true}))
    );
    let mut statuses = [a.status(), b.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);
    let now = json_with(w.admin.get(&path).await, StatusCode::OK).await;
    assert_eq!(now["version"], 2);
    let won_platinum = now["name"] == "Platinum";
    assert_eq!(now["may_reply"], won_platinum, "one edit whole, never a mix");
}

#[tokio::test]
async fn agents_read_usergroups_and_only_admins_change_them() {
    let w = world().await;
    let vip = create_group(&w.admin, json!({"name": "VIP support"})).await["id"].as_i64().unwrap();
    let (agent, _) = w.admin.signed_in_agent("agent@example.test").await;
    assert_eq!(agent.get("/api/usergroups").await.status(), StatusCode::OK);
    assert_eq!(agent.get(&format!("/api/usergroups/{vip}/members")).await.status(), StatusCode::OK);
    assert_eq!(agent.get(&format!("/api/customers/{}/usergroups", w.ann)).await.status(), StatusCode::OK);
    assert_eq!(agent.get(&format!("/api/organizations/{}/usergroups", w.acme)).await.status(), StatusCode::OK);
    for res in [
        agent.post("/api/usergroups", json!({"name": "Mine"})).await,
        agent.patch(&format!("/api/usergroups/{vip}"), json!({"version": 1, "name": "Mine"})).await,
        agent.delete(&format!("/api/usergroups/{vip}")).await,
        agent.post(&format!("/api/usergroups/{vip}/members"), json!({"customer_id": w.ann})).await,
        agent.delete(&format!("/api/usergroups/{vip}/members/{}", w.ann)).await,
        agent.post(&format!("/api/organizations/{}/usergroups", w.acme), json!({"usergroup_id": vip})).await,
        agent.delete(&format!("/api/organizations/{}/usergroups/{vip}", w.acme)).await,
    ] {
        error_body(res, StatusCode::FORBIDDEN, "forbidden").await;
    }
    assert!(groups_of(&w.admin, w.ann).await.is_empty());
    // A customer's portal session is nothing on these routes.
    let ann = w.admin.portal_client(w.ann, true).await;
    assert_eq!(ann.get("/api/usergroups").await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_customers_usergroups_and_their_projects_items_are_read_through_indexes() {
    use orgdesk_core::portal::{OrgItemAccess, Viewer};
    use orgdesk_server::db::access::push_visible_item_ids;

    let app = TestApp::spawn_admin().await;
    let viewer = Viewer {
        customer_id: 1,
        organization_id: Some(1),
        manager: false,
        verified: true,
        organization_items: OrgItemAccess::Own,
        project_items: false,
    };
    let mut q = orgdesk_server::db::query("SELECT id FROM items WHERE id IN (");
    push_visible_item_ids(&mut q, &viewer);
    q.push(")");
    let plan = app.query_plan(q.sql(), q.args().to_vec()).await;
    let text = plan.join("\n");
    assert!(text.contains("usergroup_members"), "{text}");
    assert!(text.contains("usergroup_organizations"), "{text}");
    if app.db.dialect() == "sqlite" {
        for table in ["usergroup_members", "usergroup_organizations", "usergroup_projects", "it "] {
            assert!(!plan.iter().any(|l| l.starts_with(&format!("SCAN {table}"))), "{table}:\n{text}");
        }
    } else {
        for table in ["usergroup_members", "usergroup_organizations", "usergroup_projects", "items"] {
            assert!(!text.contains(&format!("Seq Scan on {table}")), "{table}:\n{text}");
        }
    }
}
