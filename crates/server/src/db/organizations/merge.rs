//! Merging one organization into another: the preview (both side by side, the
//! conflicting fields, what moves, who gains sight of what) and the merge itself,
//! one transaction that re-points every row of the merged organization to the
//! survivor, applies the chosen fields, deletes the merged organization and leaves
//! a redirect from its id (see `orgdesk_core::api::merge`).
//!
//! Every statement works on whole sets (`UPDATE ... WHERE organization_id = $1`,
//! `INSERT ... SELECT`), through the indexes on `organization_id`, so a merge of
//! organizations of 10,000 members is a few dozen statements. The counters the
//! Customers and Tickets apps read (member and item counts, search and work
//! versions, the organization count, the search index) are kept by the triggers of
//! migrations 0003-0013 on the rows these statements change.

use std::collections::{BTreeMap, BTreeSet};

use orgdesk_core::api::audit::{AuditAction, AuditTarget};
use orgdesk_core::api::merge::{
    AccessGain, MergeAccess, MergeConflict, MergeOutcome, MergePreview, MergeSide, MERGE_LISTED,
};
use orgdesk_core::api::organization::{OrganizationRef, ProjectRef, PropertyValue};
use orgdesk_core::contact::ContactEntry;
use orgdesk_core::hierarchy::check_parent;
use orgdesk_core::portal::OrgItemAccess;
use serde_json::{json, Value};

use super::hierarchy::{ancestors, hierarchy_error};
use super::history::{self, check_and_bump_version, not_found, Entry};
use crate::db::audit::{self, Actor};
use crate::db::items::OPEN_STATUSES;
use crate::db::organizations::properties::DefinitionRow;
use crate::db::projects::CUSTOMER_NAME;
use crate::db::tx::Exec;
use crate::db::{access, decode_err, decode_word, query, Db, Tx};
use crate::error::{ApiError, ApiResult};

/// Where the loading statements run: the pool (a preview) or the merge's transaction.
enum On<'a> {
    Db(&'a Db),
    Tx(&'a mut Tx),
}

impl On<'_> {
    fn ex(&mut self) -> Exec<'_> {
        match self {
            On::Db(db) => Exec::from(*db),
            On::Tx(tx) => Exec::from(&mut **tx),
        }
    }
}

#[derive(sqlx::FromRow)]
struct HeadRow {
    id: i64,
    name: String,
    version: i64,
    summary: String,
    parent_id: Option<i64>,
    parent_name: Option<String>,
    portal_visibility: Option<String>,
    members: i64,
    manager_count: i64,
    open_items: i64,
    all_items: i64,
    notes: i64,
    files: i64,
    history_entries: i64,
    conversations: i64,
    children: i64,
    routing_rule_count: i64,
    project_count: i64,
    usergroup_count: i64,
}

const HEAD: &str = "SELECT o.id, o.name, o.version, o.summary, o.parent_id, p.name AS parent_name, o.portal_visibility, \
    (SELECT COUNT(*) FROM memberships m WHERE m.organization_id = o.id) AS members, \
    (SELECT COUNT(*) FROM memberships m WHERE m.organization_id = o.id AND m.role = 'manager') AS manager_count, \
    CAST((SELECT COALESCE(SUM(n), 0) FROM org_item_counts c WHERE c.organization_id = o.id AND c.status IN ('new', 'open', 'waiting')) AS BIGINT) AS open_items, \
    CAST((SELECT COALESCE(SUM(n), 0) FROM org_item_counts c WHERE c.organization_id = o.id) AS BIGINT) AS all_items, \
    (SELECT COUNT(*) FROM organization_notes x WHERE x.organization_id = o.id) AS notes, \
    (SELECT COUNT(*) FROM organization_files x WHERE x.organization_id = o.id) AS files, \
    (SELECT COUNT(*) FROM organization_history x WHERE x.organization_id = o.id) AS history_entries, \
    (SELECT COUNT(*) FROM conversations x WHERE x.organization_id = o.id) AS conversations, \
    (SELECT COUNT(*) FROM organizations x WHERE x.parent_id = o.id) AS children, \
    (SELECT COUNT(*) FROM routing_rules x WHERE x.organization_id = o.id) AS routing_rule_count, \
    (SELECT COUNT(*) FROM project_followers x WHERE x.organization_id = o.id) AS project_count, \
    (SELECT COUNT(*) FROM usergroup_organizations x WHERE x.organization_id = o.id) AS usergroup_count \
    FROM organizations o LEFT JOIN organizations p ON p.id = o.parent_id WHERE o.id = $1 AND o.deleted_at IS NULL";

#[derive(sqlx::FromRow)]
struct PropertyRow {
    #[sqlx(flatten)]
    definition: DefinitionRow,
    value: String,
}

/// One organization as the preview shows it, or `None` when there is none.
async fn load_side(on: &mut On<'_>, id: i64) -> Result<Option<MergeSide>, sqlx::Error> {
    let Some(h) = query(HEAD).bind(id).fetch_optional::<HeadRow>(on.ex()).await? else {
        return Ok(None);
    };
    let domains: Vec<String> =
        query("SELECT domain FROM organization_domains WHERE organization_id = $1 ORDER BY domain")
            .bind(id)
            .scalars(on.ex())
            .await?;
    let contacts: Vec<(String, String, String)> =
        query("SELECT kind, label, value FROM organization_contacts WHERE organization_id = $1 ORDER BY position, id")
            .bind(id)
            .fetch_all(on.ex())
            .await?;
    let properties: Vec<PropertyRow> = query(
        "SELECT d.id, d.label, d.kind, d.required, d.options, d.position, v.value \
         FROM organization_property_values v JOIN organization_property_definitions d ON d.id = v.definition_id \
         WHERE v.organization_id = $1 ORDER BY d.position, d.id",
    )
    .bind(id)
    .fetch_all(on.ex())
    .await?;
    let managers: Vec<String> = query(format!(
        "SELECT {CUSTOMER_NAME} FROM memberships m JOIN customers c ON c.id = m.customer_id \
         WHERE m.organization_id = $1 AND m.role = 'manager' ORDER BY c.sort_name, c.id LIMIT $2"
    ))
    .bind(id)
    .bind(MERGE_LISTED as i64)
    .scalars(on.ex())
    .await?;
    let routing_rules: Vec<String> =
        query("SELECT name FROM routing_rules WHERE organization_id = $1 ORDER BY position, id LIMIT $2")
            .bind(id)
            .bind(MERGE_LISTED as i64)
            .scalars(on.ex())
            .await?;
    let projects: Vec<(i64, String, bool)> = query(
        "SELECT p.id, p.name, p.archived FROM project_followers f JOIN projects p ON p.id = f.project_id \
         WHERE f.organization_id = $1 ORDER BY p.name_key, p.id LIMIT $2",
    )
    .bind(id)
    .bind(MERGE_LISTED as i64)
    .fetch_all(on.ex())
    .await?;
    let usergroups: Vec<String> = query(
        "SELECT g.name FROM usergroup_organizations x JOIN usergroups g ON g.id = x.usergroup_id \
         WHERE x.organization_id = $1 ORDER BY g.name_key, g.id LIMIT $2",
    )
    .bind(id)
    .bind(MERGE_LISTED as i64)
    .scalars(on.ex())
    .await?;
    let contacts = contacts
        .into_iter()
        .map(|(kind, label, value)| Ok(ContactEntry { kind: decode_word(&kind)?, label, value }))
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let properties = properties
        .into_iter()
        .map(|r| {
            let value: Value = serde_json::from_str(&r.value).map_err(decode_err)?;
            Ok(PropertyValue { definition: r.definition.into_api()?, value })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(Some(MergeSide {
        id: h.id,
        name: h.name,
        version: h.version,
        summary: h.summary,
        domains,
        contacts,
        parent: h.parent_id.zip(h.parent_name).map(|(id, name)| OrganizationRef { id, name }),
        properties,
        managers,
        manager_count: h.manager_count,
        routing_rules,
        routing_rule_count: h.routing_rule_count,
        projects: projects.into_iter().map(|(id, name, archived)| ProjectRef { id, name, archived }).collect(),
        project_count: h.project_count,
        usergroups,
        usergroup_count: h.usergroup_count,
        members: h.members,
        open_items: h.open_items,
        closed_items: h.all_items - h.open_items,
        notes: h.notes,
        files: h.files,
        history_entries: h.history_entries,
        conversations: h.conversations,
        children: h.children,
        portal_visibility: h.portal_visibility.as_deref().map(decode_word::<OrgItemAccess>).transpose()?,
    }))
}

/// A property value as people read it.
fn shown(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Bool(true) => "Yes".into(),
        Value::Bool(false) => "No".into(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(shown).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

/// The conflicting fields: filled on both sides, differently. `parent_refusal` says
/// why the merged organization's parent cannot become the survivor's, if it cannot.
pub fn conflicts(merged: &MergeSide, survivor: &MergeSide, parent_refusal: Option<String>) -> Vec<MergeConflict> {
    let mut out = Vec::new();
    let mut push = |key: String, label: &str, survivor: &str, merged: &str, refusal: Option<String>| {
        out.push(MergeConflict {
            key,
            label: label.to_string(),
            survivor: survivor.to_string(),
            merged: merged.to_string(),
            merged_disabled_reason: refusal,
        })
    };
    // Both names are filled; the merged one is free once the merged organization is gone.
    if merged.name != survivor.name {
        push("name".into(), "Name", &survivor.name, &merged.name, None);
    }
    if !merged.summary.is_empty() && !survivor.summary.is_empty() && merged.summary != survivor.summary {
        push("summary".into(), "Summary", &survivor.summary, &merged.summary, None);
    }
    if let (Some(mp), Some(sp)) = (&merged.parent, &survivor.parent) {
        if mp.id != sp.id {
            push("parent".into(), "Parent", &sp.name, &mp.name, parent_refusal);
        }
    }
    let theirs: BTreeMap<i64, &PropertyValue> = survivor.properties.iter().map(|p| (p.definition.id, p)).collect();
    for p in &merged.properties {
        if let Some(s) = theirs.get(&p.definition.id) {
            if s.value != p.value {
                let key = format!("property:{}", p.definition.id);
                push(key, &p.definition.label, &shown(&s.value), &shown(&p.value), None);
            }
        }
    }
    out
}

/// Why `merged` cannot be merged into `survivor`: the survivor is the merged
/// organization itself or inside it (its children would come under their own descendant).
fn refusal(merged: &MergeSide, survivor: &MergeSide, survivor_ancestors: &[i64]) -> Option<String> {
    if merged.id == survivor.id {
        return Some("An organization cannot be merged into itself.".into());
    }
    survivor_ancestors.contains(&merged.id).then(|| {
        format!(
            "{} is inside {} (a sub-organization of it), so {} cannot be merged into it: its sub-organizations \
             would come under their own sub-organization. Merge {} into {} instead.",
            survivor.name, merged.name, merged.name, survivor.name, merged.name
        )
    })
}

/// Why the merged organization's parent cannot become the survivor's, if it cannot.
async fn parent_refusal(on: &mut On<'_>, merged: &MergeSide, survivor: &MergeSide) -> ApiResult<Option<String>> {
    let Some(parent) = &merged.parent else { return Ok(None) };
    let chain: Vec<i64> = query(super::hierarchy::ANCESTORS)
        .bind(parent.id)
        .bind(orgdesk_core::hierarchy::MAX_DEPTH as i64)
        .scalars(on.ex())
        .await?;
    Ok(check_parent(survivor.id, parent.id, &parent.name, &chain).err().map(|e| e.to_string()))
}

/// Members of `from` who would gain sight of organization `other`'s items after the
/// merge, and how many items: counts, under the survivor's effective visibility.
async fn gain(
    db: &Db,
    from: i64,
    other: i64,
    visibility: OrgItemAccess,
    project_items: bool,
) -> Result<AccessGain, sqlx::Error> {
    // Items of the projects `other`'s members see through it and `from`'s do not:
    // projects shared with the organization (when the portal shows project items) and
    // those of the usergroups it is linked to (always).
    let granted = |org: &str| {
        let groups = format!(
            "SELECT up.project_id FROM usergroup_organizations uo JOIN usergroup_projects up \
             ON up.usergroup_id = uo.usergroup_id WHERE uo.organization_id = {org}"
        );
        if project_items {
            format!("SELECT project_id FROM project_followers WHERE organization_id = {org} UNION {groups}")
        } else {
            groups
        }
    };
    let extra_items = format!(
        "SELECT id FROM items WHERE project_id IN ({}) AND project_id NOT IN ({})",
        granted("$2"),
        granted("$1")
    );
    let org_items: i64 =
        query("SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM org_item_counts WHERE organization_id = $1")
            .bind(other)
            .scalar(db)
            .await?;
    let shared_items: i64 =
        query(format!("SELECT COUNT(*) FROM ({extra_items}) shared")).bind(from).bind(other).scalar(db).await?;
    let role = if visibility >= OrgItemAccess::Read { "" } else { " AND m.role = 'manager'" };
    let verified = "FROM memberships m JOIN customers c ON c.id = m.customer_id \
        WHERE m.organization_id = $1 AND c.email_verified_at IS NOT NULL";
    let org_viewers: i64 =
        if org_items > 0 { query(format!("SELECT COUNT(*) {verified}{role}")).bind(from).scalar(db).await? } else { 0 };
    let share_viewers: i64 =
        if shared_items > 0 { query(format!("SELECT COUNT(*) {verified}")).bind(from).scalar(db).await? } else { 0 };
    // Whoever sees through shared projects or linked usergroups is verified, as every
    // organization viewer is.
    let customers = share_viewers.max(org_viewers);
    let items = match (org_viewers > 0, share_viewers > 0) {
        (true, true) => {
            query(format!(
                "SELECT COUNT(*) FROM (SELECT id FROM items WHERE organization_id = $2 UNION {extra_items}) seen"
            ))
            .bind(from)
            .bind(other)
            .scalar(db)
            .await?
        }
        (true, false) => org_items,
        (false, true) => shared_items,
        (false, false) => 0,
    };
    Ok(AccessGain { customers, items })
}

/// The preview of merging `id` into `target` (nothing changes); 404 when either is gone.
pub async fn preview(db: &Db, id: i64, target: i64) -> ApiResult<MergePreview> {
    let mut on = On::Db(db);
    let merged = load_side(&mut on, id).await?.ok_or_else(not_found)?;
    let survivor = load_side(&mut on, target)
        .await?
        .ok_or_else(|| ApiError::invalid("target_id", "There is no such organization."))?;
    let chain: Vec<i64> = query(super::hierarchy::ANCESTORS)
        .bind(target)
        .bind(orgdesk_core::hierarchy::MAX_DEPTH as i64)
        .scalars(db)
        .await?;
    let refused = refusal(&merged, &survivor, &chain);
    let parent_refused = parent_refusal(&mut on, &merged, &survivor).await?;
    let policy = access::policy(db).await?;
    let visibility = OrgItemAccess::effective(policy.organization_items, survivor.portal_visibility);
    let access = MergeAccess {
        visibility,
        merged_members: gain(db, id, target, visibility, policy.project_items).await?,
        survivor_members: gain(db, target, id, visibility, policy.project_items).await?,
    };
    let conflicts = conflicts(&merged, &survivor, parent_refused);
    Ok(MergePreview { merged, survivor, conflicts, access, refused })
}

/// Test hook: in debug builds only, merging an organization with this name fails
/// after every row was moved (a unique-constraint violation), to prove that nothing
/// of it stays. Release builds never do this.
pub const FAULT_AT_END: &str = "Merge fault at end";

fn fault_at_end(name: &str) -> bool {
    cfg!(debug_assertions) && name == FAULT_AT_END
}

/// The merge: one transaction (see the module's comment). `take_merged` names the
/// conflicts whose merged value wins; 409 when either version moved on.
pub async fn merge(
    db: &Db,
    id: i64,
    target: i64,
    versions: (i64, i64),
    take_merged: &BTreeSet<String>,
    actor: &Actor,
    now: i64,
) -> ApiResult<MergeOutcome> {
    if id == target {
        return Err(ApiError::invalid("target_id", "An organization cannot be merged into itself."));
    }
    let mut tx = db.begin_write().await?;
    let exists: Option<i64> = query("SELECT id FROM organizations WHERE id = $1 AND deleted_at IS NULL")
        .bind(target)
        .optional_scalar(&mut tx)
        .await?;
    if exists.is_none() {
        return Err(ApiError::NotFound("The organization to merge into no longer exists.".into()));
    }
    check_and_bump_version(&mut tx, id, versions.0, now).await?;
    check_and_bump_version(&mut tx, target, versions.1, now).await?;
    let mut on = On::Tx(&mut tx);
    let merged = load_side(&mut on, id).await?.ok_or_else(not_found)?;
    let survivor = load_side(&mut on, target).await?.ok_or_else(not_found)?;
    let parent_refused = parent_refusal(&mut on, &merged, &survivor).await?;
    let chain = ancestors(&mut tx, target).await?;
    if let Some(reason) = refusal(&merged, &survivor, &chain) {
        return Err(ApiError::invalid("target_id", reason));
    }
    let conflicts = conflicts(&merged, &survivor, parent_refused.clone());
    let known: BTreeSet<&str> = conflicts.iter().map(|c| c.key.as_str()).collect();
    if let Some(unknown) = take_merged.iter().find(|k| !known.contains(k.as_str())) {
        return Err(ApiError::invalid(
            "take_merged",
            format!("{unknown} is not a conflicting field of these two organizations. Reload the preview."),
        ));
    }
    if let Some(c) = conflicts.iter().find(|c| take_merged.contains(&c.key) && c.merged_disabled_reason.is_some()) {
        return Err(ApiError::invalid("take_merged", c.merged_disabled_reason.clone().unwrap_or_default()));
    }
    let agent = actor.id;

    // Members (a customer belongs to one organization, so nobody is in both), with
    // an entry in each moved customer's history; their roles and positions stay.
    let moved_summary = format!("Moved from {} to {} by merging the organizations", merged.name, survivor.name);
    let moved_details = json!({
        "from_organization_id": id, "from_organization_name": merged.name,
        "to_organization_id": target, "to_organization_name": survivor.name, "via": "merge",
    });
    query(
        "INSERT INTO customer_history (customer_id, agent_id, action, summary, details, created_at) \
         SELECT customer_id, $1, 'organization_changed', $2, $3, $4 FROM memberships WHERE organization_id = $5",
    )
    .bind(agent)
    .bind(moved_summary.as_str())
    .bind(moved_details.to_string())
    .bind(now)
    .bind(id)
    .execute(&mut tx)
    .await?;
    let members = query("UPDATE memberships SET organization_id = $1 WHERE organization_id = $2")
        .bind(target)
        .bind(id)
        .execute(&mut tx)
        .await? as i64;
    // Items, open and closed.
    let open_items = query(format!(
        "UPDATE items SET organization_id = $1 WHERE organization_id = $2 AND status IN {OPEN_STATUSES}"
    ))
    .bind(target)
    .bind(id)
    .execute(&mut tx)
    .await? as i64;
    let closed_items = query("UPDATE items SET organization_id = $1 WHERE organization_id = $2")
        .bind(target)
        .bind(id)
        .execute(&mut tx)
        .await? as i64;
    // Domains, notes, files, conversations and history move as they are.
    for table in ["organization_domains", "organization_notes", "organization_files", "conversations"] {
        query(format!("UPDATE {table} SET organization_id = $1 WHERE organization_id = $2"))
            .bind(target)
            .bind(id)
            .execute(&mut tx)
            .await?;
    }
    // The merged organization's own history says where it went, and moves along.
    let gone = Entry {
        organization: id,
        agent,
        action: "merged_into",
        summary: format!("Merged into {}", survivor.name),
        details: json!({ "survivor_id": target, "survivor_name": survivor.name }),
    };
    history::record(&mut tx, &gone, now).await?;
    let history_entries = query("UPDATE organization_history SET organization_id = $1 WHERE organization_id = $2")
        .bind(target)
        .bind(id)
        .execute(&mut tx)
        .await? as i64;
    // Contacts and routing rules come after the survivor's own, in their order.
    for table in ["organization_contacts", "routing_rules"] {
        let last: i64 = query(format!("SELECT COALESCE(MAX(position), 0) FROM {table} WHERE organization_id = $1"))
            .bind(target)
            .scalar(&mut tx)
            .await?;
        query(format!("UPDATE {table} SET organization_id = $1, position = position + $2 WHERE organization_id = $3"))
            .bind(target)
            .bind(last + 1)
            .bind(id)
            .execute(&mut tx)
            .await?;
    }
    // Shared projects and usergroup links: those the survivor lacks (the rest go with
    // the merged organization).
    for (table, column) in [("project_followers", "project_id"), ("usergroup_organizations", "usergroup_id")] {
        query(format!(
            "UPDATE {table} SET organization_id = $1 WHERE organization_id = $2 AND {column} NOT IN \
             (SELECT {column} FROM {table} WHERE organization_id = $1)"
        ))
        .bind(target)
        .bind(id)
        .execute(&mut tx)
        .await?;
    }
    // Sub-organizations: the survivor is their parent now (their open panels notice).
    query("UPDATE organizations SET parent_id = $1, version = version + 1, updated_at = $2 WHERE parent_id = $3")
        .bind(target)
        .bind(now)
        .bind(id)
        .execute(&mut tx)
        .await?;
    // Custom properties: the merged value where chosen or where the survivor has none.
    let survivor_has: BTreeSet<i64> = survivor.properties.iter().map(|p| p.definition.id).collect();
    let mut taken = Vec::new();
    for p in &merged.properties {
        let key = format!("property:{}", p.definition.id);
        if !survivor_has.contains(&p.definition.id) || take_merged.contains(&key) {
            query(
                "INSERT INTO organization_property_values (organization_id, definition_id, value) VALUES ($1, $2, $3) \
                 ON CONFLICT (organization_id, definition_id) DO UPDATE SET value = excluded.value",
            )
            .bind(target)
            .bind(p.definition.id)
            .bind(p.value.to_string())
            .execute(&mut tx)
            .await?;
            taken.push(p.definition.label.clone());
        }
    }
    // Old links: the merged id, and every id that redirected to it, now lead to the survivor.
    query("UPDATE organization_redirects SET survivor_id = $1 WHERE survivor_id = $2")
        .bind(target)
        .bind(id)
        .execute(&mut tx)
        .await?;
    query(
        "INSERT INTO organization_redirects (old_id, survivor_id, merged_at) VALUES ($1, $2, $3) \
         ON CONFLICT (old_id) DO UPDATE SET survivor_id = excluded.survivor_id, merged_at = excluded.merged_at",
    )
    .bind(id)
    .bind(target)
    .bind(now)
    .execute(&mut tx)
    .await?;

    // The merged organization goes (what is left of it: its own copies of what the
    // survivor already had), then its name, summary and parent may pass to the survivor.
    query("DELETE FROM organizations WHERE id = $1").bind(id).execute(&mut tx).await?;
    let mut name = survivor.name.clone();
    if take_merged.contains("name") {
        super::rename(&mut tx, target, &merged.name).await?;
        name = merged.name.clone();
    }
    if !merged.summary.is_empty() && (survivor.summary.is_empty() || take_merged.contains("summary")) {
        query("UPDATE organizations SET summary = $1 WHERE id = $2")
            .bind(merged.summary.as_str())
            .bind(target)
            .execute(&mut tx)
            .await?;
    }
    // The merged parent: when chosen (checked above), or when the survivor has none
    // and it makes no loop.
    let new_parent = match (&merged.parent, &survivor.parent) {
        (Some(mp), None) if parent_refused.is_none() => Some(mp),
        (Some(mp), Some(_)) if take_merged.contains("parent") => Some(mp),
        _ => None,
    };
    if let Some(parent) = new_parent {
        let chain = ancestors(&mut tx, parent.id).await?;
        check_parent(target, parent.id, &parent.name, &chain).map_err(|e| hierarchy_error("take_merged", e))?;
        query("UPDATE organizations SET parent_id = $1 WHERE id = $2")
            .bind(parent.id)
            .bind(target)
            .execute(&mut tx)
            .await?;
    }

    let chosen: Vec<&String> = take_merged.iter().collect();
    let details = json!({
        "merged_id": id,
        "merged_name": merged.name,
        "survivor_name_before": survivor.name,
        "members": members,
        "open_items": open_items,
        "closed_items": closed_items,
        "history_entries": history_entries,
        "notes": merged.notes,
        "files": merged.files,
        "domains": merged.domains,
        "contacts": merged.contacts.len(),
        "routing_rules": merged.routing_rule_count,
        "projects": merged.project_count,
        "usergroups": merged.usergroup_count,
        "children": merged.children,
        "conversations": merged.conversations,
        "took_merged": chosen,
        "properties_taken": taken,
    });
    let entry = Entry {
        organization: target,
        agent,
        action: "merged",
        summary: format!(
            "Merged {} into this organization ({members} members, {} items, {history_entries} history entries moved)",
            merged.name,
            open_items + closed_items
        ),
        details: details.clone(),
    };
    history::record(&mut tx, &entry, now).await?;
    let audit_entry =
        actor.entry(AuditAction::OrganizationsMerged, AuditTarget::Organization, Some(target), name.clone(), details);
    audit::record(&mut tx, &audit_entry, now).await?;
    if fault_at_end(&merged.name) {
        // A real failure of the database, at the very end: the name_key is taken.
        query("INSERT INTO organizations (name, name_key, created_at) SELECT name, name_key, created_at FROM organizations WHERE id = $1")
            .bind(target)
            .execute(&mut tx)
            .await?;
    }
    tx.commit().await?;
    Ok(MergeOutcome {
        survivor: OrganizationRef { id: target, name },
        members,
        open_items,
        closed_items,
        history_entries,
    })
}

/// The organization an old id leads to: itself when it exists, else the survivor
/// it was merged into (chains are kept one hop long), else `None`.
pub async fn resolve(db: &Db, id: i64) -> Result<Option<i64>, sqlx::Error> {
    query(
        "SELECT id FROM organizations WHERE id = $1 \
         UNION ALL SELECT r.survivor_id FROM organization_redirects r WHERE r.old_id = $1 \
         AND NOT EXISTS (SELECT 1 FROM organizations o WHERE o.id = $1)",
    )
    .bind(id)
    .optional_scalar(db)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(id: i64, name: &str, summary: &str, parent: Option<(i64, &str)>) -> MergeSide {
        MergeSide {
            id,
            name: name.into(),
            version: 1,
            summary: summary.into(),
            domains: vec![],
            contacts: vec![],
            parent: parent.map(|(id, name)| OrganizationRef { id, name: name.into() }),
            properties: vec![],
            managers: vec![],
            manager_count: 0,
            routing_rules: vec![],
            routing_rule_count: 0,
            projects: vec![],
            project_count: 0,
            usergroups: vec![],
            usergroup_count: 0,
            members: 0,
            open_items: 0,
            closed_items: 0,
            notes: 0,
            files: 0,
            history_entries: 0,
            conversations: 0,
            children: 0,
            portal_visibility: None,
        }
    }

    #[test]
    fn only_fields_both_fill_differently_are_conflicts() {
        let merged = side(1, "Acme Ltd", "UK branch", Some((7, "Holding")));
        let survivor = side(2, "Acme", "", None);
        let keys: Vec<String> = conflicts(&merged, &survivor, None).into_iter().map(|c| c.key).collect();
        assert_eq!(keys, ["name"], "an empty summary and no parent are filled, not chosen");
        let survivor = side(2, "Acme", "Head office", Some((8, "Group")));
        let found = conflicts(&merged, &survivor, Some("loop".into()));
        let keys: Vec<&str> = found.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(keys, ["name", "summary", "parent"]);
        assert_eq!((found[2].survivor.as_str(), found[2].merged.as_str()), ("Group", "Holding"));
        assert_eq!(found[2].merged_disabled_reason.as_deref(), Some("loop"));
    }

    #[test]
    fn the_survivor_inside_the_merged_organization_is_refused() {
        let merged = side(1, "Parent", "", None);
        let survivor = side(3, "Grandchild", "", Some((2, "Child")));
        assert!(refusal(&merged, &survivor, &[2, 1]).unwrap().starts_with("Grandchild is inside Parent"));
        assert_eq!(refusal(&survivor, &merged, &[]), None);
        assert!(refusal(&merged, &merged, &[]).is_some());
    }
}
