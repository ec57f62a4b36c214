//! Sign-in flood: memory and latency of a running server while 1,000 wrong
//! sign-ins arrive at once.
//!
//! Start a release server first, with demo data (the demo agent signs in as the
//! reader), then point this tool at it with the server's process id:
//!
//! ```sh
//! cargo build --release -p orgdesk-server --example signin_flood
//! DATABASE_URL=sqlite:///tmp/flood.db target/release/orgdesk --demo --addr 127.0.0.1:8099 &
//! target/release/examples/signin_flood --url http://127.0.0.1:8099 --pid $!
//! ```
//!
//! Options: `--email`/`--password` of the reading agent (default the demo agent
//! `sam@orgdesk.local` / `orgdesk-demo`), `--flood N` wrong sign-ins per burst
//! (1,000), `--bursts N` (3), `--readers N` concurrent readers (8).
//!
//! What it does: the readers GET the customers list in a loop, first on an idle
//! server (p50/p99 "idle"), then while the bursts run: each burst is `--flood`
//! concurrent wrong sign-ins, each from its own loopback address (127.1.x.y; all of
//! 127.0.0.0/8 is local on Linux), so the per-source throttle does not stop them
//! before the password hash, half for the reader's own account and half for
//! unknown emails. It prints the flood's answers by status, the readers' p50/p99
//! during the flood, and the server's resident memory: the peak (`VmHWM` of
//! `/proc/PID/status`) and the largest `VmRSS` sampled every 50 ms.

use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

struct Options {
    url: String,
    pid: Option<u32>,
    email: String,
    password: String,
    flood: usize,
    bursts: usize,
    readers: usize,
}

fn options() -> Options {
    let mut o = Options {
        url: "http://127.0.0.1:8080".into(),
        pid: None,
        email: "sam@orgdesk.local".into(),
        password: "orgdesk-demo".into(),
        flood: 1000,
        bursts: 3,
        readers: 8,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        let number = || value.parse::<usize>().unwrap_or_else(|_| panic!("{flag} needs a number"));
        match flag.as_str() {
            "--url" => o.url = value.trim_end_matches('/').to_string(),
            "--pid" => o.pid = Some(value.parse().expect("--pid needs a process id")),
            "--email" => o.email = value,
            "--password" => o.password = value,
            "--flood" => o.flood = number(),
            "--bursts" => o.bursts = number(),
            "--readers" => o.readers = number(),
            other => panic!("unknown option {other}"),
        }
    }
    o
}

/// `VmHWM` and `VmRSS` of the process, in kB.
fn memory_kb(pid: Option<u32>) -> (u64, u64) {
    let Some(pid) = pid else { return (0, 0) };
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn summary(mut times: Vec<Duration>) -> String {
    times.sort();
    format!("{} requests, p50 {:.1} ms, p99 {:.1} ms", times.len(), percentile(&times, 0.5), percentile(&times, 0.99))
}

/// A client signed in as the reader.
async fn signed_in(o: &Options) -> reqwest::Client {
    let client = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let res = client
        .post(format!("{}/api/auth/login", o.url))
        .json(&json!({"email": o.email, "password": o.password}))
        .send()
        .await
        .expect("the server answers");
    assert!(
        res.status().is_success(),
        "the reader signs in: {} {}",
        res.status(),
        res.text().await.unwrap_or_default()
    );
    let session: Value = res.json().await.unwrap();
    assert_eq!(session["agent"]["must_change_password"], false, "the reader must not be asked for a new password");
    client
}

/// Readers GET the customers list until `stop`; returns every response time.
async fn read_until(client: &reqwest::Client, url: &str, readers: usize, stop: Arc<AtomicBool>) -> Vec<Duration> {
    let tasks: Vec<_> = (0..readers)
        .map(|_| {
            let (client, stop, url) = (client.clone(), stop.clone(), format!("{url}/api/customers?limit=50"));
            tokio::spawn(async move {
                let mut times = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let started = Instant::now();
                    let res = client.get(&url).send().await.expect("a reader's request");
                    assert!(res.status().is_success(), "a reader got {}", res.status());
                    let _ = res.bytes().await;
                    times.push(started.elapsed());
                }
                times
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all
}

/// One burst: `n` wrong sign-ins released together, each from its own loopback address.
async fn burst(o: &Options, round: usize) -> std::collections::BTreeMap<u16, usize> {
    let start = Arc::new(tokio::sync::Barrier::new(o.flood));
    let tasks: Vec<_> = (0..o.flood)
        .map(|i| {
            let source = IpAddr::from([127, 1, (i / 250) as u8, (i % 250 + 1) as u8]);
            let client = reqwest::Client::builder().local_address(source).build().unwrap();
            let email = if i % 2 == 0 { o.email.clone() } else { format!("nobody{round}-{i}@example.com") };
            let (url, start) = (format!("{}/api/auth/login", o.url), start.clone());
            tokio::spawn(async move {
                start.wait().await;
                let res = client.post(url).json(&json!({"email": email, "password": "wrong-password-1"})).send().await;
                res.map(|r| r.status().as_u16()).unwrap_or(0)
            })
        })
        .collect();
    let mut statuses = std::collections::BTreeMap::new();
    for t in tasks {
        *statuses.entry(t.await.unwrap()).or_insert(0) += 1;
    }
    statuses
}

#[tokio::main]
async fn main() {
    let o = options();
    let (hwm, rss) = memory_kb(o.pid);
    println!("server before: VmHWM {} MB, VmRSS {} MB", hwm / 1024, rss / 1024);
    let reader = signed_in(&o).await;

    let stop = Arc::new(AtomicBool::new(false));
    let idle = tokio::spawn({
        let (reader, url, readers, stop) = (reader.clone(), o.url.clone(), o.readers, stop.clone());
        async move { read_until(&reader, &url, readers, stop).await }
    });
    tokio::time::sleep(Duration::from_secs(5)).await;
    stop.store(true, Ordering::Relaxed);
    println!("idle: {}", summary(idle.await.unwrap()));

    let stop = Arc::new(AtomicBool::new(false));
    let during = tokio::spawn({
        let (reader, url, readers, stop) = (reader.clone(), o.url.clone(), o.readers, stop.clone());
        async move { read_until(&reader, &url, readers, stop).await }
    });
    let sampling = tokio::spawn({
        let (pid, stop) = (o.pid, stop.clone());
        async move {
            let mut peak = 0;
            while !stop.load(Ordering::Relaxed) {
                peak = peak.max(memory_kb(pid).1);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            peak
        }
    });
    let started = Instant::now();
    for round in 0..o.bursts {
        let statuses = burst(&o, round).await;
        println!("burst {} of {} wrong sign-ins: answers by status {statuses:?}", round + 1, o.flood);
    }
    let flood_time = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    println!("during the flood ({:.1} s): {}", flood_time.as_secs_f64(), summary(during.await.unwrap()));
    let peak_sampled = sampling.await.unwrap();
    let (hwm, rss) = memory_kb(o.pid);
    println!(
        "server after: VmHWM (peak RSS) {} MB, largest VmRSS sampled {} MB, VmRSS now {} MB",
        hwm / 1024,
        peak_sampled / 1024,
        rss / 1024
    );
}
