//! What the separate-process load generators (`load`, `bench_routing`, `bench_import`) share:
//! settings from the environment, PostgreSQL databases of their own, seeding and
//! starting release `orgdesk` processes, and the admin's session.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use tokio::process::{Child, Command};

pub const ADMIN_EMAIL: &str = "admin@example.com";
pub const ADMIN_PASSWORD: &str = "admin-password-1";

/// An environment setting, or `default`.
pub fn setting<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// `ORGDESK_BIN`, else the `orgdesk` beside this example (target/release).
pub fn orgdesk_bin() -> PathBuf {
    let bin = std::env::var_os("ORGDESK_BIN").map(PathBuf::from).unwrap_or_else(|| {
        let exe = std::env::current_exe().expect("own path");
        exe.parent().and_then(|d| d.parent()).expect("target/release").join("orgdesk")
    });
    assert!(bin.is_file(), "no orgdesk binary at {} (cargo build --release -p orgdesk-server)", bin.display());
    bin
}

/// The PostgreSQL URL of a role that may create databases, if one is configured.
pub fn postgres_admin_url() -> Option<String> {
    ["TEST_DATABASE_URL", "DATABASE_URL"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|u| u.starts_with("postgres://") || u.starts_with("postgresql://"))
}

pub async fn run_sql(url: &str, sql: &str) {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await.expect("connect to PostgreSQL");
    sqlx::query(sql).execute(&mut conn).await.expect(sql);
}

/// A fresh database `name` beside `admin_url`'s (dropped first if it exists); its URL.
pub async fn fresh_postgres_database(admin_url: &str, name: &str) -> String {
    run_sql(admin_url, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
    run_sql(admin_url, &format!("CREATE DATABASE {name}")).await;
    let base = admin_url.rsplit_once('/').map(|(b, _)| b).unwrap_or(admin_url);
    format!("{base}/{name}")
}

/// `orgdesk seed` with this many customers in this many organizations, the admin
/// being [`ADMIN_EMAIL`].
#[allow(dead_code, reason = "bench_compare seeds items too; each example compiles this module")]
pub async fn seed(bin: &Path, url: &str, customers: u32, organizations: u32) {
    seed_with_items(bin, url, customers, organizations, 0).await
}

/// [`seed`], and `items` items in 20 projects.
pub async fn seed_with_items(bin: &Path, url: &str, customers: u32, organizations: u32, items: u32) {
    let status = Command::new(bin)
        .args(["seed", "--customers", &customers.to_string(), "--organizations", &organizations.to_string()])
        .args(["--items", &items.to_string(), "--projects", "20"])
        .env("DATABASE_URL", url)
        .env("ORGDESK_ADMIN_EMAIL", ADMIN_EMAIL)
        .env("ORGDESK_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .stdout(Stdio::null())
        .status()
        .await
        .expect("run orgdesk seed");
    assert!(status.success(), "orgdesk seed failed");
}

/// A server process on a free port, killed when dropped.
pub struct ServerProcess {
    pub base: String,
    _child: Child,
}

/// Starts `orgdesk` on `url` with the extra environment `env` (mail settings), its
/// log in the temporary directory, and waits until it answers.
pub async fn start_server(bin: &Path, url: &str, env: &[(&str, String)]) -> ServerProcess {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let log_path = std::env::temp_dir().join(format!("orgdesk-load-{port}.log"));
    let log = std::fs::File::create(&log_path).expect("server log file");
    println!("server on port {port}, log in {}", log_path.display());
    let mut command = Command::new(bin);
    command
        .env("DATABASE_URL", url)
        .env("ORGDESK_ADDR", format!("127.0.0.1:{port}"))
        .env_remove("ORGDESK_DIST")
        .env("RUST_LOG", "warn");
    for (key, value) in env {
        command.env(key, value);
    }
    let child = command
        .current_dir(std::env::temp_dir())
        .stdout(Stdio::null())
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .expect("start orgdesk");
    let base = format!("http://127.0.0.1:{port}");
    let probe = Client::new();
    let until = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(res) = probe.get(format!("{base}/api/customers")).send().await {
            if res.status() == StatusCode::UNAUTHORIZED {
                break;
            }
        }
        assert!(Instant::now() < until, "the server at {base} did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    ServerProcess { base, _child: child }
}

impl ServerProcess {
    /// The server's process id.
    #[allow(dead_code, reason = "only bench_compare reads it; each example compiles this module")]
    pub fn pid(&self) -> Option<u32> {
        self._child.id()
    }

    /// The server's peak resident memory so far (VmHWM of `/proc/PID/status`), in KiB.
    #[allow(dead_code, reason = "only bench_import reads it; each example compiles this module")]
    pub fn peak_rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self._child.id()?)).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }
}

/// The JSON of a successful answer (a failed one ends the run, saying `what`).
pub async fn json(res: reqwest::Response, what: &str) -> Value {
    let status = res.status();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{what}: {status} {body}");
    body
}

/// Signs the admin in on `base` with a cookie-keeping client; returns it and the
/// session's CSRF token. A first admin who must choose a new password does so, and
/// the session stays signed in.
pub async fn sign_in_admin(base: &str, idle_connections: usize) -> (Client, String) {
    let client = Client::builder().cookie_store(true).pool_max_idle_per_host(idle_connections).build().unwrap();
    let login = client
        .post(format!("{base}/api/auth/login"))
        .json(&json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    let session = json(login, "sign in").await;
    let csrf = session["csrf_token"].as_str().expect("csrf token").to_string();
    if session["agent"]["must_change_password"] == true {
        let res = client
            .post(format!("{base}/api/auth/password"))
            .header("x-csrf-token", &csrf)
            .json(&json!({"current_password": ADMIN_PASSWORD, "new_password": format!("{ADMIN_PASSWORD}-chosen")}))
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "the new password is taken: {}", res.status());
    }
    (client, csrf)
}

/// The admin's signed-in session against a server: JSON in, JSON out (a failed answer
/// ends the run).
#[allow(dead_code, reason = "the benchmarks use it, `load` does not; each example compiles this module")]
pub struct AdminApi {
    pub client: Client,
    pub base: String,
    pub csrf: String,
}

#[allow(dead_code, reason = "the benchmarks use it, `load` does not; each example compiles this module")]
impl AdminApi {
    /// Signs the admin in on `base`, keeping up to `idle_connections` connections.
    pub async fn sign_in(base: &str, idle_connections: usize) -> AdminApi {
        let (client, csrf) = sign_in_admin(base, idle_connections).await;
        AdminApi { client, base: base.to_string(), csrf }
    }

    pub async fn get(&self, path: &str) -> Value {
        json(self.client.get(format!("{}{path}", self.base)).send().await.unwrap(), path).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Value {
        let res = self
            .client
            .post(format!("{}{path}", self.base))
            .header("x-csrf-token", &self.csrf)
            .json(&body)
            .send()
            .await
            .unwrap();
        json(res, path).await
    }
}

/// The machine's load average (1, 5 and 15 minutes): other processes share its cores.
#[allow(dead_code, reason = "the benchmarks use it, not every example; each example compiles this module")]
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// p50 and p99 in milliseconds (0 without samples).
#[allow(dead_code, reason = "the benchmarks use it, not every example; each example compiles this module")]
pub fn percentiles(lat: &[Duration]) -> (f64, f64) {
    if lat.is_empty() {
        return (0.0, 0.0);
    }
    let mut lat = lat.to_vec();
    lat.sort();
    let p = |q: f64| lat[((lat.len() as f64 * q) as usize).min(lat.len() - 1)].as_secs_f64() * 1000.0;
    (p(0.50), p(0.99))
}

/// `s` for a query string: letters, digits and dots as they are, every other byte %-encoded.
#[allow(dead_code, reason = "the benchmarks use it, not every example; each example compiles this module")]
pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b == b'.' { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}
