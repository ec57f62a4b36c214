//! Duplicate suggestions (issue #16, point 5): same domain root, or names equal
//! once case, punctuation, accents and legal forms are set aside.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{error_body, ok_json, TestApp};

async fn pairs(app: &TestApp) -> Vec<(String, String, String)> {
    let page = ok_json(app.get("/api/duplicate-organizations?limit=200").await).await;
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let name = |v: &Value| v["name"].as_str().unwrap().to_string();
            (name(&p["smaller"]), name(&p["larger"]), p["reason"].as_str().unwrap().to_string())
        })
        .collect()
}

#[tokio::test]
async fn organizations_with_the_same_domain_root_pair_with_the_largest() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let big = app.create_org("Acme Corporation", &["acme.com"]).await.id;
    app.create_org("Acme UK", &["acme.co.uk"]).await;
    app.create_org("Acme Mail", &["mail.acme.com"]).await;
    app.create_org("Globex", &["globex.com"]).await;
    for who in ["ann", "bo"] {
        let c = app.create_customer(&format!("{who}@acme.com")).await;
        assert_eq!(c.organization_id, Some(big));
    }
    let mut found = pairs(&app).await;
    found.sort();
    assert_eq!(
        found,
        [
            ("Acme Mail".into(), "Acme Corporation".into(), "Same domain".into()),
            ("Acme UK".into(), "Acme Corporation".into(), "Same domain".into()),
        ]
    );
    let page = ok_json(app.get("/api/duplicate-organizations").await).await;
    let first = &page["items"][0];
    assert_eq!(first["larger"]["member_count"], 2);
    assert_eq!(first["larger"]["domains"], json!(["acme.com"]));
    assert_eq!(first["smaller"]["member_count"], 0);
}

#[tokio::test]
async fn names_equal_after_case_punctuation_accents_and_legal_suffixes_pair_and_unrelated_ones_do_not() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    app.create_org("Globex Inc.", &[]).await;
    app.create_org("GLOBEX, Ltd", &[]).await;
    app.create_org("Société Générale S.A.", &[]).await;
    app.create_org("societe generale", &[]).await;
    app.create_org("Initech", &["initech.com"]).await;
    app.create_org("Initrode", &["initrode.com"]).await;
    app.create_org("Umbrella", &[]).await;
    app.create_org("Umbrella Pharma", &[]).await;
    let found = pairs(&app).await;
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found.iter().all(|(_, _, reason)| reason == "Same name"), "{found:?}");
    let names: Vec<String> = found.iter().flat_map(|(a, b, _)| [a.clone(), b.clone()]).collect();
    for name in ["Globex Inc.", "GLOBEX, Ltd", "Société Générale S.A.", "societe generale"] {
        assert!(names.contains(&name.to_string()), "{name} in {found:?}");
    }
    for name in ["Initech", "Initrode", "Umbrella", "Umbrella Pharma"] {
        assert!(!names.contains(&name.to_string()), "{name} is no duplicate: {found:?}");
    }
}

#[tokio::test]
async fn a_pair_with_the_same_name_and_domain_root_is_one_suggestion_and_renames_keep_the_key() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let a = app.create_org("Hooli", &["hooli.com"]).await.id;
    app.create_org("Hooli GmbH", &["hooli.de"]).await;
    assert_eq!(pairs(&app).await, [("Hooli GmbH".into(), "Hooli".into(), "Same name and domain".into())]);
    let res = app.patch(&format!("/api/organizations/{a}"), json!({"name": "Nucleus", "domains": []})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(pairs(&app).await, [], "the renamed one no longer pairs");
}

#[tokio::test]
async fn not_duplicates_is_remembered_and_deleted_organizations_are_left_out() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let a = app.create_org("Vandelay", &[]).await.id;
    let b = app.create_org("Vandelay Industries Ltd", &["vandelay.com"]).await.id;
    let c = app.create_org("vandelay.", &[]).await.id;
    let d = app.create_org("Pendant", &["pendant.com"]).await.id;
    let e = app.create_org("Pendant Publishing", &["pendant.co.uk"]).await.id;
    assert_eq!(pairs(&app).await.len(), 2, "Vandelay + vandelay., Pendant + Pendant Publishing");
    let page = ok_json(app.get("/api/duplicate-organizations?limit=1").await).await;
    assert_eq!((page["items"].as_array().unwrap().len(), &page["more"]), (1, &json!(true)), "paged");
    let res = app.post("/api/duplicate-organizations/dismissals", json!({"first_id": e, "second_id": d})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let res = app.post("/api/duplicate-organizations/dismissals", json!({"first_id": d, "second_id": e})).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT, "dismissing again is harmless");
    assert_eq!(pairs(&app).await.len(), 1);
    assert_eq!(app.delete(&format!("/api/organizations/{c}")).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(pairs(&app).await, [], "a deleted organization is no suggestion");
    error_body(
        app.post("/api/duplicate-organizations/dismissals", json!({"first_id": a, "second_id": a})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    error_body(
        app.post("/api/duplicate-organizations/dismissals", json!({"first_id": a, "second_id": 99999})).await,
        StatusCode::NOT_FOUND,
        "not_found",
    )
    .await;
    let _ = b;
}

#[tokio::test]
async fn only_admins_see_duplicate_suggestions() {
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    let (agent, _) = app.signed_in_agent("agent@example.com").await;
    assert_eq!(agent.get("/api/duplicate-organizations").await.status(), StatusCode::FORBIDDEN);
    let res = agent.post("/api/duplicate-organizations/dismissals", json!({"first_id": 1, "second_id": 2})).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

/// Among 10,000 organizations (1,000 of them in duplicate pairs, their keys filled
/// by the first page) every pair is found and paged. Not a timed test: it prints the
/// first and the last page's time (`--nocapture`).
#[tokio::test]
async fn five_hundred_pairs_among_ten_thousand_organizations_are_all_found() {
    use orgdesk_server::db::query;
    let app = TestApp::spawn_admin_without_automatic_organizations().await;
    // 9,000 distinct names, and 500 pairs "Dup N" / "DUP N Ltd"; the keys are filled by the first page.
    query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000) \
         INSERT INTO organizations (name, name_key, created_at) \
         SELECT CASE WHEN i <= 500 THEN 'Dup ' || i WHEN i <= 1000 THEN 'DUP ' || (i - 500) || ' Ltd' ELSE 'Org ' || i END, \
           CASE WHEN i <= 500 THEN 'dup ' || i WHEN i <= 1000 THEN 'dup ' || (i - 500) || ' ltd' ELSE 'org ' || i END, 0 FROM n",
    )
    .execute(&app.db)
    .await
    .unwrap();
    let started = std::time::Instant::now();
    let first = ok_json(app.get("/api/duplicate-organizations?limit=25").await).await;
    let with_backfill = started.elapsed();
    let started = std::time::Instant::now();
    let again = ok_json(app.get("/api/duplicate-organizations?limit=25&offset=475").await).await;
    let page = started.elapsed();
    assert_eq!(first["items"].as_array().unwrap().len(), 25);
    assert_eq!((again["items"].as_array().unwrap().len(), &again["more"]), (25, &json!(false)), "500 pairs in all");
    println!(
        "duplicates among 10,000 organizations on {}: first page (filling 10,000 keys) {with_backfill:?}, last page {page:?} ({} build)",
        app.db.dialect(),
        if cfg!(debug_assertions) { "debug" } else { "release" }
    );
}
