//! Benchmark of the Tickets app's API with 1,000,000 items.
//!
//! `cargo run --release -p orgdesk-server --example bench_items` (`scripts/bench.sh` runs it).
//!
//! Seeds 10,000 organizations, 100,000 customers and 1,000,000 items (in 20 projects)
//! into a fresh SQLite file, and into a fresh PostgreSQL database as well when
//! `TEST_DATABASE_URL` (or `DATABASE_URL`) is a `postgres://` URL of a role that may
//! create databases. It then starts the server in this process (release build) and
//! measures p50/p99 latency, from one client and from 32 concurrent clients, of:
//! - the Tickets app's default view: open items grouped by organization
//!   (`GET /api/items/groups?group_by=organization&status=new,open,waiting`, pages of 50 groups);
//! - one organization's open items (`GET /api/items?organization=ID&status=new,open,waiting`);
//! - the first page of all open items (`GET /api/items?status=new,open,waiting`);
//! - grouping with a filter the counters do not cover (`...&assignee=ID`), which counts items;
//! - the default grouping again at 32 clients while one request in ten changes an item's status.

use std::time::{Duration, Instant};

use orgdesk_server::config::Config;
use orgdesk_server::db::{query, Db};
use orgdesk_server::{seed, AppState};
use serde_json::{json, Value};
use tokio::net::TcpListener;

const ORGANIZATIONS: u32 = 10_000;
const CUSTOMERS: u32 = 100_000;
const ITEMS: u32 = 1_000_000;
const PROJECTS: u32 = 20;
const CLIENTS: usize = 32;
const REQUESTS_PER_CLIENT: usize = 30;
const SINGLE_CLIENT_REQUESTS: usize = 200;
const ADMIN_EMAIL: &str = "admin@example.com";
const ADMIN_PASSWORD: &str = "admin-password-1";

#[tokio::main]
async fn main() {
    let items = std::env::var("BENCH_ITEMS").ok().and_then(|v| v.parse().ok()).unwrap_or(ITEMS);
    let dir = tempfile::tempdir().expect("temporary directory");
    let sqlite = format!("sqlite://{}/orgdesk.db", dir.path().display());
    bench("SQLite", &sqlite, items).await;

    let pg = ["TEST_DATABASE_URL", "DATABASE_URL"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|u| u.starts_with("postgres://") || u.starts_with("postgresql://"));
    match pg {
        Some(admin_url) => {
            let name = format!("orgdesk_bench_{}", orgdesk_server::auth::random_token(6));
            run_sql(&admin_url, &format!("CREATE DATABASE {name}")).await;
            let base = admin_url.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin_url);
            bench("PostgreSQL", &format!("{base}/{name}"), items).await;
            run_sql(&admin_url, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
        }
        None => println!("(set TEST_DATABASE_URL=postgres://... to measure PostgreSQL too)"),
    }
}

async fn run_sql(url: &str, sql: &str) {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await.expect("connect to PostgreSQL");
    sqlx::query(sql).execute(&mut conn).await.expect(sql);
}

async fn bench(label: &str, url: &str, items: u32) {
    println!("== {label}: {ORGANIZATIONS} organizations, {CUSTOMERS} customers, {items} items ==");
    let mut config = Config::for_database(url);
    config.admin_email = Some(ADMIN_EMAIL.into());
    config.admin_password = Some(ADMIN_PASSWORD.into());
    let db = orgdesk_server::prepare(&config).await.expect("prepare database");
    let started = Instant::now();
    seed::bulk(&db, ORGANIZATIONS, CUSTOMERS).await.expect("seed customers");
    println!("seeded organizations and customers in {:.1} s", started.elapsed().as_secs_f64());
    let started = Instant::now();
    seed::bulk_items(&db, items, PROJECTS).await.expect("seed items");
    println!("seeded {items} items in {:.1} s", started.elapsed().as_secs_f64());

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = AppState::new(db.clone(), config);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        let _ = orgdesk_server::serve(listener, state, async {
            let _ = stopped.await;
        })
        .await;
    });
    let base = format!("http://{addr}");
    let client = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let res = client
        .post(format!("{base}/api/auth/login"))
        .json(&json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "sign in: {}", res.status());
    let csrf = res.json::<Value>().await.unwrap()["csrf_token"].as_str().unwrap().to_string();

    let orgs = organization_ids(&db).await;
    let agent: i64 = query("SELECT MIN(id) FROM agents").scalar(&db).await.unwrap();
    let open = "status=new,open,waiting";
    // (name, path for request n, requests per client: the last one counts items and is slower)
    type Path = Box<dyn Fn(usize) -> String + Send + Sync>;
    let scenarios: Vec<(&str, Path, usize)> = vec![
        (
            "groups by organization, open",
            Box::new(move |n| {
                format!("/api/items/groups?group_by=organization&{open}&offset={}&limit=50", (n * 50) % 9_000)
            }),
            REQUESTS_PER_CLIENT,
        ),
        (
            "one organization's open items",
            Box::new(move |n| format!("/api/items?organization={}&{open}&limit=50", orgs[(n * 7919) % orgs.len()])),
            REQUESTS_PER_CLIENT,
        ),
        ("open items, first page", Box::new(move |_| format!("/api/items?{open}&limit=50")), REQUESTS_PER_CLIENT),
        (
            "groups by organization, open, one assignee",
            Box::new(move |n| {
                format!("/api/items/groups?group_by=organization&{open}&assignee={agent}&offset={}", (n * 50) % 5_000)
            }),
            2,
        ),
    ];
    let scenarios = std::sync::Arc::new(scenarios);
    for i in 0..scenarios.len() {
        let per_client = scenarios[i].2;
        // Warm up (connections, caches).
        for n in 0..per_client.min(20) {
            get(&client, &base, &(scenarios[i].1)(n)).await;
        }
        let singles = SINGLE_CLIENT_REQUESTS * per_client / REQUESTS_PER_CLIENT;
        let mut single = Vec::with_capacity(singles);
        for n in 0..singles {
            let t = Instant::now();
            get(&client, &base, &(scenarios[i].1)(n)).await;
            single.push(t.elapsed());
        }
        let mut tasks = Vec::new();
        let wall = Instant::now();
        for c in 0..CLIENTS {
            let (client, base, scenarios) = (client.clone(), base.clone(), scenarios.clone());
            tasks.push(tokio::spawn(async move {
                let mut lat = Vec::with_capacity(per_client);
                for r in 0..per_client {
                    let t = Instant::now();
                    get(&client, &base, &(scenarios[i].1)(c * per_client + r)).await;
                    lat.push(t.elapsed());
                }
                lat
            }));
        }
        let mut concurrent = Vec::new();
        for t in tasks {
            concurrent.extend(t.await.unwrap());
        }
        let rate = concurrent.len() as f64 / wall.elapsed().as_secs_f64();
        println!(
            "{:<44} 1 client: p50 {:>6.1} ms, p99 {:>6.1} ms | {CLIENTS} clients: p50 {:>6.1} ms, p99 {:>6.1} ms, {:.0} req/s",
            scenarios[i].0,
            pct(&mut single, 0.50),
            pct(&mut single, 0.99),
            pct(&mut concurrent, 0.50),
            pct(&mut concurrent, 0.99),
            rate
        );
    }
    // Groups while items change: every tenth request changes an item's status (which
    // invalidates cached groupings); only the groupings' latencies are counted.
    let mut tasks = Vec::new();
    let wall = Instant::now();
    for c in 0..CLIENTS {
        let (client, base, csrf) = (client.clone(), base.clone(), csrf.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            for r in 0..REQUESTS_PER_CLIENT {
                let n = c * REQUESTS_PER_CLIENT + r;
                let t = Instant::now();
                if n % 10 == 0 {
                    let item = 1 + (n * 7919) % items as usize;
                    let status = ["open", "waiting", "resolved"][n % 3];
                    let res = client
                        .patch(format!("{base}/api/items/{item}"))
                        .header("x-csrf-token", &csrf)
                        .json(&json!({"status": status}))
                        .send()
                        .await
                        .expect("request");
                    assert!(res.status().is_success(), "update: {}", res.status());
                } else {
                    let offset = (n * 50) % 9_000;
                    get(
                        &client,
                        &base,
                        &format!("/api/items/groups?group_by=organization&{open}&offset={offset}&limit=50"),
                    )
                    .await;
                    lat.push(t.elapsed());
                }
            }
            lat
        }));
    }
    let mut mixed = Vec::new();
    for t in tasks {
        mixed.extend(t.await.unwrap());
    }
    println!(
        "{:<44} {CLIENTS} clients, 1 in 10 requests an update: p50 {:>6.1} ms, p99 {:>6.1} ms, {:.0} req/s",
        "groups by organization, open, with writes",
        pct(&mut mixed, 0.50),
        pct(&mut mixed, 0.99),
        (CLIENTS * REQUESTS_PER_CLIENT) as f64 / wall.elapsed().as_secs_f64()
    );
    let _ = stop.send(());
    let _ = server.await;
    db.close().await;
}

async fn organization_ids(db: &Db) -> Vec<i64> {
    query("SELECT id FROM organizations ORDER BY id").scalars(db).await.unwrap()
}

async fn get(client: &reqwest::Client, base: &str, path: &str) -> Value {
    let res = client.get(format!("{base}{path}")).send().await.expect("request");
    let status = res.status();
    assert!(status.is_success(), "{path}: {status}");
    res.json().await.expect("JSON")
}

/// The `q` quantile in milliseconds.
fn pct(samples: &mut [Duration], q: f64) -> f64 {
    samples.sort();
    samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)].as_secs_f64() * 1000.0
}
