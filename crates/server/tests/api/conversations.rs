//! Item conversations (replies reach customers through the outbox, notes never do),
//! requester changes with earlier replies, and organization and project conversations.

use orgdesk_server::db::query;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::support::*;

async fn outbox_rows(app: &TestApp) -> Vec<(String, String, Option<i64>, Option<i64>)> {
    query("SELECT kind, recipient, item_id, conversation_id FROM outbox ORDER BY id")
        .fetch_all::<(String, String, Option<i64>, Option<i64>)>(&app.db)
        .await
        .unwrap()
}

async fn post_message(app: &TestApp, item: i64, kind: &str, body: &str) -> reqwest::Response {
    app.post(&format!("/api/items/{item}/messages"), json!({"kind": kind, "body": body})).await
}

#[tokio::test]
async fn a_reply_queues_one_email_per_customer_recipient_and_a_note_none() {
    let app = TestApp::spawn_admin().await;
    app.create_org("Acme", &["acme.com"]).await;
    let ann = app.create_customer("ann@acme.com").await.id;
    let bo = app.create_customer("bo@acme.com").await.id;
    let p = app.create_project("Support").await.id;
    let it = app.create_ticket(p, ann, "Printer jam", ItemStatus::Open).await.id;
    // The requester as a follower too: still one email.
    for c in [bo, ann] {
        let res = app.post(&format!("/api/items/{it}/followers"), json!({"customer_id": c})).await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }

    let res = post_message(&app, it, "note", "Internal: the printer is a lemon.").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let note: Value = res.json().await.unwrap();
    assert_eq!((note["kind"].as_str(), note["recipients"].clone()), (Some("note"), json!([])));
    assert!(note["author_agent_id"].is_i64() && note["author_name"].as_str().is_some_and(|n| !n.is_empty()), "{note}");
    assert!(outbox_rows(&app).await.is_empty(), "a note reaches no customer");

    let res = post_message(&app, it, "reply", "We are sending a technician.").await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let reply: Value = res.json().await.unwrap();
    assert_eq!(reply["recipients"], json!(["ann@acme.com", "bo@acme.com"]));
    let rows = outbox_rows(&app).await;
    assert_eq!(
        rows,
        [
            ("item_reply".to_string(), "ann@acme.com".to_string(), Some(it), None),
            ("item_reply".to_string(), "bo@acme.com".to_string(), Some(it), None),
        ]
    );
    let body: String = query("SELECT body FROM outbox LIMIT 1").scalar(&app.db).await.unwrap();
    assert!(body.contains("technician") && !body.contains("lemon"), "the reply, never the note: {body}");

    let messages: Value = app.get(&format!("/api/items/{it}/messages")).await.json().await.unwrap();
    let kinds: Vec<&str> = messages.as_array().unwrap().iter().map(|m| m["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["note", "reply"], "oldest first");
    let item: Value = app.get(&format!("/api/items/{it}")).await.json().await.unwrap();
    assert_eq!(item["reply_count"], 1);
    assert_eq!(item["followers"].as_array().unwrap().len(), 2);

    // Removing a follower stops their emails.
    let res = app.call(Method::DELETE, &format!("/api/items/{it}/followers/{bo}"), None).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app.call(Method::DELETE, &format!("/api/items/{it}/followers/{bo}"), None).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    post_message(&app, it, "reply", "Done.").await;
    assert_eq!(outbox_rows(&app).await.len(), 3);
}

#[tokio::test]
async fn a_reply_with_no_customer_to_send_to_is_refused_and_changes_nothing() {
    let app = TestApp::spawn_admin().await;
    let p = app.create_project("Ops").await.id;
    let task = app.create_task(p, "Rotate keys").await;
    let id = task.id;
    let err =
        error_body(post_message(&app, id, "reply", "Hello?").await, StatusCode::UNPROCESSABLE_ENTITY, "validation")
            .await;
    assert!(err["fields"]["kind"].as_str().unwrap().contains("note"), "{err}");
    for (body, field) in [
        (json!({"kind": "reply", "body": "  "}), "body"),
        (json!({"kind": "shout", "body": "x"}), "kind"),
        (json!({"kind": "note", "body": "x".repeat(20_001)}), "body"),
    ] {
        let err = error_body(
            app.post(&format!("/api/items/{id}/messages"), body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        )
        .await;
        assert!(err["fields"][field].is_string(), "{err}");
    }
    error_body(post_message(&app, 999_999, "note", "x").await, StatusCode::NOT_FOUND, "not_found").await;
    error_body(app.get("/api/items/999999/messages").await, StatusCode::NOT_FOUND, "not_found").await;
    let err = error_body(
        app.post(&format!("/api/items/{id}/followers"), json!({"customer_id": 999_999})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert!(err["fields"]["customer_id"].is_string());
    assert_eq!(app.scalar("SELECT COUNT(*) FROM messages").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM outbox").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM item_followers").await, 0);
    let after: Value = app.get(&format!("/api/items/{id}")).await.json().await.unwrap();
    assert_eq!(after["updated_at"], task.updated_at);
}

#[tokio::test]
async fn a_new_requester_gets_the_earlier_replies_and_their_organization() {
    let app = TestApp::spawn_admin().await;
    app.create_org("Acme", &["acme.com"]).await;
    let globex = app.create_org("Globex", &["globex.com"]).await.id;
    let ann = app.create_customer("ann@acme.com").await.id;
    let gil = app.create_customer("gil@globex.com").await.id;
    let pat = app.create_customer("pat@gmail.com").await.id;
    let p = app.create_project("Support").await.id;
    let it = app.create_ticket(p, ann, "VPN down", ItemStatus::Closed).await.id;

    // No replies yet: a new requester gets no email.
    let res = app.patch(&format!("/api/items/{it}"), json!({"requester_id": pat})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["organization_id"], Value::Null, "re-stamped to the new requester's (none)");
    assert!(outbox_rows(&app).await.is_empty());

    post_message(&app, it, "reply", "First answer").await;
    post_message(&app, it, "note", "secret note").await;
    post_message(&app, it, "reply", "Second answer").await;
    assert_eq!(outbox_rows(&app).await.len(), 2);

    let res = app.patch(&format!("/api/items/{it}"), json!({"requester_id": gil})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["organization_id"], globex, "even a closed item takes the new requester's organization");
    assert_eq!(body["requester"]["email"], "gil@globex.com");
    let rows = outbox_rows(&app).await;
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[2], ("item_history".to_string(), "gil@globex.com".to_string(), Some(it), None));
    let text: String = query("SELECT body FROM outbox WHERE kind = 'item_history'").scalar(&app.db).await.unwrap();
    assert!(text.contains("First answer") && text.contains("Second answer") && !text.contains("secret"), "{text}");

    // The same requester again: nothing new.
    app.patch(&format!("/api/items/{it}"), json!({"requester_id": gil, "title": "VPN down again"})).await;
    assert_eq!(outbox_rows(&app).await.len(), 3);
}

#[tokio::test]
async fn an_organization_message_notifies_every_current_member_once() {
    let app = TestApp::spawn_admin().await;
    let acme = app.create_org("Acme", &["acme.com"]).await.id;
    let globex = app.create_org("Globex", &["globex.com"]).await.id;
    for who in ["ann", "bo", "cy"] {
        app.create_customer(&format!("{who}@acme.com")).await;
    }
    app.create_customer("gil@globex.com").await;
    app.create_customer("pat@gmail.com").await;

    let res = app
        .post(
            &format!("/api/organizations/{acme}/conversations"),
            json!({"subject": "Maintenance", "body": "Sunday 2-4 am."}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let started: Value = res.json().await.unwrap();
    assert_eq!(started["notified"], 3);
    assert_eq!(started["conversation"]["organization_id"], acme);
    assert_eq!(started["conversation"]["messages"][0]["notified"], 3);
    let conversation = started["conversation"]["id"].as_i64().unwrap();
    let mut recipients: Vec<String> = outbox_rows(&app)
        .await
        .into_iter()
        .map(|r| {
            assert_eq!((r.0.as_str(), r.3), ("conversation", Some(conversation)));
            r.1
        })
        .collect();
    recipients.sort();
    assert_eq!(recipients, ["ann@acme.com", "bo@acme.com", "cy@acme.com"], "members only, once each");

    // Membership as it is when the next message is sent.
    let gil: i64 = query("SELECT id FROM customers WHERE email = 'gil@globex.com'").scalar(&app.db).await.unwrap();
    app.post("/api/customers/move", json!({"customer_ids": [gil], "organization_id": acme})).await;
    let res =
        app.post(&format!("/api/conversations/{conversation}/messages"), json!({"body": "Moved to Saturday."})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let more: Value = res.json().await.unwrap();
    assert_eq!(more["notified"], 4);
    assert_eq!(more["conversation"]["messages"].as_array().unwrap().len(), 2);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM outbox").await, 7);

    let list: Value = app.get(&format!("/api/organizations/{acme}/conversations")).await.json().await.unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    let empty: Value = app.get(&format!("/api/organizations/{globex}/conversations")).await.json().await.unwrap();
    assert_eq!(empty, json!([]));
    let one: Value = app.get(&format!("/api/conversations/{conversation}")).await.json().await.unwrap();
    assert_eq!(one["subject"], "Maintenance");

    // Bad input changes nothing.
    for body in [json!({"subject": "", "body": "x"}), json!({"subject": "x", "body": " "}), json!({"subject": "x"})] {
        error_body(
            app.post(&format!("/api/organizations/{acme}/conversations"), body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        )
        .await;
    }
    error_body(
        app.post("/api/organizations/999999/conversations", json!({"subject": "x", "body": "y"})).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    error_body(app.get("/api/organizations/999999/conversations").await, StatusCode::NOT_FOUND, "not_found").await;
    error_body(
        app.post("/api/conversations/999999/messages", json!({"body": "y"})).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    error_body(
        app.post(&format!("/api/conversations/{conversation}/messages"), json!({"body": ""})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM outbox").await, 7);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM conversation_messages").await, 2);
}

#[tokio::test]
async fn a_project_message_notifies_customer_followers_and_follower_organization_members_once() {
    let app = TestApp::spawn_admin().await;
    let acme = app.create_org("Acme", &["acme.com"]).await.id;
    let ann = app.create_customer("ann@acme.com").await.id;
    app.create_customer("bo@acme.com").await;
    let pat = app.create_customer("pat@gmail.com").await.id;
    app.create_customer("gil@globex.com").await;
    let p = app.create_project("Website").await.id;
    for body in [json!({"organization_id": acme}), json!({"customer_id": ann}), json!({"customer_id": pat})] {
        assert_eq!(app.post(&format!("/api/projects/{p}/followers"), body).await.status(), StatusCode::CREATED);
    }
    let res = app
        .post(&format!("/api/projects/{p}/conversations"), json!({"subject": "Launch", "body": "We go live Monday."}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let started: Value = res.json().await.unwrap();
    assert_eq!(started["notified"], 3, "ann (twice a follower), bo, pat");
    assert_eq!(started["conversation"]["project_id"], p);
    let mut recipients: Vec<String> = outbox_rows(&app).await.into_iter().map(|r| r.1).collect();
    recipients.sort();
    assert_eq!(recipients, ["ann@acme.com", "bo@acme.com", "pat@gmail.com"]);
    let list: Value = app.get(&format!("/api/projects/{p}/conversations")).await.json().await.unwrap();
    assert_eq!(list[0]["messages"][0]["body"], "We go live Monday.");
    error_body(app.get("/api/projects/999999/conversations").await, StatusCode::NOT_FOUND, "not_found").await;
}
