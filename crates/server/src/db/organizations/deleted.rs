//! Deleting an organization with a choice for its members, restoring it within the
//! retention, and purging it afterwards (issue #16, point 4).
//!
//! A deleted organization keeps its row (`deleted_at` set) with its notes, files,
//! contacts, properties, history, conversations, routing rules and follows, but is
//! made inert in the same transaction: its domains, members (with where the
//! deletion put them) and children's links move to the `deleted_organization_*`
//! tables, its parent link is kept aside, its name is freed (`name_key` changed)
//! and its items keep a record of it (`former_organization_id`/`_name`). Every
//! list, search and picker skips rows with `deleted_at` set; paths that write to
//! an organization by id find only live ones.
//!
//! [`purge_expired`] erases those deleted longer ago than the retention (the
//! foreign keys' cascades take everything it kept); the server runs it hourly.

use std::collections::HashMap;

use orgdesk_core::api::audit::{AuditAction, AuditTarget, MAX_AUDIT_HISTORY};
use orgdesk_core::api::customer_profile::MoveVia;
use orgdesk_core::api::deleted_organizations::{
    DeletedOrganization, DeletionOutcome, DeletionPreview, DomainTaken, RestoreOutcome, DEFAULT_RETENTION_DAYS,
    MAX_RETENTION_DAYS, MIN_RETENTION_DAYS,
};
use orgdesk_core::customer::organization_name_key;
use serde_json::json;

use super::history::{self, Entry};
use crate::db::audit::{self, Actor};
use crate::db::customers::history as customer_history;
use crate::db::customers::moves::{move_customers_in, record_moves, CHUNK};
use crate::db::items::OPEN_STATUSES;
use crate::db::{placeholders, query, Db, Tx};
use crate::error::ApiError;
use crate::time_fmt::rfc3339;

/// The setting that holds the retention, in days.
pub const RETENTION_KEY: &str = "deleted_organization_retention_days";
const DAY_MS: i64 = 86_400_000;
/// How many deleted organizations one purge pass erases (each in its own transaction).
const PURGE_BATCH: i64 = 100;

/// How many days a deleted organization can be restored (the setting, or 30).
pub async fn retention_days(db: &Db) -> Result<i64, sqlx::Error> {
    Ok(crate::db::settings::get(db, RETENTION_KEY)
        .await?
        .and_then(|v| v.parse::<i64>().ok())
        .filter(|d| (MIN_RETENTION_DAYS..=MAX_RETENTION_DAYS).contains(d))
        .unwrap_or(DEFAULT_RETENTION_DAYS))
}

/// The name key a deleted organization holds meanwhile, so its name is free.
fn deleted_name_key(id: i64) -> String {
    format!("\u{1}deleted {id}")
}

fn no_such() -> ApiError {
    ApiError::NotFound("No such organization.".into())
}

/// What deleting organization `id` would touch; `None` when there is no such live one.
pub async fn preview(db: &Db, id: i64) -> Result<Option<DeletionPreview>, sqlx::Error> {
    let row: Option<(String, i64, i64, i64, i64)> = query(format!(
        "SELECT o.name, \
           (SELECT COUNT(*) FROM memberships m WHERE m.organization_id = o.id), \
           (SELECT COUNT(*) FROM items i WHERE i.organization_id = o.id AND i.status IN {OPEN_STATUSES}), \
           (SELECT COUNT(*) FROM items i WHERE i.organization_id = o.id AND i.status NOT IN {OPEN_STATUSES}), \
           (SELECT COUNT(*) FROM organizations c WHERE c.parent_id = o.id) \
         FROM organizations o WHERE o.id = $1 AND o.deleted_at IS NULL"
    ))
    .bind(id)
    .fetch_optional(db)
    .await?;
    let Some((name, members, open_items, closed_items, children)) = row else {
        return Ok(None);
    };
    let retention_days = retention_days(db).await?;
    Ok(Some(DeletionPreview { id, name, members, open_items, closed_items, children, retention_days }))
}

/// Deletes organization `id`: its members become unassigned (`move_to` `None`) or
/// move to organization `move_to` (with their open items, as any move); its items
/// keep a record of it. One transaction. `Ok(None)` when there is no such live
/// organization; 422 on `move_members_to` for a target that is itself or gone.
pub async fn delete(
    db: &Db,
    id: i64,
    move_to: Option<i64>,
    actor: &Actor,
    now: i64,
) -> Result<Option<DeletionOutcome>, ApiError> {
    let retention = retention_days(db).await?;
    let mut tx = db.begin_write().await?;
    let name: Option<String> = query("SELECT name FROM organizations WHERE id = $1 AND deleted_at IS NULL")
        .bind(id)
        .optional_scalar(&mut tx)
        .await?;
    let Some(name) = name else {
        return Ok(None);
    };
    let target_name = match move_to {
        Some(t) if t == id => {
            return Err(ApiError::invalid("move_members_to", "Choose another organization than the one you delete."))
        }
        Some(t) => Some(
            query("SELECT name FROM organizations WHERE id = $1 AND deleted_at IS NULL")
                .bind(t)
                .optional_scalar::<String>(&mut tx)
                .await?
                .ok_or_else(|| ApiError::invalid("move_members_to", "That organization no longer exists."))?,
        ),
        None => None,
    };
    let agent = actor.id;
    // Items keep a record of the organization they had (before members' open items move).
    query("UPDATE items SET former_organization_id = $1, former_organization_name = $2 WHERE organization_id = $1")
        .bind(id)
        .bind(&name)
        .execute(&mut tx)
        .await?;
    query(
        "INSERT INTO deleted_organization_members (organization_id, customer_id, position, role, moved_to) \
         SELECT organization_id, customer_id, position, role, $2 FROM memberships WHERE organization_id = $1",
    )
    .bind(id)
    .bind(move_to)
    .execute(&mut tx)
    .await?;
    let members: Vec<i64> =
        query("SELECT customer_id FROM memberships WHERE organization_id = $1 ORDER BY customer_id")
            .bind(id)
            .scalars(&mut tx)
            .await?;
    move_customers_in(&mut tx, &members, move_to).await?;
    let moves: Vec<(i64, Option<i64>)> = members.iter().map(|c| (*c, Some(id))).collect();
    record_moves(&mut tx, &moves, move_to, agent, now).await?;
    customer_history::record_moves(&mut tx, &moves, move_to, agent, MoveVia::OrganizationPanel, now).await?;
    query("UPDATE items SET organization_id = NULL WHERE organization_id = $1").bind(id).execute(&mut tx).await?;
    query(
        "INSERT INTO deleted_organization_domains (organization_id, domain) \
         SELECT organization_id, domain FROM organization_domains WHERE organization_id = $1",
    )
    .bind(id)
    .execute(&mut tx)
    .await?;
    let mut domains: Vec<String> = query("SELECT domain FROM deleted_organization_domains WHERE organization_id = $1")
        .bind(id)
        .scalars(&mut tx)
        .await?;
    domains.sort();
    query("DELETE FROM organization_domains WHERE organization_id = $1").bind(id).execute(&mut tx).await?;
    query(
        "INSERT INTO deleted_organization_children (organization_id, child_id) \
         SELECT $1, id FROM organizations WHERE parent_id = $1",
    )
    .bind(id)
    .execute(&mut tx)
    .await?;
    query("UPDATE organizations SET parent_id = NULL, version = version + 1, updated_at = $2 WHERE parent_id = $1")
        .bind(id)
        .bind(now)
        .execute(&mut tx)
        .await?;
    query(
        "UPDATE organizations SET deleted_at = $2, deleted_by = $3, deleted_parent_id = parent_id, parent_id = NULL, \
         name_key = $4, version = version + 1, updated_at = $2 WHERE id = $1",
    )
    .bind(id)
    .bind(now)
    .bind(agent)
    .bind(deleted_name_key(id))
    .execute(&mut tx)
    .await?;
    let n = members.len() as i64;
    let whom = orgdesk_core::text::count(n, "member", "members");
    let summary = match &target_name {
        Some(t) => format!("Deleted; its {whom} moved to {t}"),
        None => format!("Deleted; its {whom} left without an organization"),
    };
    let entry = Entry {
        organization: id,
        agent,
        action: "deleted",
        summary,
        details: json!({ "members": n, "moved_to": move_to, "moved_to_name": target_name, "domains": domains }),
    };
    history::record(&mut tx, &entry, now).await?;
    let parent: Option<String> =
        query("SELECT p.name FROM organizations o JOIN organizations p ON p.id = o.deleted_parent_id WHERE o.id = $1")
            .bind(id)
            .optional_scalar(&mut tx)
            .await?;
    let detail = json!({
        "name": name, "domains": domains, "parent": parent, "members": n, "moved_to": move_to,
        "moved_to_name": target_name, "retention_days": retention,
    });
    let audit_entry = actor.entry(AuditAction::OrganizationDeleted, AuditTarget::Organization, Some(id), &name, detail);
    audit::record(&mut tx, &audit_entry, now).await?;
    tx.commit().await?;
    Ok(Some(DeletionOutcome {
        members: n,
        moved_to: move_to,
        moved_to_name: target_name,
        purge_at: rfc3339(now + retention * DAY_MS),
    }))
}

#[derive(sqlx::FromRow)]
struct DeletedRow {
    id: i64,
    name: String,
    deleted_at: i64,
    deleted_by: Option<String>,
    member_count: i64,
    domains: String,
}

/// One page of deleted organizations, most recently deleted first, with the total.
pub async fn list(db: &Db, offset: i64, limit: i64) -> Result<(Vec<DeletedOrganization>, i64, i64), sqlx::Error> {
    let retention = retention_days(db).await?;
    let aggregate = match db {
        Db::Sqlite(..) => "group_concat(d.domain, ' ')",
        Db::Postgres(..) => "string_agg(d.domain, ' ')",
    };
    let sql = format!(
        "SELECT o.id, o.name, o.deleted_at, a.name AS deleted_by, \
           (SELECT COUNT(*) FROM deleted_organization_members m WHERE m.organization_id = o.id) AS member_count, \
           COALESCE((SELECT {aggregate} FROM deleted_organization_domains d WHERE d.organization_id = o.id), '') AS domains \
         FROM organizations o LEFT JOIN agents a ON a.id = o.deleted_by \
         WHERE o.deleted_at IS NOT NULL ORDER BY o.deleted_at DESC, o.id DESC LIMIT $1 OFFSET $2"
    );
    let rows: Vec<DeletedRow> = query(sql).bind(limit).bind(offset).fetch_all(db).await?;
    let total: i64 = query("SELECT COUNT(*) FROM organizations WHERE deleted_at IS NOT NULL").scalar(db).await?;
    let items = rows
        .into_iter()
        .map(|r| {
            let mut domains: Vec<String> = r.domains.split_whitespace().map(str::to_string).collect();
            domains.sort();
            DeletedOrganization {
                id: r.id,
                name: r.name,
                domains,
                member_count: r.member_count,
                deleted_at: rfc3339(r.deleted_at),
                deleted_by: r.deleted_by,
                purge_at: rfc3339(r.deleted_at + retention * DAY_MS),
            }
        })
        .collect();
    Ok((items, total, retention))
}

/// Restores deleted organization `id` in one transaction: its name (409 on `name`
/// when another organization has it now), its domains that are still free (the
/// others are reported), the members who are still where the deletion put them
/// (with their position and role; their open items follow them back), its items
/// that have no organization since, its parent and children links where nothing
/// else took their place, and everything it kept. 404 when there is no such
/// organization, 409 when it is not deleted (restored already).
pub async fn restore(db: &Db, id: i64, actor: &Actor, now: i64) -> Result<RestoreOutcome, ApiError> {
    let mut tx = db.begin_write().await?;
    let row: Option<(String, Option<i64>, Option<i64>)> =
        query("SELECT name, deleted_at, deleted_parent_id FROM organizations WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut tx)
            .await?;
    let Some((name, deleted_at, old_parent)) = row else {
        return Err(no_such());
    };
    if deleted_at.is_none() {
        return Err(ApiError::Conflict {
            message: format!("{name} is not deleted: it was restored already."),
            fields: orgdesk_core::FieldErrors::new(),
        });
    }
    let key = organization_name_key(&name);
    let holder: Option<i64> = query("SELECT id FROM organizations WHERE name_key = $1 AND id <> $2")
        .bind(&key)
        .bind(id)
        .optional_scalar(&mut tx)
        .await?;
    if holder.is_some() {
        return Err(ApiError::conflict_on(
            "name",
            format!("Another organization is named {name} now. Rename it before you restore this one."),
        ));
    }
    // The parent it had, if that one is still there (it cannot be a descendant:
    // a deleted organization has no children).
    let parent: Option<i64> = match old_parent {
        Some(p) => {
            query("SELECT id FROM organizations WHERE id = $1 AND deleted_at IS NULL")
                .bind(p)
                .optional_scalar(&mut tx)
                .await?
        }
        None => None,
    };
    query(
        "UPDATE organizations SET deleted_at = NULL, deleted_by = NULL, deleted_parent_id = NULL, parent_id = $2, \
         name_key = $3, version = version + 1, updated_at = $4 WHERE id = $1",
    )
    .bind(id)
    .bind(parent)
    .bind(&key)
    .bind(now)
    .execute(&mut tx)
    .await?;

    // Domains: those still free come back; the others are reported.
    let domains: Vec<String> =
        query("SELECT domain FROM deleted_organization_domains WHERE organization_id = $1 ORDER BY domain")
            .bind(id)
            .scalars(&mut tx)
            .await?;
    let mut taken: HashMap<String, (i64, String)> = HashMap::new();
    for chunk in domains.chunks(CHUNK) {
        let sql = format!(
            "SELECT d.domain, o.id, o.name FROM organization_domains d JOIN organizations o ON o.id = d.organization_id \
             WHERE d.domain IN ({})",
            placeholders(1, chunk.len())
        );
        let rows: Vec<(String, i64, String)> = query(sql).bind_all(chunk).fetch_all(&mut tx).await?;
        taken.extend(rows.into_iter().map(|(d, o, n)| (d, (o, n))));
    }
    let mut domains_restored = Vec::new();
    let mut domains_taken = Vec::new();
    for d in domains {
        match taken.remove(&d) {
            Some((organization_id, organization_name)) => {
                domains_taken.push(DomainTaken { domain: d, organization_id, organization_name })
            }
            None => {
                super::insert_domain(&mut tx, id, &d).await?;
                domains_restored.push(d);
            }
        }
    }
    query("DELETE FROM deleted_organization_domains WHERE organization_id = $1").bind(id).execute(&mut tx).await?;

    // Members still where the deletion put them come back.
    let recorded: Vec<(i64, Option<i64>, Option<i64>)> = query(
        "SELECT dm.customer_id, dm.moved_to, m.organization_id FROM deleted_organization_members dm \
         LEFT JOIN memberships m ON m.customer_id = dm.customer_id WHERE dm.organization_id = $1 ORDER BY dm.customer_id",
    )
    .bind(id)
    .fetch_all(&mut tx)
    .await?;
    let back: Vec<(i64, Option<i64>)> = recorded
        .iter()
        .filter(|(_, moved_to, now_in)| moved_to == now_in)
        .map(|(c, _, now_in)| (*c, *now_in))
        .collect();
    let members_stayed = (recorded.len() - back.len()) as i64;
    let ids: Vec<i64> = back.iter().map(|(c, _)| *c).collect();
    crate::db::portal_policy::drop_manager_follows(&mut tx, &ids).await?;
    for chunk in ids.chunks(CHUNK) {
        let list = placeholders(2, chunk.len());
        query(format!("DELETE FROM memberships WHERE customer_id IN ({})", placeholders(1, chunk.len())))
            .bind_all(chunk)
            .execute(&mut tx)
            .await?;
        query(format!(
            "INSERT INTO memberships (customer_id, organization_id, position, role) \
             SELECT customer_id, organization_id, position, role FROM deleted_organization_members \
             WHERE organization_id = $1 AND customer_id IN ({list})"
        ))
        .bind(id)
        .bind_all(chunk)
        .execute(&mut tx)
        .await?;
        query(format!(
            "UPDATE items SET organization_id = $1 WHERE requester_id IN ({list}) AND status IN {OPEN_STATUSES}"
        ))
        .bind(id)
        .bind_all(chunk)
        .execute(&mut tx)
        .await?;
    }
    // History: grouped by where they came from (one move per source).
    let mut by_source: HashMap<Option<i64>, Vec<(i64, Option<i64>)>> = HashMap::new();
    for m in &back {
        by_source.entry(m.1).or_default().push(*m);
    }
    let agent = actor.id;
    let mut sources: Vec<_> = by_source.into_iter().collect();
    sources.sort_by_key(|(s, _)| *s);
    for (_, moves) in &sources {
        record_moves(&mut tx, moves, Some(id), agent, now).await?;
        customer_history::record_moves(&mut tx, moves, Some(id), agent, MoveVia::OrganizationPanel, now).await?;
    }
    query("DELETE FROM deleted_organization_members WHERE organization_id = $1").bind(id).execute(&mut tx).await?;

    // Items that still have no organization get it back; the record ends.
    query("UPDATE items SET organization_id = $1 WHERE former_organization_id = $1 AND organization_id IS NULL")
        .bind(id)
        .execute(&mut tx)
        .await?;
    query("UPDATE items SET former_organization_id = NULL, former_organization_name = NULL WHERE former_organization_id = $1")
        .bind(id)
        .execute(&mut tx)
        .await?;
    let items_restored: i64 =
        query("SELECT COUNT(*) FROM items WHERE organization_id = $1").bind(id).scalar(&mut tx).await?;

    // Children with no parent since come back under it (unless that would make a loop).
    let ancestors = super::hierarchy::ancestors(&mut tx, id).await?;
    let children: Vec<i64> = query(
        "SELECT c.id FROM deleted_organization_children dc JOIN organizations c ON c.id = dc.child_id \
         WHERE dc.organization_id = $1 AND c.parent_id IS NULL AND c.deleted_at IS NULL ORDER BY c.id",
    )
    .bind(id)
    .scalars(&mut tx)
    .await?;
    let children: Vec<i64> = children.into_iter().filter(|c| !ancestors.contains(c) && *c != id).collect();
    for chunk in children.chunks(CHUNK) {
        query(format!(
            "UPDATE organizations SET parent_id = $1, version = version + 1, updated_at = $2 WHERE id IN ({})",
            placeholders(3, chunk.len())
        ))
        .bind(id)
        .bind(now)
        .bind_all(chunk)
        .execute(&mut tx)
        .await?;
    }
    query("DELETE FROM deleted_organization_children WHERE organization_id = $1").bind(id).execute(&mut tx).await?;

    let members_restored = back.len() as i64;
    let mut summary =
        format!("Restored; {} came back", orgdesk_core::text::count(members_restored, "member", "members"));
    if members_stayed > 0 {
        summary.push_str(&format!(", {members_stayed} stayed where they moved since"));
    }
    if !domains_taken.is_empty() {
        let lost: Vec<String> =
            domains_taken.iter().map(|t| format!("{} (now {})", t.domain, t.organization_name)).collect();
        summary.push_str(&format!("; not restored: {}", lost.join(", ")));
    }
    let details = json!({
        "members_restored": members_restored, "members_stayed": members_stayed, "domains_restored": domains_restored,
        "domains_taken": domains_taken.iter().map(|t| json!({ "domain": t.domain, "organization_id": t.organization_id,
            "organization_name": t.organization_name })).collect::<Vec<_>>(),
        "children_restored": children.len(), "items_restored": items_restored,
    });
    let entry = Entry { organization: id, agent, action: "restored", summary, details: details.clone() };
    history::record(&mut tx, &entry, now).await?;
    let audit_entry =
        actor.entry(AuditAction::OrganizationRestored, AuditTarget::Organization, Some(id), &name, details);
    audit::record(&mut tx, &audit_entry, now).await?;
    tx.commit().await?;
    Ok(RestoreOutcome {
        id,
        name,
        members_restored,
        members_stayed,
        domains_restored,
        domains_taken,
        items_restored,
        children_restored: children.len() as i64,
    })
}

/// Erases the organizations deleted longer ago than the retention before `now`
/// (each in its own transaction, recorded in the audit log), at most
/// [`PURGE_BATCH`] per call; returns how many. The server calls it hourly; tests
/// call it with a `now` in the future.
pub async fn purge_expired(db: &Db, now: i64) -> Result<u64, sqlx::Error> {
    let cutoff = now - retention_days(db).await? * DAY_MS;
    let due: Vec<i64> = query(
        "SELECT id FROM organizations WHERE deleted_at IS NOT NULL AND deleted_at <= $1 ORDER BY deleted_at, id LIMIT $2",
    )
    .bind(cutoff)
    .bind(PURGE_BATCH)
    .scalars(db)
    .await?;
    let actor = Actor { id: None, email: "Orgdesk".into(), source: "retention of deleted organizations".into() };
    let mut purged = 0;
    for id in due {
        let mut tx = db.begin_write().await?;
        let row: Option<(String, i64)> = query(
            "SELECT name, deleted_at FROM organizations WHERE id = $1 AND deleted_at IS NOT NULL AND deleted_at <= $2",
        )
        .bind(id)
        .bind(cutoff)
        .fetch_optional(&mut tx)
        .await?;
        // Restored (or purged) meanwhile.
        let Some((name, deleted_at)) = row else { continue };
        let mut detail = purge_detail(&mut tx, id, &name).await?;
        detail["deleted_at"] = json!(rfc3339(deleted_at));
        purge_one(&mut tx, id).await?;
        let entry = actor.entry(AuditAction::OrganizationPurged, AuditTarget::Organization, Some(id), &name, detail);
        audit::record(&mut tx, &entry, now).await?;
        tx.commit().await?;
        purged += 1;
    }
    Ok(purged)
}

/// What a purged organization's audit entry keeps: its name, domains, former
/// parent, how many members it had and how many notes, files, conversations and
/// history entries were erased, and its newest history entries (at most
/// [`MAX_AUDIT_HISTORY`]), newest first, so its history survives the purge.
async fn purge_detail(tx: &mut Tx, id: i64, name: &str) -> Result<serde_json::Value, sqlx::Error> {
    let count = |sql: &'static str| query(sql).bind(id);
    let domains: Vec<String> =
        query("SELECT domain FROM deleted_organization_domains WHERE organization_id = $1 ORDER BY domain")
            .bind(id)
            .scalars(&mut *tx)
            .await?;
    let members: i64 =
        count("SELECT COUNT(*) FROM deleted_organization_members WHERE organization_id = $1").scalar(&mut *tx).await?;
    let notes: i64 =
        count("SELECT COUNT(*) FROM organization_notes WHERE organization_id = $1").scalar(&mut *tx).await?;
    let files: i64 =
        count("SELECT COUNT(*) FROM organization_files WHERE organization_id = $1").scalar(&mut *tx).await?;
    let conversations: i64 =
        count("SELECT COUNT(*) FROM conversations WHERE organization_id = $1").scalar(&mut *tx).await?;
    let history_total: i64 =
        count("SELECT COUNT(*) FROM organization_history WHERE organization_id = $1").scalar(&mut *tx).await?;
    let parent: Option<String> =
        query("SELECT p.name FROM organizations o JOIN organizations p ON p.id = o.deleted_parent_id WHERE o.id = $1")
            .bind(id)
            .optional_scalar(&mut *tx)
            .await?;
    let history: Vec<(String, String, String, i64)> = query(
        "SELECT h.action, h.summary, COALESCE(a.name, '') AS agent_name, h.created_at \
         FROM organization_history h LEFT JOIN agents a ON a.id = h.agent_id \
         WHERE h.organization_id = $1 ORDER BY h.id DESC LIMIT $2",
    )
    .bind(id)
    .bind(MAX_AUDIT_HISTORY as i64)
    .fetch_all(&mut *tx)
    .await?;
    let history: Vec<serde_json::Value> = history
        .into_iter()
        .map(|(action, summary, agent, at)| json!({ "action": action, "summary": summary, "agent": agent, "at": rfc3339(at) }))
        .collect();
    Ok(json!({
        "name": name,
        "domains": domains,
        "parent": parent,
        "members": members,
        "notes_erased": notes,
        "files_erased": files,
        "conversations_erased": conversations,
        "history_total": history_total,
        "history": history,
    }))
}

/// Erases deleted organization `id` and everything it kept (the foreign keys
/// cascade to its notes, files, history, contacts, properties, conversations,
/// routing rules, follows and the deleted_organization_* rows).
async fn purge_one(tx: &mut Tx, id: i64) -> Result<(), sqlx::Error> {
    query("DELETE FROM organizations WHERE id = $1").bind(id).execute(tx).await?;
    Ok(())
}

/// Sets the retention (already checked to be within bounds), with its audit entry.
pub async fn set_retention(db: &Db, days: i64, actor: &Actor, now: i64) -> Result<(), sqlx::Error> {
    let entry = actor.entry(
        AuditAction::SettingsChanged,
        AuditTarget::Settings,
        None,
        "Settings",
        json!({ RETENTION_KEY: days }),
    );
    crate::db::settings::set_many(db, &[(RETENTION_KEY, days.to_string())], &entry, now).await
}
