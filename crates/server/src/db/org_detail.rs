//! Organization detail panel (issue #5): storage. The whole detail in a few
//! statements, the panel's in-place edits (name, summary, parent), domains with the
//! moves of matching customers, members, the hierarchy and the history.
//!
//! Every write runs in one transaction; the version check, the history entries and
//! the moves share the macros of `org_history.rs` and `customers.rs`, so the
//! Customers app and the panel follow the same rules.

use std::collections::{BTreeMap, HashMap};

use orgdesk_core::api::organization::{
    DomainMatchGroup, DomainMatches, HistoryEntry, HistoryPage, Member, MemberPage, MemberRole, OrganizationDetail,
    OrganizationRef, ParentCandidate, ProjectRef, PropertyValue, Relation,
};
use orgdesk_core::api::tickets::CustomerRef;
use orgdesk_core::contact::ContactEntry;
use orgdesk_core::domain::Domain;
use orgdesk_core::hierarchy::{check_child, check_parent, MAX_DEPTH};
use serde_json::{json, Value};

use crate::db::org_extras::DefinitionRow;
use crate::db::org_history::not_found;
use crate::db::projects::CUSTOMER_NAME;
use crate::db::{placeholders, prefix_range, Db};
use crate::error::{ApiError, ApiResult};
use crate::time_fmt::rfc3339;
use crate::{check_and_bump_version, in_write_tx, on_db, record_history};

/// How many customers a domain-match group lists.
pub const MATCH_LIST: i64 = 50;
/// How many organizations the hierarchy picker lists.
pub const RELATIVES_LIST: i64 = 50;

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

pub(crate) fn decode_err(e: impl std::error::Error + Send + Sync + 'static) -> sqlx::Error {
    sqlx::Error::Decode(Box::new(e))
}

/// A snake_case word stored in a TEXT column, as its serde enum.
pub(crate) fn word<T: serde::de::DeserializeOwned>(s: String) -> Result<T, sqlx::Error> {
    serde_json::from_value(Value::String(s)).map_err(decode_err)
}

/// Everything the panel shows about organization `id`, or `None` when there is none.
pub async fn load_detail(db: &Db, id: i64) -> Result<Option<OrganizationDetail>, sqlx::Error> {
    let head_sql = "SELECT o.id, o.name, o.version, o.summary, o.parent_id, p.name AS parent_name, \
        (SELECT COUNT(*) FROM memberships m WHERE m.organization_id = o.id) AS member_count, \
        (SELECT COUNT(*) FROM memberships m WHERE m.organization_id = o.id AND m.role = 'manager') AS manager_count, \
        o.created_at, o.updated_at FROM organizations o LEFT JOIN organizations p ON p.id = o.parent_id WHERE o.id = $1";
    let lists_sql = "SELECT 'd' AS kind, CAST(0 AS BIGINT) AS n, d.domain AS name, FALSE AS flag, d.domain AS sort \
          FROM organization_domains d WHERE d.organization_id = $1 \
        UNION ALL SELECT 'c', c.id, c.name, FALSE, c.name_key FROM organizations c WHERE c.parent_id = $1 \
        UNION ALL SELECT 'p', p.id, p.name, p.archived, p.name_key FROM project_followers f \
          JOIN projects p ON p.id = f.project_id WHERE f.organization_id = $1 \
        UNION ALL SELECT 'i', n, status, FALSE, status FROM org_item_counts WHERE organization_id = $1 AND n > 0 \
        ORDER BY 1, 5, 2";
    let contacts_sql =
        "SELECT kind, label, value FROM organization_contacts WHERE organization_id = $1 ORDER BY position, id";
    let properties_sql = "SELECT d.id, d.label, d.kind, d.required, d.options, d.position, v.value \
        FROM organization_property_definitions d \
        LEFT JOIN organization_property_values v ON v.definition_id = d.id AND v.organization_id = $1 \
        ORDER BY d.position, d.id";
    let (head, lists, contacts, properties) = on_db!(db, pool => {
        let head: Option<HeadRow> = sqlx::query_as(head_sql).bind(id).fetch_optional(pool).await?;
        if head.is_none() {
            return Ok(None);
        }
        let lists: Vec<ListRow> = sqlx::query_as(lists_sql).bind(id).fetch_all(pool).await?;
        let contacts: Vec<(String, String, String)> = sqlx::query_as(contacts_sql).bind(id).fetch_all(pool).await?;
        let properties: Vec<PropertyRow> = sqlx::query_as(properties_sql).bind(id).fetch_all(pool).await?;
        (head, lists, contacts, properties)
    });
    let Some(head) = head else { return Ok(None) };
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
        .map(|(kind, label, value)| Ok(ContactEntry { kind: word(kind)?, label, value }))
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

/// The ancestors of organization `$org` (nearest first), at most `MAX_DEPTH + 1` of
/// them, from one recursive query in the caller's transaction or pool `$tx`.
/// Expands to `Result<Vec<i64>, sqlx::Error>`.
macro_rules! ancestors_of {
    ($tx:expr, $org:expr) => {
        async {
            let org: i64 = $org;
            let ids: Vec<i64> = sqlx::query_scalar(ANCESTORS).bind(org).bind(MAX_DEPTH as i64).fetch_all($tx).await?;
            Ok::<Vec<i64>, sqlx::Error>(ids)
        }
    };
}

/// `$1`'s ancestors, nearest first, up to `$2 + 1` levels (so a corrupt loop ends).
const ANCESTORS: &str = "WITH RECURSIVE up(id, depth) AS ( \
      SELECT parent_id, CAST(1 AS BIGINT) FROM organizations WHERE id = $1 AND parent_id IS NOT NULL \
      UNION ALL SELECT o.parent_id, up.depth + 1 FROM up JOIN organizations o ON o.id = up.id \
      WHERE o.parent_id IS NOT NULL AND up.depth <= $2) \
    SELECT id FROM up ORDER BY depth";

/// `$1` and its descendants, at most `$2` levels down.
pub const SELF_AND_DESCENDANTS: &str = "WITH RECURSIVE down(id, depth) AS ( \
      SELECT id, CAST(0 AS BIGINT) FROM organizations WHERE id = $1 \
      UNION ALL SELECT o.id, down.depth + 1 FROM down JOIN organizations o ON o.parent_id = down.id \
      WHERE down.depth < $2) \
    SELECT id FROM down";

/// The panel's edits of the organization itself (already validated).
#[derive(Debug, Default)]
pub struct DetailChanges {
    pub name: Option<String>,
    pub summary: Option<String>,
    pub parent: Option<Option<i64>>,
}

fn hierarchy_error(field: &str, e: orgdesk_core::hierarchy::HierarchyError) -> ApiError {
    ApiError::invalid(field, e.to_string())
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
    let result: ApiResult<()> = in_write_tx!(db, tx => async {
        check_and_bump_version!(tx, id, version, now).await?;
        let (old_name, old_summary, old_parent): (String, String, Option<i64>) =
            sqlx::query_as("SELECT name, summary, parent_id FROM organizations WHERE id = $1")
                .bind(id).fetch_one(&mut *tx).await?;
        let mut name = old_name.clone();
        if let Some(new_name) = &changes.name {
            crate::rename_organization!(tx, id, new_name).await?;
            if *new_name != old_name {
                let summary = format!("Renamed from {old_name} to {new_name}");
                record_history!(tx, id, agent, "renamed", &summary, json!({ "from": old_name, "to": new_name }), now).await?;
                name = new_name.clone();
            }
        }
        if let Some(summary) = &changes.summary {
            if *summary != old_summary {
                sqlx::query("UPDATE organizations SET summary = $1 WHERE id = $2").bind(summary).bind(id).execute(&mut *tx).await?;
                let text = if summary.is_empty() { "Summary cleared" } else { "Summary changed" };
                record_history!(tx, id, agent, "summary_changed", text, json!({ "from": old_summary, "to": summary }), now).await?;
            }
        }
        if let Some(parent) = changes.parent {
            if parent != old_parent {
                let new_parent_name = match parent {
                    Some(p) => {
                        let pname: Option<String> = sqlx::query_scalar("SELECT name FROM organizations WHERE id = $1")
                            .bind(p).fetch_optional(&mut *tx).await?;
                        let Some(pname) = pname else {
                            return Err(ApiError::invalid("parent_id", "There is no such organization."));
                        };
                        let chain = ancestors_of!(&mut *tx, p).await?;
                        check_parent(id, p, &pname, &chain).map_err(|e| hierarchy_error("parent_id", e))?;
                        Some(pname)
                    }
                    None => None,
                };
                sqlx::query("UPDATE organizations SET parent_id = $1 WHERE id = $2").bind(parent).bind(id).execute(&mut *tx).await?;
                if let Some(old) = old_parent {
                    let old_name: String = sqlx::query_scalar("SELECT name FROM organizations WHERE id = $1").bind(old).fetch_one(&mut *tx).await?;
                    crate::bump_version!(tx, old, now).await?;
                    let text = format!("{name} is no longer a child");
                    record_history!(tx, old, agent, "child_removed", &text, json!({ "child_id": id, "child_name": name }), now).await?;
                    if parent.is_none() {
                        let text = format!("Parent {old_name} removed");
                        record_history!(tx, id, agent, "parent_removed", &text, json!({ "parent_id": old, "parent_name": old_name }), now).await?;
                    }
                }
                if let (Some(p), Some(pname)) = (parent, new_parent_name) {
                    crate::bump_version!(tx, p, now).await?;
                    let text = format!("Parent set to {pname}");
                    record_history!(tx, id, agent, "parent_set", &text, json!({ "parent_id": p, "parent_name": pname, "previous_parent_id": old_parent }), now).await?;
                    let text = format!("Added child {name}");
                    record_history!(tx, p, agent, "child_added", &text, json!({ "child_id": id, "child_name": name }), now).await?;
                }
            }
        }
        Ok::<(), ApiError>(())
    }.await);
    result.map_err(|e| match &e {
        ApiError::Database(err) if crate::db::is_unique_violation(err) => {
            crate::db::organizations::name_taken(changes.name.as_deref().unwrap_or_default())
        }
        _ => e,
    })
}

/// The condition selecting the customers `c` whose email `domain` covers (exact: that
/// host; wildcard: its subdomains), with its one bind at `$n` (see [`email_pattern`]).
/// `customers.email_domain` is a generated, indexed column (migration 0007), so an
/// exact domain is an index lookup; a wildcard scans that index only.
pub fn email_condition(domain: &Domain, n: usize) -> String {
    if domain.is_wildcard() {
        format!("c.email_domain LIKE ${n}")
    } else {
        format!("c.email_domain = ${n}")
    }
}

/// The value bound to [`email_condition`]. Domains hold only letters, digits,
/// hyphens and dots, so they need no `LIKE` escaping.
pub fn email_pattern(domain: &Domain) -> String {
    if domain.is_wildcard() {
        format!("%.{}", domain.base())
    } else {
        domain.as_str().to_string()
    }
}

/// Does `email` belong to `domain` (the same rule as [`email_pattern`], exactly)?
fn email_matches(domain: &Domain, email: &str) -> bool {
    email.rsplit_once('@').is_some_and(|(_, host)| domain.matches(host))
}

/// 409 naming the organization that already owns the domain (field `domain`).
fn domain_owned(domain: &str, owner: &str, own: bool) -> ApiError {
    if own {
        ApiError::conflict_on("domain", format!("{owner} already has the domain {domain}."))
    } else {
        ApiError::conflict_on("domain", format!("{domain} already belongs to {owner}."))
    }
}

#[derive(Debug, sqlx::FromRow)]
struct MatchRow {
    org_id: i64,
    org_name: String,
    id: i64,
    name: String,
    email: String,
    total: i64,
}

/// What adding `domain` to organization `id` would offer to move: its matching
/// customers with no organization, and those of other organizations by organization.
pub async fn domain_matches(db: &Db, id: i64, domain: &Domain) -> ApiResult<DomainMatches> {
    let pattern = email_pattern(domain);
    let owner_sql = "SELECT o.id, o.name FROM organization_domains d JOIN organizations o ON o.id = d.organization_id WHERE d.domain = $1";
    let unassigned_sql = format!(
        "SELECT c.id, {CUSTOMER_NAME} AS name, c.email, COUNT(*) OVER () AS total FROM customers c \
         WHERE {} AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.customer_id = c.id) \
         ORDER BY c.sort_name, c.id LIMIT $2",
        email_condition(domain, 1)
    );
    // Each other organization's count and its first members, ranked in one pass.
    let elsewhere_sql = format!(
        "SELECT org_id, org_name, id, name, email, total FROM ( \
           SELECT o.id AS org_id, o.name AS org_name, o.name_key AS org_key, c.id, {CUSTOMER_NAME} AS name, c.email, \
             COUNT(*) OVER (PARTITION BY o.id) AS total, \
             ROW_NUMBER() OVER (PARTITION BY o.id ORDER BY c.sort_name, c.id) AS rn \
           FROM customers c JOIN memberships m ON m.customer_id = c.id JOIN organizations o ON o.id = m.organization_id \
           WHERE {} AND m.organization_id <> $2) ranked \
         WHERE rn <= $3 ORDER BY org_key, org_id, rn",
        email_condition(domain, 1)
    );
    let (owner, unassigned, elsewhere) = on_db!(db, pool => {
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM organizations WHERE id = $1").bind(id).fetch_optional(pool).await?;
        if exists.is_none() {
            return Err(not_found());
        }
        let owner: Option<(i64, String)> = sqlx::query_as(owner_sql).bind(domain.as_str()).fetch_optional(pool).await?;
        let unassigned: Vec<(i64, String, String, i64)> =
            sqlx::query_as(&unassigned_sql).bind(&pattern).bind(MATCH_LIST).fetch_all(pool).await?;
        let elsewhere: Vec<MatchRow> =
            sqlx::query_as(&elsewhere_sql).bind(&pattern).bind(id).bind(MATCH_LIST).fetch_all(pool).await?;
        (owner, unassigned, elsewhere)
    });
    if let Some((owner_id, owner_name)) = owner {
        return Err(domain_owned(domain.as_str(), &owner_name, owner_id == id));
    }
    let unassigned_count = unassigned.first().map(|r| r.3).unwrap_or(0);
    let unassigned = unassigned.into_iter().map(|(id, name, email, _)| CustomerRef { id, name, email }).collect();
    let mut groups: Vec<DomainMatchGroup> = Vec::new();
    for r in elsewhere {
        if groups.last().map(|g| g.organization.id) != Some(r.org_id) {
            groups.push(DomainMatchGroup {
                organization: OrganizationRef { id: r.org_id, name: r.org_name },
                count: r.total,
                customers: Vec::new(),
            });
        }
        if let Some(g) = groups.last_mut() {
            g.customers.push(CustomerRef { id: r.id, name: r.name, email: r.email });
        }
    }
    Ok(DomainMatches { domain: domain.as_str().to_string(), unassigned_count, unassigned, elsewhere: groups })
}

/// Which matching customers adding a domain moves in.
#[derive(Debug, Default)]
pub struct MoveChoice {
    pub unassigned: bool,
    pub from_organizations: Vec<i64>,
    pub customers: Vec<i64>,
}

/// Adds `domain` to organization `id` and moves the chosen matching customers in,
/// all in one transaction (any bad choice changes nothing).
pub async fn add_domain(
    db: &Db,
    id: i64,
    version: i64,
    domain: &Domain,
    choice: &MoveChoice,
    agent: Option<i64>,
    now: i64,
) -> ApiResult<()> {
    let pattern = email_pattern(domain);
    let result: ApiResult<()> = in_write_tx!(db, tx => async {
        check_and_bump_version!(tx, id, version, now).await?;
        let owner: Option<(i64, String)> = sqlx::query_as(
            "SELECT o.id, o.name FROM organization_domains d JOIN organizations o ON o.id = d.organization_id WHERE d.domain = $1")
            .bind(domain.as_str()).fetch_optional(&mut *tx).await?;
        if let Some((owner_id, owner_name)) = owner {
            return Err(domain_owned(domain.as_str(), &owner_name, owner_id == id));
        }
        crate::check_domains_free!(tx, std::slice::from_ref(domain), Some(id)).await.map_err(|e| match e {
            ApiError::Conflict { message, .. } => ApiError::conflict_on("domain", message),
            other => other,
        })?;
        sqlx::query("INSERT INTO organization_domains (domain, organization_id) VALUES ($1, $2)")
            .bind(domain.as_str()).bind(id).execute(&mut *tx).await?;
        // Who moves: customer -> where they are now.
        let mut moves: BTreeMap<i64, Option<i64>> = BTreeMap::new();
        if choice.unassigned {
            let ids: Vec<i64> = sqlx::query_scalar(&format!(
                "SELECT c.id FROM customers c WHERE {} \
                 AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.customer_id = c.id)", email_condition(domain, 1)))
                .bind(&pattern).fetch_all(&mut *tx).await?;
            moves.extend(ids.into_iter().map(|c| (c, None)));
        }
        for &from in &choice.from_organizations {
            let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM organizations WHERE id = $1").bind(from).fetch_optional(&mut *tx).await?;
            if exists.is_none() || from == id {
                return Err(ApiError::invalid("move_from_organizations", format!("Organization {from} is not another existing organization.")));
            }
            let ids: Vec<i64> = sqlx::query_scalar(&format!(
                "SELECT c.id FROM customers c JOIN memberships m ON m.customer_id = c.id \
                 WHERE m.organization_id = $1 AND {}", email_condition(domain, 2)))
                .bind(from).bind(&pattern).fetch_all(&mut *tx).await?;
            moves.extend(ids.into_iter().map(|c| (c, Some(from))));
        }
        for chunk in choice.customers.chunks(500) {
            let sql = format!(
                "SELECT c.id, c.email, m.organization_id FROM customers c LEFT JOIN memberships m ON m.customer_id = c.id \
                 WHERE c.id IN ({})", placeholders(1, chunk.len()));
            let mut query = sqlx::query_as::<_, (i64, String, Option<i64>)>(&sql);
            for c in chunk {
                query = query.bind(c);
            }
            let found: HashMap<i64, (String, Option<i64>)> =
                query.fetch_all(&mut *tx).await?.into_iter().map(|(c, e, o)| (c, (e, o))).collect();
            for c in chunk {
                match found.get(c) {
                    None => return Err(ApiError::invalid("move_customers", format!("Customer {c} does not exist."))),
                    Some((email, _)) if !email_matches(domain, email) => {
                        return Err(ApiError::invalid("move_customers", format!("{email} does not match {}.", domain.as_str())))
                    }
                    Some((_, from)) if *from != Some(id) => {
                        moves.insert(*c, *from);
                    }
                    Some(_) => {}
                }
            }
        }
        let moves: Vec<(i64, Option<i64>)> = moves.into_iter().collect();
        let ids: Vec<i64> = moves.iter().map(|(c, _)| *c).collect();
        crate::move_customers_tx!(tx, &ids, Some(id)).await?;
        let summary = format!("Added domain {}", domain.as_str());
        record_history!(tx, id, agent, "domain_added", &summary, json!({ "domain": domain.as_str(), "moved": ids.len() }), now).await?;
        crate::record_moves!(tx, &moves, Some(id), agent, now).await?;
        Ok::<(), ApiError>(())
    }.await);
    result.map_err(|e| match &e {
        ApiError::Database(err) if crate::db::is_unique_violation(err) => {
            ApiError::conflict_on("domain", "This domain was just claimed by another organization.")
        }
        _ => e,
    })
}

/// Removes `domain` from organization `id`; with `leave`, its members whose email
/// the domain covers leave (their open items lose the organization, as in moves).
pub async fn remove_domain(
    db: &Db,
    id: i64,
    version: i64,
    domain: &Domain,
    leave: bool,
    agent: Option<i64>,
    now: i64,
) -> ApiResult<()> {
    let pattern = email_pattern(domain);
    in_write_tx!(db, tx => async {
        check_and_bump_version!(tx, id, version, now).await?;
        let removed = sqlx::query("DELETE FROM organization_domains WHERE domain = $1 AND organization_id = $2")
            .bind(domain.as_str()).bind(id).execute(&mut *tx).await?.rows_affected();
        if removed == 0 {
            return Err(ApiError::NotFound(format!("This organization does not have the domain {}.", domain.as_str())));
        }
        let mut left = 0;
        if leave {
            let ids: Vec<i64> = sqlx::query_scalar(&format!(
                "SELECT c.id FROM customers c JOIN memberships m ON m.customer_id = c.id \
                 WHERE m.organization_id = $1 AND {}", email_condition(domain, 2)))
                .bind(id).bind(&pattern).fetch_all(&mut *tx).await?;
            crate::move_customers_tx!(tx, &ids, None).await?;
            left = ids.len();
        }
        let summary = match left {
            0 => format!("Removed domain {}", domain.as_str()),
            1 => format!("Removed domain {}; 1 member left", domain.as_str()),
            n => format!("Removed domain {}; {n} members left", domain.as_str()),
        };
        record_history!(tx, id, agent, "domain_removed", &summary, json!({ "domain": domain.as_str(), "left": left }), now).await?;
        Ok::<(), ApiError>(())
    }.await)
}

#[derive(Debug, sqlx::FromRow)]
struct MemberRow {
    id: i64,
    name: String,
    email: String,
    position: String,
    role: String,
}

impl MemberRow {
    fn into_api(self) -> Member {
        Member {
            customer: CustomerRef { id: self.id, name: self.name, email: self.email },
            position: self.position,
            role: if self.role == "manager" { MemberRole::Manager } else { MemberRole::Member },
        }
    }
}

fn member_select() -> String {
    format!(
        "SELECT c.id, {CUSTOMER_NAME} AS name, c.email, m.position, m.role FROM memberships m \
         JOIN customers c ON c.id = m.customer_id"
    )
}

/// One page of members: managers first, then by name.
pub async fn members(db: &Db, id: i64, offset: i64, limit: i64) -> ApiResult<MemberPage> {
    let sql = format!(
        "{} WHERE m.organization_id = $1 ORDER BY CASE WHEN m.role = 'manager' THEN 0 ELSE 1 END, c.sort_name, c.id \
         LIMIT $2 OFFSET $3",
        member_select()
    );
    let (exists, rows, total) = on_db!(db, pool => {
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM organizations WHERE id = $1").bind(id).fetch_optional(pool).await?;
        let rows: Vec<MemberRow> = sqlx::query_as(&sql).bind(id).bind(limit).bind(offset).fetch_all(pool).await?;
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM memberships WHERE organization_id = $1").bind(id).fetch_one(pool).await?;
        (exists, rows, total)
    });
    if exists.is_none() {
        return Err(not_found());
    }
    Ok(MemberPage { items: rows.into_iter().map(MemberRow::into_api).collect(), total, offset, limit })
}

fn no_customer() -> ApiError {
    ApiError::NotFound("There is no such customer.".into())
}

fn not_member() -> ApiError {
    ApiError::NotFound("This customer is not a member of this organization.".into())
}

/// Adds an existing customer; a member of another organization moves (open items follow).
pub async fn add_member(db: &Db, id: i64, customer: i64, agent: Option<i64>, now: i64) -> ApiResult<Member> {
    let sql = format!("{} WHERE m.customer_id = $1", member_select());
    in_write_tx!(db, tx => async {
        let org: Option<String> = sqlx::query_scalar("SELECT name FROM organizations WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
        let Some(org_name) = org else { return Err(not_found()) };
        let current: Option<(String, Option<i64>, Option<String>)> = sqlx::query_as(&format!(
            "SELECT {CUSTOMER_NAME} AS name, m.organization_id, o.name FROM customers c \
             LEFT JOIN memberships m ON m.customer_id = c.id LEFT JOIN organizations o ON o.id = m.organization_id WHERE c.id = $1"))
            .bind(customer).fetch_optional(&mut *tx).await?;
        let Some((name, from, from_name)) = current else { return Err(no_customer()) };
        if from == Some(id) {
            return Err(ApiError::conflict_on("customer_id", format!("{name} is already a member of {org_name}.")));
        }
        crate::move_customers_tx!(tx, &[customer], Some(id)).await?;
        let summary = match &from_name {
            Some(f) => format!("Added {name} (from {f})"),
            None => format!("Added {name}"),
        };
        record_history!(tx, id, agent, "member_added", &summary,
            json!({ "customer_id": customer, "customer_name": name, "from_organization_id": from, "from_organization_name": from_name }), now).await?;
        if let Some(f) = from {
            let summary = format!("{name} left for {org_name}");
            record_history!(tx, f, agent, "members_moved", &summary,
                json!({ "direction": "out", "count": 1, "customer_id": customer, "to_organization_id": id, "to_organization_name": org_name }), now).await?;
        }
        let row: MemberRow = sqlx::query_as(&sql).bind(customer).fetch_one(&mut *tx).await?;
        Ok::<Member, ApiError>(row.into_api())
    }.await)
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
    in_write_tx!(db, tx => async {
        check_and_bump_version!(tx, id, version, now).await?;
        let current: Option<(String, String, String)> = sqlx::query_as(&format!(
            "SELECT {CUSTOMER_NAME} AS name, m.position, m.role FROM memberships m JOIN customers c ON c.id = m.customer_id \
             WHERE m.customer_id = $1 AND m.organization_id = $2"))
            .bind(customer).bind(id).fetch_optional(&mut *tx).await?;
        let Some((name, old_position, old_role)) = current else { return Err(not_member()) };
        let new_position = position.map(str::to_string).unwrap_or(old_position.clone());
        let new_role = match role {
            Some(MemberRole::Manager) => "manager".to_string(),
            Some(MemberRole::Member) => "member".to_string(),
            None => old_role.clone(),
        };
        sqlx::query("UPDATE memberships SET position = $1, role = $2 WHERE customer_id = $3")
            .bind(&new_position).bind(&new_role).bind(customer).execute(&mut *tx).await?;
        let mut parts = Vec::new();
        if new_position != old_position {
            parts.push(if new_position.is_empty() { "position cleared".to_string() } else { format!("position {new_position}") });
        }
        if new_role != old_role {
            parts.push(if new_role == "manager" { "now a manager".to_string() } else { "no longer a manager".to_string() });
        }
        if !parts.is_empty() {
            let summary = format!("Updated {name}: {}", parts.join(", "));
            record_history!(tx, id, agent, "member_updated", &summary, json!({
                "customer_id": customer, "customer_name": name,
                "position": { "from": old_position, "to": new_position }, "role": { "from": old_role, "to": new_role },
            }), now).await?;
        }
        Ok::<(), ApiError>(())
    }.await)
}

/// The customer leaves the organization (and stays, unassigned); open items follow.
pub async fn remove_member(db: &Db, id: i64, customer: i64, agent: Option<i64>, now: i64) -> ApiResult<()> {
    in_write_tx!(db, tx => async {
        let org: Option<i64> = sqlx::query_scalar("SELECT id FROM organizations WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
        if org.is_none() {
            return Err(not_found());
        }
        let name: Option<String> = sqlx::query_scalar(&format!(
            "SELECT {CUSTOMER_NAME} FROM memberships m JOIN customers c ON c.id = m.customer_id \
             WHERE m.customer_id = $1 AND m.organization_id = $2"))
            .bind(customer).bind(id).fetch_optional(&mut *tx).await?;
        let Some(name) = name else { return Err(not_member()) };
        crate::move_customers_tx!(tx, &[customer], None).await?;
        let summary = format!("Removed {name}");
        record_history!(tx, id, agent, "member_removed", &summary, json!({ "customer_id": customer, "customer_name": name }), now).await?;
        Ok::<(), ApiError>(())
    }.await)
}

/// Organizations whose name starts with `q` (or the first ones by name), each with
/// why it cannot fill `relation` for organization `id`, if it cannot.
pub async fn relatives(db: &Db, id: i64, relation: Relation, q: Option<&str>) -> ApiResult<Vec<ParentCandidate>> {
    let (from, to) = prefix_range(q.unwrap_or(""));
    // Candidates and the organization itself, each with its ancestors: one recursive query.
    let chains_sql = "WITH RECURSIVE cand(id) AS (SELECT id FROM (SELECT id FROM organizations \
          WHERE name_key >= $1 AND name_key < $2 ORDER BY name_key, id LIMIT $5) page UNION SELECT $3), \
        up(start, id, depth) AS ( \
          SELECT id, parent_id, CAST(1 AS BIGINT) FROM organizations WHERE id IN (SELECT id FROM cand) AND parent_id IS NOT NULL \
          UNION ALL SELECT up.start, o.parent_id, up.depth + 1 FROM up JOIN organizations o ON o.id = up.id \
          WHERE o.parent_id IS NOT NULL AND up.depth <= $4) \
        SELECT start, id FROM up ORDER BY start, depth";
    let page_sql = "SELECT id, name, parent_id FROM organizations WHERE name_key >= $1 AND name_key < $2 ORDER BY name_key, id LIMIT $3";
    let (me, page, chains) = on_db!(db, pool => {
        let me: Option<String> = sqlx::query_scalar("SELECT name FROM organizations WHERE id = $1").bind(id).fetch_optional(pool).await?;
        let page: Vec<(i64, String, Option<i64>)> =
            sqlx::query_as(page_sql).bind(&from).bind(&to).bind(RELATIVES_LIST).fetch_all(pool).await?;
        let chains: Vec<(i64, i64)> = sqlx::query_as(chains_sql)
            .bind(&from).bind(&to).bind(id).bind(MAX_DEPTH as i64).bind(RELATIVES_LIST)
            .fetch_all(pool).await?;
        (me, page, chains)
    });
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
    let result: ApiResult<()> = in_write_tx!(db, tx => async {
        check_and_bump_version!(tx, id, version, now).await?;
        let me: String = sqlx::query_scalar("SELECT name FROM organizations WHERE id = $1").bind(id).fetch_one(&mut *tx).await?;
        let (child_id, created) = match child {
            NewChild::Existing(c) => (*c, false),
            NewChild::Create(name) => {
                let c = crate::insert_organization!(tx, name, &[], now).await.map_err(|e| match e {
                    ApiError::Conflict { message, .. } => ApiError::conflict_on("create_name", message),
                    other => other,
                })?;
                (c, true)
            }
        };
        let current: Option<(String, Option<i64>)> = sqlx::query_as("SELECT name, parent_id FROM organizations WHERE id = $1")
            .bind(child_id).fetch_optional(&mut *tx).await?;
        let Some((child_name, old_parent)) = current else {
            return Err(ApiError::invalid("child_id", "There is no such organization."));
        };
        if old_parent == Some(id) {
            return Err(ApiError::invalid("child_id", format!("{child_name} is already a child of this organization.")));
        }
        let chain = ancestors_of!(&mut *tx, id).await?;
        check_child(id, &me, &chain, child_id).map_err(|e| hierarchy_error("child_id", e))?;
        sqlx::query("UPDATE organizations SET parent_id = $1 WHERE id = $2").bind(id).bind(child_id).execute(&mut *tx).await?;
        crate::bump_version!(tx, child_id, now).await?;
        let summary = if created { format!("Created and added child {child_name}") } else { format!("Added child {child_name}") };
        record_history!(tx, id, agent, "child_added", &summary, json!({ "child_id": child_id, "child_name": child_name, "created": created }), now).await?;
        let summary = format!("Parent set to {me}");
        record_history!(tx, child_id, agent, "parent_set", &summary, json!({ "parent_id": id, "parent_name": me, "previous_parent_id": old_parent }), now).await?;
        if let Some(old) = old_parent {
            crate::bump_version!(tx, old, now).await?;
            let summary = format!("{child_name} is no longer a child");
            record_history!(tx, old, agent, "child_removed", &summary, json!({ "child_id": child_id, "child_name": child_name }), now).await?;
        }
        Ok::<(), ApiError>(())
    }.await);
    result.map_err(|e| match (&e, child) {
        (ApiError::Database(err), NewChild::Create(name)) if crate::db::is_unique_violation(err) => {
            ApiError::conflict_on("create_name", format!("An organization named {name} already exists."))
        }
        _ => e,
    })
}

/// Unlinks child `child` from organization `id`; deletes nothing.
pub async fn remove_child(db: &Db, id: i64, child: i64, version: i64, agent: Option<i64>, now: i64) -> ApiResult<()> {
    in_write_tx!(db, tx => async {
        check_and_bump_version!(tx, id, version, now).await?;
        let me: String = sqlx::query_scalar("SELECT name FROM organizations WHERE id = $1").bind(id).fetch_one(&mut *tx).await?;
        let name: Option<String> = sqlx::query_scalar("SELECT name FROM organizations WHERE id = $1 AND parent_id = $2")
            .bind(child).bind(id).fetch_optional(&mut *tx).await?;
        let Some(name) = name else {
            return Err(ApiError::NotFound("That organization is not a child of this organization.".into()));
        };
        sqlx::query("UPDATE organizations SET parent_id = NULL WHERE id = $1").bind(child).execute(&mut *tx).await?;
        crate::bump_version!(tx, child, now).await?;
        let summary = format!("{name} is no longer a child");
        record_history!(tx, id, agent, "child_removed", &summary, json!({ "child_id": child, "child_name": name }), now).await?;
        let summary = format!("Parent {me} removed");
        record_history!(tx, child, agent, "parent_removed", &summary, json!({ "parent_id": id, "parent_name": me }), now).await?;
        Ok::<(), ApiError>(())
    }.await)
}

#[derive(Debug, sqlx::FromRow)]
struct HistoryRow {
    id: i64,
    action: String,
    summary: String,
    details: String,
    agent_name: String,
    created_at: i64,
}

/// One page of the organization's history, newest first.
pub async fn history(db: &Db, id: i64, offset: i64, limit: i64) -> ApiResult<HistoryPage> {
    let sql = "SELECT h.id, h.action, h.summary, h.details, COALESCE(a.name, '') AS agent_name, h.created_at \
        FROM organization_history h LEFT JOIN agents a ON a.id = h.agent_id WHERE h.organization_id = $1 \
        ORDER BY h.id DESC LIMIT $2 OFFSET $3";
    let (exists, rows, total) = on_db!(db, pool => {
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM organizations WHERE id = $1").bind(id).fetch_optional(pool).await?;
        let rows: Vec<HistoryRow> = sqlx::query_as(sql).bind(id).bind(limit).bind(offset).fetch_all(pool).await?;
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM organization_history WHERE organization_id = $1").bind(id).fetch_one(pool).await?;
        (exists, rows, total)
    });
    if exists.is_none() {
        return Err(not_found());
    }
    let items = rows
        .into_iter()
        .map(|r| HistoryEntry {
            id: r.id,
            action: r.action,
            summary: r.summary,
            details: serde_json::from_str(&r.details).unwrap_or(Value::Null),
            agent_name: r.agent_name,
            created_at: rfc3339(r.created_at),
        })
        .collect();
    Ok(HistoryPage { items, total })
}
