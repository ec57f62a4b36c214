//! Delivers the outbox over SMTP.
//!
//! A background task ([`spawn`]) runs [`deliver_due`] at start and every
//! [`TICK`]: each due message is claimed (so two servers on one database do not
//! both send it), handed to the SMTP server, and marked sent; a failed attempt
//! waits 1 min, 2, 4, ... (at most an hour) before the next, and after
//! [`MAX_ATTEMPTS`] the message is marked failed. All state is in the `outbox`
//! table, so a restart loses nothing. Without SMTP settings the task does nothing
//! and messages stay pending, where admins can see them.
//!
//! Delivery is at least once. The claim is one conditional `UPDATE` checked by
//! rows affected, so of several workers (or server processes on one database)
//! exactly one takes a message. A worker that dies before the SMTP server
//! acknowledged the message leaves it claimed until [`CLAIM_MS`] has passed, then
//! it is sent again; only a death between the acknowledgement and [`outbox::mark_sent`]
//! sends it twice, and every attempt carries the same `Message-ID`.
//!
//! The connection security comes from the port (see [`Security::default_for`]):
//! 465 is implicit TLS; 25, 1025, 2525 and servers on a loopback address are
//! plain SMTP; any other port requires STARTTLS. TLS is rustls, trusting the
//! system's root certificates.

use std::net::IpAddr;
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;

use crate::config::Smtp;
use crate::db::outbox::{self, OutboxRow};
use crate::db::Db;
use crate::time_fmt::now_ms;

/// How often the worker looks for due messages.
pub const TICK: Duration = Duration::from_secs(2);
/// After this many failed attempts a message is marked failed.
pub const MAX_ATTEMPTS: i64 = 8;
/// The most messages one run of [`deliver_due`] takes on.
const BATCH: i64 = 50;
/// How long a claimed message is kept from other workers (and, after a crash, from the next run).
pub const CLAIM_MS: i64 = 10 * 60 * 1000;
/// Connecting and each SMTP command give up after this long.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest a recorded error gets.
const MAX_ERROR_CHARS: usize = 500;

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Security {
    /// Plain SMTP, no TLS (local relays and test sinks).
    Plain,
    /// Plain connection upgraded with STARTTLS; refused if the server does not offer it.
    #[value(name = "starttls")]
    StartTls,
    /// TLS from the first byte ("SMTPS", port 465).
    Tls,
}

impl Security {
    /// 465 is implicit TLS; 25, 1025, 2525 and loopback hosts are plain; anything else needs STARTTLS.
    pub fn default_for(host: &str, port: u16) -> Security {
        match port {
            465 => Security::Tls,
            25 | 1025 | 2525 => Security::Plain,
            _ if is_loopback(host) => Security::Plain,
            _ => Security::StartTls,
        }
    }
}

fn is_loopback(host: &str) -> bool {
    let host = host.trim().trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The security used for these settings.
pub fn security(smtp: &Smtp) -> Security {
    smtp.security.unwrap_or_else(|| Security::default_for(&smtp.host, smtp.port))
}

/// How long to wait after `failed_attempts` failed attempts: 1 min, 2, 4, ... at most 1 h.
pub fn retry_delay_ms(failed_attempts: i64) -> i64 {
    let doubling = (failed_attempts - 1).clamp(0, 6);
    (1i64 << doubling).min(60) * 60 * 1000
}

/// Starts the delivery worker. Without SMTP settings it only logs that mail stays in the outbox.
pub fn spawn(db: Db, smtp: Option<Smtp>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let Some(smtp) = smtp else {
            tracing::info!("SMTP is not configured: outgoing mail stays pending in the outbox");
            return;
        };
        tracing::info!(host = %smtp.host, port = smtp.port, security = ?security(&smtp), "mail delivery started");
        let mut tick = tokio::time::interval(TICK);
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = deliver_due(&db, &smtp, now_ms()).await {
                tracing::error!(error = %e, "cannot read or update the outbox");
            }
        }
    })
}

/// Why one attempt failed.
enum Failure {
    /// Worth trying again later (connection, TLS, authentication, refusal by the server).
    Retry(String),
    /// Can never succeed (the message itself is invalid): marked failed at once.
    Permanent(String),
}

/// Delivers the messages due at `now` (one batch); returns how many were sent.
/// Errors are only the database's: SMTP failures are recorded on the messages.
pub async fn deliver_due(db: &Db, smtp: &Smtp, now: i64) -> Result<usize, sqlx::Error> {
    let rows = outbox::due(db, now, BATCH).await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let transport = transport(smtp);
    let mut sent = 0;
    for row in rows {
        if !outbox::claim(db, row.id, now, now + CLAIM_MS).await? {
            continue;
        }
        let result = match &transport {
            Ok(transport) => send(transport, smtp, &row).await,
            Err(e) => Err(Failure::Retry(e.clone())),
        };
        let attempts = row.attempts + 1;
        match result {
            Ok(()) => {
                outbox::mark_sent(db, row.id, now).await?;
                tracing::info!(outbox_id = row.id, kind = %row.kind, attempts, "mail sent");
                sent += 1;
            }
            Err(failure) => {
                let (error, give_up) = match failure {
                    Failure::Retry(e) => (e, attempts >= MAX_ATTEMPTS),
                    Failure::Permanent(e) => (e, true),
                };
                let error: String = error.chars().take(MAX_ERROR_CHARS).collect();
                let next = now + retry_delay_ms(attempts);
                outbox::mark_failed_attempt(db, row.id, &error, next, give_up).await?;
                if give_up {
                    tracing::error!(outbox_id = row.id, attempts, error = %error, "mail delivery failed for good");
                } else {
                    tracing::warn!(outbox_id = row.id, attempts, error = %error, "mail delivery failed; will retry");
                }
            }
        }
    }
    Ok(sent)
}

fn transport(smtp: &Smtp) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let host = smtp.host.trim();
    let tls = |host: &str| TlsParameters::new(host.to_string()).map_err(|e| format!("TLS setup for {host}: {e}"));
    let tls = match security(smtp) {
        Security::Plain => Tls::None,
        Security::StartTls => Tls::Required(tls(host)?),
        Security::Tls => Tls::Wrapper(tls(host)?),
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        .port(smtp.port)
        .tls(tls)
        .timeout(Some(SMTP_TIMEOUT));
    if let Some(user) = smtp.user.as_ref().filter(|u| !u.is_empty()) {
        builder = builder.credentials(Credentials::new(user.clone(), smtp.password.clone().unwrap_or_default()));
    }
    Ok(builder.build())
}

async fn send(transport: &AsyncSmtpTransport<Tokio1Executor>, smtp: &Smtp, row: &OutboxRow) -> Result<(), Failure> {
    let from: Address = smtp
        .from
        .as_str()
        .parse()
        .map_err(|e| Failure::Retry(format!("the sender address {} is not usable: {e}", smtp.from.as_str())))?;
    let to: Address = row
        .recipient
        .trim()
        .parse()
        .map_err(|e| Failure::Permanent(format!("the recipient address is not valid: {e}")))?;
    // The same Message-ID on every attempt, so a receiver can drop a duplicate.
    let message_id = format!("<orgdesk.outbox.{}.{}@{}>", row.id, row.created_at, from.domain());
    let message = Message::builder()
        .from(Mailbox::new(Some("Orgdesk".into()), from))
        .to(Mailbox::new(None, to))
        .subject(row.subject.clone())
        .message_id(Some(message_id))
        .header(ContentType::TEXT_PLAIN)
        .body(row.body.clone())
        .map_err(|e| Failure::Permanent(format!("the message cannot be built: {e}")))?;
    transport.send(message).await.map(|_| ()).map_err(|e| Failure::Retry(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_twice_as_long_each_time_up_to_an_hour() {
        let minutes: Vec<i64> = (1..=9).map(|n| retry_delay_ms(n) / 60_000).collect();
        assert_eq!(minutes, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
    }

    #[test]
    fn the_port_and_host_choose_the_connection_security() {
        assert_eq!(Security::default_for("smtp.example.com", 465), Security::Tls);
        assert_eq!(Security::default_for("smtp.example.com", 587), Security::StartTls);
        assert_eq!(Security::default_for("smtp.example.com", 25), Security::Plain);
        assert_eq!(Security::default_for("mailpit", 1025), Security::Plain);
        assert_eq!(Security::default_for("127.0.0.1", 40125), Security::Plain);
        assert_eq!(Security::default_for("[::1]", 40125), Security::Plain);
        assert_eq!(Security::default_for("localhost", 587), Security::Plain);
        assert_eq!(Security::default_for("localhost", 465), Security::Tls);
    }
}
