//! A customer's history (created, organization changes with who and how,
//! invitations sent) and the version that guards the profile's in-place edits.
//!
//! Entries are written in the transaction of the change they describe, so a
//! rolled-back change leaves none. The profile's History tab lists them newest
//! first, keyset paged on `(customer_id, id)`.

use std::collections::HashMap;

use orgdesk_core::api::customer_profile::{CustomerHistoryPage, MoveVia};
use orgdesk_core::api::organization::HistoryEntry;
use serde_json::{json, Value};

use super::moves::{Move, CHUNK};
use crate::db::organizations::history::{self, HistoryRecord, HistoryRow};
use crate::db::{placeholders, query, Db, Tx};
use crate::error::{ApiError, ApiResult};

/// One entry of a customer's history: who (`agent`, `None` for the system, an
/// import's rows or the customer themselves), what (`action`: `created`,
/// `organization_changed`, `invitation_sent`, `properties_changed`), one sentence
/// for people and structured details.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub customer: i64,
    pub agent: Option<i64>,
    pub action: &'static str,
    pub summary: String,
    pub details: Value,
}

/// Appends `entries` in the caller's transaction, in as few statements as
/// [`Tx::execute_all`] makes of [`history::inserts`].
pub async fn record(tx: &mut Tx, entries: &[Entry], now: i64) -> Result<(), sqlx::Error> {
    tx.execute_all(history::inserts(entries, now)).await
}

impl HistoryRecord for Entry {
    const TABLE: (&'static str, &'static str) = ("customer_history", "customer_id");
    fn fields(&self) -> (i64, Option<i64>, &'static str, &str, &Value) {
        (self.customer, self.agent, self.action, &self.summary, &self.details)
    }
}

/// Who created a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreatedBy {
    /// An agent, in the Customers app.
    Agent(i64),
    /// A CSV import run by this agent (`None`: the agent is gone).
    Import(Option<i64>),
    /// The customer themselves, signing up in the portal.
    PortalSignUp,
}

/// The organization a new customer joined and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Joined {
    pub id: i64,
    pub name: String,
    /// Joined by the email-domain rule (else: an import's organization column).
    pub by_domain_rule: bool,
    /// The organization was created for the customer's domain.
    pub organization_created: bool,
}

/// The `created` entry of a new customer.
pub fn created(customer: i64, by: CreatedBy, joined: Option<&Joined>) -> Entry {
    let (agent, who, by_word) = match by {
        CreatedBy::Agent(a) => (Some(a), "Created by an agent", "agent"),
        CreatedBy::Import(a) => (a, "Created by a CSV import", "import"),
        CreatedBy::PortalSignUp => (None, "Signed up in the portal", "portal_sign_up"),
    };
    let mut summary = who.to_string();
    if let Some(j) = joined {
        let how = if j.by_domain_rule { " by the email domain rule" } else { "" };
        summary.push_str(&format!("; joined {}{how}", j.name));
        if j.organization_created {
            summary.push_str(" (created for their domain)");
        }
    }
    Entry {
        customer,
        agent,
        action: "created",
        summary,
        details: json!({
            "by": by_word,
            "organization_id": joined.map(|j| j.id),
            "organization_name": joined.map(|j| j.name.as_str()),
            "domain_rule": joined.is_some_and(|j| j.by_domain_rule),
            "organization_created": joined.is_some_and(|j| j.organization_created),
        }),
    }
}

/// The `invitation_sent` entry of an invitation to the portal mailed to `email`.
pub fn invitation_sent(customer: i64, agent: Option<i64>, email: &str) -> Entry {
    Entry {
        customer,
        agent,
        action: "invitation_sent",
        summary: format!("Invitation to the portal sent to {email}"),
        details: json!({ "email": email }),
    }
}

/// The `organization_changed` entries of `moves` into `to` (or out of any), one
/// per customer, naming where from, where to and how. `names` holds the names by id.
pub fn move_entries(
    moves: &[Move],
    to: Option<i64>,
    agent: Option<i64>,
    via: MoveVia,
    names: &HashMap<i64, String>,
) -> Vec<Entry> {
    let name_of = |id: Option<i64>| id.and_then(|id| names.get(&id).cloned());
    moves
        .iter()
        .filter(|(_, from)| *from != to)
        .map(|&(customer, from)| {
            let (from_name, to_name) = (name_of(from), name_of(to));
            let summary = match (&from_name, &to_name) {
                (Some(f), Some(t)) => format!("Moved from {f} to {t} {}", via.phrase()),
                (None, Some(t)) => format!("Joined {t} {}", via.phrase()),
                (Some(f), None) => format!("Left {f} {}", via.phrase()),
                (None, None) => format!("Left their organization {}", via.phrase()),
            };
            Entry {
                customer,
                agent,
                action: "organization_changed",
                summary,
                details: json!({
                    "from_organization_id": from,
                    "from_organization_name": from_name,
                    "to_organization_id": to,
                    "to_organization_name": to_name,
                    "via": via.as_str(),
                }),
            }
        })
        .collect()
}

/// Records the `organization_changed` entries of `moves` (see [`move_entries`])
/// in the caller's transaction.
pub async fn record_moves(
    tx: &mut Tx,
    moves: &[Move],
    to: Option<i64>,
    agent: Option<i64>,
    via: MoveVia,
    now: i64,
) -> Result<(), sqlx::Error> {
    if moves.is_empty() {
        return Ok(());
    }
    let mut orgs: Vec<i64> = moves.iter().filter_map(|(_, from)| *from).chain(to).collect();
    orgs.sort_unstable();
    orgs.dedup();
    let mut names: HashMap<i64, String> = HashMap::new();
    for chunk in orgs.chunks(CHUNK) {
        let sql = format!("SELECT id, name FROM organizations WHERE id IN ({})", placeholders(1, chunk.len()));
        let rows: Vec<(i64, String)> = query(sql).bind_all(chunk).fetch_all(&mut *tx).await?;
        names.extend(rows);
    }
    record(tx, &move_entries(moves, to, agent, via, &names), now).await
}

/// The 409 an edit gets when the customer changed since the agent loaded the profile.
pub fn stale() -> ApiError {
    ApiError::conflict_on(
        "version",
        "This customer was changed by someone else. Reload to see their changes, then edit again.",
    )
}

pub fn not_found() -> ApiError {
    ApiError::NotFound("No such customer.".into())
}

/// Checks that customer `id` is still at `version` and bumps it: 404 when there is
/// no such customer, [`stale`] (409, field `version`) when someone else changed it.
/// On PostgreSQL the UPDATE's row lock, on SQLite the write transaction, keeps a
/// concurrent edit from passing the same check.
pub async fn check_and_bump_version(tx: &mut Tx, id: i64, version: i64) -> Result<(), ApiError> {
    let done = query("UPDATE customers SET version = version + 1 WHERE id = $1 AND version = $2")
        .bind(id)
        .bind(version)
        .execute(&mut *tx)
        .await?;
    if done == 1 {
        return Ok(());
    }
    let exists: Option<i64> =
        query("SELECT id FROM customers WHERE id = $1").bind(id).optional_scalar(&mut *tx).await?;
    Err(if exists.is_some() { stale() } else { not_found() })
}

/// One page: `$1` the customer, `$2` the id to start below, `$3` how many. A range
/// of the `(customer_id, id)` index, read backwards: no scan, however long the history.
pub const PAGE_SQL: &str =
    "SELECT h.id, h.action, h.summary, h.details, COALESCE(a.name, '') AS agent_name, h.created_at \
     FROM customer_history h LEFT JOIN agents a ON a.id = h.agent_id \
     WHERE h.customer_id = $1 AND h.id < $2 ORDER BY h.id DESC LIMIT $3";

/// One page of customer `id`'s history, newest first: at most `limit` entries
/// older than `before` (all when `None`); 404 when there is no such customer.
pub async fn list(db: &Db, id: i64, before: Option<i64>, limit: i64) -> ApiResult<CustomerHistoryPage> {
    let exists: Option<i64> = query("SELECT id FROM customers WHERE id = $1").bind(id).optional_scalar(db).await?;
    if exists.is_none() {
        return Err(not_found());
    }
    // One more than asked says whether an older page exists.
    let rows: Vec<HistoryRow> =
        query(PAGE_SQL).bind(id).bind(before.unwrap_or(i64::MAX)).bind(limit + 1).fetch_all(db).await?;
    let more = rows.len() as i64 > limit;
    let items: Vec<HistoryEntry> = rows.into_iter().take(limit as usize).map(HistoryRow::into_api).collect();
    let next_before = if more { items.last().map(|e| e.id) } else { None };
    Ok(CustomerHistoryPage { items, next_before })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> HashMap<i64, String> {
        [(1, "Acme".to_string()), (2, "Globex".to_string())].into()
    }

    #[test]
    fn each_moved_customer_gets_an_entry_naming_from_to_and_how() {
        let moves = [(10, Some(2)), (11, None), (12, Some(1))];
        let entries = move_entries(&moves, Some(1), Some(7), MoveVia::Drag, &names());
        let summaries: Vec<(i64, &str)> = entries.iter().map(|e| (e.customer, e.summary.as_str())).collect();
        assert_eq!(
            summaries,
            [(10, "Moved from Globex to Acme by drag and drop"), (11, "Joined Acme by drag and drop")],
            "a customer already in the target gets no entry"
        );
        assert!(entries.iter().all(|e| e.agent == Some(7) && e.action == "organization_changed"));
        assert_eq!(entries[0].details["via"], "drag");
        assert_eq!(entries[0].details["from_organization_name"], "Globex");
        let out = move_entries(&[(10, Some(2))], None, None, MoveVia::DomainRule, &names());
        assert_eq!(out[0].summary, "Left Globex by an email domain rule");
    }

    #[test]
    fn a_created_entry_says_who_and_which_organization_by_which_rule() {
        let joined = Joined { id: 1, name: "acme.com".into(), by_domain_rule: true, organization_created: true };
        let e = created(5, CreatedBy::Agent(3), Some(&joined));
        assert_eq!(
            e.summary,
            "Created by an agent; joined acme.com by the email domain rule (created for their domain)"
        );
        assert_eq!(e.agent, Some(3));
        assert_eq!(e.details["by"], "agent");
        let e = created(5, CreatedBy::PortalSignUp, None);
        assert_eq!((e.summary.as_str(), e.agent), ("Signed up in the portal", None));
        assert_eq!(created(5, CreatedBy::Import(Some(2)), None).details["by"], "import");
    }
}
