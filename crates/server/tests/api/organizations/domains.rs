//! An organization's email domains in its panel: which existing customers a new
//! domain matches, adding one with the moves the agent picked (one transaction),
//! removing one with its members staying or leaving, and public providers refused.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::*;
use crate::support::*;

/// Acme (the panel's organization, with ann@acme.com already a member), Old (with
/// bob and cat @acme.com, and dan@old.com), Other (with eve@acme.com) and unassigned
/// fay and gus @acme.com, hal@other.com and ida@eu.acme.com.
struct World {
    app: TestApp,
    acme: i64,
    old: i64,
    other: i64,
    ann: i64,
    bob: i64,
    cat: i64,
    dan: i64,
    eve: i64,
    fay: i64,
    gus: i64,
    hal: i64,
    ida: i64,
}

async fn world() -> World {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let acme = app.create_org("Acme", &[]).await.id;
    let old = app.create_org("Old", &[]).await.id;
    let other = app.create_org("Other", &[]).await.id;
    let ann = app.create_customer("ann@acme.com").await.id;
    let bob = app.create_customer("bob@acme.com").await.id;
    let cat = app.create_customer("cat@acme.com").await.id;
    let dan = app.create_customer("dan@old.com").await.id;
    let eve = app.create_customer("eve@acme.com").await.id;
    let fay = app.create_customer("fay@acme.com").await.id;
    let gus = app.create_customer("gus@acme.com").await.id;
    let hal = app.create_customer("hal@other.com").await.id;
    let ida = app.create_customer("ida@eu.acme.com").await.id;
    app.move_customers(&[ann], Some(acme)).await;
    app.move_customers(&[bob, cat, dan], Some(old)).await;
    app.move_customers(&[eve], Some(other)).await;
    World { app, acme, old, other, ann, bob, cat, dan, eve, fay, gus, hal, ida }
}

#[tokio::test]
async fn domain_matches_count_the_existing_customers_split_by_organization() {
    let w = world().await;
    let app = &w.app;
    let path = format!("/api/organizations/{}/domain-matches", w.acme);
    let m = ok_json(app.post(&path, json!({"domain": " @ACME.com. "})).await).await;
    assert_eq!(m["domain"], "acme.com");
    assert_eq!(m["unassigned_count"], 2);
    let unassigned: Vec<i64> = m["unassigned"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(unassigned, [w.fay, w.gus], "by name; hal (other.com) and ida (eu.acme.com) do not match");
    assert_eq!(m["unassigned"][0]["email"], "fay@acme.com");
    let groups = m["elsewhere"].as_array().unwrap();
    assert_eq!(groups.len(), 2, "ann, already in Acme, is not counted: {m}");
    assert_eq!(groups[0]["organization"], json!({"id": w.old, "name": "Old"}));
    assert_eq!(groups[0]["count"], 2);
    let old_ids: Vec<i64> =
        groups[0]["customers"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(old_ids, [w.bob, w.cat], "dan (old.com) does not match");
    assert_eq!(groups[1]["organization"]["name"], "Other");
    assert_eq!(groups[1]["count"], 1);
    assert_eq!(groups[1]["customers"][0]["id"], w.eve);

    // A wildcard covers subdomains only.
    let m = ok_json(app.post(&path, json!({"domain": "*.acme.com"})).await).await;
    assert_eq!(m["unassigned_count"], 1);
    assert_eq!(m["unassigned"][0]["id"], w.ida);
    assert_eq!(m["elsewhere"], json!([]));

    // Read only.
    assert_eq!(detail(app, w.acme).await["domains"], json!([]));
    assert_eq!(customer_org(app, w.fay).await, Value::Null);

    // Bad input.
    for body in [
        json!({"domain": "not a domain"}),
        json!({"domain": "ann@acme.com"}),
        json!({"domain": "*.com"}),
        json!({"domain": 5}),
    ] {
        let e = error_body(app.post(&path, body.clone()).await, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
        assert!(e["fields"]["domain"].is_string(), "{body} -> {e}");
    }
    error_body(app.post(&path, json!({})).await, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    error_body(
        app.post("/api/organizations/999999/domain-matches", json!({"domain": "acme.com"})).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let v = version(app, w.other).await;
    ok_json(
        app.post(&format!("/api/organizations/{}/domains", w.other), json!({"domain": "acme.org", "version": v})).await,
    )
    .await;
    let e = error_body(app.post(&path, json!({"domain": "ACME.org"})).await, StatusCode::CONFLICT, "conflict").await;
    assert_eq!(e["fields"]["domain"], "acme.org already belongs to Other.");
}

#[tokio::test]
async fn adding_a_domain_moves_only_the_unassigned_when_asked() {
    let w = world().await;
    let app = &w.app;
    let v = version(app, w.acme).await;
    let d = ok_json(
        app.post(
            &format!("/api/organizations/{}/domains", w.acme),
            json!({"domain": "Acme.com", "version": v, "move_unassigned": true}),
        )
        .await,
    )
    .await;
    assert_eq!(d["domains"], json!(["acme.com"]));
    assert_eq!(d["version"], v + 1);
    assert_eq!(d["member_count"], 3, "ann, fay and gus");
    for c in [w.fay, w.gus] {
        assert_eq!(customer_org(app, c).await, w.acme);
    }
    for (c, o) in [(w.bob, w.old), (w.cat, w.old), (w.eve, w.other)] {
        assert_eq!(customer_org(app, c).await, o, "members of other organizations stay");
    }
    assert_eq!(customer_org(app, w.hal).await, Value::Null);
    assert_eq!(customer_org(app, w.ida).await, Value::Null);
    let entries = history(app, w.acme).await;
    assert_eq!(actions(&entries), ["members_moved", "domain_added", "members_moved"], "the last: the setup move");
    assert_eq!(entries[1]["summary"], "Added domain acme.com");
    assert_eq!(entries[0]["summary"], "fay@acme.com and gus@acme.com moved in (2 with no organization)");
    assert_eq!(entries[0]["details"]["count"], 2);
    assert_eq!(entries[0]["details"]["unassigned"], 2);
    // Nothing was recorded for organizations that lost no one by this request.
    let old_moves = history(app, w.old).await.iter().filter(|e| e["action"] == "members_moved").count();
    assert_eq!(old_moves, 1, "only the setup move into Old");
}

#[tokio::test]
async fn adding_a_domain_moves_one_source_organization_with_its_open_items() {
    let w = world().await;
    let app = &w.app;
    let p = app.create_project("Support").await.id;
    let open = app.create_ticket(p, w.bob, "Open", ItemStatus::Open).await.id;
    let closed = app.create_ticket(p, w.bob, "Closed", ItemStatus::New).await.id;
    app.set_status(closed, ItemStatus::Closed).await;
    let dans = app.create_ticket(p, w.dan, "Dan's", ItemStatus::Open).await.id;
    let v = version(app, w.acme).await;
    let d = ok_json(
        app.post(
            &format!("/api/organizations/{}/domains", w.acme),
            json!({"domain": "acme.com", "version": v, "move_from_organizations": [w.old]}),
        )
        .await,
    )
    .await;
    assert_eq!(d["member_count"], 3, "ann, bob and cat");
    assert_eq!(customer_org(app, w.bob).await, w.acme);
    assert_eq!(customer_org(app, w.cat).await, w.acme);
    assert_eq!(customer_org(app, w.dan).await, w.old, "dan@old.com does not match");
    assert_eq!(customer_org(app, w.eve).await, w.other);
    assert_eq!(customer_org(app, w.fay).await, Value::Null);
    assert_eq!(item_org(app, open).await, w.acme, "open items follow");
    assert_eq!(item_org(app, closed).await, w.old, "closed items stay");
    assert_eq!(item_org(app, dans).await, w.old);
    app.assert_counters_match().await;
    let entries = history(app, w.acme).await;
    assert_eq!(entries[0]["action"], "members_moved");
    assert_eq!(entries[0]["summary"], "bob@acme.com and cat@acme.com moved in (2 from Old)");
    assert_eq!(
        entries[0]["details"]["from"],
        json!([{"organization_id": w.old, "organization_name": "Old", "count": 2}])
    );
    let old = history(app, w.old).await;
    assert_eq!(old[0]["action"], "members_moved");
    assert_eq!(old[0]["summary"], "bob@acme.com and cat@acme.com left for Acme");
}

#[tokio::test]
async fn adding_a_domain_moves_picked_individuals_and_groups_together() {
    let w = world().await;
    let app = &w.app;
    let path = format!("/api/organizations/{}/domains", w.acme);
    // Individuals only: one from Old, one unassigned; ann (already a member) is ignored.
    let v = version(app, w.acme).await;
    let d = ok_json(
        app.post(&path, json!({"domain": "acme.com", "version": v, "move_customers": [w.cat, w.fay, w.ann]})).await,
    )
    .await;
    assert_eq!(d["member_count"], 3);
    assert_eq!(customer_org(app, w.cat).await, w.acme);
    assert_eq!(customer_org(app, w.fay).await, w.acme);
    assert_eq!(customer_org(app, w.bob).await, w.old);
    assert_eq!(customer_org(app, w.gus).await, Value::Null);
    assert_eq!(
        history(app, w.acme).await[0]["summary"],
        "cat@acme.com and fay@acme.com moved in (1 from Old, 1 with no organization)"
    );

    // Both groups at once, on a second domain (a wildcard) in another organization.
    let v = version(app, w.other).await;
    let d = ok_json(
        app.post(
            &format!("/api/organizations/{}/domains", w.other),
            json!({"domain": "*.acme.com", "version": v, "move_unassigned": true, "move_from_organizations": []}),
        )
        .await,
    )
    .await;
    assert_eq!(d["member_count"], 2, "eve and ida");
    assert_eq!(customer_org(app, w.ida).await, w.other);
    // A wildcard domain is removed by its name in the path.
    let v = version(app, w.other).await;
    let d = ok_json(
        app.delete(&format!("/api/organizations/{}/domains/*.acme.com?members=leave&version={v}", w.other)).await,
    )
    .await;
    assert_eq!(d["domains"], json!([]));
    assert_eq!(customer_org(app, w.ida).await, Value::Null);
    assert_eq!(customer_org(app, w.eve).await, w.other, "eve@acme.com is not covered by *.acme.com");

    // Both: all unassigned and all of Old, plus an individual of Other, on a third organization.
    let third = app.create_org("Third", &[]).await.id;
    app.move_customers(&[w.bob, w.cat, w.fay], Some(w.old)).await;
    app.move_customers(&[w.gus], None).await;
    let v = version(app, third).await;
    let d = ok_json(
        app.post(
            &format!("/api/organizations/{third}/domains"),
            json!({"domain": "acme.net", "version": v, "move_unassigned": true, "move_from_organizations": [w.old]}),
        )
        .await,
    )
    .await;
    assert_eq!(d["member_count"], 0, "nobody has acme.net");
    assert_eq!(actions(&history(app, third).await), ["domain_added"], "no move, no members_moved entry");
    let v = version(app, w.acme).await;
    ok_json(app.delete(&format!("/api/organizations/{}/domains/acme.com?members=stay&version={v}", w.acme)).await)
        .await;
    let v = version(app, third).await;
    let d = ok_json(
        app.post(
            &format!("/api/organizations/{third}/domains"),
            json!({"domain": "acme.com", "version": v, "move_unassigned": true,
                   "move_from_organizations": [w.old], "move_customers": [w.eve]}),
        )
        .await,
    )
    .await;
    // gus (unassigned), bob, cat, fay (Old), eve (Other).
    assert_eq!(d["member_count"], 5, "{d}");
    assert_eq!(customer_org(app, w.ann).await, w.acme, "Acme was not a chosen source");
    assert_eq!(customer_org(app, w.dan).await, w.old);
    let e = &history(app, third).await[0];
    assert_eq!(
        e["summary"],
        "bob@acme.com, cat@acme.com and 3 more moved in (3 from Old, 1 from Other, 1 with no organization)"
    );
    assert_eq!(history(app, w.other).await[0]["summary"], "eve@acme.com left for Third");
}

#[tokio::test]
async fn a_bad_pick_changes_nothing_at_all() {
    let w = world().await;
    let app = &w.app;
    let path = format!("/api/organizations/{}/domains", w.acme);
    let v = version(app, w.acme).await;
    for (body, field) in [
        (
            json!({"domain": "acme.com", "version": v, "move_unassigned": true, "move_customers": [w.bob, 999999]}),
            "move_customers",
        ),
        (
            json!({"domain": "acme.com", "version": v, "move_unassigned": true, "move_customers": [w.hal]}),
            "move_customers",
        ),
        (
            json!({"domain": "acme.com", "version": v, "move_unassigned": true, "move_from_organizations": [999999]}),
            "move_from_organizations",
        ),
        (json!({"domain": "acme.com", "version": v, "move_from_organizations": [w.acme]}), "move_from_organizations"),
        (json!({"domain": "acme.com", "version": v, "move_customers": "all"}), "move_customers"),
        (json!({"domain": "not a domain", "version": v}), "domain"),
        (json!({"domain": "acme.com"}), "body"),
    ] {
        let e = error_body(app.post(&path, body.clone()).await, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
        assert!(e["fields"][field].is_string(), "{body} -> {e}");
    }
    let d = detail(app, w.acme).await;
    assert_eq!(d["domains"], json!([]), "the domain was not added");
    assert_eq!(d["version"], v, "the version did not move");
    assert_eq!(d["member_count"], 1);
    assert_eq!(customer_org(app, w.fay).await, Value::Null);
    assert_eq!(customer_org(app, w.bob).await, w.old);
    assert!(history(app, w.acme).await.iter().all(|e| e["action"] != "domain_added"));
    // A domain another organization owns: 409 naming it.
    ok_json(
        app.post(
            &format!("/api/organizations/{}/domains", w.old),
            json!({"domain": "old.com", "version": version(app, w.old).await}),
        )
        .await,
    )
    .await;
    let e =
        error_body(app.post(&path, json!({"domain": "old.com", "version": v})).await, StatusCode::CONFLICT, "conflict")
            .await;
    assert_eq!(e["fields"]["domain"], "old.com already belongs to Old.");
    assert_eq!(version(app, w.acme).await, v);
    error_body(
        app.post("/api/organizations/999999/domains", json!({"domain": "x.com", "version": 1})).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn removing_a_domain_keeps_or_lets_go_of_its_members() {
    let w = world().await;
    let app = &w.app;
    let p = app.create_project("Support").await.id;
    let path = format!("/api/organizations/{}/domains", w.acme);
    let v = version(app, w.acme).await;
    ok_json(app.post(&path, json!({"domain": "acme.com", "version": v, "move_unassigned": true})).await).await;
    let v = version(app, w.acme).await;
    ok_json(app.post(&path, json!({"domain": "acme.io", "version": v})).await).await;
    let jon = app.create_customer("jon@acme.io").await.id;
    assert_eq!(customer_org(app, jon).await, w.acme, "joined by domain");
    let open = app.create_ticket(p, w.fay, "Open", ItemStatus::Open).await.id;
    let closed = app.create_ticket(p, w.fay, "Done", ItemStatus::Open).await.id;
    app.set_status(closed, ItemStatus::Resolved).await;

    // Stay: the members keep their organization.
    let v = version(app, w.acme).await;
    let d = ok_json(app.delete(&format!("{path}/acme.io?members=stay&version={v}")).await).await;
    assert_eq!(d["domains"], json!(["acme.com"]));
    assert_eq!(d["member_count"], 4);
    assert_eq!(customer_org(app, jon).await, w.acme);
    assert_eq!(history(app, w.acme).await[0]["summary"], "Removed domain acme.io");

    // Bad input changes nothing.
    let v = version(app, w.acme).await;
    for (query, field) in [
        (format!("acme.com?members=maybe&version={v}"), "members"),
        ("acme.com?members=leave".to_string(), "version"),
        ("acme.com?members=leave&version=x".to_string(), "version"),
        (format!("not%20a%20domain?members=leave&version={v}"), "domain"),
    ] {
        let e =
            error_body(app.delete(&format!("{path}/{query}")).await, StatusCode::UNPROCESSABLE_ENTITY, "validation")
                .await;
        assert!(e["fields"][field].is_string(), "{query} -> {e}");
    }
    error_body(
        app.delete(&format!("{path}/acme.org?members=leave&version={v}")).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let e = error_body(
        app.delete(&format!("{path}/acme.com?members=leave&version={}", v - 1)).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    assert!(e["fields"]["version"].is_string());
    assert_eq!(detail(app, w.acme).await["domains"], json!(["acme.com"]));

    // Leave: members with that domain leave; open items go with them, resolved ones stay.
    let d = ok_json(app.delete(&format!("{path}/ACME.com?members=leave&version={v}")).await).await;
    assert_eq!(d["domains"], json!([]));
    assert_eq!(d["member_count"], 1, "only jon (acme.io) stays");
    for c in [w.ann, w.fay, w.gus] {
        assert_eq!(customer_org(app, c).await, Value::Null);
    }
    assert_eq!(customer_org(app, jon).await, w.acme);
    assert_eq!(item_org(app, open).await, Value::Null);
    assert_eq!(item_org(app, closed).await, w.acme);
    app.assert_counters_match().await;
    let e = &history(app, w.acme).await[0];
    assert_eq!(e["action"], "domain_removed");
    assert_eq!(e["summary"], "Removed domain acme.com; 3 members left");
    assert_eq!(e["details"]["left"], 3);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM customers").await, 10, "no customer was deleted");
}

/// gmail.com as an organization's domain would pull every new gmail customer into it.
#[tokio::test]
async fn public_email_providers_are_never_an_organization_domain() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let acme = app.create_org("Acme", &[]).await.id;
    let res = app.patch("/api/settings", json!({"extra_public_domains": ["mail.example.org"]})).await;
    assert_eq!(res.status(), StatusCode::OK);
    let v = version(&app, acme).await;
    for domain in ["gmail.com", "Hotmail.co.uk", "*.yahoo.com", "mail.example.org"] {
        let path = format!("/api/organizations/{acme}/domain-matches");
        let e = error_body(
            app.post(&path, json!({"domain": domain})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        )
        .await;
        assert!(e["fields"]["domain"].as_str().unwrap().contains("public email provider"), "{domain}: {e}");
        let path = format!("/api/organizations/{acme}/domains");
        let e = error_body(
            app.post(&path, json!({"domain": domain, "version": v})).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        )
        .await;
        assert!(e["fields"]["domain"].as_str().unwrap().contains("public email provider"), "{domain}: {e}");
        // The Customers app's create and edit dialogs too.
        let res = app.post("/api/organizations", json!({"name": "Mail users", "domains": [domain]})).await;
        let e = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
        assert!(e["fields"]["domains"].as_str().unwrap().contains("public email provider"), "{domain}: {e}");
        let res = app.patch(&format!("/api/organizations/{acme}"), json!({"domains": ["acme.com", domain]})).await;
        error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    }
    let d = detail(&app, acme).await;
    assert_eq!(d["domains"], json!([]), "nothing was added");
    assert_eq!(d["version"], v, "nothing changed");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM organizations").await, 1);
}

#[tokio::test]
async fn matching_adding_or_removing_a_domain_needs_a_session() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let acme = app.create_org("Acme", &["acme.com"]).await.id;
    assert_each_needs_a_session(
        &app,
        vec![
            (Method::POST, format!("/api/organizations/{acme}/domain-matches"), Some(json!({"domain": "acme.io"}))),
            (
                Method::POST,
                format!("/api/organizations/{acme}/domains"),
                Some(json!({"domain": "acme.io", "version": 1})),
            ),
            (Method::DELETE, format!("/api/organizations/{acme}/domains/acme.com?members=stay&version=1"), None),
        ],
    )
    .await;
    assert_eq!(detail(&app, acme).await["domains"], json!(["acme.com"]), "nothing changed");
    assert_eq!(history(&app, acme).await.len(), 0);
}
