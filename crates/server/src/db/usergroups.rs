//! Usergroups: the groups (checked, versioned, audited), their members with each
//! one's source, their links to organizations, and a customer's groups.
//!
//! Only individual membership is stored (`usergroup_members`). Membership through
//! an organization is read as "member of organization X AND X linked to the group"
//! at the moment of the request, so future members are in the group without a
//! write and a customer who leaves the organization is out of it at once. What the
//! groups grant in the portal is `db::access`'s (and `orgdesk_core::portal`'s).

use std::collections::BTreeSet;

use orgdesk_core::api::audit::{AuditAction, AuditTarget};
use orgdesk_core::api::sharing::OrganizationName;
use orgdesk_core::api::usergroups::{
    parse_usergroup_description, parse_usergroup_name, through_organization_message, CreateUsergroupRequest,
    CustomerUsergroup, MembershipSource, UpdateUsergroupRequest, Usergroup, UsergroupLink, UsergroupMember,
    UsergroupMemberPage, UsergroupPage, UsergroupProject, MAX_LISTED_USERGROUPS,
};
use orgdesk_core::FieldErrors;
use serde_json::json;

use crate::db::audit::{self, Actor};
use crate::db::projects::CUSTOMER_NAME;
use crate::db::query::prefix_range;
use crate::db::routing::Conn;
use crate::db::tx::{Exec, Tx};
use crate::db::{query, Db, OnUnique};
use crate::error::ApiError;

pub fn not_found() -> ApiError {
    ApiError::NotFound("There is no such usergroup.".into())
}

fn stale() -> ApiError {
    ApiError::conflict_on("version", "Someone changed this usergroup: reload to see their changes, then edit again.")
}

fn taken() -> String {
    "Another usergroup has this name: choose another.".into()
}

#[derive(sqlx::FromRow)]
struct GroupRow {
    id: i64,
    name: String,
    description: String,
    may_create: bool,
    may_reply: bool,
    version: i64,
}

const GROUP_COLUMNS: &str = "id, name, description, may_create, may_reply, version";

/// The distinct customers in group `$1`, individually or through a linked organization.
const MEMBER_SET: &str = "SELECT customer_id FROM usergroup_members WHERE usergroup_id = $1 \
     UNION SELECT m.customer_id FROM usergroup_organizations uo \
     JOIN memberships m ON m.organization_id = uo.organization_id WHERE uo.usergroup_id = $1";

async fn load(c: &mut impl Conn, row: GroupRow) -> Result<Usergroup, sqlx::Error> {
    let projects: Vec<(i64, String)> = query(
        "SELECT p.id, p.name FROM usergroup_projects up JOIN projects p ON p.id = up.project_id \
         WHERE up.usergroup_id = $1 ORDER BY p.name_key, p.id",
    )
    .bind(row.id)
    .fetch_all(c.on())
    .await?;
    let organizations: Vec<(i64, String)> = query(
        "SELECT o.id, o.name FROM usergroup_organizations uo JOIN organizations o ON o.id = uo.organization_id \
         WHERE uo.usergroup_id = $1 AND o.deleted_at IS NULL ORDER BY o.name_key, o.id LIMIT $2",
    )
    .bind(row.id)
    .bind(MAX_LISTED_USERGROUPS)
    .fetch_all(c.on())
    .await?;
    let members: i64 = query(format!("SELECT COUNT(*) FROM ({MEMBER_SET}) x")).bind(row.id).scalar(c.on()).await?;
    let individual_members: i64 =
        query("SELECT COUNT(*) FROM usergroup_members WHERE usergroup_id = $1").bind(row.id).scalar(c.on()).await?;
    Ok(Usergroup {
        id: row.id,
        name: row.name,
        description: row.description,
        may_create: row.may_create,
        may_reply: row.may_reply,
        version: row.version,
        projects: projects.into_iter().map(|(id, name)| UsergroupProject { id, name }).collect(),
        organizations: organizations.into_iter().map(|(id, name)| OrganizationName { id, name }).collect(),
        members,
        individual_members,
    })
}

/// One group with its projects, linked organizations and member counts.
pub async fn get(c: &mut impl Conn, id: i64) -> Result<Option<Usergroup>, sqlx::Error> {
    let row: Option<GroupRow> =
        query(format!("SELECT {GROUP_COLUMNS} FROM usergroups WHERE id = $1")).bind(id).fetch_optional(c.on()).await?;
    match row {
        Some(row) => Ok(Some(load(c, row).await?)),
        None => Ok(None),
    }
}

/// A page of groups by name; `q` keeps those whose name starts with it.
pub async fn list(db: &Db, q: Option<&str>, offset: i64, limit: i64) -> Result<UsergroupPage, sqlx::Error> {
    let q = q.map(str::trim).filter(|q| !q.is_empty());
    let filter = if q.is_some() { " WHERE name_key >= $1 AND name_key < $2" } else { "" };
    let (from, to) = prefix_range(q.unwrap_or(""));
    let bind = |sql: String| if q.is_some() { query(sql).bind(from.clone()).bind(to.clone()) } else { query(sql) };
    let total: i64 = bind(format!("SELECT COUNT(*) FROM usergroups{filter}")).scalar(db).await?;
    let mut page = bind(format!("SELECT {GROUP_COLUMNS} FROM usergroups{filter} ORDER BY name_key, id"));
    page.push(" LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
    let rows: Vec<GroupRow> = page.fetch_all(db).await?;
    let mut items = Vec::with_capacity(rows.len());
    let mut c = db;
    for row in rows {
        items.push(load(&mut c, row).await?);
    }
    Ok(UsergroupPage { items, total, offset, limit })
}

/// The project ids of a request, checked: every one must exist (422 `project_ids`).
async fn check_projects(tx: &mut Tx, ids: &[i64], errors: &mut FieldErrors) -> Result<BTreeSet<i64>, sqlx::Error> {
    let ids: BTreeSet<i64> = ids.iter().copied().collect();
    if ids.is_empty() {
        return Ok(ids);
    }
    let mut q = query("SELECT id FROM projects WHERE id IN (");
    q.push_list(ids.iter().copied()).push(")");
    let found: BTreeSet<i64> = q.scalars::<i64>(&mut *tx).await?.into_iter().collect();
    let missing: Vec<String> = ids.difference(&found).map(i64::to_string).collect();
    if !missing.is_empty() {
        errors.insert("project_ids".into(), format!("No such project: {}.", missing.join(", ")));
    }
    Ok(ids)
}

async fn set_projects(tx: &mut Tx, id: i64, projects: &BTreeSet<i64>) -> Result<(), sqlx::Error> {
    query("DELETE FROM usergroup_projects WHERE usergroup_id = $1").bind(id).execute(&mut *tx).await?;
    if !projects.is_empty() {
        let mut q = query(
            "INSERT INTO usergroup_projects (usergroup_id, project_id) SELECT $1, id FROM projects WHERE id IN (",
        );
        q = q.bind(id);
        q.push_list(projects.iter().copied()).push(")");
        q.execute(&mut *tx).await?;
    }
    Ok(())
}

/// Adds a group (its name unique whatever the case: 409 `name`), audited.
pub async fn create(db: &Db, req: &CreateUsergroupRequest, actor: &Actor, now: i64) -> Result<Usergroup, ApiError> {
    let mut errors = FieldErrors::new();
    let name = parse_usergroup_name(&req.name).map_err(|e| errors.insert("name".into(), e)).ok();
    let description =
        parse_usergroup_description(&req.description).map_err(|e| errors.insert("description".into(), e)).ok();
    let mut tx = db.begin_write().await?;
    let projects = check_projects(&mut tx, &req.project_ids, &mut errors).await?;
    let (Some(name), Some(description)) = (name, description) else { return Err(ApiError::Validation(errors)) };
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let id: i64 = query(
        "INSERT INTO usergroups (name, name_key, description, may_create, may_reply, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
    )
    .bind(&name)
    .bind(name.to_lowercase())
    .bind(&description)
    .bind(req.may_create)
    .bind(req.may_reply)
    .bind(now)
    .scalar(&mut tx)
    .await
    .on_unique("name", taken)?;
    set_projects(&mut tx, id, &projects).await?;
    let detail = json!({
        "description": description, "may_create": req.may_create, "may_reply": req.may_reply, "projects": projects,
    });
    let entry = actor.entry(AuditAction::UsergroupCreated, AuditTarget::Usergroup, Some(id), name, detail);
    audit::record(&mut tx, &entry, now).await?;
    let group = get(&mut tx, id).await?.ok_or_else(not_found)?;
    tx.commit().await?;
    Ok(group)
}

/// Changes a group at `req.version` (else 409 `version`); absent fields stay,
/// `project_ids` replaces the projects. Audited with before and after.
pub async fn update(
    db: &Db,
    id: i64,
    req: &UpdateUsergroupRequest,
    actor: &Actor,
    now: i64,
) -> Result<Usergroup, ApiError> {
    let mut errors = FieldErrors::new();
    let name = req.name.as_deref().map(parse_usergroup_name).transpose().map_err(|e| errors.insert("name".into(), e));
    let description = req
        .description
        .as_deref()
        .map(parse_usergroup_description)
        .transpose()
        .map_err(|e| errors.insert("description".into(), e));
    let mut tx = db.begin_write().await?;
    let Some(before) = get(&mut tx, id).await? else { return Err(not_found()) };
    let projects = match &req.project_ids {
        Some(ids) => Some(check_projects(&mut tx, ids, &mut errors).await?),
        None => None,
    };
    let (Ok(name), Ok(description)) = (name, description) else { return Err(ApiError::Validation(errors)) };
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    if before.version != req.version {
        return Err(stale());
    }
    let name = name.unwrap_or_else(|| before.name.clone());
    let description = description.unwrap_or_else(|| before.description.clone());
    let may_create = req.may_create.unwrap_or(before.may_create);
    let may_reply = req.may_reply.unwrap_or(before.may_reply);
    let done = query(
        "UPDATE usergroups SET name = $3, name_key = $4, description = $5, may_create = $6, may_reply = $7, \
         version = version + 1, updated_at = $8 WHERE id = $1 AND version = $2",
    )
    .bind(id)
    .bind(req.version)
    .bind(&name)
    .bind(name.to_lowercase())
    .bind(&description)
    .bind(may_create)
    .bind(may_reply)
    .bind(now)
    .execute(&mut tx)
    .await
    .on_unique("name", taken)?;
    if done != 1 {
        return Err(stale());
    }
    if let Some(projects) = &projects {
        set_projects(&mut tx, id, projects).await?;
    }
    let after = get(&mut tx, id).await?.ok_or_else(not_found)?;
    let summary = |g: &Usergroup| {
        json!({
            "name": g.name, "description": g.description, "may_create": g.may_create, "may_reply": g.may_reply,
            "projects": g.projects.iter().map(|p| p.id).collect::<Vec<_>>(),
        })
    };
    let detail = json!({ "before": summary(&before), "after": summary(&after) });
    let entry = actor.entry(AuditAction::UsergroupChanged, AuditTarget::Usergroup, Some(id), name, detail);
    audit::record(&mut tx, &entry, now).await?;
    tx.commit().await?;
    Ok(after)
}

/// Deletes a group (its links and individual memberships go with it); audited with
/// how many members lost it. `false` when there is no such group.
pub async fn delete(db: &Db, id: i64, actor: &Actor, now: i64) -> Result<bool, ApiError> {
    let mut tx = db.begin_write().await?;
    let Some(group) = get(&mut tx, id).await? else { return Ok(false) };
    query("DELETE FROM usergroups WHERE id = $1").bind(id).execute(&mut tx).await?;
    let detail = json!({
        "members": group.members,
        "individual_members": group.individual_members,
        "organizations": group.organizations.iter().map(|o| o.id).collect::<Vec<_>>(),
        "projects": group.projects.iter().map(|p| p.id).collect::<Vec<_>>(),
    });
    let entry = actor.entry(AuditAction::UsergroupDeleted, AuditTarget::Usergroup, Some(id), group.name, detail);
    audit::record(&mut tx, &entry, now).await?;
    tx.commit().await?;
    Ok(true)
}

#[derive(sqlx::FromRow)]
struct MemberRow {
    customer_id: i64,
    name: String,
    email: String,
    individual: i64,
    organization_id: Option<i64>,
    organization_name: Option<String>,
}

impl MemberRow {
    fn member(self) -> UsergroupMember {
        UsergroupMember {
            customer_id: self.customer_id,
            name: self.name,
            email: self.email,
            source: MembershipSource {
                individual: self.individual != 0,
                through: self
                    .organization_id
                    .zip(self.organization_name)
                    .map(|(id, name)| OrganizationName { id, name }),
            },
        }
    }
}

/// The members of group `$1` with their source: `(customer_id, individual, organization_id)`,
/// one row per customer (`extra` narrows the customers, e.g. `AND x.customer_id = $2`).
fn member_sources(extra: &str) -> String {
    format!(
        "SELECT x.customer_id, CAST(MAX(x.individual) AS BIGINT) AS individual, MAX(x.organization_id) AS organization_id \
         FROM (SELECT customer_id, 1 AS individual, CAST(NULL AS BIGINT) AS organization_id \
               FROM usergroup_members WHERE usergroup_id = $1 \
               UNION ALL SELECT m.customer_id, 0, m.organization_id FROM usergroup_organizations uo \
               JOIN memberships m ON m.organization_id = uo.organization_id WHERE uo.usergroup_id = $1) x \
         WHERE 1 = 1 {extra} GROUP BY x.customer_id"
    )
}

fn member_select(extra: &str) -> String {
    format!(
        "SELECT c.id AS customer_id, {CUSTOMER_NAME} AS name, c.email, s.individual, s.organization_id, \
         o.name AS organization_name FROM ({}) s JOIN customers c ON c.id = s.customer_id \
         LEFT JOIN organizations o ON o.id = s.organization_id",
        member_sources(extra)
    )
}

/// A page of the group's members by name, each with their source; `None` when
/// there is no such group.
pub async fn members(db: &Db, id: i64, offset: i64, limit: i64) -> Result<Option<UsergroupMemberPage>, sqlx::Error> {
    let exists: Option<i64> = query("SELECT id FROM usergroups WHERE id = $1").bind(id).optional_scalar(db).await?;
    if exists.is_none() {
        return Ok(None);
    }
    let total: i64 = query(format!("SELECT COUNT(*) FROM ({MEMBER_SET}) x")).bind(id).scalar(db).await?;
    let rows: Vec<MemberRow> = query(format!("{} ORDER BY c.sort_name, c.id LIMIT $2 OFFSET $3", member_select("")))
        .bind(id)
        .bind(limit)
        .bind(offset)
        .fetch_all(db)
        .await?;
    Ok(Some(UsergroupMemberPage { items: rows.into_iter().map(MemberRow::member).collect(), total, offset, limit }))
}

async fn member<'c>(db: impl Into<Exec<'c>>, id: i64, customer: i64) -> Result<Option<UsergroupMember>, sqlx::Error> {
    let row: Option<MemberRow> =
        query(member_select("AND x.customer_id = $2")).bind(id).bind(customer).fetch_optional(db).await?;
    Ok(row.map(MemberRow::member))
}

async fn group_name(tx: &mut Tx, id: i64) -> Result<String, ApiError> {
    let name: Option<String> =
        query("SELECT name FROM usergroups WHERE id = $1").bind(id).optional_scalar(&mut *tx).await?;
    name.ok_or_else(not_found)
}

/// Adds customer `customer` to group `id` individually (already there: nothing
/// changes); 404 without the group, 422 `customer_id` without the customer.
pub async fn add_member(db: &Db, id: i64, customer: i64, actor: &Actor, now: i64) -> Result<UsergroupMember, ApiError> {
    let mut tx = db.begin_write().await?;
    let group = group_name(&mut tx, id).await?;
    let email: Option<String> =
        query("SELECT email FROM customers WHERE id = $1").bind(customer).optional_scalar(&mut tx).await?;
    let Some(email) = email else { return Err(ApiError::invalid("customer_id", "There is no such customer.")) };
    let added = query(
        "INSERT INTO usergroup_members (usergroup_id, customer_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(id)
    .bind(customer)
    .bind(now)
    .execute(&mut tx)
    .await?;
    if added == 1 {
        let detail = json!({ "added_customer": customer, "email": email });
        let entry =
            actor.entry(AuditAction::UsergroupMembershipChanged, AuditTarget::Usergroup, Some(id), group, detail);
        audit::record(&mut tx, &entry, now).await?;
    }
    let member = member(&mut tx, id, customer).await?.ok_or_else(not_found)?;
    tx.commit().await?;
    Ok(member)
}

/// Removes the individual membership of `customer` in group `id`. A customer who is
/// in the group only through their organization cannot be removed so: 409 naming
/// the organization. 404 when there is no such group or they are not in it.
pub async fn remove_member(db: &Db, id: i64, customer: i64, actor: &Actor, now: i64) -> Result<(), ApiError> {
    let mut tx = db.begin_write().await?;
    let group = group_name(&mut tx, id).await?;
    let removed = query("DELETE FROM usergroup_members WHERE usergroup_id = $1 AND customer_id = $2")
        .bind(id)
        .bind(customer)
        .execute(&mut tx)
        .await?;
    if removed == 1 {
        let detail = json!({ "removed_customer": customer });
        let entry =
            actor.entry(AuditAction::UsergroupMembershipChanged, AuditTarget::Usergroup, Some(id), group, detail);
        audit::record(&mut tx, &entry, now).await?;
        tx.commit().await?;
        return Ok(());
    }
    match member(&mut tx, id, customer).await? {
        Some(UsergroupMember { name, source: MembershipSource { through: Some(org), .. }, .. }) => {
            Err(ApiError::conflict_on("customer_id", through_organization_message(&name, &group, &org.name)))
        }
        _ => Err(ApiError::NotFound("This customer is not in this usergroup.".into())),
    }
}

/// The groups linked to organization `org`, by name; `None` without the organization.
pub async fn organization_links(db: &Db, org: i64) -> Result<Option<Vec<UsergroupLink>>, sqlx::Error> {
    let exists: Option<i64> = query("SELECT id FROM organizations WHERE id = $1 AND deleted_at IS NULL")
        .bind(org)
        .optional_scalar(db)
        .await?;
    if exists.is_none() {
        return Ok(None);
    }
    let rows: Vec<(i64, String, i64)> = query(
        "SELECT g.id, g.name, CAST((SELECT COUNT(*) FROM memberships m WHERE m.organization_id = uo.organization_id \
           AND NOT EXISTS (SELECT 1 FROM usergroup_members gm WHERE gm.usergroup_id = g.id \
           AND gm.customer_id = m.customer_id)) AS BIGINT) \
         FROM usergroup_organizations uo JOIN usergroups g ON g.id = uo.usergroup_id \
         WHERE uo.organization_id = $1 ORDER BY g.name_key, g.id LIMIT $2",
    )
    .bind(org)
    .bind(MAX_LISTED_USERGROUPS)
    .fetch_all(db)
    .await?;
    Ok(Some(
        rows.into_iter()
            .map(|(usergroup_id, name, members_through_link)| UsergroupLink {
                usergroup_id,
                name,
                members_through_link,
            })
            .collect(),
    ))
}

async fn organization_name(tx: &mut Tx, org: i64) -> Result<String, ApiError> {
    let name: Option<String> = query("SELECT name FROM organizations WHERE id = $1 AND deleted_at IS NULL")
        .bind(org)
        .optional_scalar(&mut *tx)
        .await?;
    name.ok_or_else(crate::db::organizations::history::not_found)
}

/// Links group `group` to organization `org`: all its members, present and future,
/// are in the group. Linking twice changes nothing. 404 without the organization,
/// 422 `usergroup_id` without the group.
pub async fn link(db: &Db, org: i64, group: i64, actor: &Actor, now: i64) -> Result<(), ApiError> {
    let mut tx = db.begin_write().await?;
    let org_name = organization_name(&mut tx, org).await?;
    let group_name: Option<String> =
        query("SELECT name FROM usergroups WHERE id = $1").bind(group).optional_scalar(&mut tx).await?;
    let Some(group_name) = group_name else {
        return Err(ApiError::invalid("usergroup_id", "There is no such usergroup."));
    };
    let linked = query(
        "INSERT INTO usergroup_organizations (usergroup_id, organization_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT DO NOTHING",
    )
    .bind(group)
    .bind(org)
    .bind(now)
    .execute(&mut tx)
    .await?;
    if linked == 1 {
        let detail = json!({ "linked_organization": org, "organization": org_name });
        let entry = actor.entry(
            AuditAction::UsergroupMembershipChanged,
            AuditTarget::Usergroup,
            Some(group),
            group_name,
            detail,
        );
        audit::record(&mut tx, &entry, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Unlinks group `group` from organization `org`: the members who were in it only
/// through the organization leave it; individual memberships stay. `false` when
/// they were not linked; 404 without the organization.
pub async fn unlink(db: &Db, org: i64, group: i64, actor: &Actor, now: i64) -> Result<bool, ApiError> {
    let mut tx = db.begin_write().await?;
    let org_name = organization_name(&mut tx, org).await?;
    let group_name: Option<String> =
        query("SELECT name FROM usergroups WHERE id = $1").bind(group).optional_scalar(&mut tx).await?;
    let Some(group_name) = group_name else { return Ok(false) };
    let unlinked = query("DELETE FROM usergroup_organizations WHERE usergroup_id = $1 AND organization_id = $2")
        .bind(group)
        .bind(org)
        .execute(&mut tx)
        .await?;
    if unlinked == 0 {
        return Ok(false);
    }
    let detail = json!({ "unlinked_organization": org, "organization": org_name });
    let entry =
        actor.entry(AuditAction::UsergroupMembershipChanged, AuditTarget::Usergroup, Some(group), group_name, detail);
    audit::record(&mut tx, &entry, now).await?;
    tx.commit().await?;
    Ok(true)
}

/// A group of a customer's: id, name, individual (1/0), and the organization it comes through.
type CustomerGroupRow = (i64, String, i64, Option<i64>, Option<String>);

/// The groups customer `customer` is in, by name, each with its source; `None`
/// without the customer. Membership through the organization is listed whether or
/// not their email is verified (the portal grants it only once it is).
pub async fn customer_groups(db: &Db, customer: i64) -> Result<Option<Vec<CustomerUsergroup>>, sqlx::Error> {
    let exists: Option<i64> =
        query("SELECT id FROM customers WHERE id = $1").bind(customer).optional_scalar(db).await?;
    if exists.is_none() {
        return Ok(None);
    }
    let rows: Vec<CustomerGroupRow> = query(
        "SELECT g.id, g.name, s.individual, s.organization_id, o.name FROM \
         (SELECT x.usergroup_id, CAST(MAX(x.individual) AS BIGINT) AS individual, MAX(x.organization_id) AS organization_id \
          FROM (SELECT usergroup_id, 1 AS individual, CAST(NULL AS BIGINT) AS organization_id \
                FROM usergroup_members WHERE customer_id = $1 \
                UNION ALL SELECT uo.usergroup_id, 0, uo.organization_id FROM memberships m \
                JOIN usergroup_organizations uo ON uo.organization_id = m.organization_id WHERE m.customer_id = $1) x \
          GROUP BY x.usergroup_id) s \
         JOIN usergroups g ON g.id = s.usergroup_id LEFT JOIN organizations o ON o.id = s.organization_id \
         ORDER BY g.name_key, g.id LIMIT $2",
    )
    .bind(customer)
    .bind(MAX_LISTED_USERGROUPS)
    .fetch_all(db)
    .await?;
    Ok(Some(
        rows.into_iter()
            .map(|(usergroup_id, name, individual, org_id, org_name)| CustomerUsergroup {
                usergroup_id,
                name,
                source: MembershipSource {
                    individual: individual != 0,
                    through: org_id.zip(org_name).map(|(id, name)| OrganizationName { id, name }),
                },
            })
            .collect(),
    ))
}
