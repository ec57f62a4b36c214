//! The outbox and its mailer: real SMTP conversations with a tiny sink on a
//! loopback port, and the admin-only `GET /api/outbox`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::Parser;
use orgdesk_server::config::{Cli, Config, Smtp};
use orgdesk_server::db::outbox;
use orgdesk_server::mailer::{self, MAX_ATTEMPTS};
use orgdesk_server::time_fmt::now_ms;
use reqwest::StatusCode;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::support::*;

/// One message as the sink received it.
#[derive(Debug, Clone, Default)]
struct Received {
    from: String,
    to: Vec<String>,
    data: String,
}

/// A plain-SMTP server on 127.0.0.1 that accepts every message and keeps it.
struct SmtpSink {
    port: u16,
    received: Arc<Mutex<Vec<Received>>>,
    _task: tokio::task::JoinHandle<()>,
}

impl SmtpSink {
    async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let store = received.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(converse(stream, store.clone()));
            }
        });
        SmtpSink { port, received, _task: task }
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

/// Speaks just enough SMTP: greeting, EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT.
async fn converse(stream: tokio::net::TcpStream, store: Arc<Mutex<Vec<Received>>>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    let mut current = Received::default();
    if write.write_all(b"220 sink.test ESMTP ready\r\n").await.is_err() {
        return;
    }
    while let Ok(Some(line)) = lines.next_line().await {
        let upper = line.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") {
            b"250-sink.test greets you\r\n250 8BITMIME\r\n"
        } else if upper.starts_with("HELO") || upper.starts_with("NOOP") {
            b"250 OK\r\n"
        } else if upper.starts_with("MAIL FROM:") {
            current = Received { from: line[10..].trim().to_string(), ..Default::default() };
            b"250 OK\r\n"
        } else if upper.starts_with("RCPT TO:") {
            current.to.push(line[8..].trim().to_string());
            b"250 OK\r\n"
        } else if upper == "DATA" {
            if write.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n").await.is_err() {
                return;
            }
            while let Ok(Some(data_line)) = lines.next_line().await {
                if data_line == "." {
                    break;
                }
                current.data.push_str(&data_line);
                current.data.push('\n');
            }
            store.lock().unwrap().push(std::mem::take(&mut current));
            b"250 OK queued\r\n"
        } else if upper == "RSET" {
            current = Received::default();
            b"250 OK\r\n"
        } else if upper == "QUIT" {
            let _ = write.write_all(b"221 Bye\r\n").await;
            return;
        } else {
            b"502 Command not implemented\r\n"
        };
        if write.write_all(reply).await.is_err() {
            return;
        }
    }
}

/// SMTP settings as the command line would give them.
fn smtp_settings(port: u16) -> Smtp {
    let port = port.to_string();
    let cli = Cli::try_parse_from([
        "orgdesk",
        "--database-url",
        "sqlite://unused.db",
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        &port,
        "--smtp-from",
        "orgdesk@example.com",
    ])
    .unwrap();
    Config::from_cli(cli).unwrap().smtp.expect("SMTP is configured")
}

/// A loopback port where nothing listens.
async fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

async fn enqueue(app: &TestApp, recipient: &str, subject: &str) -> i64 {
    outbox::enqueue(&app.db, "invitation", recipient, subject, "Hello,\n\nyou are invited.\n", None).await.unwrap()
}

async fn row(app: &TestApp, id: i64) -> outbox::OutboxRow {
    outbox::get(&app.db, id).await.unwrap().expect("the row exists")
}

#[tokio::test]
async fn a_due_message_is_delivered_over_smtp_and_marked_sent() {
    let app = TestApp::spawn().await;
    let sink = SmtpSink::start().await;
    let id = enqueue(&app, "ann@example.com", "Your Orgdesk invitation").await;

    let now = now_ms();
    assert_eq!(mailer::deliver_due(&app.db, &smtp_settings(sink.port), now).await.unwrap(), 1);

    let received = sink.received();
    assert_eq!(received.len(), 1, "{received:?}");
    assert_eq!(received[0].from, "<orgdesk@example.com>");
    assert_eq!(received[0].to, ["<ann@example.com>"]);
    assert!(received[0].data.contains("Subject: Your Orgdesk invitation"), "{}", received[0].data);
    assert!(received[0].data.contains("you are invited."), "{}", received[0].data);
    assert!(received[0].data.contains(&format!("Message-ID: <orgdesk.outbox.{id}.")), "{}", received[0].data);

    let sent = row(&app, id).await;
    assert_eq!(sent.status, "sent");
    assert_eq!(sent.attempts, 1);
    assert_eq!(sent.sent_at, Some(now));
    assert_eq!(sent.last_error, None);
    assert_eq!(mailer::deliver_due(&app.db, &smtp_settings(sink.port), now + 3_600_000).await.unwrap(), 0);
    assert_eq!(sink.received().len(), 1, "a sent message is not sent again");
}

#[tokio::test]
async fn an_unreachable_smtp_server_delays_the_message_and_gives_up_after_eight_attempts() {
    let app = TestApp::spawn().await;
    let smtp = smtp_settings(closed_port().await);
    let id = enqueue(&app, "ann@example.com", "Welcome").await;

    let now = now_ms();
    assert_eq!(mailer::deliver_due(&app.db, &smtp, now).await.unwrap(), 0);
    let first = row(&app, id).await;
    assert_eq!(first.status, "pending");
    assert_eq!(first.attempts, 1);
    assert!(first.last_error.as_deref().is_some_and(|e| !e.is_empty()), "{first:?}");
    assert_eq!(first.next_attempt_at, now + 60_000, "the first retry waits a minute");

    mailer::deliver_due(&app.db, &smtp, now + 59_999).await.unwrap();
    assert_eq!(row(&app, id).await.attempts, 1, "not retried before its time");

    let mut waits = vec![first.next_attempt_at - now];
    let mut current = first;
    while current.status == "pending" {
        let at = current.next_attempt_at;
        mailer::deliver_due(&app.db, &smtp, at).await.unwrap();
        current = row(&app, id).await;
        if current.status == "pending" {
            waits.push(current.next_attempt_at - at);
        }
        assert!(current.attempts <= MAX_ATTEMPTS, "{current:?}");
    }
    assert_eq!(current.status, "failed");
    assert_eq!(current.attempts, 8);
    assert!(current.last_error.is_some());
    let minutes: Vec<i64> = waits.iter().map(|w| w / 60_000).collect();
    assert_eq!(minutes, [1, 2, 4, 8, 16, 32, 60], "exponential back-off, capped at an hour");

    mailer::deliver_due(&app.db, &smtp, now + 30 * 24 * 3_600_000).await.unwrap();
    assert_eq!(row(&app, id).await.attempts, 8, "a failed message is not tried again");
}

#[tokio::test]
async fn an_invalid_recipient_fails_at_once_without_retrying() {
    let app = TestApp::spawn().await;
    let sink = SmtpSink::start().await;
    let id = enqueue(&app, "not an address", "Welcome").await;
    mailer::deliver_due(&app.db, &smtp_settings(sink.port), now_ms()).await.unwrap();
    let failed = row(&app, id).await;
    assert_eq!(failed.status, "failed");
    assert_eq!(failed.attempts, 1);
    assert!(failed.last_error.unwrap().contains("recipient"));
    assert!(sink.received().is_empty());
}

#[tokio::test]
async fn pending_and_retrying_messages_survive_a_restart_and_are_then_delivered() {
    let mut app = TestApp::spawn().await;
    app.login_admin().await;
    let waiting = enqueue(&app, "ann@example.com", "First").await;
    let retrying = enqueue(&app, "bob@example.com", "Second").await;
    let now = now_ms();
    // One attempt fails for the second message only: it was the only one due then.
    outbox::claim(&app.db, waiting, now, now + 1).await.unwrap();
    mailer::deliver_due(&app.db, &smtp_settings(closed_port().await), now).await.unwrap();
    assert_eq!(row(&app, retrying).await.attempts, 1);

    let restarted = app.restart().await;
    let page: Value = restarted.get("/api/outbox").await.json().await.unwrap();
    assert_eq!(page["total"], 2);
    assert!(page["items"].as_array().unwrap().iter().all(|m| m["status"] == "pending"), "{page}");
    assert_eq!(page["items"][0]["attempts"], 1);
    assert!(page["items"][0]["last_error"].is_string());

    let sink = SmtpSink::start().await;
    let sent = mailer::deliver_due(&restarted.db, &smtp_settings(sink.port), now + 60_000).await.unwrap();
    assert_eq!(sent, 2);
    let mut to: Vec<String> = sink.received().into_iter().flat_map(|r| r.to).collect();
    to.sort();
    assert_eq!(to, ["<ann@example.com>", "<bob@example.com>"]);
    assert_eq!(row(&restarted, retrying).await.attempts, 2);
}

#[tokio::test]
async fn a_message_claimed_by_a_worker_that_stopped_is_sent_once_the_claim_expires() {
    let app = TestApp::spawn().await;
    let id = enqueue(&app, "ann@example.com", "Welcome").await;
    let now = now_ms();
    assert!(outbox::claim(&app.db, id, now, now + mailer::CLAIM_MS).await.unwrap());
    assert!(!outbox::claim(&app.db, id, now, now + mailer::CLAIM_MS).await.unwrap(), "one claim at a time");

    let restarted = app.restart().await;
    let sink = SmtpSink::start().await;
    let smtp = smtp_settings(sink.port);
    assert_eq!(mailer::deliver_due(&restarted.db, &smtp, now + 1_000).await.unwrap(), 0);
    assert_eq!(mailer::deliver_due(&restarted.db, &smtp, now + mailer::CLAIM_MS).await.unwrap(), 1);
    assert_eq!(row(&restarted, id).await.status, "sent");
}

#[tokio::test]
async fn the_background_worker_delivers_pending_mail_as_soon_as_it_starts() {
    let app = TestApp::spawn().await;
    let sink = SmtpSink::start().await;
    let id = enqueue(&app, "ann@example.com", "Welcome").await;
    let worker = mailer::spawn(app.db.clone(), Some(smtp_settings(sink.port)));
    let mut waited = Duration::ZERO;
    while row(&app, id).await.status != "sent" {
        assert!(waited < Duration::from_secs(10), "not delivered within 10 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
        waited += Duration::from_millis(50);
    }
    worker.abort();
    assert_eq!(sink.received().len(), 1);
}

#[tokio::test]
async fn without_smtp_settings_the_worker_stops_and_mail_stays_pending() {
    let app = TestApp::spawn().await;
    let id = enqueue(&app, "ann@example.com", "Welcome").await;
    tokio::time::timeout(Duration::from_secs(5), mailer::spawn(app.db.clone(), None))
        .await
        .expect("the worker ends at once")
        .unwrap();
    let pending = row(&app, id).await;
    assert_eq!((pending.status.as_str(), pending.attempts), ("pending", 0));
}

#[tokio::test]
async fn the_outbox_lists_newest_first_with_the_total_and_pages() {
    let mut app = TestApp::spawn().await;
    app.login_admin().await;
    for subject in ["One", "Two", "Three"] {
        enqueue(&app, "ann@example.com", subject).await;
    }
    let res = app.get("/api/outbox").await;
    assert_eq!(res.status(), StatusCode::OK);
    let page: Value = res.json().await.unwrap();
    assert_eq!(page["total"], 3);
    let subjects: Vec<&str> =
        page["items"].as_array().unwrap().iter().map(|m| m["subject"].as_str().unwrap()).collect();
    assert_eq!(subjects, ["Three", "Two", "One"]);
    let first = &page["items"][0];
    assert_eq!(first["kind"], "invitation");
    assert_eq!(first["recipient"], "ann@example.com");
    assert_eq!(first["status"], "pending");
    assert_eq!(first["attempts"], 0);
    assert!(first["last_error"].is_null() && first["sent_at"].is_null(), "{first}");
    assert!(first["body"].as_str().unwrap().contains("invited"));
    assert!(first["created_at"].as_str().unwrap().ends_with('Z'), "{first}");

    let page: Value = app.get("/api/outbox?offset=2&limit=2").await.json().await.unwrap();
    assert_eq!(page["total"], 3);
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(page["items"][0]["subject"], "One");
}

#[tokio::test]
async fn the_outbox_is_for_admins_only_and_checks_its_query() {
    let mut app = TestApp::spawn().await;
    app.login_admin().await;
    app.create_agent("sam@example.com", "agent").await;

    error_body(app.other_client().get("/api/outbox").await, StatusCode::UNAUTHORIZED, "unauthorized").await;
    let mut sam = app.other_client();
    sam.login("sam@example.com", AGENT_PASSWORD).await;
    error_body(sam.get("/api/outbox").await, StatusCode::FORBIDDEN, "forbidden").await;

    let body = error_body(app.get("/api/outbox?limit=abc").await, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(body["fields"]["limit"].is_string(), "{body}");
    let body = error_body(app.get("/api/outbox?limit=201").await, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(body["fields"]["limit"].is_string(), "{body}");
    let body = error_body(app.get("/api/outbox?offset=-1").await, StatusCode::UNPROCESSABLE_ENTITY, "validation").await;
    assert!(body["fields"]["offset"].is_string(), "{body}");
}

#[tokio::test]
async fn replies_and_organization_notices_survive_a_restart_and_reach_the_smtp_server() {
    use serde_json::json;
    let app = TestApp::spawn_admin().await;
    let acme = app.create_org("Acme", &["acme.com"]).await.id;
    let ann = app.create_customer("ann@acme.com").await.id;
    app.create_customer("bo@acme.com").await;
    let p = app.create_project("Support").await.id;
    let it = app.create_ticket(p, ann, "Broken", ItemStatus::Open).await.id;
    let res = app.post(&format!("/api/items/{it}/messages"), json!({"kind": "reply", "body": "On it."})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = app.post(&format!("/api/items/{it}/messages"), json!({"kind": "note", "body": "internal"})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = app
        .post(&format!("/api/organizations/{acme}/conversations"), json!({"subject": "Hi", "body": "Hello all"}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);

    let restarted = app.restart().await;
    let page: Value = restarted.get("/api/outbox").await.json().await.unwrap();
    assert_eq!(page["total"], 3, "{page}");
    let items = page["items"].as_array().unwrap();
    assert!(items.iter().all(|m| m["status"] == "pending"), "{page}");
    assert_eq!(items.iter().filter(|m| m["item_id"] == it).count(), 1);
    assert_eq!(items.iter().filter(|m| m["conversation_id"].is_i64()).count(), 2);

    let sink = SmtpSink::start().await;
    let sent = mailer::deliver_due(&restarted.db, &smtp_settings(sink.port), now_ms()).await.unwrap();
    assert_eq!(sent, 3);
    let received = sink.received();
    let mut to: Vec<String> = received.iter().flat_map(|r| r.to.clone()).collect();
    to.sort();
    assert_eq!(to, ["<ann@acme.com>", "<ann@acme.com>", "<bo@acme.com>"]);
    assert!(received.iter().all(|r| !r.data.contains("internal")), "notes never leave");
    let page: Value = restarted.get("/api/outbox").await.json().await.unwrap();
    assert!(page["items"].as_array().unwrap().iter().all(|m| m["status"] == "sent"), "{page}");
}
