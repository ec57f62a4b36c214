//! Conversations an agent starts with an organization's members or a project's
//! followers. Every message queues one outbox row per recipient at that moment,
//! in the transaction that stores the message.

use std::collections::BTreeMap;

use orgdesk_core::api::tickets::{Conversation, ConversationMessage};

use crate::db::{query, Arg, Db, Tx};
use crate::error::ApiError;
use crate::time_fmt::rfc3339;

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
        let mut q = query(
            "SELECT m.id, m.conversation_id, m.author_agent_id, a.name AS author_name, m.body, m.notified, m.created_at \
             FROM conversation_messages m LEFT JOIN agents a ON a.id = m.author_agent_id \
             WHERE m.conversation_id IN (",
        );
        q.push_list(rows.iter().map(|r| r.id)).push(") ORDER BY m.created_at, m.id");
        let found: Vec<MessageRow> = q.fetch_all(db).await?;
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
            "SELECT id FROM organizations WHERE id = $1 AND deleted_at IS NULL",
            format!("{SELECT} WHERE organization_id = $1 ORDER BY id DESC LIMIT {MAX_LISTED}"),
            id,
        ),
        Target::Project(id) => (
            "SELECT id FROM projects WHERE id = $1",
            format!("{SELECT} WHERE project_id = $1 ORDER BY id DESC LIMIT {MAX_LISTED}"),
            id,
        ),
    };
    let exists: Option<i64> = query(exists_sql).bind(id).optional_scalar(db).await?;
    if exists.is_none() {
        return Ok(None);
    }
    let rows: Vec<ConversationRow> = query(sql).bind(id).fetch_all(db).await?;
    Ok(Some(with_messages(db, rows).await?))
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Conversation>, sqlx::Error> {
    let rows: Vec<ConversationRow> = query(format!("{SELECT} WHERE id = $1")).bind(id).fetch_all(db).await?;
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

/// One message of a conversation to store.
struct Post<'a> {
    target: Target,
    conversation: i64,
    subject: &'a str,
    author: i64,
    body: &'a str,
    footer: &'a str,
}

/// Stores a message in the caller's transaction and queues one outbox row per
/// recipient of its target; returns how many were notified.
async fn post_message(tx: &mut Tx, post: &Post<'_>, now: i64) -> Result<i64, sqlx::Error> {
    let id = match post.target {
        Target::Organization(id) | Target::Project(id) => id,
    };
    let recipients: Vec<(i64, String)> = query(recipients_sql(post.target)).bind(id).fetch_all(&mut *tx).await?;
    let notified = recipients.len() as i64;
    query(
        "INSERT INTO conversation_messages (conversation_id, author_agent_id, body, notified, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(post.conversation)
    .bind(post.author)
    .bind(post.body)
    .bind(notified)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let text = format!("{}\n{}", post.body, post.footer);
    for chunk in recipients.chunks(OUTBOX_BATCH) {
        let mut q = query(
            "INSERT INTO outbox (kind, recipient, subject, body, customer_id, conversation_id, status, attempts, \
             next_attempt_at, created_at) ",
        );
        q.push_values(chunk, |(customer, email)| -> Vec<Arg> {
            vec![
                "conversation".into(),
                email.into(),
                post.subject.into(),
                text.as_str().into(),
                customer.into(),
                post.conversation.into(),
                "pending".into(),
                0_i64.into(),
                now.into(),
                now.into(),
            ]
        });
        q.execute(&mut *tx).await?;
    }
    Ok(notified)
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
        Target::Organization(id) => {
            ("SELECT id FROM organizations WHERE id = $1 AND deleted_at IS NULL", Some(id), None)
        }
        Target::Project(id) => ("SELECT id FROM projects WHERE id = $1", None, Some(id)),
    };
    let target_id = org.or(project).unwrap_or_default();
    let mut tx = db.begin_write().await?;
    let exists: Option<i64> = query(exists_sql).bind(target_id).optional_scalar(&mut tx).await?;
    if exists.is_none() {
        return Ok(None);
    }
    let id: i64 = query(
        "INSERT INTO conversations (subject, organization_id, project_id, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(subject)
    .bind(org)
    .bind(project)
    .bind(author)
    .bind(now)
    .scalar(&mut tx)
    .await?;
    let post = Post { target, conversation: id, subject, author, body, footer };
    let notified = post_message(&mut tx, &post, now).await?;
    tx.commit().await?;
    Ok(Some((id, notified)))
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
    let mut tx = db.begin_write().await?;
    let row: Option<(String, Option<i64>, Option<i64>)> =
        query("SELECT subject, organization_id, project_id FROM conversations WHERE id = $1")
            .bind(conversation)
            .fetch_optional(&mut tx)
            .await?;
    let Some((subject, org, project)) = row else { return Ok(None) };
    let target = match (org, project) {
        (Some(o), _) => Target::Organization(o),
        (None, Some(p)) => Target::Project(p),
        (None, None) => return Err(ApiError::Internal("conversation without a target".into())),
    };
    let subject = format!("Re: {subject}");
    let post = Post { target, conversation, subject: &subject, author, body, footer };
    let notified = post_message(&mut tx, &post, now).await?;
    tx.commit().await?;
    Ok(Some(notified))
}
