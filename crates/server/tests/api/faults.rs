//! Faults lose nothing: the real `orgdesk` binary killed with SIGKILL in the middle
//! of a bulk move, a domain add with moves and a mail delivery, then restarted on
//! the same database; the database unreachable at start, lost while running and
//! gone silent; a full disk. On both databases where the fault exists on both.

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use orgdesk_server::db::{query, Db};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::process::{Child, Command};

use crate::support::*;

/// The `orgdesk` binary running as a child process, and a signed-in client.
struct Server {
    child: Child,
    base: String,
    client: Client,
    csrf: String,
}

impl Server {
    /// Starts `orgdesk` on `database_url` (already migrated, with the test admin),
    /// delivering mail to 127.0.0.1:`smtp_port` when given, and signs in.
    async fn start(database_url: &str, smtp_port: Option<u16>) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_orgdesk"));
        command
            .env("DATABASE_URL", database_url)
            .env("ORGDESK_ADDR", "127.0.0.1:0")
            .env("ORGDESK_ADMIN_EMAIL", ADMIN_EMAIL)
            .env("ORGDESK_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("ORGDESK_DATABASE_WAIT", "0")
            .env("RUST_LOG", "warn")
            .env_remove("ORGDESK_SMTP_HOST")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true);
        if let Some(port) = smtp_port {
            command
                .env("ORGDESK_SMTP_HOST", "127.0.0.1")
                .env("ORGDESK_SMTP_PORT", port.to_string())
                .env("ORGDESK_SMTP_FROM", "orgdesk@example.com");
        }
        let mut child = command.spawn().expect("start orgdesk");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let base = loop {
            let line = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
                .await
                .expect("orgdesk starts within a minute")
                .unwrap()
                .expect("orgdesk printed its address before exiting");
            if let Some(url) = line.strip_prefix("Orgdesk is running at ") {
                break url.trim_end_matches('/').to_string();
            }
        };
        // Keep reading, so the child never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let client = Client::builder().cookie_store(true).build().unwrap();
        let res = client
            .post(format!("{base}/api/auth/login"))
            .json(&json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
            .send()
            .await
            .unwrap();
        let body: Value = ok_json(res).await;
        let csrf = body["csrf_token"].as_str().unwrap().to_string();
        Server { child, base, client, csrf }
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client.request(method, format!("{}{path}", self.base)).header("x-csrf-token", &self.csrf)
    }

    /// SIGKILL: no shutdown code runs.
    async fn kill(mut self) {
        self.child.start_kill().unwrap();
        self.child.wait().await.unwrap();
    }
}

/// A fresh, migrated database with the test admin, and a pool on it for the test's own reads.
async fn prepared_database() -> (String, Option<tempfile::TempDir>, Db) {
    let (url, dir) = fresh_database().await;
    let db = orgdesk_server::prepare(&test_config(&url)).await.expect("prepare database");
    (url, dir, db)
}

/// Inserts `n` unassigned customers at `domain` straight into the database; returns their ids.
async fn insert_customers(db: &Db, domain: &str, n: usize) -> Vec<i64> {
    let emails: Vec<String> = (0..n).map(|i| format!("bulk{i:05}@{domain}")).collect();
    for chunk in emails.chunks(500) {
        let mut insert =
            query("INSERT INTO customers (email, first_name, last_name, first_key, last_key, sort_name, created_at) ");
        insert.push_values(chunk, |email| {
            vec![email.as_str().into(), "".into(), "".into(), "".into(), "".into(), email.as_str().into(), 0_i64.into()]
        });
        insert.execute(db).await.unwrap();
    }
    let mut ids = Vec::new();
    for chunk in emails.chunks(500) {
        let mut select = query("SELECT id FROM customers WHERE email IN (");
        select.push_list(chunk.iter().map(String::as_str)).push(")");
        ids.extend(select.scalars::<i64>(db).await.unwrap());
    }
    ids
}

async fn count(db: &Db, sql: &str) -> i64 {
    query(sql.to_string()).scalar::<i64>(db).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// True while some connection holds an open write transaction on the database.
async fn write_in_progress(url: &str, db: &Db) -> bool {
    match db {
        Db::Postgres(..) => {
            let held = "SELECT COUNT(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database \
                        WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database()";
            count(db, held).await > 0
        }
        Db::Sqlite(..) => {
            use sqlx::{ConnectOptions, Connection};
            let options: sqlx::sqlite::SqliteConnectOptions = url.parse().unwrap();
            let mut conn = options.busy_timeout(Duration::ZERO).connect().await.unwrap();
            let busy = sqlx::query("BEGIN IMMEDIATE").execute(&mut conn).await.is_err();
            if !busy {
                sqlx::query("ROLLBACK").execute(&mut conn).await.unwrap();
            }
            conn.close().await.unwrap();
            busy
        }
    }
}

/// Sends `request` and kills `server` while the write transaction it starts is open.
async fn kill_mid_write(server: Server, url: &str, db: &Db, request: reqwest::RequestBuilder) {
    let sent = tokio::spawn(request.send());
    let mut seen = false;
    for _ in 0..4000 {
        if write_in_progress(url, db).await {
            seen = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    server.kill().await;
    assert!(seen, "the write transaction was never seen open (it finished too fast to be interrupted)");
    let answer = sent.await.unwrap();
    assert!(answer.is_err(), "the killed server did not answer: {:?}", answer.map(|r| r.status()));
}

/// The stored counters agree with real counts.
async fn assert_counters(db: &Db) {
    let unassigned = "SELECT (SELECT unassigned FROM customer_counts WHERE id = 1) - \
         (SELECT COUNT(*) FROM customers c WHERE NOT EXISTS (SELECT 1 FROM memberships m WHERE m.customer_id = c.id))";
    assert_eq!(count(db, unassigned).await, 0, "the unassigned counter drifted");
    let orgs = "SELECT (SELECT organizations FROM customer_counts WHERE id = 1) - (SELECT COUNT(*) FROM organizations)";
    assert_eq!(count(db, orgs).await, 0, "the organization counter drifted");
}

const BULK: usize = 10_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_during_a_bulk_move_moved_no_one_and_moves_them_all_after_a_restart() {
    let (url, _dir, db) = prepared_database().await;
    let ids = insert_customers(&db, "bulk-move.test", BULK).await;
    let server = Server::start(&url, None).await;
    let res = server.request(reqwest::Method::POST, "/api/organizations").json(&json!({"name": "Target"})).send();
    let target = ok_json(res.await.unwrap()).await["id"].as_i64().unwrap();
    let body = json!({"customer_ids": ids, "organization_id": target});
    let move_all = server.request(reqwest::Method::POST, "/api/customers/move").json(&body);
    kill_mid_write(server, &url, &db, move_all).await;

    // Nothing of the interrupted move is left: no membership, no history, counters right.
    assert_eq!(count(&db, "SELECT COUNT(*) FROM memberships").await, 0);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM organization_history WHERE action = 'members_moved'").await, 0);
    assert_counters(&db).await;

    let server = Server::start(&url, None).await;
    let res = server.request(reqwest::Method::POST, "/api/customers/move").json(&body).send().await.unwrap();
    assert_eq!(ok_json(res).await["moved"].as_array().unwrap().len(), BULK);
    let moved = format!("SELECT COUNT(*) FROM memberships WHERE organization_id = {target}");
    assert_eq!(count(&db, &moved).await, BULK as i64);
    assert_counters(&db).await;
    server.kill().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_during_a_domain_add_with_moves_added_neither_the_domain_nor_the_moves() {
    let (url, _dir, db) = prepared_database().await;
    insert_customers(&db, "bulk-domain.test", BULK).await;
    let server = Server::start(&url, None).await;
    let res = server.request(reqwest::Method::POST, "/api/organizations").json(&json!({"name": "Taker"})).send();
    let org = ok_json(res.await.unwrap()).await;
    let (id, version) = (org["id"].as_i64().unwrap(), org["version"].as_i64().unwrap_or(1));
    let body = json!({"domain": "bulk-domain.test", "version": version, "move_unassigned": true});
    let path = format!("/api/organizations/{id}/domains");
    let add = server.request(reqwest::Method::POST, &path).json(&body);
    kill_mid_write(server, &url, &db, add).await;

    assert_eq!(count(&db, "SELECT COUNT(*) FROM organization_domains").await, 0, "the domain is not there");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM memberships").await, 0, "no one moved");
    let history = "SELECT COUNT(*) FROM organization_history WHERE action <> 'created'";
    assert_eq!(count(&db, history).await, 0, "no history of either (only the organization's creation)");
    assert_counters(&db).await;

    let server = Server::start(&url, None).await;
    let res = server.request(reqwest::Method::POST, &path).json(&body).send().await.unwrap();
    ok_json(res).await;
    assert_eq!(count(&db, "SELECT COUNT(*) FROM memberships").await, BULK as i64);
    assert_counters(&db).await;
    server.kill().await;
}

/// A plain-SMTP sink that acknowledges each message's data with 250, except that,
/// with `stall`, it never answers the end of the data of the `stall`-th message.
struct Sink {
    port: u16,
    /// Subjects of the messages it acknowledged (accepted for delivery).
    accepted: Arc<Mutex<Vec<String>>>,
    /// Subjects whose data arrived complete but was never acknowledged.
    stalled: Arc<Mutex<Vec<String>>>,
}

impl Sink {
    async fn start(stall: Option<usize>) -> Sink {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (accepted, stalled) = (Arc::new(Mutex::new(Vec::new())), Arc::new(Mutex::new(Vec::new())));
        let (acc, st) = (accepted.clone(), stalled.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(sink_converse(stream, acc.clone(), st.clone(), stall));
            }
        });
        Sink { port, accepted, stalled }
    }

    fn accepted(&self) -> Vec<String> {
        self.accepted.lock().unwrap().clone()
    }
}

async fn sink_converse(
    stream: TcpStream,
    accepted: Arc<Mutex<Vec<String>>>,
    stalled: Arc<Mutex<Vec<String>>>,
    stall: Option<usize>,
) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    let _ = write.write_all(b"220 sink ESMTP\r\n").await;
    while let Ok(Some(line)) = lines.next_line().await {
        let upper = line.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") {
            b"250-sink\r\n250 8BITMIME\r\n"
        } else if upper == "DATA" {
            let _ = write.write_all(b"354 go ahead\r\n").await;
            let mut subject = String::new();
            while let Ok(Some(data)) = lines.next_line().await {
                if data == "." {
                    break;
                }
                if let Some(s) = data.strip_prefix("Subject: ") {
                    subject = s.to_string();
                }
            }
            let seen = accepted.lock().unwrap().len() + stalled.lock().unwrap().len() + 1;
            if stall == Some(seen) {
                stalled.lock().unwrap().push(subject.clone());
                // Never answer: the sender waits until it is killed.
                std::future::pending::<()>().await;
            }
            accepted.lock().unwrap().push(subject);
            b"250 queued\r\n"
        } else if upper == "QUIT" {
            let _ = write.write_all(b"221 bye\r\n").await;
            return;
        } else {
            b"250 OK\r\n"
        };
        if write.write_all(reply).await.is_err() {
            return;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_during_a_mail_delivery_sends_each_message_once_after_a_restart() {
    let (url, _dir, db) = prepared_database().await;
    for subject in ["First", "Second", "Third"] {
        orgdesk_server::db::outbox::enqueue(&db, "invitation", "someone@example.com", subject, "Hello.", None)
            .await
            .unwrap();
    }
    // The sink takes the first message and holds the second's acknowledgement.
    let stalling = Sink::start(Some(2)).await;
    let server = Server::start(&url, Some(stalling.port)).await;
    for _ in 0..3000 {
        if !stalling.stalled.lock().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(*stalling.stalled.lock().unwrap(), ["Second"], "the second message is in flight");
    server.kill().await;
    assert_eq!(stalling.accepted(), ["First"]);
    let pending = "SELECT COUNT(*) FROM outbox WHERE status = 'pending'";
    assert_eq!(count(&db, pending).await, 2, "the first is recorded sent, the others are not");

    // The interrupted message stays claimed until its claim expires; this moves that moment to now.
    let sink = Sink::start(None).await;
    let server = Server::start(&url, Some(sink.port)).await;
    for _ in 0..3000 {
        if !sink.accepted().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Another run of the worker sends nothing more while the claim holds.
    let now = orgdesk_server::time_fmt::now_ms();
    let smtp = sink_settings(sink.port);
    assert_eq!(orgdesk_server::mailer::deliver_due(&db, &smtp, now).await.unwrap(), 0);
    assert_eq!(sink.accepted(), ["Third"], "the claimed message waits for its claim to expire");
    query("UPDATE outbox SET next_attempt_at = 0 WHERE status = 'pending'").execute(&db).await.unwrap();
    for _ in 0..1000 {
        if count(&db, pending).await == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.kill().await;
    // Each message acknowledged exactly once over both servers: none lost, none twice.
    let mut all = stalling.accepted();
    all.extend(sink.accepted());
    all.sort();
    assert_eq!(all, ["First", "Second", "Third"]);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM outbox WHERE status = 'sent'").await, 3);
}

/// Plain SMTP to the sink on 127.0.0.1:`port`.
fn sink_settings(port: u16) -> orgdesk_server::config::Smtp {
    orgdesk_server::config::Smtp {
        host: "127.0.0.1".into(),
        port,
        security: None,
        user: None,
        password: None,
        from: orgdesk_core::email::Email::parse("orgdesk@example.com").unwrap(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_workers_on_one_database_deliver_each_message_once() {
    let (url, _dir, db) = prepared_database().await;
    let second = Db::connect(&url).await.unwrap();
    for i in 0..40 {
        let subject = format!("Message {i:02}");
        orgdesk_server::db::outbox::enqueue(&db, "invitation", "someone@example.com", &subject, "Hi.", None)
            .await
            .unwrap();
    }
    let sink = Sink::start(None).await;
    let smtp = sink_settings(sink.port);
    let now = orgdesk_server::time_fmt::now_ms();
    let (a, b) = tokio::join!(
        orgdesk_server::mailer::deliver_due(&db, &smtp, now),
        orgdesk_server::mailer::deliver_due(&second, &smtp, now)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 40, "between them they sent every message");
    let mut accepted = sink.accepted();
    accepted.sort();
    accepted.dedup();
    assert_eq!((sink.accepted().len(), accepted.len()), (40, 40), "each message once");
}

#[tokio::test]
async fn an_unreachable_database_at_start_is_retried_then_reported_in_one_line() {
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let output = Command::new(env!("CARGO_BIN_EXE_orgdesk"))
        .env("DATABASE_URL", format!("postgres://nobody:secret@127.0.0.1:{port}/orgdesk"))
        .env("ORGDESK_ADDR", "127.0.0.1:0")
        .env("ORGDESK_DATABASE_WAIT", "2")
        .env("RUST_LOG", "off")
        .output()
        .await
        .unwrap();
    assert!(!output.status.success(), "it exits with an error");
    let stderr = String::from_utf8(output.stderr).unwrap();
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(lines.len() >= 2, "at least one retry, then the error: {stderr}");
    let (last, retries) = lines.split_last().unwrap();
    assert!(retries.iter().all(|l| l.starts_with("orgdesk: cannot connect to PostgreSQL") && l.contains("retrying")));
    assert!(last.starts_with("orgdesk: cannot connect to PostgreSQL") && !last.contains("retrying"), "{stderr}");
    assert!(!stderr.contains("secret"), "the password is not printed: {stderr}");
}

/// A TCP proxy in front of PostgreSQL that the test can cut (closing every open
/// connection and refusing new ones) and restore, or freeze (passing nothing on and
/// closing nothing, as a network that went silent).
struct Proxy {
    port: u16,
    up: Arc<std::sync::atomic::AtomicBool>,
    frozen: Arc<std::sync::atomic::AtomicBool>,
    generation: Arc<tokio::sync::watch::Sender<u64>>,
}

impl Proxy {
    async fn start(target: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let up = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let frozen = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let generation = Arc::new(tokio::sync::watch::channel(0_u64).0);
        let (up2, frozen2, generation2) = (up.clone(), frozen.clone(), generation.clone());
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                if !up2.load(std::sync::atomic::Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let (target, frozen) = (target.clone(), frozen2.clone());
                let mut cut = generation2.subscribe();
                tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(&target).await else { return };
                    let ((from_client, to_client), (from_server, to_server)) =
                        (client.into_split(), server.into_split());
                    tokio::select! {
                        _ = forward(from_client, to_server, frozen.clone()) => {}
                        _ = forward(from_server, to_client, frozen) => {}
                        _ = cut.changed() => {}
                    }
                });
            }
        });
        Proxy { port, up, frozen, generation }
    }

    fn freeze(&self) {
        self.frozen.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    fn cut(&self) {
        self.up.store(false, std::sync::atomic::Ordering::SeqCst);
        self.generation.send_modify(|g| *g += 1);
    }

    fn restore(&self) {
        self.up.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Copies `from` to `to` until either side closes; while `frozen`, holds what it read.
async fn forward(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    frozen: Arc<std::sync::atomic::AtomicBool>,
) {
    let mut buf = vec![0_u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        while frozen.load(std::sync::atomic::Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}

/// A proxy in front of the PostgreSQL server of `url` (a test database's), and the URL of
/// the same database through it.
async fn proxied(url: &str) -> (Proxy, String) {
    let rest = url.strip_prefix("postgres://").unwrap();
    let (credentials, after) = rest.split_once('@').unwrap();
    let (host_port, database) = after.split_once('/').unwrap();
    let proxy = Proxy::start(host_port.to_string()).await;
    let through = format!("postgres://{credentials}@127.0.0.1:{}/{database}", proxy.port);
    (proxy, through)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_on_a_connection_whose_network_went_silent_gives_up_at_the_acquire_timeout() {
    let (url, _dir, db) = prepared_database().await;
    let Db::Postgres(..) = db else {
        // SQLite is a file in the server's own process: no network between them.
        return;
    };
    let (proxy, through) = proxied(&url).await;
    let proxied = Db::connect(&through).await.unwrap();
    assert_eq!(query("SELECT 1").scalar::<i32>(&proxied).await.unwrap(), 1);
    // Idle past a second, the kept connection is checked with a round trip before its next
    // statement; the network then passes nothing on and closes nothing.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    proxy.freeze();
    let started = std::time::Instant::now();
    let waited = tokio::time::timeout(Duration::from_secs(30), query("SELECT 1").scalar::<i32>(&proxied)).await;
    let err = waited.expect("the check gives up instead of waiting for an answer that never comes").unwrap_err();
    assert!(matches!(err, sqlx::Error::PoolTimedOut), "{err:?}");
    let took = started.elapsed();
    assert!(took >= Duration::from_secs(4) && took < Duration::from_secs(10), "gave up after {took:?} (timeout 5 s)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_lost_while_running_gives_503_and_the_server_recovers_when_it_is_back() {
    let (url, _dir, db) = prepared_database().await;
    let Db::Postgres(..) = db else {
        // SQLite is a file in the server's own process: it cannot be lost this way.
        return;
    };
    let (proxy, proxied) = proxied(&url).await;
    let mut app = TestApp::start_on(test_config(&proxied)).await;
    app.login_admin().await;
    ok_json(app.get("/api/customers").await).await;

    proxy.cut();
    for path in ["/api/customers", "/api/organizations"] {
        let res = app.get(path).await;
        assert!(res.headers().get("retry-after").is_some(), "Retry-After is set");
        error_body(res, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
    }
    let res = app.post("/api/organizations", json!({"name": "While down"})).await;
    error_body(res, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;

    proxy.restore();
    let mut recovered = false;
    for _ in 0..60 {
        if app.get("/api/customers").await.status() == StatusCode::OK {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(recovered, "the server answers again once the database is back");
    let res = app.post("/api/organizations", json!({"name": "After"})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_full_disk_gives_a_json_error_and_leaves_the_database_intact() {
    let (url, dir, db) = prepared_database().await;
    let Db::Sqlite(..) = db else {
        // PostgreSQL's disk is the shared cluster's: it is not filled here (its 53100 maps the same way).
        return;
    };
    db.close().await;
    // A size limit is SQLite's full disk: the same SQLITE_FULL error on the same path.
    let pages: i64 = {
        let probe = Db::connect(&url).await.unwrap();
        let n = query("PRAGMA page_count").scalar::<i64>(&probe).await.unwrap();
        probe.close().await;
        n
    };
    let options: sqlx::sqlite::SqliteConnectOptions = url.parse().unwrap();
    let options = options
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10))
        .pragma("max_page_count", (pages + 40).to_string());
    let pool = sqlx::sqlite::SqlitePoolOptions::new().max_connections(4).connect_with(options).await.unwrap();
    let limited = Db::sqlite(pool);
    let mut app = TestApp::start_with_db(limited.clone(), test_config(&url), dir).await;
    app.login_admin().await;

    let body = "x".repeat(4000);
    let mut created = Vec::new();
    let mut full = None;
    for i in 0..400 {
        let res = app.post("/api/organizations", json!({"name": format!("Org {i:03}")})).await;
        if res.status() == StatusCode::CREATED {
            let id = ok_json(res).await["id"].as_i64().unwrap();
            let note = app.post(&format!("/api/organizations/{id}/notes"), json!({"body": body})).await;
            if note.status() != StatusCode::CREATED {
                full = Some(note);
                break;
            }
            created.push(id);
        } else {
            full = Some(res);
            break;
        }
    }
    let res = full.expect("the size limit is reached");
    let err = error_body(res, StatusCode::SERVICE_UNAVAILABLE, "unavailable").await;
    assert!(err["message"].as_str().unwrap().contains("disk is full"), "{err}");
    assert!(!created.is_empty());

    let integrity: String = query("PRAGMA integrity_check").scalar(&limited).await.unwrap();
    assert_eq!(integrity, "ok");
    // Everything written before the failure is there, reads still work.
    for id in &created {
        ok_json(app.get(&format!("/api/organizations/{id}/detail")).await).await;
    }
    let notes = count(&limited, "SELECT COUNT(*) FROM organization_notes").await;
    assert_eq!(notes, created.len() as i64);
}
