//! One change (status, priority, assignee) applied to many items in one
//! transaction: every item changes or none does. Each item carries the
//! `updated_at` the agent saw; an item changed since (or gone) refuses the whole
//! change with a 409 naming the items, so a bulk change never overwrites an edit
//! the agent has not seen. Rows are updated in ascending id order (the request is
//! sorted), so two bulk changes over the same items wait for each other instead
//! of deadlocking. Each changed item gets a history line naming the agent.

use orgdesk_core::api::tickets::{ItemStatus, Priority};
use orgdesk_core::tickets::BulkChange;
use orgdesk_core::word::Word;

use super::check_assignee;
use crate::db::{query, Db};
use crate::error::ApiError;
use crate::time_fmt::rfc3339;

/// Applies `change` as `agent` (id and name); returns the ids changed, ascending.
pub async fn bulk_update(db: &Db, change: &BulkChange, agent: (i64, &str), now: i64) -> Result<Vec<i64>, ApiError> {
    let mut tx = db.begin_write().await?;
    let assignee_name = match change.assignee_id {
        Some(Some(id)) => {
            check_assignee(&mut tx, id, "assignee_id").await?;
            query("SELECT name FROM agents WHERE id = $1").bind(id).optional_scalar::<String>(&mut tx).await?
        }
        _ => None,
    };
    let summary = format!("{} {}", agent.1, change.summary(assignee_name.as_deref()));
    let mut stale = Vec::new();
    for (id, seen) in &change.items {
        let current: Option<i64> =
            query("SELECT updated_at FROM items WHERE id = $1").bind(*id).optional_scalar(&mut tx).await?;
        let Some(current) = current.filter(|at| rfc3339(*at) == *seen) else {
            stale.push(*id);
            continue;
        };
        // Guarded by the version read: on PostgreSQL a concurrent change makes this match no row.
        let changed = query(
            "UPDATE items SET status = COALESCE($3, status), priority = COALESCE($4, priority), \
             assignee_id = CASE WHEN $5 THEN $6 ELSE assignee_id END, updated_at = $7 \
             WHERE id = $1 AND updated_at = $2",
        )
        .bind(*id)
        .bind(current)
        .bind(change.status.map(ItemStatus::as_str))
        .bind(change.priority.map(Priority::as_str))
        .bind(change.assignee_id.is_some())
        .bind(change.assignee_id.flatten())
        .bind(now.max(current + 1))
        .execute(&mut tx)
        .await?;
        if changed == 0 {
            stale.push(*id);
            continue;
        }
        query(
            "INSERT INTO item_history (item_id, rule_id, rule_name, agent_id, action, summary, created_at) \
             VALUES ($1, NULL, NULL, $2, 'bulk_change', $3, $4)",
        )
        .bind(*id)
        .bind(agent.0)
        .bind(&summary)
        .bind(now)
        .execute(&mut tx)
        .await?;
    }
    if !stale.is_empty() {
        let list: Vec<String> = stale.iter().map(|id| format!("#{id}")).collect();
        return Err(ApiError::conflict_on(
            "items",
            format!(
                "{} changed or disappeared since the list was loaded; nothing was changed. Reload and try again.",
                orgdesk_core::text::join_and(&list)
            ),
        ));
    }
    tx.commit().await?;
    Ok(change.items.iter().map(|(id, _)| *id).collect())
}
