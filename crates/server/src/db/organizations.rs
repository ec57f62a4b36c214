//! Customer organizations and their email domains.

pub mod contacts;
pub mod files;
pub mod history;
pub mod notes;
pub mod properties;

use orgdesk_core::api::Organization;
use orgdesk_core::domain::Domain;

use crate::db::{prefix_range, Db};
use crate::error::ApiError;
use crate::time_fmt::rfc3339;
use crate::{in_write_tx, on_db};

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
}

/// Ids of the customers matching the search ($1..$2), each condition answered by an index.
/// `sort_name` ("first last", or the email) covers first names and full names.
pub const MATCHED_CUSTOMERS: &str = "SELECT id FROM customers WHERE last_key >= $1 AND last_key < $2 \
     UNION SELECT id FROM customers WHERE sort_name >= $1 AND sort_name < $2 \
     UNION SELECT id FROM customers WHERE email >= $1 AND email < $2";

/// Bumped by triggers (migration 0005) on every write that can change a search result.
pub async fn data_version(db: &Db) -> Result<i64, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar("SELECT version FROM customer_counts WHERE id = 1").fetch_one(pool).await)
}

pub struct OrgList {
    pub items: Vec<Organization>,
    pub total: i64,
    pub unassigned: i64,
}

/// One page of organizations by name, with member counts; with a search, the
/// organizations whose name or some member matches it.
pub async fn list(db: &Db, q: Option<&str>, offset: i64, limit: i64) -> Result<OrgList, sqlx::Error> {
    let member_count = "(SELECT COUNT(*) FROM memberships m WHERE m.organization_id = o.id)";
    let rows: Vec<OrgRow>;
    // Counts past the last page (or when nothing matches), where no row carries them.
    let count_sql: String;
    let range: Option<(String, String)>;
    match q.map(prefix_range) {
        None => {
            // One statement: the page, the organization count and the unassigned count
            // (both kept by triggers, migrations 0003 and 0006).
            let counts = "(SELECT organizations FROM customer_counts WHERE id = 1) AS total, \
                          (SELECT unassigned FROM customer_counts WHERE id = 1) AS unassigned";
            let sql = format!(
                "SELECT o.id, o.name, o.created_at, {member_count} AS member_count, CAST(NULL AS BIGINT) AS match_count, \
                 {counts}, {domains} FROM organizations o ORDER BY o.name_key, o.id LIMIT $1 OFFSET $2",
                domains = domains_of(db, "o.id")
            );
            rows = on_db!(db, pool => sqlx::query_as(&sql).bind(limit).bind(offset).fetch_all(pool).await)?;
            count_sql = format!("SELECT {counts}");
            range = None;
        }
        Some((from, to)) => {
            // The matching customers come from four index range scans; the
            // organizations from their members' hits and from their own names.
            // One pass yields the page, the total and the unassigned count.
            let with = format!(
                "WITH matched AS ({MATCHED_CUSTOMERS}), \
                 member_hits AS (SELECT m.organization_id AS org_id, COUNT(*) AS hits FROM matched \
                   JOIN memberships m ON m.customer_id = matched.id GROUP BY m.organization_id), \
                 name_hits AS (SELECT id AS org_id FROM organizations WHERE name_key >= $1 AND name_key < $2), \
                 hits AS (SELECT org_id FROM member_hits UNION SELECT org_id FROM name_hits)"
            );
            let sql = format!(
                "{with}, page AS (SELECT o.id, o.name, o.name_key, o.created_at, COALESCE(h.hits, 0) AS hits, \
                   CASE WHEN n.org_id IS NULL THEN 0 ELSE 1 END AS name_hit, COUNT(*) OVER () AS total \
                   FROM hits JOIN organizations o ON o.id = hits.org_id \
                   LEFT JOIN member_hits h ON h.org_id = o.id LEFT JOIN name_hits n ON n.org_id = o.id \
                   ORDER BY o.name_key, o.id LIMIT $3 OFFSET $4) \
                 SELECT p.id, p.name, p.created_at, \
                   (SELECT COUNT(*) FROM memberships m WHERE m.organization_id = p.id) AS member_count, \
                   CASE WHEN p.name_hit = 1 THEN (SELECT COUNT(*) FROM memberships m WHERE m.organization_id = p.id) \
                     ELSE p.hits END AS match_count, \
                   p.total AS total, \
                   (SELECT COUNT(*) FROM matched WHERE NOT EXISTS \
                     (SELECT 1 FROM memberships m WHERE m.customer_id = matched.id)) AS unassigned, {domains} \
                 FROM page p ORDER BY p.name_key, p.id",
                domains = domains_of(db, "p.id")
            );
            rows = on_db!(db, pool => sqlx::query_as(&sql).bind(&from).bind(&to).bind(limit).bind(offset).fetch_all(pool).await)?;
            count_sql = format!(
                "{with} SELECT (SELECT COUNT(*) FROM hits), (SELECT COUNT(*) FROM matched WHERE NOT EXISTS \
                   (SELECT 1 FROM memberships m WHERE m.customer_id = matched.id))"
            );
            range = Some((from, to));
        }
    }
    let (total, unassigned): (i64, i64) = match rows.first() {
        Some(first) => (first.total.unwrap_or_default(), first.unassigned.unwrap_or_default()),
        None => on_db!(db, pool => {
            let mut query = sqlx::query_as(&count_sql);
            if let Some((from, to)) = &range {
                query = query.bind(from).bind(to);
            }
            query.fetch_one(pool).await
        })?,
    };
    let items = to_organizations(rows);
    Ok(OrgList { items, total, unassigned })
}

/// A column with the domains of organization `org` (an SQL expression), separated by
/// spaces (domains never contain one), so a page of organizations is one query.
fn domains_of(db: &Db, org: &str) -> String {
    let aggregate = match db {
        Db::Sqlite(_) => "group_concat(d.domain, ' ')",
        Db::Postgres(_) => "string_agg(d.domain, ' ')",
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
    let sql = format!(
        "SELECT o.id, o.name, o.created_at, (SELECT COUNT(*) FROM memberships m WHERE m.organization_id = o.id) AS member_count, \
         CAST(NULL AS BIGINT) AS match_count, {} FROM organizations o WHERE o.id = $1",
        domains_of(db, "o.id")
    );
    let rows: Vec<OrgRow> = on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_all(pool).await)?;
    Ok(to_organizations(rows).pop())
}

pub fn name_taken(name: &str) -> ApiError {
    ApiError::conflict_on("name", format!("An organization named {name} already exists."))
}

/// Inserts an organization with its domains, in the caller's transaction `$tx`.
/// Expands to `Result<i64, ApiError>`.
#[macro_export]
macro_rules! insert_organization {
    ($tx:ident, $name:expr, $domains:expr, $now:expr) => {
        async {
            let name: &str = $name;
            let domains: &[orgdesk_core::domain::Domain] = $domains;
            let key = orgdesk_core::customer::organization_name_key(name);
            let existing: Option<i64> = sqlx::query_scalar("SELECT id FROM organizations WHERE name_key = $1")
                .bind(&key)
                .fetch_optional(&mut *$tx)
                .await?;
            if existing.is_some() {
                return Err($crate::db::organizations::name_taken(name));
            }
            $crate::check_domains_free!($tx, domains, None::<i64>).await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO organizations (name, name_key, created_at) VALUES ($1, $2, $3) RETURNING id",
            )
            .bind(name)
            .bind(&key)
            .bind($now)
            .fetch_one(&mut *$tx)
            .await?;
            for d in domains {
                sqlx::query("INSERT INTO organization_domains (domain, organization_id) VALUES ($1, $2)")
                    .bind(d.as_str())
                    .bind(id)
                    .execute(&mut *$tx)
                    .await?;
            }
            Ok::<i64, $crate::error::ApiError>(id)
        }
    };
}

/// Fails with a 409 naming the owner when any of the domains belongs to another organization.
#[macro_export]
macro_rules! check_domains_free {
    ($tx:ident, $domains:expr, $except:expr) => {
        async {
            let domains: &[orgdesk_core::domain::Domain] = $domains;
            let except: Option<i64> = $except;
            if domains.is_empty() {
                return Ok::<(), $crate::error::ApiError>(());
            }
            let sql = format!(
                "SELECT d.domain, o.name, o.id FROM organization_domains d JOIN organizations o ON o.id = d.organization_id \
                 WHERE d.domain IN ({}) ORDER BY d.domain",
                $crate::db::placeholders(1, domains.len())
            );
            let mut query = sqlx::query_as::<_, (String, String, i64)>(&sql);
            for d in domains {
                query = query.bind(d.as_str());
            }
            let taken = query.fetch_all(&mut *$tx).await?;
            if let Some((domain, owner, _)) = taken.into_iter().find(|(_, _, id)| Some(*id) != except) {
                return Err($crate::error::ApiError::conflict_on(
                    "domains",
                    format!("{domain} already belongs to {owner}."),
                ));
            }
            Ok(())
        }
    };
}

pub async fn create(db: &Db, name: &str, domains: &[Domain], now: i64) -> Result<i64, ApiError> {
    let result: Result<i64, ApiError> =
        in_write_tx!(db, tx => crate::insert_organization!(tx, name, domains, now).await);
    result.map_err(|e| unique_to_conflict(e, name))
}

fn unique_to_conflict(e: ApiError, name: &str) -> ApiError {
    match &e {
        ApiError::Database(err) if crate::db::is_unique_violation(err) => {
            let msg = err.to_string();
            if msg.contains("domain") {
                ApiError::conflict_on("domains", "One of these domains was just claimed by another organization.")
            } else {
                name_taken(name)
            }
        }
        _ => e,
    }
}

/// Renames organization `$id` to `$name` (already validated) in the caller's
/// transaction `$tx`: names are unique regardless of case (409 on `name`).
/// Expands to `Result<(), ApiError>`.
#[macro_export]
macro_rules! rename_organization {
    ($tx:ident, $id:expr, $name:expr) => {
        async {
            let id: i64 = $id;
            let name: &str = $name;
            let key = orgdesk_core::customer::organization_name_key(name);
            let other: Option<i64> =
                sqlx::query_scalar("SELECT id FROM organizations WHERE name_key = $1 AND id <> $2")
                    .bind(&key)
                    .bind(id)
                    .fetch_optional(&mut *$tx)
                    .await?;
            if other.is_some() {
                return Err($crate::db::organizations::name_taken(name));
            }
            sqlx::query("UPDATE organizations SET name = $1, name_key = $2 WHERE id = $3")
                .bind(name)
                .bind(&key)
                .bind(id)
                .execute(&mut *$tx)
                .await?;
            Ok::<(), $crate::error::ApiError>(())
        }
    };
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
    let shown_name = name.unwrap_or_default().to_string();
    let result: Result<bool, ApiError> = in_write_tx!(db, tx => async {
        let current: Option<String> = sqlx::query_scalar("SELECT name FROM organizations WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
        let Some(old_name) = current else {
            return Ok(false);
        };
        let mut changed = false;
        if let Some(name) = name {
            crate::rename_organization!(tx, id, name).await?;
            if name != old_name {
                changed = true;
                let summary = format!("Renamed from {old_name} to {name}");
                crate::record_history!(tx, id, agent, "renamed", &summary, serde_json::json!({ "from": old_name, "to": name }), now).await?;
            }
        }
        if let Some(domains) = domains {
            crate::check_domains_free!(tx, domains, Some(id)).await?;
            let mut old: Vec<String> = sqlx::query_scalar("SELECT domain FROM organization_domains WHERE organization_id = $1")
                .bind(id).fetch_all(&mut *tx).await?;
            old.sort();
            let mut new: Vec<String> = domains.iter().map(|d| d.as_str().to_string()).collect();
            new.sort();
            new.dedup();
            sqlx::query("DELETE FROM organization_domains WHERE organization_id = $1").bind(id).execute(&mut *tx).await?;
            for d in &new {
                sqlx::query("INSERT INTO organization_domains (domain, organization_id) VALUES ($1, $2)")
                    .bind(d).bind(id).execute(&mut *tx).await?;
            }
            if old != new {
                changed = true;
                let shown = if new.is_empty() { "none".to_string() } else { new.join(", ") };
                let summary = format!("Domains changed to {shown}");
                crate::record_history!(tx, id, agent, "domains_changed", &summary, serde_json::json!({ "from": old, "to": new }), now).await?;
            }
        }
        if changed {
            crate::bump_version!(tx, id, now).await?;
        }
        Ok::<bool, ApiError>(true)
    }.await);
    result.map_err(|e| unique_to_conflict(e, &shown_name))
}

/// Deletes an organization; its members become unassigned (no customer is deleted).
/// Their open items follow them to no organization; the organization's other items
/// (closed ones) lose it too, as it no longer exists.
pub async fn delete(db: &Db, id: i64) -> Result<bool, sqlx::Error> {
    in_write_tx!(db, tx => async {
        sqlx::query(&format!(
            "UPDATE items SET organization_id = NULL WHERE status IN {} AND requester_id IN \
             (SELECT customer_id FROM memberships WHERE organization_id = $1)",
            crate::db::items::OPEN_STATUSES
        ))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE items SET organization_id = NULL WHERE organization_id = $1").bind(id).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM memberships WHERE organization_id = $1").bind(id).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM organization_domains WHERE organization_id = $1").bind(id).execute(&mut *tx).await?;
        let deleted = sqlx::query("DELETE FROM organizations WHERE id = $1").bind(id).execute(&mut *tx).await?.rows_affected();
        Ok::<bool, sqlx::Error>(deleted > 0)
    }.await)
}
