//! An organization's members, as its panel lists and edits them: one page at a
//! time (managers first), adding an existing customer (who moves from any other
//! organization), editing a member's position and role, and removing one.
//!
//! A customer belongs to at most one organization; adding and removing follow the
//! move rules of `db::customers::moves` (open items follow the customer).

use orgdesk_core::api::organization::{Member, MemberPage, MemberRole};
use orgdesk_core::api::tickets::CustomerRef;
use orgdesk_core::paging::Paging;
use serde_json::json;

use super::history::{self, check_and_bump_version, not_found, Entry};
use orgdesk_core::word::Word;

use crate::db::customers::history as customer_history;
use crate::db::customers::moves::move_customers_in;
use crate::db::projects::CUSTOMER_NAME;
use crate::db::{query, Db};
use crate::error::{ApiError, ApiResult};
use orgdesk_core::api::customer_profile::MoveVia;

#[derive(Debug, sqlx::FromRow)]
struct MemberRow {
    id: i64,
    name: String,
    email: String,
    position: String,
    role: String,
    email_verified: bool,
    portal_account: bool,
}

impl MemberRow {
    fn into_api(self) -> Member {
        Member {
            customer: CustomerRef { id: self.id, name: self.name, email: self.email },
            position: self.position,
            role: if self.role == "manager" { MemberRole::Manager } else { MemberRole::Member },
            email_verified: self.email_verified,
            portal_account: self.portal_account,
        }
    }
}

fn member_select() -> String {
    format!(
        "SELECT c.id, {CUSTOMER_NAME} AS name, c.email, m.position, m.role, \
         (c.email_verified_at IS NOT NULL) AS email_verified, (c.password_hash IS NOT NULL) AS portal_account \
         FROM memberships m JOIN customers c ON c.id = m.customer_id"
    )
}

/// One page of members: managers first, then by name.
pub async fn members(db: &Db, id: i64, page: Paging) -> ApiResult<MemberPage> {
    let sql = format!(
        "{} WHERE m.organization_id = $1 ORDER BY CASE WHEN m.role = 'manager' THEN 0 ELSE 1 END, c.sort_name, c.id \
         LIMIT $2 OFFSET $3",
        member_select()
    );
    let exists: Option<i64> =
        query("SELECT id FROM organizations WHERE id = $1 AND deleted_at IS NULL").bind(id).optional_scalar(db).await?;
    let rows: Vec<MemberRow> = query(sql).bind(id).bind(page.limit).bind(page.offset).fetch_all(db).await?;
    let total: i64 = query("SELECT COUNT(*) FROM memberships WHERE organization_id = $1").bind(id).scalar(db).await?;
    if exists.is_none() {
        return Err(not_found());
    }
    Ok(MemberPage {
        items: rows.into_iter().map(MemberRow::into_api).collect(),
        total,
        offset: page.offset,
        limit: page.limit,
    })
}

fn no_customer() -> ApiError {
    ApiError::NotFound("There is no such customer.".into())
}

fn not_member() -> ApiError {
    ApiError::NotFound("This customer is not a member of this organization.".into())
}

/// `member_added` on `org`, saying where the customer came from.
fn member_added(
    org: i64,
    agent: Option<i64>,
    customer: i64,
    name: &str,
    (from, from_name): (Option<i64>, Option<&str>),
) -> Entry {
    let summary = match from_name {
        Some(f) => format!("Added {name} (from {f})"),
        None => format!("Added {name}"),
    };
    Entry {
        organization: org,
        agent,
        action: "member_added",
        summary,
        details: json!({ "customer_id": customer, "customer_name": name, "from_organization_id": from, "from_organization_name": from_name }),
    }
}

/// `members_moved` on `from`, which one customer left for `org`.
fn member_left(from: i64, agent: Option<i64>, customer: i64, name: &str, (org, org_name): (i64, &str)) -> Entry {
    Entry {
        organization: from,
        agent,
        action: "members_moved",
        summary: format!("{name} left for {org_name}"),
        details: json!({ "direction": "out", "count": 1, "customer_id": customer, "to_organization_id": org, "to_organization_name": org_name }),
    }
}

/// Adds an existing customer; a member of another organization moves (open items follow).
pub async fn add_member(db: &Db, id: i64, customer: i64, agent: Option<i64>, now: i64) -> ApiResult<Member> {
    let mut tx = db.begin_write().await?;
    let org: Option<String> = query("SELECT name FROM organizations WHERE id = $1 AND deleted_at IS NULL")
        .bind(id)
        .optional_scalar(&mut tx)
        .await?;
    let Some(org_name) = org else { return Err(not_found()) };
    let current: Option<(String, Option<i64>, Option<String>)> = query(format!(
        "SELECT {CUSTOMER_NAME} AS name, m.organization_id, o.name FROM customers c \
         LEFT JOIN memberships m ON m.customer_id = c.id LEFT JOIN organizations o ON o.id = m.organization_id WHERE c.id = $1"
    ))
    .bind(customer)
    .fetch_optional(&mut tx)
    .await?;
    let Some((name, from, from_name)) = current else { return Err(no_customer()) };
    if from == Some(id) {
        return Err(ApiError::conflict_on("customer_id", format!("{name} is already a member of {org_name}.")));
    }
    move_customers_in(&mut tx, &[customer], Some(id)).await?;
    customer_history::record_moves(&mut tx, &[(customer, from)], Some(id), agent, MoveVia::OrganizationPanel, now)
        .await?;
    history::record(&mut tx, &member_added(id, agent, customer, &name, (from, from_name.as_deref())), now).await?;
    if let Some(f) = from {
        history::record(&mut tx, &member_left(f, agent, customer, &name, (id, &org_name)), now).await?;
    }
    let row: MemberRow =
        query(format!("{} WHERE m.customer_id = $1", member_select())).bind(customer).fetch_one(&mut tx).await?;
    tx.commit().await?;
    Ok(row.into_api())
}

/// What changed about a member, for the `member_updated` summary (empty: nothing).
fn member_changes((old_position, new_position): (&str, &str), (old_role, new_role): (&str, &str)) -> Vec<String> {
    let mut parts = Vec::new();
    if new_position != old_position {
        parts.push(if new_position.is_empty() {
            "position cleared".to_string()
        } else {
            format!("position {new_position}")
        });
    }
    if new_role != old_role {
        parts.push(if new_role == "manager" { "now a manager" } else { "no longer a manager" }.to_string());
    }
    parts
}

/// Edits a member's position and/or role (checks and bumps the organization's version).
pub async fn update_member(
    db: &Db,
    id: i64,
    customer: i64,
    version: i64,
    (position, role): (Option<&str>, Option<&MemberRole>),
    agent: Option<i64>,
    now: i64,
) -> ApiResult<()> {
    let mut tx = db.begin_write().await?;
    check_and_bump_version(&mut tx, id, version, now).await?;
    let current: Option<(String, String, String)> = query(format!(
        "SELECT {CUSTOMER_NAME} AS name, m.position, m.role FROM memberships m JOIN customers c ON c.id = m.customer_id \
         WHERE m.customer_id = $1 AND m.organization_id = $2"
    ))
    .bind(customer)
    .bind(id)
    .fetch_optional(&mut tx)
    .await?;
    let Some((name, old_position, old_role)) = current else { return Err(not_member()) };
    let new_position = position.map(str::to_string).unwrap_or(old_position.clone());
    let new_role = role.map(|r| r.as_str().to_string()).unwrap_or(old_role.clone());
    query("UPDATE memberships SET position = $1, role = $2 WHERE customer_id = $3")
        .bind(&new_position)
        .bind(&new_role)
        .bind(customer)
        .execute(&mut tx)
        .await?;
    if old_role == "manager" && new_role != "manager" {
        crate::db::portal_policy::drop_manager_follows(&mut tx, &[customer]).await?;
    }
    let parts = member_changes((&old_position, &new_position), (&old_role, &new_role));
    if !parts.is_empty() {
        let entry = Entry {
            organization: id,
            agent,
            action: "member_updated",
            summary: format!("Updated {name}: {}", parts.join(", ")),
            details: json!({
                "customer_id": customer, "customer_name": name,
                "position": { "from": old_position, "to": new_position }, "role": { "from": old_role, "to": new_role },
            }),
        };
        history::record(&mut tx, &entry, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The customer leaves the organization (and stays, unassigned); open items follow.
pub async fn remove_member(db: &Db, id: i64, customer: i64, agent: Option<i64>, now: i64) -> ApiResult<()> {
    let mut tx = db.begin_write().await?;
    let org: Option<i64> = query("SELECT id FROM organizations WHERE id = $1 AND deleted_at IS NULL")
        .bind(id)
        .optional_scalar(&mut tx)
        .await?;
    if org.is_none() {
        return Err(not_found());
    }
    let name: Option<String> = query(format!(
        "SELECT {CUSTOMER_NAME} FROM memberships m JOIN customers c ON c.id = m.customer_id \
         WHERE m.customer_id = $1 AND m.organization_id = $2"
    ))
    .bind(customer)
    .bind(id)
    .optional_scalar(&mut tx)
    .await?;
    let Some(name) = name else { return Err(not_member()) };
    move_customers_in(&mut tx, &[customer], None).await?;
    customer_history::record_moves(&mut tx, &[(customer, Some(id))], None, agent, MoveVia::OrganizationPanel, now)
        .await?;
    let entry = Entry {
        organization: id,
        agent,
        action: "member_removed",
        summary: format!("Removed {name}"),
        details: json!({ "customer_id": customer, "customer_name": name }),
    };
    history::record(&mut tx, &entry, now).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_member_added_from_another_organization_says_where_from() {
        let entry = member_added(1, Some(7), 10, "Ann Lee", (Some(2), Some("Globex")));
        assert_eq!(entry.summary, "Added Ann Lee (from Globex)");
        assert_eq!(entry.details["from_organization_id"], 2);
        let fresh = member_added(1, None, 10, "Ann Lee", (None, None));
        assert_eq!(fresh.summary, "Added Ann Lee");
        assert_eq!(fresh.details["from_organization_name"], serde_json::Value::Null);
        let left = member_left(2, None, 10, "Ann Lee", (1, "Acme"));
        assert_eq!((left.organization, left.summary.as_str()), (2, "Ann Lee left for Acme"));
        assert_eq!(left.details["direction"], "out");
    }

    #[test]
    fn a_member_update_names_each_change_and_nothing_else() {
        assert_eq!(member_changes(("", "CEO"), ("member", "member")), ["position CEO"]);
        assert_eq!(member_changes(("CEO", ""), ("member", "manager")), ["position cleared", "now a manager"]);
        assert_eq!(member_changes(("CEO", "CEO"), ("manager", "member")), ["no longer a manager"]);
        assert!(member_changes(("CEO", "CEO"), ("member", "member")).is_empty());
    }
}
