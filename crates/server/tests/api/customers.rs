use orgdesk_server::db::query;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::*;

#[tokio::test]
async fn a_new_customer_joins_the_organization_that_owns_their_domain() {
    let app = TestApp::spawn_admin().await;
    let acme = app.create_org("Acme", &["acme.com", "*.acme.co.uk"]).await.id;
    let c = app.create_customer("Ann@ACME.com").await;
    assert_eq!(c.email, "ann@acme.com");
    assert_eq!(c.organization_id, Some(acme));
    assert_eq!(c.organization_name.as_deref(), Some("Acme"));
    let c = app.create_customer("bo@sales.acme.co.uk").await;
    assert_eq!(c.organization_id, Some(acme), "the wildcard covers subdomains");
}

#[tokio::test]
async fn an_exact_domain_beats_a_wildcard_and_the_most_specific_wildcard_wins() {
    let app = TestApp::spawn_admin().await;
    let parent = app.create_org("Parent", &["*.example.com"]).await.id;
    let eu = app.create_org("EU branch", &["*.eu.example.com"]).await.id;
    let exact = app.create_org("Exact", &["paris.eu.example.com"]).await.id;
    assert_eq!(app.create_customer("a@paris.eu.example.com").await.organization_id, Some(exact));
    assert_eq!(app.create_customer("b@rome.eu.example.com").await.organization_id, Some(eu));
    assert_eq!(app.create_customer("c@us.example.com").await.organization_id, Some(parent));
}

#[tokio::test]
async fn an_unknown_domain_creates_an_organization_named_after_it() {
    let app = TestApp::spawn_admin().await;
    let c = app.create_customer("ann@newco.io").await;
    assert_eq!(c.organization_name.as_deref(), Some("newco.io"));
    let org: Value = app.get(&format!("/api/organizations/{}", c.organization_id.unwrap())).await.json().await.unwrap();
    assert_eq!(org["domains"], json!(["newco.io"]));
    let c2 = app.create_customer("bo@newco.io").await;
    assert_eq!(c2.organization_id, c.organization_id, "the second one joins it");
}

#[tokio::test]
async fn public_providers_and_the_switch_leave_customers_unassigned() {
    let app = TestApp::spawn_admin().await;
    assert_eq!(app.create_customer("pat@gmail.com").await.organization_id, None);
    assert_eq!(app.create_customer("pat@yahoo.co.uk").await.organization_id, None);
    let res = app.patch("/api/settings", json!({"extra_public_domains": ["@Mail.Example.org"]})).await;
    assert_eq!(res.json::<Value>().await.unwrap()["extra_public_domains"], json!(["mail.example.org"]));
    assert_eq!(app.create_customer("x@mail.example.org").await.organization_id, None);

    let res = app.patch("/api/settings", json!({"auto_create_organizations": false})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(app.create_customer("cy@othercorp.io").await.organization_id, None);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM organizations").await, 0);
    // Matching an existing domain still works with the switch off.
    let acme = app.create_org("Acme", &["acme.com"]).await.id;
    assert_eq!(app.create_customer("dee@acme.com").await.organization_id, Some(acme));
}

#[tokio::test]
async fn only_admins_change_settings() {
    let mut app = TestApp::spawn_admin().await;
    app.create_agent("sam@example.com", "agent").await;
    let mut sam = app.other_client();
    sam.login("sam@example.com", AGENT_PASSWORD).await;
    assert_eq!(sam.get("/api/settings").await.status(), StatusCode::OK);
    error_body(
        sam.patch("/api/settings", json!({"auto_create_organizations": false})).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
    let s: Value = app.get("/api/settings").await.json().await.unwrap();
    assert_eq!(s["auto_create_organizations"], true);
    let _ = &mut app;
}

#[tokio::test]
async fn bad_settings_change_nothing() {
    let app = TestApp::spawn_admin().await;
    let body = error_body(
        app.patch(
            "/api/settings",
            json!({"auto_create_organizations": false, "extra_public_domains": ["not a domain"]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert!(body["fields"]["extra_public_domains"].is_string());
    let s: Value = app.get("/api/settings").await.json().await.unwrap();
    assert_eq!(s["auto_create_organizations"], true, "the valid half was not applied either");
}

#[tokio::test]
async fn a_duplicate_email_is_a_409_and_bad_input_a_422_with_nothing_created() {
    let app = TestApp::spawn_admin().await;
    app.create_customer("ann@acme.com").await;
    let body = error_body(
        app.post("/api/customers", json!({"email": " ANN@acme.com "})).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    assert!(body["fields"]["email"].is_string());
    let body = error_body(
        app.post("/api/customers", json!({"email": "nope", "first_name": "x".repeat(200)})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert!(body["fields"]["first_name"].is_string(), "a field over its limit is named first: {body}");
    let body = error_body(
        app.post("/api/customers", json!({"email": "nope", "first_name": "Ann"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert!(body["fields"]["email"].is_string());
    error_body(
        app.post("/api/customers", json!({"first_name": "No email"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM customers").await, 1);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM organizations").await, 1);
}

#[tokio::test]
async fn create_and_send_invitation_queues_a_one_time_invitation() {
    let app = TestApp::spawn_admin().await;
    let res = app
        .post("/api/customers", json!({"email": "ann@acme.com", "first_name": "Ann", "send_invitation": true}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM invitations").await, 1);
    let (recipient, body): (String, String) =
        query("SELECT recipient, body FROM outbox WHERE kind = 'invitation'").fetch_one(&app.db).await.unwrap();
    assert_eq!(recipient, "ann@acme.com");
    assert!(body.contains("/portal/invitations/") && body.contains("Hello Ann"), "{body}");
    // The token in the mail is not what the database stores.
    let token = body.split("/portal/invitations/").nth(1).unwrap().trim();
    let stored: String = query("SELECT token_hash FROM invitations").scalar(&app.db).await.unwrap();
    assert_ne!(stored, token);
    assert_eq!(stored, orgdesk_server::auth::token_hash(token));

    app.create_customer("bo@acme.com").await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM outbox").await, 1, "plain Create sends nothing");
}

#[tokio::test]
async fn the_list_pages_by_name_filters_by_group_and_searches() {
    let app = TestApp::spawn_admin().await;
    let acme = app.create_org("Acme", &["acme.com"]).await.id;
    for (email, first, last) in
        [("zoe@acme.com", "Zoe", "Adams"), ("al@acme.com", "Al", "Zorn"), ("mo@acme.com", "", "")]
    {
        let res = app.post("/api/customers", json!({"email": email, "first_name": first, "last_name": last})).await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    app.create_customer("pat@gmail.com").await;
    let page: Value = app.get(&format!("/api/customers?organization_id={acme}&limit=2")).await.json().await.unwrap();
    assert_eq!(page["total"], 3);
    let names: Vec<&str> = page["items"].as_array().unwrap().iter().map(|c| c["email"].as_str().unwrap()).collect();
    assert_eq!(names, ["al@acme.com", "mo@acme.com"], "sorted by name, the email standing in for a missing name");
    let page: Value =
        app.get(&format!("/api/customers?organization_id={acme}&limit=2&offset=2")).await.json().await.unwrap();
    assert_eq!(page["items"][0]["email"], "zoe@acme.com");
    let page: Value = app.get("/api/customers?organization_id=none").await.json().await.unwrap();
    assert_eq!(page["total"], 1);
    for (q, expected) in [("zor", 1), ("ADAMS", 1), ("zoe a", 1), ("al@", 1), ("acm", 3), ("nobody", 0)] {
        let page: Value = app.get(&format!("/api/customers?q={}", urlencode(q))).await.json().await.unwrap();
        assert_eq!(page["total"], expected, "q={q}");
    }

    let orgs: Value = app.get("/api/organizations?q=zoe").await.json().await.unwrap();
    assert_eq!(orgs["total"], 1);
    assert_eq!(orgs["items"][0]["member_count"], 3);
    assert_eq!(orgs["items"][0]["match_count"], 1);
    let past_the_end: Value = app.get("/api/organizations?q=zoe&offset=10").await.json().await.unwrap();
    assert_eq!((past_the_end["total"].as_i64(), past_the_end["items"].as_array().map(Vec::len)), (Some(1), Some(0)));
    let by_org_name: Value = app.get("/api/organizations?q=ACM").await.json().await.unwrap();
    assert_eq!(by_org_name["items"][0]["match_count"], 3, "an organization found by name matches all its members");
    let orgs: Value = app.get("/api/organizations?q=pat").await.json().await.unwrap();
    assert_eq!((orgs["total"].as_i64(), orgs["unassigned_count"].as_i64()), (Some(0), Some(1)));
    let orgs: Value = app.get("/api/organizations").await.json().await.unwrap();
    assert_eq!((orgs["total"].as_i64(), orgs["unassigned_count"].as_i64()), (Some(1), Some(1)));
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

#[tokio::test]
async fn bad_list_parameters_are_clear_errors() {
    let app = TestApp::spawn_admin().await;
    for path in [
        "/api/customers?limit=0",
        "/api/customers?limit=500",
        "/api/customers?offset=-1",
        "/api/customers?organization_id=abc",
        "/api/organizations?limit=1000",
        "/api/customers?limit=abc",
        "/api/outbox?offset=1.5",
    ] {
        error_body(app.get(path).await, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    }
}

#[tokio::test]
async fn editing_a_customer_validates_and_keeps_emails_unique() {
    let app = TestApp::spawn_admin().await;
    app.create_org("Acme", &["acme.com"]).await;
    let ann = app.create_customer("ann@acme.com").await;
    app.create_customer("bo@acme.com").await;
    let id = ann.id;
    let res = app.patch(&format!("/api/customers/{id}"), json!({"first_name": " Ann ", "position": "CTO"})).await;
    let updated: Value = res.json().await.unwrap();
    assert_eq!((updated["first_name"].as_str(), updated["position"].as_str()), (Some("Ann"), Some("CTO")));
    error_body(
        app.patch(&format!("/api/customers/{id}"), json!({"email": "bo@acme.com"})).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    error_body(
        app.patch(&format!("/api/customers/{id}"), json!({"email": "bad"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    error_body(
        app.patch(&format!("/api/customers/{id}"), json!({"organization_id": 5})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    error_body(app.patch("/api/customers/99999", json!({"first_name": "X"})).await, StatusCode::NOT_FOUND, "not_found")
        .await;
    let now: Value = app.get(&format!("/api/customers/{id}")).await.json().await.unwrap();
    assert_eq!(now["email"], "ann@acme.com");
}

#[tokio::test]
async fn a_customers_phone_is_created_listed_edited_and_cleared_and_a_bad_one_changes_nothing() {
    let app = TestApp::spawn_admin().await;
    let res =
        app.post("/api/customers", json!({"email": "ann@acme.com", "phone": "  +1 (555)  010-9999 ext. 12 "})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let ann: Value = res.json().await.unwrap();
    assert_eq!(ann["phone"], "+1 (555) 010-9999 ext. 12", "trimmed, one space between parts");
    let id = ann["id"].as_i64().unwrap();
    let listed: Value = app.get("/api/customers").await.json().await.unwrap();
    assert_eq!(listed["items"][0]["phone"], "+1 (555) 010-9999 ext. 12");
    // Without a phone: "".
    let bo: Value = app.post("/api/customers", json!({"email": "bo@acme.com"})).await.json().await.unwrap();
    assert_eq!(bo["phone"], "");

    let res = app.patch(&format!("/api/customers/{id}"), json!({"phone": "030/123 45 67"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["phone"], "030/123 45 67");
    // Other edits leave the phone alone.
    let res = app.patch(&format!("/api/customers/{id}"), json!({"first_name": "Ann"})).await;
    assert_eq!(res.json::<Value>().await.unwrap()["phone"], "030/123 45 67");

    // Bad values: 422 naming `phone`, and nothing of the request is saved.
    for bad in [json!("call me"), json!("555 0100 ask for Bob"), json!("1".repeat(41)), json!("12\u{0}34")] {
        let body = error_body(
            app.patch(&format!("/api/customers/{id}"), json!({"first_name": "Changed", "phone": bad})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        )
        .await;
        assert!(body["fields"]["phone"].is_string(), "{bad}: {body}");
        let body = error_body(
            app.post("/api/customers", json!({"email": "cy@acme.com", "phone": bad})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        )
        .await;
        assert!(body["fields"]["phone"].is_string(), "{bad}: {body}");
    }
    let now: Value = app.get(&format!("/api/customers/{id}")).await.json().await.unwrap();
    assert_eq!((now["first_name"].as_str(), now["phone"].as_str()), (Some("Ann"), Some("030/123 45 67")));
    assert_eq!(app.scalar("SELECT COUNT(*) FROM customers").await, 2, "no customer was created");

    // "" removes it.
    let res = app.patch(&format!("/api/customers/{id}"), json!({"phone": "  "})).await;
    assert_eq!(res.json::<Value>().await.unwrap()["phone"], "");
    let stored: Vec<(String,)> = app.rows_for("SELECT phone FROM customers WHERE id = $1", id).await;
    assert_eq!(stored[0].0, "");
}

#[tokio::test]
async fn deleting_a_customer_removes_only_them() {
    let app = TestApp::spawn_admin().await;
    let acme = app.create_org("Acme", &["acme.com"]).await.id;
    let ann = app.create_customer("ann@acme.com").await;
    app.create_customer("bo@acme.com").await;
    let res = app.call(reqwest::Method::DELETE, &format!("/api/customers/{}", ann.id), None).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let o: Value = app.get(&format!("/api/organizations/{acme}")).await.json().await.unwrap();
    assert_eq!(o["member_count"], 1);
    error_body(
        app.call(reqwest::Method::DELETE, &format!("/api/customers/{}", ann.id), None).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn a_move_is_one_transaction_and_reports_where_each_customer_was() {
    let app = TestApp::spawn_admin().await;
    let acme = app.create_org("Acme", &["acme.com"]).await.id;
    let globex = app.create_org("Globex", &["globex.com"]).await.id;
    let a = app.create_customer("a@acme.com").await.id;
    let b = app.create_customer("b@gmail.com").await.id;
    let res = app.post("/api/customers/move", json!({"customer_ids": [a, b], "organization_id": globex})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let result: Value = res.json().await.unwrap();
    assert_eq!(
        result["moved"],
        json!([{"customer_id": a, "from_organization_id": acme}, {"customer_id": b, "from_organization_id": null}])
    );
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM memberships WHERE organization_id = {globex}")).await, 2);

    // One unknown id: nothing moves.
    let body = error_body(
        app.post("/api/customers/move", json!({"customer_ids": [a, 987654], "organization_id": acme})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert!(body["fields"]["customer_ids"].as_str().unwrap().contains("987654"));
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM memberships WHERE organization_id = {globex}")).await, 2);

    // Out of every organization: customers stay, memberships go.
    let res = app.post("/api/customers/move", json!({"customer_ids": [a, b], "organization_id": null})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM memberships").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM customers").await, 2);
}

#[tokio::test]
async fn a_mixed_move_changes_members_adds_the_unassigned_and_keeps_items_lists_counts_and_histories_true() {
    let app = TestApp::spawn_admin().await;
    let acme = app.create_org("Acme", &["acme.com"]).await.id;
    let globex = app.create_org("Globex", &["globex.com"]).await.id;
    let mia = app.create_named_customer("mia@acme.com", "Mia", "Stone").await.id;
    let ann = app.create_named_customer("ann@globex.com", "Ann", "Lee").await.id;
    let zed = app.create_named_customer("zed@gmail.com", "Zed", "Young").await.id;
    let version = ok_json(app.get(&format!("/api/organizations/{acme}/detail")).await).await["version"].clone();
    let res = app
        .patch(&format!("/api/organizations/{acme}/members/{mia}"), json!({"version": version, "role": "manager"}))
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    let res = app.patch(&format!("/api/customers/{mia}"), json!({"position": "CTO"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let project = app.create_project("Support").await.id;
    let open = app.create_ticket(project, mia, "Printer", ItemStatus::Open).await.id;
    let resolved = app.create_ticket(project, mia, "VPN", ItemStatus::Open).await.id;
    app.set_status(resolved, ItemStatus::Resolved).await;
    let zeds = app.create_ticket(project, zed, "Invoice", ItemStatus::New).await.id;

    // A member elsewhere, a member of the target already and a customer in no organization.
    let result = app.move_customers(&[mia, ann, zed], Some(globex)).await;
    let mut from: Vec<(i64, Option<i64>)> =
        result.moved.iter().map(|m| (m.customer_id, m.from_organization_id)).collect();
    from.sort_unstable();
    assert_eq!(from, [(mia, Some(acme)), (ann, Some(globex)), (zed, None)]);
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM memberships WHERE organization_id = {globex}")).await, 3);
    let mias: Vec<(String, String)> =
        app.rows_for("SELECT role, position FROM memberships WHERE customer_id = $1", mia).await;
    assert_eq!(mias, [("member".to_string(), String::new())], "a moved manager starts over as a plain member");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM unassigned_customers").await, 0);
    assert_unassigned_count_is_true(&app, "the mixed move in").await;
    let org_of = |item: i64| app.rows_for::<(Option<i64>,)>("SELECT organization_id FROM items WHERE id = $1", item);
    assert_eq!((org_of(open).await, org_of(zeds).await), (vec![(Some(globex),)], vec![(Some(globex),)]));
    assert_eq!(org_of(resolved).await, [(Some(acme),)], "a resolved item keeps its organization");
    app.assert_counters_match().await;
    let moved_in: Vec<(i64, String)> = app
        .rows_for("SELECT organization_id, summary FROM organization_history WHERE action = 'members_moved' AND organization_id = $1", globex)
        .await;
    assert_eq!(
        moved_in,
        [(globex, "Mia Stone and Zed Young moved in (1 from Acme, 1 with no organization)".to_string())]
    );
    let changed = |id: i64| {
        app.rows_for::<(String,)>(
            "SELECT summary FROM customer_history WHERE action = 'organization_changed' AND customer_id = $1",
            id,
        )
    };
    assert_eq!(changed(mia).await.len(), 1);
    assert_eq!(changed(zed).await.len(), 1);
    assert!(changed(ann).await.is_empty(), "already in the target: no entry");

    // Out of every organization: the memberships go and both join the "No organization" group.
    app.move_customers(&[mia, zed], None).await;
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM memberships WHERE organization_id = {globex}")).await, 1);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM unassigned_customers").await, 2);
    assert_unassigned_count_is_true(&app, "the move out").await;
    assert_eq!(org_of(open).await, [(None,)]);
    app.assert_counters_match().await;
    assert_eq!(changed(zed).await.len(), 2);
}

#[tokio::test]
async fn bad_moves_are_refused_clearly() {
    let app = TestApp::spawn_admin().await;
    let a = app.create_customer("a@gmail.com").await.id;
    error_body(
        app.post("/api/customers/move", json!({"customer_ids": [], "organization_id": null})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    error_body(
        app.post("/api/customers/move", json!({"customer_ids": [a, a], "organization_id": null})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    error_body(
        app.post("/api/customers/move", json!({"customer_ids": [a], "organization_id": 424242})).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let too_many: Vec<i64> = (1..=10_001).collect();
    error_body(
        app.post("/api/customers/move", json!({"customer_ids": too_many, "organization_id": null})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    error_body(
        app.post("/api/customers/move", json!({"customer_ids": "1,2", "organization_id": null})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
}

#[tokio::test]
async fn moving_a_large_selection_is_all_or_nothing() {
    let app = TestApp::spawn_admin().await;
    let globex = app.create_org("Globex", &["globex.com"]).await.id;
    orgdesk_server::seed::bulk(&app.db, 0, 1_200).await.unwrap();
    let ids: Vec<i64> = query("SELECT id FROM customers ORDER BY id").scalars(&app.db).await.unwrap();
    assert_eq!(ids.len(), 1_200);
    let res = app.post("/api/customers/move", json!({"customer_ids": ids, "organization_id": globex})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(app.scalar(&format!("SELECT COUNT(*) FROM memberships WHERE organization_id = {globex}")).await, 1_200);
    let mut with_bad = ids.clone();
    with_bad.push(99_999_999);
    let res = app.post("/api/customers/move", json!({"customer_ids": with_bad, "organization_id": null})).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.scalar(&format!("SELECT COUNT(*) FROM memberships WHERE organization_id = {globex}")).await,
        1_200,
        "the first chunks were rolled back"
    );
}

/// The list's unassigned and organization counts (kept by triggers) against real counts.
async fn assert_unassigned_count_is_true(app: &TestApp, step: &str) {
    let counted = app.scalar("SELECT COUNT(*) FROM customers c WHERE NOT EXISTS (SELECT 1 FROM memberships m WHERE m.customer_id = c.id)").await;
    let organizations = app.scalar("SELECT COUNT(*) FROM organizations WHERE deleted_at IS NULL").await;
    let page: Value = app.get("/api/organizations").await.json().await.unwrap();
    assert_eq!(page["unassigned_count"].as_i64(), Some(counted), "after {step}");
    assert_eq!(page["total"].as_i64(), Some(organizations), "organizations after {step}");
}

#[tokio::test]
async fn the_unassigned_count_stays_true_through_every_kind_of_change() {
    let app = TestApp::spawn_admin().await;
    // Each write is checked for its own effect first, so the count is compared after a
    // change that really happened (a failing write cannot pass for an unchanged count).
    let a = app.create_customer("a@gmail.com").await;
    assert_eq!(a.organization_id, None);
    assert_unassigned_count_is_true(&app, "creating an unassigned customer").await;
    let acme = app.create_org("Acme", &["acme.com"]).await.id;
    let b = app.create_customer("b@acme.com").await;
    assert_eq!(b.organization_id, Some(acme));
    let c = app.create_customer("c@newco.io").await;
    assert_eq!(c.organization_name.as_deref(), Some("newco.io"), "an organization was created for it");
    assert_unassigned_count_is_true(&app, "creating members").await;
    let (a, b) = (a.id, b.id);
    let moved = app.move_customers(&[a, b], None).await;
    assert_eq!(moved.moved.len(), 2);
    assert_eq!(app.customer(b).await.organization_id, None);
    assert_unassigned_count_is_true(&app, "moving out").await;
    let moved = app.move_customers(&[a, b], Some(acme)).await;
    assert_eq!(moved.organization_id, Some(acme));
    assert_eq!(
        (app.customer(a).await.organization_id, app.customer(b).await.organization_id),
        (Some(acme), Some(acme))
    );
    assert_unassigned_count_is_true(&app, "moving in").await;
    assert_eq!(app.delete(&format!("/api/customers/{b}")).await.status(), StatusCode::NO_CONTENT);
    assert_unassigned_count_is_true(&app, "deleting a member").await;
    let d = app.create_customer("d@gmail.com").await.id;
    assert_unassigned_count_is_true(&app, "creating another unassigned customer").await;
    assert_eq!(app.delete(&format!("/api/customers/{d}")).await.status(), StatusCode::NO_CONTENT);
    assert_unassigned_count_is_true(&app, "deleting an unassigned customer").await;
    assert_eq!(app.delete(&format!("/api/organizations/{acme}")).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.customer(a).await.organization_id, None, "its member is unassigned");
    assert_unassigned_count_is_true(&app, "deleting an organization").await;
    let before = app.scalar("SELECT COUNT(*) FROM customers").await;
    orgdesk_server::seed::bulk(&app.db, 50, 700).await.unwrap();
    assert_eq!(app.scalar("SELECT COUNT(*) FROM customers").await, before + 700);
    assert_unassigned_count_is_true(&app, "a bulk seed").await;
    let refused =
        app.post("/api/customers/move", json!({"customer_ids": [a, 99_999_999], "organization_id": null})).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_unassigned_count_is_true(&app, "a refused move").await;
}
