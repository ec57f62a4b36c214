//! What the editor and the item panel read besides the rules: the dry run's input
//! (an organization's newest items as rule input), who outside an organization a
//! project is shared with, and an item's history.

use std::collections::BTreeSet;

use orgdesk_core::api::routing::{DryRunData, ItemFacts, ItemHistoryEntry, ProjectExposure, DRY_RUN_ITEMS};
use orgdesk_core::api::tickets::{ItemStatus, ItemType, Priority};
use orgdesk_core::hierarchy::MAX_DEPTH;
use orgdesk_core::word::Word;

use super::Conn;
use crate::db::projects::CUSTOMER_NAME;
use crate::db::{decode_word, query, Db};
use crate::error::ApiError;
use crate::time_fmt::rfc3339;

/// How much of a description the dry run gets.
pub const DRY_RUN_DESCRIPTION_CHARS: i64 = 2_000;
/// The newest history lines an item shows.
pub const MAX_HISTORY: i64 = 500;

#[derive(Debug, sqlx::FromRow)]
pub(crate) struct FactsRow {
    pub id: i64,
    item_type: String,
    title: String,
    description: String,
    priority: String,
    status: String,
    project_id: i64,
    project_name: String,
    assignee_id: Option<i64>,
    source: String,
    role: Option<String>,
    first_name: Option<String>,
    customer_name: Option<String>,
    organization_name: Option<String>,
}

impl FactsRow {
    pub(crate) fn into_facts(self) -> Result<ItemFacts, sqlx::Error> {
        let customer_name = self.customer_name.unwrap_or_default();
        let first = self.first_name.map(|f| f.trim().to_string()).filter(|f| !f.is_empty());
        Ok(ItemFacts {
            item_id: self.id,
            item_type: decode_word::<ItemType>(&self.item_type)?,
            title: self.title,
            description: self.description,
            priority: decode_word::<Priority>(&self.priority)?,
            status: decode_word::<ItemStatus>(&self.status)?,
            project_id: self.project_id,
            project_name: self.project_name,
            assignee_id: self.assignee_id,
            source: decode_word(&self.source)?,
            requester_is_manager: self.role.as_deref() == Some("manager"),
            customer_first_name: first.unwrap_or_else(|| customer_name.clone()),
            customer_name,
            organization_name: self.organization_name.unwrap_or_default(),
        })
    }
}

/// Items as rule input (`description` is the description's SQL): the requester's
/// role in the item's organization now, their names, the organization's name.
pub(crate) fn facts_sql(description: &str) -> String {
    format!(
        "SELECT i.id, i.item_type, i.title, {description} AS description, i.priority, i.status, i.project_id, \
         p.name AS project_name, i.assignee_id, i.source, m.role, c.first_name, {CUSTOMER_NAME} AS customer_name, \
         o.name AS organization_name \
         FROM items i JOIN projects p ON p.id = i.project_id \
         LEFT JOIN customers c ON c.id = i.requester_id \
         LEFT JOIN memberships m ON m.customer_id = i.requester_id AND m.organization_id = i.organization_id \
         LEFT JOIN organizations o ON o.id = i.organization_id"
    )
}

/// The organization's newest [`DRY_RUN_ITEMS`] items as rule input; `None` when there
/// is no such organization. One index range scan of `items_org_status` per status,
/// merged, so an organization with a million items costs what one with a hundred does.
pub async fn dry_run(db: &Db, org: i64) -> Result<Option<DryRunData>, sqlx::Error> {
    let exists: Option<i64> = query("SELECT id FROM organizations WHERE id = $1 AND deleted_at IS NULL")
        .bind(org)
        .optional_scalar(db)
        .await?;
    if exists.is_none() {
        return Ok(None);
    }
    let mut ids: BTreeSet<i64> = BTreeSet::new();
    for status in ItemStatus::ALL {
        let found: Vec<i64> =
            query("SELECT id FROM items WHERE organization_id = $1 AND status = $2 ORDER BY id DESC LIMIT $3")
                .bind(org)
                .bind(status.as_str())
                .bind(DRY_RUN_ITEMS as i64)
                .scalars(db)
                .await?;
        ids.extend(found);
    }
    let newest: Vec<i64> = ids.into_iter().rev().take(DRY_RUN_ITEMS).collect();
    if newest.is_empty() {
        return Ok(Some(DryRunData { items: Vec::new() }));
    }
    let mut q = query(facts_sql(&format!("SUBSTR(i.description, 1, {DRY_RUN_DESCRIPTION_CHARS})")));
    q.push(" WHERE i.id IN (").push_list(&newest).push(") ORDER BY i.id DESC");
    let rows: Vec<FactsRow> = q.fetch_all(db).await?;
    let items = rows.into_iter().map(FactsRow::into_facts).collect::<Result<_, _>>()?;
    Ok(Some(DryRunData { items }))
}

/// `$2` and its descendants, at most `$3` levels down.
const SUBTREE: &str = "WITH RECURSIVE down(id, depth) AS ( \
      SELECT CAST($2 AS BIGINT), CAST(0 AS BIGINT) \
      UNION ALL SELECT o.id, down.depth + 1 FROM organizations o JOIN down ON o.parent_id = down.id \
      WHERE down.depth < $3) ";

/// Who outside organization `org` (and its subtree) follows project `project`:
/// customers who are not members of the subtree, and other organizations.
/// `Ok(None)` when there is no such organization; a 422 on `project_id` when there
/// is no such project.
pub async fn exposure(db: &Db, org: i64, project: i64) -> Result<Option<ProjectExposure>, ApiError> {
    let exists: Option<i64> = query("SELECT id FROM organizations WHERE id = $1 AND deleted_at IS NULL")
        .bind(org)
        .optional_scalar(db)
        .await?;
    if exists.is_none() {
        return Ok(None);
    }
    let found: Option<i64> = query("SELECT id FROM projects WHERE id = $1").bind(project).optional_scalar(db).await?;
    if found.is_none() {
        return Err(ApiError::invalid("project_id", "No such project."));
    }
    let outside_customers: i64 = query(format!(
        "{SUBTREE}SELECT COUNT(*) FROM project_followers pf WHERE pf.project_id = $1 AND pf.customer_id IS NOT NULL \
         AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.customer_id = pf.customer_id \
         AND m.organization_id IN (SELECT id FROM down))"
    ))
    .bind(project)
    .bind(org)
    .bind(MAX_DEPTH as i64)
    .scalar(db)
    .await?;
    let outside_organization_count: i64 = query(format!(
        "{SUBTREE}SELECT COUNT(*) FROM project_followers pf WHERE pf.project_id = $1 \
         AND pf.organization_id IS NOT NULL AND pf.organization_id NOT IN (SELECT id FROM down)"
    ))
    .bind(project)
    .bind(org)
    .bind(MAX_DEPTH as i64)
    .scalar(db)
    .await?;
    let outside_organizations: Vec<String> = if outside_organization_count == 0 {
        Vec::new()
    } else {
        query(format!(
            "{SUBTREE}SELECT o.name FROM project_followers pf JOIN organizations o ON o.id = pf.organization_id \
             WHERE pf.project_id = $1 AND o.deleted_at IS NULL AND pf.organization_id NOT IN (SELECT id FROM down) \
             ORDER BY o.name_key, o.id LIMIT 10"
        ))
        .bind(project)
        .bind(org)
        .bind(MAX_DEPTH as i64)
        .scalars(db)
        .await?
    };
    Ok(Some(ProjectExposure {
        project_id: project,
        outside_customers,
        outside_organizations,
        outside_organization_count,
    }))
}

#[derive(sqlx::FromRow)]
struct HistoryRow {
    id: i64,
    rule_id: Option<i64>,
    rule_name: Option<String>,
    summary: String,
    created_at: i64,
}

/// The item's history, oldest first (its newest [`MAX_HISTORY`] lines); `None` when
/// there is no such item.
pub async fn item_history(db: &Db, item: i64) -> Result<Option<Vec<ItemHistoryEntry>>, sqlx::Error> {
    let mut c = db;
    let exists: Option<i64> = query("SELECT id FROM items WHERE id = $1").bind(item).optional_scalar(c.on()).await?;
    if exists.is_none() {
        return Ok(None);
    }
    let mut rows: Vec<HistoryRow> = query(
        "SELECT id, rule_id, rule_name, summary, created_at FROM item_history WHERE item_id = $1 \
         ORDER BY id DESC LIMIT $2",
    )
    .bind(item)
    .bind(MAX_HISTORY)
    .fetch_all(c.on())
    .await?;
    rows.reverse();
    Ok(Some(
        rows.into_iter()
            .map(|r| ItemHistoryEntry {
                id: r.id,
                rule_id: r.rule_id,
                rule_name: r.rule_name,
                summary: r.summary,
                created_at: rfc3339(r.created_at),
            })
            .collect(),
    ))
}
