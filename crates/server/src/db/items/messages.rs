//! An item's conversation: customer replies (one outbox email per customer
//! recipient, in the transaction that stores the reply), written by agents or by
//! customers in the portal, and internal notes (never emailed), and the email that
//! brings a new requester up to date.

use orgdesk_core::api::tickets::{Message, MessageKind};
use orgdesk_core::word::Word;

use crate::db::outbox::{self, NewMail};
use crate::db::projects::CUSTOMER_NAME;
use crate::db::{access, query, Db, Tx};
use crate::error::ApiError;
use crate::time_fmt::rfc3339;

/// What an email carries besides its text.
pub struct Mail {
    /// Appended to every email about an item (a sign-off and where to answer).
    pub footer: String,
}

#[derive(Debug, sqlx::FromRow)]
struct MessageRow {
    id: i64,
    kind: String,
    author_agent_id: Option<i64>,
    author_customer_id: Option<i64>,
    author_name: Option<String>,
    body: String,
    recipients: String,
    created_at: i64,
}

impl TryFrom<MessageRow> for Message {
    type Error = sqlx::Error;

    fn try_from(r: MessageRow) -> Result<Message, sqlx::Error> {
        Ok(Message {
            id: r.id,
            kind: MessageKind::decode(&r.kind).map_err(|e| sqlx::Error::Decode(e.into()))?,
            author_agent_id: r.author_agent_id,
            author_customer_id: r.author_customer_id,
            author_name: r.author_name.unwrap_or_else(|| "Orgdesk".into()),
            body: r.body,
            recipients: r.recipients.lines().filter(|l| !l.is_empty()).map(String::from).collect(),
            created_at: rfc3339(r.created_at),
        })
    }
}

/// The author's name: the agent's, or the customer's for a reply written in the portal.
fn select_messages() -> String {
    format!(
        "SELECT m.id, m.kind, m.author_agent_id, m.author_customer_id, COALESCE(a.name, {CUSTOMER_NAME}) AS author_name, \
         m.body, m.recipients, m.created_at FROM messages m LEFT JOIN agents a ON a.id = m.author_agent_id \
         LEFT JOIN customers c ON c.id = m.author_customer_id"
    )
}

/// The item's conversation, oldest first; `None` when there is no such item.
pub async fn messages(db: &Db, item_id: i64) -> Result<Option<Vec<Message>>, sqlx::Error> {
    let exists: Option<i64> = query("SELECT id FROM items WHERE id = $1").bind(item_id).optional_scalar(db).await?;
    if exists.is_none() {
        return Ok(None);
    }
    let rows: Vec<MessageRow> =
        query(format!("{} WHERE m.item_id = $1 ORDER BY m.created_at, m.id", select_messages()))
            .bind(item_id)
            .fetch_all(db)
            .await?;
    Ok(Some(rows.into_iter().map(Message::try_from).collect::<Result<_, _>>()?))
}

/// Who receives a reply: the requester, then the followers, each email once
/// (regardless of case).
fn reply_recipients(requester: Option<(i64, String)>, followers: Vec<(i64, String)>) -> Vec<(i64, String)> {
    let mut seen = std::collections::HashSet::new();
    requester.into_iter().chain(followers).filter(|(_, email)| seen.insert(email.to_ascii_lowercase())).collect()
}

/// Who writes a message: an agent (replies and notes), or a customer in the portal (replies).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Author {
    Agent(i64),
    Customer(i64),
    /// Orgdesk itself: a routing rule's automatic reply.
    System,
}

/// Adds a message to the item's conversation, in one transaction. A reply queues one
/// outbox row per customer recipient ([`recipients`])
/// and fails with a 422 on `kind` when there is none; a note queues nothing.
/// `Ok(None)` when there is no such item.
pub async fn add_message(
    db: &Db,
    item_id: i64,
    author: i64,
    kind: MessageKind,
    body: &str,
    mail: &Mail,
    now: i64,
) -> Result<Option<Message>, ApiError> {
    store_message(db, item_id, Author::Agent(author), kind, body, mail, now).await
}

/// Adds a reply written by customer `author` in the portal, in one transaction: one
/// outbox email to each of [`recipients`] except the author, and nobody else. `Ok(None)` when there is no such item. Whether
/// the customer may see the item and reply is the caller's to check.
pub async fn add_customer_reply(
    db: &Db,
    item_id: i64,
    author: i64,
    body: &str,
    mail: &Mail,
    now: i64,
) -> Result<Option<Message>, ApiError> {
    store_message(db, item_id, Author::Customer(author), MessageKind::Reply, body, mail, now).await
}

/// The customers a reply goes to: the requester, then the followers, then (when the
/// portal shows project items, so they can read the item) the project's followers:
/// customers who follow it and the verified members of organizations that follow it;
/// each email once, never `author` (by id or email) when a customer wrote it. Nobody
/// who may not see the item in the portal gets its replies by email.
async fn recipients(
    tx: &mut Tx,
    item_id: i64,
    requester: Option<i64>,
    author: Author,
    project_items: bool,
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    let requester = match requester {
        Some(r) => query("SELECT email FROM customers WHERE id = $1")
            .bind(r)
            .optional_scalar::<String>(&mut *tx)
            .await?
            .map(|email| (r, email)),
        None => None,
    };
    let followers: Vec<(i64, String)> = query(
        "SELECT c.id, c.email FROM item_followers f JOIN customers c ON c.id = f.customer_id \
         WHERE f.item_id = $1 ORDER BY c.sort_name, c.id",
    )
    .bind(item_id)
    .fetch_all(&mut *tx)
    .await?;
    let mut followers = followers;
    if project_items {
        let project_followers: Vec<(i64, String)> = query(
            "SELECT c.id, c.email FROM items i JOIN project_followers pf ON pf.project_id = i.project_id \
             JOIN customers c ON c.id = pf.customer_id WHERE i.id = $1 \
             UNION SELECT c.id, c.email FROM items i JOIN project_followers pf ON pf.project_id = i.project_id \
             JOIN memberships m ON m.organization_id = pf.organization_id JOIN customers c ON c.id = m.customer_id \
             WHERE i.id = $1 AND c.email_verified_at IS NOT NULL ORDER BY 1",
        )
        .bind(item_id)
        .fetch_all(&mut *tx)
        .await?;
        followers.extend(project_followers);
    }
    let mut recipients = reply_recipients(requester, followers);
    if let Author::Customer(author) = author {
        let own: Option<String> =
            query("SELECT email FROM customers WHERE id = $1").bind(author).optional_scalar(&mut *tx).await?;
        recipients.retain(|(id, email)| *id != author && own.as_deref().is_none_or(|o| !o.eq_ignore_ascii_case(email)));
    }
    Ok(recipients)
}

async fn store_message(
    db: &Db,
    item_id: i64,
    author: Author,
    kind: MessageKind,
    body: &str,
    mail: &Mail,
    now: i64,
) -> Result<Option<Message>, ApiError> {
    let project_items = access::policy(db).await?.project_items;
    let mut tx = db.begin_write().await?;
    let Some(message_id) = store_in(&mut tx, item_id, author, kind, body, mail, project_items, now).await? else {
        return Ok(None);
    };
    tx.commit().await?;
    let row: MessageRow =
        query(format!("{} WHERE m.id = $1", select_messages())).bind(message_id).fetch_one(db).await?;
    Ok(Some(Message::try_from(row)?))
}

/// A reply from Orgdesk itself (a routing rule's automatic reply, no author), in the
/// caller's transaction: to the requester and the followers, through the outbox
/// like an agent's reply. Nobody to send it to is no error: nothing is stored then.
pub async fn add_system_reply(
    tx: &mut Tx,
    item_id: i64,
    body: &str,
    mail: &Mail,
    project_items: bool,
    now: i64,
) -> Result<(), ApiError> {
    store_in(tx, item_id, Author::System, MessageKind::Reply, body, mail, project_items, now).await?;
    Ok(())
}

/// Stores a message and queues its emails in `tx`; its id, or `None` when there is
/// no such item (or, for a system reply, nobody to send it to).
#[allow(clippy::too_many_arguments)]
async fn store_in(
    tx: &mut Tx,
    item_id: i64,
    author: Author,
    kind: MessageKind,
    body: &str,
    mail: &Mail,
    project_items: bool,
    now: i64,
) -> Result<Option<i64>, ApiError> {
    let item: Option<(String, Option<i64>)> =
        query("SELECT title, requester_id FROM items WHERE id = $1").bind(item_id).fetch_optional(&mut *tx).await?;
    let Some((title, requester)) = item else { return Ok(None) };
    let mut recipients: Vec<(i64, String)> = Vec::new();
    if kind == MessageKind::Reply {
        recipients = self::recipients(&mut *tx, item_id, requester, author, project_items).await?;
        // An agent's reply must reach someone; a customer's is read by the agents anyway.
        if recipients.is_empty() && matches!(author, Author::Agent(_)) {
            return Err(ApiError::invalid(
                "kind",
                "This item has no requester or customer follower to send a reply to: add one, or write an internal note.",
            ));
        }
        if recipients.is_empty() && author == Author::System {
            return Ok(None);
        }
    }
    let (agent, customer) = match author {
        Author::Agent(a) => (Some(a), None),
        Author::Customer(c) => (None, Some(c)),
        Author::System => (None, None),
    };
    let emails: Vec<&str> = recipients.iter().map(|(_, e)| e.as_str()).collect();
    let message_id: i64 = query(
        "INSERT INTO messages (item_id, kind, author_agent_id, author_customer_id, body, recipients, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(item_id)
    .bind(kind.as_str())
    .bind(agent)
    .bind(customer)
    .bind(body)
    .bind(emails.join("\n"))
    .bind(now)
    .scalar(&mut *tx)
    .await?;
    if kind == MessageKind::Reply {
        let subject = format!("[#{item_id}] {title}");
        let text = format!("{body}\n{}", mail.footer);
        for (customer, email) in &recipients {
            let reply = NewMail {
                kind: "item_reply",
                recipient: email,
                subject: &subject,
                body: &text,
                customer_id: Some(*customer),
                item_id: Some(item_id),
                conversation_id: None,
            };
            outbox::queue(&mut *tx, &reply, now).await?;
        }
        query("UPDATE items SET reply_count = reply_count + 1, updated_at = $2 WHERE id = $1")
            .bind(item_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
    } else {
        query("UPDATE items SET updated_at = $2 WHERE id = $1").bind(item_id).bind(now).execute(&mut *tx).await?;
    }
    Ok(Some(message_id))
}

/// The email a new requester receives: the item's customer replies so far, as
/// `(author, text, created_at)`, oldest first.
fn history_body(item_id: i64, title: &str, replies: &[(String, String, i64)], footer: &str) -> String {
    let mut body = format!("You are now the requester of #{item_id} {title}. The conversation so far:\n");
    for (author, text, at) in replies {
        body.push_str(&format!("\n--- {author}, {} ---\n{text}\n", rfc3339(*at)));
    }
    body.push_str(footer);
    body
}

/// Queues, in the caller's transaction, one email with the item's customer replies
/// so far to `customer`, its new requester.
pub async fn send_history(
    tx: &mut Tx,
    item_id: i64,
    title: &str,
    customer: i64,
    mail: &Mail,
    now: i64,
) -> Result<(), sqlx::Error> {
    let replies: Vec<(String, String, i64)> = query(format!(
        "SELECT COALESCE(a.name, {CUSTOMER_NAME}, 'Support'), m.body, m.created_at FROM messages m \
         LEFT JOIN agents a ON a.id = m.author_agent_id LEFT JOIN customers c ON c.id = m.author_customer_id \
         WHERE m.item_id = $1 AND m.kind = 'reply' ORDER BY m.created_at, m.id"
    ))
    .bind(item_id)
    .fetch_all(&mut *tx)
    .await?;
    let email: String = query("SELECT email FROM customers WHERE id = $1").bind(customer).scalar(&mut *tx).await?;
    let history = NewMail {
        kind: "item_history",
        recipient: &email,
        subject: &format!("[#{item_id}] {title}"),
        body: &history_body(item_id, title, &replies, &mail.footer),
        customer_id: Some(customer),
        item_id: Some(item_id),
        conversation_id: None,
    };
    outbox::queue(tx, &history, now).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_reaches_the_requester_and_each_follower_email_once() {
        let recipients = reply_recipients(
            Some((1, "ann@acme.com".into())),
            vec![(2, "ANN@acme.com".into()), (3, "bob@acme.com".into()), (4, "bob@acme.com".into())],
        );
        assert_eq!(recipients, [(1, "ann@acme.com".to_string()), (3, "bob@acme.com".to_string())]);
        assert!(reply_recipients(None, vec![]).is_empty());
    }

    #[test]
    fn the_history_email_lists_the_replies_in_order_then_the_footer() {
        let replies =
            [("Sam".to_string(), "First".to_string(), 0), ("Support".to_string(), "Second".to_string(), 1000)];
        let body = history_body(7, "Printer jam", &replies, "\n--\nfooter\n");
        assert_eq!(
            body,
            "You are now the requester of #7 Printer jam. The conversation so far:\n\
             \n--- Sam, 1970-01-01T00:00:00Z ---\nFirst\n\
             \n--- Support, 1970-01-01T00:00:01Z ---\nSecond\n\
             \n--\nfooter\n"
        );
    }
}
