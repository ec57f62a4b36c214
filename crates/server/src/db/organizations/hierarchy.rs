//! Parents and children: the picker's candidates (each with why it cannot be
//! chosen, if it cannot), linking and unlinking a child, and the history entries
//! a change of parent leaves on every organization it touches.
//!
//! The rules (no organization its own ancestor, at most `MAX_DEPTH` levels) are
//! core's `hierarchy`; this module fetches the ancestor chains they need.

use std::collections::HashMap;

use orgdesk_core::api::organization::{ParentCandidate, Relation};
use orgdesk_core::hierarchy::{check_child, check_parent, HierarchyError, MAX_DEPTH};
use serde_json::json;

use super::history::{self, check_and_bump_version, not_found, Entry};
use crate::db::{prefix_range, query, Db, Tx};
use crate::error::{ApiError, ApiResult};

/// How many organizations the hierarchy picker lists.
pub const RELATIVES_LIST: i64 = 50;

/// `$1`'s ancestors, nearest first, up to `$2 + 1` levels (so a corrupt loop ends).
pub(crate) const ANCESTORS: &str = "WITH RECURSIVE up(id, depth) AS ( \
      SELECT parent_id, CAST(1 AS BIGINT) FROM organizations WHERE id = $1 AND parent_id IS NOT NULL \
      UNION ALL SELECT o.parent_id, up.depth + 1 FROM up JOIN organizations o ON o.id = up.id \
      WHERE o.parent_id IS NOT NULL AND up.depth <= $2) \
    SELECT id FROM up ORDER BY depth";

/// The ancestors of organization `org` (nearest first), at most `MAX_DEPTH + 1` of
/// them, from one recursive query in the caller's transaction.
pub(crate) async fn ancestors(tx: &mut Tx, org: i64) -> Result<Vec<i64>, sqlx::Error> {
    query(ANCESTORS).bind(org).bind(MAX_DEPTH as i64).scalars(tx).await
}

/// A refused parent or child, as a 422 on `field` with core's reason.
pub(crate) fn hierarchy_error(field: &str, e: HierarchyError) -> ApiError {
    ApiError::invalid(field, e.to_string())
}

/// `child_added` on `parent`; `created` says whether the child was created for it
/// (recorded only when the child was linked from the parent's panel).
pub(crate) fn child_added(parent: i64, agent: Option<i64>, child: i64, name: &str, created: Option<bool>) -> Entry {
    let mut details = json!({ "child_id": child, "child_name": name });
    if let Some(created) = created {
        details["created"] = json!(created);
    }
    Entry {
        organization: parent,
        agent,
        action: "child_added",
        summary: if created == Some(true) {
            format!("Created and added child {name}")
        } else {
            format!("Added child {name}")
        },
        details,
    }
}

/// `child_removed` on `parent`.
pub(crate) fn child_removed(parent: i64, agent: Option<i64>, child: i64, name: &str) -> Entry {
    Entry {
        organization: parent,
        agent,
        action: "child_removed",
        summary: format!("{name} is no longer a child"),
        details: json!({ "child_id": child, "child_name": name }),
    }
}

/// `parent_set` on `child`, with the parent it had before.
pub(crate) fn parent_set(child: i64, agent: Option<i64>, parent: i64, name: &str, previous: Option<i64>) -> Entry {
    Entry {
        organization: child,
        agent,
        action: "parent_set",
        summary: format!("Parent set to {name}"),
        details: json!({ "parent_id": parent, "parent_name": name, "previous_parent_id": previous }),
    }
}

/// `parent_removed` on `child`.
pub(crate) fn parent_removed(child: i64, agent: Option<i64>, parent: i64, name: &str) -> Entry {
    Entry {
        organization: child,
        agent,
        action: "parent_removed",
        summary: format!("Parent {name} removed"),
        details: json!({ "parent_id": parent, "parent_name": name }),
    }
}

/// Organizations whose name starts with `q` (or the first ones by name), each with
/// why it cannot fill `relation` for organization `id`, if it cannot.
pub async fn relatives(db: &Db, id: i64, relation: Relation, q: Option<&str>) -> ApiResult<Vec<ParentCandidate>> {
    let (from, to) = prefix_range(q.unwrap_or(""));
    // Candidates and the organization itself, each with its ancestors: one recursive query.
    let chains_sql = "WITH RECURSIVE cand(id) AS (SELECT id FROM (SELECT id FROM organizations \
          WHERE name_key >= $1 AND name_key < $2 AND deleted_at IS NULL ORDER BY name_key, id LIMIT $5) page UNION SELECT $3), \
        up(start, id, depth) AS ( \
          SELECT id, parent_id, CAST(1 AS BIGINT) FROM organizations WHERE id IN (SELECT id FROM cand) AND parent_id IS NOT NULL \
          UNION ALL SELECT up.start, o.parent_id, up.depth + 1 FROM up JOIN organizations o ON o.id = up.id \
          WHERE o.parent_id IS NOT NULL AND up.depth <= $4) \
        SELECT start, id FROM up ORDER BY start, depth";
    let page_sql =
        "SELECT id, name, parent_id FROM organizations WHERE name_key >= $1 AND name_key < $2 AND deleted_at IS NULL \
        ORDER BY name_key, id LIMIT $3";
    let me: Option<String> = query("SELECT name FROM organizations WHERE id = $1 AND deleted_at IS NULL")
        .bind(id)
        .optional_scalar(db)
        .await?;
    let page: Vec<(i64, String, Option<i64>)> =
        query(page_sql).bind(&from).bind(&to).bind(RELATIVES_LIST).fetch_all(db).await?;
    let chains: Vec<(i64, i64)> = query(chains_sql)
        .bind(&from)
        .bind(&to)
        .bind(id)
        .bind(MAX_DEPTH as i64)
        .bind(RELATIVES_LIST)
        .fetch_all(db)
        .await?;
    let Some(me) = me else { return Err(not_found()) };
    let mut ancestors: HashMap<i64, Vec<i64>> = HashMap::new();
    for (start, a) in chains {
        ancestors.entry(start).or_default().push(a);
    }
    let none = Vec::new();
    let my_chain = ancestors.get(&id).unwrap_or(&none);
    Ok(page
        .into_iter()
        .map(|(cid, name, parent)| {
            let reason = match relation {
                Relation::Parent => {
                    check_parent(id, cid, &name, ancestors.get(&cid).unwrap_or(&none)).err().map(|e| e.to_string())
                }
                Relation::Child if parent == Some(id) => {
                    Some(format!("{name} is already a child of this organization."))
                }
                Relation::Child => check_child(id, &me, my_chain, cid).err().map(|e| e.to_string()),
            };
            ParentCandidate { id: cid, name, disabled_reason: reason }
        })
        .collect())
}

/// The child an [`add_child`] links: an existing organization or a new one by name.
#[derive(Debug)]
pub enum NewChild {
    Existing(i64),
    Create(String),
}

/// Links a child below organization `id` (checks and bumps `id`'s version).
pub async fn add_child(
    db: &Db,
    id: i64,
    version: i64,
    child: &NewChild,
    agent: Option<i64>,
    now: i64,
) -> ApiResult<()> {
    let mut tx = db.begin_write().await?;
    check_and_bump_version(&mut tx, id, version, now).await?;
    let me: String =
        query("SELECT name FROM organizations WHERE id = $1 AND deleted_at IS NULL").bind(id).scalar(&mut tx).await?;
    let (child_id, created) = match child {
        NewChild::Existing(c) => (*c, false),
        NewChild::Create(name) => {
            // A taken name is a conflict on the field that named it.
            let how = format!(" as a sub-organization of {me}");
            let creation = super::Creation { agent, how: &how, say_domains: true };
            let c = super::insert(&mut tx, name, &[], now, creation).await.map_err(|e| match e {
                ApiError::Conflict { message, .. } => ApiError::conflict_on("create_name", message),
                other => other,
            })?;
            (c, true)
        }
    };
    let current: Option<(String, Option<i64>)> =
        query("SELECT name, parent_id FROM organizations WHERE id = $1 AND deleted_at IS NULL")
            .bind(child_id)
            .fetch_optional(&mut tx)
            .await?;
    let Some((child_name, old_parent)) = current else {
        return Err(ApiError::invalid("child_id", "There is no such organization."));
    };
    if old_parent == Some(id) {
        return Err(ApiError::invalid("child_id", format!("{child_name} is already a child of this organization.")));
    }
    let chain = ancestors(&mut tx, id).await?;
    check_child(id, &me, &chain, child_id).map_err(|e| hierarchy_error("child_id", e))?;
    query("UPDATE organizations SET parent_id = $1 WHERE id = $2").bind(id).bind(child_id).execute(&mut tx).await?;
    history::bump_version(&mut tx, child_id, now).await?;
    history::record(&mut tx, &child_added(id, agent, child_id, &child_name, Some(created)), now).await?;
    history::record(&mut tx, &parent_set(child_id, agent, id, &me, old_parent), now).await?;
    if let Some(old) = old_parent {
        history::bump_version(&mut tx, old, now).await?;
        history::record(&mut tx, &child_removed(old, agent, child_id, &child_name), now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Unlinks child `child` from organization `id`; deletes nothing.
pub async fn remove_child(db: &Db, id: i64, child: i64, version: i64, agent: Option<i64>, now: i64) -> ApiResult<()> {
    let mut tx = db.begin_write().await?;
    check_and_bump_version(&mut tx, id, version, now).await?;
    let me: String =
        query("SELECT name FROM organizations WHERE id = $1 AND deleted_at IS NULL").bind(id).scalar(&mut tx).await?;
    let name: Option<String> = query("SELECT name FROM organizations WHERE id = $1 AND parent_id = $2")
        .bind(child)
        .bind(id)
        .optional_scalar(&mut tx)
        .await?;
    let Some(name) = name else {
        return Err(ApiError::NotFound("That organization is not a child of this organization.".into()));
    };
    query("UPDATE organizations SET parent_id = NULL WHERE id = $1").bind(child).execute(&mut tx).await?;
    history::bump_version(&mut tx, child, now).await?;
    history::record(&mut tx, &child_removed(id, agent, child, &name), now).await?;
    history::record(&mut tx, &parent_removed(child, agent, id, &me), now).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_child_linked_from_the_panel_says_whether_it_was_created() {
        let created = child_added(1, Some(7), 2, "Acme EU", Some(true));
        assert_eq!(created.summary, "Created and added child Acme EU");
        assert_eq!(created.details, json!({ "child_id": 2, "child_name": "Acme EU", "created": true }));
        assert_eq!(child_added(1, None, 2, "Acme EU", Some(false)).summary, "Added child Acme EU");
    }

    #[test]
    fn a_child_gained_through_its_own_parent_edit_records_no_created_flag() {
        let entry = child_added(1, None, 2, "Acme EU", None);
        assert_eq!(entry.summary, "Added child Acme EU");
        assert_eq!(entry.details, json!({ "child_id": 2, "child_name": "Acme EU" }));
    }

    #[test]
    fn each_side_of_a_link_names_the_other() {
        let set = parent_set(2, None, 1, "Acme", Some(3));
        assert_eq!((set.organization, set.summary.as_str()), (2, "Parent set to Acme"));
        assert_eq!(set.details["previous_parent_id"], 3);
        let removed = parent_removed(2, None, 1, "Acme");
        assert_eq!((removed.organization, removed.summary.as_str()), (2, "Parent Acme removed"));
        let child = child_removed(1, None, 2, "Acme EU");
        assert_eq!((child.organization, child.summary.as_str()), (1, "Acme EU is no longer a child"));
        assert_eq!(child.details, json!({ "child_id": 2, "child_name": "Acme EU" }));
    }
}
