//! Tickets and tasks (items): the requester's organization stamped at creation,
//! the open/closed rule when customers move, the list's filters, grouping and
//! paging, and bad input refused without a trace.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::support::*;

pub(crate) async fn json_of(app: &TestApp, path: &str) -> Value {
    let res = app.get(path).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}: {}", res.text().await.unwrap());
    res.json().await.unwrap()
}

async fn item_org(app: &TestApp, id: i64) -> Value {
    json_of(app, &format!("/api/items/{id}")).await["organization_id"].clone()
}

/// Rows that bad input must leave alone.
pub(crate) async fn snapshot(app: &TestApp) -> Vec<i64> {
    let mut out = Vec::new();
    for sql in [
        "SELECT COUNT(*) FROM projects",
        "SELECT COUNT(*) FROM items",
        "SELECT COUNT(*) FROM messages",
        "SELECT COUNT(*) FROM outbox",
        "SELECT COUNT(*) FROM item_followers",
        "SELECT COUNT(*) FROM project_followers",
        "SELECT COUNT(*) FROM conversations",
        "SELECT COALESCE(MAX(updated_at), 0) FROM items",
    ] {
        out.push(app.scalar(sql).await);
    }
    out
}

#[tokio::test]
async fn an_item_takes_its_requesters_organization_at_creation() {
    let app = TestApp::spawn_admin().await;
    let acme = app.create_org("Acme", &["acme.com"]).await.id;
    let ann = app.create_customer("ann@acme.com").await.id;
    let pat = app.create_customer("pat@gmail.com").await.id;
    let p = app.create_project("Website").await.id;

    let it = app
        .create_item(json!({"project_id": p, "item_type": "ticket", "title": "  Login broken ", "requester_id": ann}))
        .await;
    assert_eq!(it.organization_id, Some(acme));
    assert_eq!(it.organization_name.as_deref(), Some("Acme"));
    assert_eq!(it.title, "Login broken");
    assert_eq!(it.status, ItemStatus::New, "new by default");
    assert_eq!(it.priority, Priority::Normal, "normal by default");
    assert_eq!(it.project_name, "Website");
    assert_eq!(it.requester.map(|r| r.email).as_deref(), Some("ann@acme.com"));
    assert_eq!(it.reply_count, 0);

    let it =
        app.create_item(json!({"project_id": p, "item_type": "ticket", "title": "Invoice", "requester_id": pat})).await;
    assert_eq!(it.organization_id, None, "an unassigned requester gives no organization");
    let task = app.create_task(p, "Update certificates").await;
    assert_eq!(task.requester, None, "tasks may have no requester");
    assert_eq!(task.organization_id, None);

    let project: Value = json_of(&app, &format!("/api/projects/{p}")).await;
    assert_eq!((project["item_count"].as_i64(), project["open_item_count"].as_i64()), (Some(3), Some(3)));
}

#[tokio::test]
async fn moving_a_customer_takes_their_open_items_along_and_leaves_closed_ones() {
    let app = TestApp::spawn_admin().await;
    let acme = app.create_org("Acme", &["acme.com"]).await.id;
    let globex = app.create_org("Globex", &[]).await.id;
    let ann = app.create_customer("ann@acme.com").await.id;
    let bo = app.create_customer("bo@acme.com").await.id;
    let p = app.create_project("Support").await.id;
    let open: Vec<i64> = futures_ids(&app, p, ann, &[ItemStatus::New, ItemStatus::Open, ItemStatus::Waiting]).await;
    let closed: Vec<i64> = futures_ids(&app, p, ann, &[ItemStatus::Resolved, ItemStatus::Closed]).await;
    let bos = app.create_ticket(p, bo, "Bo's", ItemStatus::Open).await.id;

    let preview: Value =
        app.post("/api/customers/move/preview", json!({"customer_ids": [ann]})).await.json().await.unwrap();
    assert_eq!(preview, json!({"open_items": 3, "closed_items": 2}));

    let res = app.post("/api/customers/move", json!({"customer_ids": [ann], "organization_id": globex})).await;
    assert_eq!(res.status(), StatusCode::OK);
    for id in &open {
        assert_eq!(item_org(&app, *id).await, globex, "open item {id} follows");
    }
    for id in &closed {
        assert_eq!(item_org(&app, *id).await, acme, "closed item {id} stays");
    }
    assert_eq!(item_org(&app, bos).await, acme, "other customers' items stay");
    app.assert_counters_match().await;

    // Out of any organization: open items lose it too.
    let res = app.post("/api/customers/move", json!({"customer_ids": [ann, bo], "organization_id": null})).await;
    assert_eq!(res.status(), StatusCode::OK);
    for id in open.iter().chain([&bos]) {
        assert_eq!(item_org(&app, *id).await, Value::Null);
    }
    for id in &closed {
        assert_eq!(item_org(&app, *id).await, acme);
    }
    app.assert_counters_match().await;
}

async fn futures_ids(app: &TestApp, p: i64, requester: i64, statuses: &[ItemStatus]) -> Vec<i64> {
    let mut ids = Vec::new();
    for s in statuses {
        ids.push(app.create_ticket(p, requester, &format!("{s:?} item"), *s).await.id);
    }
    ids
}

#[tokio::test]
async fn deleting_an_organization_takes_its_items_out_of_it() {
    let app = TestApp::spawn_admin().await;
    let acme = app.create_org("Acme", &["acme.com"]).await.id;
    let ann = app.create_customer("ann@acme.com").await.id;
    let p = app.create_project("Support").await.id;
    let open = app.create_ticket(p, ann, "Open", ItemStatus::Open).await.id;
    let closed = app.create_ticket(p, ann, "Closed", ItemStatus::Closed).await.id;
    let res = app.call(Method::DELETE, &format!("/api/organizations/{acme}"), None).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(item_org(&app, open).await, Value::Null);
    assert_eq!(item_org(&app, closed).await, Value::Null, "the organization no longer exists");
    let groups = json_of(&app, "/api/items/groups?group_by=organization").await;
    assert_eq!(groups["groups"], json!([{"key": "none", "label": "No organization", "count": 2}]));
    app.assert_counters_match().await;
}

#[tokio::test]
async fn a_move_preview_counts_open_and_closed_items_and_changes_nothing() {
    let app = TestApp::spawn_admin().await;
    app.create_org("Acme", &["acme.com"]).await;
    let ann = app.create_customer("ann@acme.com").await.id;
    let bo = app.create_customer("bo@acme.com").await.id;
    let cy = app.create_customer("cy@acme.com").await.id;
    let p = app.create_project("Support").await.id;
    futures_ids(&app, p, ann, &[ItemStatus::New, ItemStatus::Closed, ItemStatus::Resolved]).await;
    futures_ids(&app, p, bo, &[ItemStatus::Waiting]).await;
    let before = snapshot(&app).await;
    let preview: Value =
        app.post("/api/customers/move/preview", json!({"customer_ids": [ann, bo, cy]})).await.json().await.unwrap();
    assert_eq!(preview, json!({"open_items": 2, "closed_items": 2}));
    let preview: Value =
        app.post("/api/customers/move/preview", json!({"customer_ids": [cy]})).await.json().await.unwrap();
    assert_eq!(preview, json!({"open_items": 0, "closed_items": 0}));
    let body = error_body(
        app.post("/api/customers/move/preview", json!({"customer_ids": [ann, 999_999]})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert!(body["fields"]["customer_ids"].as_str().unwrap().contains("999999"), "{body}");
    error_body(
        app.post("/api/customers/move/preview", json!({"customer_ids": []})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(snapshot(&app).await, before);
}

/// Three organizations, a project each, and a spread of items.
async fn tickets_fixture(app: &TestApp) -> (i64, i64, i64, i64, i64) {
    let acme = app.create_org("acme", &["acme.com"]).await.id; // lower case sorts regardless of case
    let globex = app.create_org("Globex", &["globex.com"]).await.id;
    let ann = app.create_customer("ann@acme.com").await.id;
    let gil = app.create_customer("gil@globex.com").await.id;
    let pat = app.create_customer("pat@gmail.com").await.id;
    let web = app.create_project("Website").await.id;
    let apps = app.create_project("Apps").await.id;
    for (p, who, title, status) in [
        (web, ann, "Login broken", ItemStatus::New),
        (web, ann, "Slow pages", ItemStatus::Open),
        (apps, ann, "Crash on start", ItemStatus::Closed),
        (web, gil, "Printer jam", ItemStatus::Waiting),
        (apps, gil, "Invoice missing", ItemStatus::Resolved),
        (apps, pat, "Password reset", ItemStatus::Open),
    ] {
        app.create_ticket(p, who, title, status).await;
    }
    (acme, globex, web, apps, ann)
}

#[tokio::test]
async fn grouping_by_organization_counts_matching_items_with_none_last() {
    let app = TestApp::spawn_admin().await;
    let (acme, globex, web, apps, _) = tickets_fixture(&app).await;

    let page = json_of(&app, "/api/items/groups?group_by=organization&status=new,open,waiting").await;
    assert_eq!(page["group_by"], "organization");
    assert_eq!(
        page["groups"],
        json!([
            {"key": acme.to_string(), "label": "acme", "count": 2},
            {"key": globex.to_string(), "label": "Globex", "count": 1},
            {"key": "none", "label": "No organization", "count": 1},
        ])
    );
    assert_eq!((page["total_groups"].as_i64(), page["total_items"].as_i64()), (Some(3), Some(4)));

    // Paged: the second group alone, totals over all groups.
    let page = json_of(&app, "/api/items/groups?group_by=organization&offset=1&limit=1").await;
    assert_eq!(page["groups"], json!([{"key": globex.to_string(), "label": "Globex", "count": 2}]));
    assert_eq!((page["total_groups"].as_i64(), page["total_items"].as_i64()), (Some(3), Some(6)));
    let page = json_of(&app, "/api/items/groups?group_by=organization&offset=2&limit=5").await;
    assert_eq!(page["groups"], json!([{"key": "none", "label": "No organization", "count": 1}]), "none, last");
    let page = json_of(&app, &format!("/api/items/groups?group_by=organization&organization={acme}&status=new")).await;
    assert_eq!(page["groups"], json!([{"key": acme.to_string(), "label": "acme", "count": 1}]));
    let page = json_of(&app, "/api/items/groups?group_by=organization&organization=none").await;
    assert_eq!(page["groups"], json!([{"key": "none", "label": "No organization", "count": 1}]));
    let page = json_of(&app, "/api/items/groups?group_by=organization&offset=10").await;
    assert_eq!(page["groups"], json!([]));
    assert_eq!((page["total_groups"].as_i64(), page["total_items"].as_i64()), (Some(3), Some(6)));

    // A filter outside the counters (text) counts the items themselves.
    let page = json_of(&app, "/api/items/groups?group_by=organization&q=in").await;
    assert_eq!(
        page["groups"],
        json!([
            {"key": acme.to_string(), "label": "acme", "count": 1},
            {"key": globex.to_string(), "label": "Globex", "count": 2},
        ]),
        "Login broken; Printer jam, Invoice missing"
    );

    let page = json_of(&app, "/api/items/groups?group_by=project").await;
    assert_eq!(
        page["groups"],
        json!([
            {"key": apps.to_string(), "label": "Apps", "count": 3},
            {"key": web.to_string(), "label": "Website", "count": 3},
        ])
    );
    let page = json_of(&app, &format!("/api/items/groups?group_by=project&organization={acme}")).await;
    assert_eq!(
        page["groups"],
        json!([
            {"key": apps.to_string(), "label": "Apps", "count": 1},
            {"key": web.to_string(), "label": "Website", "count": 2},
        ])
    );
    // A write shows at once (cached groupings are keyed by the data's version).
    let before = json_of(&app, "/api/items/groups?group_by=organization&status=new,open,waiting").await;
    let gil: i64 = app.scalar("SELECT id FROM customers WHERE email = 'gil@globex.com'").await;
    app.create_ticket(web, gil, "Another one", ItemStatus::Open).await;
    app.patch(&format!("/api/organizations/{globex}"), json!({"name": "Globex Corp"})).await;
    let after = json_of(&app, "/api/items/groups?group_by=organization&status=new,open,waiting").await;
    assert_eq!(before["groups"][1]["count"], 1);
    assert_eq!(after["groups"][1], json!({"key": globex.to_string(), "label": "Globex Corp", "count": 2}));
    assert_eq!(after["total_items"], 5);
    let page = json_of(&app, "/api/items/groups?group_by=status").await;
    let keys: Vec<&str> = page["groups"].as_array().unwrap().iter().map(|g| g["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["new", "open", "waiting", "resolved", "closed"], "workflow order");
    let page = json_of(&app, &format!("/api/items/groups?group_by=status&project_id={web}&status=open,new")).await;
    assert_eq!(
        page["groups"],
        json!([{"key": "new", "label": "New", "count": 1}, {"key": "open", "label": "Open", "count": 2}])
    );
}

fn titles(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|i| i["title"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn the_tickets_list_filters_and_pages_newest_first() {
    let mut app = TestApp::spawn_admin().await;
    let (acme, _, web, apps, ann) = tickets_fixture(&app).await;
    let sam = app.create_agent("sam@example.com", "agent").await;

    let page = json_of(&app, "/api/items").await;
    assert_eq!(page["total"], 6);
    assert_eq!(
        titles(&page),
        ["Password reset", "Invoice missing", "Printer jam", "Crash on start", "Slow pages", "Login broken"]
    );
    assert_eq!(page["items"][0]["followers"], json!([]));

    let page = json_of(&app, "/api/items?status=new,open,waiting&limit=2").await;
    assert_eq!((titles(&page), page["total"].as_i64()), (vec!["Password reset".into(), "Printer jam".into()], Some(4)));
    let page = json_of(&app, "/api/items?status=new,open,waiting&limit=2&offset=2").await;
    assert_eq!(titles(&page), ["Slow pages", "Login broken"]);
    assert_eq!((page["offset"].as_i64(), page["limit"].as_i64()), (Some(2), Some(2)));

    let page = json_of(&app, &format!("/api/items?organization={acme}&status=open,new")).await;
    assert_eq!((titles(&page), page["total"].as_i64()), (vec!["Slow pages".into(), "Login broken".into()], Some(2)));
    let page = json_of(&app, "/api/items?organization=none").await;
    assert_eq!(titles(&page), ["Password reset"]);
    let page = json_of(&app, &format!("/api/items?project_id={apps}&status=closed,resolved")).await;
    assert_eq!(
        (titles(&page), page["total"].as_i64()),
        (vec!["Invoice missing".into(), "Crash on start".into()], Some(2))
    );
    let page = json_of(&app, &format!("/api/items?requester_id={ann}&project_id={web}")).await;
    assert_eq!(titles(&page), ["Slow pages", "Login broken"]);
    let page = json_of(&app, "/api/items?q=PRINTER").await;
    assert_eq!(titles(&page), ["Printer jam"]);
    let page = json_of(&app, "/api/items?q=100%25").await;
    assert_eq!(page["total"], 0, "% is literal");

    // Assignee, priority, type and #id.
    let first = page_first_id(&app, "/api/items?q=Login").await;
    let res = app.patch(&format!("/api/items/{first}"), json!({"assignee_id": sam, "priority": "urgent"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let page = json_of(&app, &format!("/api/items?assignee={sam}")).await;
    assert_eq!(titles(&page), ["Login broken"]);
    assert_eq!(page["items"][0]["assignee_name"], "Test Agent");
    assert_eq!(json_of(&app, "/api/items?assignee=none").await["total"], 5);
    assert_eq!(titles(&json_of(&app, "/api/items?priority=urgent,high").await), ["Login broken"]);
    assert_eq!(titles(&json_of(&app, &format!("/api/items?q=%23{first}")).await), ["Login broken"]);
    app.create_task(web, "Renew certificate").await;
    assert_eq!(titles(&json_of(&app, "/api/items?item_type=task").await), ["Renew certificate"]);
    assert_eq!(json_of(&app, "/api/items?item_type=ticket").await["total"], 6);
    assert_eq!(json_of(&app, "/api/items?status=").await["total"], 7, "a blank filter is no filter");

    // The assignee stays with an agent who signs in; the list is the same for every agent.
    app.login("sam@example.com", AGENT_PASSWORD).await;
    assert_eq!(json_of(&app, "/api/items").await["total"], 7);
}

async fn page_first_id(app: &TestApp, path: &str) -> i64 {
    json_of(app, path).await["items"][0]["id"].as_i64().unwrap()
}

#[tokio::test]
async fn bad_filters_are_422s_naming_the_filter() {
    let app = TestApp::spawn_admin().await;
    for (query, field) in [
        ("status=open,done", "status"),
        ("status=,", "status"),
        ("priority=critical", "priority"),
        ("assignee=sam", "assignee"),
        ("organization=acme", "organization"),
        ("project_id=x", "project_id"),
        ("requester_id=1.5", "requester_id"),
        ("item_type=bug", "item_type"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("offset=-1", "offset"),
        ("offset=many", "offset"),
    ] {
        for path in ["/api/items", "/api/items/groups"] {
            let body =
                error_body(app.get(&format!("{path}?{query}")).await, StatusCode::UNPROCESSABLE_ENTITY, "validation")
                    .await;
            assert!(body["fields"][field].is_string(), "{path}?{query}: {body}");
        }
    }
    let body = error_body(
        app.get("/api/items/groups?group_by=colour&status=nope").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert!(body["fields"]["group_by"].is_string() && body["fields"]["status"].is_string(), "{body}");
    let q = "x".repeat(101);
    error_body(app.get(&format!("/api/items?q={q}")).await, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
}

#[tokio::test]
async fn bad_item_input_is_refused_and_changes_nothing() {
    let mut app = TestApp::spawn_admin().await;
    let acme = app.create_org("Acme", &["acme.com"]).await.id;
    let ann = app.create_customer("ann@acme.com").await.id;
    let p = app.create_project("Support").await.id;
    let archived = app.create_project("Old").await.id;
    app.patch(&format!("/api/projects/{archived}"), json!({"archived": true})).await;
    let sam = app.create_agent("sam@example.com", "agent").await;
    app.patch(&format!("/api/agents/{sam}"), json!({"active": false})).await;
    let it = app.create_ticket(p, ann, "Existing", ItemStatus::Open).await.id;
    let before = snapshot(&app).await;

    let ok = json!({"project_id": p, "item_type": "ticket", "title": "T", "requester_id": ann});
    let with = |patch: Value| {
        let mut body = ok.clone();
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    for (body, field) in [
        (with(json!({"title": "   "})), "title"),
        (with(json!({"title": "x".repeat(201)})), "title"),
        (with(json!({"project_id": 999_999})), "project_id"),
        (with(json!({"project_id": archived})), "project_id"),
        (with(json!({"requester_id": 999_999})), "requester_id"),
        (with(json!({"requester_id": null})), "requester_id"),
        (with(json!({"assignee_id": 999_999})), "assignee_id"),
        (with(json!({"assignee_id": sam})), "assignee_id"),
        (with(json!({"status": "done"})), "status"),
        (with(json!({"priority": "critical"})), "priority"),
        (with(json!({"item_type": "bug"})), "item_type"),
        (with(json!({"project_id": "one"})), "project_id"),
        (json!({"item_type": "ticket", "title": "T"}), "body"),
    ] {
        let res = app.post("/api/items", body.clone()).await;
        let err = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
        assert!(err["fields"][field].is_string(), "{body}: {err}");
    }
    for (patch, field) in [
        (json!({"title": ""}), "title"),
        (json!({"status": "reopened"}), "status"),
        (json!({"project_id": 999_999}), "project_id"),
        (json!({"project_id": archived}), "project_id"),
        (json!({"assignee_id": sam}), "assignee_id"),
        (json!({"requester_id": null}), "requester_id"),
        (json!({"requester_id": 999_999}), "requester_id"),
        (json!({"colour": "red"}), "colour"),
    ] {
        let res = app.patch(&format!("/api/items/{it}"), patch.clone()).await;
        let err = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
        assert!(err["fields"][field].is_string() || err["fields"]["body"].is_string(), "{patch}: {err}");
    }
    error_body(app.patch("/api/items/999999", json!({"title": "x"})).await, StatusCode::NOT_FOUND, "not_found").await;
    error_body(app.get("/api/items/999999").await, StatusCode::NOT_FOUND, "not_found").await;
    error_body(app.get("/api/items/abc").await, StatusCode::BAD_REQUEST, "bad_request").await;
    let res = app
        .client
        .post(app.url("/api/items"))
        .header("x-csrf-token", app.csrf.clone().unwrap())
        .body("{")
        .send()
        .await
        .unwrap();
    assert!(res.status().is_client_error());

    // Without the CSRF token, and without a session.
    let token = app.csrf.take();
    error_body(app.post("/api/items", ok.clone()).await, StatusCode::FORBIDDEN, "forbidden").await;
    error_body(app.patch(&format!("/api/items/{it}"), json!({"title": "x"})).await, StatusCode::FORBIDDEN, "forbidden")
        .await;
    app.csrf = token;
    let anonymous = app.other_client();
    error_body(anonymous.get("/api/items").await, StatusCode::UNAUTHORIZED, "unauthorized").await;
    error_body(anonymous.post("/api/items", ok.clone()).await, StatusCode::UNAUTHORIZED, "unauthorized").await;

    assert_eq!(snapshot(&app).await, before, "nothing changed");
    assert_eq!(item_org(&app, it).await, acme);
}

#[tokio::test]
async fn a_ticket_whose_requester_was_deleted_keeps_its_organization_and_stays_editable() {
    let app = TestApp::spawn_admin().await;
    let acme = app.create_org("Acme", &["acme.com"]).await.id;
    let ann = app.create_customer("ann@acme.com").await.id;
    let p = app.create_project("Support").await.id;
    let it = app.create_ticket(p, ann, "Orphan", ItemStatus::Open).await.id;
    assert_eq!(app.call(Method::DELETE, &format!("/api/customers/{ann}"), None).await.status(), StatusCode::NO_CONTENT);
    let item = json_of(&app, &format!("/api/items/{it}")).await;
    assert_eq!((item["requester"].clone(), item["organization_id"].clone()), (Value::Null, json!(acme)));
    let res = app.patch(&format!("/api/items/{it}"), json!({"status": "closed"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app.patch(&format!("/api/items/{it}"), json!({"item_type": "ticket"})).await;
    error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    app.assert_counters_match().await;
}

const GROUPINGS: [&str; 5] = [
    "/api/items/groups?group_by=organization&status=new,open,waiting",
    "/api/items/groups?group_by=organization",
    "/api/items/groups?group_by=organization&status=resolved,closed",
    "/api/items/groups?group_by=organization&status=open,new&offset=1&limit=1",
    "/api/items/groups?group_by=organization&status=waiting,waiting&offset=5",
];

/// The groupings by organization `app` answers, and how the first was answered.
async fn groupings(app: &TestApp) -> (String, Vec<Value>) {
    let mut answered = Vec::new();
    let mut pages = Vec::new();
    for path in GROUPINGS {
        let res = app.get(path).await;
        answered.push(res.headers()["x-orgdesk-groups"].to_str().unwrap().to_string());
        pages.push(ok_json(res).await);
    }
    assert!(answered[1..].iter().all(|a| a == "held"), "{answered:?}");
    (answered[0].clone(), pages)
}

/// The server's held grouping equals one a fresh server computes from the database
/// (a restart on the same database), and the open items counted from the items table.
async fn assert_groupings_fresh(app: &TestApp, answered: &str) {
    let (how, held) = groupings(app).await;
    assert_eq!(how, answered);
    let fresh = app.restart().await;
    let (how, computed) = groupings(&fresh).await;
    assert_eq!(how, "rebuilt");
    fresh.stop().await;
    assert_eq!(held, computed);
    let counted: Vec<(i64, i64)> = app
        .rows_for(
            "SELECT COALESCE(organization_id, 0), COUNT(*) FROM items \
             WHERE status IN ('new', 'open', 'waiting') AND id > $1 GROUP BY 1 ORDER BY 1",
            0,
        )
        .await;
    assert_eq!(group_counts(&held[0]), counted);
    app.assert_counters_match().await;
}

/// A page of groups by organization as (organization id, 0 for none; count), by id.
fn group_counts(page: &Value) -> Vec<(i64, i64)> {
    let mut shown: Vec<(i64, i64)> = page["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["key"].as_str().unwrap().parse().unwrap_or(0), g["count"].as_i64().unwrap()))
        .collect();
    shown.sort();
    shown
}

#[tokio::test]
async fn the_grouping_by_organization_follows_writes_and_equals_a_fresh_computation() {
    let app = TestApp::spawn_admin().await;
    let (acme, globex, web, apps, ann) = tickets_fixture(&app).await;
    let hooli = app.create_org("Hooli", &[]).await.id;
    assert_groupings_fresh(&app, "rebuilt").await;
    let (_, pages) = groupings(&app).await;
    assert_eq!(pages[0]["total_items"], 4);

    // Status changes apply the changed counters only.
    let login: i64 = app.scalar("SELECT id FROM items WHERE title = 'Login broken'").await;
    app.set_status(login, ItemStatus::Closed).await;
    assert_groupings_fresh(&app, "updated").await;
    let printer: i64 = app.scalar("SELECT id FROM items WHERE title = 'Printer jam'").await;
    app.set_status(printer, ItemStatus::Open).await;
    app.set_status(login, ItemStatus::Waiting).await;
    assert_groupings_fresh(&app, "updated").await;

    // A move between organizations takes the open items along.
    assert_eq!(app.move_customers(&[ann], Some(globex)).await.moved.len(), 1);
    assert_groupings_fresh(&app, "updated").await;
    let (_, pages) = groupings(&app).await;
    assert_eq!(pages[0]["groups"][0]["key"], globex.to_string(), "acme has no open items left");
    assert_ne!(pages[1]["groups"][0]["key"], globex.to_string(), "acme keeps its closed one");
    app.move_customers(&[ann], None).await;
    assert_groupings_fresh(&app, "updated").await;
    // Into an organization that had no items: it takes its place by name, no rebuild.
    app.move_customers(&[ann], Some(hooli)).await;
    assert_groupings_fresh(&app, "updated").await;
    let (_, pages) = groupings(&app).await;
    let hooli_key = json!(hooli.to_string());
    assert!(pages[0]["groups"].as_array().unwrap().iter().any(|g| g["key"] == hooli_key), "{}", pages[0]);
    app.move_customers(&[ann], None).await;
    assert_groupings_fresh(&app, "updated").await;

    // Deleted items, and new items without an organization.
    app.execute_for("DELETE FROM items WHERE id = $1", printer).await;
    let pat: i64 = app.scalar("SELECT id FROM customers WHERE email = 'pat@gmail.com'").await;
    app.create_ticket(apps, pat, "Another reset", ItemStatus::New).await;
    assert_groupings_fresh(&app, "updated").await;

    // A new organization, a rename: the names changed, so it is rebuilt.
    app.create_org("Initech", &["initech.com"]).await;
    let bob = app.create_customer("bob@initech.com").await.id;
    app.create_ticket(web, bob, "Stapler", ItemStatus::Open).await;
    assert_groupings_fresh(&app, "rebuilt").await;
    app.patch(&format!("/api/organizations/{acme}"), json!({"name": "Zeta"})).await;
    assert_groupings_fresh(&app, "rebuilt").await;
    // Nothing changed: held as it is.
    assert_groupings_fresh(&app, "held").await;
}

/// The groupings by organization of one assignee's items (`who`: an agent id or
/// `none`), with how the first was answered; the others must be held.
async fn assignee_groupings(app: &TestApp, who: &str) -> (String, Vec<Value>) {
    let mut answered = Vec::new();
    let mut pages = Vec::new();
    for filter in [
        "status=new,open,waiting",
        "status=resolved,closed&offset=1&limit=1",
        "status=new,open,waiting,resolved,closed",
    ] {
        let res = app.get(&format!("/api/items/groups?group_by=organization&{filter}&assignee={who}")).await;
        answered.push(res.headers()["x-orgdesk-groups"].to_str().unwrap().to_string());
        pages.push(ok_json(res).await);
    }
    assert!(answered[1..].iter().all(|a| a == "held"), "{who}: {answered:?}");
    (answered[0].clone(), pages)
}

/// Each assignee's held grouping equals a fresh server's and the open items counted
/// from the items table; `answered[i]` is how `who[i]`'s was answered.
async fn assert_assignee_groupings_fresh(app: &TestApp, who: &[String], answered: &[&str]) {
    let mut held = Vec::new();
    for (w, expected) in who.iter().zip(answered) {
        let (how, pages) = assignee_groupings(app, w).await;
        assert_eq!((w.as_str(), how.as_str()), (w.as_str(), *expected));
        held.push(pages);
    }
    let fresh = app.restart().await;
    for (w, held) in who.iter().zip(&held) {
        let (how, computed) = assignee_groupings(&fresh, w).await;
        assert_eq!(how, "rebuilt");
        assert_eq!(held, &computed, "{w}");
        let counted: Vec<(i64, i64)> = app
            .rows_for(
                "SELECT COALESCE(organization_id, 0), COUNT(*) FROM items \
                 WHERE status IN ('new', 'open', 'waiting') AND COALESCE(assignee_id, 0) = $1 GROUP BY 1 ORDER BY 1",
                w.parse().unwrap_or(0),
            )
            .await;
        assert_eq!(group_counts(&held[0]), counted, "{w}");
    }
    fresh.stop().await;
    app.assert_counters_match().await;
}

#[tokio::test]
async fn the_grouping_for_one_assignee_follows_writes_and_equals_a_fresh_computation() {
    let app = TestApp::spawn_admin().await;
    let (acme, globex, web, _, ann) = tickets_fixture(&app).await;
    let sam = app.create_agent("sam@desk.test", "agent").await;
    let kim = app.create_agent("kim@desk.test", "agent").await;
    let who = [sam.to_string(), kim.to_string(), "none".to_string()];
    let item = |title: &'static str| {
        let app = &app;
        async move { app.scalar(&format!("SELECT id FROM items WHERE title = '{title}'")).await }
    };
    let assign = |id: i64, agent: Option<i64>| {
        let app = &app;
        async move {
            let res = app.patch(&format!("/api/items/{id}"), json!({"assignee_id": agent})).await;
            assert_eq!(res.status(), StatusCode::OK);
        }
    };
    let (login, slow, printer) = (item("Login broken").await, item("Slow pages").await, item("Printer jam").await);
    assign(login, Some(sam)).await;
    assign(slow, Some(sam)).await;
    assign(printer, Some(kim)).await;
    assign(item("Crash on start").await, Some(sam)).await;
    assert_assignee_groupings_fresh(&app, &who, &["rebuilt"; 3]).await;
    let (_, pages) = assignee_groupings(&app, &who[0]).await;
    assert_eq!(pages[0]["groups"], json!([{"key": acme.to_string(), "label": "acme", "count": 2}]));
    assert_eq!(pages[0]["total_items"], 2);

    // Status changes, a reassignment and a bulk change apply the changed counters only.
    app.set_status(login, ItemStatus::Closed).await;
    assign(slow, Some(kim)).await;
    assert_assignee_groupings_fresh(&app, &who, &["updated"; 3]).await;
    let (_, pages) = assignee_groupings(&app, &who[1]).await;
    assert_eq!(pages[0]["total_items"], 2, "kim: Slow pages and Printer jam");
    let mut refs = Vec::new();
    for id in [login, printer] {
        let it = json_of(&app, &format!("/api/items/{id}")).await;
        refs.push(json!({"id": id, "updated_at": it["updated_at"]}));
    }
    let res = app.post("/api/items/bulk", json!({"items": refs, "assignee_id": null})).await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    assert_assignee_groupings_fresh(&app, &who, &["updated"; 3]).await;

    // A move between organizations takes the open items along, also into one without items.
    let hooli = app.create_org("Hooli", &[]).await.id;
    assert_assignee_groupings_fresh(&app, &who, &["rebuilt"; 3]).await;
    app.move_customers(&[ann], Some(globex)).await;
    assert_assignee_groupings_fresh(&app, &who, &["updated"; 3]).await;
    let (_, pages) = assignee_groupings(&app, &who[1]).await;
    assert_eq!(pages[0]["groups"], json!([{"key": globex.to_string(), "label": "Globex", "count": 1}]), "kim");
    app.move_customers(&[ann], Some(hooli)).await;
    assert_assignee_groupings_fresh(&app, &who, &["updated"; 3]).await;

    // Deleted items, new items (assigned when created), a rename.
    app.execute_for("DELETE FROM items WHERE id = $1", slow).await;
    let pat: i64 = app.scalar("SELECT id FROM customers WHERE email = 'pat@gmail.com'").await;
    app.create_item(json!({"project_id": web, "item_type": "ticket", "title": "New one", "requester_id": pat,
                           "status": "open", "assignee_id": sam}))
        .await;
    assert_assignee_groupings_fresh(&app, &who, &["updated"; 3]).await;
    app.patch(&format!("/api/organizations/{acme}"), json!({"name": "Zeta"})).await;
    assert_assignee_groupings_fresh(&app, &who, &["rebuilt"; 3]).await;
    assert_assignee_groupings_fresh(&app, &who, &["held"; 3]).await;
    // The grouping of all items is not disturbed by the assignees' ones.
    let (_, all) = groupings(&app).await;
    assert_eq!(
        all[0]["total_items"],
        app.scalar("SELECT COUNT(*) FROM items WHERE status IN ('new', 'open', 'waiting')").await
    );
}

/// A title search (the trigram index on SQLite, the GIN index on PostgreSQL) finds the
/// same items, in the same order and count, as checking every title with LIKE.
#[tokio::test]
async fn a_title_search_finds_what_checking_every_title_finds() {
    let app = TestApp::spawn_admin().await;
    let p = app.create_project("Support").await.id;
    let titles = [
        "Printer jams",
        "PRINTER on floor 2",
        "printers everywhere",
        "Reprint invoice",
        "École fermée",
        "ÉCOLE reopened",
        "50% off_sale",
        "5000 offers",
        "Say \"hi\" twice",
        "say hi",
        "VPN down",
        "vpn-up",
    ];
    for t in titles {
        app.create_task(p, t).await;
    }
    for q in [
        "print", "Printer", "PRINTERS", "école", "éco", "50%", "0% off_", "\"hi\"", "say", "vpn", "pn-", "xyz", "e",
        "%", "_",
    ] {
        let found = json_of(&app, &format!("/api/items?q={}&limit=100", urlencode(q))).await;
        let shown: Vec<String> = titles_of(&found);
        let pattern = format!("%{}%", q.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        let expected: Vec<(String,)> = app
            .rows_for_text("SELECT title FROM items WHERE LOWER(title) LIKE $1 ESCAPE '\\' ORDER BY id DESC", &pattern)
            .await;
        let expected: Vec<String> = expected.into_iter().map(|(t,)| t).collect();
        assert_eq!(shown, expected, "q={q}");
        assert_eq!(found["total"].as_u64(), Some(expected.len() as u64), "q={q}");
    }
    // Renamed and new titles are found at once (the index follows the writes).
    let id: i64 = app.scalar("SELECT id FROM items WHERE title = 'VPN down'").await;
    app.patch(&format!("/api/items/{id}"), json!({"title": "Tunnel down"})).await;
    assert_eq!(titles_of(&json_of(&app, "/api/items?q=tunnel").await), ["Tunnel down"]);
    assert_eq!(titles_of(&json_of(&app, "/api/items?q=vpn").await), ["vpn-up"]);
}

#[tokio::test]
async fn a_kept_title_search_shows_status_changes_and_follows_new_and_retitled_items_on_another_server() {
    let a = TestApp::spawn_admin().await;
    let b = a.restart().await;
    let p = a.create_project("Support").await.id;
    let jam = a.create_task(p, "Printer jams").await.id;
    let toner = a.create_task(p, "Printer toner").await.id;
    a.create_task(p, "VPN down").await;
    async fn search(app: &TestApp) -> (Vec<String>, i64) {
        let page = json_of(app, "/api/items?q=printer&limit=50").await;
        let shown = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| format!("{} {}", i["title"].as_str().unwrap(), i["status"].as_str().unwrap()))
            .collect();
        (shown, page["total"].as_i64().unwrap())
    }
    let titles = "SELECT titles FROM work_version WHERE id = 1";
    assert_eq!(search(&b).await, (vec!["Printer toner new".to_string(), "Printer jams new".into()], 2));

    // A status change (the update sets the title too, unchanged) keeps the kept ids and
    // shows the new status.
    let before = a.scalar(titles).await;
    a.set_status(jam, ItemStatus::Waiting).await;
    assert_eq!(a.scalar(titles).await, before, "a status change changes no title");
    assert_eq!(search(&b).await.0, ["Printer toner new", "Printer jams waiting"]);

    // A retitled item and a new one, through the other server.
    ok_json(a.patch(&format!("/api/items/{toner}"), json!({"title": "Scanner toner"})).await).await;
    assert!(a.scalar(titles).await > before);
    assert_eq!(search(&b).await, (vec!["Printer jams waiting".to_string()], 1));
    a.create_task(p, "New printer").await;
    assert_eq!(search(&b).await, (vec!["New printer new".to_string(), "Printer jams waiting".into()], 2));
    // With another filter the search is computed, with the same rows.
    let open = json_of(&b, "/api/items?q=printer&status=new&limit=50").await;
    assert_eq!(titles_of(&open), ["New printer"]);
}

fn titles_of(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|i| i["title"].as_str().unwrap().to_string()).collect()
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Filters the counters do not answer count at most 1,000 items past the page's offset
/// and say so; the counters' filters stay exact.
#[tokio::test]
async fn item_counts_outside_the_counters_stop_at_a_thousand_past_the_page_and_say_so() {
    let app = TestApp::spawn_admin().await;
    let p = app.create_project("Support").await.id;
    app.execute_for(
        "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 1100) \
         INSERT INTO items (project_id, item_type, title, description, status, priority, reply_count, created_at, updated_at) \
         SELECT $1, 'task', 'Bulk printer ' || CAST(n AS TEXT), '', 'open', 'normal', 0, 0, 0 FROM g",
        p,
    )
    .await;
    let page = json_of(&app, "/api/items?q=printer&limit=50").await;
    assert_eq!((page["total"].as_i64(), page["total_capped"].as_bool()), (Some(1000), Some(true)));
    assert_eq!(page["items"].as_array().unwrap().len(), 50);
    let page = json_of(&app, "/api/items?q=printer&limit=50&offset=1050").await;
    assert_eq!((page["total"].as_i64(), page["total_capped"].as_bool()), (Some(1100), Some(false)));
    assert_eq!(titles_of(&page).last().map(String::as_str), Some("Bulk printer 1"), "the oldest, last");
    let page = json_of(&app, "/api/items?q=printer&limit=50&offset=5000").await;
    assert_eq!(
        (page["total"].as_i64(), page["total_capped"].as_bool(), page["items"].as_array().map(Vec::len)),
        (Some(1100), Some(false), Some(0)),
        "a page past the last match still counts them"
    );
    let page = json_of(&app, "/api/items?q=printer%201099").await;
    assert_eq!((page["total"].as_i64(), page["total_capped"].as_bool()), (Some(1), Some(false)));
    let page = json_of(&app, "/api/items?status=open&limit=10").await;
    assert_eq!(
        (page["total"].as_i64(), page["total_capped"].as_bool()),
        (Some(1100), Some(false)),
        "from the counters"
    );
    let page = json_of(&app, "/api/items?status=open&limit=10&offset=5000").await;
    assert_eq!(
        (page["total"].as_i64(), page["total_capped"].as_bool(), page["items"].as_array().map(Vec::len)),
        (Some(1100), Some(false), Some(0)),
        "a page past the last item still carries the counters' total"
    );
    let page = json_of(&app, "/api/items?status=open&limit=10&offset=1095").await;
    assert_eq!(
        (page["total"].as_i64(), titles_of(&page)),
        (Some(1100), (1..=5).rev().map(|n| format!("Bulk printer {n}")).collect::<Vec<_>>()),
        "the last page: the oldest five, newest first, with the total"
    );
    let page = json_of(&app, "/api/items?priority=normal&limit=10&offset=50").await;
    assert_eq!((page["total"].as_i64(), page["total_capped"].as_bool()), (Some(1050), Some(true)));
}
