//! Who sees what in the customer portal: the SQL side of `orgdesk_core::portal`.
//!
//! Every portal path (lists, search, counts, one item, its replies and files)
//! asks this module, and nothing else, whether a customer may see an item:
//! [`push_visible_item_ids`] for sets of items, [`item_reasons`] for one. Both read
//! the membership, the role and the verified state at the moment of the request,
//! so a customer who leaves an organization or loses the manager role loses the
//! access it gave at once.

use orgdesk_core::portal::{
    reasons, AccessReason, FollowSource, ItemFacts, OrgItemAccess, PortalFields, PortalPolicy, Viewer,
};

use crate::db::{decode_word, query, Db, Query};

/// Settings keys of Administration > Portal.
pub const ORGANIZATION_ITEMS: &str = "portal_organization_items";
pub const PROJECT_ITEMS: &str = "portal_project_items";
pub const SELF_REGISTRATION: &str = "portal_self_registration";
pub const FIELDS: &str = "portal_fields";

/// The portal settings (defaults where unset: own items only, no project items, no
/// self-registration, the default fields).
pub async fn policy<'c>(db: impl Into<crate::db::tx::Exec<'c>>) -> Result<PortalPolicy, sqlx::Error> {
    let rows: Vec<(String, String)> = query("SELECT key, value FROM settings WHERE key IN ($1, $2, $3, $4)")
        .bind(ORGANIZATION_ITEMS)
        .bind(PROJECT_ITEMS)
        .bind(SELF_REGISTRATION)
        .bind(FIELDS)
        .fetch_all(db)
        .await?;
    let mut policy = PortalPolicy::default();
    for (key, value) in rows {
        match key.as_str() {
            ORGANIZATION_ITEMS => policy.organization_items = decode_word(&value)?,
            PROJECT_ITEMS => policy.project_items = value == "true",
            SELF_REGISTRATION => policy.self_registration = value == "true",
            FIELDS => {
                policy.fields = serde_json::from_str::<PortalFields>(&value)
                    .map_err(|e| sqlx::Error::Decode(format!("{FIELDS}: {e}").into()))?
            }
            _ => {}
        }
    }
    Ok(policy)
}

#[derive(sqlx::FromRow)]
struct ViewerRow {
    organization_id: Option<i64>,
    role: Option<String>,
    email_verified_at: Option<i64>,
    portal_visibility: Option<String>,
}

/// What decides what customer `customer_id` sees, read now; `None` when there is
/// no such customer.
pub async fn viewer(db: &Db, customer_id: i64) -> Result<Option<Viewer>, sqlx::Error> {
    let policy = policy(db).await?;
    let row: Option<ViewerRow> = query(
        "SELECT m.organization_id, m.role, c.email_verified_at, o.portal_visibility \
         FROM customers c LEFT JOIN memberships m ON m.customer_id = c.id \
         LEFT JOIN organizations o ON o.id = m.organization_id WHERE c.id = $1",
    )
    .bind(customer_id)
    .fetch_optional(db)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let override_ = row.portal_visibility.as_deref().map(decode_word::<OrgItemAccess>).transpose()?;
    let organization_items = match row.organization_id {
        Some(_) => OrgItemAccess::effective(policy.organization_items, override_),
        None => OrgItemAccess::Own,
    };
    Ok(Some(Viewer {
        customer_id,
        organization_id: row.organization_id,
        manager: row.role.as_deref() == Some("manager"),
        verified: row.email_verified_at.is_some(),
        organization_items,
        project_items: policy.project_items,
    }))
}

/// Appends a subquery (no surrounding parentheses) selecting the ids of every item
/// `viewer` may see, for `i.id IN (...)`. Each branch uses an index: requester,
/// item followers by customer, items by organization, project followers.
pub fn push_visible_item_ids(q: &mut Query, viewer: &Viewer) {
    q.push("SELECT id FROM items WHERE requester_id = ").push_bind(viewer.customer_id);
    q.push(" UNION SELECT item_id FROM item_followers WHERE customer_id = ").push_bind(viewer.customer_id);
    if let Some(org) = viewer.sees_organization() {
        q.push(" UNION SELECT id FROM items WHERE organization_id = ").push_bind(org);
    }
    if viewer.project_items {
        q.push(
            " UNION SELECT it.id FROM project_followers pf JOIN items it ON it.project_id = pf.project_id \
             WHERE pf.customer_id = ",
        )
        .push_bind(viewer.customer_id);
    }
    if let Some(org) = viewer.shares_through() {
        q.push(
            " UNION SELECT it.id FROM project_followers pf JOIN items it ON it.project_id = pf.project_id \
             WHERE pf.organization_id = ",
        )
        .push_bind(org);
    }
    q.push(
        " UNION SELECT it.id FROM usergroup_projects up JOIN items it ON it.project_id = up.project_id \
         WHERE up.usergroup_id IN (",
    );
    push_viewer_usergroups(q, viewer);
    q.push(")");
}

/// Appends a subquery (no parentheses) selecting the ids of the usergroups that
/// grant `viewer` something: those they are in individually, and (email verified)
/// those linked to their organization, read now (`orgdesk_core::portal`'s rule 4).
/// Each branch uses an index: members by customer, links by organization.
pub fn push_viewer_usergroups(q: &mut Query, viewer: &Viewer) {
    q.push("SELECT usergroup_id FROM usergroup_members WHERE customer_id = ").push_bind(viewer.customer_id);
    if let Some(org) = viewer.organization_id.filter(|_| viewer.verified) {
        q.push(" UNION SELECT usergroup_id FROM usergroup_organizations WHERE organization_id = ").push_bind(org);
    }
}

/// The SQL of one customer's usergroup grant on a project (the SQL expressions of
/// the customer's id, their organization's and the project's): NULL when no group of
/// the kind (`individual`, or linked to the organization) lists the project, else 1
/// when one of them allows replies, 0 when none does.
pub fn usergroup_grant_sql(individual: bool, customer: &str, organization: &str, project: &str) -> String {
    let (table, column, id) = if individual {
        ("usergroup_members", "customer_id", customer)
    } else {
        ("usergroup_organizations", "organization_id", organization)
    };
    format!(
        "(SELECT CAST(MAX(CASE WHEN g.may_reply THEN 1 ELSE 0 END) AS BIGINT) FROM {table} gm \
         JOIN usergroup_projects up ON up.usergroup_id = gm.usergroup_id JOIN usergroups g ON g.id = gm.usergroup_id \
         WHERE gm.{column} = {id} AND up.project_id = {project})"
    )
}

#[derive(sqlx::FromRow)]
struct FactsRow {
    requester_id: Option<i64>,
    organization_id: Option<i64>,
    follow_source: Option<String>,
    follows_project: i64,
    organization_follows_project: i64,
    usergroup_project: Option<i64>,
    organization_usergroup_project: Option<i64>,
}

/// Why `viewer` sees item `item_id`: `None` when the item does not exist or they
/// may not see it (the portal answers 404 for both), else the non-empty reasons.
pub async fn item_reasons(db: &Db, viewer: &Viewer, item_id: i64) -> Result<Option<Vec<AccessReason>>, sqlx::Error> {
    let row: Option<FactsRow> = query(format!(
        "SELECT i.requester_id, i.organization_id, \
         (SELECT f.source FROM item_followers f WHERE f.item_id = i.id AND f.customer_id = $2) AS follow_source, \
         CAST(CASE WHEN EXISTS (SELECT 1 FROM project_followers pf WHERE pf.project_id = i.project_id \
              AND pf.customer_id = $2) THEN 1 ELSE 0 END AS BIGINT) AS follows_project, \
         CAST(CASE WHEN EXISTS (SELECT 1 FROM project_followers pf WHERE pf.project_id = i.project_id \
              AND pf.organization_id = $3) THEN 1 ELSE 0 END AS BIGINT) AS organization_follows_project, \
         {} AS usergroup_project, {} AS organization_usergroup_project \
         FROM items i WHERE i.id = $1",
        usergroup_grant_sql(true, "$2", "$3", "i.project_id"),
        usergroup_grant_sql(false, "$2", "$3", "i.project_id"),
    ))
    .bind(item_id)
    .bind(viewer.customer_id)
    .bind(viewer.organization_id)
    .fetch_optional(db)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let facts = ItemFacts {
        requester_id: row.requester_id,
        organization_id: row.organization_id,
        follows: row.follow_source.as_deref().map(decode_word::<FollowSource>).transpose()?,
        follows_project: row.follows_project != 0,
        organization_follows_project: row.organization_follows_project != 0,
        usergroup_project: row.usergroup_project.map(|r| r != 0),
        organization_usergroup_project: row.organization_usergroup_project.map(|r| r != 0),
    };
    let found = reasons(viewer, &facts);
    Ok((!found.is_empty()).then_some(found))
}
