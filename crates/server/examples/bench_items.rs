//! Benchmark of the Tickets app's API with 1,000,000 items.
//!
//! `cargo run --release -p orgdesk-server --example bench_items` (`scripts/bench.sh` runs it).
//!
//! Seeds 10,000 organizations, 100,000 customers and 1,000,000 items (in 20 projects)
//! into a fresh SQLite file, and into a fresh PostgreSQL database as well when
//! `TEST_DATABASE_URL` (or `DATABASE_URL`) is a `postgres://` URL of a role that may
//! create databases. It then starts the server in this process (release build) and, for
//! each case, measures p50/p99 latency from one client (200 requests), from 32 concurrent
//! clients (32 x 30 = 960 requests) and from 32 clients where every tenth request changes
//! an item's status (864 reads counted; the writes are not). Each line gives the true
//! sample count and, for groupings, the figures split by how the server answered (the
//! `x-orgdesk-groups` header: `held`/`updated`/`rebuilt` for the grouping by organization
//! kept from the counters, `cached`/`computed` for the others). Cases: open items grouped
//! by organization (pages of 50 groups), one organization's open items, the first page and
//! pages 2-100 of open items, a title search (`q`) and the grouping of its results, the
//! grouping with one assignee (held per assignee from its counters), groupings by project
//! and by status, the projects list and the outbox list. `BENCH_ONLY=text` runs the cases
//! whose name contains the text.

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
    config.admin_must_change_password = false;
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

    explain_all(&db).await;
    let orgs = std::sync::Arc::new(organization_ids(&db).await);
    let agent: i64 = query("SELECT MIN(id) FROM agents").scalar(&db).await.unwrap();
    let open = "status=new,open,waiting";
    let words = ["printer", "vpn", "invoice", "12345", "renew our", "crash", "wi-fi", "csv export", "9999"];
    let only = std::env::var("BENCH_ONLY").ok();
    let cases: Vec<(&str, PathFn)> = vec![
        (
            "groups by organization, open",
            Box::new(move |n| {
                format!("/api/items/groups?group_by=organization&{open}&offset={}&limit=50", (n * 50) % 9_000)
            }),
        ),
        ("one organization's open items", {
            let orgs = orgs.clone();
            Box::new(move |n| format!("/api/items?organization={}&{open}&limit=50", orgs[(n * 7919) % orgs.len()]))
        }),
        ("open items, first page", Box::new(move |_| format!("/api/items?{open}&limit=50"))),
        (
            "open items, pages 2-100",
            Box::new(move |n| format!("/api/items?{open}&limit=50&offset={}", 50 + (n * 50) % 4_950)),
        ),
        (
            "title search (q), first page",
            Box::new(move |n| format!("/api/items?q={}&limit=50", enc(words[n % words.len()]))),
        ),
        (
            "groups by organization, title search (q)",
            Box::new(move |n| {
                format!("/api/items/groups?group_by=organization&q={}&limit=50", enc(words[n % words.len()]))
            }),
        ),
        (
            "groups by organization, open, one assignee",
            Box::new(move |n| {
                format!("/api/items/groups?group_by=organization&{open}&assignee={agent}&offset={}", (n * 50) % 5_000)
            }),
        ),
        ("groups by project, open", Box::new(move |_| format!("/api/items/groups?group_by=project&{open}"))),
        ("groups by status", Box::new(|_| "/api/items/groups?group_by=status".to_string())),
        ("projects list", Box::new(|_| "/api/projects?limit=50".to_string())),
        ("outbox list", Box::new(|n| format!("/api/outbox?limit=50&offset={}", (n * 50) % 500))),
    ];
    let cases = std::sync::Arc::new(cases);
    for i in 0..cases.len() {
        if only.as_deref().is_some_and(|o| !cases[i].0.contains(o)) {
            continue;
        }
        // Warm up (connections, caches).
        for n in 0..20 {
            get(&client, &base, &(cases[i].1)(n)).await;
        }
        let mut single = Vec::with_capacity(SINGLE_CLIENT_REQUESTS);
        for n in 0..SINGLE_CLIENT_REQUESTS {
            let t = Instant::now();
            let how = get(&client, &base, &(cases[i].1)(n)).await;
            single.push((t.elapsed(), how));
        }
        report(cases[i].0, "1 client", &mut single, SINGLE_CLIENT_REQUESTS as f64);
        for writes in [false, true] {
            let wall = Instant::now();
            let mut tasks = Vec::new();
            for c in 0..CLIENTS {
                let (client, base, csrf, cases) = (client.clone(), base.clone(), csrf.clone(), cases.clone());
                tasks.push(tokio::spawn(async move {
                    let mut lat = Vec::with_capacity(REQUESTS_PER_CLIENT);
                    for r in 0..REQUESTS_PER_CLIENT {
                        let n = c * REQUESTS_PER_CLIENT + r;
                        if writes && n % 10 == 0 {
                            change_status(&client, &base, &csrf, n, items).await;
                            continue;
                        }
                        let t = Instant::now();
                        let how = get(&client, &base, &(cases[i].1)(n)).await;
                        lat.push((t.elapsed(), how));
                    }
                    lat
                }));
            }
            let mut samples = Vec::new();
            for t in tasks {
                samples.extend(t.await.unwrap());
            }
            let rate = (CLIENTS * REQUESTS_PER_CLIENT) as f64 / wall.elapsed().as_secs_f64();
            let what = if writes { "32 clients, 1 in 10 a status change" } else { "32 clients" };
            report(cases[i].0, what, &mut samples, rate);
        }
    }
    let _ = stop.send(());
    let _ = server.await;
    db.close().await;
}

/// Prints the database's plan of the statements the main cases run (SQLite: EXPLAIN QUERY
/// PLAN; PostgreSQL: EXPLAIN (ANALYZE, BUFFERS), so with the rows each step touched).
async fn explain_all(db: &Db) {
    use orgdesk_core::api::tickets::ItemStatus;
    use orgdesk_core::tickets::{ItemFilter, ItemSearch};
    use orgdesk_server::db::items::filter::{capped_count, page_ids, TitleSearch};
    let title = TitleSearch::for_db(db);
    let agent: i64 = query("SELECT MIN(id) FROM agents").scalar(db).await.unwrap();
    let open = vec![ItemStatus::New, ItemStatus::Open, ItemStatus::Waiting];
    let search = ItemFilter { search: Some(ItemSearch::Title("printer".into())), ..Default::default() };
    let rare = ItemFilter { search: Some(ItemSearch::Title("12345".into())), ..Default::default() };
    let version: i64 = query("SELECT version FROM work_version").scalar(db).await.unwrap();
    let statements = vec![
        ("title search 'printer', page", page_ids(&search, title, 0, 50)),
        ("title search 'printer', count up to 1,001", capped_count(&search, title, 1_001)),
        ("title search '12345', page", page_ids(&rare, title, 0, 50)),
        ("title search '12345', count up to 1,001", capped_count(&rare, title, 1_001)),
        ("open items, page 100", page_ids(&ItemFilter { statuses: open, ..Default::default() }, title, 4_950, 50)),
        (
            "grouping by organization: the counters a write changed",
            query("SELECT organization_id, status, CAST(n AS BIGINT) FROM org_item_counts WHERE stamp > $1")
                .bind(version - 10),
        ),
        (
            "grouping for one assignee: the counters a write changed",
            query(
                "SELECT organization_id, status, CAST(n AS BIGINT) FROM assignee_item_counts \
                 WHERE stamp > $1 AND assignee_id = $2",
            )
            .bind(version - 10)
            .bind(agent),
        ),
    ];
    for (name, q) in statements {
        let postgres = matches!(db, Db::Postgres(..));
        let started = Instant::now();
        let lines: Vec<String> = if postgres {
            let rows: Vec<(String,)> = query(format!("EXPLAIN (ANALYZE, BUFFERS) {}", q.sql()))
                .bind_args(q.args().to_vec())
                .fetch_all(db)
                .await
                .expect("explain");
            rows.into_iter().map(|r| r.0).collect()
        } else {
            let rows: Vec<(i64, i64, i64, String)> = query(format!("EXPLAIN QUERY PLAN {}", q.sql()))
                .bind_args(q.args().to_vec())
                .fetch_all(db)
                .await
                .expect("explain");
            rows.into_iter().map(|r| r.3).collect()
        };
        let explained = started.elapsed();
        let started = Instant::now();
        let n = q.fetch_all::<(i64,)>(db).await.map(|r| r.len()).unwrap_or(0);
        println!("-- {name} ({n} rows, {:.1} ms run alone; explain {:.1} ms)", ms(started.elapsed()), ms(explained));
        for l in lines {
            println!("     {l}");
        }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

type PathFn = Box<dyn Fn(usize) -> String + Send + Sync>;

/// Changes one item's status (every grouping's cached answer is then out of date).
async fn change_status(client: &reqwest::Client, base: &str, csrf: &str, n: usize, items: u32) {
    let item = 1 + (n * 7919) % items as usize;
    let status = ["open", "waiting", "resolved"][n % 3];
    let res = client
        .patch(format!("{base}/api/items/{item}"))
        .header("x-csrf-token", csrf)
        .json(&json!({"status": status}))
        .send()
        .await
        .expect("request");
    assert!(res.status().is_success(), "update: {}", res.status());
}

/// Prints p50/p99 of all samples (their true count) and, for groupings, of each way
/// they were answered (the server's `x-orgdesk-groups` header: held, updated or rebuilt
/// for the kept grouping by organization; cached or computed for the others).
fn report(name: &str, what: &str, samples: &mut [(Duration, String)], rate: f64) {
    let mut all: Vec<Duration> = samples.iter().map(|s| s.0).collect();
    let mut line = format!(
        "{name:<44} {what:<36} n={:<4} p50 {:>6.1} ms, p99 {:>6.1} ms, {rate:.0} req/s",
        all.len(),
        pct(&mut all, 0.50),
        pct(&mut all, 0.99)
    );
    let mut kinds: Vec<&str> = samples.iter().map(|s| s.1.as_str()).filter(|k| !k.is_empty()).collect();
    kinds.sort();
    kinds.dedup();
    for kind in kinds {
        let mut of: Vec<Duration> = samples.iter().filter(|s| s.1 == kind).map(|s| s.0).collect();
        line.push_str(&format!(" | {kind} n={} p50 {:.1} p99 {:.1}", of.len(), pct(&mut of, 0.50), pct(&mut of, 0.99)));
    }
    println!("{line}");
}

fn enc(s: &str) -> String {
    s.replace(' ', "%20")
}

async fn organization_ids(db: &Db) -> Vec<i64> {
    query("SELECT id FROM organizations ORDER BY id").scalars(db).await.unwrap()
}

/// GETs `path` (reading the whole body); returns how a grouping was answered ("" for other requests).
async fn get(client: &reqwest::Client, base: &str, path: &str) -> String {
    let res = client.get(format!("{base}{path}")).send().await.expect("request");
    let status = res.status();
    assert!(status.is_success(), "{path}: {status}");
    let how = res.headers().get("x-orgdesk-groups").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    res.bytes().await.expect("body");
    how
}

/// The `q` quantile in milliseconds.
fn pct(samples: &mut [Duration], q: f64) -> f64 {
    samples.sort();
    samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)].as_secs_f64() * 1000.0
}
