//! Every list and search endpoint the screens call, and the writes they make, measured
//! against a raw axum + sqlx baseline (`examples/baseline.rs`) on the same database
//! (issue #17). A separate load-generator process: it seeds 10,000 organizations,
//! 100,000 customers and 1,000,000 items with `orgdesk seed` into a fresh SQLite file
//! (then a fresh PostgreSQL database when `TEST_DATABASE_URL=postgres://…` names a role
//! that may create databases, vacuumed and analyzed after the load), starts a release `orgdesk` and the baseline on it, and
//! drives each endpoint with `BENCH_CLIENTS` (32) clients for `BENCH_SECONDS` (5) s,
//! each client sending its next request as soon as the last is answered:
//! - reads alone, then with one request in ten a write (alternately a move of one
//!   customer and an item's status change; the writes are timed apart and not counted
//!   with the reads);
//! - each write alone;
//! - the baseline's three shapes (a 100-row page, a 50-row search, a one-row write).
//!
//! The report gives per endpoint the requests answered, throughput, its ratio to the
//! baseline shape it is compared with, p50 and p99, the CPU time the server process (and
//! on PostgreSQL the database's processes) spent per request, from /proc (in ticks of
//! 1/100 s, Linux's `USER_HZ`): what a request costs apart from how long it queued, though
//! on a shared machine it too moves between runs far apart, so compare rows of one run;
//! and the server's resident memory.
//! Parameters are drawn at random from the seeded data (offsets, organizations,
//! customers, search terms), so cached endpoints mix hits and computations: each row
//! says what its cache is (`versioned_cache.rs`) and how many distinct parameters its
//! requests draw from. `BENCH_WARMUP` (1) seconds of the same requests come first, not
//! counted. `LOAD_ONLY=sqlite|postgres` measures one database (`BENCH_PG_DATABASE` names the PostgreSQL one it creates and drops, default `orgdesk_compare_bench`; with
//! `BENCH_PG_TEMPLATE=name` the first run keeps a copy of its seeded database under that name and
//! later runs start from a copy of it instead of seeding, which with 1M items takes about 2 minutes;
//! `BENCH_SQLITE_TEMPLATE=path` does the same for the SQLite file); `BENCH_ITEMS`,
//! `LOAD_CUSTOMERS`, `LOAD_ORGANIZATIONS` change the data set; `BENCH_FILTER` keeps the
//! endpoints whose name contains it (or one of its comma-separated parts).
//!
//! `cargo build --release -p orgdesk-server --bin orgdesk --example bench_compare --example baseline
//! && target/release/examples/bench_compare` (`scripts/bench.sh` runs it; figures in README.md).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

mod support;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::{Client, Method};
use serde_json::{json, Value};
use support::{
    encode, fresh_postgres_database, json, load_average, orgdesk_bin, percentiles, postgres_admin_url, run_sql,
    seed_with_items, setting, sign_in_admin, start_server,
};
use tokio::process::{Child, Command};

/// Pieces of names with thousands of matches, and narrower ones.
const NAME_PIECES: &[&str] = &["owals", "akamu", "ughes", "oreau", "arcia", "ensen", "uirog", "kafor", "ava.a", "liam"];
/// What the searches (Orgdesk's and the baseline's) look for: half the time a piece of a
/// name, else a domain of a seeded organization.
fn search_term(r: &mut StdRng, ids: &Ids) -> String {
    if r.gen_bool(0.5) {
        NAME_PIECES[r.gen_range(0..NAME_PIECES.len())].to_string()
    } else {
        format!("org{}.example", ids.orgs[r.gen_range(0..ids.orgs.len())])
    }
}

/// Words of the generated item titles (each in 1 of 8 titles).
const TITLE_WORDS: &[&str] =
    &["printer", "invoice", "vpn", "dashboard", "certificate", "sign in", "export", "accounts"];

/// What the seeded data holds that the requests draw from.
struct Ids {
    orgs: Vec<i64>,
    customers: Vec<i64>,
    items: i64,
    agent: i64,
    org_total: i64,
    /// Customers in no organization.
    unassigned: i64,
}

/// One request: method, path and body.
type Request = (Method, String, Option<Value>);
type Make = Box<dyn Fn(&mut StdRng, &Ids) -> Request + Send + Sync>;

/// The baseline shape an endpoint is compared with.
#[derive(Clone, Copy, PartialEq)]
enum Shape {
    Page,
    Search,
    Write,
}

struct Endpoint {
    name: &'static str,
    shape: Shape,
    /// What is cached and what the parameters are drawn from.
    note: &'static str,
    make: Make,
}

fn get(path: String) -> Request {
    (Method::GET, path, None)
}

const OPEN: &str = "status=new,open,waiting";

fn endpoints() -> Vec<Endpoint> {
    fn e(name: &'static str, shape: Shape, note: &'static str, make: Make) -> Endpoint {
        Endpoint { name, shape, note, make }
    }
    fn pick<T: Copy>(rng: &mut StdRng, from: &[T]) -> T {
        from[rng.gen_range(0..from.len())]
    }
    vec![
        e(
            "customers, no organization",
            Shape::Page,
            "no cache; offsets 0-the group's size",
            Box::new(|r, ids| {
                get(format!("/api/customers?organization_id=none&offset={}&limit=100", r.gen_range(0..ids.unassigned)))
            }),
        ),
        e(
            "customers, one organization",
            Shape::Page,
            "no cache; 10,000 organizations",
            Box::new(|r, ids| get(format!("/api/customers?organization_id={}&limit=100", pick(r, &ids.orgs)))),
        ),
        e(
            "customer picker search (q, 8 rows)",
            Shape::Search,
            "kept per search text version, follows moves; 10 name pieces and 10,000 domains",
            Box::new(|r, ids| get(format!("/api/customers?offset=0&limit=8&q={}", encode(&search_term(r, ids))))),
        ),
        e(
            "organizations, list page",
            Shape::Page,
            "counters; offsets 0-total",
            Box::new(|r, ids| get(format!("/api/organizations?offset={}&limit=50", r.gen_range(0..ids.org_total)))),
        ),
        e(
            "organizations, search (q)",
            Shape::Search,
            "kept per search text version, follows moves; 10 name pieces and 10,000 domains",
            Box::new(|r, ids| get(format!("/api/organizations?offset=0&limit=100&q={}", encode(&search_term(r, ids))))),
        ),
        e(
            "organization members, first page",
            Shape::Page,
            "no cache; 10,000 organizations",
            Box::new(|r, ids| get(format!("/api/organizations/{}/members?offset=0&limit=50", pick(r, &ids.orgs)))),
        ),
        e(
            "customer history",
            Shape::Page,
            "no cache; sampled customers",
            Box::new(|r, ids| get(format!("/api/customers/{}/history?limit=50", pick(r, &ids.customers)))),
        ),
        e(
            "organization history",
            Shape::Page,
            "no cache; 10,000 organizations",
            Box::new(|r, ids| get(format!("/api/organizations/{}/history?offset=0&limit=50", pick(r, &ids.orgs)))),
        ),
        e(
            "items, open, first page",
            Shape::Page,
            "no cache",
            Box::new(|_, _| get(format!("/api/items?{OPEN}&offset=0&limit=50"))),
        ),
        e(
            "items, one organization's open",
            Shape::Page,
            "no cache; 10,000 organizations",
            Box::new(|r, ids| get(format!("/api/items?organization={}&{OPEN}&offset=0&limit=50", pick(r, &ids.orgs)))),
        ),
        e(
            "items, title search (q)",
            Shape::Search,
            "page ids kept per title version; 8 title words and 1,000,000 numbers",
            Box::new(|r, ids| {
                let q = if r.gen_bool(0.5) {
                    pick(r, TITLE_WORDS).to_string()
                } else {
                    r.gen_range(1..ids.items).to_string()
                };
                get(format!("/api/items?q={}&offset=0&limit=50", encode(&q)))
            }),
        ),
        e(
            "item groups by organization, open",
            Shape::Page,
            "group cache per data version; offsets 0-9,000",
            Box::new(|r, _| {
                get(format!(
                    "/api/items/groups?group_by=organization&{OPEN}&offset={}&limit=50",
                    r.gen_range(0..180) * 50
                ))
            }),
        ),
        e(
            "item groups by organization, one assignee",
            Shape::Page,
            "held per assignee, updated from the changed counters; offsets 0-5,000",
            Box::new(|r, ids| {
                get(format!(
                    "/api/items/groups?group_by=organization&{OPEN}&assignee={}&offset={}&limit=50",
                    ids.agent,
                    r.gen_range(0..100) * 50
                ))
            }),
        ),
        e(
            "item groups by status",
            Shape::Page,
            "group cache per data version",
            Box::new(|_, _| get("/api/items/groups?group_by=status&offset=0&limit=50".into())),
        ),
        e(
            "projects",
            Shape::Page,
            "no cache",
            Box::new(|_, _| get("/api/projects?archived=false&offset=0&limit=50".into())),
        ),
        e("outbox", Shape::Page, "no cache", Box::new(|_, _| get("/api/outbox?offset=0&limit=50".into()))),
    ]
}

/// The writes: a move of one customer, an item's status change.
fn writes() -> Vec<Endpoint> {
    vec![
        Endpoint {
            name: "move one customer (POST /api/customers/move)",
            shape: Shape::Write,
            note: "random customer, random organization; queued moves written together",
            make: Box::new(|r, ids| {
                let customer = ids.customers[r.gen_range(0..ids.customers.len())];
                let org = ids.orgs[r.gen_range(0..ids.orgs.len())];
                (
                    Method::POST,
                    "/api/customers/move".into(),
                    Some(json!({"customer_ids": [customer], "organization_id": org})),
                )
            }),
        },
        Endpoint {
            name: "item status change (PATCH /api/items/{id})",
            shape: Shape::Write,
            note: "random item, open/waiting/resolved",
            make: Box::new(|r, ids| {
                let status = ["open", "waiting", "resolved"][r.gen_range(0..3)];
                (Method::PATCH, format!("/api/items/{}", r.gen_range(1..=ids.items)), Some(json!({ "status": status })))
            }),
        },
    ]
}

/// The baseline's shapes.
fn baseline_endpoints() -> Vec<Endpoint> {
    vec![
        Endpoint {
            name: "baseline: 100-row page",
            shape: Shape::Page,
            note: "offsets 0-1,000",
            make: Box::new(|r, _| get(format!("/page?offset={}", r.gen_range(0..1_000)))),
        },
        Endpoint {
            name: "baseline: 50-row search",
            shape: Shape::Search,
            note: "10 name pieces and 10,000 domains",
            make: Box::new(|r, ids| get(format!("/search?q={}", encode(&search_term(r, ids))))),
        },
        Endpoint {
            name: "baseline: one-row write",
            shape: Shape::Write,
            note: "random item",
            make: Box::new(|r, ids| (Method::POST, format!("/write?id={}", r.gen_range(1..=ids.items)), None)),
        },
    ]
}

/// What one run of an endpoint measured.
struct Run {
    latencies: Vec<Duration>,
    writes: Vec<Duration>,
    conflicts: usize,
    /// Status codes of failed requests (0: no answer).
    failed: Vec<u16>,
    seconds: f64,
    /// CPU seconds the server process and the PostgreSQL processes spent in the run.
    cpu: (f64, f64),
}

impl Run {
    fn rate(&self) -> f64 {
        self.latencies.len() as f64 / self.seconds
    }

    /// The server's and the database's CPU milliseconds per request answered.
    fn cpu_per_request(&self) -> (f64, f64) {
        let n = (self.latencies.len() + self.writes.len()).max(1) as f64;
        (1000.0 * self.cpu.0 / n, 1000.0 * self.cpu.1 / n)
    }
}

/// Where requests go: a base URL with a signed-in client.
#[derive(Clone)]
struct Target {
    client: Client,
    base: String,
    csrf: String,
    /// The server process, whose CPU time each run reports.
    pid: u32,
}

/// CPU seconds (user and system) process `pid` has used, from /proc (0 when unreadable).
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces): utime and stime are 14 and 15.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let ticks: f64 = rest.split_whitespace().skip(11).take(2).filter_map(|v| v.parse::<f64>().ok()).sum();
    ticks / 100.0
}

/// CPU seconds used so far by the PostgreSQL processes on this machine (its backends
/// serve the server's connections; 0 with no PostgreSQL running).
fn postgres_cpu_seconds() -> f64 {
    let Ok(dir) = std::fs::read_dir("/proc") else { return 0.0 };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == "postgres"))
        .map(cpu_seconds)
        .sum()
}

impl Target {
    /// Sends one request: its status code (0 when the connection failed).
    async fn send(&self, (method, path, body): &Request) -> u16 {
        let mut req =
            self.client.request(method.clone(), format!("{}{path}", self.base)).header("x-csrf-token", &self.csrf);
        if let Some(body) = body {
            req = req.json(body);
        }
        let Ok(res) = req.send().await else { return 0 };
        let status = res.status().as_u16();
        match res.bytes().await {
            Ok(_) => status,
            Err(_) => 0,
        }
    }

    /// `clients` clients send `endpoint`'s requests for `seconds`; with `mix`, every
    /// tenth request is one of those writes instead (timed apart).
    async fn drive(
        &self,
        endpoint: &Arc<Endpoint>,
        mix: Option<&Arc<Vec<Endpoint>>>,
        ids: &Arc<Ids>,
        clients: usize,
        seconds: f64,
    ) -> Run {
        let cpu_before = (cpu_seconds(self.pid), postgres_cpu_seconds());
        let wall = Instant::now();
        let until = wall + Duration::from_secs_f64(seconds);
        let mut tasks = Vec::new();
        for c in 0..clients {
            let (target, endpoint, ids, mix) = (self.clone(), endpoint.clone(), ids.clone(), mix.cloned());
            tasks.push(tokio::spawn(async move {
                let mut rng = StdRng::seed_from_u64(c as u64 * 7919 + wall.elapsed().as_nanos() as u64);
                let (mut lat, mut writes, mut conflicts, mut failed) = (Vec::new(), Vec::new(), 0, Vec::new());
                let mut n = 0usize;
                while Instant::now() < until {
                    n += 1;
                    let write = mix.as_ref().filter(|_| n % 10 == 0);
                    let request = match write {
                        Some(w) => (w[(n / 10) % w.len()].make)(&mut rng, &ids),
                        None => (endpoint.make)(&mut rng, &ids),
                    };
                    let t = Instant::now();
                    let status = target.send(&request).await;
                    let took = t.elapsed();
                    match status {
                        200..=299 => {}
                        409 => conflicts += 1,
                        _ => {
                            // Counted and named in the report; its time is not a latency.
                            failed.push(status);
                            continue;
                        }
                    }
                    if write.is_some() {
                        writes.push(took);
                    } else {
                        lat.push(took);
                    }
                }
                (lat, writes, conflicts, failed)
            }));
        }
        let mut run = Run {
            latencies: Vec::new(),
            writes: Vec::new(),
            conflicts: 0,
            failed: Vec::new(),
            seconds: 0.0,
            cpu: (0.0, 0.0),
        };
        for t in tasks {
            let (lat, writes, conflicts, failed) = t.await.unwrap();
            run.latencies.extend(lat);
            run.writes.extend(writes);
            run.conflicts += conflicts;
            run.failed.extend(failed);
        }
        run.seconds = wall.elapsed().as_secs_f64();
        run.cpu = (cpu_seconds(self.pid) - cpu_before.0, postgres_cpu_seconds() - cpu_before.1);
        run
    }
}

#[tokio::main]
async fn main() {
    let bin = orgdesk_bin();
    let only = std::env::var("LOAD_ONLY").unwrap_or_default();
    if only != "postgres" {
        let dir = tempfile::tempdir().expect("temporary directory");
        let file = dir.path().join("orgdesk.db");
        let url = format!("sqlite://{}", file.display());
        // With BENCH_SQLITE_TEMPLATE=path, a file seeded by an earlier run is copied
        // instead of seeding anew (about 50 s at 1M items); the first run leaves it there.
        let template = std::env::var_os("BENCH_SQLITE_TEMPLATE").filter(|t| !t.is_empty()).map(PathBuf::from);
        let seeded = match &template {
            Some(t) if t.is_file() => {
                std::fs::copy(t, &file).expect("copy the seeded SQLite file");
                println!("copied the seeded database {}", t.display());
                true
            }
            _ => false,
        };
        scenario("SQLite", &bin, &url, seeded, template.map(Keep::Sqlite)).await;
    }
    if only == "sqlite" {
        return;
    }
    match postgres_admin_url() {
        Some(admin_url) => {
            let name = std::env::var("BENCH_PG_DATABASE").unwrap_or_else(|_| "orgdesk_compare_bench".into());
            let name = name.as_str();
            let url = fresh_postgres_database(&admin_url, name).await;
            // With BENCH_PG_TEMPLATE, a database of that name seeded by an earlier run is
            // copied instead of seeding anew (about 2 minutes at 1M items); the first run
            // seeds and leaves the copy. Each run still starts from the same data.
            let template = std::env::var("BENCH_PG_TEMPLATE").ok().filter(|t| !t.is_empty() && t != name);
            let seeded = match &template {
                Some(t) if database_exists(&admin_url, t).await => {
                    copy_database(&admin_url, t, name).await;
                    println!("copied the seeded database {t}");
                    true
                }
                _ => false,
            };
            let keep = template.as_deref().map(|name| Keep::Postgres { admin_url: &admin_url, name });
            scenario("PostgreSQL", &bin, &url, seeded, keep).await;
            run_sql(&admin_url, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
        }
        None => println!("(set TEST_DATABASE_URL=postgres://... to measure PostgreSQL too)"),
    }
}

/// The baseline server on `url`, killed when dropped; its base URL.
async fn start_baseline(url: &str) -> (Child, String) {
    let exe = std::env::current_exe().expect("own path");
    let bin = exe.parent().expect("examples directory").join("baseline");
    assert!(
        bin.is_file(),
        "no baseline at {} (cargo build --release -p orgdesk-server --example baseline)",
        bin.display()
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new(bin)
        .args([url, &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start the baseline");
    let base = format!("http://127.0.0.1:{port}");
    let until = Instant::now() + Duration::from_secs(30);
    while Client::new().get(format!("{base}/page?offset=0")).send().await.is_err() {
        assert!(Instant::now() < until, "the baseline did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (child, base)
}

/// A process's resident memory now and at its peak (VmRSS, VmHWM), in MiB.
fn memory_mib(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let read = |key: &str| {
        status
            .lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    };
    (read("VmRSS"), read("VmHWM"))
}

/// Whether database `name` exists beside `admin_url`'s.
async fn database_exists(admin_url: &str, name: &str) -> bool {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(admin_url).await.expect("connect to PostgreSQL");
    sqlx::query("SELECT 1 FROM pg_database WHERE datname = $1")
        .bind(name)
        .fetch_optional(&mut conn)
        .await
        .expect("read pg_database")
        .is_some()
}

/// Replaces database `to` beside `admin_url`'s with a copy of `from`. PostgreSQL 15 copies
/// a database by writing every page of it into the write-ahead log (`WAL_LOG`; the seeded
/// database is 709 MB), which set off checkpoints during the runs that followed, and the
/// first change of each page after a checkpoint writes the whole page into the log again.
/// `FILE_COPY` copies the files after a checkpoint instead (older versions do only that,
/// and do not know the option).
async fn copy_database(admin_url: &str, from: &str, to: &str) {
    use sqlx::Connection;
    run_sql(admin_url, &format!("DROP DATABASE IF EXISTS {to} WITH (FORCE)")).await;
    let mut conn = sqlx::PgConnection::connect(admin_url).await.expect("connect to PostgreSQL");
    let file_copy = format!("CREATE DATABASE {to} TEMPLATE {from} STRATEGY = FILE_COPY");
    if sqlx::query(&file_copy).execute(&mut conn).await.is_err() {
        let plain = format!("CREATE DATABASE {to} TEMPLATE {from}");
        sqlx::query(&plain).execute(&mut conn).await.expect(&plain);
    }
}

/// Where a freshly seeded database is copied for later runs.
enum Keep<'a> {
    /// `BENCH_PG_TEMPLATE`: a database of this name beside `admin_url`'s.
    Postgres { admin_url: &'a str, name: &'a str },
    /// `BENCH_SQLITE_TEMPLATE`: a file.
    Sqlite(PathBuf),
}

/// Seeds `url` unless `seeded`; with `keep`, a seeded database is also copied there for
/// later runs.
async fn scenario(label: &str, bin: &Path, url: &str, seeded: bool, keep: Option<Keep<'_>>) {
    let customers: u32 = setting("LOAD_CUSTOMERS", 100_000);
    let organizations: u32 = setting("LOAD_ORGANIZATIONS", 10_000);
    let items: u32 = setting("BENCH_ITEMS", 1_000_000);
    let clients: usize = setting("BENCH_CLIENTS", 32);
    let seconds: f64 = setting("BENCH_SECONDS", 5.0);
    let warm_up: f64 = setting("BENCH_WARMUP", 1.0);
    let filter = std::env::var("BENCH_FILTER").unwrap_or_default();
    // A blank part (a trailing comma, ", ") would match every endpoint: it is left out.
    let parts: Vec<&str> = filter.split(',').filter(|part| !part.trim().is_empty()).collect();
    let chosen = |name: &str| parts.is_empty() || parts.iter().any(|part| name.contains(part));
    println!("== {label}: {organizations} organizations, {customers} customers, {items} items; {clients} clients, {seconds} s per run ==");
    if !seeded {
        let started = Instant::now();
        seed_with_items(bin, url, customers, organizations, items).await;
        if url.starts_with("postgres") {
            // What autovacuum does to a database in use: the freshly loaded tables get their
            // statistics and visibility map (index-only scans read no table pages).
            run_sql(url, "VACUUM ANALYZE").await;
        }
        println!("seeded in {:.1} s", started.elapsed().as_secs_f64());
        match keep {
            Some(Keep::Postgres { admin_url, name }) => {
                copy_database(admin_url, url.rsplit_once('/').map_or(url, |(_, db)| db), name).await;
                println!("kept a copy of the seeded database as {name}");
            }
            Some(Keep::Sqlite(to)) => {
                // Everything into the main file first (the server checkpoints in the
                // background, so the seeding may leave most of it in the write-ahead log).
                use sqlx::Connection;
                let mut conn = sqlx::SqliteConnection::connect(url).await.expect("open the seeded file");
                sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&mut conn).await.expect("checkpoint");
                conn.close().await.expect("close the seeded file");
                std::fs::copy(url.trim_start_matches("sqlite://"), &to).expect("keep a copy of the seeded SQLite file");
                println!("kept a copy of the seeded database as {}", to.display());
            }
            None => {}
        }
    }
    let server = start_server(bin, url, &[]).await;
    let pid = server.pid().expect("server pid");
    let (baseline_child, baseline_base) = start_baseline(url).await;
    let (client, csrf) = sign_in_admin(&server.base, clients * 2).await;

    let ids = Arc::new(collect_ids(&client, &server.base, customers, organizations).await);
    let orgdesk = Target { client: client.clone(), base: server.base.clone(), csrf, pid };
    let baseline = Target {
        client: Client::builder().pool_max_idle_per_host(clients * 2).build().unwrap(),
        base: baseline_base,
        csrf: String::new(),
        pid: baseline_child.id().unwrap_or_default(),
    };

    println!("load average before: {}", load_average());
    let mut base_rate = [0.0f64; 3];
    let mut rows: Vec<String> = Vec::new();
    for endpoint in baseline_endpoints() {
        let endpoint = Arc::new(endpoint);
        baseline.drive(&endpoint, None, &ids, clients, warm_up).await;
        let run = baseline.drive(&endpoint, None, &ids, clients, seconds).await;
        base_rate[endpoint.shape as usize] = run.rate();
        rows.push(row(&endpoint, &run, None, None));
    }
    let write_mix = Arc::new(writes());
    for endpoint in endpoints().into_iter().filter(|e| chosen(e.name)) {
        let endpoint = Arc::new(endpoint);
        orgdesk.drive(&endpoint, None, &ids, clients, warm_up).await;
        let alone = orgdesk.drive(&endpoint, None, &ids, clients, seconds).await;
        let mixed = orgdesk.drive(&endpoint, Some(&write_mix), &ids, clients, seconds).await;
        rows.push(row(&endpoint, &alone, Some(base_rate[endpoint.shape as usize]), Some(&mixed)));
    }
    for endpoint in writes().into_iter().filter(|e| chosen(e.name)) {
        let endpoint = Arc::new(endpoint);
        orgdesk.drive(&endpoint, None, &ids, clients, warm_up).await;
        let run = orgdesk.drive(&endpoint, None, &ids, clients, seconds).await;
        rows.push(row(&endpoint, &run, Some(base_rate[Shape::Write as usize]), None));
    }
    let (rss, peak) = memory_mib(pid);
    let (base_rss, base_peak) = baseline_child.id().map(memory_mib).unwrap_or_default();
    println!("\n{label}: {clients} clients, {seconds} s per run (load average after: {})\n", load_average());
    println!("| Endpoint | Requests | Per second | Ratio to baseline | p50 ms | p99 ms | CPU ms per request | With 1 write in 10: p50 / p99 ms (reads; writes p99) | Cache and parameters |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for r in rows {
        println!("{r}");
    }
    println!("\n{label}: orgdesk resident memory {rss:.0} MiB now, peak {peak:.0} MiB; baseline {base_rss:.0} / {base_peak:.0} MiB\n");
}

/// One table row: counts, rate, the ratio to `base` (a baseline's rate), percentiles and
/// the run with writes mixed in.
fn row(e: &Endpoint, run: &Run, base: Option<f64>, mixed: Option<&Run>) -> String {
    let (p50, p99) = percentiles(&run.latencies);
    let ratio = base.map(|b| format!("{:.0} %", 100.0 * run.rate() / b)).unwrap_or_else(|| "(baseline)".into());
    let conflicts = outcome(run);
    let mixed = mixed
        .map(|m| {
            let (p50, p99) = percentiles(&m.latencies);
            let (_, w99) = percentiles(&m.writes);
            format!(
                "{p50:.1} / **{p99:.1}** ({} reads; {} writes p99 {w99:.1}){}",
                m.latencies.len(),
                m.writes.len(),
                outcome(m)
            )
        })
        .unwrap_or_default();
    // The server's CPU per request, and PostgreSQL's beside it when it did any work.
    let cpu = match run.cpu_per_request() {
        (server, database) if database >= 0.005 => format!("{server:.2} + {database:.2}"),
        (server, _) => format!("{server:.2}"),
    };
    format!(
        "| {} | {}{conflicts} | {:.0} | {ratio} | {p50:.1} | **{p99:.1}** | {cpu} | {mixed} | {} |",
        e.name,
        run.latencies.len(),
        run.rate(),
        e.note
    )
}

/// What went other than 2xx in a run: " (3 answered 409, 2 failed: 503)", or nothing.
fn outcome(run: &Run) -> String {
    let mut parts = Vec::new();
    if run.conflicts > 0 {
        parts.push(format!("{} answered 409", run.conflicts));
    }
    if !run.failed.is_empty() {
        let mut codes: Vec<u16> = run.failed.clone();
        codes.sort_unstable();
        codes.dedup();
        let codes: Vec<String> =
            codes.iter().map(|c| if *c == 0 { "no answer".into() } else { c.to_string() }).collect();
        parts.push(format!("**{} failed**: {}", run.failed.len(), codes.join(", ")));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(", "))
    }
}

async fn collect_ids(client: &Client, base: &str, customers: u32, organizations: u32) -> Ids {
    let mut ids = Ids { orgs: Vec::new(), customers: Vec::new(), items: 0, agent: 0, org_total: 0, unassigned: 0 };
    for k in 0..20u32 {
        let page = json(
            client.get(format!("{base}/api/customers?offset={}&limit=200", k * (customers / 20))).send().await.unwrap(),
            "customers",
        )
        .await;
        ids.customers.extend(page["items"].as_array().into_iter().flatten().filter_map(|c| c["id"].as_i64()));
        let page = json(
            client
                .get(format!("{base}/api/organizations?offset={}&limit=200", k * (organizations / 20)))
                .send()
                .await
                .unwrap(),
            "organizations",
        )
        .await;
        ids.org_total = page["total"].as_i64().unwrap_or(0);
        ids.unassigned = page["unassigned_count"].as_i64().unwrap_or(0).max(1);
        ids.orgs.extend(page["items"].as_array().into_iter().flatten().filter_map(|o| o["id"].as_i64()));
    }
    let page = json(client.get(format!("{base}/api/items?offset=0&limit=1")).send().await.unwrap(), "items").await;
    ids.items = page["items"][0]["id"].as_i64().expect("an item");
    let agents = json(client.get(format!("{base}/api/agents")).send().await.unwrap(), "agents").await;
    let list = agents.get("items").unwrap_or(&agents);
    ids.agent = list.as_array().and_then(|a| a.iter().filter_map(|x| x["id"].as_i64()).min()).expect("an agent");
    assert!(!ids.orgs.is_empty() && !ids.customers.is_empty(), "no seeded data");
    ids
}
