//! Benchmark of item creation with routing rules: p50/p99 of `POST /api/items` from
//! 32 concurrent clients, first with no rule on the organization, then with 20.
//!
//! `cargo build --release -p orgdesk-server --bin orgdesk --example bench_routing && target/release/examples/bench_routing`
//! (`scripts/bench.sh` runs it; figures in README.md).
//!
//! This program is only the load generator: it seeds with `orgdesk seed` (100,000
//! customers in 10,000 organizations by default) and starts a release `orgdesk`
//! server process on a fresh SQLite file, then on a fresh PostgreSQL database when
//! `TEST_DATABASE_URL` is a `postgres://` URL of a role that may create databases.
//!
//! The 20 rules are the expensive case: every one matches every ticket (two
//! conditions each: "the item is a ticket" and "the title contains 'order'") and
//! applies two actions (change project, set priority), so each created ticket is
//! routed 40 times and gets 40 history lines. Each run checks afterwards that the
//! last created ticket is in the last rule's project with the rule named in its history.
//!
//! Settings: `BENCH_CLIENTS` (32), `BENCH_SECONDS` (20 per phase), `LOAD_CUSTOMERS`
//! (100000), `LOAD_ORGANIZATIONS` (10000), `ORGDESK_BIN` (the `orgdesk` next to this example).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

mod support;

use reqwest::StatusCode;
use serde_json::json;
use support::{
    fresh_postgres_database, orgdesk_bin, postgres_admin_url, run_sql, seed, setting, start_server, AdminApi,
};

const RULES: usize = 20;

#[tokio::main]
async fn main() {
    let bin = orgdesk_bin();
    let dir = tempfile::tempdir().expect("temporary directory");
    run(&bin, "SQLite", &format!("sqlite://{}/orgdesk.db", dir.path().display())).await;
    match postgres_admin_url() {
        Some(admin_url) => {
            let name = "orgdesk_bench_routing";
            let url = fresh_postgres_database(&admin_url, name).await;
            run(&bin, "PostgreSQL", &url).await;
            run_sql(&admin_url, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
        }
        None => println!("(set TEST_DATABASE_URL=postgres://... to measure PostgreSQL too)"),
    }
}

async fn run(bin: &Path, label: &str, url: &str) {
    let customers: u32 = setting("LOAD_CUSTOMERS", 100_000);
    let organizations: u32 = setting("LOAD_ORGANIZATIONS", 10_000);
    println!("== {label}: {organizations} organizations, {customers} customers ==");
    seed(bin, url, customers, organizations).await;
    let server = start_server(bin, url, &[]).await;
    let api = Arc::new(AdminApi::sign_in(&server.base, 256).await);

    let requesters = api.members_of_one_organization().await;
    let organization = requesters.0;
    let requesters = Arc::new(requesters.1);
    let mut projects = Vec::new();
    for n in 0..=RULES {
        let p = api.post("/api/projects", json!({"name": format!("Routing bench {n} {}", rand_suffix())})).await;
        projects.push(p["id"].as_i64().expect("project id"));
    }

    let without = phase(&api, projects[0], &requesters).await;
    println!("no rules:  {without}");
    for (n, project) in projects[1..].iter().enumerate() {
        let rule = json!({
            "name": format!("Bench rule {n}"),
            "conditions": [
                {"kind": "item_type", "item_type": "ticket"},
                {"kind": "text_contains", "field": "title", "text": "order"}
            ],
            "actions": [
                {"kind": "change_project", "project_id": project},
                {"kind": "set_priority", "priority": if n % 2 == 0 { "high" } else { "urgent" }}
            ]
        });
        api.post(&format!("/api/organizations/{organization}/routing-rules"), rule).await;
    }
    let with = phase(&api, projects[0], &requesters).await;
    println!("{RULES} rules: {with}");
    let last = api.get(&format!("/api/items?organization={organization}&limit=1")).await;
    let item = &last["items"][0];
    assert_eq!(item["project_id"].as_i64(), projects.last().copied(), "the last rule's project wins: {item}");
    let id = item["id"].as_i64().unwrap();
    let history = api.get(&format!("/api/items/{id}/history")).await;
    let lines: Vec<&str> = history.as_array().into_iter().flatten().filter_map(|h| h["summary"].as_str()).collect();
    assert!(
        lines.iter().any(|l| l.starts_with(&format!("Routing rule 'Bench rule {}'", RULES - 1))),
        "the history names the rules: {lines:?}"
    );
    println!("checked: ticket {id} is in the last rule's project, with {} history lines", lines.len());
}

fn rand_suffix() -> String {
    orgdesk_server::auth::random_token(4)
}

struct Figures {
    count: usize,
    errors: usize,
    p50: Duration,
    p99: Duration,
    seconds: f64,
}

impl std::fmt::Display for Figures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} tickets created in {:.0} s ({:.0}/s), p50 {:.1} ms, p99 {:.1} ms, {} errors",
            self.count,
            self.seconds,
            self.count as f64 / self.seconds,
            self.p50.as_secs_f64() * 1000.0,
            self.p99.as_secs_f64() * 1000.0,
            self.errors
        )
    }
}

/// 32 clients create tickets for the organization's members until the phase ends.
async fn phase(api: &Arc<AdminApi>, project: i64, requesters: &Arc<Vec<i64>>) -> Figures {
    let clients: usize = setting("BENCH_CLIENTS", 32);
    let seconds: u64 = setting("BENCH_SECONDS", 20);
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (api, requesters) = (api.clone(), requesters.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0;
            let mut n = c;
            while Instant::now() < deadline {
                let body = json!({
                    "project_id": project,
                    "item_type": "ticket",
                    "title": format!("Purchase order {n}"),
                    "description": "Please route me.",
                    "requester_id": requesters[n % requesters.len()],
                });
                let t = Instant::now();
                let res = api
                    .client
                    .post(format!("{}/api/items", api.base))
                    .header("x-csrf-token", &api.csrf)
                    .json(&body)
                    .send()
                    .await;
                match res {
                    Ok(r) if r.status() == StatusCode::CREATED => latencies.push(t.elapsed()),
                    Ok(r) => {
                        errors += 1;
                        eprintln!("POST /api/items: {}", r.status());
                    }
                    Err(e) => {
                        errors += 1;
                        eprintln!("POST /api/items: {e}");
                    }
                }
                n += clients;
            }
            (latencies, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await.expect("client");
        all.extend(l);
        errors += e;
    }
    all.sort();
    let pick = |q: f64| {
        all.get(((all.len() as f64 * q) as usize).min(all.len().saturating_sub(1))).copied().unwrap_or_default()
    };
    Figures { count: all.len(), errors, p50: pick(0.5), p99: pick(0.99), seconds: started.elapsed().as_secs_f64() }
}

impl AdminApi {
    /// An organization with members, and their customer ids.
    async fn members_of_one_organization(&self) -> (i64, Vec<i64>) {
        let page = self.get("/api/customers?limit=200").await;
        let org = page["items"]
            .as_array()
            .into_iter()
            .flatten()
            .find_map(|c| c["organization_id"].as_i64())
            .expect("a customer in an organization");
        let members = self.get(&format!("/api/organizations/{org}/members?limit=100")).await;
        let ids: Vec<i64> =
            members["items"].as_array().into_iter().flatten().filter_map(|m| m["customer"]["id"].as_i64()).collect();
        assert!(!ids.is_empty(), "organization {org} has members");
        (org, ids)
    }
}
