//! First load of the web apps on an emulated 4G connection (9 Mbps down and up,
//! 150 ms round trip), in headless Chromium, against the real server serving the
//! real, precompressed Trunk build, with 100,000 customers in 10,000 organizations.
//!
//! `cargo run --release -p orgdesk-browser-tests --example bench_first_load`
//! (after `build_web` in scripts/lib.sh; this writes the `.br`/`.gz` copies into `dist/`
//! as `scripts/run.sh` does, so the server sends what production sends).
//!
//! Measures, N loads each, median and slowest:
//! - cold first visit of the Customers list: the browser's cache (HTTP cache and the
//!   compiled-wasm cache kept with it) cleared before each load; the agent is signed in;
//! - warm reload: the same navigation with the cache kept (index.html revalidated,
//!   hashed files from the cache);
//! - the customer portal's sign-in page, cold and warm (what following a link from one
//!   app to the other costs: a full page load of the other app).
//!
//! "Interactive" is the moment the Customers list shows its organization groups with
//! their domains and nothing is loading (the same condition as `bench_customers`), and
//! for the portal the moment its sign-in form has its email field.

use std::time::Instant;

use orgdesk_browser_tests::*;
use serde_json::{json, Value};

const CUSTOMERS: u32 = 100_000;
const ORGANIZATIONS: u32 = 10_000;
const N: usize = 7;

const CUSTOMERS_READY: &str = "document.querySelectorAll('[data-testid=org-group] .org-group__domains').length > 5 \
                               && !document.querySelector('.org-group--loading')";
const PORTAL_READY: &str = "document.querySelector('.login input[type=email], input[type=email]') !== null";

#[tokio::main]
async fn main() {
    let dist = dist_dir();
    let files = orgdesk_server::assets::precompress_dir(&dist).expect("precompress dist");
    println!("precompressed {files} files in {}", dist.display());
    let server = Server::start().await;
    let started = Instant::now();
    orgdesk_server::seed::bulk(&server.db, ORGANIZATIONS, CUSTOMERS).await.expect("seed");
    println!(
        "seeded {ORGANIZATIONS} organizations and {CUSTOMERS} customers in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let browser = Browser::open(&server).await;
    browser.goto("/login").await;
    browser.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    browser.wait_for_path("/customers").await;
    browser.group("No organization").await;

    let driver = Driver::new(&browser).await;
    driver
        .post(
            "chromium/network_conditions",
            json!({"network_conditions": {"latency": 150, "download_throughput": 1_125_000, "upload_throughput": 1_125_000}}),
        )
        .await;
    println!("emulated network: 150 ms round trip, 9 Mbps (1,125,000 bytes/s) down and up; N = {N} loads each");

    for (name, path, ready) in
        [("Customers list", "/customers", CUSTOMERS_READY), ("portal sign-in", "/portal/sign-in", PORTAL_READY)]
    {
        for cold in [true, false] {
            let mut samples = Vec::new();
            let mut bytes = 0.0;
            for _ in 0..N {
                browser.client.goto("about:blank").await.unwrap();
                if cold {
                    driver.cdp("Network.clearBrowserCache").await;
                }
                browser.goto(path).await;
                let ms = browser
                    .client
                    .execute_async(
                        &format!(
                            "const done = arguments[arguments.length - 1];
                             const tick = () => ({ready}) ? done(performance.now()) : requestAnimationFrame(tick);
                             tick();"
                        ),
                        vec![],
                    )
                    .await
                    .expect("interactive time");
                samples.push(ms.as_f64().unwrap_or(f64::NAN));
                // Bytes over the wire for the page, its scripts, wasm and styles (API answers excluded).
                bytes = browser
                    .client
                    .execute(
                        "const nav = performance.getEntriesByType('navigation')[0];
                         return performance.getEntriesByType('resource')
                             .filter(e => !new URL(e.name).pathname.startsWith('/api/'))
                             .reduce((n, e) => n + e.transferSize, nav ? nav.transferSize : 0)",
                        vec![],
                    )
                    .await
                    .unwrap()
                    .as_f64()
                    .unwrap_or(f64::NAN);
            }
            samples.sort_by(f64::total_cmp);
            println!(
                "{name:>15}, {}: median {:.0} ms, slowest {:.0} ms of {N} loads ({:.0} KB transferred for the app's files, last load)",
                if cold { "cold first visit" } else { "warm reload     " },
                samples[N / 2],
                samples[N - 1],
                bytes / 1000.0
            );
        }
    }
    browser.close().await;
}

/// ChromeDriver commands fantoccini has no method for.
struct Driver {
    http: reqwest::Client,
    session: String,
}

impl Driver {
    async fn new(browser: &Browser) -> Driver {
        let id = browser.client.session_id().await.unwrap().expect("a session");
        Driver { http: reqwest::Client::new(), session: format!("{}/session/{id}", browser.driver_url) }
    }

    async fn post(&self, command: &str, body: Value) -> Value {
        let res = self.http.post(format!("{}/{command}", self.session)).json(&body).send().await.unwrap();
        let status = res.status();
        let body: Value = res.json().await.unwrap();
        assert!(status.is_success(), "{command}: {status} {body}");
        body
    }

    async fn cdp(&self, cmd: &str) {
        self.post("goog/cdp/execute", json!({"cmd": cmd, "params": {}})).await;
    }
}
