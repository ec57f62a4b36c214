//! `orgdesk backup` and `orgdesk restore`, run as the real binary beside a running server.

use std::path::Path;
use std::process::Output;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::*;

fn orgdesk(database_url: &str, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_orgdesk"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "off")
        .output()
        .expect("run orgdesk")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

async fn customers(app: &TestApp) -> Value {
    ok_json(app.get("/api/customers?limit=100").await).await
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[tokio::test]
async fn a_backup_taken_while_the_server_runs_restores_exactly_that_moment() {
    let app = TestApp::spawn_admin().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("orgdesk-backup.db");
    if app.db.dialect() == "postgres" {
        let out = orgdesk(&app.database_url, &["backup", path_str(&file)]);
        assert!(!out.status.success());
        assert!(stderr(&out).contains("pg_dump"), "{}", stderr(&out));
        assert!(!file.exists());
        return;
    }
    let acme = app.create_org("Acme", &["acme.com"]).await;
    let ann = app.create_named_customer("ann@acme.com", "Ann", "Lee").await;
    let at_backup = customers(&app).await;

    let out = orgdesk(&app.database_url, &["backup", path_str(&file)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let again = orgdesk(&app.database_url, &["backup", path_str(&file)]);
    assert!(!again.status.success(), "a second backup overwrote the first");
    assert!(stderr(&again).contains("already exists"), "{}", stderr(&again));

    let res = app.patch(&format!("/api/customers/{}", ann.id), json!({"first_name": "Changed"})).await;
    assert_eq!(res.status(), StatusCode::OK);
    app.create_named_customer("bob@acme.com", "Bob", "Ray").await;
    assert_ne!(customers(&app).await, at_backup);

    let refused = orgdesk(&app.database_url, &["restore", path_str(&file)]);
    assert!(!refused.status.success(), "a restore ran under a running server");
    assert!(stderr(&refused).contains("stop the Orgdesk server"), "{}", stderr(&refused));

    app.stop().await;
    let out = orgdesk(&app.database_url, &["restore", path_str(&file)]);
    assert!(out.status.success(), "{}", stderr(&out));
    let restarted = app.restart().await;
    assert_eq!(customers(&restarted).await, at_backup);
    assert_eq!(restarted.customer(ann.id).await.organization_id, Some(acme.id));

    let database = app.database_url.trim_start_matches("sqlite://");
    assert!(Path::new(&format!("{database}.before-restore")).is_file(), "the replaced database was not kept");
}

#[tokio::test]
async fn restore_refuses_a_file_that_is_not_an_orgdesk_database_and_changes_nothing() {
    let app = TestApp::spawn_admin().await;
    if app.db.dialect() == "postgres" {
        let out = orgdesk(&app.database_url, &["restore", "/nonexistent"]);
        assert!(stderr(&out).contains("pg_restore"), "{}", stderr(&out));
        return;
    }
    app.create_named_customer("ann@example.com", "Ann", "Lee").await;
    let before = customers(&app).await;
    app.stop().await;
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, "not a database at all".repeat(100)).unwrap();
    let other = dir.path().join("other.db");
    let mut conn =
        <sqlx::SqliteConnection as sqlx::Connection>::connect(&format!("sqlite://{}?mode=rwc", other.display()))
            .await
            .unwrap();
    sqlx::query("CREATE TABLE notes (body TEXT)").execute(&mut conn).await.unwrap();
    drop(conn);
    for (file, why) in [(&junk, "integrity check"), (&other, "no migrations table")] {
        let out = orgdesk(&app.database_url, &["restore", path_str(file)]);
        assert!(!out.status.success(), "{}", file.display());
        assert!(stderr(&out).contains(why), "{}", stderr(&out));
    }
    let restarted = app.restart().await;
    assert_eq!(customers(&restarted).await, before);
}
