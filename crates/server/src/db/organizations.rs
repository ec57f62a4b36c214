//! Customer organizations: the list the Customers app shows (searched, paged,
//! with member counts), create, rename, change domains and delete, and the rules
//! every path that writes an organization shares (unique names, a domain belongs
//! to one organization). Each section of the organization panel has its own
//! module below.

pub mod contacts;
pub mod deleted;
pub mod detail;
pub mod domains;
pub mod duplicates;
pub mod files;
pub mod hierarchy;
pub mod history;
pub mod members;
pub mod merge;
pub mod notes;
pub mod properties;
pub mod search_hits;

use orgdesk_core::api::Organization;
use orgdesk_core::customer::organization_name_key;
use orgdesk_core::domain::Domain;
use serde_json::json;

use self::history::Entry;
use crate::db::search::Filter;
use crate::db::{placeholders, query, Db, OnUnique, Tx};
use crate::error::ApiError;
use crate::time_fmt::rfc3339;
use orgdesk_core::duplicates::{domain_root, name_key as duplicate_key};

#[derive(Debug, sqlx::FromRow)]
struct OrgRow {
    id: i64,
    name: String,
    created_at: i64,
    member_count: i64,
    match_count: Option<i64>,
    /// The organization's domains, separated by spaces (see [`domains_of`]).
    domains: String,
    /// Only in search results: the number of matches and of matching unassigned customers.
    #[sqlx(default)]
    total: Option<i64>,
    #[sqlx(default)]
    unassigned: Option<i64>,
    /// Only in filtered results: the customers the filter shows in all.
    #[sqlx(default)]
    customers: Option<i64>,
    /// Only from [`by_ids_at`]: the search version the statement read.
    #[sqlx(default)]
    at: Option<i64>,
}

pub struct OrgList {
    pub items: Vec<Organization>,
    pub total: i64,
    pub unassigned: i64,
    /// With a filter: the customers it shows in all.
    pub customers: Option<i64>,
}

/// One page of organizations by name, with member counts; with a filter (a search
/// and/or a project, see [`Filter`]), the organizations it keeps (their name
/// matches, they follow the project) or that have a member it keeps.
pub async fn list(db: &Db, filter: Option<&Filter>, offset: i64, limit: i64) -> Result<OrgList, sqlx::Error> {
    let rows: Vec<OrgRow>;
    // Counts past the last page (or when nothing matches), where no row carries them.
    let count_sql: String;
    match filter {
        None => {
            // One statement: the page, the organization count and the unassigned count.
            // The page's ids first: PostgreSQL computes a row's columns before OFFSET
            // skips it, so counting members and gathering domains in the outer query
            // keeps a page at offset 5,000 from doing it 5,050 times (165 ms, now 8 ms).
            let sql = format!(
                "SELECT o.id, o.name, o.created_at, {MEMBER_COUNT} AS member_count, CAST(NULL AS BIGINT) AS match_count, \
                 {COUNTS}, {domains} FROM (SELECT id, name_key FROM organizations WHERE deleted_at IS NULL \
                 ORDER BY name_key, id LIMIT $1 OFFSET $2) p JOIN organizations o ON o.id = p.id ORDER BY p.name_key, p.id",
                domains = domains_of(db, "o.id")
            );
            rows = query(sql).bind(limit).bind(offset).fetch_all(db).await?;
            count_sql = format!("SELECT {COUNTS}");
        }
        Some(f) => {
            // The matching customers come from the search index (or index range
            // scans) and the project's followers; the organizations from their
            // members' hits and from their own. One pass yields the page, the totals
            // and the unassigned count.
            // Each matching customer's organization is looked up by its key (a join
            // would let the planner hash every membership for a broad search); an
            // organization's member hits and name hit are gathered into one row before
            // the one join with organizations (left joins of the CTEs let PostgreSQL
            // loop over them when its estimates are off); the customers shown are those
            // matched plus the members of organizations whose name matches, less those
            // counted twice (deleted organizations have no members).
            let with = format!(
                "WITH matched AS MATERIALIZED (SELECT k.id, \
                   (SELECT m.organization_id FROM memberships m WHERE m.customer_id = k.id) AS org_id \
                   FROM ({customers}) k), \
                 member_hits AS (SELECT org_id, COUNT(*) AS hits FROM matched WHERE org_id IS NOT NULL GROUP BY org_id), \
                 name_hits AS MATERIALIZED (SELECT id AS org_id FROM ({organizations}) kept), \
                 hits AS (SELECT org_id, CAST(SUM(hits) AS BIGINT) AS hits, MAX(name_hit) AS name_hit FROM \
                   (SELECT org_id, hits, 0 AS name_hit FROM member_hits \
                    UNION ALL SELECT org_id, 0, 1 FROM name_hits) both_hits GROUP BY org_id), \
                 live_hits AS (SELECT o.id, o.name, o.name_key, o.created_at, h.hits, h.name_hit \
                   FROM hits h JOIN organizations o ON o.id = h.org_id AND o.deleted_at IS NULL)",
                customers = f.customers(),
                organizations = f.organizations()
            );
            let unassigned = "(SELECT COUNT(*) FROM matched WHERE org_id IS NULL)";
            let shown = "((SELECT COUNT(*) FROM matched) \
                   + (SELECT COUNT(*) FROM memberships m JOIN name_hits n ON n.org_id = m.organization_id) \
                   - (SELECT CAST(COALESCE(SUM(h.hits), 0) AS BIGINT) FROM member_hits h \
                   JOIN name_hits n ON n.org_id = h.org_id))";
            let n = f.next_param();
            let sql = format!(
                "{with}, page AS (SELECT l.*, COUNT(*) OVER () AS total FROM live_hits l \
                   ORDER BY l.name_key, l.id LIMIT ${n} OFFSET ${next}) \
                 SELECT p.id, p.name, p.created_at, \
                   (SELECT COUNT(*) FROM memberships m WHERE m.organization_id = p.id) AS member_count, \
                   CASE WHEN p.name_hit = 1 THEN (SELECT COUNT(*) FROM memberships m WHERE m.organization_id = p.id) \
                     ELSE p.hits END AS match_count, \
                   p.total AS total, {unassigned} AS unassigned, {shown} AS customers, {domains} \
                 FROM page p ORDER BY p.name_key, p.id",
                next = n + 1,
                domains = domains_of(db, "p.id")
            );
            rows = query(sql).bind_args(f.args()).bind(limit).bind(offset).fetch_all(db).await?;
            count_sql = format!("{with} SELECT (SELECT COUNT(*) FROM live_hits), {unassigned}, {shown}");
        }
    }
    let (total, unassigned, customers): (i64, i64, Option<i64>) = match rows.first() {
        Some(first) => (first.total.unwrap_or_default(), first.unassigned.unwrap_or_default(), first.customers),
        None => match filter {
            None => {
                let (total, unassigned): (i64, i64) = query(count_sql).fetch_one(db).await?;
                (total, unassigned, None)
            }
            Some(f) => {
                let (total, unassigned, customers): (i64, i64, i64) =
                    query(count_sql).bind_args(f.args()).fetch_one(db).await?;
                (total, unassigned, Some(customers))
            }
        },
    };
    let items = to_organizations(rows);
    Ok(OrgList { items, total, unassigned, customers })
}

/// Organization `o`'s members, counted.
const MEMBER_COUNT: &str = "(SELECT COUNT(*) FROM memberships m WHERE m.organization_id = o.id)";
/// The organizations and the customers in none, from their counters (kept by
/// triggers, migrations 0003 and 0006).
const COUNTS: &str = "(SELECT organizations FROM customer_counts WHERE id = 1) AS total, \
                      (SELECT unassigned FROM customer_counts WHERE id = 1) AS unassigned";

/// The live organizations' ids in the order of the list without a filter (by name),
/// read along its index (`organizations_live_name`). The server keeps it per search
/// text version, which every insert, rename, delete and restore of an organization
/// bumps (migration 0022), so that a page at any offset is a slice of it
/// ([`list_ids`]) instead of a walk past `offset` index entries.
pub async fn live_order(db: &Db) -> Result<Vec<i64>, sqlx::Error> {
    query("SELECT id FROM organizations WHERE deleted_at IS NULL ORDER BY name_key, id").scalars(db).await
}

/// The page of the list without a filter that holds the organizations `ids` (a slice
/// of [`live_order`]), as [`list`] gives it: one statement by primary key.
pub async fn list_ids(db: &Db, ids: &[i64]) -> Result<OrgList, sqlx::Error> {
    let rows = rows_by_ids(db, ids, &format!(", {COUNTS}")).await?;
    let (total, unassigned) = match rows.first() {
        Some(first) => (first.total.unwrap_or_default(), first.unassigned.unwrap_or_default()),
        None => query(format!("SELECT {COUNTS}")).fetch_one(db).await?,
    };
    Ok(OrgList { items: to_organizations(rows), total, unassigned, customers: None })
}

/// A column with the domains of organization `org` (an SQL expression), separated by
/// spaces (domains never contain one), so a page of organizations is one query.
fn domains_of(db: &Db, org: &str) -> String {
    let aggregate = match db {
        Db::Sqlite(..) => "group_concat(d.domain, ' ')",
        Db::Postgres(..) => "string_agg(d.domain, ' ')",
    };
    format!("COALESCE((SELECT {aggregate} FROM organization_domains d WHERE d.organization_id = {org}), '') AS domains")
}

fn to_organizations(rows: Vec<OrgRow>) -> Vec<Organization> {
    rows.into_iter()
        .map(|r| {
            let mut domains: Vec<String> = r.domains.split_whitespace().map(str::to_string).collect();
            domains.sort();
            Organization {
                domains,
                id: r.id,
                name: r.name,
                member_count: r.member_count,
                match_count: r.match_count,
                created_at: rfc3339(r.created_at),
            }
        })
        .collect()
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Organization>, sqlx::Error> {
    Ok(by_ids(db, &[id]).await?.pop())
}

/// The organizations of `ids` that are not deleted, with member counts and domains, in the
/// order of `ids` (one statement; sorted here: an `ORDER BY` lets SQLite walk the name
/// index instead of looking the ids up).
pub(crate) async fn by_ids(db: &Db, ids: &[i64]) -> Result<Vec<Organization>, sqlx::Error> {
    Ok(to_organizations(rows_by_ids(db, ids, "").await?))
}

/// [`by_ids`], and the search version (`customer_counts.version`) the statement read them
/// at (`i64::MIN` when none is found): they are exact at that version and after it, until
/// one of them is stamped above it (migrations 0022 and 0027).
pub(crate) async fn by_ids_at(db: &Db, ids: &[i64]) -> Result<(Vec<Organization>, i64), sqlx::Error> {
    let rows = rows_by_ids(db, ids, ", (SELECT version FROM customer_counts WHERE id = 1) AS at").await?;
    let at = rows.first().and_then(|r| r.at).unwrap_or(i64::MIN);
    Ok((to_organizations(rows), at))
}

/// [`by_ids`]' rows, with the `columns` added (`", ..."`).
async fn rows_by_ids(db: &Db, ids: &[i64], columns: &str) -> Result<Vec<OrgRow>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT o.id, o.name, o.created_at, {MEMBER_COUNT} AS member_count, CAST(NULL AS BIGINT) AS match_count, \
         {}{columns} FROM organizations o WHERE o.id IN ({}) AND o.deleted_at IS NULL",
        domains_of(db, "o.id"),
        placeholders(1, ids.len())
    );
    let mut rows: Vec<OrgRow> = query(sql).bind_all(ids.iter().copied()).fetch_all(db).await?;
    let place: std::collections::HashMap<i64, usize> = ids.iter().enumerate().map(|(n, id)| (*id, n)).collect();
    rows.sort_by_key(|r| place.get(&r.id).copied());
    Ok(rows)
}

/// The part of `ids` (a list's ids in order) that the page at `offset` of at most `limit` shows.
pub fn page_of(ids: &[i64], offset: i64, limit: i64) -> &[i64] {
    let start = usize::try_from(offset).unwrap_or(usize::MAX).min(ids.len());
    let end = start.saturating_add(usize::try_from(limit).unwrap_or(0)).min(ids.len());
    &ids[start..end]
}

pub fn name_taken(name: &str) -> ApiError {
    ApiError::conflict_on("name", name_taken_message(name))
}

fn name_taken_message(name: &str) -> String {
    format!("An organization named {name} already exists.")
}

/// Who created an organization and how, for its first history entry (`created`).
pub(crate) struct Creation<'a> {
    /// The agent (`None`: Orgdesk itself, by the domain rule).
    pub agent: Option<i64>,
    /// How, after "Created": "" (in the Customers app), " as a sub-organization of Acme",
    /// " automatically for ann@acme.com's email domain".
    pub how: &'a str,
    /// Whether the sentence lists the domains (the domain rule's already names the email).
    pub say_domains: bool,
}

/// Inserts an organization with its domains, in the caller's transaction, and its
/// `created` history entry. Names are unique regardless of case (409 on `name`);
/// each domain belongs to at most one organization (409 on `domains`, naming the owner).
pub(crate) async fn insert(
    tx: &mut Tx,
    name: &str,
    domains: &[Domain],
    now: i64,
    creation: Creation<'_>,
) -> Result<i64, ApiError> {
    let key = organization_name_key(name);
    let existing: Option<i64> =
        query("SELECT id FROM organizations WHERE name_key = $1").bind(&key).optional_scalar(&mut *tx).await?;
    if existing.is_some() {
        return Err(name_taken(name));
    }
    check_domains_free(tx, domains, None).await?;
    let id: i64 = query(
        "INSERT INTO organizations (name, name_key, created_at, duplicate_key) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(name)
    .bind(&key)
    .bind(now)
    .bind(duplicate_key(name))
    .scalar(&mut *tx)
    .await
    .on_unique("name", || name_taken_message(name))?;
    for d in domains {
        insert_domain(tx, id, d.as_str()).await?;
    }
    let domain_list: Vec<&str> = domains.iter().map(Domain::as_str).collect();
    let with = match domain_list.as_slice() {
        _ if !creation.say_domains => String::new(),
        [] => String::new(),
        [one] => format!(" with the domain {one}"),
        more => format!(" with the domains {}", orgdesk_core::text::join_and(more)),
    };
    let entry = Entry {
        organization: id,
        agent: creation.agent,
        action: "created",
        summary: format!("Created{}{with}", creation.how),
        details: json!({ "name": name, "domains": domain_list }),
    };
    history::record(tx, &entry, now).await?;
    Ok(id)
}

/// Gives organization `org` the domain `domain`; 409 on `domains` when another
/// organization claimed it meanwhile.
pub(crate) async fn insert_domain(tx: &mut Tx, org: i64, domain: &str) -> Result<(), ApiError> {
    query("INSERT INTO organization_domains (domain, organization_id, root) VALUES ($1, $2, $3)")
        .bind(domain)
        .bind(org)
        .bind(domain_root(domain).unwrap_or_default())
        .execute(tx)
        .await
        .on_unique("domains", || "One of these domains was just claimed by another organization.".into())?;
    Ok(())
}

/// Fails with a 409 on `domains` naming the owner when any of `domains` belongs to
/// an organization other than `except`.
pub(crate) async fn check_domains_free(tx: &mut Tx, domains: &[Domain], except: Option<i64>) -> Result<(), ApiError> {
    if domains.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "SELECT d.domain, o.name, o.id FROM organization_domains d JOIN organizations o ON o.id = d.organization_id \
         WHERE d.domain IN ({}) ORDER BY d.domain",
        placeholders(1, domains.len())
    );
    let taken: Vec<(String, String, i64)> =
        query(sql).bind_all(domains.iter().map(Domain::as_str)).fetch_all(tx).await?;
    match taken.into_iter().find(|(_, _, id)| Some(*id) != except) {
        Some((domain, owner, _)) => {
            Err(ApiError::conflict_on("domains", format!("{domain} already belongs to {owner}.")))
        }
        None => Ok(()),
    }
}

pub async fn create(db: &Db, name: &str, domains: &[Domain], agent: Option<i64>, now: i64) -> Result<i64, ApiError> {
    let mut tx = db.begin_write().await?;
    let id = insert(&mut tx, name, domains, now, Creation { agent, how: "", say_domains: true }).await?;
    tx.commit().await?;
    Ok(id)
}

/// Renames organization `id` to `name` (already validated) in the caller's
/// transaction: names are unique regardless of case (409 on `name`).
pub(crate) async fn rename(tx: &mut Tx, id: i64, name: &str) -> Result<(), ApiError> {
    let key = organization_name_key(name);
    let other: Option<i64> = query("SELECT id FROM organizations WHERE name_key = $1 AND id <> $2")
        .bind(&key)
        .bind(id)
        .optional_scalar(&mut *tx)
        .await?;
    if other.is_some() {
        return Err(name_taken(name));
    }
    query("UPDATE organizations SET name = $1, name_key = $2, duplicate_key = $4 WHERE id = $3")
        .bind(name)
        .bind(&key)
        .bind(id)
        .bind(duplicate_key(name))
        .execute(tx)
        .await
        .on_unique("name", || name_taken_message(name))?;
    Ok(())
}

/// The `renamed` history entry.
pub(crate) fn renamed(org: i64, agent: Option<i64>, from: &str, to: &str) -> Entry {
    Entry {
        organization: org,
        agent,
        action: "renamed",
        summary: format!("Renamed from {from} to {to}"),
        details: json!({ "from": from, "to": to }),
    }
}

/// The `domains_changed` history entry; both lists sorted.
fn domains_changed(org: i64, agent: Option<i64>, from: &[String], to: &[String]) -> Entry {
    let shown = if to.is_empty() { "none".to_string() } else { to.join(", ") };
    Entry {
        organization: org,
        agent,
        action: "domains_changed",
        summary: format!("Domains changed to {shown}"),
        details: json!({ "from": from, "to": to }),
    }
}

/// Renames and/or replaces the domain set, in one transaction, recording `renamed`
/// and `domains_changed` in the organization's history and bumping its version when
/// something changed. `Ok(false)` when the organization does not exist.
pub async fn update(
    db: &Db,
    id: i64,
    name: Option<&str>,
    domains: Option<&[Domain]>,
    agent: Option<i64>,
    now: i64,
) -> Result<bool, ApiError> {
    let mut tx = db.begin_write().await?;
    let current: Option<String> = query("SELECT name FROM organizations WHERE id = $1 AND deleted_at IS NULL")
        .bind(id)
        .optional_scalar(&mut tx)
        .await?;
    let Some(old_name) = current else {
        return Ok(false);
    };
    let mut changed = false;
    if let Some(name) = name {
        rename(&mut tx, id, name).await?;
        if name != old_name {
            changed = true;
            history::record(&mut tx, &renamed(id, agent, &old_name, name), now).await?;
        }
    }
    if let Some(domains) = domains {
        check_domains_free(&mut tx, domains, Some(id)).await?;
        let mut old: Vec<String> = query("SELECT domain FROM organization_domains WHERE organization_id = $1")
            .bind(id)
            .scalars(&mut tx)
            .await?;
        old.sort();
        let mut new: Vec<String> = domains.iter().map(|d| d.as_str().to_string()).collect();
        new.sort();
        new.dedup();
        query("DELETE FROM organization_domains WHERE organization_id = $1").bind(id).execute(&mut tx).await?;
        for d in &new {
            insert_domain(&mut tx, id, d).await?;
        }
        if old != new {
            changed = true;
            history::record(&mut tx, &domains_changed(id, agent, &old, &new), now).await?;
        }
    }
    if changed {
        history::bump_version(&mut tx, id, now).await?;
    }
    tx.commit().await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rename_says_both_names() {
        let entry = renamed(1, Some(2), "Acme", "Acme Corp");
        assert_eq!(entry.summary, "Renamed from Acme to Acme Corp");
        assert_eq!(entry.details, json!({ "from": "Acme", "to": "Acme Corp" }));
        assert_eq!((entry.organization, entry.agent, entry.action), (1, Some(2), "renamed"));
    }

    #[test]
    fn a_domain_change_lists_the_new_domains_or_says_none() {
        let old = ["acme.com".to_string()];
        let new = ["acme.com".to_string(), "acme.org".to_string()];
        assert_eq!(domains_changed(1, None, &old, &new).summary, "Domains changed to acme.com, acme.org");
        let cleared = domains_changed(1, None, &old, &[]);
        assert_eq!(cleared.summary, "Domains changed to none");
        assert_eq!(cleared.details, json!({ "from": ["acme.com"], "to": [] }));
    }
}
