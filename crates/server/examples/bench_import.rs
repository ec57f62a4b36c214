//! Benchmark of the CSV import: a file of 100,000 new customers (email, first and
//! last name, company, job title, phone; 2,000 companies, created by the import),
//! timed end to end through the API of a release `orgdesk` process:
//! 1. upload + dry run (the report back), 2. upload + import (until the batch is done),
//!    with the server's peak memory (VmHWM of /proc/PID/status) after sign-in, after
//!    the dry run and after the import (the high-water mark only rises, so each figure
//!    is the peak up to that point).
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

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

mod support;

use support::{orgdesk_bin, seed, setting, start_server, AdminApi, ServerProcess};

#[tokio::main]
async fn main() {
    let bin = orgdesk_bin();
    let rows = setting("BENCH_ROWS", 100_000);
    let file = csv(rows);
    println!("file: {rows} rows, {:.1} MiB", file.len() as f64 / 1048576.0);
    let dir = tempfile::tempdir().expect("temporary directory");
    run(&bin, "SQLite", &format!("sqlite://{}/orgdesk.db", dir.path().display()), &file).await;
    match support::postgres_admin_url() {
        Some(admin_url) => {
            let name = "orgdesk_bench_import";
            let url = support::fresh_postgres_database(&admin_url, name).await;
            run(&bin, "PostgreSQL", &url, &file).await;
            support::run_sql(&admin_url, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
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

fn peak(server: &ServerProcess) -> String {
    server.peak_rss_kib().map_or_else(|| "unknown".into(), |k| format!("{} MiB", k / 1024))
}

async fn run(bin: &Path, label: &str, url: &str, file: &[u8]) {
    let customers: u32 = setting("LOAD_CUSTOMERS", 100_000);
    let organizations: u32 = setting("LOAD_ORGANIZATIONS", 10_000);
    println!("== {label}: seeded with {organizations} organizations, {customers} customers ==");
    seed(bin, url, customers, organizations).await;
    let server = start_server(bin, url, &[]).await;
    let api = AdminApi::sign_in(&server.base, 4).await;
    println!("server peak RSS after sign-in: {}", peak(&server));

    // 1. Upload + dry run.
    let t = Instant::now();
    let upload = api.upload("bench.csv", file).await;
    let uploaded = t.elapsed();
    let options = json!({"mapping": upload["guessed"], "create_organizations": true});
    let report = api.post(&format!("/api/imports/uploads/{}/dry-run", upload["id"]), options.clone()).await;
    let dry_run = t.elapsed();
    assert_eq!(report["invalid_total"], 0, "{report}");
    println!(
        "upload + dry run: {:.2} s (upload {:.2} s); report: create {}, organizations to create {}; peak RSS {}",
        dry_run.as_secs_f64(),
        uploaded.as_secs_f64(),
        report["create"],
        report["organizations_to_create"],
        peak(&server)
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
        "upload + import: {:.2} s ({} progress polls); counts: {}; peak RSS {}",
        imported.as_secs_f64(),
        polls,
        batch["counts"],
        peak(&server)
    );

    // Checks: the customers are there, then undo removes them.
    let last = format!("Given{}", file_rows(file) - 1);
    let page = api.get(&format!("/api/customers?q={last}&limit=1")).await;
    assert_eq!(page["total"], 1, "the last imported customer, {last}, is found: {page}");
    let t = Instant::now();
    let undo = api.post(&format!("/api/imports/{batch_id}/undo"), json!({})).await;
    println!(
        "undo: {:.2} s, removed {} customers and {} organizations; peak RSS {}",
        t.elapsed().as_secs_f64(),
        undo["removed_customers"],
        undo["removed_organizations"],
        peak(&server)
    );
}

/// Data rows of the generated file (one per line after the header).
fn file_rows(file: &[u8]) -> usize {
    file.iter().filter(|&&b| b == b'\n').count() - 1
}

/// The upload, which only this benchmark sends.
trait Upload {
    async fn upload(&self, name: &str, bytes: &[u8]) -> Value;
}

impl Upload for AdminApi {
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
        support::json(res, "upload").await
    }
}
