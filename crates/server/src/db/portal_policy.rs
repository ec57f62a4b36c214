//! Administration > Portal's writes, an organization's override of the portal
//! visibility, and the follows a manager's "follow my organization" choice makes.
//!
//! The settings themselves are read by `db::access::policy` (the one reader).
//! Managers' follows (`item_followers.source = 'manager'`) exist only while the
//! role does: every path that takes the role away ([`drop_manager_follows`]:
//! a role change, leaving, a move, the organization deleted) deletes them and
//! turns the choice off in its own transaction, and every new item of an
//! organization gains them in the transaction that creates it
//! ([`follow_as_managers`]).

use orgdesk_core::api::portal_policy::UpdatePortalPolicyRequest;
use orgdesk_core::portal::{OrgItemAccess, PortalFields, PortalPolicy};
use orgdesk_core::word::Word;
use serde_json::json;

use crate::db::audit::{self, AuditEntry};
use crate::db::customers::moves::CHUNK;
use crate::db::organizations::history::{self, Entry};
use crate::db::{access, decode_word, placeholders, query, Db, Tx};
use crate::error::{ApiError, ApiResult};

/// The settings rows that store the parts of `policy` that `changed` names
/// (only those are written, so two admins changing different parts at once both win).
pub fn settings_rows(
    policy: &PortalPolicy,
    changed: &UpdatePortalPolicyRequest,
) -> Result<Vec<(&'static str, String)>, serde_json::Error> {
    let mut rows = Vec::new();
    if changed.organization_items.is_some() {
        rows.push((access::ORGANIZATION_ITEMS, policy.organization_items.as_str().to_string()));
    }
    if changed.project_items.is_some() {
        rows.push((access::PROJECT_ITEMS, policy.project_items.to_string()));
    }
    if changed.self_registration.is_some() {
        rows.push((access::SELF_REGISTRATION, policy.self_registration.to_string()));
    }
    if changed.fields.is_some() {
        rows.push((access::FIELDS, serde_json::to_string::<PortalFields>(&policy.fields)?));
    }
    Ok(rows)
}

/// Stores `rows` and the audit entry that records the change, in one transaction.
pub async fn save(db: &Db, rows: &[(&'static str, String)], entry: &AuditEntry, now: i64) -> ApiResult<()> {
    let mut tx = db.begin_write().await?;
    for (key, value) in rows {
        query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(*key)
        .bind(value)
        .execute(&mut tx)
        .await?;
    }
    audit::record(&mut tx, entry, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Organization `id`'s override (`Some(None)`: none, the portal default); `None`
/// when there is no such organization.
pub async fn organization_override(db: &Db, id: i64) -> Result<Option<Option<OrgItemAccess>>, sqlx::Error> {
    let row: Option<(i64, Option<String>)> =
        query("SELECT id, portal_visibility FROM organizations WHERE id = $1 AND deleted_at IS NULL")
            .bind(id)
            .fetch_optional(db)
            .await?;
    row.map(|(_, v)| v.as_deref().map(decode_word::<OrgItemAccess>).transpose()).transpose()
}

fn describe(value: Option<OrgItemAccess>) -> String {
    value.map_or("the portal default".to_string(), |v| v.label().to_lowercase())
}

/// Sets organization `id`'s override (or clears it with `None`), recording the
/// change in its history and moving its version on (an open panel notices); 404
/// when there is no such organization. Setting the value it already has changes nothing.
pub async fn set_override(
    db: &Db,
    id: i64,
    value: Option<OrgItemAccess>,
    agent: Option<i64>,
    now: i64,
) -> ApiResult<()> {
    let mut tx = db.begin_write().await?;
    let current: Option<(i64, Option<String>)> =
        query("SELECT id, portal_visibility FROM organizations WHERE id = $1 AND deleted_at IS NULL")
            .bind(id)
            .fetch_optional(&mut tx)
            .await?;
    let Some((_, old)) = current else { return Err(history::not_found()) };
    let old = old.as_deref().map(decode_word::<OrgItemAccess>).transpose()?;
    if old == value {
        return Ok(());
    }
    query("UPDATE organizations SET portal_visibility = $1 WHERE id = $2")
        .bind(value.map(|v| v.as_str()))
        .bind(id)
        .execute(&mut tx)
        .await?;
    history::bump_version(&mut tx, id, now).await?;
    let entry = Entry {
        organization: id,
        agent,
        action: "portal_visibility_changed",
        summary: format!("Portal: members see {} (was {})", describe(value), describe(old)),
        details: json!({ "from": old.map(|v| v.as_str()), "to": value.map(|v| v.as_str()) }),
    };
    history::record(&mut tx, &entry, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Makes every verified manager of `organization` who chose to follow its items
/// a follower (`source = 'manager'`) of the new item `item`, in the caller's
/// transaction; the requester and anyone already following are left as they are.
pub async fn follow_as_managers(tx: &mut Tx, item: i64, organization: i64) -> Result<(), sqlx::Error> {
    query(
        "INSERT INTO item_followers (item_id, customer_id, source) \
         SELECT $1, m.customer_id, 'manager' FROM memberships m JOIN customers c ON c.id = m.customer_id \
         WHERE m.organization_id = $2 AND m.role = 'manager' AND c.follow_organization_items = $3 \
         AND c.email_verified_at IS NOT NULL \
         AND c.id NOT IN (SELECT requester_id FROM items WHERE id = $1 AND requester_id IS NOT NULL) \
         AND NOT EXISTS (SELECT 1 FROM item_followers f WHERE f.item_id = $1 AND f.customer_id = m.customer_id)",
    )
    .bind(item)
    .bind(organization)
    .bind(true)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// The customers `ids` no longer manage an organization (or are about to stop, in
/// this transaction): their follows as managers end and their choice to follow
/// the organization's items is turned off.
pub async fn drop_manager_follows(tx: &mut Tx, ids: &[i64]) -> Result<(), sqlx::Error> {
    for chunk in ids.chunks(CHUNK) {
        let delete = format!(
            "DELETE FROM item_followers WHERE source = 'manager' AND customer_id IN ({})",
            placeholders(1, chunk.len())
        );
        query(delete).bind_all(chunk).execute(&mut *tx).await?;
        let off = format!(
            "UPDATE customers SET follow_organization_items = $1 WHERE follow_organization_items = $2 AND id IN ({})",
            placeholders(3, chunk.len())
        );
        query(off).bind(false).bind(true).bind_all(chunk).execute(&mut *tx).await?;
    }
    Ok(())
}

/// The managers of organization `organization`.
pub async fn managers_of(tx: &mut Tx, organization: i64) -> Result<Vec<i64>, sqlx::Error> {
    query("SELECT customer_id FROM memberships WHERE organization_id = $1 AND role = 'manager'")
        .bind(organization)
        .scalars(&mut *tx)
        .await
}

/// The portal profile's changes (already checked).
pub struct ProfileChanges {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub follow_organization_items: Option<bool>,
}

/// Applies customer `id`'s profile changes in one transaction. Turning the follow
/// choice on needs the manager role (422 on `follow_organization_items`
/// otherwise); turning it off keeps the follows it already made.
pub async fn update_profile(db: &Db, id: i64, changes: &ProfileChanges) -> ApiResult<()> {
    let mut tx = db.begin_write().await?;
    let current: Option<(String, String, String, Option<String>)> = query(
        "SELECT c.email, c.first_name, c.last_name, m.role FROM customers c \
         LEFT JOIN memberships m ON m.customer_id = c.id WHERE c.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut tx)
    .await?;
    let Some((email, first, last, role)) = current else { return Err(ApiError::Unauthorized) };
    if changes.follow_organization_items == Some(true) && role.as_deref() != Some("manager") {
        return Err(ApiError::invalid(
            "follow_organization_items",
            "Only a manager of an organization can follow all of its new items.",
        ));
    }
    if changes.first_name.is_some() || changes.last_name.is_some() {
        let first = changes.first_name.clone().unwrap_or(first);
        let last = changes.last_name.clone().unwrap_or(last);
        query(
            "UPDATE customers SET first_name = $1, last_name = $2, first_key = $3, last_key = $4, sort_name = $5 \
             WHERE id = $6",
        )
        .bind(&first)
        .bind(&last)
        .bind(first.to_lowercase())
        .bind(last.to_lowercase())
        .bind(orgdesk_core::customer::customer_sort_name(&first, &last, &email))
        .bind(id)
        .execute(&mut tx)
        .await?;
    }
    if let Some(on) = changes.follow_organization_items {
        query("UPDATE customers SET follow_organization_items = $1 WHERE id = $2")
            .bind(on)
            .bind(id)
            .execute(&mut tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}
