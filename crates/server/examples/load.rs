//! Load test: 200 concurrent API clients for 60 s on a realistic mix, against
//! release `orgdesk` server processes (this program is only the load generator).
//!
//! `cargo build --release -p orgdesk-server --bin orgdesk --example load && target/release/examples/load`
//! (`scripts/bench.sh` runs it; figures in README.md).
//!
//! Two runs, each on data made by `orgdesk seed` (100,000 customers in 10,000
//! organizations by default):
//! - SQLite: one server process on a fresh file;
//! - PostgreSQL (when `TEST_DATABASE_URL` is a `postgres://` URL of a role that may
//!   create databases): two server processes on one fresh database `orgdesk_load`,
//!   requests alternating between them, and a check afterwards that a customer
//!   renamed through one process is found by the new name through the other at once
//!   (the organization search is cached per process, see `versioned_cache.rs`).
//!
//! The mix (per request, at random), as the Customers app asks: 30% a page of the
//! customer list (`GET /api/organizations`, 50 organization groups at a random offset),
//! 25% a customer search (`GET /api/organizations?q=`, a 3-letter name prefix), 23%
//! opening an organization panel (its detail, then its first members page), 20% moving
//! 1-3 customers to another organization (one in ten to none), 2% a reply in an
//! organization conversation (one mail per member; conversations belong to
//! organizations and projects). The reply share keeps the mail within what one
//! server's outbox worker delivers (50 per 2 s tick).
//! Per endpoint it prints count, p50, p99, errors (any status other than the
//! expected, or no answer) and 409 conflicts separately (a move whose customers
//! another client just moved is refused with 409 by design).
//!
//! Every server delivers its mail to an SMTP sink in this program; after the run
//! the program waits for the outbox to drain and checks that every queued mail
//! arrived exactly once (no duplicate, no lost send).
//!
//! Settings: `LOAD_CLIENTS` (200), `LOAD_SECONDS` (60), `LOAD_CUSTOMERS` (100000),
//! `LOAD_ORGANIZATIONS` (10000), `ORGDESK_BIN` (the `orgdesk` next to this example).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod support;

use orgdesk_server::db::Db;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use support::{
    fresh_postgres_database, json, load_average, orgdesk_bin, postgres_admin_url, run_sql, seed, setting,
    sign_in_admin, start_server, ServerProcess,
};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// Organizations with one member each that hold the conversations replied to.
const TALKS: usize = 20;
/// How long to wait for the outbox to drain after the run.
const DRAIN: Duration = Duration::from_secs(240);

#[tokio::main]
async fn main() {
    let clients: usize = setting("LOAD_CLIENTS", 200);
    let seconds: u64 = setting("LOAD_SECONDS", 60);
    let customers: u32 = setting("LOAD_CUSTOMERS", 100_000);
    let organizations: u32 = setting("LOAD_ORGANIZATIONS", 10_000);
    let bin = orgdesk_bin();
    let run = Run { bin, clients, duration: Duration::from_secs(seconds), customers, organizations };

    let only = std::env::var("LOAD_ONLY").unwrap_or_default();
    if only != "postgres" {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite://{}/orgdesk.db", dir.path().display());
        run.scenario("SQLite, one server process", &url, 1).await;
    }
    if only == "sqlite" {
        return;
    }
    match postgres_admin_url() {
        Some(admin_url) => {
            let name = "orgdesk_load";
            let url = fresh_postgres_database(&admin_url, name).await;
            run.scenario("PostgreSQL, two server processes", &url, 2).await;
            run_sql(&admin_url, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
        }
        None => println!("(set TEST_DATABASE_URL=postgres://... to run on PostgreSQL with two servers too)"),
    }
}

struct Run {
    bin: PathBuf,
    clients: usize,
    duration: Duration,
    customers: u32,
    organizations: u32,
}

/// What the load's clients share: the servers, the session and the ids to pick from.
struct Fixture {
    bases: Vec<String>,
    client: Client,
    csrf: String,
    customer_ids: Vec<i64>,
    organization_ids: Vec<i64>,
    prefixes: Vec<String>,
    total_organizations: i64,
}

#[derive(Default)]
struct Stats {
    latencies: HashMap<&'static str, Vec<Duration>>,
    errors: HashMap<&'static str, Vec<String>>,
    conflicts: HashMap<&'static str, usize>,
    /// Mail the replies queued: (marker, number of recipients).
    queued: Vec<(String, i64)>,
}

impl Run {
    async fn scenario(&self, label: &str, url: &str, servers: usize) {
        println!("== {label}: {} organizations, {} customers ==", self.organizations, self.customers);
        let seeded = Instant::now();
        seed(&self.bin, url, self.customers, self.organizations).await;
        println!("seeded in {:.1} s", seeded.elapsed().as_secs_f64());

        let sink = MailSink::start().await;
        let mut processes = Vec::new();
        for _ in 0..servers {
            processes.push(self.start_server(url, sink.port).await);
        }
        let fixture = Arc::new(Fixture::prepare(processes.iter().map(|p| p.base.clone()).collect()).await);
        let mut stats = Stats::default();
        for (marker, notified) in fixture.start_conversations().await {
            stats.queued.push((marker, notified));
        }

        let load_before = load_average();
        let stats = Arc::new(Mutex::new(stats));
        let started = Instant::now();
        let deadline = started + self.duration;
        let mut tasks = Vec::new();
        for client in 0..self.clients {
            let (fixture, stats) = (fixture.clone(), stats.clone());
            tasks.push(tokio::spawn(async move { client_loop(client, fixture, stats, deadline).await }));
        }
        for task in tasks {
            task.await.expect("client task");
        }
        let elapsed = started.elapsed();
        let stats = Arc::try_unwrap(stats).ok().expect("clients done").into_inner().unwrap();
        let total: usize = stats.latencies.values().map(Vec::len).sum();
        println!(
            "{} clients, {:.0} s, {total} requests ({:.0}/s); load average before {load_before}, after {}",
            self.clients,
            elapsed.as_secs_f64(),
            total as f64 / elapsed.as_secs_f64(),
            load_average()
        );
        report(&stats);

        if servers > 1 {
            fixture.check_search_across_servers().await;
        }
        check_outbox(url, &stats, &sink).await;
        drop(processes);
    }

    async fn start_server(&self, url: &str, smtp_port: u16) -> ServerProcess {
        let mail = [
            ("ORGDESK_SMTP_HOST", "127.0.0.1".to_string()),
            ("ORGDESK_SMTP_PORT", smtp_port.to_string()),
            ("ORGDESK_SMTP_FROM", "desk@load.test".to_string()),
        ];
        start_server(&self.bin, url, &mail).await
    }
}

impl Fixture {
    async fn prepare(bases: Vec<String>) -> Fixture {
        let (client, csrf) = sign_in_admin(&bases[0], 1024).await;
        let mut fixture = Fixture {
            bases,
            client,
            csrf,
            customer_ids: Vec::new(),
            organization_ids: Vec::new(),
            prefixes: Vec::new(),
            total_organizations: 0,
        };
        let page = fixture.read("/api/customers?limit=1").await;
        let total = page["total"].as_i64().unwrap_or(0);
        fixture.total_organizations = fixture.read("/api/organizations?limit=1").await["total"].as_i64().unwrap_or(0);
        let mut rng = StdRng::seed_from_u64(7);
        for _ in 0..25 {
            let offset = rng.gen_range(0..(total - 200).max(1));
            let page = fixture.read(&format!("/api/customers?offset={offset}&limit=200")).await;
            for c in page["items"].as_array().into_iter().flatten() {
                fixture.customer_ids.push(c["id"].as_i64().unwrap());
                let name = c["first_name"].as_str().unwrap_or("");
                if name.chars().count() >= 3 {
                    fixture.prefixes.push(name.chars().take(3).collect());
                }
            }
            let orgs = fixture.read(&format!("/api/organizations?offset={}&limit=200", offset / 10)).await;
            for o in orgs["items"].as_array().into_iter().flatten() {
                fixture.organization_ids.push(o["id"].as_i64().unwrap());
            }
        }
        fixture.customer_ids.sort_unstable();
        fixture.customer_ids.dedup();
        fixture.organization_ids.sort_unstable();
        fixture.organization_ids.dedup();
        fixture.prefixes.sort();
        fixture.prefixes.dedup();
        assert!(!fixture.customer_ids.is_empty() && !fixture.organization_ids.is_empty(), "no seeded data");
        fixture
    }

    fn base(&self, n: usize) -> &str {
        &self.bases[n % self.bases.len()]
    }

    async fn read(&self, path: &str) -> Value {
        json(self.client.get(format!("{}{path}", self.bases[0])).send().await.unwrap(), path).await
    }

    async fn write(&self, base: &str, path: &str, body: Value) -> reqwest::Response {
        self.client.post(format!("{base}{path}")).header("x-csrf-token", &self.csrf).json(&body).send().await.unwrap()
    }

    /// One-member organizations, each with a conversation; returns the mail queued.
    async fn start_conversations(&self) -> Vec<(String, i64)> {
        let mut queued = Vec::new();
        let base = self.bases[0].clone();
        let mut ids = Vec::new();
        for n in 0..TALKS {
            let domain = format!("loadtalk{n}.test");
            let org = self
                .write(&base, "/api/organizations", json!({"name": format!("Load Talk {n}"), "domains": [domain]}))
                .await;
            let org = json(org, "create organization").await["id"].as_i64().unwrap();
            let customer = self
                .write(&base, "/api/customers", json!({"email": format!("talker@{domain}"), "first_name": "Talker"}))
                .await;
            json(customer, "create customer").await;
            let marker = format!("loadmark-start-{n}");
            let started = self
                .write(
                    &base,
                    &format!("/api/organizations/{org}/conversations"),
                    json!({"subject": "Load", "body": marker}),
                )
                .await;
            let started = json(started, "start conversation").await;
            queued.push((marker, started["notified"].as_i64().unwrap_or(0)));
            ids.push(
                started["conversation"]["id"].as_i64().or_else(|| started["id"].as_i64()).expect("conversation id"),
            );
        }
        CONVERSATIONS.lock().unwrap().extend(ids);
        queued
    }

    /// Renames customers through the first server and searches the new name through
    /// the second at once, its cache primed with that search before the rename.
    async fn check_search_across_servers(&self) {
        let (a, b) = (self.bases[0].clone(), self.bases[1].clone());
        let mut stale = 0;
        let rounds = 20;
        for n in 0..rounds {
            let id = self.customer_ids[n * 7 % self.customer_ids.len()];
            let name = format!("Quorra{n}x{}", rand::random::<u32>());
            let search = format!("{b}/api/organizations?q={name}");
            let before = json(self.client.get(&search).send().await.unwrap(), "search before").await;
            assert_eq!(before["total"], 0, "{before}");
            let res = self
                .client
                .patch(format!("{a}/api/customers/{id}"))
                .header("x-csrf-token", &self.csrf)
                .json(&json!({"first_name": name}))
                .send()
                .await
                .unwrap();
            let renamed = json(res, "rename").await;
            let after = json(self.client.get(&search).send().await.unwrap(), "search after").await;
            let expected = renamed["organization_id"].as_i64();
            let found = match expected {
                Some(org) => after["items"].as_array().into_iter().flatten().any(|o| o["id"].as_i64() == Some(org)),
                None => after["unassigned_count"].as_i64().unwrap_or(0) > 0 || after["total"].as_i64().unwrap_or(0) > 0,
            };
            if !found {
                stale += 1;
                println!("STALE: customer {id} renamed to {name} through A, search through B: {after}");
            }
        }
        println!(
            "search across the two processes: {rounds} renames through A searched through B at once, {stale} stale"
        );
    }
}

static CONVERSATIONS: Mutex<Vec<i64>> = Mutex::new(Vec::new());

const ENDPOINTS: [&str; 6] =
    ["customers list page", "customer search", "panel: detail", "panel: members", "move customers", "reply"];

async fn client_loop(client: usize, fixture: Arc<Fixture>, stats: Arc<Mutex<Stats>>, deadline: Instant) {
    let mut rng = StdRng::seed_from_u64(client as u64);
    let conversations = CONVERSATIONS.lock().unwrap().clone();
    let mut turn = client;
    let mut n = 0;
    while Instant::now() < deadline {
        turn += 1;
        n += 1;
        let base = fixture.base(turn).to_string();
        let roll = rng.gen_range(0..100);
        let c = &fixture.client;
        // (endpoint, request, expected status)
        let mut calls: Vec<(&'static str, reqwest::RequestBuilder, StatusCode)> = Vec::new();
        let mut marker = None;
        if roll < 30 {
            let offset = rng.gen_range(0..(fixture.total_organizations - 50).max(1));
            calls.push((
                ENDPOINTS[0],
                c.get(format!("{base}/api/organizations?offset={offset}&limit=50")),
                StatusCode::OK,
            ));
        } else if roll < 55 {
            let q = &fixture.prefixes[rng.gen_range(0..fixture.prefixes.len())];
            calls.push((ENDPOINTS[1], c.get(format!("{base}/api/organizations?q={q}&limit=50")), StatusCode::OK));
        } else if roll < 78 {
            let org = fixture.organization_ids[rng.gen_range(0..fixture.organization_ids.len())];
            calls.push((ENDPOINTS[2], c.get(format!("{base}/api/organizations/{org}/detail")), StatusCode::OK));
            calls.push((
                ENDPOINTS[3],
                c.get(format!("{base}/api/organizations/{org}/members?limit=50")),
                StatusCode::OK,
            ));
        } else if roll < 98 {
            let count = rng.gen_range(1..=3);
            let ids: Vec<i64> = rand::seq::index::sample(&mut rng, fixture.customer_ids.len(), count)
                .into_iter()
                .map(|i| fixture.customer_ids[i])
                .collect();
            let target = if rng.gen_range(0..10) == 0 {
                Value::Null
            } else {
                json!(fixture.organization_ids[rng.gen_range(0..fixture.organization_ids.len())])
            };
            let body = json!({"customer_ids": ids, "organization_id": target});
            calls.push((
                ENDPOINTS[4],
                c.post(format!("{base}/api/customers/move")).header("x-csrf-token", &fixture.csrf).json(&body),
                StatusCode::OK,
            ));
        } else {
            let conversation = conversations[rng.gen_range(0..conversations.len())];
            let text = format!("loadmark-{client}-{n}");
            marker = Some(text.clone());
            calls.push((
                ENDPOINTS[5],
                c.post(format!("{base}/api/conversations/{conversation}/messages"))
                    .header("x-csrf-token", &fixture.csrf)
                    .json(&json!({"body": text})),
                StatusCode::CREATED,
            ));
        }
        for (endpoint, request, expected) in calls {
            let sent = Instant::now();
            let result = request.send().await;
            let (status, body) = match result {
                Ok(res) => {
                    let status = res.status();
                    (Some(status), res.text().await.unwrap_or_default())
                }
                Err(e) => (None, e.to_string()),
            };
            let took = sent.elapsed();
            let mut s = stats.lock().unwrap();
            s.latencies.entry(endpoint).or_default().push(took);
            match status {
                Some(st) if st == expected => {
                    if let Some(marker) = marker.take() {
                        let notified =
                            serde_json::from_str::<Value>(&body).ok().and_then(|v| v["notified"].as_i64()).unwrap_or(0);
                        s.queued.push((marker, notified));
                    }
                }
                Some(StatusCode::CONFLICT) => *s.conflicts.entry(endpoint).or_default() += 1,
                other => {
                    let e = s.errors.entry(endpoint).or_default();
                    if e.len() < 5 {
                        e.push(format!("{other:?}: {}", body.chars().take(200).collect::<String>()));
                    } else {
                        e.push(String::new());
                    }
                }
            }
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

fn report(stats: &Stats) {
    println!("{:<22} {:>8} {:>9} {:>9} {:>7} {:>6}", "endpoint", "count", "p50 ms", "p99 ms", "errors", "409s");
    for endpoint in ENDPOINTS {
        let mut l = stats.latencies.get(endpoint).cloned().unwrap_or_default();
        l.sort_unstable();
        println!(
            "{:<22} {:>8} {:>9.1} {:>9.1} {:>7} {:>6}",
            endpoint,
            l.len(),
            percentile(&l, 0.50),
            percentile(&l, 0.99),
            stats.errors.get(endpoint).map_or(0, Vec::len),
            stats.conflicts.get(endpoint).copied().unwrap_or(0)
        );
    }
    for (endpoint, errors) in &stats.errors {
        for e in errors.iter().filter(|e| !e.is_empty()) {
            println!("  error on {endpoint}: {e}");
        }
    }
}

/// Waits for the outbox to drain, then compares what was queued with what arrived.
async fn check_outbox(url: &str, stats: &Stats, sink: &MailSink) {
    let db = Db::connect(url).await.expect("open the database");
    let started = Instant::now();
    let (pending, sent, failed) = loop {
        let sql = "SELECT status, COUNT(*) FROM outbox GROUP BY status";
        let counts: Vec<(String, i64)> = match &db {
            Db::Sqlite(reads, _) => sqlx::query_as(sql).fetch_all(reads.pool()).await,
            Db::Postgres(reads, _) => sqlx::query_as(sql).fetch_all(reads.pool()).await,
        }
        .expect("count the outbox");
        let get = |s: &str| counts.iter().find(|(k, _)| k == s).map_or(0, |(_, n)| *n);
        let (pending, sent, failed) = (get("pending"), get("sent"), get("failed"));
        if pending == 0 || started.elapsed() > DRAIN {
            break (pending, sent, failed);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let expected: i64 = stats.queued.iter().map(|(_, n)| n).sum();
    let received = sink.received.lock().unwrap().clone();
    let mut lost = 0;
    let mut duplicated = 0;
    for (marker, notified) in &stats.queued {
        let got = received.get(marker).copied().unwrap_or(0) as i64;
        if got < *notified {
            lost += notified - got;
        }
        if got > *notified {
            duplicated += got - notified;
            println!("DUPLICATE: {marker} arrived {got} times for {notified} recipients");
        }
    }
    let total: usize = received.values().sum();
    println!(
        "outbox after {:.0} s: {sent} sent, {pending} pending, {failed} failed; {expected} mails queued by the run, \
         {total} arrived at the SMTP sink: {lost} lost, {duplicated} duplicated",
        started.elapsed().as_secs_f64()
    );
    db.close().await;
}

/// A minimal SMTP server that accepts every message and counts the load markers in them.
struct MailSink {
    port: u16,
    received: Arc<Mutex<HashMap<String, usize>>>,
}

impl MailSink {
    async fn start() -> MailSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(HashMap::new()));
        let kept = received.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let kept = kept.clone();
                tokio::spawn(async move {
                    let _ = smtp_session(stream, kept).await;
                });
            }
        });
        MailSink { port, received }
    }
}

async fn smtp_session(stream: tokio::net::TcpStream, kept: Arc<Mutex<HashMap<String, usize>>>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    write.write_all(b"220 sink ESMTP\r\n").await?;
    while let Some(line) = lines.next_line().await? {
        let upper = line.to_ascii_uppercase();
        if upper.starts_with("EHLO") {
            write.write_all(b"250-sink\r\n250 8BITMIME\r\n").await?;
        } else if upper.starts_with("DATA") {
            write.write_all(b"354 go on\r\n").await?;
            let mut message = String::new();
            while let Some(l) = lines.next_line().await? {
                if l == "." {
                    break;
                }
                message.push_str(&l);
                message.push('\n');
            }
            // Quoted-printable may break long lines with "=\n".
            let message = message.replace("=\n", "");
            if let Some(at) = message.find("loadmark-") {
                let marker: String =
                    message[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
                *kept.lock().unwrap().entry(marker).or_default() += 1;
            }
            write.write_all(b"250 queued\r\n").await?;
        } else if upper.starts_with("QUIT") {
            write.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else if upper.starts_with("RSET")
            || upper.starts_with("NOOP")
            || upper.starts_with("MAIL")
            || upper.starts_with("RCPT")
            || upper.starts_with("HELO")
        {
            write.write_all(b"250 ok\r\n").await?;
        } else {
            write.write_all(b"502 not implemented\r\n").await?;
        }
    }
    Ok(())
}
