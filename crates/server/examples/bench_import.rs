//! Benchmark of the CSV import: a file of 100,000 new customers (email, first and
//! last name, company, job title, phone; 2,000 companies, created by the import),
//! timed end to end through the API of a release `orgdesk` process:
//! 1. upload + dry run (the report back), 2. upload + import (until the batch is done),
//!    and the server's peak memory (VmHWM of /proc/PID/status) afterwards.
//!
//! `cargo build --release -p orgdesk-server --bin orgdesk --example bench_import && target/release/examples/bench_import`
//!
//! The database is first seeded with `orgdesk seed` (100,000 customers in 10,000
//! organizations by default, so the import writes into a populated database). SQLite,
//! then PostgreSQL when `TEST_DATABASE_URL` is a `postgres://` URL of a role that may
//! create databases. Afterwards it checks the customers are there and undoes the import.
//!
//! Settings: `BENCH_ROWS` (100000), `LOAD_CUSTOMERS` (100000), `LOAD_ORGANIZATIONS`
//! (10000), `ORGDESK_BIN` (the `orgdesk` next to this example).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use tokio::process::{Child, Command};

const ADMIN_EMAIL: &str = "admin@example.com";
const ADMIN_PASSWORD: &str = "admin-password-1";

fn setting<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[tokio::main]
async fn main() {
    let bin = std::env::var_os("ORGDESK_BIN").map(PathBuf::from).unwrap_or_else(|| {
        let exe = std::env::current_exe().expect("own path");
        exe.parent().and_then(|d| d.parent()).expect("target/release").join("orgdesk")
    });
    assert!(bin.is_file(), "no orgdesk binary at {} (cargo build --release -p orgdesk-server)", bin.display());
    let file = csv(setting("BENCH_ROWS", 100_000));
    println!("file: {} rows, {:.1} MiB", setting("BENCH_ROWS", 100_000), file.len() as f64 / 1048576.0);
    let dir = tempfile::tempdir().expect("temporary directory");
    run(&bin, "SQLite", &format!("sqlite://{}/orgdesk.db", dir.path().display()), &file).await;
    let admin_url = ["TEST_DATABASE_URL", "DATABASE_URL"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|u| u.starts_with("postgres://") || u.starts_with("postgresql://"));
    match admin_url {
        Some(admin_url) => {
            let name = "orgdesk_bench_import";
            run_sql(&admin_url, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
            run_sql(&admin_url, &format!("CREATE DATABASE {name}")).await;
            let base = admin_url.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin_url);
            run(&bin, "PostgreSQL", &format!("{base}/{name}"), &file).await;
            run_sql(&admin_url, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
        }
        None => println!("(set TEST_DATABASE_URL=postgres://... to measure PostgreSQL too)"),
    }
}

/// The file: `rows` new customers of 2,000 companies.
fn csv(rows: usize) -> Vec<u8> {
    let mut out = String::from("Email,First name,Last name,Company,Job title,Phone\r\n");
    for i in 0..rows {
        let company = i % 2000;
        out.push_str(&format!(
            "person{i}@bench{company}.example,Given{i},Family{},Bench Company {company},Engineer {},+41 44 {i:07}\r\n",
            i % 997,
            i % 13
        ));
    }
    out.into_bytes()
}

async fn run_sql(url: &str, sql: &str) {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await.expect("connect to PostgreSQL");
    sqlx::query(sql).execute(&mut conn).await.expect(sql);
}

async fn run(bin: &Path, label: &str, url: &str, file: &[u8]) {
    let customers: u32 = setting("LOAD_CUSTOMERS", 100_000);
    let organizations: u32 = setting("LOAD_ORGANIZATIONS", 10_000);
    println!("== {label}: seeded with {organizations} organizations, {customers} customers ==");
    let status = Command::new(bin)
        .args(["seed", "--customers", &customers.to_string(), "--organizations", &organizations.to_string()])
        .env("DATABASE_URL", url)
        .env("ORGDESK_ADMIN_EMAIL", ADMIN_EMAIL)
        .env("ORGDESK_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .stdout(Stdio::null())
        .status()
        .await
        .expect("run orgdesk seed");
    assert!(status.success(), "orgdesk seed failed");
    let (child, base) = start_server(bin, url).await;
    let pid = child.id().expect("server pid");
    let api = Api::sign_in(base).await;

    // 1. Upload + dry run.
    let t = Instant::now();
    let upload = api.upload("bench.csv", file).await;
    let uploaded = t.elapsed();
    let options = json!({"mapping": upload["guessed"], "create_organizations": true});
    let report = api.post(&format!("/api/imports/uploads/{}/dry-run", upload["id"]), options.clone()).await;
    let dry_run = t.elapsed();
    assert_eq!(report["invalid_total"], 0, "{report}");
    println!(
        "upload + dry run: {:.2} s (upload {:.2} s); report: create {}, organizations to create {}",
        dry_run.as_secs_f64(),
        uploaded.as_secs_f64(),
        report["create"],
        report["organizations_to_create"]
    );

    // 2. Upload + import, until done.
    let t = Instant::now();
    let upload = api.upload("bench.csv", file).await;
    let started = api.post(&format!("/api/imports/uploads/{}/import", upload["id"]), options).await;
    let batch_id = started["batch_id"].as_i64().expect("batch id");
    let mut polls = 0;
    let batch = loop {
        let b = api.get(&format!("/api/imports/{batch_id}")).await;
        if b["status"]["state"] != "running" {
            break b;
        }
        polls += 1;
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let imported = t.elapsed();
    assert_eq!(batch["status"]["state"], "done", "{batch}");
    println!(
        "upload + import: {:.2} s ({} progress polls); counts: {}",
        imported.as_secs_f64(),
        polls,
        batch["counts"]
    );
    println!("server peak RSS (VmHWM): {}", peak_rss(pid));

    // Checks: the customers are there, then undo removes them.
    let page = api.get("/api/customers?q=person99999%40&limit=1").await;
    println!("check: search finds {} customer(s) for person99999@", page["total"]);
    let t = Instant::now();
    let undo = api.post(&format!("/api/imports/{batch_id}/undo"), json!({})).await;
    println!(
        "undo: {:.2} s, removed {} customers and {} organizations",
        t.elapsed().as_secs_f64(),
        undo["removed_customers"],
        undo["removed_organizations"]
    );
    drop(child);
}

fn peak_rss(pid: u32) -> String {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM"))
        .map(|l| l.split_whitespace().skip(1).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".into())
}

async fn start_server(bin: &Path, url: &str) -> (Child, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let log_path = std::env::temp_dir().join(format!("orgdesk-bench-import-{port}.log"));
    let log = std::fs::File::create(&log_path).expect("server log file");
    let child = Command::new(bin)
        .env("DATABASE_URL", url)
        .env("ORGDESK_ADDR", format!("127.0.0.1:{port}"))
        .env("ORGDESK_ADMIN_EMAIL", ADMIN_EMAIL)
        .env("ORGDESK_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env_remove("ORGDESK_DIST")
        .env("RUST_LOG", "warn")
        .current_dir(std::env::temp_dir())
        .stdout(Stdio::null())
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .expect("start orgdesk");
    let base = format!("http://127.0.0.1:{port}");
    let probe = Client::new();
    let until = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(res) = probe.get(format!("{base}/api/customers")).send().await {
            if res.status() == StatusCode::UNAUTHORIZED {
                break;
            }
        }
        assert!(Instant::now() < until, "the server at {base} did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (child, base)
}

struct Api {
    client: Client,
    base: String,
    csrf: String,
}

async fn json_of(res: reqwest::Response, what: &str) -> Value {
    let status = res.status();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{what}: {status} {body}");
    body
}

impl Api {
    async fn sign_in(base: String) -> Api {
        let client = Client::builder().cookie_store(true).build().unwrap();
        let login = client
            .post(format!("{base}/api/auth/login"))
            .json(&json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
            .send()
            .await
            .unwrap();
        let session = json_of(login, "sign in").await;
        let csrf = session["csrf_token"].as_str().expect("csrf token").to_string();
        let api = Api { client, base, csrf };
        if session["agent"]["must_change_password"] == true {
            api.post(
                "/api/auth/password",
                json!({"current_password": ADMIN_PASSWORD, "new_password": format!("{ADMIN_PASSWORD}-chosen")}),
            )
            .await;
        }
        api
    }

    async fn get(&self, path: &str) -> Value {
        json_of(self.client.get(format!("{}{path}", self.base)).send().await.unwrap(), path).await
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        let res = self
            .client
            .post(format!("{}{path}", self.base))
            .header("x-csrf-token", &self.csrf)
            .json(&body)
            .send()
            .await
            .unwrap();
        json_of(res, path).await
    }

    async fn upload(&self, name: &str, bytes: &[u8]) -> Value {
        let form = reqwest::multipart::Form::new()
            .part("file", reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_string()));
        let res = self
            .client
            .post(format!("{}/api/imports/uploads", self.base))
            .header("x-csrf-token", &self.csrf)
            .multipart(form)
            .send()
            .await
            .unwrap();
        json_of(res, "upload").await
    }
}
