//! The outbox of outgoing mail. A message is a row first; the mailer delivers
//! due rows and records each attempt here, so delivery state survives restarts.

use orgdesk_core::api::outbox::{OutboxMessage, OutboxStatus};
use orgdesk_core::word::{UnknownWord, Word};

use crate::db::{query, Db, Tx};
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
    /// The delivery status; an unknown stored word is an error, never a default.
    pub fn status(&self) -> Result<OutboxStatus, UnknownWord> {
        OutboxStatus::decode(&self.status)
    }

    pub fn into_api(self) -> Result<OutboxMessage, sqlx::Error> {
        Ok(OutboxMessage {
            status: self.status().map_err(|e| sqlx::Error::Decode(e.into()))?,
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
        })
    }
}

const COLUMNS: &str =
    "id, kind, recipient, subject, body, customer_id, status, attempts, last_error, next_attempt_at, created_at, sent_at, \
     item_id, conversation_id";

/// One email to queue, and what it is about.
pub struct NewMail<'a> {
    /// What the email is for, e.g. `item_reply`.
    pub kind: &'a str,
    pub recipient: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub customer_id: Option<i64>,
    pub item_id: Option<i64>,
    pub conversation_id: Option<i64>,
}

/// Queues one email in the caller's transaction, due at once.
pub async fn queue(tx: &mut Tx, mail: &NewMail<'_>, now: i64) -> Result<(), sqlx::Error> {
    query(
        "INSERT INTO outbox (kind, recipient, subject, body, customer_id, item_id, conversation_id, \
         status, attempts, next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, $8, $8)",
    )
    .bind(mail.kind)
    .bind(mail.recipient)
    .bind(mail.subject)
    .bind(mail.body)
    .bind(mail.customer_id)
    .bind(mail.item_id)
    .bind(mail.conversation_id)
    .bind(now)
    .execute(tx)
    .await?;
    Ok(())
}

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
    query(sql).bind(kind).bind(recipient).bind(subject).bind(body).bind(customer_id).bind(now).scalar(db).await
}

/// One page of messages, newest first, and how many there are in all.
pub async fn list(db: &Db, offset: i64, limit: i64) -> Result<(Vec<OutboxRow>, i64), sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM outbox ORDER BY created_at DESC, id DESC LIMIT $1 OFFSET $2");
    let rows = query(sql).bind(limit).bind(offset).fetch_all(db).await?;
    let total = query("SELECT COUNT(*) FROM outbox").scalar(db).await?;
    Ok((rows, total))
}

pub async fn get(db: &Db, id: i64) -> Result<Option<OutboxRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM outbox WHERE id = $1");
    query(sql).bind(id).fetch_optional(db).await
}

/// Pending messages whose next attempt is due at `now`, the longest waiting first.
pub async fn due(db: &Db, now: i64, limit: i64) -> Result<Vec<OutboxRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1 \
         ORDER BY next_attempt_at, id LIMIT $2"
    );
    query(sql).bind(now).bind(limit).fetch_all(db).await
}

/// Takes a due message for one delivery attempt by moving its next attempt to
/// `until`; false when it is no longer due (another worker took it, or it was
/// delivered). Should the process stop mid-attempt, the message is due again at `until`.
pub async fn claim(db: &Db, id: i64, now: i64, until: i64) -> Result<bool, sqlx::Error> {
    let sql = "UPDATE outbox SET next_attempt_at = $3 WHERE id = $1 AND status = 'pending' AND next_attempt_at <= $2";
    let changed = query(sql).bind(id).bind(now).bind(until).execute(db).await?;
    Ok(changed == 1)
}

/// Records a successful delivery.
pub async fn mark_sent(db: &Db, id: i64, now: i64) -> Result<(), sqlx::Error> {
    let sql = "UPDATE outbox SET status = 'sent', sent_at = $2, attempts = attempts + 1, last_error = NULL \
               WHERE id = $1";
    query(sql).bind(id).bind(now).execute(db).await?;
    Ok(())
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
    query(sql).bind(id).bind(status.as_str()).bind(error).bind(next_attempt_at).execute(db).await?;
    Ok(())
}
