//! Sharing projects with customers and organizations, and who sees what: the
//! sharing dialog's preview and change, a project's and an item's access lists,
//! a customer's shared projects.
//!
//! A project is shared with a customer who follows it, or whose organization
//! follows it once their email is verified (as `orgdesk_core::portal` rules). Item
//! access lists come from [`orgdesk_core::portal::reasons`], so "Who can see
//! this?" says exactly what the portal does.

use std::collections::{BTreeSet, HashSet};

use orgdesk_core::api::audit::{AuditAction, AuditTarget};
use orgdesk_core::api::sharing::{
    ItemAccess, ItemAccessPage, OrganizationName, ProjectAccess, ProjectAccessPage, ReasonCount, SharedProject,
    SharingChange, SharingPreview,
};
use orgdesk_core::api::tickets::Follower;
use orgdesk_core::portal::{may_reply, reasons, AccessReason, FollowSource, ItemFacts, OrgItemAccess, Viewer};
use serde_json::json;

use crate::db::audit::{self, Actor};
use crate::db::projects::{followers, CUSTOMER_NAME};
use crate::db::{access, decode_word, query, Db, Query};
use crate::error::ApiError;

/// The distinct ids of a list, sorted.
fn distinct(ids: &[i64]) -> BTreeSet<i64> {
    ids.iter().copied().collect()
}

/// `SELECT id FROM <table> WHERE id IN (ids)`.
fn existing(table: &str, ids: &BTreeSet<i64>) -> Query {
    // A deleted organization (kept for a restore) is no longer one to share with.
    let live = if table == "organizations" { "deleted_at IS NULL AND " } else { "" };
    let mut q = query(format!("SELECT id FROM {table} WHERE {live}id IN ("));
    q.push_list(ids.iter().copied()).push(")");
    q
}

/// The ids of `ids` that `found` lacks, as "No such customer: 7, 9."
fn missing_message(what: &str, ids: &BTreeSet<i64>, found: &[i64]) -> Option<String> {
    let found: HashSet<i64> = found.iter().copied().collect();
    let missing: Vec<String> = ids.iter().filter(|id| !found.contains(id)).map(i64::to_string).collect();
    (!missing.is_empty()).then(|| format!("No such {what}: {}.", missing.join(", ")))
}

/// A change checked for sense: the same follower both added and removed is a 422.
struct Checked {
    add_customers: BTreeSet<i64>,
    add_organizations: BTreeSet<i64>,
    remove_customers: BTreeSet<i64>,
    remove_organizations: BTreeSet<i64>,
}

fn check(change: &SharingChange) -> Result<Checked, ApiError> {
    let c = Checked {
        add_customers: distinct(&change.add_customers),
        add_organizations: distinct(&change.add_organizations),
        remove_customers: distinct(&change.remove_customers),
        remove_organizations: distinct(&change.remove_organizations),
    };
    if c.add_customers.intersection(&c.remove_customers).next().is_some() {
        return Err(ApiError::invalid("remove_customers", "A customer cannot be both added and removed."));
    }
    if c.add_organizations.intersection(&c.remove_organizations).next().is_some() {
        return Err(ApiError::invalid("remove_organizations", "An organization cannot be both added and removed."));
    }
    Ok(c)
}

/// The statements that check the added customers and organizations exist (run
/// them where the change runs: on the pool for a preview, in the transaction to apply).
fn existence_checks(c: &Checked) -> [(Option<Query>, &'static str, &'static str); 2] {
    [
        ((!c.add_customers.is_empty()).then(|| existing("customers", &c.add_customers)), "add_customers", "customer"),
        (
            (!c.add_organizations.is_empty()).then(|| existing("organizations", &c.add_organizations)),
            "add_organizations",
            "organization",
        ),
    ]
}

fn found_all(c: &Checked, field: &str, what: &str, found: &[i64]) -> Result<(), ApiError> {
    let ids = if field == "add_customers" { &c.add_customers } else { &c.add_organizations };
    match missing_message(what, ids, found) {
        Some(message) => Err(ApiError::invalid(field, message)),
        None => Ok(()),
    }
}

/// The project's followers now: (customers, organizations).
async fn follower_ids(db: &Db, project_id: i64) -> Result<(BTreeSet<i64>, BTreeSet<i64>), sqlx::Error> {
    let customers: Vec<i64> =
        query("SELECT customer_id FROM project_followers WHERE project_id = $1 AND customer_id IS NOT NULL")
            .bind(project_id)
            .scalars(db)
            .await?;
    let organizations: Vec<i64> =
        query("SELECT organization_id FROM project_followers WHERE project_id = $1 AND organization_id IS NOT NULL")
            .bind(project_id)
            .scalars(db)
            .await?;
    Ok((customers.into_iter().collect(), organizations.into_iter().collect()))
}

#[derive(sqlx::FromRow)]
struct MemberRow {
    customer_id: i64,
    organization_id: i64,
    verified: i64,
}

/// What applying `change` to project `project_id` would do; `Ok(None)` when there is no such project.
pub async fn preview(db: &Db, project_id: i64, change: &SharingChange) -> Result<Option<SharingPreview>, ApiError> {
    let c = check(change)?;
    if crate::db::projects::archived(db, project_id).await?.is_none() {
        return Ok(None);
    }
    for (q, field, what) in existence_checks(&c) {
        if let Some(q) = q {
            let found: Vec<i64> = q.scalars(db).await?;
            found_all(&c, field, what, &found)?;
        }
    }
    let (now_c, now_o) = follower_ids(db, project_id).await?;
    let next_c: BTreeSet<i64> =
        now_c.union(&c.add_customers).filter(|id| !c.remove_customers.contains(id)).copied().collect();
    let next_o: BTreeSet<i64> =
        now_o.union(&c.add_organizations).filter(|id| !c.remove_organizations.contains(id)).copied().collect();
    let all_o: BTreeSet<i64> = now_o.union(&next_o).copied().collect();
    let members: Vec<MemberRow> = if all_o.is_empty() {
        Vec::new()
    } else {
        let mut q = query(
            "SELECT m.customer_id, m.organization_id, \
             CAST(CASE WHEN c.email_verified_at IS NULL THEN 0 ELSE 1 END AS BIGINT) AS verified \
             FROM memberships m JOIN customers c ON c.id = m.customer_id WHERE m.organization_id IN (",
        );
        q.push_list(all_o.iter().copied()).push(")");
        q.fetch_all(db).await?
    };
    let with_access = |customers: &BTreeSet<i64>, orgs: &BTreeSet<i64>| -> HashSet<i64> {
        let mut set: HashSet<i64> = customers.iter().copied().collect();
        set.extend(
            members.iter().filter(|m| m.verified != 0 && orgs.contains(&m.organization_id)).map(|m| m.customer_id),
        );
        set
    };
    let before = with_access(&now_c, &now_o);
    let after = with_access(&next_c, &next_o);
    let added_o: BTreeSet<i64> = next_o.difference(&now_o).copied().collect();
    let unverified_members = members
        .iter()
        .filter(|m| m.verified == 0 && added_o.contains(&m.organization_id) && !after.contains(&m.customer_id))
        .count() as i64;
    let organizations_added: Vec<OrganizationName> = if added_o.is_empty() {
        Vec::new()
    } else {
        let mut q = query("SELECT id, name FROM organizations WHERE id IN (");
        q.push_list(added_o.iter().copied()).push(") ORDER BY name_key, id");
        q.fetch_all::<(i64, String)>(db).await?.into_iter().map(|(id, name)| OrganizationName { id, name }).collect()
    };
    let policy = access::policy(db).await?;
    let items_visible: i64 = if policy.project_items {
        query("SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM project_item_counts WHERE project_id = $1")
            .bind(project_id)
            .scalar(db)
            .await?
    } else {
        0
    };
    Ok(Some(SharingPreview {
        customers_gaining: after.difference(&before).count() as i64,
        customers_losing: before.difference(&after).count() as i64,
        organizations_added,
        unverified_members,
        items_visible,
        project_items_enabled: policy.project_items,
        adds_followers: next_c.difference(&now_c).next().is_some() || !added_o.is_empty(),
    }))
}

/// Applies `change` (all of it or nothing), records it in the audit log as done by
/// `actor`, and returns the followers; `Ok(None)` when there is no such project.
/// Adding a follower twice or removing one that does not follow changes nothing, so
/// two people saving the same change both succeed.
pub async fn apply(
    db: &Db,
    project_id: i64,
    change: &SharingChange,
    actor: &Actor,
    now: i64,
) -> Result<Option<Vec<Follower>>, ApiError> {
    let c = check(change)?;
    let mut tx = db.begin_write().await?;
    let project: Option<String> =
        query("SELECT name FROM projects WHERE id = $1").bind(project_id).optional_scalar(&mut tx).await?;
    let Some(project_name) = project else {
        return Ok(None);
    };
    for (q, field, what) in existence_checks(&c) {
        if let Some(q) = q {
            let found: Vec<i64> = q.scalars(&mut tx).await?;
            found_all(&c, field, what, &found)?;
        }
    }
    for (ids, column) in [(&c.remove_customers, "customer_id"), (&c.remove_organizations, "organization_id")] {
        if ids.is_empty() {
            continue;
        }
        let mut q = query(format!("DELETE FROM project_followers WHERE project_id = $1 AND {column} IN ("));
        q = q.bind(project_id);
        q.push_list(ids.iter().copied()).push(")");
        q.execute(&mut tx).await?;
    }
    for (ids, column, table) in
        [(&c.add_customers, "customer_id", "customers"), (&c.add_organizations, "organization_id", "organizations")]
    {
        if ids.is_empty() {
            continue;
        }
        let mut q = query(format!(
            "INSERT INTO project_followers (project_id, {column}, created_at) SELECT $1, id, $2 FROM {table} WHERE id IN ("
        ));
        q = q.bind(project_id).bind(now);
        q.push_list(ids.iter().copied()).push(") ON CONFLICT DO NOTHING");
        q.execute(&mut tx).await?;
    }
    if !change.is_empty() {
        let detail = json!({
            "add_customers": c.add_customers,
            "add_organizations": c.add_organizations,
            "remove_customers": c.remove_customers,
            "remove_organizations": c.remove_organizations,
        });
        let entry = actor.entry(
            AuditAction::ProjectSharingChanged,
            AuditTarget::Project,
            Some(project_id),
            project_name,
            detail,
        );
        audit::record(&mut tx, &entry, now).await?;
    }
    tx.commit().await?;
    Ok(Some(followers(db, project_id).await?))
}

/// Customers who follow project `$1` themselves or through their organization (verified).
const PROJECT_ACCESS_SET: &str =
    "SELECT customer_id FROM project_followers WHERE project_id = $1 AND customer_id IS NOT NULL \
     UNION SELECT m.customer_id FROM project_followers pf JOIN memberships m ON m.organization_id = pf.organization_id \
     JOIN customers v ON v.id = m.customer_id WHERE pf.project_id = $1 AND v.email_verified_at IS NOT NULL";

#[derive(sqlx::FromRow)]
struct ProjectAccessRow {
    customer_id: i64,
    name: String,
    email: String,
    direct: i64,
    organization_id: Option<i64>,
    organization_name: Option<String>,
}

/// A page of the customers project `project_id` is shared with, by name; `Ok(None)` when there is no such project.
pub async fn project_access(
    db: &Db,
    project_id: i64,
    offset: i64,
    limit: i64,
) -> Result<Option<ProjectAccessPage>, sqlx::Error> {
    if crate::db::projects::archived(db, project_id).await?.is_none() {
        return Ok(None);
    }
    let rows: Vec<ProjectAccessRow> = query(format!(
        "SELECT c.id AS customer_id, {CUSTOMER_NAME} AS name, c.email, \
         CAST(CASE WHEN d.customer_id IS NULL THEN 0 ELSE 1 END AS BIGINT) AS direct, \
         CASE WHEN c.email_verified_at IS NOT NULL THEN o.id END AS organization_id, \
         CASE WHEN c.email_verified_at IS NOT NULL THEN o.name END AS organization_name \
         FROM customers c \
         LEFT JOIN project_followers d ON d.project_id = $1 AND d.customer_id = c.id \
         LEFT JOIN memberships m ON m.customer_id = c.id \
         LEFT JOIN project_followers po ON po.project_id = $1 AND po.organization_id = m.organization_id \
         LEFT JOIN organizations o ON o.id = po.organization_id \
         WHERE c.id IN ({PROJECT_ACCESS_SET}) ORDER BY c.sort_name, c.id LIMIT $2 OFFSET $3"
    ))
    .bind(project_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(db)
    .await?;
    let total: i64 =
        query(format!("SELECT COUNT(*) FROM ({PROJECT_ACCESS_SET}) x")).bind(project_id).scalar(db).await?;
    let direct_total: i64 =
        query("SELECT COUNT(*) FROM project_followers WHERE project_id = $1 AND customer_id IS NOT NULL")
            .bind(project_id)
            .scalar(db)
            .await?;
    let members = |verified: bool| {
        query(format!(
            "SELECT COUNT(*) FROM project_followers pf JOIN memberships m ON m.organization_id = pf.organization_id \
             JOIN customers c ON c.id = m.customer_id WHERE pf.project_id = $1 AND c.email_verified_at IS {} NULL",
            if verified { "NOT" } else { "" }
        ))
        .bind(project_id)
    };
    let through_organization_total: i64 = members(true).scalar(db).await?;
    let unverified_members: i64 = members(false).scalar(db).await?;
    let items = rows
        .into_iter()
        .map(|r| ProjectAccess {
            customer_id: r.customer_id,
            name: r.name,
            email: r.email,
            direct: r.direct != 0,
            through_organization: r
                .organization_id
                .zip(r.organization_name)
                .map(|(id, name)| OrganizationName { id, name }),
        })
        .collect();
    Ok(Some(ProjectAccessPage {
        items,
        total,
        direct_total,
        through_organization_total,
        unverified_members,
        offset,
        limit,
    }))
}

#[derive(sqlx::FromRow)]
struct SharedProjectRow {
    id: i64,
    name: String,
    archived: bool,
    direct: i64,
    organization_id: Option<i64>,
    organization_name: Option<String>,
}

/// The projects shared with customer `customer_id`, directly or through their
/// organization, by name; `Ok(None)` when there is no such customer.
pub async fn shared_projects(db: &Db, customer_id: i64) -> Result<Option<Vec<SharedProject>>, sqlx::Error> {
    let verified: Option<Option<i64>> =
        query("SELECT email_verified_at FROM customers WHERE id = $1").bind(customer_id).optional_scalar(db).await?;
    let Some(verified) = verified.map(|v| v.is_some()) else { return Ok(None) };
    let rows: Vec<SharedProjectRow> = query(
        "SELECT p.id, p.name, p.archived, \
         CAST(CASE WHEN d.customer_id IS NULL THEN 0 ELSE 1 END AS BIGINT) AS direct, \
         o.id AS organization_id, o.name AS organization_name \
         FROM projects p \
         LEFT JOIN project_followers d ON d.project_id = p.id AND d.customer_id = $1 \
         LEFT JOIN memberships m ON m.customer_id = $1 \
         LEFT JOIN project_followers po ON po.project_id = p.id AND po.organization_id = m.organization_id \
         LEFT JOIN organizations o ON o.id = po.organization_id \
         WHERE p.id IN (SELECT project_id FROM project_followers WHERE customer_id = $1 \
            UNION SELECT f.project_id FROM project_followers f JOIN memberships mm ON mm.organization_id = f.organization_id \
            WHERE mm.customer_id = $1) \
         ORDER BY p.name_key, p.id",
    )
    .bind(customer_id)
    .fetch_all(db)
    .await?;
    Ok(Some(
        rows.into_iter()
            .map(|r| {
                let direct = r.direct != 0;
                let through_organization =
                    r.organization_id.zip(r.organization_name).map(|(id, name)| OrganizationName { id, name });
                SharedProject {
                    id: r.id,
                    name: r.name,
                    archived: r.archived,
                    direct,
                    access: direct || (verified && through_organization.is_some()),
                    through_organization,
                }
            })
            .collect(),
    ))
}

#[derive(sqlx::FromRow)]
struct ItemRow {
    requester_id: Option<i64>,
    organization_id: Option<i64>,
    project_id: i64,
    portal_visibility: Option<String>,
}

/// Appends the ids of every customer who may see the item (the reverse of
/// `access::push_visible_item_ids`): requester, followers, the organization's
/// verified managers (members too when its visibility allows), with project
/// items shown the project's followers, directly or (verified) through their
/// organization, and the members of the usergroups that grant the project
/// (individually, or verified through a linked organization).
fn push_item_audience(
    q: &mut Query,
    item_id: i64,
    item: &ItemRow,
    organization_items: OrgItemAccess,
    project_items: bool,
) {
    q.push("SELECT requester_id FROM items WHERE id = ").push_bind(item_id).push(" AND requester_id IS NOT NULL");
    q.push(" UNION SELECT customer_id FROM item_followers WHERE item_id = ").push_bind(item_id);
    if let Some(org) = item.organization_id {
        q.push(
            " UNION SELECT m.customer_id FROM memberships m JOIN customers v ON v.id = m.customer_id \
             WHERE v.email_verified_at IS NOT NULL AND m.organization_id = ",
        )
        .push_bind(org);
        if organization_items < OrgItemAccess::Read {
            q.push(" AND m.role = 'manager'");
        }
    }
    if project_items {
        q.push(" UNION SELECT customer_id FROM project_followers WHERE customer_id IS NOT NULL AND project_id = ")
            .push_bind(item.project_id);
        q.push(
            " UNION SELECT m.customer_id FROM project_followers pf JOIN memberships m ON m.organization_id = pf.organization_id \
             JOIN customers v ON v.id = m.customer_id WHERE v.email_verified_at IS NOT NULL AND pf.project_id = ",
        )
        .push_bind(item.project_id);
    }
    q.push(
        " UNION SELECT gm.customer_id FROM usergroup_projects up JOIN usergroup_members gm \
         ON gm.usergroup_id = up.usergroup_id WHERE up.project_id = ",
    )
    .push_bind(item.project_id);
    q.push(
        " UNION SELECT m.customer_id FROM usergroup_projects up JOIN usergroup_organizations uo \
         ON uo.usergroup_id = up.usergroup_id JOIN memberships m ON m.organization_id = uo.organization_id \
         JOIN customers v ON v.id = m.customer_id WHERE v.email_verified_at IS NOT NULL AND up.project_id = ",
    )
    .push_bind(item.project_id);
}

#[derive(sqlx::FromRow)]
struct AudienceRow {
    id: i64,
    name: String,
    email: String,
    organization_id: Option<i64>,
    role: Option<String>,
    verified: i64,
    portal_visibility: Option<String>,
    follow_source: Option<String>,
    follows_project: i64,
    organization_follows_project: i64,
    usergroup_project: Option<i64>,
    organization_usergroup_project: Option<i64>,
}

/// "Who can see this?": a page of the customers who may see item `item_id` in the
/// portal, each with the reasons the portal itself would give, and how many
/// customers each reason covers; `Ok(None)` when there is no such item.
pub async fn item_access(
    db: &Db,
    item_id: i64,
    offset: i64,
    limit: i64,
) -> Result<Option<ItemAccessPage>, sqlx::Error> {
    let policy = access::policy(db).await?;
    let item: Option<ItemRow> = query(
        "SELECT i.requester_id, i.organization_id, i.project_id, o.portal_visibility FROM items i \
         LEFT JOIN organizations o ON o.id = i.organization_id WHERE i.id = $1",
    )
    .bind(item_id)
    .fetch_optional(db)
    .await?;
    let Some(item) = item else { return Ok(None) };
    let override_ = item.portal_visibility.as_deref().map(decode_word::<OrgItemAccess>).transpose()?;
    let org_items = OrgItemAccess::effective(policy.organization_items, override_);

    let mut page = query(format!(
        "SELECT c.id, {CUSTOMER_NAME} AS name, c.email, m.organization_id, m.role, \
         CAST(CASE WHEN c.email_verified_at IS NULL THEN 0 ELSE 1 END AS BIGINT) AS verified, \
         o.portal_visibility, f.source AS follow_source, \
         CAST(CASE WHEN EXISTS (SELECT 1 FROM project_followers pf WHERE pf.project_id = $1 AND pf.customer_id = c.id) \
              THEN 1 ELSE 0 END AS BIGINT) AS follows_project, \
         CAST(CASE WHEN EXISTS (SELECT 1 FROM project_followers pf WHERE pf.project_id = $1 \
              AND pf.organization_id = m.organization_id) THEN 1 ELSE 0 END AS BIGINT) AS organization_follows_project, \
         {ug} AS usergroup_project, {ug_org} AS organization_usergroup_project \
         FROM customers c LEFT JOIN memberships m ON m.customer_id = c.id \
         LEFT JOIN organizations o ON o.id = m.organization_id \
         LEFT JOIN item_followers f ON f.item_id = $2 AND f.customer_id = c.id \
         WHERE c.id IN (",
        ug = access::usergroup_grant_sql(true, "c.id", "m.organization_id", "$1"),
        ug_org = access::usergroup_grant_sql(false, "c.id", "m.organization_id", "$1"),
    ))
    .bind(item.project_id)
    .bind(item_id);
    push_item_audience(&mut page, item_id, &item, org_items, policy.project_items);
    page.push(") ORDER BY c.sort_name, c.id LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
    let rows: Vec<AudienceRow> = page.fetch_all(db).await?;

    let mut count = query("SELECT COUNT(*) FROM (");
    push_item_audience(&mut count, item_id, &item, org_items, policy.project_items);
    count.push(") x");
    let total: i64 = count.scalar(db).await?;

    let mut items = Vec::with_capacity(rows.len());
    for r in rows {
        let override_ = r.portal_visibility.as_deref().map(decode_word::<OrgItemAccess>).transpose()?;
        let viewer = Viewer {
            customer_id: r.id,
            organization_id: r.organization_id,
            manager: r.role.as_deref() == Some("manager"),
            verified: r.verified != 0,
            organization_items: match r.organization_id {
                Some(_) => OrgItemAccess::effective(policy.organization_items, override_),
                None => OrgItemAccess::Own,
            },
            project_items: policy.project_items,
        };
        let facts = ItemFacts {
            requester_id: item.requester_id,
            organization_id: item.organization_id,
            follows: r.follow_source.as_deref().map(decode_word::<FollowSource>).transpose()?,
            follows_project: r.follows_project != 0,
            organization_follows_project: r.organization_follows_project != 0,
            usergroup_project: r.usergroup_project.map(|g| g != 0),
            organization_usergroup_project: r.organization_usergroup_project.map(|g| g != 0),
        };
        let why = reasons(&viewer, &facts);
        let reply = may_reply(&viewer, &why);
        items.push(ItemAccess { customer_id: r.id, name: r.name, email: r.email, reasons: why, may_reply: reply });
    }

    let mut counts = Vec::new();
    if item.requester_id.is_some() {
        counts.push(ReasonCount { reason: AccessReason::Requester, count: 1 });
    }
    for (reason, source) in
        [(AccessReason::Follower, FollowSource::Direct), (AccessReason::ManagerFollower, FollowSource::Manager)]
    {
        let n: i64 = query("SELECT COUNT(*) FROM item_followers WHERE item_id = $1 AND source = $2")
            .bind(item_id)
            .bind(orgdesk_core::word::Word::as_str(source))
            .scalar(db)
            .await?;
        counts.push(ReasonCount { reason, count: n });
    }
    if let Some(org) = item.organization_id {
        let verified_members = |role: &'static str| {
            query(format!(
                "SELECT COUNT(*) FROM memberships m JOIN customers c ON c.id = m.customer_id \
                 WHERE m.organization_id = $1 AND c.email_verified_at IS NOT NULL AND m.role {role}"
            ))
            .bind(org)
        };
        let managers: i64 = verified_members("= 'manager'").scalar(db).await?;
        counts.push(ReasonCount { reason: AccessReason::Manager, count: managers });
        if org_items >= OrgItemAccess::Read {
            let members: i64 = verified_members("<> 'manager'").scalar(db).await?;
            counts.push(ReasonCount { reason: AccessReason::OrganizationMember, count: members });
        }
    }
    if policy.project_items {
        let direct: i64 =
            query("SELECT COUNT(*) FROM project_followers WHERE project_id = $1 AND customer_id IS NOT NULL")
                .bind(item.project_id)
                .scalar(db)
                .await?;
        counts.push(ReasonCount { reason: AccessReason::ProjectFollower, count: direct });
        let through: i64 = query(
            "SELECT COUNT(*) FROM project_followers pf JOIN memberships m ON m.organization_id = pf.organization_id \
             JOIN customers c ON c.id = m.customer_id WHERE pf.project_id = $1 AND c.email_verified_at IS NOT NULL",
        )
        .bind(item.project_id)
        .scalar(db)
        .await?;
        counts.push(ReasonCount { reason: AccessReason::ProjectFollowerThroughOrganization, count: through });
    }
    let mut in_groups = query("SELECT COUNT(*) FROM (");
    push_usergroup_audience(&mut in_groups, item.project_id, false);
    in_groups.push(") x");
    let in_groups: i64 = in_groups.scalar(db).await?;
    // A customer in a group that allows replies and in one that does not counts once, as allowed.
    let mut replying = query("SELECT COUNT(*) FROM (");
    push_usergroup_audience(&mut replying, item.project_id, true);
    replying.push(") x");
    let replying: i64 = replying.scalar(db).await?;
    counts.push(ReasonCount { reason: AccessReason::Usergroup, count: replying });
    counts.push(ReasonCount { reason: AccessReason::UsergroupReadOnly, count: in_groups - replying });
    counts.retain(|c| c.count > 0);
    Ok(Some(ItemAccessPage { items, total, reasons: counts, offset, limit }))
}

/// Appends the distinct customers the usergroups granting `project` give access
/// (individual members, and verified members of linked organizations); with
/// `replying`, only through groups that allow replies.
fn push_usergroup_audience(q: &mut Query, project: i64, replying: bool) {
    let only = if replying { " AND g.may_reply" } else { "" };
    q.push(
        "SELECT gm.customer_id FROM usergroup_projects up JOIN usergroups g ON g.id = up.usergroup_id \
         JOIN usergroup_members gm ON gm.usergroup_id = up.usergroup_id WHERE up.project_id = ",
    )
    .push_bind(project)
    .push(only);
    q.push(
        " UNION SELECT m.customer_id FROM usergroup_projects up JOIN usergroups g ON g.id = up.usergroup_id \
         JOIN usergroup_organizations uo ON uo.usergroup_id = up.usergroup_id \
         JOIN memberships m ON m.organization_id = uo.organization_id \
         JOIN customers v ON v.id = m.customer_id WHERE v.email_verified_at IS NOT NULL AND up.project_id = ",
    )
    .push_bind(project)
    .push(only);
}
