//! Undoing an import in one transaction: the customers and organizations it created
//! are removed, the fields it changed are set back, and whatever was edited since
//! (a customer whose fields, organization, position or role differ from what the
//! import wrote, or who has a portal account now; an organization whose version
//! moved on, that has members, children or items) is kept and named.

use std::collections::HashMap;

use orgdesk_core::api::audit::AuditAction;
use orgdesk_core::api::import::UndoReport;
use orgdesk_core::customer::customer_sort_name;
use serde_json::{json, Value};

use super::{role_word, CHUNK};
use crate::db::audit::{self, Actor};
use crate::db::{placeholders, query, Db, Tx};
use crate::error::ApiError;

#[derive(sqlx::FromRow)]
struct CurrentCustomer {
    id: i64,
    email: String,
    first_name: String,
    last_name: String,
    phone: String,
    organization_id: Option<i64>,
    position: Option<String>,
    role: Option<String>,
    portal: bool,
}

impl CurrentCustomer {
    fn state(&self) -> Value {
        json!({"first_name": self.first_name, "last_name": self.last_name, "phone": self.phone,
            "organization_id": self.organization_id, "position": self.position.clone().unwrap_or_default(),
            "manager": self.role.as_deref() == Some("manager")})
    }

    fn label(&self) -> String {
        let name = format!("{} {}", self.first_name, self.last_name);
        let name = name.trim();
        if name.is_empty() {
            self.email.clone()
        } else {
            format!("{name} <{}>", self.email)
        }
    }
}

/// Gives a manager the import demoted back the follows the role had made (of the items
/// that still exist) and their "follow every new item" switch, recorded in `before`.
async fn restore_manager_follows(tx: &mut Tx, customer: i64, before: &Value) -> Result<(), sqlx::Error> {
    if before["follow_organization_items"].as_bool() == Some(true) {
        query("UPDATE customers SET follow_organization_items = $1 WHERE id = $2")
            .bind(true)
            .bind(customer)
            .execute(&mut *tx)
            .await?;
    }
    let items: Vec<i64> =
        before["manager_follows"].as_array().into_iter().flatten().filter_map(Value::as_i64).collect();
    for chunk in items.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO item_followers (item_id, customer_id, source) SELECT id, $1, 'manager' FROM items \
             WHERE id IN ({}) ON CONFLICT DO NOTHING",
            placeholders(2, chunk.len())
        );
        query(sql).bind(customer).bind_all(chunk.iter().copied()).execute(&mut *tx).await?;
    }
    Ok(())
}

/// Undoes batch `id` (already checked: done, and the actor may). 409 when it is no
/// longer done (undone meanwhile).
pub async fn undo(db: &Db, id: i64, actor: &Actor, now: i64) -> Result<UndoReport, ApiError> {
    let mut tx = db.begin_write().await?;
    let status: Option<(String, String)> =
        query("SELECT status, file_name FROM import_batches WHERE id = $1").bind(id).fetch_optional(&mut tx).await?;
    let Some((status, file_name)) = status else {
        return Err(ApiError::NotFound("There is no such import.".into()));
    };
    if status != "done" {
        return Err(ApiError::conflict_on("status", "Only a finished import that is not undone can be undone."));
    }
    let changes: Vec<(String, i64, String, String)> =
        query("SELECT kind, target_id, before, after FROM import_changes WHERE batch_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(&mut tx)
            .await?;
    let parse = |s: &str| serde_json::from_str::<Value>(s).unwrap_or(Value::Null);
    let mut report = UndoReport::default();

    // Customers, current state.
    let customer_ids: Vec<i64> = changes.iter().filter(|c| c.0.starts_with("customer_")).map(|c| c.1).collect();
    let mut current: HashMap<i64, CurrentCustomer> = HashMap::new();
    for chunk in customer_ids.chunks(CHUNK) {
        let sql = format!(
            "SELECT c.id, c.email, c.first_name, c.last_name, c.phone, m.organization_id, m.position, m.role, \
             (c.password_hash IS NOT NULL) AS portal FROM customers c LEFT JOIN memberships m ON m.customer_id = c.id \
             WHERE c.id IN ({})",
            placeholders(1, chunk.len())
        );
        let rows: Vec<CurrentCustomer> = query(sql).bind_all(chunk.iter().copied()).fetch_all(&mut tx).await?;
        current.extend(rows.into_iter().map(|r| (r.id, r)));
    }
    let mut remove: Vec<i64> = Vec::new();
    let mut touched_orgs: HashMap<i64, i64> = HashMap::new();
    // Customers whose organization the undo sets back, by the organization they go back to.
    let mut undo_moves: std::collections::BTreeMap<Option<i64>, Vec<crate::db::customers::moves::Move>> =
        std::collections::BTreeMap::new();
    for (kind, target, before, after) in changes.iter().filter(|c| c.0.starts_with("customer_")) {
        let Some(c) = current.get(target) else { continue };
        let (before, after) = (parse(before), parse(after));
        let unchanged = c.state() == after && !(kind == "customer_created" && c.portal);
        if !unchanged {
            report.kept_edited.push(c.label());
            continue;
        }
        if kind == "customer_created" {
            remove.push(c.id);
            if let Some(org) = c.organization_id {
                *touched_orgs.entry(org).or_default() += 1;
            }
        } else if kind == "customer_updated" {
            // Setting back a manager role the import gave ends the follows it made.
            let was = before["manager"].as_bool().unwrap_or(false);
            let moved = before["organization_id"] != after["organization_id"];
            if after["manager"].as_bool().unwrap_or(false) && (!was || moved) {
                crate::db::portal_policy::drop_manager_follows(&mut tx, &[c.id]).await?;
            }
            let s = |k: &str| before[k].as_str().unwrap_or("").to_string();
            let (first, last) = (s("first_name"), s("last_name"));
            query(
                "UPDATE customers SET first_name = $1, last_name = $2, first_key = $3, last_key = $4, sort_name = $5, \
                 phone = $6 WHERE id = $7",
            )
            .bind(first.as_str())
            .bind(last.as_str())
            .bind(first.to_lowercase())
            .bind(last.to_lowercase())
            .bind(customer_sort_name(&first, &last, &c.email))
            .bind(s("phone"))
            .bind(c.id)
            .execute(&mut tx)
            .await?;
            if before["organization_id"] != after["organization_id"] {
                let to = before["organization_id"].as_i64();
                undo_moves.entry(to).or_default().push((c.id, c.organization_id));
                query("DELETE FROM memberships WHERE customer_id = $1").bind(c.id).execute(&mut tx).await?;
                if let Some(org) = before["organization_id"].as_i64() {
                    query("INSERT INTO memberships (customer_id, organization_id, position, role) VALUES ($1, $2, $3, $4)")
                        .bind(c.id)
                        .bind(org)
                        .bind(s("position"))
                        .bind(role_word(before["manager"].as_bool().unwrap_or(false)))
                        .execute(&mut tx)
                        .await?;
                }
                if let Some(org) = after["organization_id"].as_i64() {
                    *touched_orgs.entry(org).or_default() += 1;
                }
            } else if before["organization_id"].is_i64() {
                query("UPDATE memberships SET position = $1, role = $2 WHERE customer_id = $3")
                    .bind(s("position"))
                    .bind(role_word(before["manager"].as_bool().unwrap_or(false)))
                    .bind(c.id)
                    .execute(&mut tx)
                    .await?;
            }
            restore_manager_follows(&mut tx, c.id, &before).await?;
            report.restored += 1;
        }
    }
    for (to, moves) in &undo_moves {
        let via = orgdesk_core::api::customer_profile::MoveVia::ImportUndo;
        crate::db::customers::history::record_moves(&mut tx, moves, *to, actor.id, via, now).await?;
    }
    for chunk in remove.chunks(CHUNK) {
        let sql = format!("DELETE FROM customers WHERE id IN ({})", placeholders(1, chunk.len()));
        query(sql).bind_all(chunk.iter().copied()).execute(&mut tx).await?;
    }
    report.removed_customers = remove.len() as i64;

    // Organizations: updated ones first (restore), then created ones (remove).
    for (_, target, before, after) in changes.iter().filter(|c| c.0 == "organization_updated") {
        let (before, after) = (parse(before), parse(after));
        let row: Option<(i64, String)> =
            query("SELECT version, name FROM organizations WHERE id = $1 AND deleted_at IS NULL")
                .bind(*target)
                .fetch_optional(&mut tx)
                .await?;
        let Some((version, name)) = row else { continue };
        if Some(version) != after["version"].as_i64() {
            report.kept_edited.push(format!("Organization {name}"));
            continue;
        }
        for d in after["domains_added"].as_array().into_iter().flatten().filter_map(Value::as_str) {
            query("DELETE FROM organization_domains WHERE domain = $1 AND organization_id = $2")
                .bind(d)
                .bind(*target)
                .execute(&mut tx)
                .await?;
        }
        if let Some(parent) = before.get("parent_id") {
            query("UPDATE organizations SET parent_id = $1 WHERE id = $2")
                .bind(parent.as_i64())
                .bind(*target)
                .execute(&mut tx)
                .await?;
        }
        for (def, value) in before["properties"].as_object().into_iter().flatten() {
            let def: i64 = def.parse().unwrap_or_default();
            if value.is_null() {
                query("DELETE FROM organization_property_values WHERE organization_id = $1 AND definition_id = $2")
                    .bind(*target)
                    .bind(def)
                    .execute(&mut tx)
                    .await?;
            } else {
                query("UPDATE organization_property_values SET value = $1 WHERE organization_id = $2 AND definition_id = $3")
                    .bind(value.to_string())
                    .bind(*target)
                    .bind(def)
                    .execute(&mut tx)
                    .await?;
            }
        }
        query("UPDATE organizations SET version = version + 1, updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(*target)
            .execute(&mut tx)
            .await?;
        touched_orgs.entry(*target).or_default();
        report.restored += 1;
    }
    let mut removed_orgs: Vec<i64> = Vec::new();
    for (_, target, _, after) in changes.iter().filter(|c| c.0 == "organization_created") {
        let after = parse(after);
        let row: Option<(i64, String)> =
            query("SELECT version, name FROM organizations WHERE id = $1 AND deleted_at IS NULL")
                .bind(*target)
                .fetch_optional(&mut tx)
                .await?;
        let Some((version, name)) = row else { continue };
        let in_use: i64 = query(
            "SELECT (SELECT COUNT(*) FROM memberships WHERE organization_id = $1) \
             + (SELECT COUNT(*) FROM organizations WHERE parent_id = $1) \
             + (SELECT COUNT(*) FROM items WHERE organization_id = $1)",
        )
        .bind(*target)
        .scalar(&mut tx)
        .await?;
        if Some(version) != after["version"].as_i64() || in_use > 0 {
            report.kept_edited.push(format!("Organization {name}"));
            continue;
        }
        removed_orgs.push(*target);
    }
    for chunk in removed_orgs.chunks(CHUNK) {
        let sql = format!("DELETE FROM organizations WHERE id IN ({})", placeholders(1, chunk.len()));
        query(sql).bind_all(chunk.iter().copied()).execute(&mut tx).await?;
    }
    report.removed_organizations = removed_orgs.len() as i64;
    for org in &removed_orgs {
        touched_orgs.remove(org);
    }
    // History of the organizations that remain.
    let mut touched: Vec<(i64, i64)> = touched_orgs.into_iter().collect();
    touched.sort_unstable();
    for (org, n) in touched {
        let exists: Option<i64> = query("SELECT id FROM organizations WHERE id = $1 AND deleted_at IS NULL")
            .bind(org)
            .optional_scalar(&mut tx)
            .await?;
        if exists.is_none() {
            continue;
        }
        let summary = if n > 0 {
            format!("Import of {file_name} undone: {n} {} removed", if n == 1 { "member" } else { "members" })
        } else {
            format!("Import of {file_name} undone: its changes set back")
        };
        query(
            "INSERT INTO organization_history (organization_id, agent_id, action, summary, details, created_at) \
             VALUES ($1, $2, 'import_undone', $3, $4, $5)",
        )
        .bind(org)
        .bind(actor.id)
        .bind(summary)
        .bind(json!({"batch_id": id}).to_string())
        .bind(now)
        .execute(&mut tx)
        .await?;
    }
    report.kept_edited.sort();
    report.kept_edited.dedup();
    query("UPDATE import_batches SET status = 'undone', undone_at = $1, undone_by = $2 WHERE id = $3")
        .bind(now)
        .bind(actor.email.as_str())
        .bind(id)
        .execute(&mut tx)
        .await?;
    let entry = actor.plain(
        AuditAction::ImportUndone,
        json!({"batch_id": id, "file_name": file_name, "removed_customers": report.removed_customers,
            "removed_organizations": report.removed_organizations, "restored": report.restored,
            "kept_edited": report.kept_edited.len()}),
    );
    audit::record(&mut tx, &entry, now).await?;
    tx.commit().await?;
    Ok(report)
}
