//! Bulk changes in the Tickets app: one request sets the status, priority and/or
//! assignee of many items in one transaction (all or nothing), refuses the whole
//! change when an item changed since the agent saw it, writes a history line per
//! item, and refuses bad input without a trace. And the conversation in time order.

use orgdesk_core::api::tickets::{Item, ItemStatus, Priority};
use orgdesk_server::db::query;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::*;
use crate::tickets::{json_of, snapshot};

fn refs(items: &[&Item]) -> Value {
    json!(items.iter().map(|i| json!({"id": i.id, "updated_at": i.updated_at})).collect::<Vec<_>>())
}

async fn three_tickets(app: &TestApp) -> (Item, Item, Item) {
    let ann = app.create_customer("ann@acme.com").await.id;
    let p = app.create_project("Website").await.id;
    let a = app.create_ticket(p, ann, "Login broken", ItemStatus::New).await;
    let b = app.create_ticket(p, ann, "Slow pages", ItemStatus::Open).await;
    let c = app.create_ticket(p, ann, "Printer jam", ItemStatus::Waiting).await;
    (a, b, c)
}

#[tokio::test]
async fn a_bulk_change_sets_status_priority_and_assignee_of_every_item_with_history() {
    let app = TestApp::spawn_admin().await;
    let (a, b, c) = three_tickets(&app).await;
    let kim = app.create_agent("kim@desk.test", "agent").await;
    let res = app
        .post(
            "/api/items/bulk",
            json!({"items": refs(&[&c, &a]), "status": "closed", "priority": "urgent", "assignee_id": kim}),
        )
        .await;
    let body = ok_json(res).await;
    let ids: Vec<i64> = body["items"].as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [a.id, c.id], "the changed items, ids ascending");
    for id in [a.id, c.id] {
        let item = app.item(id).await;
        assert_eq!((item.status, item.priority, item.assignee_id), (ItemStatus::Closed, Priority::Urgent, Some(kim)));
        assert_ne!(&item.updated_at, if id == a.id { &a.updated_at } else { &c.updated_at }, "a new version");
        let history = json_of(&app, &format!("/api/items/{id}/history")).await;
        let summary = history[0]["summary"].as_str().unwrap().to_string();
        assert!(
            summary.ends_with("set the status to Closed, the priority to Urgent and the assignee to Test Agent"),
            "{summary}"
        );
    }
    let untouched = app.item(b.id).await;
    assert_eq!((untouched.status, untouched.updated_at), (ItemStatus::Open, b.updated_at.clone()));
    app.assert_counters_match().await;

    // Only the assignee, cleared: the rest stays.
    let fresh = app.item(a.id).await;
    let res = app.post("/api/items/bulk", json!({"items": refs(&[&fresh]), "assignee_id": null})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let item = app.item(a.id).await;
    assert_eq!((item.status, item.priority, item.assignee_id), (ItemStatus::Closed, Priority::Urgent, None));
}

#[tokio::test]
async fn a_stale_item_refuses_the_whole_change_with_a_409_naming_it() {
    let app = TestApp::spawn_admin().await;
    let (a, b, _) = three_tickets(&app).await;
    // Someone else edits b after the list was loaded.
    app.set_status(b.id, ItemStatus::Resolved).await;
    let before = snapshot(&app).await;
    let res = app.post("/api/items/bulk", json!({"items": refs(&[&a, &b]), "priority": "high"})).await;
    let body = error_body(res, StatusCode::CONFLICT, "conflict").await;
    let message = body["fields"]["items"].as_str().unwrap();
    assert!(message.contains(&format!("#{}", b.id)) && !message.contains(&format!("#{}", a.id)), "{message}");
    assert_eq!(snapshot(&app).await, before, "nothing written, a included");
    assert_eq!(app.item(a.id).await.priority, Priority::Normal);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM item_history").await, 0);

    // An item that does not exist is refused the same way.
    let res = app
        .post("/api/items/bulk", json!({"items": [{"id": 999_999, "updated_at": a.updated_at}], "status": "open"}))
        .await;
    error_body(res, StatusCode::CONFLICT, "conflict").await;
}

#[tokio::test]
async fn bad_bulk_input_is_a_422_naming_the_field_and_changes_nothing() {
    let app = TestApp::spawn_admin().await;
    let (a, b, _) = three_tickets(&app).await;
    let kim = app.create_agent("kim@desk.test", "agent").await;
    let res = app.patch(&format!("/api/agents/{kim}"), json!({"active": false})).await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    let before = snapshot(&app).await;
    let too_many: Vec<Value> = (1..=201).map(|id| json!({"id": id, "updated_at": a.updated_at})).collect();
    let long_version = "9".repeat(41);
    for (body, field) in [
        (json!({"items": [], "status": "open"}), "items"),
        (json!({"items": refs(&[&a, &a]), "status": "open"}), "items"),
        (json!({"items": too_many, "status": "open"}), "items"),
        (json!({"items": refs(&[&a, &b])}), "status"),
        (json!({"items": refs(&[&a]), "status": "reopened"}), "status"),
        (json!({"items": refs(&[&a]), "priority": "critical"}), "priority"),
        (json!({"items": refs(&[&a]), "assignee_id": 999_999}), "assignee_id"),
        (json!({"items": refs(&[&a]), "assignee_id": kim}), "assignee_id"),
        (json!({"items": [{"id": a.id, "updated_at": long_version}], "status": "open"}), "items"),
        (json!({"items": refs(&[&a]), "status": "open", "title": "x"}), ""),
    ] {
        let res = app.post("/api/items/bulk", body.clone()).await;
        let err = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
        if !field.is_empty() {
            let named = err["fields"].as_object().unwrap().keys().any(|k| k.starts_with(field));
            assert!(named, "{body} → {err}");
        }
    }
    assert_eq!(snapshot(&app).await, before);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM item_history").await, 0);

    // Signed out: 401.
    let stranger = app.other_client();
    let res = stranger.post("/api/items/bulk", json!({"items": refs(&[&a]), "status": "open"})).await;
    assert!(res.status() == StatusCode::UNAUTHORIZED || res.status() == StatusCode::FORBIDDEN, "{}", res.status());
}

#[tokio::test]
async fn the_conversation_is_in_time_order_whatever_order_it_was_written_in() {
    let app = TestApp::spawn_admin().await;
    let (a, _, _) = three_tickets(&app).await;
    let res =
        app.post(&format!("/api/items/{}/messages", a.id), json!({"kind": "reply", "body": "We are on it."})).await;
    let reply = json_with(res, StatusCode::CREATED).await;
    let reply_at: i64 = query("SELECT created_at FROM messages WHERE id = $1")
        .bind(reply["id"].as_i64().unwrap())
        .scalar(&app.db)
        .await
        .unwrap();
    // A note written earlier but stored later (as the demo data and imports do: demo ticket #38).
    query("INSERT INTO messages (item_id, kind, author_agent_id, body, recipients, created_at) VALUES ($1, 'note', NULL, 'Earlier note', '', $2)")
        .bind(a.id)
        .bind(reply_at - 90 * 60_000)
        .execute(&app.db)
        .await
        .unwrap();
    let messages = json_of(&app, &format!("/api/items/{}/messages", a.id)).await;
    let bodies: Vec<&str> = messages.as_array().unwrap().iter().map(|m| m["body"].as_str().unwrap()).collect();
    assert_eq!(bodies, ["Earlier note", "We are on it."]);
}

#[tokio::test]
async fn every_demo_conversation_reads_in_time_order() {
    let app = TestApp::spawn_admin().await;
    assert!(orgdesk_server::seed::demo(&app.db).await.unwrap());
    let ids: Vec<i64> = query("SELECT DISTINCT item_id FROM messages").scalars(&app.db).await.unwrap();
    assert!(ids.len() > 30);
    for id in ids {
        let messages = json_of(&app, &format!("/api/items/{id}/messages")).await;
        let times: Vec<String> =
            messages.as_array().unwrap().iter().map(|m| m["created_at"].as_str().unwrap().to_string()).collect();
        let mut sorted = times.clone();
        sorted.sort();
        assert_eq!(times, sorted, "item #{id}");
    }
}
