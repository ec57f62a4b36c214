//! The harness every API test starts from: the real app on a real port with a
//! fresh database of its own, and a cookie-keeping client ([`TestApp`]), plus
//! typed fixtures ([`fixtures`]) and database reads ([`db`]).

mod db;
mod fixtures;

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Once;

use orgdesk_server::config::Config;
use orgdesk_server::{db::Db, AppState};
use reqwest::{Client, Method, Response, StatusCode};
use serde_json::{json, Value};
use tokio::net::TcpListener;

pub const ADMIN_EMAIL: &str = "admin@example.com";
pub const ADMIN_PASSWORD: &str = "admin-password-1";

/// A running server with its own database and a cookie-keeping client.
pub struct TestApp {
    pub addr: SocketAddr,
    pub client: Client,
    pub csrf: Option<String>,
    pub db: Db,
    pub database_url: String,
    /// The server's trigram sample, to take it again when a test needs it now.
    pub search_stats: std::sync::Arc<orgdesk_server::db::search_stats::SearchStats>,
    _dir: Option<tempfile::TempDir>,
    _server: tokio::task::JoinHandle<()>,
    /// Asks the server to shut down gracefully (closing its connections) ...
    shutdown: std::sync::Arc<tokio::sync::Notify>,
    /// ... and turns true once it has.
    stopped: tokio::sync::watch::Receiver<bool>,
}

pub use fixtures::{json_with, ok_json, AGENT_PASSWORD, PORTAL_PASSWORD};
/// The contract types tests name, from one place.
pub use orgdesk_core::api::tickets::{ItemStatus, Priority};

/// Says once per run which database the tests use, past the test harness's output
/// capture, so a log shows whether a run really was on SQLite or on PostgreSQL.
fn announce_database(kind: &str) {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = writeln!(std::io::stderr(), "API tests on {kind}");
    });
}

/// A fresh database URL: a new SQLite file, or a new PostgreSQL database.
pub async fn fresh_database() -> (String, Option<tempfile::TempDir>) {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(admin_url) if !admin_url.is_empty() => {
            announce_database("postgres");
            use sqlx::Connection;
            let name = format!("orgdesk_test_{}", orgdesk_server::auth::random_token(8));
            let mut conn = sqlx::PgConnection::connect(&admin_url).await.expect("connect to TEST_DATABASE_URL");
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("create test database");
            let base = admin_url.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin_url);
            (format!("{base}/{name}"), None)
        }
        _ => {
            announce_database("sqlite");
            let dir = tempfile::tempdir().unwrap();
            (format!("sqlite://{}/orgdesk.db", dir.path().display()), Some(dir))
        }
    }
}

pub fn test_config(database_url: &str) -> Config {
    let mut config = Config::for_database(database_url);
    config.admin_email = Some(ADMIN_EMAIL.into());
    config.admin_password = Some(ADMIN_PASSWORD.into());
    // Tests sign in as this admin directly; the forced first change has its own tests.
    config.admin_must_change_password = false;
    config
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    /// A fresh server with the admin signed in.
    pub async fn spawn_admin() -> TestApp {
        let mut app = Self::spawn().await;
        app.login_admin().await;
        app
    }

    pub async fn spawn_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
        let (url, dir) = fresh_database().await;
        let mut config = test_config(&url);
        tweak(&mut config);
        Self::start(config, dir).await
    }

    /// A second server on the same database (a restart).
    pub async fn restart(&self) -> TestApp {
        let mut app = Self::start(test_config(&self.database_url), None).await;
        app.client = self.client.clone();
        app.csrf = self.csrf.clone();
        app
    }

    /// A server on a database that already exists (for a path to it the test controls).
    pub async fn start_on(config: Config) -> TestApp {
        Self::start(config, None).await
    }

    async fn start(config: Config, dir: Option<tempfile::TempDir>) -> TestApp {
        let db = orgdesk_server::prepare(&config).await.expect("prepare database");
        Self::start_with_db(db, config, dir).await
    }

    /// A server on a connection pool the test opened itself (with its own limits).
    pub async fn start_with_db(db: Db, config: Config, dir: Option<tempfile::TempDir>) -> TestApp {
        let database_url = config.database_url.clone();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = AppState::new(db.clone(), config);
        let search_stats = state.search_stats.clone();
        let shutdown = std::sync::Arc::new(tokio::sync::Notify::new());
        let (done, stopped) = tokio::sync::watch::channel(false);
        let signal = shutdown.clone();
        let server = tokio::spawn(async move {
            orgdesk_server::serve(listener, state, async move { signal.notified().await }).await.unwrap();
            let _ = done.send(true);
        });
        TestApp {
            addr,
            client: Client::builder().cookie_store(true).build().unwrap(),
            csrf: None,
            db,
            database_url,
            search_stats,
            _dir: dir,
            _server: server,
            shutdown,
            stopped,
        }
    }

    /// Stops serving (gracefully: open connections and their requests end first,
    /// as when the process stops) and closes the database, so nothing of this
    /// process holds it any more.
    pub async fn stop(&self) {
        self.shutdown.notify_one();
        let mut stopped = self.stopped.clone();
        let ended = tokio::time::timeout(std::time::Duration::from_secs(15), stopped.wait_for(|s| *s)).await;
        if ended.is_err() {
            self._server.abort();
        }
        self.db.close().await;
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Signs in; on success keeps the session's CSRF token. Returns status, headers and body.
    pub async fn login(&mut self, email: &str, password: &str) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        let res = self
            .client
            .post(self.url("/api/auth/login"))
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body: Value = res.json().await.unwrap();
        if status == StatusCode::OK {
            self.csrf = body["csrf_token"].as_str().map(String::from);
        }
        (status, headers, body)
    }

    pub async fn login_admin(&mut self) {
        let (status, _, body) = self.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    /// A request with the session cookie and the CSRF token.
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Response {
        let mut req = self.client.request(method, self.url(path));
        if let Some(token) = &self.csrf {
            req = req.header("x-csrf-token", token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        req.send().await.unwrap()
    }

    pub async fn get(&self, path: &str) -> Response {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Response {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Response {
        self.call(Method::PATCH, path, Some(body)).await
    }

    /// A second client for the same server, signed out.
    pub fn other_client(&self) -> TestApp {
        self.client_from([127, 0, 0, 1])
    }

    /// A second client, signed out, whose requests come from another loopback
    /// address (the server sees it as another source; all of 127.0.0.0/8 is local).
    pub fn client_from(&self, source: [u8; 4]) -> TestApp {
        TestApp {
            addr: self.addr,
            client: Client::builder().cookie_store(true).local_address(std::net::IpAddr::from(source)).build().unwrap(),
            csrf: None,
            db: self.db.clone(),
            database_url: self.database_url.clone(),
            search_stats: self.search_stats.clone(),
            _dir: None,
            _server: tokio::spawn(async {}),
            shutdown: self.shutdown.clone(),
            stopped: self.stopped.clone(),
        }
    }
}

/// Asserts the JSON error body and returns it.
pub async fn error_body(res: Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(res.status(), status, "status");
    let ct = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    assert!(ct.starts_with("application/json"), "content type {ct}");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], code, "{body}");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    assert!(body["fields"].is_object(), "{body}");
    body
}
