//! The organization panel's head: everything it shows about one organization in a
//! few statements, and its in-place edits of the name, summary and parent.
//!
//! Every edit checks the version the agent saw and records what changed in the
//! history; a new parent is checked against the hierarchy rules of core.

use std::collections::BTreeMap;

use orgdesk_core::api::organization::{OrganizationDetail, OrganizationRef, ProjectRef, PropertyValue};
use orgdesk_core::contact::ContactEntry;
use orgdesk_core::hierarchy::check_parent;
use serde_json::{json, Value};

use super::hierarchy::{self, ancestors, hierarchy_error};
use super::history::{self, check_and_bump_version, not_found, Entry};
use super::{rename, renamed};
use crate::db::organizations::properties::DefinitionRow;
use crate::db::{decode_err, decode_word};
use crate::db::{query, Db};
use crate::error::{ApiError, ApiResult};
use crate::time_fmt::rfc3339;

#[derive(Debug, sqlx::FromRow)]
struct HeadRow {
    id: i64,
    name: String,
    version: i64,
    summary: String,
    parent_id: Option<i64>,
    parent_name: Option<String>,
    member_count: i64,
    manager_count: i64,
    created_at: i64,
    updated_at: i64,
}

/// One row of the small lists: domains (`d`), children (`c`), followed projects
/// (`p`) and item counts by status (`i`, the count in `n`).
#[derive(Debug, sqlx::FromRow)]
struct ListRow {
    kind: String,
    n: i64,
    name: String,
    flag: bool,
}

#[derive(sqlx::FromRow)]
struct PropertyRow {
    #[sqlx(flatten)]
    definition: DefinitionRow,
    value: Option<String>,
}

const HEAD: &str = "SELECT o.id, o.name, o.version, o.summary, o.parent_id, p.name AS parent_name, \
    (SELECT COUNT(*) FROM memberships m WHERE m.organization_id = o.id) AS member_count, \
    (SELECT COUNT(*) FROM memberships m WHERE m.organization_id = o.id AND m.role = 'manager') AS manager_count, \
    o.created_at, o.updated_at FROM organizations o LEFT JOIN organizations p ON p.id = o.parent_id WHERE o.id = $1 AND o.deleted_at IS NULL";

const LISTS: &str = "SELECT 'd' AS kind, CAST(0 AS BIGINT) AS n, d.domain AS name, FALSE AS flag, d.domain AS sort \
      FROM organization_domains d WHERE d.organization_id = $1 \
    UNION ALL SELECT 'c', c.id, c.name, FALSE, c.name_key FROM organizations c WHERE c.parent_id = $1 \
    UNION ALL SELECT 'p', p.id, p.name, p.archived, p.name_key FROM project_followers f \
      JOIN projects p ON p.id = f.project_id WHERE f.organization_id = $1 \
    UNION ALL SELECT 'i', n, status, FALSE, status FROM org_item_counts WHERE organization_id = $1 AND n > 0 \
    ORDER BY 1, 5, 2";

const CONTACTS: &str =
    "SELECT kind, label, value FROM organization_contacts WHERE organization_id = $1 ORDER BY position, id";

const PROPERTIES: &str = "SELECT d.id, d.label, d.kind, d.required, d.options, d.position, v.value \
    FROM organization_property_definitions d \
    LEFT JOIN organization_property_values v ON v.definition_id = d.id AND v.organization_id = $1 \
    ORDER BY d.position, d.id";

/// Everything the panel shows about organization `id`, or `None` when there is none.
pub async fn load_detail(db: &Db, id: i64) -> Result<Option<OrganizationDetail>, sqlx::Error> {
    let Some(head) = query(HEAD).bind(id).fetch_optional::<HeadRow>(db).await? else {
        return Ok(None);
    };
    let lists: Vec<ListRow> = query(LISTS).bind(id).fetch_all(db).await?;
    let contacts: Vec<(String, String, String)> = query(CONTACTS).bind(id).fetch_all(db).await?;
    let properties: Vec<PropertyRow> = query(PROPERTIES).bind(id).fetch_all(db).await?;
    let mut domains = Vec::new();
    let mut children = Vec::new();
    let mut projects = Vec::new();
    let mut item_counts = BTreeMap::new();
    for row in lists {
        match row.kind.as_str() {
            "d" => domains.push(row.name),
            "c" => children.push(OrganizationRef { id: row.n, name: row.name }),
            "p" => projects.push(ProjectRef { id: row.n, name: row.name, archived: row.flag }),
            _ => {
                item_counts.insert(row.name, row.n);
            }
        }
    }
    let contacts = contacts
        .into_iter()
        .map(|(kind, label, value)| Ok(ContactEntry { kind: decode_word(&kind)?, label, value }))
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let properties = properties
        .into_iter()
        .map(|r| {
            let value = match &r.value {
                Some(v) => serde_json::from_str(v).map_err(decode_err)?,
                None => Value::Null,
            };
            Ok(PropertyValue { definition: r.definition.into_api()?, value })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(Some(OrganizationDetail {
        id: head.id,
        name: head.name,
        domains,
        version: head.version,
        summary: head.summary,
        parent: head.parent_id.zip(head.parent_name).map(|(id, name)| OrganizationRef { id, name }),
        children,
        member_count: head.member_count,
        manager_count: head.manager_count,
        contacts,
        properties,
        item_counts,
        projects,
        created_at: rfc3339(head.created_at),
        updated_at: rfc3339(head.updated_at),
    }))
}

/// [`load_detail`], with 404 when the organization does not exist.
pub async fn detail_or_404(db: &Db, id: i64) -> ApiResult<OrganizationDetail> {
    load_detail(db, id).await?.ok_or_else(not_found)
}

/// The panel's edits of the organization itself (already validated).
#[derive(Debug, Default)]
pub struct DetailChanges {
    pub name: Option<String>,
    pub summary: Option<String>,
    pub parent: Option<Option<i64>>,
}

/// The `summary_changed` history entry.
fn summary_changed(org: i64, agent: Option<i64>, from: &str, to: &str) -> Entry {
    Entry {
        organization: org,
        agent,
        action: "summary_changed",
        summary: if to.is_empty() { "Summary cleared" } else { "Summary changed" }.to_string(),
        details: json!({ "from": from, "to": to }),
    }
}

/// Name, summary and parent, after the version check, with history entries (and, for
/// a new parent, on the old and new parents too, whose versions move on).
pub async fn update_detail(
    db: &Db,
    id: i64,
    version: i64,
    changes: &DetailChanges,
    agent: Option<i64>,
    now: i64,
) -> ApiResult<()> {
    let mut tx = db.begin_write().await?;
    check_and_bump_version(&mut tx, id, version, now).await?;
    let (old_name, old_summary, old_parent): (String, String, Option<i64>) =
        query("SELECT name, summary, parent_id FROM organizations WHERE id = $1 AND deleted_at IS NULL")
            .bind(id)
            .fetch_one(&mut tx)
            .await?;
    let mut name = old_name.clone();
    if let Some(new_name) = &changes.name {
        rename(&mut tx, id, new_name).await?;
        if *new_name != old_name {
            history::record(&mut tx, &renamed(id, agent, &old_name, new_name), now).await?;
            name = new_name.clone();
        }
    }
    if let Some(summary) = &changes.summary {
        if *summary != old_summary {
            query("UPDATE organizations SET summary = $1 WHERE id = $2")
                .bind(summary)
                .bind(id)
                .execute(&mut tx)
                .await?;
            history::record(&mut tx, &summary_changed(id, agent, &old_summary, summary), now).await?;
        }
    }
    if let Some(parent) = changes.parent {
        if parent != old_parent {
            let new_parent_name = match parent {
                Some(p) => {
                    let pname: Option<String> =
                        query("SELECT name FROM organizations WHERE id = $1 AND deleted_at IS NULL")
                            .bind(p)
                            .optional_scalar(&mut tx)
                            .await?;
                    let Some(pname) = pname else {
                        return Err(ApiError::invalid("parent_id", "There is no such organization."));
                    };
                    let chain = ancestors(&mut tx, p).await?;
                    check_parent(id, p, &pname, &chain).map_err(|e| hierarchy_error("parent_id", e))?;
                    Some(pname)
                }
                None => None,
            };
            query("UPDATE organizations SET parent_id = $1 WHERE id = $2")
                .bind(parent)
                .bind(id)
                .execute(&mut tx)
                .await?;
            if let Some(old) = old_parent {
                let old_name: String = query("SELECT name FROM organizations WHERE id = $1 AND deleted_at IS NULL")
                    .bind(old)
                    .scalar(&mut tx)
                    .await?;
                history::bump_version(&mut tx, old, now).await?;
                history::record(&mut tx, &hierarchy::child_removed(old, agent, id, &name), now).await?;
                if parent.is_none() {
                    history::record(&mut tx, &hierarchy::parent_removed(id, agent, old, &old_name), now).await?;
                }
            }
            if let (Some(p), Some(pname)) = (parent, new_parent_name) {
                history::bump_version(&mut tx, p, now).await?;
                history::record(&mut tx, &hierarchy::parent_set(id, agent, p, &pname, old_parent), now).await?;
                history::record(&mut tx, &hierarchy::child_added(p, agent, id, &name, None), now).await?;
            }
        }
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_change_says_whether_it_was_cleared() {
        let changed = summary_changed(1, Some(2), "", "Our biggest customer");
        assert_eq!(changed.summary, "Summary changed");
        assert_eq!(changed.details, json!({ "from": "", "to": "Our biggest customer" }));
        assert_eq!(summary_changed(1, None, "Old", "").summary, "Summary cleared");
    }
}
