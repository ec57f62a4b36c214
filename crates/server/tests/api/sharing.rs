//! Sharing a project with customers and organizations, and who sees what: the
//! sharing dialog's preview and change, the project's and an item's access lists,
//! a customer's shared projects.

use orgdesk_core::api::sharing::{ItemAccessPage, ProjectAccessPage, SharedProject, SharingPreview};
use orgdesk_core::api::tickets::{Follower, ItemStatus};
use orgdesk_core::portal::AccessReason;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{json_with, ok_json, TestApp};

async fn sql(app: &TestApp, statement: &str, id: i64) {
    orgdesk_server::db::query(statement.to_string()).bind(id).execute(&app.db).await.unwrap();
}

async fn verify(app: &TestApp, customer: i64) {
    sql(app, "UPDATE customers SET email_verified_at = created_at WHERE id = $1", customer).await;
}

async fn show_project_items(app: &TestApp) {
    orgdesk_server::db::query("INSERT INTO settings (key, value) VALUES ('portal_project_items', 'true')")
        .execute(&app.db)
        .await
        .unwrap();
}

async fn preview(app: &TestApp, project: i64, change: Value) -> SharingPreview {
    let res = app.post(&format!("/api/projects/{project}/sharing/preview"), change).await;
    serde_json::from_value(ok_json(res).await).unwrap()
}

async fn followers(app: &TestApp, project: i64) -> Vec<(String, i64)> {
    let list: Vec<Follower> =
        serde_json::from_value(ok_json(app.get(&format!("/api/projects/{project}/followers")).await).await).unwrap();
    list.into_iter().map(|f| (format!("{:?}", f.kind).to_lowercase(), f.id)).collect()
}

async fn access(app: &TestApp, project: i64) -> ProjectAccessPage {
    serde_json::from_value(ok_json(app.get(&format!("/api/projects/{project}/access")).await).await).unwrap()
}

/// Acme (acme.test) with Ann and Bob verified and Cat not; Dan elsewhere; a
/// project with two items that Ann follows already.
struct World {
    acme: i64,
    ann: i64,
    bob: i64,
    cat: i64,
    dan: i64,
    project: i64,
}

async fn world(app: &TestApp) -> World {
    let acme = app.create_org("Acme", &["acme.test"]).await.id;
    let ann = app.create_named_customer("ann@acme.test", "Ann", "Archer").await.id;
    let bob = app.create_named_customer("bob@acme.test", "Bob", "Baker").await.id;
    let cat = app.create_named_customer("cat@acme.test", "Cat", "Cole").await.id;
    let dan = app.create_named_customer("dan@other.test", "Dan", "Dale").await.id;
    verify(app, ann).await;
    verify(app, bob).await;
    let project = app.create_project("Rollout").await.id;
    app.create_ticket(project, dan, "First", ItemStatus::Open).await;
    app.create_task(project, "Second").await;
    ok_json(app.post(&format!("/api/projects/{project}/followers"), json!({"customer_id": ann})).await).await;
    World { acme, ann, bob, cat, dan, project }
}

#[tokio::test]
async fn the_preview_counts_verified_present_members_once_and_the_items_under_the_settings() {
    let app = TestApp::spawn_admin().await;
    let w = world(&app).await;
    let change = json!({"add_organizations": [w.acme], "add_customers": [w.dan]});
    let p = preview(&app, w.project, change.clone()).await;
    // Bob (verified member) and Dan; Ann has access already, Cat has not verified her email.
    assert_eq!(p.customers_gaining, 2);
    assert_eq!(p.customers_losing, 0);
    assert_eq!(p.unverified_members, 1);
    assert_eq!(p.organizations_added.iter().map(|o| o.name.as_str()).collect::<Vec<_>>(), ["Acme"]);
    assert!(p.adds_followers);
    assert!(!p.project_items_enabled);
    assert_eq!(p.items_visible, 0, "the portal does not show project items by default");
    assert_eq!(
        p.summary(),
        "2 customers gain access now, and future members of Acme will too. \
         They will see 0 items under the current portal settings."
    );
    assert_eq!(followers(&app, w.project).await, [("customer".to_string(), w.ann)], "a preview changes nothing");

    show_project_items(&app).await;
    let p = preview(&app, w.project, change).await;
    assert!(p.project_items_enabled);
    assert_eq!(p.items_visible, 2);

    // Adding someone who already has access adds a follower but no access.
    let p = preview(&app, w.project, json!({"add_customers": [w.ann]})).await;
    assert_eq!((p.customers_gaining, p.adds_followers), (0, false));
}

#[tokio::test]
async fn a_change_applies_whole_or_not_at_all_and_removing_counts_who_loses_access() {
    let app = TestApp::spawn_admin().await;
    let w = world(&app).await;
    let url = format!("/api/projects/{}/sharing", w.project);
    let res = app.put(&url, json!({"add_organizations": [w.acme], "add_customers": [w.dan, 999_999]})).await;
    let body = json_with(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["fields"]["add_customers"], "No such customer: 999999.");
    assert_eq!(followers(&app, w.project).await, [("customer".to_string(), w.ann)], "nothing of it was applied");

    let saved = ok_json(app.put(&url, json!({"add_organizations": [w.acme], "add_customers": [w.dan]})).await).await;
    let names: Vec<&str> = saved.as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Acme", "Ann Archer", "Dan Dale"]);
    // Two agents saving the same change at once: both succeed, nothing doubles.
    let body = json!({"add_organizations": [w.acme], "add_customers": [w.dan]});
    let (a, b) = tokio::join!(app.put(&url, body.clone()), app.put(&url, body.clone()));
    assert_eq!((a.status(), b.status()), (StatusCode::OK, StatusCode::OK));
    assert_eq!(followers(&app, w.project).await.len(), 3);

    // Removing Acme: Bob loses access; Ann keeps it (she follows herself).
    let p = preview(&app, w.project, json!({"remove_organizations": [w.acme]})).await;
    assert_eq!((p.customers_gaining, p.customers_losing, p.adds_followers), (0, 1, false));
    assert_eq!(p.summary(), "1 customer loses access.");
    let p = preview(&app, w.project, json!({"remove_organizations": [w.acme], "remove_customers": [w.ann]})).await;
    assert_eq!(p.customers_losing, 2);

    ok_json(app.put(&url, json!({"remove_organizations": [w.acme], "remove_customers": [w.dan]})).await).await;
    assert_eq!(followers(&app, w.project).await, [("customer".to_string(), w.ann)]);

    // The audit log holds each saved change (not the refused one, not the empty ones):
    // the first save and the two concurrent ones, then the removal, newest first.
    ok_json(app.put(&url, json!({})).await).await;
    let log = ok_json(app.get("/api/audit?action=project_sharing_changed").await).await;
    let entries = log["items"].as_array().unwrap();
    assert_eq!(entries.len(), 4, "{log}");
    assert_eq!(
        (&entries[0]["target_kind"], &entries[0]["target_id"], &entries[0]["target_label"]),
        (&json!("project"), &json!(w.project), &json!("Rollout"))
    );
    assert_eq!(entries[0]["detail"]["remove_organizations"], json!([w.acme]));
    assert_eq!(entries[0]["detail"]["remove_customers"], json!([w.dan]));
    assert_eq!(entries[3]["detail"]["add_customers"], json!([w.dan]));
    assert_eq!(entries[3]["actor_email"], crate::support::ADMIN_EMAIL);
}

#[tokio::test]
async fn bad_changes_answer_422_naming_the_field_and_unknown_projects_404() {
    let app = TestApp::spawn_admin().await;
    let w = world(&app).await;
    let url = format!("/api/projects/{}/sharing/preview", w.project);
    for (body, field) in [
        (json!({"add_customers": [w.dan], "remove_customers": [w.dan]}), "remove_customers"),
        (json!({"add_organizations": [w.acme], "remove_organizations": [w.acme]}), "remove_organizations"),
        (json!({"add_organizations": [424_242]}), "add_organizations"),
        (json!({"add_customers": ["x"]}), "add_customers.0"),
        (json!({"add_customers": vec![1; 10_001]}), "add_customers"),
    ] {
        let res = app.post(&url, body.clone()).await;
        let err = json_with(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(err["fields"][field].is_string(), "{body}: {err}");
    }
    let res = app.put("/api/projects/999/sharing", json!({"add_customers": [w.dan]})).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.post("/api/projects/999/sharing/preview", json!({})).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/projects/999/access").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/customers/999/shared-projects").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/items/999/access").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.other_client().get(&format!("/api/projects/{}/access", w.project)).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn the_access_list_follows_membership_as_it_changes() {
    let app = TestApp::spawn_admin().await;
    let w = world(&app).await;
    ok_json(app.put(&format!("/api/projects/{}/sharing", w.project), json!({"add_organizations": [w.acme]})).await)
        .await;
    let page = access(&app, w.project).await;
    let rows: Vec<(&str, bool, Option<&str>)> = page
        .items
        .iter()
        .map(|a| (a.name.as_str(), a.direct, a.through_organization.as_ref().map(|o| o.name.as_str())))
        .collect();
    assert_eq!(rows, [("Ann Archer", true, Some("Acme")), ("Bob Baker", false, Some("Acme"))]);
    assert_eq!((page.total, page.direct_total, page.through_organization_total, page.unverified_members), (2, 1, 2, 1));

    // A member who joins later has access once verified; one who leaves loses it at once.
    let eve = app.create_named_customer("eve@acme.test", "Eve", "Eden").await.id;
    verify(&app, eve).await;
    app.move_customers(&[w.bob], None).await;
    let names: Vec<String> = access(&app, w.project).await.items.into_iter().map(|a| a.name).collect();
    assert_eq!(names, ["Ann Archer", "Eve Eden"]);

    let page: ProjectAccessPage = serde_json::from_value(
        ok_json(app.get(&format!("/api/projects/{}/access?offset=1&limit=1", w.project)).await).await,
    )
    .unwrap();
    assert_eq!((page.items.len(), page.total, page.items[0].name.as_str()), (1, 2, "Eve Eden"));
    let res = app.get(&format!("/api/projects/{}/access?limit=0", w.project)).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let shared = |id: i64| {
        let app = &app;
        async move {
            let v = ok_json(app.get(&format!("/api/customers/{id}/shared-projects")).await).await;
            serde_json::from_value::<Vec<SharedProject>>(v).unwrap()
        }
    };
    let ann = shared(w.ann).await;
    assert_eq!(ann.len(), 1);
    assert!(ann[0].direct && ann[0].access);
    assert_eq!(ann[0].through_organization.as_ref().map(|o| o.id), Some(w.acme));
    let cat = shared(w.cat).await;
    assert!(!cat[0].direct && !cat[0].access, "through the organization only once verified");
    assert!(shared(w.bob).await.is_empty(), "Bob left Acme");
    assert!(shared(w.dan).await.is_empty());
}

async fn item_access(app: &TestApp, item: i64) -> ItemAccessPage {
    serde_json::from_value(ok_json(app.get(&format!("/api/items/{item}/access")).await).await).unwrap()
}

/// "Who can see this?" says exactly what the portal decides: for every customer,
/// the listed reasons are `db::access::item_reasons`, and the unlisted see nothing.
async fn assert_matches_the_portal(app: &TestApp, item: i64, customers: &[i64]) {
    use orgdesk_server::db::access;
    let page = item_access(app, item).await;
    for &id in customers {
        let viewer = access::viewer(&app.db, id).await.unwrap().unwrap();
        let portal = access::item_reasons(&app.db, &viewer, item).await.unwrap();
        let listed = page.items.iter().find(|a| a.customer_id == id).map(|a| a.reasons.clone());
        assert_eq!(listed, portal, "customer {id}");
    }
}

fn reasons_of(page: &ItemAccessPage) -> Vec<(String, Vec<AccessReason>, bool)> {
    page.items.iter().map(|a| (a.name.clone(), a.reasons.clone(), a.may_reply)).collect()
}

#[tokio::test]
async fn who_can_see_an_item_gives_the_portals_own_reasons() {
    use AccessReason::*;
    let app = TestApp::spawn_admin().await;
    let w = world(&app).await;
    let item = app.create_ticket(w.project, w.bob, "Printer", ItemStatus::Open).await.id;
    let page = item_access(&app, item).await;
    assert_eq!(reasons_of(&page), [("Bob Baker".to_string(), vec![Requester], true)]);

    // Dan follows the item; Ann becomes a manager; Acme shows its items read only.
    ok_json(app.post(&format!("/api/items/{item}/followers"), json!({"customer_id": w.dan})).await).await;
    sql(&app, "UPDATE memberships SET role = 'manager' WHERE customer_id = $1", w.ann).await;
    sql(&app, "UPDATE organizations SET portal_visibility = 'read' WHERE id = $1", w.acme).await;
    let page = item_access(&app, item).await;
    assert_eq!(
        reasons_of(&page),
        [
            ("Ann Archer".to_string(), vec![Manager], true),
            ("Bob Baker".to_string(), vec![Requester, OrganizationMember], true),
            ("Dan Dale".to_string(), vec![Follower], true),
        ],
        "Cat is a member but has not verified her email"
    );
    let counts: Vec<(AccessReason, i64)> = page.reasons.iter().map(|c| (c.reason, c.count)).collect();
    assert_eq!(counts, [(Requester, 1), (Follower, 1), (Manager, 1), (OrganizationMember, 1)]);
    assert_eq!(page.total, 3);

    // With project items shown, Ann's direct follow of the project counts; Cat, once verified, reads only.
    show_project_items(&app).await;
    verify(&app, w.cat).await;
    let page = item_access(&app, item).await;
    assert_eq!(page.items[0].reasons, [Manager, ProjectFollower]);
    let cat = &page.items[2];
    assert_eq!((cat.name.as_str(), &cat.reasons[..], cat.may_reply), ("Cat Cole", &[OrganizationMember][..], false));
    assert_eq!(page.total, 4);
    assert_matches_the_portal(&app, item, &[w.ann, w.bob, w.cat, w.dan]).await;

    // A page of one, and the totals stay whole.
    let one: ItemAccessPage =
        serde_json::from_value(ok_json(app.get(&format!("/api/items/{item}/access?offset=3&limit=1")).await).await)
            .unwrap();
    assert_eq!((one.items.len(), one.total, one.items[0].name.as_str()), (1, 4, "Dan Dale"));

    // Ann leaves Acme: no longer a manager of the item's organization.
    app.move_customers(&[w.ann], None).await;
    let names: Vec<String> = item_access(&app, item).await.items.into_iter().map(|a| a.name).collect();
    assert_eq!(names, ["Ann Archer", "Bob Baker", "Cat Cole", "Dan Dale"], "Ann still follows the project");
    assert_matches_the_portal(&app, item, &[w.ann, w.bob, w.cat, w.dan]).await;
    // Project items hidden again: Ann, outside Acme now, sees nothing.
    orgdesk_server::db::query("UPDATE settings SET value = 'false' WHERE key = 'portal_project_items'")
        .execute(&app.db)
        .await
        .unwrap();
    let names: Vec<String> = item_access(&app, item).await.items.into_iter().map(|a| a.name).collect();
    assert_eq!(names, ["Bob Baker", "Cat Cole", "Dan Dale"]);
    assert_matches_the_portal(&app, item, &[w.ann, w.bob, w.cat, w.dan]).await;
}
