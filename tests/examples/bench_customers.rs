//! Benchmark of the Customers app with 100,000 customers in 10,000 organizations.
//!
//! `cargo run --release -p orgdesk-browser-tests --example bench_customers`
//! (after `trunk build --release`; `scripts/bench.sh` does both).
//!
//! Measures, against the real server (in this process, release build, SQLite)
//! and the real web app in headless Chromium:
//! - time from navigation until the Customers app shows its groups and answers input;
//! - DOM nodes with the 10,000-member "No organization" group open and scrolled;
//! - time from dropping a dragged customer to the server's answer (persisted);
//! - p50/p99 latency of the list, search and move endpoints at 32 concurrent clients, of
//!   searches while moves happen, and of uncached searches from one client;
//! - the organization panel: detail and first members page at 32 clients, and the
//!   existing-customer matches of a domain (one client; each domain first released by
//!   its organization, so its ~9 members match "in another organization").

use std::time::{Duration, Instant};

use orgdesk_browser_tests::*;
use serde_json::{json, Value};

const CUSTOMERS: u32 = 100_000;
const ORGANIZATIONS: u32 = 10_000;
const CLIENTS: usize = 32;
const REQUESTS_PER_CLIENT: usize = 60;

#[tokio::main]
async fn main() {
    let server = Server::start().await;
    let started = Instant::now();
    orgdesk_server::seed::bulk(&server.db, ORGANIZATIONS, CUSTOMERS).await.expect("seed");
    println!(
        "seeded {ORGANIZATIONS} organizations and {CUSTOMERS} customers in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    browser_figures(&server).await;
    load_figures(&server).await;
}

async fn browser_figures(server: &Server) {
    let browser = Browser::open(server).await;
    browser.goto("/login").await;
    browser.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    browser.wait_for_path("/customers").await;
    browser.group("No organization").await;

    // A fresh load of the app (the session cookie stays).
    let mut samples = Vec::new();
    for _ in 0..5 {
        browser.goto("/customers").await;
        let ms = browser
            .client
            .execute_async(
                r#"const done = arguments[arguments.length - 1];
                   const ready = () => document.querySelectorAll('[data-testid=org-group] .org-group__domains').length > 5
                       && !document.querySelector('.org-group--loading');
                   const tick = () => ready() ? done(performance.now()) : requestAnimationFrame(tick);
                   tick();"#,
                vec![],
            )
            .await
            .expect("interactive time");
        samples.push(ms.as_f64().unwrap_or(f64::NAN));
    }
    samples.sort_by(f64::total_cmp);
    println!(
        "time to interactive (navigation start to groups shown): median {:.0} ms, slowest {:.0} ms of 5 loads",
        samples[2], samples[4]
    );

    // Open the 10,000-member group and scroll deep into it.
    browser.expand("No organization").await;
    browser.client.wait().for_element(fantoccini::Locator::Css(".customer-row[data-customer-id]")).await.unwrap();
    let count = |js: &'static str| {
        let client = browser.client.clone();
        async move { client.execute(js, vec![]).await.unwrap().as_f64().unwrap_or(0.0) }
    };
    let nodes_open = count("return document.getElementsByTagName('*').length").await;
    browser
        .client
        .execute("document.querySelector('.customers__list').scrollTop = 44 * 5000; return 0", vec![])
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    browser.client.wait().for_element(fantoccini::Locator::Css(".customer-row[data-customer-id]")).await.unwrap();
    let nodes_scrolled = count("return document.getElementsByTagName('*').length").await;
    let rows = count("return document.querySelectorAll('.customer-row').length").await;
    println!(
        "DOM nodes: {nodes_open:.0} with a 10,000-member group open, {nodes_scrolled:.0} scrolled to its middle ({rows:.0} rows rendered)"
    );

    // Drop to persisted: from the pointer release to the end of the move request.
    // Drag the first member of the first organization onto "No organization", five times.
    browser.goto("/customers").await;
    browser.group("No organization").await;
    let first_org = browser
        .client
        .wait()
        .for_element(fantoccini::Locator::XPath(
            "(//div[@data-testid='org-group'])[2]//span[contains(@class,'org-group__name')]",
        ))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    browser.expand(&first_org).await;
    let mut drops = Vec::new();
    for _ in 0..5 {
        browser
            .client
            .execute(
                "window.__up = null; performance.clearResourceTimings();
                 window.addEventListener('pointerup', () => { window.__up = performance.now(); }, { capture: true, once: true });
                 return 0",
                vec![],
            )
            .await
            .unwrap();
        let row = browser
            .client
            .wait()
            .for_element(fantoccini::Locator::Css(".customer-row[data-customer-id]"))
            .await
            .unwrap();
        let target = browser.group("No organization").await;
        browser.drag(&row, &target).await;
        let ms = browser
            .client
            .execute_async(
                r#"const done = arguments[arguments.length - 1];
                   const tick = () => {
                     const e = performance.getEntriesByType('resource').find(r => r.name.endsWith('/api/customers/move'));
                     if (e && e.responseEnd > 0 && window.__up !== null) done(e.responseEnd - window.__up);
                     else setTimeout(tick, 5);
                   };
                   tick();"#,
                vec![],
            )
            .await
            .unwrap();
        drops.push(ms.as_f64().unwrap_or(f64::NAN));
        browser.wait_for_text("Moved 1 customer").await;
        browser.click_button("Dismiss").await;
    }
    drops.sort_by(f64::total_cmp);
    println!("drop to persisted, median of 5: {:.0} ms (max {:.0} ms)", drops[2], drops[4]);
    browser.close().await;
}

async fn load_figures(server: &Server) {
    let base = format!("http://{}", server.addr);
    let client = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let res = client
        .post(format!("{base}/api/auth/login"))
        .json(&json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    let csrf = res.json::<Value>().await.unwrap()["csrf_token"].as_str().unwrap().to_string();
    let prefixes = ["ava", "ben", "chen", "diaz", "kem", "lopez", "ma", "no", "pa", "ro", "sv", "ta", "we", "yo", "z"];

    // "search+move": every tenth request is a move (which invalidates cached searches);
    // only the searches' latencies are counted.
    // "detail" and "members": the organization panel's first two requests.
    for endpoint in ["list", "search", "move", "search+move", "detail", "members"] {
        let mut tasks = Vec::new();
        let wall = Instant::now();
        for c in 0..CLIENTS {
            let (client, base, csrf) = (client.clone(), base.clone(), csrf.clone());
            tasks.push(tokio::spawn(async move {
                let mut lat = Vec::with_capacity(REQUESTS_PER_CLIENT);
                for i in 0..REQUESTS_PER_CLIENT {
                    let n = c * REQUESTS_PER_CLIENT + i;
                    let t = Instant::now();
                    let mode = match endpoint {
                        "search+move" if n % 10 == 0 => "move",
                        "search+move" => "search",
                        other => other,
                    };
                    let res = match mode {
                        "list" => {
                            client
                                .get(format!("{base}/api/organizations?offset={}&limit=100", (n * 97) % 9_900))
                                .send()
                                .await
                        }
                        "search" => {
                            client
                                .get(format!("{base}/api/organizations?q={}&limit=100", prefixes[n % prefixes.len()]))
                                .send()
                                .await
                        }
                        "detail" => {
                            let org = 1 + (n * 7) % ORGANIZATIONS as usize;
                            client.get(format!("{base}/api/organizations/{org}/detail")).send().await
                        }
                        "members" => {
                            let org = 1 + (n * 7) % ORGANIZATIONS as usize;
                            client.get(format!("{base}/api/organizations/{org}/members?limit=50")).send().await
                        }
                        _ => {
                            let customer = 1 + (n * 31) % CUSTOMERS as usize;
                            let org = 1 + (n * 7) % ORGANIZATIONS as usize;
                            client
                                .post(format!("{base}/api/customers/move"))
                                .header("x-csrf-token", &csrf)
                                .json(&json!({"customer_ids": [customer], "organization_id": org}))
                                .send()
                                .await
                        }
                    };
                    let status = res.expect("request").status();
                    assert!(status.is_success(), "{endpoint}: {status}");
                    if mode == endpoint || mode == "search" {
                        lat.push(t.elapsed());
                    }
                }
                lat
            }));
        }
        let mut all: Vec<Duration> = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        all.sort();
        let p = |q: f64| all[((all.len() as f64 * q) as usize).min(all.len() - 1)].as_secs_f64() * 1000.0;
        println!(
            "{endpoint:>6}: {} requests, {CLIENTS} clients, {:.0} req/s, p50 {:.1} ms, p99 {:.1} ms",
            all.len(),
            all.len() as f64 / wall.elapsed().as_secs_f64(),
            p(0.50),
            p(0.99)
        );
    }

    // Cold searches: one client, prefixes nobody asked for before (no cached result).
    let mut cold = Vec::new();
    for a in b'a'..=b'z' {
        for b in [b'a', b'e', b'i', b'o'] {
            let q = String::from_utf8(vec![a, b]).unwrap();
            let t = Instant::now();
            let status = client.get(format!("{base}/api/organizations?q={q}&limit=100")).send().await.unwrap().status();
            assert!(status.is_success(), "cold search: {status}");
            cold.push(t.elapsed());
        }
    }
    cold.sort();
    let pc = |q: f64| cold[((cold.len() as f64 * q) as usize).min(cold.len() - 1)].as_secs_f64() * 1000.0;
    println!("cold search, 1 client, {} distinct prefixes: p50 {:.1} ms, p99 {:.1} ms", cold.len(), pc(0.5), pc(0.99));

    let mut matches = Vec::new();
    // Some generated organizations have no members; only domains with matches count.
    for k in 0..200usize {
        if matches.len() == 50 {
            break;
        }
        let owner = 1 + k * 47;
        let detail: Value =
            client.get(format!("{base}/api/organizations/{owner}/detail")).send().await.unwrap().json().await.unwrap();
        let version = detail["version"].as_i64().unwrap();
        let status = client
            .delete(format!(
                "{base}/api/organizations/{owner}/domains/org{owner}.example?members=stay&version={version}"
            ))
            .header("x-csrf-token", &csrf)
            .send()
            .await
            .unwrap()
            .status();
        assert!(status.is_success(), "remove domain: {status}");
        let t = Instant::now();
        let res = client
            .post(format!("{base}/api/organizations/{}/domain-matches", owner + 1))
            .header("x-csrf-token", &csrf)
            .json(&json!({"domain": format!("org{owner}.example")}))
            .send()
            .await
            .unwrap();
        let elapsed = t.elapsed();
        let body: Value = res.json().await.unwrap();
        assert!(body["elsewhere"].is_array(), "{body}");
        if body["elsewhere"][0]["count"].as_i64().is_some_and(|n| n > 0) {
            matches.push(elapsed);
        }
    }
    matches.sort();
    let pm = |q: f64| matches[((matches.len() as f64 * q) as usize).min(matches.len() - 1)].as_secs_f64() * 1000.0;
    println!("domain matches, 1 client, {} domains: p50 {:.1} ms, p99 {:.1} ms", matches.len(), pm(0.5), pm(0.99));
}
