//! The Customers app's search and project filter (issue #15): substrings anywhere
//! in names, emails and organization names, regardless of case and accents, from
//! an index; the customers and organizations following a project.

use orgdesk_server::db::search::Filter;
use orgdesk_server::db::search_stats::Sample;
use reqwest::StatusCode;
use serde_json::json;

use crate::support::{error_body, ok_json, TestApp};

fn enc(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

/// The organizations a search shows: "name:matches" each, the unassigned matches and the customers shown in all.
async fn groups(app: &TestApp, params: &str) -> (Vec<String>, i64, i64) {
    let page = ok_json(app.get(&format!("/api/organizations?{params}")).await).await;
    let groups = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| format!("{}:{}", o["name"].as_str().unwrap(), o["match_count"]))
        .collect();
    (groups, page["unassigned_count"].as_i64().unwrap(), page["customer_count"].as_i64().unwrap_or(-1))
}

/// The emails of the customers a list shows, and its total.
async fn emails(app: &TestApp, params: &str) -> (Vec<String>, i64) {
    let page = ok_json(app.get(&format!("/api/customers?{params}")).await).await;
    let emails = page["items"].as_array().unwrap().iter().map(|c| c["email"].as_str().unwrap().to_string()).collect();
    (emails, page["total"].as_i64().unwrap())
}

async fn search(app: &TestApp, q: &str) -> (Vec<String>, i64) {
    emails(app, &format!("q={}", enc(q))).await
}

async fn acme_and_friends() -> TestApp {
    let app = TestApp::spawn_admin().await;
    app.create_org("Acme Corporation", &["acme.com"]).await;
    app.create_org("Globex", &["globex.io"]).await;
    app.create_named_customer("zoe@acme.com", "Zoë", "Adams").await;
    app.create_named_customer("bob@acme.com", "Bob", "Stone").await;
    app.create_named_customer("hank@globex.io", "Hank", "Scorpio").await;
    app.create_named_customer("pat.mcgee@gmail.com", "Pat", "McGee").await;
    app
}

#[tokio::test]
async fn a_search_finds_the_domain_part_of_emails_and_opens_its_organization() {
    let app = acme_and_friends().await;
    for q in ["acme.com", "@acme", "ACME.COM", "cme.co"] {
        assert_eq!(search(&app, q).await, (vec!["bob@acme.com".into(), "zoe@acme.com".into()], 2), "q={q}");
    }
    assert_eq!(groups(&app, "q=%40acme").await, (vec!["Acme Corporation:2".into()], 0, 2));
    assert_eq!(search(&app, "gmail").await, (vec!["pat.mcgee@gmail.com".into()], 1));
    assert_eq!(groups(&app, "q=gmail").await, (vec![], 1, 1), "only No organization has a match");
    assert_eq!(search(&app, "nowhere.org").await, (vec![], 0));
    assert_eq!(groups(&app, "q=nowhere.org").await, (vec![], 0, 0));
}

#[tokio::test]
async fn a_search_matches_inside_names_and_organization_names() {
    let app = acme_and_friends().await;
    assert_eq!(search(&app, "dams").await.0, ["zoe@acme.com"], "inside a last name");
    assert_eq!(search(&app, "corpi").await.0, ["hank@globex.io"], "inside a last name");
    assert_eq!(search(&app, "oë ad").await.0, ["zoe@acme.com"], "across first and last name");
    // A match in an organization's name shows all its members.
    assert_eq!(groups(&app, "q=orporat").await, (vec!["Acme Corporation:2".into()], 0, 2));
    assert_eq!(search(&app, "orporat").await.1, 2);
    let acme = app.scalar("SELECT id FROM organizations WHERE name = 'Acme Corporation'").await;
    assert_eq!(emails(&app, &format!("q=orporat&organization_id={acme}")).await.1, 2);
    // Short searches match word starts only.
    assert_eq!(search(&app, "st").await.0, ["bob@acme.com"]);
    assert_eq!(search(&app, "to").await.0, Vec::<String>::new(), "\"to\" is inside Stone, not at a word start");
}

#[tokio::test]
async fn a_search_ignores_case_and_accents_both_ways() {
    let app = acme_and_friends().await;
    app.create_named_customer("chloe@example.org", "Chloe", "Müller").await;
    app.create_org("Café Élan", &[]).await;
    for q in ["zoe", "ZOË", "Zoë", "zoë adams"] {
        assert_eq!(search(&app, q).await.0, ["zoe@acme.com"], "q={q}");
    }
    for q in ["chloé", "CHLOE", "muller", "MÜLLER"] {
        assert_eq!(search(&app, q).await.0, ["chloe@example.org"], "q={q}");
    }
    for q in ["cafe", "élan", "ELAN", "fé é"] {
        assert_eq!(groups(&app, &format!("q={}", enc(q))).await.0, ["Café Élan:0"], "q={q}");
    }
}

#[tokio::test]
async fn the_index_follows_renames_deletions_and_new_customers() {
    let app = acme_and_friends().await;
    let bob = app.scalar("SELECT id FROM customers WHERE email = 'bob@acme.com'").await;
    let res =
        app.patch(&format!("/api/customers/{bob}"), json!({"last_name": "Quartz", "email": "bob@quartz.dev"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(search(&app, "stone").await.1, 0, "the old name is gone from the index");
    assert_eq!(search(&app, "uartz").await.0, ["bob@quartz.dev"]);
    let acme = app.scalar("SELECT id FROM organizations WHERE name = 'Acme Corporation'").await;
    let res = app.patch(&format!("/api/organizations/{acme}"), json!({"name": "Initech"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(groups(&app, "q=orporat").await.0, Vec::<String>::new());
    assert_eq!(groups(&app, "q=nitec").await.0, ["Initech:2"]);
    assert_eq!(app.delete(&format!("/api/customers/{bob}")).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(search(&app, "uartz").await.1, 0);
    app.create_named_customer("newbie@globex.io", "Ñewbie", "Ray").await;
    assert_eq!(search(&app, "newb").await.0, ["newbie@globex.io"]);
}

#[tokio::test]
async fn a_search_pages_through_its_matches() {
    let app = TestApp::spawn_admin().await;
    for i in 0..5 {
        app.create_org(&format!("Sample {i}"), &[&format!("s{i}.example")]).await;
        app.create_named_customer(&format!("c{i}@s{i}.example"), &format!("Customer{i}"), "Lopez").await;
    }
    app.create_named_customer("c9@s1.example", "Other", "Lopez").await;
    let page = ok_json(app.get("/api/organizations?q=xample&limit=2&offset=2").await).await;
    let names: Vec<&str> = page["items"].as_array().unwrap().iter().map(|o| o["name"].as_str().unwrap()).collect();
    assert_eq!((names, page["total"].as_i64()), (vec!["Sample 2", "Sample 3"], Some(5)));
    assert_eq!(page["customer_count"], 6);
    let past = ok_json(app.get("/api/organizations?q=xample&offset=10").await).await;
    assert_eq!((past["total"].as_i64(), past["customer_count"].as_i64()), (Some(5), Some(6)), "counts past the end");
    let (page, total) = emails(&app, "q=lopez&limit=2&offset=2").await;
    assert_eq!((page, total), (vec!["c2@s2.example".to_string(), "c3@s3.example".into()], 6));
    let s1 = app.scalar("SELECT id FROM organizations WHERE name = 'Sample 1'").await;
    let (page, total) = emails(&app, &format!("q=lopez&organization_id={s1}&limit=1&offset=1")).await;
    assert_eq!((page, total), (vec!["c9@s1.example".to_string()], 2));
}

#[tokio::test]
async fn the_project_filter_shows_the_customers_and_organizations_following_it() {
    let app = acme_and_friends().await;
    let project = app.create_project("Launch").await.id;
    let other = app.create_project("Other").await.id;
    let acme = app.scalar("SELECT id FROM organizations WHERE name = 'Acme Corporation'").await;
    let hank = app.scalar("SELECT id FROM customers WHERE email = 'hank@globex.io'").await;
    let pat = app.scalar("SELECT id FROM customers WHERE email = 'pat.mcgee@gmail.com'").await;
    for body in [json!({"organization_id": acme}), json!({"customer_id": hank}), json!({"customer_id": pat})] {
        let res = app.post(&format!("/api/projects/{project}/followers"), body).await;
        assert!(res.status().is_success(), "{}", res.status());
    }
    let filter = format!("project_id={project}");
    assert_eq!(groups(&app, &filter).await, (vec!["Acme Corporation:2".into(), "Globex:1".into()], 1, 4));
    let (all, total) = emails(&app, &filter).await;
    assert_eq!(total, 4, "{all:?}");
    let globex = app.scalar("SELECT id FROM organizations WHERE name = 'Globex'").await;
    assert_eq!(emails(&app, &format!("{filter}&organization_id={globex}")).await.0, ["hank@globex.io"]);
    assert_eq!(emails(&app, &format!("{filter}&organization_id=none")).await.0, ["pat.mcgee@gmail.com"]);
    // With a search: both must hold.
    assert_eq!(groups(&app, &format!("{filter}&q=zoe")).await, (vec!["Acme Corporation:1".into()], 0, 1));
    assert_eq!(groups(&app, &format!("{filter}&q=globex")).await, (vec!["Globex:1".into()], 0, 1));
    assert_eq!(emails(&app, &format!("{filter}&q=globex")).await.0, ["hank@globex.io"]);
    assert_eq!(groups(&app, &format!("project_id={other}")).await, (vec![], 0, 0));
    // A change of followers shows at once (the search cache follows them too).
    assert_eq!(
        app.delete(&format!("/api/projects/{project}/followers/customers/{hank}")).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(groups(&app, &filter).await, (vec!["Acme Corporation:2".into()], 1, 3));
    let body = error_body(
        app.get("/api/organizations?project_id=99999").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    assert!(body.to_string().contains("project_id"), "{body}");
}

#[tokio::test]
async fn searches_are_answered_by_the_trigram_indexes_not_a_table_scan() {
    let app = acme_and_friends().await;
    assert_indexed(&app, &Filter::new(&app.db, Some("acme.com"), None, &Sample::default()).unwrap()).await;
    // The rows it finds are the ones the API shows.
    assert_eq!(search(&app, "acme.com").await.1, 2);
}

/// The filter's customers and organizations come from the trigram indexes.
async fn assert_indexed(app: &TestApp, filter: &Filter) {
    for sql in [filter.customers(), filter.organizations()] {
        let plan = app.query_plan(&sql, filter.args()).await;
        let text = plan.join("\n");
        match app.db.dialect() {
            "sqlite" => {
                assert!(text.contains("VIRTUAL TABLE INDEX"), "{text}");
                assert!(plan.iter().all(|l| !l.starts_with("SCAN") || l.contains("VIRTUAL TABLE")), "{text}");
            }
            _ => {
                assert!(
                    text.contains("Index Scan on customers_search_trgm")
                        || text.contains("Index Scan on organizations_search_trgm"),
                    "{text}"
                );
                assert!(!text.contains("Seq Scan"), "{text}");
            }
        }
    }
}

/// A long search asks the index for its rarest part ("acme." where ".example" is in
/// every email) and checks the whole on each row found: the same rows, no more.
#[tokio::test]
async fn a_long_search_looked_up_by_its_rarest_part_finds_exactly_the_whole() {
    let app = TestApp::spawn_admin().await;
    app.create_org("Bigcorp", &["bigcorp.example"]).await;
    for n in 0..120 {
        app.create_named_customer(&format!("p{n}@bigcorp.example"), "Pat", &format!("Person{n}")).await;
    }
    let acme = app.create_org("Acme Ltd", &["acme.example"]).await.id;
    app.create_named_customer("zoe@acme.example", "Zoë", "Adams").await;
    app.create_named_customer("ann@acme.exampled.org", "Ann", "Lee").await;
    // Holds the rare part "acme." but not the whole search.
    app.create_named_customer("bob@acme.exam.net", "Bob", "Stone").await;
    app.create_org("ACMÉ.Example Holdings", &[]).await;
    app.search_stats.refresh(&app.db).await.unwrap();

    let filter = Filter::new(&app.db, Some("Acmé.Example"), None, &app.search_stats.sample(&app.db)).unwrap();
    assert_eq!(filter.args().len(), 2, "looked up by a part and checked whole: {:?}", filter.args());
    assert_indexed(&app, &filter).await;
    assert_eq!(
        search(&app, "Acmé.Example").await,
        (vec!["ann@acme.exampled.org".into(), "zoe@acme.example".into()], 2)
    );
    let (groups, unassigned, shown) = groups(&app, &format!("q={}", enc("acme.example"))).await;
    assert!(groups.contains(&"ACMÉ.Example Holdings:0".to_string()), "{groups:?}");
    assert!(!groups.iter().any(|g| g.starts_with("acme.exam.net")), "{groups:?}");
    assert_eq!(shown, 2, "{groups:?}, {unassigned}");
    // One group's page checks its rows' folded text (SQLite) or stored folded text (PostgreSQL).
    let group = format!("q={}&organization_id={acme}", enc("Acmé.Example"));
    assert_eq!(emails(&app, &group).await, (vec!["zoe@acme.example".into()], 1));
    let group = format!("q={}&organization_id={acme}", enc("ZOË ADA"));
    assert_eq!(emails(&app, &group).await, (vec!["zoe@acme.example".into()], 1));
    // A customer whose text changes is checked on the new text.
    assert_eq!(search(&app, "exam.net").await.0, vec!["bob@acme.exam.net".to_string()]);
}

/// The ids, in order, of every customer `filter` keeps in the list of all customers,
/// from the statement the list used before it was counted up to a cap and walked:
/// each row checked against both sets, all rows sorted. The oracle of the test below.
async fn recomputed(app: &TestApp, filter: &Filter) -> Vec<i64> {
    let sql = format!(
        "SELECT c.id FROM customers c LEFT JOIN memberships m ON m.customer_id = c.id \
         LEFT JOIN organizations o ON o.id = m.organization_id WHERE ({} OR {}) ORDER BY c.sort_name, c.id",
        filter.keeps_customer(),
        filter.keeps_organization()
    );
    let rows: Vec<(i64,)> = orgdesk_server::db::query(sql).bind_args(filter.args()).fetch_all(&app.db).await.unwrap();
    rows.into_iter().map(|(id,)| id).collect()
}

/// The picker's list of all customers (`GET /api/customers?q=`) counts at most 1,000
/// matches ("1,000+") and finds its page either by sorting the few matches or, past
/// the cap, by walking the name index and checking each row; both give exactly the
/// rows and order of a full recomputation, on every page.
#[tokio::test]
async fn the_list_of_all_customers_counts_up_to_a_cap_and_shows_the_same_rows() {
    let app = TestApp::spawn_admin().await;
    // 50 organizations "Lastname Suffix N" (org<N>.example), 3,000 customers, one in ten at gmail.com.
    orgdesk_server::seed::bulk(&app.db, 50, 3_000).await.unwrap();
    let project = app.create_project("Launch").await.id;
    let org = app.scalar("SELECT MIN(id) FROM organizations").await;
    let someone = app.scalar("SELECT MAX(id) FROM customers").await;
    for body in [json!({"organization_id": org}), json!({"customer_id": someone})] {
        assert!(app.post(&format!("/api/projects/{project}/followers"), body).await.status().is_success());
    }
    // 25 organizations (about 1,350 members) renamed "Quokka Partners N": a search
    // that keeps nobody by themselves and too many through their organization.
    let renamed: Vec<(i64,)> = orgdesk_server::db::query("SELECT id FROM organizations ORDER BY id LIMIT 25")
        .fetch_all(&app.db)
        .await
        .unwrap();
    for (n, (id,)) in renamed.iter().enumerate() {
        ok_json(app.patch(&format!("/api/organizations/{id}"), json!({"name": format!("Quokka Partners {n}")})).await)
            .await;
    }
    app.search_stats.refresh(&app.db).await.unwrap();
    let mut capped_seen = false;
    for (q, project) in [
        ("example", None),    // every member's email: 2,700 matches, past the cap
        ("gmail", None),      // the 300 unassigned
        ("org1", None),       // a few organizations' domains
        ("quokka", None),     // past the cap only through the organizations' members
        ("partners 1", None), // 11 organizations by name (about 600 members)
        ("m", None),          // a one-letter prefix: names, emails and organization names
        ("zz", None),         // a prefix nobody has
        ("example", Some(project)),
        ("", Some(project)),
    ] {
        let sample = app.search_stats.sample(&app.db);
        let filter = Filter::new(&app.db, Some(q), project, &sample).unwrap();
        let expected = recomputed(&app, &filter).await;
        assert_hits_indexed(&app, &filter).await;
        let project_param = project.map(|p| format!("&project_id={p}")).unwrap_or_default();
        for (offset, limit) in [(0, 8), (0, 100), (37, 100), (expected.len().saturating_sub(3), 100)] {
            let page = ok_json(
                app.get(&format!("/api/customers?q={}{project_param}&offset={offset}&limit={limit}", enc(q))).await,
            )
            .await;
            let ids: Vec<i64> = page["items"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
            let want: Vec<i64> = expected.iter().skip(offset).take(limit).copied().collect();
            assert_eq!(ids, want, "q={q} project={project:?} offset={offset} limit={limit}");
            let capped = expected.len() > 1000;
            capped_seen |= capped;
            assert_eq!(
                (page["total"].as_i64().unwrap(), page["total_capped"].as_bool().unwrap()),
                (expected.len().min(1000) as i64, capped),
                "q={q} project={project:?}"
            );
        }
    }
    assert!(capped_seen, "one search went past the cap");
    // Without a search: every customer, counted up to the cap; the unassigned from their counter.
    let all = ok_json(app.get("/api/customers?limit=5").await).await;
    assert_eq!((all["total"].as_i64(), all["total_capped"].as_bool()), (Some(1000), Some(true)));
    let none = ok_json(app.get("/api/customers?organization_id=none&limit=5").await).await;
    assert_eq!((none["total"].as_i64(), none["total_capped"].as_bool()), (Some(300), Some(false)));
    assert!(none["items"].as_array().unwrap().iter().all(|c| c["organization_id"].is_null()));
}

/// The set the list of all customers counts ([`Filter::hits`]) is read from indexes:
/// no table is scanned (on PostgreSQL, told to avoid sequential scans, none is left).
async fn assert_hits_indexed(app: &TestApp, filter: &Filter) {
    let plan = app.query_plan(&filter.hits(), filter.args()).await;
    let text = plan.join("\n");
    if std::env::var("SHOW_PLANS").is_ok() {
        println!("{}\n{text}\n", filter.hits());
    }
    match app.db.dialect() {
        "sqlite" => {
            // "SCAN <table or alias>" reads a whole table (or a whole index of it).
            let tables = ["customers", "memberships", "organizations", "project_followers", "c", "m", "o", "hm", "so"];
            let scans_a_table = |l: &String| {
                l.strip_prefix("SCAN ")
                    .and_then(|rest| rest.split_whitespace().next())
                    .is_some_and(|t| tables.contains(&t))
                    && !l.contains("VIRTUAL TABLE")
            };
            assert!(!plan.iter().any(scans_a_table), "{text}");
        }
        _ => assert!(!text.contains("Seq Scan"), "{text}"),
    }
}
