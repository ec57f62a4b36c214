//! Destructive actions are guarded and recorded: deleting an organization is for
//! admins unless they let agents, files follow the notes rule (uploader or admin),
//! and the audit log (admins only) records sign-ins, failed sign-ins, sign-outs,
//! deletions, agent changes and settings changes with who, what, target and source;
//! a deleted organization's history survives in its entry.

use reqwest::multipart::{Form, Part};
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

use crate::support::*;

/// The audit log page for `query` (e.g. `action=sign_in&limit=5`), as the admin `app` reads it.
async fn audit(app: &TestApp, query: &str) -> Value {
    json_with(app.get(&format!("/api/audit?{query}")).await, StatusCode::OK).await
}

/// The newest entry of `action`.
async fn newest(app: &TestApp, action: &str) -> Value {
    let page = audit(app, &format!("action={action}&limit=1")).await;
    page["items"].get(0).cloned().unwrap_or_else(|| panic!("no {action} entry in the log"))
}

async fn upload(app: &TestApp, org: i64, name: &str) -> Value {
    let form = Form::new().part("file", Part::bytes(b"hello".to_vec()).file_name(name.to_string()));
    let res: Response = app
        .client
        .post(app.url(&format!("/api/organizations/{org}/files")))
        .header("x-csrf-token", app.csrf.clone().unwrap_or_default())
        .multipart(form)
        .send()
        .await
        .unwrap();
    json_with(res, StatusCode::CREATED).await
}

async fn me(app: &TestApp) -> Value {
    json_with(app.get("/api/auth/me").await, StatusCode::OK).await["agent"].clone()
}

#[tokio::test]
async fn an_agent_cannot_delete_an_organization_and_nothing_changes() {
    let app = TestApp::spawn_admin().await;
    let org = app.create_org("Acme", &["acme.com"]).await;
    let customer = app.create_customer("ann@acme.com").await;
    app.post(&format!("/api/organizations/{}/notes", org.id), json!({"body": "Renewal in May."})).await;
    let (agent, _) = app.signed_in_agent("agent@example.com").await;
    let settings = json_with(agent.get("/api/settings").await, StatusCode::OK).await;
    assert_eq!(settings["agents_may_delete_organizations"], false, "off by default");

    let body =
        error_body(agent.delete(&format!("/api/organizations/{}", org.id)).await, StatusCode::FORBIDDEN, "forbidden")
            .await;
    assert!(body["message"].as_str().unwrap().contains("Only administrators can delete organizations"), "{body}");

    let still = json_with(app.get(&format!("/api/organizations/{}", org.id)).await, StatusCode::OK).await;
    assert_eq!(still["member_count"], 1);
    assert_eq!(still["domains"], json!(["acme.com"]));
    assert_eq!(app.customer(customer.id).await.organization_id, Some(org.id));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM organization_notes").await, 1);
    assert_eq!(audit(&app, "action=organization_deleted").await["total"], 0, "nothing was deleted, nothing recorded");
}

#[tokio::test]
async fn an_admin_lets_agents_delete_organizations() {
    let app = TestApp::spawn_admin().await;
    let org = app.create_org("Acme", &[]).await;
    let (agent, agent_id) = app.signed_in_agent("agent@example.com").await;

    let settings =
        json_with(app.patch("/api/settings", json!({"agents_may_delete_organizations": true})).await, StatusCode::OK)
            .await;
    assert_eq!(settings["agents_may_delete_organizations"], true);
    assert_eq!(settings["auto_create_organizations"], true, "other settings stay");
    let seen = json_with(agent.get("/api/settings").await, StatusCode::OK).await;
    assert_eq!(seen["agents_may_delete_organizations"], true, "agents read the setting too");
    error_body(
        agent.patch("/api/settings", json!({"agents_may_delete_organizations": false})).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;

    assert_eq!(agent.delete(&format!("/api/organizations/{}", org.id)).await.status(), StatusCode::NO_CONTENT);
    error_body(app.get(&format!("/api/organizations/{}", org.id)).await, StatusCode::NOT_FOUND, "not_found").await;

    let entry = newest(&app, "organization_deleted").await;
    assert_eq!(entry["actor_id"], agent_id);
    assert_eq!(entry["actor_email"], "agent@example.com");
    assert_eq!(entry["target_kind"], "organization");
    assert_eq!(entry["target_id"], org.id);
    assert_eq!(entry["target_label"], "Acme");
    assert_eq!(entry["source"], "127.0.0.1");

    let change = newest(&app, "settings_changed").await;
    assert_eq!(change["actor_email"], ADMIN_EMAIL);
    assert_eq!(change["detail"], json!({"agents_may_delete_organizations": true}));

    // Turned off again, agents are refused again.
    app.patch("/api/settings", json!({"agents_may_delete_organizations": false})).await;
    let other = app.create_org("Globex", &[]).await;
    error_body(agent.delete(&format!("/api/organizations/{}", other.id)).await, StatusCode::FORBIDDEN, "forbidden")
        .await;
}

#[tokio::test]
async fn files_are_deleted_only_by_their_uploader_or_an_admin() {
    let app = TestApp::spawn_admin().await;
    let org = app.create_org("Acme", &[]).await.id;
    let (uploader, uploader_id) = app.signed_in_agent("uploader@example.com").await;
    let (other, _) = app.signed_in_agent("other@example.com").await;

    let mine = upload(&uploader, org, "contract.pdf").await;
    assert_eq!(mine["uploader_id"], uploader_id);
    let body =
        error_body(other.delete(&format!("/api/files/{}", mine["id"])).await, StatusCode::FORBIDDEN, "forbidden").await;
    assert!(body["message"].as_str().unwrap().contains("uploader or an administrator"), "{body}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM organization_files").await, 1, "the file stays");
    assert_eq!(audit(&app, "action=file_deleted").await["total"], 0);

    assert_eq!(uploader.delete(&format!("/api/files/{}", mine["id"])).await.status(), StatusCode::NO_CONTENT);
    let theirs = upload(&other, org, "prices.txt").await;
    assert_eq!(app.delete(&format!("/api/files/{}", theirs["id"])).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM organization_files").await, 0);
    error_body(app.delete(&format!("/api/files/{}", theirs["id"])).await, StatusCode::NOT_FOUND, "not_found").await;

    let log = audit(&app, "action=file_deleted").await;
    assert_eq!(log["total"], 2);
    assert_eq!(log["items"][0]["target_label"], "prices.txt");
    assert_eq!(log["items"][0]["actor_email"], ADMIN_EMAIL);
    assert_eq!(log["items"][0]["detail"]["organization"], "Acme");
    assert_eq!(log["items"][1]["target_label"], "contract.pdf");
    assert_eq!(log["items"][1]["actor_id"], uploader_id);
}

#[tokio::test]
async fn sign_ins_sign_outs_and_failed_sign_ins_are_recorded() {
    let mut app = TestApp::spawn_admin().await;
    let admin = me(&app).await;
    let signed_in = newest(&app, "sign_in").await;
    assert_eq!(signed_in["actor_id"], admin["id"]);
    assert_eq!(signed_in["actor_email"], ADMIN_EMAIL);
    assert_eq!(signed_in["source"], "127.0.0.1");
    assert!(signed_in["created_at"].as_str().unwrap().ends_with('Z'));

    let mut stranger = app.other_client();
    let (status, _, _) = stranger.login("nobody@example.com", "wrong-password-1").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, _) = stranger.login(ADMIN_EMAIL, "wrong-password-1").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // An email over its limit is refused before any sign-in is tried: nothing to record.
    let long = format!("{}@example.com", "x".repeat(2000));
    let (status, _, body) = stranger.login(&long, "wrong-password-1").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["fields"]["email"].is_string(), "{body}");

    let failed = audit(&app, "action=sign_in_failed").await;
    assert_eq!(failed["total"], 2);
    let items = failed["items"].as_array().unwrap();
    assert_eq!(items[0]["actor_email"], ADMIN_EMAIL);
    assert_eq!(items[0]["actor_id"], Value::Null, "no one signed in");
    assert_eq!(items[1]["actor_email"], "nobody@example.com");
    assert_eq!(items[1]["source"], "127.0.0.1");
    assert_eq!(items[1]["detail"]["reason"], "wrong_credentials");

    let sign_outs = audit(&app, "action=sign_out").await["total"].as_i64().unwrap();
    assert_eq!(app.post("/api/auth/logout", json!({})).await.status(), StatusCode::NO_CONTENT);
    app.login_admin().await;
    let log = audit(&app, "action=sign_out").await;
    assert_eq!(log["total"], sign_outs + 1);
    assert_eq!(log["items"][0]["actor_email"], ADMIN_EMAIL);
}

#[tokio::test]
async fn deletions_agent_changes_and_settings_changes_are_recorded_with_actor_target_and_source() {
    let app = TestApp::spawn_admin().await;
    let admin = me(&app).await;
    let org = app.create_org("Acme", &[]).await.id;
    let customer = app.create_named_customer("ann@example.com", "Ann", "Lee").await;
    let note = json_with(
        app.post(&format!("/api/organizations/{org}/notes"), json!({"body": "Call back."})).await,
        StatusCode::CREATED,
    )
    .await;
    let property = json_with(
        app.post("/api/organization-properties", json!({"label": "Tier", "kind": "text"})).await,
        StatusCode::CREATED,
    )
    .await;
    let agent = app.create_agent("kim@example.com", "agent").await;

    assert_eq!(app.delete(&format!("/api/customers/{}", customer.id)).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.delete(&format!("/api/organizations/{org}/notes/{}", note["id"])).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.delete(&format!("/api/organization-properties/{}", property["id"])).await.status(),
        StatusCode::NO_CONTENT
    );
    ok_json(app.patch(&format!("/api/agents/{agent}"), json!({"role": "admin"})).await).await;
    ok_json(app.patch(&format!("/api/agents/{agent}"), json!({"active": false})).await).await;
    ok_json(app.patch(&format!("/api/agents/{agent}"), json!({"active": true})).await).await;
    ok_json(app.patch("/api/settings", json!({"auto_create_organizations": false})).await).await;

    // (action, target kind, target id, target label)
    let expected: [(&str, &str, Value, &str); 7] = [
        ("customer_deleted", "customer", json!(customer.id), "ann@example.com"),
        ("note_deleted", "note", note["id"].clone(), "Note on Acme"),
        ("property_deleted", "property", property["id"].clone(), "Tier"),
        ("agent_created", "agent", json!(agent), "kim@example.com"),
        ("role_changed", "agent", json!(agent), "kim@example.com"),
        ("agent_deactivated", "agent", json!(agent), "kim@example.com"),
        ("agent_activated", "agent", json!(agent), "kim@example.com"),
    ];
    for (action, kind, id, label) in expected {
        let entry = newest(&app, action).await;
        assert_eq!(entry["action"], action);
        assert_eq!(entry["actor_id"], admin["id"], "{action}");
        assert_eq!(entry["actor_email"], ADMIN_EMAIL, "{action}");
        assert_eq!(entry["target_kind"], kind, "{action}");
        assert_eq!(entry["target_id"], id, "{action}");
        assert_eq!(entry["target_label"], label, "{action}");
        assert_eq!(entry["source"], "127.0.0.1", "{action}");
    }
    assert_eq!(newest(&app, "customer_deleted").await["detail"]["first_name"], "Ann");
    assert_eq!(newest(&app, "note_deleted").await["detail"]["body"], "Call back.");
    assert_eq!(newest(&app, "role_changed").await["detail"], json!({"from": "agent", "to": "admin"}));
    assert_eq!(newest(&app, "settings_changed").await["detail"], json!({"auto_create_organizations": false}));

    // A refused change records nothing.
    let me_id = admin["id"].as_i64().unwrap();
    let before = audit(&app, "").await["total"].as_i64().unwrap();
    error_body(
        app.patch(&format!("/api/agents/{me_id}"), json!({"active": false})).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    error_body(app.delete("/api/customers/999999").await, StatusCode::NOT_FOUND, "not_found").await;
    assert_eq!(audit(&app, "").await["total"], before);
}

#[tokio::test]
async fn a_deleted_organizations_history_survives_in_its_audit_entry() {
    let app = TestApp::spawn_admin().await;
    let org = app.create_org("Acme", &["acme.com"]).await.id;
    let parent = app.create_org("Holding", &[]).await.id;
    ok_json(app.patch(&format!("/api/organizations/{org}"), json!({"name": "Acme Corp"})).await).await;
    let ann = app.create_customer("ann@acme.com").await;
    app.create_customer("bob@acme.com").await;
    assert_eq!(app.customer(ann.id).await.organization_id, Some(org));
    json_with(app.post(&format!("/api/organizations/{org}/notes"), json!({"body": "VIP"})).await, StatusCode::CREATED)
        .await;
    upload(&app, org, "contract.pdf").await;
    json_with(
        app.post(&format!("/api/organizations/{org}/conversations"), json!({"subject": "Hi", "body": "Hello all."}))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let detail = ok_json(app.get(&format!("/api/organizations/{org}/detail")).await).await;
    let version = detail["version"].as_i64().unwrap();
    ok_json(
        app.patch(&format!("/api/organizations/{org}/detail"), json!({"parent_id": parent, "version": version})).await,
    )
    .await;
    let history = ok_json(app.get(&format!("/api/organizations/{org}/history?limit=200")).await).await;
    let history_total = history["total"].as_i64().unwrap();
    assert!(history_total >= 4, "{history}");

    let deleted_at = orgdesk_server::time_fmt::now_ms();
    assert_eq!(app.delete(&format!("/api/organizations/{org}")).await.status(), StatusCode::NO_CONTENT);
    let entry = newest(&app, "organization_deleted").await;
    assert_eq!(entry["target_label"], "Acme Corp");
    let d = &entry["detail"];
    assert_eq!(
        (&d["name"], &d["domains"], &d["parent"], &d["members"]),
        (&json!("Acme Corp"), &json!(["acme.com"]), &json!("Holding"), &json!(2))
    );
    let rows =
        app.rows_for::<(i64,)>("SELECT COUNT(*) FROM organization_history WHERE organization_id = $1", org).await;
    assert_eq!(
        rows[0].0,
        history_total + 2,
        "kept while it can be restored (with the deletion and the members' leaving)"
    );

    // Purged after the retention: the audit log keeps its history.
    let later = deleted_at + 31 * 86_400_000;
    assert_eq!(orgdesk_server::db::organizations::deleted::purge_expired(&app.db, later).await.unwrap(), 1);
    let rows =
        app.rows_for::<(i64,)>("SELECT COUNT(*) FROM organization_history WHERE organization_id = $1", org).await;
    assert_eq!(rows[0].0, 0, "the organization's own history is gone with it");
    let history_total = history_total + 2;
    let entry = newest(&app, "organization_purged").await;
    assert_eq!(entry["target_label"], "Acme Corp");
    let d = &entry["detail"];
    assert_eq!(d["name"], "Acme Corp");
    assert_eq!(d["domains"], json!(["acme.com"]));
    assert_eq!(d["parent"], "Holding");
    assert_eq!(d["members"], 2);
    assert_eq!(d["notes_erased"], 1);
    assert_eq!(d["files_erased"], 1);
    assert_eq!(d["conversations_erased"], 1);
    assert_eq!(d["history_total"], history_total);
    let kept = d["history"].as_array().unwrap();
    assert_eq!(kept.len() as i64, history_total, "every entry, newest first");
    let summaries: Vec<&str> = kept.iter().map(|h| h["summary"].as_str().unwrap()).collect();
    let listed: Vec<&str> =
        history["items"].as_array().unwrap().iter().map(|h| h["summary"].as_str().unwrap()).collect();
    assert!(summaries[0].starts_with("Deleted"), "{summaries:?}");
    assert!(summaries[1].ends_with("left for no organization"), "{summaries:?}");
    assert_eq!(&summaries[2..], listed, "the entries the History tab showed before, in its order");
    assert!(summaries.contains(&"Renamed from Acme to Acme Corp"), "{summaries:?}");
    assert!(kept[0]["agent"].as_str().is_some_and(|a| !a.is_empty()));
}

#[tokio::test]
async fn only_admins_read_the_audit_log() {
    let app = TestApp::spawn_admin().await;
    let (agent, _) = app.signed_in_agent("agent@example.com").await;
    error_body(agent.get("/api/audit").await, StatusCode::FORBIDDEN, "forbidden").await;
    let signed_out = app.other_client();
    error_body(signed_out.get("/api/audit").await, StatusCode::UNAUTHORIZED, "unauthorized").await;
}

#[tokio::test]
async fn the_audit_log_pages_newest_first_and_filters_by_action_and_actor() {
    let app = TestApp::spawn_admin().await;
    let (agent, agent_id) = app.signed_in_agent("agent@example.com").await;
    for i in 0..5 {
        let org = app.create_org(&format!("Org {i}"), &[]).await.id;
        upload(&agent, org, &format!("file {i}.txt")).await;
        let file = ok_json(agent.get(&format!("/api/organizations/{org}/files")).await).await[0]["id"].clone();
        assert_eq!(agent.delete(&format!("/api/files/{file}")).await.status(), StatusCode::NO_CONTENT);
    }
    let all = audit(&app, "").await;
    let total = all["total"].as_i64().unwrap();
    let ids: Vec<i64> = all["items"].as_array().unwrap().iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert_eq!(ids.len() as i64, total);
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");

    let page = audit(&app, "offset=2&limit=2").await;
    assert_eq!(page["total"], total);
    let page_ids: Vec<i64> = page["items"].as_array().unwrap().iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert_eq!(page_ids, ids[2..4]);

    let files = audit(&app, "action=file_deleted&limit=3").await;
    assert_eq!(files["total"], 5);
    let labels: Vec<&str> =
        files["items"].as_array().unwrap().iter().map(|e| e["target_label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["file 4.txt", "file 3.txt", "file 2.txt"]);

    let by_agent = audit(&app, &format!("actor={agent_id}")).await;
    assert_eq!(by_agent["total"], 6, "one sign-in and five file deletions");
    assert!(by_agent["items"].as_array().unwrap().iter().all(|e| e["actor_id"] == agent_id));
    let both = audit(&app, &format!("actor={agent_id}&action=sign_in")).await;
    assert_eq!(both["total"], 1);
    let admin_files = audit(&app, "action=file_deleted&actor=1").await;
    assert_eq!(admin_files["total"], 0);
    assert_eq!(admin_files["items"], json!([]));
}

#[tokio::test]
async fn bad_audit_filters_get_422_naming_the_field() {
    let app = TestApp::spawn_admin().await;
    let before = audit(&app, "").await["total"].clone();
    for (query, field) in [
        ("action=deleted", "action"),
        ("action=SIGN_IN", "action"),
        ("actor=abc", "actor"),
        ("actor=0", "actor"),
        ("actor=99999999999999999999", "actor"),
        ("limit=201", "limit"),
        ("offset=-1", "offset"),
    ] {
        let body =
            error_body(app.get(&format!("/api/audit?{query}")).await, StatusCode::UNPROCESSABLE_ENTITY, "validation")
                .await;
        assert!(body["fields"][field].is_string(), "{query}: {body}");
    }
    error_body(app.get("/api/audit?action=sign_in&action=sign_out").await, StatusCode::BAD_REQUEST, "bad_request")
        .await;
    assert_eq!(audit(&app, "").await["total"], before, "reading changes nothing");
}
