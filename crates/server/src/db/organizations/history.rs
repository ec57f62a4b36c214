//! An organization's history and the version that guards in-place edits.
//!
//! Every write of the organization panel runs inside one write transaction that
//! checks the version the agent saw ([`check_and_bump_version`]) so two agents
//! never silently overwrite each other, and appends what changed to the history
//! ([`record`]), which the History tab lists newest first.

use crate::db::{query, Tx};
use crate::error::ApiError;

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
    let exists: Option<i64> =
        query("SELECT id FROM organizations WHERE id = $1").bind(org).optional_scalar(&mut *tx).await?;
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
