//! Benchmark of the Customers search (issue #15): 100,000 customers in 10,000
//! organizations, 32 concurrent clients, against a release `orgdesk` process on
//! SQLite and (with `TEST_DATABASE_URL=postgres://…` of a role that may create
//! databases) on PostgreSQL.
//!
//! `cargo build --release -p orgdesk-server --bin orgdesk --example bench_search && target/release/examples/bench_search`
//! (`scripts/bench.sh` runs it; figures in README.md).
//!
//! Each search is what the Customers app asks when an agent types: the first page of
//! groups (`GET /api/organizations?q=…&limit=100`), then the first members page of
//! the first group found (`GET /api/customers?organization_id=…&q=…&limit=100`, "No
//! organization" when only customers without one match),
//! timed as one. What is typed, at random:
//! - "domain": a domain part, `org<id>.example` or `@org<id>` (about 9 customers);
//! - "email": someone's address up to its "@", `ava.adams.<id>` (one customer);
//! - "inside": a piece inside a name, "owals", "akamu" (thousands of customers);
//! - "accent": a name with an accent it is stored without, "Zoë Ad", "Chloé" (thousands).
//!
//! Three phases: 32 clients searching; the same with every tenth request a move of
//! one customer, which changes the data version, so cached search results
//! (`versioned_cache.rs`) are thrown away and the broad searches computed again (the
//! moves are not counted); one client with a move before every search (nothing comes
//! from the cache: the cost of one search). Prints p50/p99 per kind and overall, and
//! the machine's load average (other processes share its cores). A warm-up of
//! `SEARCH_WARMUP` searches per client (20) comes first, printed apart and not counted
//! (right after start every result is computed). Settings: `LOAD_CUSTOMERS` (100000),
//! `LOAD_ORGANIZATIONS` (10000), `SEARCH_CLIENTS` (32), `SEARCH_REQUESTS` (per client,
//! 100), `SEARCH_WARMUP` (20), `LOAD_ONLY` (`sqlite` or `postgres`), `SEARCH_PG_DATABASE`
//! (`orgdesk_search_bench`, dropped at the end).
//!
//! `SEARCH_PHASES=pickers` (issue #17) measures instead the pickers' search of all
//! customers (`GET /api/customers?q=…&limit=8`: prefixes of one or two letters,
//! first names, pieces of names, domains, addresses) at 1 and 32 clients, with and
//! without a move every tenth request, then moves of one customer alone (1 and 32
//! clients).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

mod support;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use support::{
    encode, fresh_postgres_database, json, load_average, orgdesk_bin, percentiles, postgres_admin_url, run_sql, seed,
    setting, sign_in_admin, start_server,
};

const INSIDE: &[&str] = &["owals", "akamu", "ughes", "oreau", "arcia", "ensen", "uirog", "kafor"];
const ACCENTED: &[&str] = &["Zoë Ad", "Chloé", "Élena", "Jönas", "Grâce Ch", "Hirö"];

#[tokio::main]
async fn main() {
    let customers: u32 = setting("LOAD_CUSTOMERS", 100_000);
    let organizations: u32 = setting("LOAD_ORGANIZATIONS", 10_000);
    let bin = orgdesk_bin();
    let only = std::env::var("LOAD_ONLY").unwrap_or_default();
    if only != "postgres" {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite://{}/orgdesk.db", dir.path().display());
        scenario("SQLite", &bin, &url, customers, organizations).await;
    }
    if only == "sqlite" {
        return;
    }
    match postgres_admin_url() {
        Some(admin_url) => {
            let name = std::env::var("SEARCH_PG_DATABASE").unwrap_or_else(|_| "orgdesk_search_bench".into());
            let name = name.as_str();
            let url = fresh_postgres_database(&admin_url, name).await;
            scenario("PostgreSQL", &bin, &url, customers, organizations).await;
            run_sql(&admin_url, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
        }
        None => println!("(set TEST_DATABASE_URL=postgres://... to measure PostgreSQL too)"),
    }
}

async fn scenario(label: &str, bin: &std::path::Path, url: &str, customers: u32, organizations: u32) {
    let clients: usize = setting("SEARCH_CLIENTS", 32);
    let requests: usize = setting("SEARCH_REQUESTS", 100);
    println!("== {label}: {organizations} organizations, {customers} customers, {clients} clients ==");
    let seeded = Instant::now();
    seed(bin, url, customers, organizations).await;
    println!("seeded in {:.1} s", seeded.elapsed().as_secs_f64());
    let server = start_server(bin, url, &[]).await;
    let (client, csrf) = sign_in_admin(&server.base, clients * 2).await;
    // Customers (id, address) and organization ids to search for and move, from pages across the list.
    let mut people: Vec<(i64, String)> = Vec::new();
    let mut orgs: Vec<i64> = Vec::new();
    for k in 0..20u32 {
        let offset = k * (customers / 20);
        let page = json(
            client.get(format!("{}/api/customers?offset={offset}&limit=200", server.base)).send().await.unwrap(),
            "customers",
        )
        .await;
        for c in page["items"].as_array().into_iter().flatten() {
            people.push((c["id"].as_i64().unwrap(), c["email"].as_str().unwrap().to_string()));
        }
        let offset = k * (organizations / 20);
        let page = json(
            client.get(format!("{}/api/organizations?offset={offset}&limit=200", server.base)).send().await.unwrap(),
            "organizations",
        )
        .await;
        orgs.extend(page["items"].as_array().into_iter().flatten().filter_map(|o| o["id"].as_i64()));
    }
    assert!(!people.is_empty() && !orgs.is_empty(), "no seeded data");

    let (base, people, orgs) = (server.base.clone(), std::sync::Arc::new(people), std::sync::Arc::new(orgs));
    let run = Phase { client, csrf, base, people, orgs };
    let warm_up: usize = setting("SEARCH_WARMUP", 20);
    if std::env::var("SEARCH_PHASES").as_deref() == Ok("pickers") {
        // Issue #17: the pickers' search of all customers, and moves alone.
        run.measure_as(What::Picker, "pickers, warm-up", clients, warm_up, 0).await;
        run.measure_as(What::Picker, "pickers, 1 client", 1, requests, 0).await;
        run.measure_as(What::Picker, "pickers", clients, requests, 0).await;
        run.measure_as(What::Picker, "pickers, a move every 10th request", clients, requests, 10).await;
        run.measure_as(What::Move, "moves, 1 client", 1, requests, 0).await;
        run.measure_as(What::Move, "moves only", clients, requests, 0).await;
        return;
    }
    if warm_up > 0 {
        run.measure("warm-up", clients, warm_up, 0).await;
    }
    run.measure("searches only", clients, requests, 0).await;
    run.measure("a move every 10th request", clients, requests, 10).await;
    // One client, a move before every search: each search is computed, none comes from the cache.
    run.measure("1 client, uncached", 1, requests, 2).await;
}

/// What a phase times.
#[derive(Clone, Copy, PartialEq)]
enum What {
    /// The Customers app's search: the organizations page and the first group's members.
    Organizations,
    /// A picker's search of all customers (`GET /api/customers?q=…&limit=8`), as typed:
    /// one or two letters (a prefix), a name, a piece of a name, a domain, an address.
    Picker,
    /// A move of one customer into another organization.
    Move,
}

/// What the phases of one scenario share: the signed-in client and the ids to pick from.
struct Phase {
    client: reqwest::Client,
    csrf: String,
    base: String,
    people: std::sync::Arc<Vec<(i64, String)>>,
    orgs: std::sync::Arc<Vec<i64>>,
}

impl Phase {
    /// `clients` clients, `requests` each; every `move_every`-th request (never when 0)
    /// is a move of one customer, not counted.
    async fn measure(&self, label: &str, clients: usize, requests: usize, move_every: usize) {
        self.measure_as(What::Organizations, label, clients, requests, move_every).await
    }

    async fn measure_as(&self, what: What, label: &str, clients: usize, requests: usize, move_every: usize) {
        let wall = Instant::now();
        let mut tasks = Vec::new();
        for c in 0..clients {
            let (client, base, csrf) = (self.client.clone(), self.base.clone(), self.csrf.clone());
            let (people, orgs) = (self.people.clone(), self.orgs.clone());
            tasks.push(tokio::spawn(async move {
                let mut rng = StdRng::seed_from_u64(c as u64);
                let mut timed: Vec<(&'static str, Duration, i64)> = Vec::with_capacity(requests);
                for i in 0..requests {
                    if what == What::Move || (move_every > 0 && i % move_every == move_every - 1) {
                        let t = Instant::now();
                        let customer = people[rng.gen_range(0..people.len())].0;
                        let org = orgs[rng.gen_range(0..orgs.len())];
                        let res = client
                            .post(format!("{base}/api/customers/move"))
                            .header("x-csrf-token", &csrf)
                            .json(&json!({"customer_ids": [customer], "organization_id": org}))
                            .send()
                            .await
                            .unwrap();
                        assert!(res.status().is_success() || res.status().as_u16() == 409, "move: {}", res.status());
                        if what == What::Move {
                            timed.push(("move", t.elapsed(), 1));
                        }
                        continue;
                    }
                    if what == What::Picker {
                        let roll = rng.gen_range(0..100);
                        let person = &people[rng.gen_range(0..people.len())].1;
                        let name = person.split('.').next().unwrap_or(person);
                        let (kind, q) = match roll {
                            0..=14 => ("prefix", name.chars().take(1 + roll % 2).collect::<String>()),
                            15..=44 => ("name", name.to_string()),
                            45..=64 => ("inside", INSIDE[rng.gen_range(0..INSIDE.len())].to_string()),
                            65..=84 => ("domain", format!("org{}.example", orgs[rng.gen_range(0..orgs.len())])),
                            _ => ("email", person.split('@').next().unwrap_or(person).to_string()),
                        };
                        let t = Instant::now();
                        let url = format!("{base}/api/customers?q={}&limit=8", encode(&q));
                        let page = json(client.get(url).send().await.unwrap(), "picker").await;
                        timed.push((kind, t.elapsed(), page["total"].as_i64().unwrap_or(0)));
                        continue;
                    }
                    let roll = rng.gen_range(0..100);
                    let org_id = orgs[rng.gen_range(0..orgs.len())];
                    let (kind, q) = match roll {
                        0..=29 => ("domain", format!("org{org_id}.example")),
                        30..=44 => ("domain", format!("@org{org_id}")),
                        45..=64 => {
                            // The address up to its "@": "ava.adams.4711".
                            let email = &people[rng.gen_range(0..people.len())].1;
                            ("email", email.split('@').next().unwrap_or(email).to_string())
                        }
                        65..=84 => ("inside", INSIDE[rng.gen_range(0..INSIDE.len())].to_string()),
                        _ => ("accent", ACCENTED[rng.gen_range(0..ACCENTED.len())].to_string()),
                    };
                    let q = encode(&q);
                    let t = Instant::now();
                    let page = json(
                        client.get(format!("{base}/api/organizations?q={q}&limit=100")).send().await.unwrap(),
                        "search",
                    )
                    .await;
                    let found = page["customer_count"].as_i64().unwrap_or(0);
                    // The group the app opens first: the first organization found, else No organization.
                    let group = match page["items"][0]["id"].as_i64() {
                        Some(org) => Some(org.to_string()),
                        None if page["unassigned_count"].as_i64().unwrap_or(0) > 0 => Some("none".to_string()),
                        None => None,
                    };
                    if let Some(group) = group {
                        let members = format!("{base}/api/customers?organization_id={group}&q={q}&limit=100");
                        json(client.get(members).send().await.unwrap(), "members").await;
                    }
                    timed.push((kind, t.elapsed(), found));
                }
                timed
            }));
        }
        let mut by_kind: BTreeMap<&str, (Vec<Duration>, i64)> = BTreeMap::new();
        let mut all = Vec::new();
        for t in tasks {
            for (kind, took, found) in t.await.unwrap() {
                let entry = by_kind.entry(kind).or_default();
                entry.0.push(took);
                entry.1 = entry.1.max(found);
                all.push(took);
            }
        }
        let elapsed = wall.elapsed().as_secs_f64();
        println!("-- {label}, {clients} clients (load average {}):", load_average());
        for (kind, (lat, most)) in by_kind {
            let (p50, p99) = percentiles(&lat);
            println!(
                "{kind:>7}: {:>5} searches, p50 {p50:.1} ms, p99 {p99:.1} ms (up to {most} customers found)",
                lat.len()
            );
        }
        let (p50, p99) = percentiles(&all);
        println!(
            "    all: {:>5} searches in {elapsed:.1} s ({:.0}/s), p50 {p50:.1} ms, p99 {p99:.1} ms",
            all.len(),
            all.len() as f64 / elapsed
        );
    }
}
