//! Administration > Portal, an organization's override of what its members see,
//! and managers' "follow every new item of my organization".

use orgdesk_core::api::tickets::ItemStatus;
use orgdesk_server::db::access;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{error_body, json_with, ok_json, TestApp};

async fn version(app: &TestApp, org: i64) -> i64 {
    ok_json(app.get(&format!("/api/organizations/{org}/detail")).await).await["version"].as_i64().unwrap()
}

async fn set_role(app: &TestApp, org: i64, customer: i64, role: &str) {
    let v = version(app, org).await;
    let res =
        app.patch(&format!("/api/organizations/{org}/members/{customer}"), json!({"version": v, "role": role})).await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
}

async fn manager_follows(app: &TestApp, customer: i64) -> i64 {
    app.scalar(&format!("SELECT COUNT(*) FROM item_followers WHERE source = 'manager' AND customer_id = {customer}"))
        .await
}

async fn follow_choice(app: &TestApp, customer: i64) -> bool {
    app.scalar(&format!(
        "SELECT COUNT(*) FROM customers WHERE id = {customer} AND follow_organization_items = {}",
        if app.db.dialect() == "postgres" { "TRUE" } else { "1" }
    ))
    .await
        == 1
}

/// Whether customer `customer` may see item `item` now, asked of the one rule the portal uses.
async fn sees(app: &TestApp, customer: i64, item: i64) -> bool {
    let viewer = access::viewer(&app.db, customer).await.unwrap().unwrap();
    access::item_reasons(&app.db, &viewer, item).await.unwrap().is_some()
}

#[tokio::test]
async fn portal_settings_start_at_their_defaults_and_only_admins_change_them() {
    let admin = TestApp::spawn_admin().await;
    let defaults = ok_json(admin.get("/api/settings/portal").await).await;
    assert_eq!(
        defaults,
        json!({"organization_items": "own", "project_items": false, "self_registration": false,
               "fields": {"status": true, "priority": true, "assignee": false, "project": true, "item_type": true}})
    );

    let (agent, _) = admin.signed_in_agent("agent@example.org").await;
    assert_eq!(ok_json(agent.get("/api/settings/portal").await).await, defaults, "agents read them");
    let res = agent.patch("/api/settings/portal", json!({"project_items": true})).await;
    error_body(res, StatusCode::FORBIDDEN, "forbidden").await;
    assert_eq!(ok_json(admin.get("/api/settings/portal").await).await, defaults, "the refused change left nothing");

    let fields = json!({"status": false, "priority": true, "assignee": true, "project": false, "item_type": true});
    let saved = ok_json(
        admin
            .patch(
                "/api/settings/portal",
                json!({"organization_items": "read", "project_items": true, "fields": fields}),
            )
            .await,
    )
    .await;
    assert_eq!(saved["organization_items"], "read");
    assert_eq!(saved["project_items"], true);
    assert_eq!(saved["self_registration"], false, "absent fields stay");
    assert_eq!(saved["fields"], fields);
    assert_eq!(ok_json(admin.get("/api/settings/portal").await).await, saved);
    let policy = access::policy(&admin.db).await.unwrap();
    assert_eq!(policy.organization_items, orgdesk_core::portal::OrgItemAccess::Read, "the portal's rule reads it");
    assert!(policy.project_items && policy.fields.assignee && !policy.fields.status);

    let audit = ok_json(admin.get("/api/audit").await).await;
    let entries = audit["items"].as_array().unwrap();
    assert!(
        entries.iter().any(|e| e["action"] == "settings_changed" && e.to_string().contains("Portal settings")),
        "audited: {audit}"
    );
}

#[tokio::test]
async fn bad_portal_settings_are_refused_with_the_field_named() {
    let admin = TestApp::spawn_admin().await;
    for (body, field) in [
        (json!({"organization_items": "everything"}), "organization_items"),
        (json!({"project_items": "yes"}), "project_items"),
        (json!({"fields": {"status": true}}), "fields"),
        (json!({"colour": "red"}), "colour"),
    ] {
        let res = admin.patch("/api/settings/portal", body.clone()).await;
        let err = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
        let named = err["fields"].as_object().unwrap().keys().any(|k| k.starts_with(field));
        assert!(named, "{body} names {field}: {err}");
    }
    let acme = admin.create_org("Acme", &["acme.test"]).await;
    let res = admin
        .put(&format!("/api/organizations/{}/portal-visibility", acme.id), json!({"organization_items": "all"}))
        .await;
    let err = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(err["fields"].as_object().unwrap().keys().any(|k| k.starts_with("organization_items")), "{err}");
    assert_eq!(ok_json(admin.get("/api/settings/portal").await).await["organization_items"], "own");
}

#[tokio::test]
async fn an_organization_override_is_stored_explained_and_audited_and_the_more_permissive_wins() {
    let admin = TestApp::spawn_admin().await;
    let acme = admin.create_org("Acme", &["acme.test"]).await;
    let ann = admin.create_customer("ann@acme.test").await;
    let bob = admin.create_customer("bob@acme.test").await;
    let project = admin.create_project("Support").await;
    let bobs = admin.create_ticket(project.id, bob.id, "Bob's printer", ItemStatus::Open).await;
    admin.portal_client(ann.id, true).await;
    let path = format!("/api/organizations/{}/portal-visibility", acme.id);

    assert_eq!(ok_json(admin.get(&path).await).await, json!({"override": null, "global": "own", "effective": "own"}));
    assert!(!sees(&admin, ann.id, bobs.id).await);

    let v0 = version(&admin, acme.id).await;
    let (agent, _) = admin.signed_in_agent("agent@example.org").await;
    let set = ok_json(agent.put(&path, json!({"organization_items": "read"})).await).await;
    assert_eq!(set, json!({"override": "read", "global": "own", "effective": "read"}));
    assert!(sees(&admin, ann.id, bobs.id).await, "members see the organization's items at once");
    assert!(version(&admin, acme.id).await > v0, "an open panel notices");
    let history = ok_json(admin.get(&format!("/api/organizations/{}/history", acme.id)).await).await;
    let text = history.to_string();
    assert!(text.contains("portal_visibility_changed") && text.contains("read only"), "{history}");

    ok_json(admin.patch("/api/settings/portal", json!({"organization_items": "reply"})).await).await;
    assert_eq!(
        ok_json(admin.get(&path).await).await,
        json!({"override": "read", "global": "reply", "effective": "reply"}),
        "the setting is more permissive than the override"
    );
    ok_json(admin.patch("/api/settings/portal", json!({"organization_items": "own"})).await).await;
    let cleared = ok_json(admin.put(&path, json!({"organization_items": null})).await).await;
    assert_eq!(cleared, json!({"override": null, "global": "own", "effective": "own"}));
    assert!(!sees(&admin, ann.id, bobs.id).await, "back to their own items at once");

    let me = ok_json(admin.portal_client(ann.id, true).await.get("/api/portal/auth/me").await).await;
    assert_eq!(me["customer"]["organization"]["organization_items"], "own");

    let res = admin.get("/api/organizations/9999/portal-visibility").await;
    error_body(res, StatusCode::NOT_FOUND, "not_found").await;
    let res = admin.put("/api/organizations/9999/portal-visibility", json!({"organization_items": "read"})).await;
    error_body(res, StatusCode::NOT_FOUND, "not_found").await;
}

/// Acme with a verified manager (Mia) who chose to follow its new items, and a member (Ann).
async fn acme_with_following_manager() -> (TestApp, i64, i64, i64, i64, TestApp) {
    let admin = TestApp::spawn_admin().await;
    let acme = admin.create_org("Acme", &["acme.test"]).await.id;
    let mia = admin.create_customer("mia@acme.test").await.id;
    let ann = admin.create_customer("ann@acme.test").await.id;
    let project = admin.create_project("Support").await.id;
    set_role(&admin, acme, mia, "manager").await;
    let portal = admin.portal_client(mia, true).await;
    let profile = ok_json(portal.patch("/api/portal/profile", json!({"follow_organization_items": true})).await).await;
    assert_eq!(profile["follow_organization_items"], true);
    (admin, acme, mia, ann, project, portal)
}

#[tokio::test]
async fn a_manager_who_chose_to_follow_follows_every_new_item_of_the_organization() {
    let (admin, _acme, mia, ann, project, portal) = acme_with_following_manager().await;
    let before = admin.create_task(project, "No organization").await;
    let item = admin.create_ticket(project, ann, "Ann's printer", ItemStatus::Open).await;
    let followers: Vec<(i64, String)> =
        admin.rows_for("SELECT customer_id, source FROM item_followers WHERE item_id = $1", item.id).await;
    assert_eq!(followers, vec![(mia, "manager".to_string())]);
    assert_eq!(manager_follows(&admin, mia).await, 1, "only the organization's item: {}", before.id);

    let other = admin.create_org("Other", &["other.test"]).await.id;
    let olga = admin.create_customer("olga@other.test").await.id;
    admin.create_ticket(project, olga, "Elsewhere", ItemStatus::Open).await;
    assert_eq!(manager_follows(&admin, mia).await, 1, "not another organization's: {other}");

    // Her own item: she is its requester, not a follower on top.
    let own = admin.create_ticket(project, mia, "Mia's own", ItemStatus::Open).await;
    assert_eq!(admin.scalar(&format!("SELECT COUNT(*) FROM item_followers WHERE item_id = {}", own.id)).await, 0);

    // Turning the choice off stops new follows and keeps the ones made.
    ok_json(portal.patch("/api/portal/profile", json!({"follow_organization_items": false})).await).await;
    admin.create_ticket(project, ann, "Later", ItemStatus::Open).await;
    assert_eq!(manager_follows(&admin, mia).await, 1);
}

#[tokio::test]
async fn an_unverified_manager_and_a_manager_without_the_choice_follow_nothing() {
    let admin = TestApp::spawn_admin().await;
    let acme = admin.create_org("Acme", &["acme.test"]).await.id;
    let mia = admin.create_customer("mia@acme.test").await.id;
    let max = admin.create_customer("max@acme.test").await.id;
    let ann = admin.create_customer("ann@acme.test").await.id;
    let project = admin.create_project("Support").await.id;
    set_role(&admin, acme, mia, "manager").await;
    set_role(&admin, acme, max, "manager").await;
    let unverified = admin.portal_client(mia, false).await;
    ok_json(unverified.patch("/api/portal/profile", json!({"follow_organization_items": true})).await).await;
    admin.portal_client(max, true).await;
    admin.create_ticket(project, ann, "Printer", ItemStatus::Open).await;
    assert_eq!(manager_follows(&admin, mia).await, 0, "an unverified email gains nothing");
    assert_eq!(manager_follows(&admin, max).await, 0, "no choice, no follow");
}

#[tokio::test]
async fn only_managers_may_choose_to_follow_and_names_are_checked() {
    let admin = TestApp::spawn_admin().await;
    admin.create_org("Acme", &["acme.test"]).await;
    let ann = admin.create_customer("ann@acme.test").await.id;
    let lone = admin.create_customer("lone@example.org").await.id;
    for id in [ann, lone] {
        let portal = admin.portal_client(id, true).await;
        let res = portal.patch("/api/portal/profile", json!({"follow_organization_items": true})).await;
        let err = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
        assert!(err["fields"]["follow_organization_items"].is_string(), "{err}");
        assert!(!follow_choice(&admin, id).await);
    }
    let portal = admin.portal_client(ann, true).await;
    let res =
        portal.patch("/api/portal/profile", json!({"first_name": "A\u{7}nn", "last_name": "x".repeat(121)})).await;
    let err = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(err["fields"]["first_name"].is_string() && err["fields"]["last_name"].is_string(), "{err}");

    let saved =
        ok_json(portal.patch("/api/portal/profile", json!({"first_name": " Ann ", "last_name": "Smith"})).await).await;
    assert_eq!((saved["first_name"].clone(), saved["last_name"].clone()), (json!("Ann"), json!("Smith")));
    assert_eq!(ok_json(portal.get("/api/portal/profile").await).await, saved);
    assert_eq!(admin.customer(ann).await.first_name, "Ann", "agents see the new name");
    assert_eq!(admin.get("/api/portal/profile").await.status(), StatusCode::UNAUTHORIZED, "not for agents");
}

#[tokio::test]
async fn the_portal_profile_shows_the_phone_agents_keep_and_customers_cannot_change_it() {
    let admin = TestApp::spawn_admin().await;
    let ann = admin.create_customer("ann@acme.test").await.id;
    let portal = admin.portal_client(ann, true).await;
    assert_eq!(ok_json(portal.get("/api/portal/profile").await).await["phone"], "");
    ok_json(admin.patch(&format!("/api/customers/{ann}"), json!({"phone": "+41 44 668 18 00"})).await).await;
    assert_eq!(ok_json(portal.get("/api/portal/profile").await).await["phone"], "+41 44 668 18 00");
    // The profile's own form changes names only.
    let res = portal.patch("/api/portal/profile", json!({"phone": "555 0199"})).await;
    error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert_eq!(admin.customer(ann).await.phone, "+41 44 668 18 00");
}

async fn assert_role_lost(admin: &TestApp, mia: i64, item: i64, how: &str) {
    assert_eq!(manager_follows(admin, mia).await, 0, "{how}: the manager's follows end");
    assert!(!follow_choice(admin, mia).await, "{how}: the choice is off");
    assert!(!sees(admin, mia, item).await, "{how}: and the access with them");
}

#[tokio::test]
async fn losing_the_manager_role_ends_its_follows_at_once_on_every_path() {
    for how in ["role", "removed", "moved", "unassigned", "deleted"] {
        let (admin, acme, mia, ann, project, _) = acme_with_following_manager().await;
        let item = admin.create_ticket(project, ann, "Ann's printer", ItemStatus::Open).await.id;
        assert_eq!(manager_follows(&admin, mia).await, 1);
        assert!(sees(&admin, mia, item).await);
        let other = admin.create_org("Other", &["other.test"]).await.id;
        match how {
            "role" => set_role(&admin, acme, mia, "member").await,
            "removed" => {
                let res = admin.delete(&format!("/api/organizations/{acme}/members/{mia}")).await;
                assert!(res.status().is_success(), "{how}: {}", res.text().await.unwrap());
            }
            "moved" => {
                admin.move_customers(&[mia], Some(other)).await;
            }
            "unassigned" => {
                admin.move_customers(&[mia], None).await;
            }
            _ => {
                let res = admin.delete(&format!("/api/organizations/{acme}")).await;
                assert!(res.status().is_success(), "{how}: {}", res.text().await.unwrap());
            }
        }
        assert_role_lost(&admin, mia, item, how).await;
        if how == "role" {
            // A manager again: nothing comes back by itself, new items wait for the choice.
            set_role(&admin, acme, mia, "manager").await;
            admin.create_ticket(project, ann, "Next", ItemStatus::Open).await;
            assert_eq!(manager_follows(&admin, mia).await, 0);
        }
    }
}

#[tokio::test]
async fn a_member_added_from_another_organization_loses_the_role_they_had_there() {
    let (admin, _acme, mia, ann, project, _) = acme_with_following_manager().await;
    let item = admin.create_ticket(project, ann, "Ann's printer", ItemStatus::Open).await.id;
    let other = admin.create_org("Other", &["other.test"]).await.id;
    let res = admin.post(&format!("/api/organizations/{other}/members"), json!({"customer_id": mia})).await;
    let body: Value = json_with(res, StatusCode::CREATED).await;
    assert_eq!(body["role"], "member", "{body}");
    assert_role_lost(&admin, mia, item, "added elsewhere").await;
}

#[tokio::test]
async fn two_admins_changing_different_portal_settings_at_once_both_keep_their_change() {
    let admin = TestApp::spawn_admin().await;
    for _ in 0..5 {
        ok_json(admin.patch("/api/settings/portal", json!({"project_items": false, "self_registration": false})).await)
            .await;
        let (a, b) = tokio::join!(
            admin.patch("/api/settings/portal", json!({"project_items": true})),
            admin.patch("/api/settings/portal", json!({"self_registration": true})),
        );
        assert_eq!((a.status(), b.status()), (StatusCode::OK, StatusCode::OK));
        let now = ok_json(admin.get("/api/settings/portal").await).await;
        assert_eq!((now["project_items"].clone(), now["self_registration"].clone()), (json!(true), json!(true)));
    }
}

#[tokio::test]
async fn concurrent_overrides_all_succeed_and_the_history_tells_each_change_truly() {
    let admin = TestApp::spawn_admin().await;
    let acme = admin.create_org("Acme", &["acme.test"]).await.id;
    let path = format!("/api/organizations/{acme}/portal-visibility");
    let put = |v: Value| admin.put(&path, json!({"organization_items": v}));
    let answers = tokio::join!(
        put(json!("read")),
        put(json!("reply")),
        put(Value::Null),
        put(json!("own")),
        put(json!("read")),
        put(json!("reply")),
    );
    let statuses = [
        answers.0.status(),
        answers.1.status(),
        answers.2.status(),
        answers.3.status(),
        answers.4.status(),
        answers.5.status(),
    ];
    assert!(statuses.iter().all(|s| *s == StatusCode::OK), "every write answers 200: {statuses:?}");
    let history = ok_json(admin.get(&format!("/api/organizations/{acme}/history?limit=200")).await).await;
    let mut changes: Vec<Value> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "portal_visibility_changed")
        .map(|e| e["details"].clone())
        .collect();
    changes.reverse(); // oldest first
    assert!(!changes.is_empty());
    assert_eq!(changes[0]["from"], Value::Null, "{changes:?}");
    for pair in changes.windows(2) {
        assert_eq!(pair[0]["to"], pair[1]["from"], "each change starts where the last ended: {changes:?}");
        assert_ne!(pair[1]["from"], pair[1]["to"]);
    }
    let now = ok_json(admin.get(&path).await).await;
    assert_eq!(now["override"], changes.last().unwrap()["to"], "the last change is what is stored");
}

#[tokio::test]
async fn a_follow_an_agent_confirms_outlives_the_manager_role() {
    let (admin, acme, mia, ann, project, _) = acme_with_following_manager().await;
    let kept = admin.create_ticket(project, ann, "Kept", ItemStatus::Open).await.id;
    let dropped = admin.create_ticket(project, ann, "Dropped", ItemStatus::Open).await.id;
    assert_eq!(manager_follows(&admin, mia).await, 2);
    let res = admin.post(&format!("/api/items/{kept}/followers"), json!({"customer_id": mia})).await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    set_role(&admin, acme, mia, "member").await;
    assert!(sees(&admin, mia, kept).await, "the agent's follow stays");
    assert!(!sees(&admin, mia, dropped).await, "the role's follow went with it");
}
