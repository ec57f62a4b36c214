//! An organization's history and the version that guards in-place edits.
//!
//! Every write of the organization panel runs inside one write transaction that
//! checks the version the agent saw ([`check_and_bump_version`]) so two agents
//! never silently overwrite each other, and appends what changed to the history
//! ([`record`]), which the History tab lists newest first.

use orgdesk_core::api::organization::{HistoryEntry, HistoryPage};
use orgdesk_core::paging::Paging;
use serde_json::Value;

use crate::db::{query, Db, Query, Tx};
use crate::error::{ApiError, ApiResult};
use crate::time_fmt::rfc3339;

/// The 409 an edit gets when the organization changed since the agent loaded it.
pub fn stale() -> ApiError {
    ApiError::conflict_on(
        "version",
        "This organization was changed by someone else. Reload to see their changes, then edit again.",
    )
}

pub fn not_found() -> ApiError {
    ApiError::NotFound("There is no such organization.".into())
}

/// Checks that organization `org` is still at `version` and bumps it (and
/// `updated_at` to `now`). Fails with 404 when the organization does not exist and
/// with [`stale`] (409, field `version`) when someone else changed it. On
/// PostgreSQL the UPDATE's row lock, on SQLite the write transaction, keeps a
/// concurrent edit from passing the same check.
pub async fn check_and_bump_version(tx: &mut Tx, org: i64, version: i64, now: i64) -> Result<(), ApiError> {
    let done = query("UPDATE organizations SET version = version + 1, updated_at = $1 WHERE id = $2 AND version = $3")
        .bind(now)
        .bind(org)
        .bind(version)
        .execute(&mut *tx)
        .await?;
    if done == 1 {
        return Ok(());
    }
    let exists: Option<i64> = query("SELECT id FROM organizations WHERE id = $1 AND deleted_at IS NULL")
        .bind(org)
        .optional_scalar(&mut *tx)
        .await?;
    Err(if exists.is_some() { stale() } else { not_found() })
}

/// Bumps organization `org`'s version without a check: a change made from
/// elsewhere (a member's position edited on the customer, a child whose parent
/// changed from the parent's panel) that an open panel must notice.
pub async fn bump_version(tx: &mut Tx, org: i64, now: i64) -> Result<(), sqlx::Error> {
    query("UPDATE organizations SET version = version + 1, updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(org)
        .execute(tx)
        .await?;
    Ok(())
}

/// One history entry: who (`agent`, `None` for the system), what (`action`, a
/// word such as `renamed`; see `orgdesk_core::api::organization::HistoryEntry`),
/// one sentence for people (`summary`) and structured `details`.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub organization: i64,
    pub agent: Option<i64>,
    pub action: &'static str,
    pub summary: String,
    pub details: serde_json::Value,
}

/// Appends `entry` to its organization's history at time `now`.
pub async fn record(tx: &mut Tx, entry: &Entry, now: i64) -> Result<(), sqlx::Error> {
    query(
        "INSERT INTO organization_history (organization_id, agent_id, action, summary, details, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(entry.organization)
    .bind(entry.agent)
    .bind(entry.action)
    .bind(entry.summary.as_str())
    .bind(entry.details.to_string())
    .bind(now)
    .execute(tx)
    .await?;
    Ok(())
}

/// Appends `entries` (of any organizations) at time `now`, in as few statements
/// as [`Tx::execute_all`] makes of [`inserts`].
pub async fn record_all(tx: &mut Tx, entries: &[Entry], now: i64) -> Result<(), sqlx::Error> {
    tx.execute_all(inserts(entries, now)).await
}

/// What a history table (organization or customer history) holds of one entry.
pub(crate) trait HistoryRecord {
    /// The history's table and the column naming whose history it is.
    const TABLE: (&'static str, &'static str);
    /// Whose history, who (`None` for the system), what, the sentence, the details.
    fn fields(&self) -> (i64, Option<i64>, &'static str, &str, &Value);
}

impl HistoryRecord for Entry {
    const TABLE: (&'static str, &'static str) = ("organization_history", "organization_id");
    fn fields(&self) -> (i64, Option<i64>, &'static str, &str, &Value) {
        (self.organization, self.agent, self.action, &self.summary, &self.details)
    }
}

/// The multi-row INSERTs that append `entries` to their history at time `now`:
/// one per [`CHUNK`](crate::db::customers::moves::CHUNK) / 2 entries.
pub(crate) fn inserts<E: HistoryRecord>(entries: &[E], now: i64) -> Vec<Query> {
    let (table, owner) = E::TABLE;
    entries
        .chunks(crate::db::customers::moves::CHUNK / 2)
        .map(|chunk| {
            let mut q =
                query(format!("INSERT INTO {table} ({owner}, agent_id, action, summary, details, created_at) "));
            q.push_values(chunk, |e| {
                let (whose, agent, action, summary, details) = e.fields();
                vec![whose.into(), agent.into(), action.into(), summary.into(), details.to_string().into(), now.into()]
            });
            q
        })
        .collect()
}

/// A history row as both histories (organization and customer) read it.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct HistoryRow {
    id: i64,
    action: String,
    summary: String,
    details: String,
    agent_name: String,
    created_at: i64,
}

impl HistoryRow {
    pub(crate) fn into_api(self) -> HistoryEntry {
        HistoryEntry {
            id: self.id,
            action: self.action,
            summary: self.summary,
            details: serde_json::from_str(&self.details).unwrap_or(Value::Null),
            agent_name: self.agent_name,
            created_at: rfc3339(self.created_at),
        }
    }
}

/// One page of organization `id`'s history, newest first; 404 when there is no
/// such organization.
pub async fn list(db: &Db, id: i64, page: Paging) -> ApiResult<HistoryPage> {
    let exists: Option<i64> =
        query("SELECT id FROM organizations WHERE id = $1 AND deleted_at IS NULL").bind(id).optional_scalar(db).await?;
    let rows: Vec<HistoryRow> = query(
        "SELECT h.id, h.action, h.summary, h.details, COALESCE(a.name, '') AS agent_name, h.created_at \
         FROM organization_history h LEFT JOIN agents a ON a.id = h.agent_id WHERE h.organization_id = $1 \
         ORDER BY h.id DESC LIMIT $2 OFFSET $3",
    )
    .bind(id)
    .bind(page.limit)
    .bind(page.offset)
    .fetch_all(db)
    .await?;
    let total: i64 =
        query("SELECT COUNT(*) FROM organization_history WHERE organization_id = $1").bind(id).scalar(db).await?;
    if exists.is_none() {
        return Err(not_found());
    }
    Ok(HistoryPage { items: rows.into_iter().map(HistoryRow::into_api).collect(), total })
}
