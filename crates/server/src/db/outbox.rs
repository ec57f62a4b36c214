//! The outbox of outgoing mail. A message is a row first; the mailer delivers
//! due rows and records each attempt here, so delivery state survives restarts.

use orgdesk_core::api::outbox::{OutboxMessage, OutboxStatus};

use crate::db::Db;
use crate::on_db;
use crate::time_fmt::{now_ms, rfc3339};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: i64,
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub customer_id: Option<i64>,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub next_attempt_at: i64,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    pub item_id: Option<i64>,
    pub conversation_id: Option<i64>,
}

impl OutboxRow {
    pub fn status(&self) -> OutboxStatus {
        OutboxStatus::parse(&self.status).unwrap_or(OutboxStatus::Pending)
    }

    pub fn into_api(self) -> OutboxMessage {
        OutboxMessage {
            status: self.status(),
            id: self.id,
            kind: self.kind,
            recipient: self.recipient,
            subject: self.subject,
            body: self.body,
            attempts: self.attempts,
            last_error: self.last_error,
            created_at: rfc3339(self.created_at),
            sent_at: self.sent_at.map(rfc3339),
            item_id: self.item_id,
            conversation_id: self.conversation_id,
        }
    }
}

const COLUMNS: &str =
    "id, kind, recipient, subject, body, customer_id, status, attempts, last_error, next_attempt_at, created_at, sent_at, \
     item_id, conversation_id";

/// Queues one message in the caller's transaction: binds kind, recipient, subject,
/// body, customer_id, item_id, conversation_id and the time (now).
pub const INSERT: &str = "INSERT INTO outbox (kind, recipient, subject, body, customer_id, item_id, conversation_id, \
     status, attempts, next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, $8, $8)";

/// Queues a message for delivery now; returns its id.
pub async fn enqueue(
    db: &Db,
    kind: &str,
    recipient: &str,
    subject: &str,
    body: &str,
    customer_id: Option<i64>,
) -> Result<i64, sqlx::Error> {
    let sql = "INSERT INTO outbox (kind, recipient, subject, body, customer_id, status, attempts, next_attempt_at, created_at) \
               VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $6) RETURNING id";
    let now = now_ms();
    on_db!(db, pool => sqlx::query_scalar(sql)
        .bind(kind)
        .bind(recipient)
        .bind(subject)
        .bind(body)
        .bind(customer_id)
        .bind(now)
        .fetch_one(pool)
        .await)
}

/// One page of messages, newest first, and how many there are in all.
pub async fn list(db: &Db, offset: i64, limit: i64) -> Result<(Vec<OutboxRow>, i64), sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM outbox ORDER BY created_at DESC, id DESC LIMIT $1 OFFSET $2");
    let rows = on_db!(db, pool => sqlx::query_as(&sql).bind(limit).bind(offset).fetch_all(pool).await)?;
    let total = on_db!(db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM outbox").fetch_one(pool).await)?;
    Ok((rows, total))
}

pub async fn get(db: &Db, id: i64) -> Result<Option<OutboxRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM outbox WHERE id = $1");
    on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)
}

/// Pending messages whose next attempt is due at `now`, the longest waiting first.
pub async fn due(db: &Db, now: i64, limit: i64) -> Result<Vec<OutboxRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1 \
         ORDER BY next_attempt_at, id LIMIT $2"
    );
    on_db!(db, pool => sqlx::query_as(&sql).bind(now).bind(limit).fetch_all(pool).await)
}

/// Takes a due message for one delivery attempt by moving its next attempt to
/// `until`; false when it is no longer due (another worker took it, or it was
/// delivered). Should the process stop mid-attempt, the message is due again at `until`.
pub async fn claim(db: &Db, id: i64, now: i64, until: i64) -> Result<bool, sqlx::Error> {
    let sql = "UPDATE outbox SET next_attempt_at = $3 WHERE id = $1 AND status = 'pending' AND next_attempt_at <= $2";
    let changed = on_db!(db, pool => sqlx::query(sql)
        .bind(id)
        .bind(now)
        .bind(until)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
    Ok(changed == 1)
}

/// Records a successful delivery.
pub async fn mark_sent(db: &Db, id: i64, now: i64) -> Result<(), sqlx::Error> {
    let sql = "UPDATE outbox SET status = 'sent', sent_at = $2, attempts = attempts + 1, last_error = NULL \
               WHERE id = $1";
    on_db!(db, pool => sqlx::query(sql).bind(id).bind(now).execute(pool).await.map(|_| ()))
}

/// Records a failed attempt: the message waits until `next_attempt_at`, or,
/// with `give_up`, is marked failed for good.
pub async fn mark_failed_attempt(
    db: &Db,
    id: i64,
    error: &str,
    next_attempt_at: i64,
    give_up: bool,
) -> Result<(), sqlx::Error> {
    let status = if give_up { OutboxStatus::Failed } else { OutboxStatus::Pending };
    let sql = "UPDATE outbox SET status = $2, attempts = attempts + 1, last_error = $3, next_attempt_at = $4 \
               WHERE id = $1";
    on_db!(db, pool => sqlx::query(sql)
        .bind(id)
        .bind(status.as_str())
        .bind(error)
        .bind(next_attempt_at)
        .execute(pool)
        .await
        .map(|_| ()))
}
