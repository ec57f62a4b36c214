//! CSV import: upload and detection, refused files, the dry run's numbers and
//! problems, each mode for existing customers, unknown organizations, atomicity (a
//! failure at write time after the last row leaves nothing), undo (with records
//! edited since kept and named), the rejected rows as CSV, presets, denials and
//! concurrent imports. On SQLite, and on PostgreSQL with TEST_DATABASE_URL.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::*;

/// Uploads `bytes` as `name` (multipart part `file`).
pub async fn upload(app: &TestApp, name: &str, bytes: Vec<u8>) -> reqwest::Response {
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()));
    app.client
        .post(app.url("/api/imports/uploads"))
        .header("x-csrf-token", app.csrf.clone().unwrap_or_default())
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// Uploads a file that must be accepted; returns its upload.
pub async fn uploaded(app: &TestApp, name: &str, text: &str) -> Value {
    json_with(upload(app, name, text.as_bytes().to_vec()).await, StatusCode::CREATED).await
}

/// The mapping the server guessed, as options.
fn guessed(upload: &Value) -> Value {
    json!({"mapping": upload["guessed"]})
}

fn with(mut options: Value, key: &str, value: Value) -> Value {
    options[key] = value;
    options
}

pub async fn dry_run(app: &TestApp, upload: &Value, options: &Value) -> Value {
    let id = upload["id"].as_i64().unwrap();
    ok_json(app.post(&format!("/api/imports/uploads/{id}/dry-run"), options.clone()).await).await
}

/// Starts an import and waits (polling, a bounded number of times) until it is no longer running.
pub async fn import(app: &TestApp, upload: &Value, options: &Value) -> Value {
    let id = upload["id"].as_i64().unwrap();
    let started =
        json_with(app.post(&format!("/api/imports/uploads/{id}/import"), options.clone()).await, StatusCode::ACCEPTED)
            .await;
    finished(app, started["batch_id"].as_i64().unwrap()).await
}

pub async fn finished(app: &TestApp, batch: i64) -> Value {
    for _ in 0..2000 {
        let b = ok_json(app.get(&format!("/api/imports/{batch}")).await).await;
        if b["status"]["state"] != "running" {
            return b;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("import {batch} still running");
}

/// One upload, one finished import and one preset with id 1 (for the route walk).
pub async fn resources(app: &TestApp) {
    let u = uploaded(app, "one.csv", "Email,First name\nzed@zed.test,Zed\n").await;
    assert_eq!(u["id"], 1);
    let b = import(app, &u, &guessed(&u)).await;
    assert_eq!((b["id"].as_i64(), b["status"]["state"].as_str()), (Some(1), Some("done")));
    let p = json!({"name": "CRM", "columns": [{"header": "Email", "field": {"kind": "email"}}]});
    assert_eq!(json_with(app.post("/api/import-presets", p).await, StatusCode::CREATED).await["id"], 1);
}

async fn count(app: &TestApp, table: &str) -> i64 {
    app.scalar(&format!("SELECT COUNT(*) FROM {table}")).await
}

#[tokio::test]
async fn an_upload_is_read_with_its_encoding_and_delimiter_and_columns_guessed() {
    let app = TestApp::spawn_admin().await;
    let prop =
        ok_json(app.post("/api/organization-properties", json!({"label": "Customer tier", "kind": "text"})).await)
            .await;
    // Windows-1252, semicolons, a quoted field with a line break and a doubled quote.
    let mut bytes = b"E-mail;Given name;Surname;Company;Job title;Customer tier;Notes\r\n".to_vec();
    bytes.extend_from_slice(b"ann@acme.test;Ann;M\xfcller;Acme;CTO;Gold;\"two\r\nlines \"\"quoted\"\"\"\r\n");
    bytes.extend_from_slice(b"bo@acme.test;Bo;;Acme;;;\r\n");
    let u = json_with(upload(&app, "crm export.csv", bytes.clone()).await, StatusCode::CREATED).await;
    assert_eq!(u["encoding"], "windows1252");
    assert_eq!(u["delimiter"], "semicolon");
    assert_eq!(u["rows"], 2);
    assert_eq!(u["size"], bytes.len());
    assert_eq!(u["file_name"], "crm export.csv");
    assert_eq!(u["preview"][0][2], "Müller");
    assert_eq!(u["preview"][0][6], "two\r\nlines \"quoted\"");
    let kinds: Vec<Value> = u["guessed"].as_array().unwrap().iter().map(|m| m["field"].clone()).collect();
    assert_eq!(
        kinds,
        vec![
            json!({"kind": "email"}),
            json!({"kind": "first_name"}),
            json!({"kind": "last_name"}),
            json!({"kind": "organization_name"}),
            json!({"kind": "position"}),
            json!({"kind": "property", "id": prop["id"]}),
            json!({"kind": "ignore"}),
        ]
    );
    // Read again later from the stored bytes; UTF-8 with a BOM and tabs too.
    let again = ok_json(app.get(&format!("/api/imports/uploads/{}", u["id"])).await).await;
    assert_eq!(again["headers"], u["headers"]);
    let bom = uploaded(&app, "b.tsv", "\u{feff}Email\tName\nx@y.test\tX\n").await;
    assert_eq!((bom["encoding"].as_str(), bom["delimiter"].as_str()), (Some("utf8_bom"), Some("tab")));
    // Another agent cannot read this agent's upload.
    let (other, _) = app.signed_in_agent("other@example.com").await;
    assert_eq!(other.get(&format!("/api/imports/uploads/{}", u["id"])).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn refused_files_say_why_and_store_nothing() {
    let app = TestApp::spawn_admin().await;
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.csv", b"".to_vec(), "empty"),
        ("blank.csv", b"\r\n \r\n".to_vec(), "empty"),
        ("image.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR".to_vec(), "binary"),
        ("sheet.xlsx", b"PK\x03\x04\x14\x00\x06\x00".to_vec(), "binary"),
        ("utf16.csv", b"\xff\xfeE\x00m\x00".to_vec(), "UTF-16"),
        ("noheader.csv", b"ann@acme.test,Ann\nbo@acme.test,Bo\n".to_vec(), "header row"),
        ("onlyheader.csv", b"Email,Name\n".to_vec(), "no data rows"),
        ("noemail.csv", b"Colour,Size\nred,2\n".to_vec(), "No column holds email addresses"),
        ("quote.csv", b"Email,Name\n\"ann@acme.test,Ann\n".to_vec(), "never closed"),
    ];
    for (name, bytes, reason) in cases {
        let res = upload(&app, name, bytes).await;
        let body = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
        let message = body["fields"]["file"].as_str().unwrap_or_default();
        assert!(message.contains(reason), "{name}: {body}");
    }
    // Over the size limit: 413 with the limit in the message.
    let mut big = b"Email\n".to_vec();
    big.resize(32 * 1024 * 1024 + 10, b'a');
    let res = upload(&app, "big.csv", big).await;
    let body = error_body(res, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
    assert!(body["message"].as_str().unwrap().contains("32 MiB"), "{body}");
    assert_eq!(count(&app, "import_uploads").await, 0);
}

#[tokio::test]
async fn the_dry_run_counts_what_would_change_and_lists_every_problem_writing_nothing() {
    let app = TestApp::spawn_admin().await;
    let tier = ok_json(
        app.post(
            "/api/organization-properties",
            json!({"label": "Tier", "kind": "single_choice", "options": ["Gold", "Silver"]}),
        )
        .await,
    )
    .await;
    let acme = app.create_org("Acme", &["acme.test"]).await;
    app.create_named_customer("old@acme.test", "Old", "Timer").await;
    // Acme's projects are shared with it and members see its items.
    let project = app.create_project("Support").await;
    ok_json(app.post(&format!("/api/projects/{}/followers", project.id), json!({"organization_id": acme.id})).await)
        .await;
    ok_json(app.patch("/api/settings/portal", json!({"project_items": true})).await).await;
    let text = "Email,First name,Organization,Manager,Tier,Fax\n\
        new@acme.test,New,Acme,yes,Platinum,1\n\
        old@acme.test,Changed,Acme,,,2\n\
        not-an-email,X,,,,3\n\
        NEW@acme.test,Twice,,,,4\n\
        who@nowhere.test,Who,Nowhere Inc,,,5\n\
        gold@acme.test,Gold,Acme,no,gold,6\n";
    let u = uploaded(&app, "people.csv", text).await;
    let customers_before = count(&app, "customers").await;
    let report = dry_run(&app, &u, &guessed(&u)).await;
    assert_eq!(report["rows"], 6);
    assert_eq!(report["create"], 2, "{report}");
    assert_eq!(report["update"], 0, "skip is the default");
    assert_eq!(report["skip"], 1);
    assert_eq!(report["organizations_to_create"], 0);
    assert_eq!(report["invalid_total"], 3);
    let problems: Vec<(i64, String)> = report["invalid"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["line"].as_i64().unwrap(), p["reason"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(problems.iter().map(|p| p.0).collect::<Vec<_>>(), vec![4, 5, 6]);
    assert!(problems[0].1.contains("looks like"), "{problems:?}");
    assert!(problems[1].1.contains("also on line 2"), "{problems:?}");
    assert!(problems[2].1.contains("Unknown organization \"Nowhere Inc\""), "{problems:?}");
    assert_eq!(report["invalid"][0]["column"], 0);
    assert_eq!(report["ignored_columns"], json!(["Fax"]));
    assert_eq!(report["unmatched_values"], json!([{"column": 4, "header": "Tier", "values": ["Platinum"], "rows": 1}]));
    assert_eq!(
        report["access"],
        json!({"joining_shared_organizations": 2, "joining_org_wide_visibility": 0, "new_managers": 1})
    );
    let _ = tier;
    // With creation on, Nowhere Inc is to be created and its row is valid.
    let report = dry_run(&app, &u, &with(guessed(&u), "create_organizations", json!(true))).await;
    assert_eq!((report["organizations_to_create"].as_i64(), report["invalid_total"].as_i64()), (Some(1), Some(2)));
    assert_eq!(count(&app, "customers").await, customers_before);
    assert_eq!(count(&app, "organizations").await, 1);
    // A mapping that does not fit: 422 on `mapping`.
    let bad = json!({"mapping": [{"column": 9, "field": {"kind": "email"}}]});
    let res = app.post(&format!("/api/imports/uploads/{}/dry-run", u["id"]), bad).await;
    let body = error_body(res, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(body["fields"]["mapping"].as_str().unwrap().contains("Column 10 does not exist"), "{body}");
}

#[tokio::test]
async fn each_mode_for_existing_customers_does_what_it_says() {
    for (mode, first, last, phone_after) in
        [("skip", "Ann", "", ""), ("fill_empty", "Ann", "Lee", "+41 1"), ("overwrite", "Annie", "Lee", "+41 1")]
    {
        let app = TestApp::spawn_admin().await;
        let ann = app.create_named_customer("ann@acme.test", "Ann", "").await;
        let u = uploaded(
            &app,
            "a.csv",
            "Email,First name,Last name,Phone\nANN@acme.test,Annie,Lee,+41 1\nnew@acme.test,New,One,\n",
        )
        .await;
        let options = with(guessed(&u), "existing", json!(mode));
        let report = dry_run(&app, &u, &options).await;
        let updates = if mode == "skip" { 0 } else { 1 };
        assert_eq!(
            (report["create"].as_i64(), report["update"].as_i64(), report["skip"].as_i64()),
            (Some(1), Some(updates), Some(1 - updates)),
            "{mode}"
        );
        let batch = import(&app, &u, &options).await;
        assert_eq!(batch["status"]["state"], "done", "{mode}: {batch}");
        assert_eq!(batch["counts"]["created_customers"], 1);
        assert_eq!(batch["counts"]["updated_customers"], updates);
        let after = app.customer(ann.id).await;
        assert_eq!((after.first_name.as_str(), after.last_name.as_str()), (first, last), "{mode}");
        let phone: Vec<(String,)> = app.rows_for("SELECT phone FROM customers WHERE id = $1", ann.id).await;
        assert_eq!(phone[0].0, phone_after, "{mode}");
    }
}

#[tokio::test]
async fn new_customers_follow_the_domain_rules_and_organizations_files_import_too() {
    let app = TestApp::spawn_admin().await;
    app.create_org("Acme", &["acme.test"]).await;
    let u = uploaded(&app, "p.csv", "Email,Position\nann@acme.test,CTO\nbo@globex.test,\ncy@gmail.com,\n").await;
    let batch = import(&app, &u, &guessed(&u)).await;
    assert_eq!(batch["counts"]["created_customers"], 3, "{batch}");
    assert_eq!(batch["counts"]["created_organizations"], 1, "globex.test is created for its domain");
    let orgs: Vec<(String, i64)> = app
        .rows_for(
            "SELECT o.name, COUNT(m.customer_id) FROM organizations o LEFT JOIN memberships m ON m.organization_id = o.id \
             WHERE o.id > $1 GROUP BY o.name ORDER BY o.name",
            0,
        )
        .await;
    assert_eq!(orgs, vec![("Acme".to_string(), 1), ("globex.test".to_string(), 1)]);
    let position: Vec<(String,)> =
        app.rows_for("SELECT m.position FROM memberships m JOIN customers c ON c.id = m.customer_id WHERE c.id > $1 AND c.email = 'ann@acme.test'", 0).await;
    assert_eq!(position[0].0, "CTO");
    let outbox = count(&app, "outbox").await;
    assert_eq!(outbox, 0, "no email unless invitations are asked for");
    // The organization's history says so.
    let history = ok_json(app.get("/api/organizations/1/history").await).await;
    assert!(history["items"][0]["summary"].as_str().unwrap().contains("Import of p.csv: 1 member added"), "{history}");
    // An organizations file: name, domains, parent.
    let u = uploaded(&app, "orgs.csv", "Name,Domains,Parent\nInitech,initech.test,Acme\nInitech EU,\"initech.eu, initech.fr\",Initech\nAcme,acme.org,Nope\n").await;
    let report = dry_run(&app, &u, &with(guessed(&u), "existing", json!("fill_empty"))).await;
    assert_eq!(
        (report["create"].as_i64(), report["update"].as_i64(), report["skip"].as_i64()),
        (Some(2), Some(0), Some(1)),
        "{report}"
    );
    assert_eq!(report["unmatched_values"][0]["values"], json!(["Nope"]));
    let batch = import(&app, &u, &guessed(&u)).await;
    assert_eq!(batch["counts"]["created_organizations"], 2, "{batch}");
    let parents: Vec<(String, String)> = app
        .rows_for("SELECT c.name, p.name FROM organizations c JOIN organizations p ON p.id = c.parent_id WHERE c.id > $1 ORDER BY c.name", 0)
        .await;
    assert_eq!(parents, vec![("Initech".into(), "Acme".into()), ("Initech EU".into(), "Initech".into())]);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM organization_domains WHERE domain LIKE 'initech.%'").await, 3);
}

#[tokio::test]
async fn invitations_go_out_only_when_asked_for() {
    let app = TestApp::spawn_admin().await;
    let u = uploaded(&app, "p.csv", "Email,First name\nann@acme.test,Ann\nbo@acme.test,Bo\n").await;
    let batch = import(&app, &u, &with(guessed(&u), "send_invitations", json!(true))).await;
    assert_eq!(batch["counts"]["invitations_sent"], 2, "{batch}");
    assert_eq!(count(&app, "outbox").await, 2);
    assert_eq!(count(&app, "invitations").await, 2);
}

#[tokio::test]
async fn a_failure_after_the_last_row_leaves_the_database_unchanged() {
    let app = TestApp::spawn_admin().await;
    app.create_org("Acme", &["acme.test"]).await;
    app.create_named_customer("old@acme.test", "Old", "").await;
    let tables = [
        "customers",
        "organizations",
        "memberships",
        "organization_domains",
        "organization_history",
        "import_changes",
        "audit_log",
    ];
    let mut before = Vec::new();
    for t in tables {
        before.push(count(&app, t).await);
    }
    // The test hook: a debug build fails this file at write time after every row.
    let text = "Email,First name,Organization\nold@acme.test,Changed,Acme\nnew@globex.test,New,Globex\nlast@initech.test,Last,\n";
    let u = uploaded(&app, "fault-at-end.csv", text).await;
    let options = json!({"mapping": u["guessed"], "existing": "overwrite", "create_organizations": true});
    let report = dry_run(&app, &u, &options).await;
    assert_eq!((report["create"].as_i64(), report["update"].as_i64()), (Some(2), Some(1)));
    let batch = import(&app, &u, &options).await;
    assert_eq!(batch["status"]["state"], "failed", "{batch}");
    assert!(batch["status"]["reason"].as_str().unwrap().contains("just created"), "{batch}");
    let mut after = Vec::new();
    for t in tables {
        after.push(count(&app, t).await);
    }
    assert_eq!(after, before, "{tables:?}");
    assert_eq!(app.customer(1).await.first_name, "Old");
    assert_eq!(batch["can_undo"], false);
}

#[tokio::test]
async fn undo_removes_what_the_import_created_restores_what_it_changed_and_keeps_what_was_edited_since() {
    let app = TestApp::spawn_admin().await;
    app.create_org("Acme", &["acme.test"]).await;
    let old = app.create_named_customer("old@acme.test", "Old", "").await;
    let text = "Email,First name,Last name,Organization\n\
        old@acme.test,Olga,Timer,Acme\n\
        new@globex.test,New,One,Globex\n\
        edited@globex.test,Ed,Ited,Globex\n\
        solo@initech.test,Solo,,Initech\n";
    let u = uploaded(&app, "undo.csv", text).await;
    let options = json!({"mapping": u["guessed"], "existing": "overwrite", "create_organizations": true});
    let batch = import(&app, &u, &options).await;
    assert_eq!(batch["status"]["state"], "done", "{batch}");
    assert_eq!(batch["counts"]["created_customers"], 3);
    assert_eq!(batch["counts"]["created_organizations"], 2);
    assert_eq!(batch["can_undo"], true);
    let history = ok_json(app.get("/api/imports").await).await;
    assert_eq!(history["total"], 1);
    assert_eq!(history["items"][0]["file_name"], "undo.csv");
    assert_eq!(history["items"][0]["agent"], "Administrator");
    // The imported customers: those it created first, in file order, then those it changed.
    let id = batch["id"].as_i64().unwrap();
    let listed = ok_json(app.get(&format!("/api/imports/{id}/customers?limit=2")).await).await;
    assert_eq!(listed["total"], 4, "{listed}");
    let emails = |page: &Value| -> Vec<String> {
        page["items"].as_array().unwrap().iter().map(|c| c["email"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(emails(&listed), ["new@globex.test", "edited@globex.test"]);
    let rest = ok_json(app.get(&format!("/api/imports/{id}/customers?offset=2&limit=2")).await).await;
    assert_eq!(emails(&rest), ["solo@initech.test", "old@acme.test"]);
    assert_eq!(rest["items"][1]["organization_name"], "Acme");
    error_body(app.get("/api/imports/999/customers").await, StatusCode::NOT_FOUND, "not_found").await;
    // Someone edits one imported customer afterwards.
    let edited: Vec<(i64,)> =
        app.rows_for("SELECT id FROM customers WHERE email = 'edited@globex.test' AND id > $1", 0).await;
    ok_json(app.patch(&format!("/api/customers/{}", edited[0].0), json!({"first_name": "Edward"})).await).await;
    // Another agent may not undo it; the admin may.
    let (agent, _) = app.signed_in_agent("agent@example.com").await;
    error_body(agent.post(&format!("/api/imports/{id}/undo"), json!({})).await, StatusCode::FORBIDDEN, "forbidden")
        .await;
    let report = ok_json(app.post(&format!("/api/imports/{id}/undo"), json!({})).await).await;
    assert_eq!(report["removed_customers"], 2, "{report}");
    assert_eq!(report["removed_organizations"], 1, "Initech; Globex keeps its edited member");
    assert_eq!(report["restored"], 1);
    assert_eq!(report["kept_edited"], json!(["Edward Ited <edited@globex.test>", "Organization Globex"]));
    let restored = app.customer(old.id).await;
    assert_eq!((restored.first_name.as_str(), restored.last_name.as_str()), ("Old", ""));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM customers WHERE email IN ('new@globex.test', 'solo@initech.test')").await,
        0
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM organizations WHERE name = 'Initech'").await, 0);
    // After undo the list holds what it kept: the edited customer and the one set back.
    let kept = ok_json(app.get(&format!("/api/imports/{id}/customers")).await).await;
    assert_eq!(emails(&kept), ["edited@globex.test", "old@acme.test"]);
    let again = ok_json(app.get(&format!("/api/imports/{id}")).await).await;
    assert_eq!((again["status"]["state"].as_str(), again["can_undo"].as_bool()), (Some("undone"), Some(false)));
    error_body(app.post(&format!("/api/imports/{id}/undo"), json!({})).await, StatusCode::CONFLICT, "conflict").await;
    let audit = ok_json(app.get("/api/audit?action=import_undone").await).await;
    assert_eq!(audit["total"], 1, "{audit}");
    let audit = ok_json(app.get("/api/audit?action=import_completed").await).await;
    assert_eq!(audit["total"], 1, "{audit}");
}

#[tokio::test]
async fn the_rejected_rows_download_has_a_reason_column_and_neutralised_formulas() {
    let app = TestApp::spawn_admin().await;
    let text = "Email;Name\n=HYPERLINK(\"x\");Eve\nok@acme.test;Ok\n@bad;\"+1, -2\"\n";
    let u = uploaded(&app, "in.csv", text).await;
    let res = app.post(&format!("/api/imports/uploads/{}/rejected.csv", u["id"]), guessed(&u)).await;
    let res = if res.status() == StatusCode::OK { res } else { panic!("{}", res.text().await.unwrap()) };
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(res.headers()["content-disposition"].to_str().unwrap().contains("in-rejected.csv"));
    let body = res.text().await.unwrap();
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(lines.len(), 3, "{body}");
    assert_eq!(lines[0], "Email;Name;reason");
    assert!(
        lines[1].starts_with("'=HYPERLINK(\"\"x\"\");Eve;") || lines[1].starts_with("\"'=HYPERLINK(\"\"x\"\")\";Eve;"),
        "{body}"
    );
    assert!(lines[2].starts_with("'@bad;'+1, -2;"), "{body}");
}

#[tokio::test]
async fn presets_are_saved_listed_and_deleted() {
    let app = TestApp::spawn_admin().await;
    let p = json!({"name": "CRM export", "columns": [{"header": "E-Mail", "field": {"kind": "email"}}], "existing": "overwrite"});
    let created = json_with(app.post("/api/import-presets", p.clone()).await, StatusCode::CREATED).await;
    assert_eq!(created["existing"], "overwrite");
    error_body(
        app.post("/api/import-presets", with(p.clone(), "name", json!("crm EXPORT"))).await,
        StatusCode::CONFLICT,
        "conflict",
    )
    .await;
    error_body(
        app.post("/api/import-presets", with(p, "name", json!("  "))).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation",
    )
    .await;
    let list = ok_json(app.get("/api/import-presets").await).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(app.delete(&format!("/api/import-presets/{}", created["id"])).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.delete(&format!("/api/import-presets/{}", created["id"])).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn customers_and_signed_out_clients_are_refused() {
    let app = TestApp::spawn_admin().await;
    let u = uploaded(&app, "p.csv", "Email\nann@acme.test\n").await;
    let ann = app.create_customer("cust@acme.test").await;
    let portal = app.portal_client(ann.id, true).await;
    for client in [&app.other_client(), &portal] {
        assert_eq!(upload(client, "p.csv", b"Email\nx@y.test\n".to_vec()).await.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(client.get("/api/imports").await.status(), StatusCode::UNAUTHORIZED);
        let res = client.post(&format!("/api/imports/uploads/{}/import", u["id"]), guessed(&u)).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn concurrent_imports_are_202_or_409_and_never_500() {
    let app = TestApp::spawn_admin().await;
    let mut text = String::from("Email\n");
    for i in 0..3000 {
        text.push_str(&format!("p{i}@acme.test\n"));
    }
    let u = uploaded(&app, "many.csv", &text).await;
    let id = u["id"].as_i64().unwrap();
    let path = format!("/api/imports/uploads/{id}/import");
    let options = json!({"mapping": u["guessed"], "existing": "overwrite"});
    let (a, b, c) = tokio::join!(
        app.post(&path, options.clone()),
        app.post(&path, options.clone()),
        app.post(&path, options.clone())
    );
    let mut started = Vec::new();
    for res in [a, b, c] {
        let status = res.status();
        assert!(status == StatusCode::ACCEPTED || status == StatusCode::CONFLICT, "{status}");
        if status == StatusCode::ACCEPTED {
            started.push(res.json::<Value>().await.unwrap()["batch_id"].as_i64().unwrap());
        }
    }
    assert!(!started.is_empty());
    for b in started {
        assert_eq!(finished(&app, b).await["status"]["state"], "done");
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM customers").await, 3000);
}

#[tokio::test]
async fn a_manager_demoted_by_an_import_loses_the_follows_the_role_made_and_undo_gives_them_back() {
    let app = TestApp::spawn_admin().await;
    let acme = app.create_org("Acme", &["acme.test"]).await.id;
    let mia = app.create_customer("mia@acme.test").await.id;
    let ann = app.create_customer("ann@acme.test").await.id;
    let project = app.create_project("Support").await.id;
    let v = ok_json(app.get(&format!("/api/organizations/{acme}/detail")).await).await["version"].clone();
    ok_json(
        app.patch(&format!("/api/organizations/{acme}/members/{mia}"), json!({"version": v, "role": "manager"})).await,
    )
    .await;
    let portal = app.portal_client(mia, true).await;
    ok_json(portal.patch("/api/portal/profile", json!({"follow_organization_items": true})).await).await;
    app.create_ticket(project, ann, "Printer", ItemStatus::Open).await;
    let follows = "SELECT COUNT(*) FROM item_followers WHERE source = 'manager'";
    assert_eq!(app.scalar(follows).await, 1);
    let u = uploaded(&app, "roles.csv", "Email,Manager\nmia@acme.test,no\n").await;
    let options = with(guessed(&u), "existing", json!("overwrite"));
    assert_eq!(dry_run(&app, &u, &options).await["update"], 1);
    let batch = import(&app, &u, &options).await;
    assert_eq!(batch["counts"]["updated_customers"], 1, "{batch}");
    assert_eq!(app.scalar(follows).await, 0, "the follows made as manager end with the role");
    let role: Vec<(String,)> = app.rows_for("SELECT role FROM memberships WHERE customer_id = $1", mia).await;
    assert_eq!(role[0].0, "member");
    let switch = "SELECT COUNT(*) FROM customers WHERE follow_organization_items = TRUE";
    assert_eq!(app.scalar(switch).await, 0, "the switch goes off with the role");
    // Undo gives the role back, and with it the follows and the switch.
    let id = batch["id"].as_i64().unwrap();
    let report = ok_json(app.post(&format!("/api/imports/{id}/undo"), json!({})).await).await;
    assert_eq!(report["restored"], 1, "{report}");
    let role: Vec<(String,)> = app.rows_for("SELECT role FROM memberships WHERE customer_id = $1", mia).await;
    assert_eq!(role[0].0, "manager");
    let back: Vec<(i64,)> =
        app.rows_for("SELECT item_id FROM item_followers WHERE source = 'manager' AND customer_id = $1", mia).await;
    assert_eq!(back.len(), 1, "the manager follows the ticket again");
    assert_eq!(app.scalar(switch).await, 1);
    // And new items of the organization reach her again.
    app.create_ticket(project, ann, "Scanner", ItemStatus::Open).await;
    assert_eq!(app.scalar(follows).await, 2);
}

#[tokio::test]
async fn a_customer_moved_by_an_import_shows_in_both_organizations_history() {
    let app = TestApp::spawn_admin().await;
    let acme = app.create_org("Acme", &["acme.test"]).await.id;
    let ann = app.create_customer("ann@acme.test").await.id;
    let u = uploaded(&app, "move.csv", "Email,Company\nann@acme.test,Globex\n").await;
    let options = json!({"mapping": u["guessed"], "existing": "overwrite", "create_organizations": true});
    let batch = import(&app, &u, &options).await;
    assert_eq!(batch["counts"]["updated_customers"], 1, "{batch}");
    let globex = app.customer(ann).await.organization_id.unwrap();
    assert_ne!(globex, acme);
    let left = ok_json(app.get(&format!("/api/organizations/{acme}/history")).await).await;
    assert!(left["items"][0]["summary"].as_str().unwrap().contains("1 member moved to another organization"), "{left}");
    let joined = ok_json(app.get(&format!("/api/organizations/{globex}/history")).await).await;
    assert!(
        joined["items"][0]["summary"].as_str().unwrap().contains("Created by the import of move.csv, with 1 member"),
        "{joined}"
    );
}

#[tokio::test]
async fn a_batch_left_running_by_a_stopped_server_reads_as_interrupted_and_cannot_be_undone() {
    let app = TestApp::spawn_admin().await;
    orgdesk_server::db::query(
        "INSERT INTO import_batches (agent_id, agent_name, file_name, options, status, counts, created_at) \
         VALUES (1, 'Administrator', 'old.csv', '{\"mapping\":[]}', 'running', '{}', 0)",
    )
    .execute(&app.db)
    .await
    .unwrap();
    let batch = ok_json(app.get("/api/imports/1").await).await;
    assert_eq!(batch["status"]["state"], "failed", "{batch}");
    assert!(batch["status"]["reason"].as_str().unwrap().contains("interrupted"), "{batch}");
    assert_eq!(batch["can_undo"], false);
    error_body(app.post("/api/imports/1/undo", json!({})).await, StatusCode::CONFLICT, "conflict").await;
    // And it does not keep a new import from starting.
    let u = uploaded(&app, "new.csv", "Email\nann@acme.test\n").await;
    assert_eq!(import(&app, &u, &guessed(&u)).await["status"]["state"], "done");
}

#[tokio::test]
async fn an_import_another_process_runs_shows_its_progress_and_blocks_others_until_its_heartbeat_stops() {
    let app = TestApp::spawn_admin().await;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    // What a second server process on the same database writes while it imports.
    orgdesk_server::db::query(
        "INSERT INTO import_batches (agent_id, agent_name, file_name, options, status, counts, created_at, \
         progress_done, progress_total, heartbeat_at) \
         VALUES (1, 'Administrator', 'big.csv', '{\"mapping\":[]}', 'running', '{}', $1, 40, 100, $1)",
    )
    .bind(now)
    .execute(&app.db)
    .await
    .unwrap();
    let batch = ok_json(app.get("/api/imports/1").await).await;
    assert_eq!(batch["status"], json!({"state": "running", "done": 40, "total": 100}), "{batch}");
    assert_eq!(batch["can_undo"], false);
    let u = uploaded(&app, "new.csv", "Email\nann@acme.test\n").await;
    let refused = app.post(&format!("/api/imports/uploads/{}/import", u["id"]), guessed(&u)).await;
    let body = error_body(refused, StatusCode::CONFLICT, "conflict").await;
    assert!(body["message"].as_str().unwrap().contains("Another import is running"), "{body}");
    assert_eq!(count(&app, "import_batches").await, 1, "nothing was started");
    // The other process stopped a minute ago: interrupted, and imports start again.
    orgdesk_server::db::query("UPDATE import_batches SET heartbeat_at = $1")
        .bind(now - 61_000)
        .execute(&app.db)
        .await
        .unwrap();
    let batch = ok_json(app.get("/api/imports/1").await).await;
    assert!(batch["status"]["reason"].as_str().unwrap_or("").contains("interrupted"), "{batch}");
    assert_eq!(import(&app, &u, &guessed(&u)).await["status"]["state"], "done");
}

#[tokio::test]
async fn an_agent_keeps_their_five_newest_uploads() {
    let app = TestApp::spawn_admin().await;
    let mut ids = Vec::new();
    for i in 0..6 {
        ids.push(uploaded(&app, &format!("f{i}.csv"), "Email\nann@acme.test\n").await["id"].as_i64().unwrap());
    }
    assert_eq!(count(&app, "import_uploads").await, 5);
    error_body(app.get(&format!("/api/imports/uploads/{}", ids[0])).await, StatusCode::NOT_FOUND, "not_found").await;
    for id in &ids[1..] {
        ok_json(app.get(&format!("/api/imports/uploads/{id}")).await).await;
    }
}
