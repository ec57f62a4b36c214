//! Shared by every write of the organization detail panel (issue #5): the version
//! check that keeps two agents from silently overwriting each other, and the
//! organization's history. Both are macros over the caller's transaction so they
//! work on either driver (see [`crate::in_write_tx!`]).

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

/// Checks that organization `$org` is still at `$version` and bumps it (and
/// `updated_at` to `$now`), in the caller's transaction `$tx`. Fails with 404 when
/// the organization does not exist and with [`stale`] (409, field `version`) when
/// someone else changed it. On PostgreSQL the UPDATE's row lock, on SQLite the
/// write transaction, keeps a concurrent edit from passing the same check.
/// Expands to `Result<(), ApiError>`.
#[macro_export]
macro_rules! check_and_bump_version {
    ($tx:ident, $org:expr, $version:expr, $now:expr) => {
        async {
            let org: i64 = $org;
            let version: i64 = $version;
            let now: i64 = $now;
            let done = sqlx::query(
                "UPDATE organizations SET version = version + 1, updated_at = $1 WHERE id = $2 AND version = $3",
            )
            .bind(now)
            .bind(org)
            .bind(version)
            .execute(&mut *$tx)
            .await?
            .rows_affected();
            if done == 1 {
                return Ok::<(), $crate::error::ApiError>(());
            }
            let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM organizations WHERE id = $1")
                .bind(org)
                .fetch_optional(&mut *$tx)
                .await?;
            Err(match exists {
                Some(_) => $crate::db::org_history::stale(),
                None => $crate::db::org_history::not_found(),
            })
        }
    };
}

/// Bumps organization `$org`'s version without a check (a change made from
/// elsewhere, e.g. a customer's position edited on the customer, or a child whose
/// parent changed from the parent's panel). Expands to `Result<(), sqlx::Error>`.
#[macro_export]
macro_rules! bump_version {
    ($tx:ident, $org:expr, $now:expr) => {
        async {
            sqlx::query("UPDATE organizations SET version = version + 1, updated_at = $1 WHERE id = $2")
                .bind($now as i64)
                .bind($org as i64)
                .execute(&mut *$tx)
                .await?;
            Ok::<(), sqlx::Error>(())
        }
    };
}

/// Appends one entry to organization `$org`'s history, in the caller's transaction:
/// `$agent` (an agent id, or `None` for the system), `$action` (a word such as
/// `renamed`; see `orgdesk_core::api::organization::HistoryEntry`), `$summary` (one
/// sentence for people) and `$details` (a `serde_json::Value`).
/// Expands to `Result<(), sqlx::Error>`.
#[macro_export]
macro_rules! record_history {
    ($tx:ident, $org:expr, $agent:expr, $action:expr, $summary:expr, $details:expr, $now:expr) => {
        async {
            let agent: Option<i64> = $agent;
            let details: serde_json::Value = $details;
            sqlx::query(
                "INSERT INTO organization_history (organization_id, agent_id, action, summary, details, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind($org as i64)
            .bind(agent)
            .bind($action as &str)
            .bind($summary as &str)
            .bind(details.to_string())
            .bind($now as i64)
            .execute(&mut *$tx)
            .await?;
            Ok::<(), sqlx::Error>(())
        }
    };
}
