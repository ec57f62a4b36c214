//! Conversations an agent starts with an organization's members or a project's
//! followers. Every message queues one outbox row per recipient at that moment,
//! in the transaction that stores the message.

use std::collections::BTreeMap;

use orgdesk_core::api::work::{Conversation, ConversationMessage};

use crate::db::{placeholders, Db};
use crate::error::ApiError;
use crate::time_fmt::rfc3339;
use crate::{in_write_tx, on_db};

/// Whom a conversation is with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Every current member.
    Organization(i64),
    /// The customer followers and the members of follower organizations, each once.
    Project(i64),
}

/// The most conversations a list returns (newest first).
pub const MAX_LISTED: i64 = 100;

#[derive(Debug, sqlx::FromRow)]
struct ConversationRow {
    id: i64,
    subject: String,
    organization_id: Option<i64>,
    project_id: Option<i64>,
    created_at: i64,
}

#[derive(Debug, sqlx::FromRow)]
struct MessageRow {
    id: i64,
    conversation_id: i64,
    author_agent_id: Option<i64>,
    author_name: Option<String>,
    body: String,
    notified: i64,
    created_at: i64,
}

async fn with_messages(db: &Db, rows: Vec<ConversationRow>) -> Result<Vec<Conversation>, sqlx::Error> {
    let mut messages: BTreeMap<i64, Vec<ConversationMessage>> = BTreeMap::new();
    if !rows.is_empty() {
        let sql = format!(
            "SELECT m.id, m.conversation_id, m.author_agent_id, a.name AS author_name, m.body, m.notified, m.created_at \
             FROM conversation_messages m LEFT JOIN agents a ON a.id = m.author_agent_id \
             WHERE m.conversation_id IN ({}) ORDER BY m.id",
            placeholders(1, rows.len())
        );
        let found: Vec<MessageRow> = on_db!(db, pool => {
            let mut query = sqlx::query_as(&sql);
            for r in &rows {
                query = query.bind(r.id);
            }
            query.fetch_all(pool).await
        })?;
        for m in found {
            messages.entry(m.conversation_id).or_default().push(ConversationMessage {
                id: m.id,
                author_agent_id: m.author_agent_id,
                author_name: m.author_name.unwrap_or_else(|| "Orgdesk".into()),
                body: m.body,
                notified: m.notified,
                created_at: rfc3339(m.created_at),
            });
        }
    }
    Ok(rows
        .into_iter()
        .map(|r| Conversation {
            messages: messages.remove(&r.id).unwrap_or_default(),
            id: r.id,
            subject: r.subject,
            organization_id: r.organization_id,
            project_id: r.project_id,
            created_at: rfc3339(r.created_at),
        })
        .collect())
}

const SELECT: &str = "SELECT id, subject, organization_id, project_id, created_at FROM conversations";

/// The target's conversations, newest first; `None` when the organization or project does not exist.
pub async fn list(db: &Db, target: Target) -> Result<Option<Vec<Conversation>>, sqlx::Error> {
    let (exists_sql, sql, id) = match target {
        Target::Organization(id) => (
            "SELECT id FROM organizations WHERE id = $1",
            format!("{SELECT} WHERE organization_id = $1 ORDER BY id DESC LIMIT {MAX_LISTED}"),
            id,
        ),
        Target::Project(id) => (
            "SELECT id FROM projects WHERE id = $1",
            format!("{SELECT} WHERE project_id = $1 ORDER BY id DESC LIMIT {MAX_LISTED}"),
            id,
        ),
    };
    let exists: Option<i64> = on_db!(db, pool => sqlx::query_scalar(exists_sql).bind(id).fetch_optional(pool).await)?;
    if exists.is_none() {
        return Ok(None);
    }
    let rows: Vec<ConversationRow> = on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_all(pool).await)?;
    Ok(Some(with_messages(db, rows).await?))
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Conversation>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE id = $1");
    let rows: Vec<ConversationRow> = on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_all(pool).await)?;
    Ok(with_messages(db, rows).await?.pop())
}

/// Recipients of a message to the target, each customer once, by id.
fn recipients_sql(target: Target) -> &'static str {
    match target {
        Target::Organization(_) => {
            "SELECT c.id, c.email FROM memberships m JOIN customers c ON c.id = m.customer_id \
             WHERE m.organization_id = $1 ORDER BY c.id"
        }
        Target::Project(_) => {
            "SELECT c.id, c.email FROM customers c WHERE c.id IN \
               (SELECT f.customer_id FROM project_followers f WHERE f.project_id = $1 AND f.customer_id IS NOT NULL) \
             OR c.id IN (SELECT m.customer_id FROM project_followers f \
               JOIN memberships m ON m.organization_id = f.organization_id WHERE f.project_id = $1) \
             ORDER BY c.id"
        }
    }
}

const OUTBOX_BATCH: usize = 500;

/// Stores a message in `$tx` and queues one outbox row per recipient of `$target`.
/// Expands to `Result<i64, ApiError>`: how many were notified.
macro_rules! post_message {
    ($tx:ident, $target:expr, $conversation:expr, $subject:expr, $author:expr, $body:expr, $footer:expr, $now:expr) => {
        async {
            let target: Target = $target;
            let id = match target {
                Target::Organization(id) | Target::Project(id) => id,
            };
            let recipients: Vec<(i64, String)> =
                sqlx::query_as(recipients_sql(target)).bind(id).fetch_all(&mut *$tx).await?;
            let notified = recipients.len() as i64;
            sqlx::query(
                "INSERT INTO conversation_messages (conversation_id, author_agent_id, body, notified, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind($conversation)
            .bind($author)
            .bind($body)
            .bind(notified)
            .bind($now)
            .execute(&mut *$tx)
            .await?;
            let text = format!("{}\n{}", $body, $footer);
            for chunk in recipients.chunks(OUTBOX_BATCH) {
                let mut qb = sqlx::QueryBuilder::new(
                    "INSERT INTO outbox (kind, recipient, subject, body, customer_id, conversation_id, status, attempts, \
                     next_attempt_at, created_at) ",
                );
                qb.push_values(chunk, |mut b, (customer, email)| {
                    b.push_bind("conversation")
                        .push_bind(email.clone())
                        .push_bind($subject.to_string())
                        .push_bind(text.clone())
                        .push_bind(*customer)
                        .push_bind($conversation)
                        .push_bind("pending")
                        .push_bind(0i64)
                        .push_bind($now)
                        .push_bind($now);
                });
                qb.build().execute(&mut *$tx).await?;
            }
            Ok::<i64, ApiError>(notified)
        }
    };
}

/// Starts a conversation with its first message; returns its id and how many were
/// notified, or `None` when the organization or project does not exist.
pub async fn start(
    db: &Db,
    target: Target,
    author: i64,
    subject: &str,
    body: &str,
    footer: &str,
    now: i64,
) -> Result<Option<(i64, i64)>, ApiError> {
    let (exists_sql, org, project) = match target {
        Target::Organization(id) => ("SELECT id FROM organizations WHERE id = $1", Some(id), None),
        Target::Project(id) => ("SELECT id FROM projects WHERE id = $1", None, Some(id)),
    };
    let target_id = org.or(project).unwrap_or_default();
    in_write_tx!(db, tx => async {
        let exists: Option<i64> = sqlx::query_scalar(exists_sql).bind(target_id).fetch_optional(&mut *tx).await?;
        if exists.is_none() {
            return Ok(None);
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO conversations (subject, organization_id, project_id, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id")
            .bind(subject).bind(org).bind(project).bind(author).bind(now)
            .fetch_one(&mut *tx).await?;
        let notified = post_message!(tx, target, id, subject, author, body, footer, now).await?;
        Ok::<Option<(i64, i64)>, ApiError>(Some((id, notified)))
    }.await)
}

/// Adds a message to a conversation, notifying the recipients as they are now;
/// returns how many were notified, or `None` when there is no such conversation.
pub async fn reply(
    db: &Db,
    conversation: i64,
    author: i64,
    body: &str,
    footer: &str,
    now: i64,
) -> Result<Option<i64>, ApiError> {
    in_write_tx!(db, tx => async {
        let row: Option<(String, Option<i64>, Option<i64>)> =
            sqlx::query_as("SELECT subject, organization_id, project_id FROM conversations WHERE id = $1")
                .bind(conversation).fetch_optional(&mut *tx).await?;
        let Some((subject, org, project)) = row else { return Ok(None) };
        let target = match (org, project) {
            (Some(o), _) => Target::Organization(o),
            (None, Some(p)) => Target::Project(p),
            (None, None) => return Err(ApiError::Internal("conversation without a target".into())),
        };
        let subject = format!("Re: {subject}");
        let notified = post_message!(tx, target, conversation, subject.as_str(), author, body, footer, now).await?;
        Ok::<Option<i64>, ApiError>(Some(notified))
    }.await)
}
