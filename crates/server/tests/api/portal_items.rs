//! What customers see and do in the portal: every visibility rule through the
//! portal's item routes (lists, counts, search, one item, replies, files), replies
//! that only go to the customers who follow the item, new tickets, and the 404s and
//! 403s of everything a customer may not see or do.

use reqwest::multipart::{Form, Part};
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

use crate::support::*;

/// Runs one setup statement straight in the database (the portal settings and roles
/// have their own API elsewhere; these tests are about what the portal shows).
async fn sql(app: &TestApp, statement: &str) {
    orgdesk_server::db::query(statement.to_string())
        .execute(&app.db)
        .await
        .unwrap_or_else(|e| panic!("{statement}: {e}"));
}

async fn set_setting(app: &TestApp, key: &str, value: &str) {
    sql(app, &format!("INSERT INTO settings (key, value) VALUES ('{key}', '{value}')")).await;
}

/// The ids of the items on the customer's first page, and the total.
async fn visible(portal: &TestApp, query: &str) -> (Vec<i64>, i64) {
    let page = json_with(portal.get(&format!("/api/portal/items{query}")).await, StatusCode::OK).await;
    let ids = page["items"].as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect();
    (ids, page["total"].as_i64().unwrap())
}

async fn upload(app: &TestApp, path: &str, name: &str, bytes: &[u8]) -> Response {
    let form = Form::new().part("file", Part::bytes(bytes.to_vec()).file_name(name.to_string()));
    app.client
        .post(app.url(path))
        .header("x-csrf-token", app.csrf.clone().unwrap_or_default())
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// Acme (ann, bob, and the manager mia) and Globex (gus); one project; a ticket of
/// ann's, one of bob's, and one of gus's.
struct World {
    admin: TestApp,
    acme: i64,
    globex: i64,
    project: i64,
    ann: i64,
    bob: i64,
    mia: i64,
    gus: i64,
    anns: i64,
    bobs: i64,
    guss: i64,
}

async fn world() -> World {
    let admin = TestApp::spawn_admin().await;
    let acme = admin.create_org("Acme", &["acme.test"]).await.id;
    let globex = admin.create_org("Globex", &["globex.test"]).await.id;
    let project = admin.create_project("Support").await.id;
    let ann = admin.create_named_customer("ann@acme.test", "Ann", "Archer").await.id;
    let bob = admin.create_named_customer("bob@acme.test", "Bob", "Baker").await.id;
    let mia = admin.create_named_customer("mia@acme.test", "Mia", "Manager").await.id;
    let gus = admin.create_named_customer("gus@globex.test", "Gus", "Green").await.id;
    sql(&admin, &format!("UPDATE memberships SET role = 'manager' WHERE customer_id = {mia}")).await;
    let anns = admin.create_ticket(project, ann, "Printer on fire", ItemStatus::Open).await.id;
    let bobs = admin.create_ticket(project, bob, "Password expired", ItemStatus::New).await.id;
    let guss = admin.create_ticket(project, gus, "Globex invoice", ItemStatus::Open).await.id;
    World { admin, acme, globex, project, ann, bob, mia, gus, anns, bobs, guss }
}

#[tokio::test]
async fn by_default_a_customer_sees_what_they_requested_or_follow_and_nothing_else_answers() {
    let w = world().await;
    let ann = w.admin.portal_client(w.ann, true).await;
    assert_eq!(visible(&ann, "").await, (vec![w.anns], 1));
    // The others' items do not exist for her: 404, not 403, on every path.
    for id in [w.bobs, w.guss, 999_999] {
        for path in [
            format!("/api/portal/items/{id}"),
            format!("/api/portal/items/{id}/messages"),
            format!("/api/portal/items/{id}/files"),
        ] {
            error_body(ann.get(&path).await, StatusCode::NOT_FOUND, "not_found").await;
        }
        let res = ann.post(&format!("/api/portal/items/{id}/messages"), json!({"body": "hi"})).await;
        error_body(res, StatusCode::NOT_FOUND, "not_found").await;
    }
    // Following an item shows it (an agent added her).
    ok_json(w.admin.post(&format!("/api/items/{}/followers", w.bobs), json!({"customer_id": w.ann})).await).await;
    assert_eq!(visible(&ann, "").await, (vec![w.bobs, w.anns], 2));
    let item = json_with(ann.get(&format!("/api/portal/items/{}", w.bobs)).await, StatusCode::OK).await;
    assert_eq!(item["can_reply"], true);
    assert_eq!(item["item"]["title"], "Password expired");
    assert_eq!(item["item"]["requester_name"], "Bob Baker");
    // Default fields: status, priority, project, type shown; the assignee hidden.
    assert_eq!(item["item"]["status"], "new");
    assert_eq!(item["item"]["project_name"], "Support");
    assert!(item["item"]["assignee_name"].is_null());
    // Not signed in to the portal at all: 401.
    assert_eq!(w.admin.get("/api/portal/items").await.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn organization_visibility_read_shows_the_organization_read_only_and_never_to_the_unverified() {
    let w = world().await;
    sql(&w.admin, &format!("UPDATE organizations SET portal_visibility = 'read' WHERE id = {}", w.acme)).await;
    let ann = w.admin.portal_client(w.ann, true).await;
    assert_eq!(visible(&ann, "").await, (vec![w.bobs, w.anns], 2), "Acme's items, not Globex's");
    let bobs = json_with(ann.get(&format!("/api/portal/items/{}", w.bobs)).await, StatusCode::OK).await;
    assert_eq!(bobs["can_reply"], false);
    let res = ann.post(&format!("/api/portal/items/{}/messages", w.bobs), json!({"body": "Me too"})).await;
    error_body(res, StatusCode::FORBIDDEN, "forbidden").await;
    let res = upload(&ann, &format!("/api/portal/items/{}/files", w.bobs), "a.txt", b"abc").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // Her own item she may still reply to.
    let own = json_with(ann.get(&format!("/api/portal/items/{}", w.anns)).await, StatusCode::OK).await;
    assert_eq!(own["can_reply"], true);

    // An unverified member sees only their own.
    let bob = w.admin.portal_client(w.bob, false).await;
    assert_eq!(visible(&bob, "").await, (vec![w.bobs], 1));
    error_body(bob.get(&format!("/api/portal/items/{}", w.anns)).await, StatusCode::NOT_FOUND, "not_found").await;

    // Reply visibility (here the portal-wide setting): members may reply.
    set_setting(&w.admin, "portal_organization_items", "reply").await;
    let bobs = json_with(ann.get(&format!("/api/portal/items/{}", w.bobs)).await, StatusCode::OK).await;
    assert_eq!(bobs["can_reply"], true);
    json_with(
        ann.post(&format!("/api/portal/items/{}/messages", w.bobs), json!({"body": "Me too"})).await,
        StatusCode::CREATED,
    )
    .await;
}

#[tokio::test]
async fn a_manager_sees_the_whole_organization_and_a_member_who_leaves_loses_it_at_once() {
    let w = world().await;
    let mia = w.admin.portal_client(w.mia, true).await;
    assert_eq!(visible(&mia, "").await, (vec![w.bobs, w.anns], 2));
    let anns = json_with(mia.get(&format!("/api/portal/items/{}", w.anns)).await, StatusCode::OK).await;
    assert_eq!(anns["can_reply"], true);
    // Unverified, the manager role gives nothing.
    sql(&w.admin, &format!("UPDATE customers SET email_verified_at = NULL WHERE id = {}", w.mia)).await;
    assert_eq!(visible(&mia, "").await, (vec![], 0));
    sql(&w.admin, &format!("UPDATE customers SET email_verified_at = created_at WHERE id = {}", w.mia)).await;

    // A member with organization visibility who moves to Globex loses Acme at once
    // (and sees Globex's instead).
    sql(
        &w.admin,
        &format!("UPDATE organizations SET portal_visibility = 'read' WHERE id IN ({}, {})", w.acme, w.globex),
    )
    .await;
    let bob = w.admin.portal_client(w.bob, true).await;
    assert_eq!(visible(&bob, "").await.0, vec![w.bobs, w.anns]);
    w.admin.move_customers(&[w.bob], Some(w.globex)).await;
    error_body(bob.get(&format!("/api/portal/items/{}", w.anns)).await, StatusCode::NOT_FOUND, "not_found").await;
    // His own open ticket moved with him; Globex's is now his organization's.
    assert_eq!(visible(&bob, "").await, (vec![w.guss, w.bobs], 2));
    let _ = w.gus;
}

#[tokio::test]
async fn project_items_show_only_when_the_portal_shows_them_and_through_the_organization_only_verified() {
    let w = world().await;
    let other = w.admin.create_project("Rollout").await.id;
    let task = w.admin.create_task(other, "Install printers").await.id;
    ok_json(w.admin.post(&format!("/api/projects/{other}/followers"), json!({"customer_id": w.gus})).await).await;
    ok_json(w.admin.post(&format!("/api/projects/{other}/followers"), json!({"organization_id": w.acme})).await).await;
    let gus = w.admin.portal_client(w.gus, true).await;
    let ann = w.admin.portal_client(w.ann, true).await;
    let bob = w.admin.portal_client(w.bob, false).await;
    assert_eq!(visible(&gus, "").await.0, vec![w.guss], "project items are off by default");
    error_body(gus.get(&format!("/api/portal/items/{task}")).await, StatusCode::NOT_FOUND, "not_found").await;

    set_setting(&w.admin, "portal_project_items", "true").await;
    assert_eq!(visible(&gus, "").await, (vec![task, w.guss], 2), "follows the project himself");
    assert_eq!(visible(&ann, "").await, (vec![task, w.anns], 2), "her organization follows it");
    assert_eq!(visible(&bob, "").await, (vec![w.bobs], 1), "through the organization only verified");
    // Items of the project are theirs to read and reply to; the list shows the project.
    let t = json_with(ann.get(&format!("/api/portal/items/{task}")).await, StatusCode::OK).await;
    assert_eq!(t["item"]["project_name"], "Rollout");
    assert_eq!(t["can_reply"], true);
    let _ = w.project;
}

#[tokio::test]
async fn search_status_filter_and_counts_stay_within_what_the_customer_sees() {
    let w = world().await;
    let second = w.admin.create_ticket(w.project, w.ann, "Printer jammed", ItemStatus::New).await.id;
    let third = w.admin.create_ticket(w.project, w.bob, "Printer toner", ItemStatus::New).await.id;
    let ann = w.admin.portal_client(w.ann, true).await;
    assert_eq!(visible(&ann, "?q=printer").await, (vec![second, w.anns], 2), "bob's printer ticket is not counted");
    assert_eq!(visible(&ann, "?q=PRINTER&status=new").await, (vec![second], 1));
    assert_eq!(visible(&ann, "?status=open,waiting").await, (vec![w.anns], 1));
    assert_eq!(visible(&ann, &format!("?q=%23{third}")).await, (vec![], 0), "another's item by number");
    assert_eq!(visible(&ann, &format!("?q=%23{second}")).await, (vec![second], 1));
    assert_eq!(visible(&ann, "?q=globex").await, (vec![], 0));
    let page = json_with(ann.get("/api/portal/items?limit=1&offset=1").await, StatusCode::OK).await;
    assert_eq!(page["items"][0]["id"], w.anns);
    assert_eq!((page["total"].as_i64(), page["limit"].as_i64(), page["offset"].as_i64()), (Some(2), Some(1), Some(1)));
    let res = ann.get("/api/portal/items?status=burning").await;
    let bad = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(bad["fields"]["status"].is_string(), "{bad}");
    let res = ann.get("/api/portal/items?limit=0").await;
    let bad = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(bad["fields"]["limit"].is_string(), "{bad}");
    let long = "x".repeat(101);
    let bad = error_body(
        ann.get(&format!("/api/portal/items?q={long}")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert!(bad["fields"]["q"].is_string(), "{bad}");
}

#[tokio::test]
async fn the_portal_shows_only_customer_replies_and_hidden_fields_stay_hidden() {
    let w = world().await;
    ok_json(
        w.admin.post(&format!("/api/items/{}/messages", w.anns), json!({"kind": "reply", "body": "On our way"})).await,
    )
    .await;
    ok_json(
        w.admin.post(&format!("/api/items/{}/messages", w.anns), json!({"kind": "note", "body": "SECRET note"})).await,
    )
    .await;
    let ann = w.admin.portal_client(w.ann, true).await;
    let messages = json_with(ann.get(&format!("/api/portal/items/{}/messages", w.anns)).await, StatusCode::OK).await;
    let messages = messages.as_array().unwrap();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert_eq!(messages[0]["body"], "On our way");
    assert_eq!(messages[0]["from_customer"], false);
    assert!(!Value::Array(messages.clone()).to_string().contains("SECRET"));
    assert!(!Value::Array(messages.clone()).to_string().contains(ADMIN_EMAIL), "never an agent's email");

    let fields = json!({"status": false, "priority": false, "assignee": true, "project": false, "item_type": false});
    set_setting(&w.admin, "portal_fields", &fields.to_string()).await;
    let item = json_with(ann.get(&format!("/api/portal/items/{}", w.anns)).await, StatusCode::OK).await["item"].clone();
    for hidden in ["status", "priority", "project_id", "project_name", "item_type"] {
        assert!(item[hidden].is_null(), "{hidden} hidden: {item}");
    }
    let listed = json_with(ann.get("/api/portal/items").await, StatusCode::OK).await["items"][0].clone();
    assert!(listed["status"].is_null() && listed["project_name"].is_null(), "{listed}");
}

#[tokio::test]
async fn a_customer_reply_reaches_the_requester_and_followers_but_the_author_and_nobody_else() {
    let w = world().await;
    sql(&w.admin, &format!("UPDATE organizations SET portal_visibility = 'reply' WHERE id = {}", w.acme)).await;
    ok_json(w.admin.post(&format!("/api/items/{}/followers", w.anns), json!({"customer_id": w.gus})).await).await;
    let bob = w.admin.portal_client(w.bob, true).await;
    let res = bob.post(&format!("/api/portal/items/{}/messages", w.anns), json!({"body": "  "})).await;
    let bad = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(bad["fields"]["body"].is_string());
    let reply = json_with(
        bob.post(&format!("/api/portal/items/{}/messages", w.anns), json!({"body": "Same here"})).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(reply["author_name"], "Bob Baker");
    assert_eq!(reply["mine"], true);
    let mut recipients: Vec<String> = w
        .admin
        .rows_for::<(String,)>("SELECT recipient FROM outbox WHERE item_id = $1 AND kind = 'item_reply'", w.anns)
        .await
        .into_iter()
        .map(|(r,)| r)
        .collect();
    recipients.sort();
    assert_eq!(recipients, ["ann@acme.test", "gus@globex.test"], "requester and follower; not bob, not mia");
    // Agents see it on the item page, marked as from the customer.
    let messages = ok_json(w.admin.get(&format!("/api/items/{}/messages", w.anns)).await).await;
    assert_eq!(messages[0]["author_customer_id"], w.bob);
    assert_eq!(messages[0]["author_name"], "Bob Baker");
    assert_eq!(w.admin.item(w.anns).await.reply_count, 1);
    // And ann, in the portal, sees it as someone else's.
    let ann = w.admin.portal_client(w.ann, true).await;
    let seen = json_with(ann.get(&format!("/api/portal/items/{}/messages", w.anns)).await, StatusCode::OK).await;
    assert_eq!((seen[0]["from_customer"].as_bool(), seen[0]["mine"].as_bool()), (Some(true), Some(false)));
}

/// The project's followers get its replies exactly when they can read the item in
/// the portal: with project items shown, the customers who follow the project and
/// the verified members of organizations that follow it.
#[tokio::test]
async fn replies_reach_the_projects_followers_only_when_the_portal_shows_them_the_items() {
    let w = world().await;
    let outsider = w.admin.create_customer("olive@example.org").await.id;
    let sharing = json!({"add_customers": [outsider], "add_organizations": [w.globex]});
    ok_json(w.admin.put(&format!("/api/projects/{}/sharing", w.project), sharing).await).await;
    w.admin.portal_client(w.gus, true).await;
    let unverified = w.admin.create_customer("gil@globex.test").await.id;
    w.admin.portal_client(unverified, false).await;
    // The newest reply's recipients, as recorded with it, sorted; and the outbox agrees.
    let latest = || async {
        let rows = w.admin.rows_for::<(String,)>(
            "SELECT recipients FROM messages WHERE item_id = $1 AND kind = 'reply' ORDER BY id DESC LIMIT 1",
            w.bobs,
        );
        let mut list: Vec<String> = rows.await[0].0.lines().map(String::from).collect();
        list.sort();
        list
    };
    let queued = || w.admin.scalar("SELECT COUNT(*) FROM outbox WHERE kind = 'item_reply'");
    let reply = json!({"kind": "reply", "body": "We are on it."});
    ok_json(w.admin.post(&format!("/api/items/{}/messages", w.bobs), reply.clone()).await).await;
    assert_eq!(latest().await, ["bob@acme.test"], "project items hidden: the requester only");
    assert_eq!(queued().await, 1);

    ok_json(w.admin.patch("/api/settings/portal", json!({"project_items": true})).await).await;
    ok_json(w.admin.post(&format!("/api/items/{}/messages", w.bobs), reply).await).await;
    assert_eq!(
        latest().await,
        ["bob@acme.test", "gus@globex.test", "olive@example.org"],
        "the requester, the customer following the project, the verified member of the following organization"
    );
    assert_eq!(queued().await, 4);
}

#[tokio::test]
async fn a_customer_submits_tickets_to_the_default_project_or_one_they_may_use() {
    let w = world().await;
    let shared = w.admin.create_project("Shared").await.id;
    let closed = w.admin.create_project("Internal").await.id;
    ok_json(w.admin.post(&format!("/api/projects/{shared}/followers"), json!({"organization_id": w.acme})).await).await;
    let ann = w.admin.portal_client(w.ann, true).await;
    let bob = w.admin.portal_client(w.bob, false).await;
    let projects = json_with(ann.get("/api/portal/projects").await, StatusCode::OK).await;
    assert_eq!(projects, json!([{"id": shared, "name": "Shared"}]));
    assert_eq!(json_with(bob.get("/api/portal/projects").await, StatusCode::OK).await, json!([]), "unverified");

    let res = ann.post("/api/portal/items", json!({"title": "", "description": "x", "project_id": closed})).await;
    let bad = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(bad["fields"]["title"].is_string() && bad["fields"]["project_id"].is_string(), "{bad}");
    let res = bob.post("/api/portal/items", json!({"title": "Hi", "project_id": shared})).await;
    let bad = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(bad["fields"]["project_id"].is_string(), "{bad}");

    let made = json_with(
        ann.post("/api/portal/items", json!({"title": "New laptop", "description": "Please", "project_id": shared}))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let id = made["item"]["id"].as_i64().unwrap();
    assert_eq!(made["can_reply"], true);
    let item = w.admin.item(id).await;
    assert_eq!(
        (item.project_id, item.organization_id, item.requester.map(|r| r.id)),
        (shared, Some(w.acme), Some(w.ann))
    );

    // Without a project: "Customer requests", made once.
    let a = json_with(bob.post("/api/portal/items", json!({"title": "Mouse broken"})).await, StatusCode::CREATED).await;
    let b = json_with(ann.post("/api/portal/items", json!({"title": "Keyboard"})).await, StatusCode::CREATED).await;
    assert_eq!(a["item"]["project_name"], "Customer requests");
    assert_eq!(a["item"]["project_id"], b["item"]["project_id"]);
    assert_eq!(w.admin.scalar("SELECT COUNT(*) FROM projects WHERE name = 'Customer requests'").await, 1);
    assert_eq!(visible(&bob, "").await.1, 2, "his new ticket and his old one");
}

#[tokio::test]
async fn files_are_shared_between_agents_and_the_customers_who_see_the_item_and_404_for_anyone_else() {
    let w = world().await;
    let res = upload(&w.admin, &format!("/api/items/{}/files", w.anns), "plan.txt", b"agent plan").await;
    let agent_file = json_with(res, StatusCode::CREATED).await["id"].as_i64().unwrap();
    let ann = w.admin.portal_client(w.ann, true).await;
    let res = upload(&ann, &format!("/api/portal/items/{}/files", w.anns), "photo.png", b"\x89PNG").await;
    let mine = json_with(res, StatusCode::CREATED).await;
    assert_eq!(mine["uploaded_by"], "Ann Archer");
    let listed = json_with(ann.get(&format!("/api/portal/items/{}/files", w.anns)).await, StatusCode::OK).await;
    assert_eq!(listed.as_array().unwrap().len(), 2);
    let agents = ok_json(w.admin.get(&format!("/api/items/{}/files", w.anns)).await).await;
    assert_eq!(agents[0]["name"], "photo.png");

    let res = ann.get(&format!("/api/portal/files/{agent_file}")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert!(res.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"agent plan");
    let res = w.admin.get(&format!("/api/item-files/{}", mine["id"])).await;
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"\x89PNG");

    // Bob (same organization, own items only) and gus see neither the list nor the file.
    for customer in [w.bob, w.gus] {
        let other = w.admin.portal_client(customer, true).await;
        error_body(other.get(&format!("/api/portal/files/{agent_file}")).await, StatusCode::NOT_FOUND, "not_found")
            .await;
        error_body(other.get(&format!("/api/portal/items/{}/files", w.anns)).await, StatusCode::NOT_FOUND, "not_found")
            .await;
        let res = upload(&other, &format!("/api/portal/items/{}/files", w.anns), "x.txt", b"x").await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    }
    error_body(ann.get("/api/portal/files/999999").await, StatusCode::NOT_FOUND, "not_found").await;
    let res = upload(&ann, &format!("/api/portal/items/{}/files", w.anns), "empty.txt", b"").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn two_first_tickets_at_once_create_the_default_project_once() {
    let w = world().await;
    let ann = w.admin.portal_client(w.ann, true).await;
    let bob = w.admin.portal_client(w.bob, true).await;
    let (a, b) = tokio::join!(
        ann.post("/api/portal/items", json!({"title": "First"})),
        bob.post("/api/portal/items", json!({"title": "Second"}))
    );
    let a = json_with(a, StatusCode::CREATED).await;
    let b = json_with(b, StatusCode::CREATED).await;
    assert_eq!(a["item"]["project_id"], b["item"]["project_id"]);
    assert_eq!(w.admin.scalar("SELECT COUNT(*) FROM projects WHERE name_key = 'customer requests'").await, 1);
    // An admin's chosen default project wins once set.
    set_setting(&w.admin, "portal_default_project", &w.project.to_string()).await;
    let c = json_with(ann.post("/api/portal/items", json!({"title": "Third"})).await, StatusCode::CREATED).await;
    assert_eq!(c["item"]["project_id"], w.project);
}

#[tokio::test]
async fn agents_item_files_answer_404_for_a_missing_item_or_file_and_refuse_bad_uploads() {
    let w = world().await;
    error_body(w.admin.get("/api/items/999999/files").await, StatusCode::NOT_FOUND, "not_found").await;
    error_body(w.admin.get("/api/item-files/999999").await, StatusCode::NOT_FOUND, "not_found").await;
    let res = upload(&w.admin, "/api/items/999999/files", "a.txt", b"abc").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = upload(&w.admin, &format!("/api/items/{}/files", w.anns), "empty.txt", b"").await;
    let bad = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(bad["fields"]["file"].is_string(), "{bad}");
    let res = w.admin.post(&format!("/api/items/{}/files", w.anns), json!({})).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    // An HTML upload is served as an opaque download, never as a page.
    let html = Part::bytes(b"<script>1</script>".to_vec()).file_name("x.html").mime_str("text/html").unwrap();
    let res = w
        .admin
        .client
        .post(w.admin.url(&format!("/api/items/{}/files", w.anns)))
        .header("x-csrf-token", w.admin.csrf.clone().unwrap_or_default())
        .multipart(Form::new().part("file", html))
        .send()
        .await
        .unwrap();
    let id = json_with(res, StatusCode::CREATED).await["id"].as_i64().unwrap();
    let listed = ok_json(w.admin.get(&format!("/api/items/{}/files", w.anns)).await).await;
    assert_eq!(listed[0]["content_type"], "text/html");
    let res = w.admin.get(&format!("/api/item-files/{id}")).await;
    assert_eq!(res.headers()["content-type"], "application/octet-stream");
    assert!(res.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    assert_eq!(w.admin.scalar("SELECT COUNT(*) FROM item_files").await, 1);
}

/// An item holds at most MAX_ITEM_FILES files, so a customer who may reply cannot
/// fill the disk through one item; the refusal names the field and stores nothing.
#[tokio::test]
async fn an_item_holds_at_most_a_hundred_files_from_agents_and_customers_together() {
    let w = world().await;
    let limit = orgdesk_core::limits::MAX_ITEM_FILES;
    for n in 0..limit - 1 {
        let res = upload(&w.admin, &format!("/api/items/{}/files", w.anns), &format!("{n}.txt"), b"x").await;
        assert_eq!(res.status(), StatusCode::CREATED, "file {n}");
    }
    let ann = w.admin.portal_client(w.ann, true).await;
    let res = upload(&ann, &format!("/api/portal/items/{}/files", w.anns), "last.txt", b"x").await;
    assert_eq!(res.status(), StatusCode::CREATED, "the hundredth, from the requester");
    for (app, path) in [(&ann, "/api/portal/items"), (&w.admin, "/api/items")] {
        let res = upload(app, &format!("{path}/{}/files", w.anns), "one-more.txt", b"x").await;
        let refused = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
        assert!(refused["fields"]["file"].as_str().unwrap().contains("100 files"), "{refused}");
    }
    assert_eq!(w.admin.scalar("SELECT COUNT(*) FROM item_files").await, limit);
    let res = upload(&w.admin, &format!("/api/items/{}/files", w.bobs), "other.txt", b"x").await;
    assert_eq!(res.status(), StatusCode::CREATED, "another item is not affected");
}
