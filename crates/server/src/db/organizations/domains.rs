//! An organization's email domains, edited from its panel: what adding one would
//! offer to move (matching customers with no organization, and those of other
//! organizations), adding one with the chosen moves, and removing one (its
//! matching members stay or leave).
//!
//! A domain belongs to at most one organization. Moves follow the rules of
//! `db::customers::moves`, so the panel and the Customers app agree.

use std::collections::{BTreeMap, HashMap};

use orgdesk_core::api::organization::{DomainMatchGroup, DomainMatches, OrganizationRef};
use orgdesk_core::api::tickets::CustomerRef;
use orgdesk_core::domain::Domain;
use serde_json::json;

use super::check_domains_free;
use super::history::{self, check_and_bump_version, not_found, Entry};
use crate::db::customers::history as customer_history;
use crate::db::customers::moves::{self, move_customers_in, record_moves};
use crate::db::projects::CUSTOMER_NAME;
use crate::db::{placeholders, query, Db, OnUnique, Tx};
use crate::error::{ApiError, ApiResult};
use orgdesk_core::api::customer_profile::MoveVia;

/// How many customers a domain-match group lists.
pub const MATCH_LIST: i64 = 50;

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

/// The `domain_added` history entry; `moved` customers came in with it.
fn domain_added(org: i64, agent: Option<i64>, domain: &str, moved: usize) -> Entry {
    Entry {
        organization: org,
        agent,
        action: "domain_added",
        summary: format!("Added domain {domain}"),
        details: json!({ "domain": domain, "moved": moved }),
    }
}

/// The `domain_removed` history entry; `left` members left with it.
fn domain_removed(org: i64, agent: Option<i64>, domain: &str, left: usize) -> Entry {
    let summary = match left {
        0 => format!("Removed domain {domain}"),
        1 => format!("Removed domain {domain}; 1 member left"),
        n => format!("Removed domain {domain}; {n} members left"),
    };
    Entry {
        organization: org,
        agent,
        action: "domain_removed",
        summary,
        details: json!({ "domain": domain, "left": left }),
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

/// The organization that owns `$1`, a domain.
const OWNER: &str =
    "SELECT o.id, o.name FROM organization_domains d JOIN organizations o ON o.id = d.organization_id WHERE d.domain = $1";

/// The members of `org` whose email is at `domain`.
async fn members_matching(tx: &mut Tx, org: i64, domain: &Domain) -> Result<Vec<i64>, sqlx::Error> {
    query(format!(
        "SELECT c.id FROM customers c JOIN memberships m ON m.customer_id = c.id \
         WHERE m.organization_id = $1 AND {}",
        email_condition(domain, 2)
    ))
    .bind(org)
    .bind(email_pattern(domain))
    .scalars(tx)
    .await
}

/// What adding `domain` to organization `id` would offer to move: its matching
/// customers with no organization, and those of other organizations by organization.
pub async fn domain_matches(db: &Db, id: i64, domain: &Domain) -> ApiResult<DomainMatches> {
    let pattern = email_pattern(domain);
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
    let exists: Option<i64> =
        query("SELECT id FROM organizations WHERE id = $1 AND deleted_at IS NULL").bind(id).optional_scalar(db).await?;
    if exists.is_none() {
        return Err(not_found());
    }
    let owner: Option<(i64, String)> = query(OWNER).bind(domain.as_str()).fetch_optional(db).await?;
    let unassigned: Vec<(i64, String, String, i64)> =
        query(unassigned_sql).bind(&pattern).bind(MATCH_LIST).fetch_all(db).await?;
    let elsewhere: Vec<MatchRow> = query(elsewhere_sql).bind(&pattern).bind(id).bind(MATCH_LIST).fetch_all(db).await?;
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
    let mut tx = db.begin_write().await?;
    check_and_bump_version(&mut tx, id, version, now).await?;
    let owner: Option<(i64, String)> = query(OWNER).bind(domain.as_str()).fetch_optional(&mut tx).await?;
    if let Some((owner_id, owner_name)) = owner {
        return Err(domain_owned(domain.as_str(), &owner_name, owner_id == id));
    }
    check_domains_free(&mut tx, std::slice::from_ref(domain), Some(id)).await.map_err(|e| match e {
        ApiError::Conflict { message, .. } => ApiError::conflict_on("domain", message),
        other => other,
    })?;
    query("INSERT INTO organization_domains (domain, organization_id, root) VALUES ($1, $2, $3)")
        .bind(domain.as_str())
        .bind(id)
        .bind(orgdesk_core::duplicates::domain_root(domain.as_str()).unwrap_or_default())
        .execute(&mut tx)
        .await
        .on_unique("domain", || "This domain was just claimed by another organization.".into())?;
    // Who moves: customer -> where they are now.
    let mut moving: BTreeMap<i64, Option<i64>> = BTreeMap::new();
    if choice.unassigned {
        let ids: Vec<i64> = query(format!(
            "SELECT c.id FROM customers c WHERE {} \
             AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.customer_id = c.id)",
            email_condition(domain, 1)
        ))
        .bind(&pattern)
        .scalars(&mut tx)
        .await?;
        moving.extend(ids.into_iter().map(|c| (c, None)));
    }
    for &from in &choice.from_organizations {
        let exists: Option<i64> = query("SELECT id FROM organizations WHERE id = $1 AND deleted_at IS NULL")
            .bind(from)
            .optional_scalar(&mut tx)
            .await?;
        if exists.is_none() || from == id {
            return Err(ApiError::invalid(
                "move_from_organizations",
                format!("Organization {from} is not another existing organization."),
            ));
        }
        let ids = members_matching(&mut tx, from, domain).await?;
        moving.extend(ids.into_iter().map(|c| (c, Some(from))));
    }
    for chunk in choice.customers.chunks(moves::CHUNK) {
        let sql = format!(
            "SELECT c.id, c.email, m.organization_id FROM customers c LEFT JOIN memberships m ON m.customer_id = c.id \
             WHERE c.id IN ({})",
            placeholders(1, chunk.len())
        );
        let found: Vec<(i64, String, Option<i64>)> = query(sql).bind_all(chunk).fetch_all(&mut tx).await?;
        let found: HashMap<i64, (String, Option<i64>)> = found.into_iter().map(|(c, e, o)| (c, (e, o))).collect();
        for c in chunk {
            match found.get(c) {
                None => return Err(ApiError::invalid("move_customers", format!("Customer {c} does not exist."))),
                Some((email, _)) if !email_matches(domain, email) => {
                    return Err(ApiError::invalid(
                        "move_customers",
                        format!("{email} does not match {}.", domain.as_str()),
                    ))
                }
                Some((_, from)) if *from != Some(id) => {
                    moving.insert(*c, *from);
                }
                Some(_) => {}
            }
        }
    }
    let moving: Vec<moves::Move> = moving.into_iter().collect();
    let ids: Vec<i64> = moving.iter().map(|(c, _)| *c).collect();
    move_customers_in(&mut tx, &ids, Some(id)).await?;
    history::record(&mut tx, &domain_added(id, agent, domain.as_str(), ids.len()), now).await?;
    record_moves(&mut tx, &moving, Some(id), agent, now).await?;
    customer_history::record_moves(&mut tx, &moving, Some(id), agent, MoveVia::DomainRule, now).await?;
    tx.commit().await?;
    Ok(())
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
    let mut tx = db.begin_write().await?;
    check_and_bump_version(&mut tx, id, version, now).await?;
    let removed = query("DELETE FROM organization_domains WHERE domain = $1 AND organization_id = $2")
        .bind(domain.as_str())
        .bind(id)
        .execute(&mut tx)
        .await?;
    if removed == 0 {
        return Err(ApiError::NotFound(format!("This organization does not have the domain {}.", domain.as_str())));
    }
    let mut left = 0;
    if leave {
        let ids = members_matching(&mut tx, id, domain).await?;
        move_customers_in(&mut tx, &ids, None).await?;
        let moves: Vec<moves::Move> = ids.iter().map(|c| (*c, Some(id))).collect();
        customer_history::record_moves(&mut tx, &moves, None, agent, MoveVia::DomainRule, now).await?;
        left = ids.len();
    }
    history::record(&mut tx, &domain_removed(id, agent, domain.as_str(), left), now).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn domain(s: &str) -> Domain {
        Domain::parse(s).unwrap()
    }

    #[test]
    fn an_exact_domain_is_an_equality_and_a_wildcard_a_suffix_pattern() {
        let exact = domain("acme.com");
        assert_eq!(email_condition(&exact, 2), "c.email_domain = $2");
        assert_eq!(email_pattern(&exact), "acme.com");
        let wildcard = domain("*.acme.com");
        assert_eq!(email_condition(&wildcard, 1), "c.email_domain LIKE $1");
        assert_eq!(email_pattern(&wildcard), "%.acme.com");
    }

    #[test]
    fn an_email_matches_its_host_and_a_wildcard_only_subdomains() {
        assert!(email_matches(&domain("acme.com"), "ann@acme.com"));
        assert!(!email_matches(&domain("acme.com"), "ann@eu.acme.com"));
        assert!(email_matches(&domain("*.acme.com"), "ann@eu.acme.com"));
        assert!(!email_matches(&domain("*.acme.com"), "ann@acme.com"));
        assert!(!email_matches(&domain("acme.com"), "not an email"));
    }

    #[test]
    fn a_taken_domain_names_its_owner_or_says_it_is_already_there() {
        let own = domain_owned("acme.com", "Acme", true);
        assert_eq!(own.to_string(), "Acme already has the domain acme.com.");
        let other = domain_owned("acme.com", "Globex", false);
        assert_eq!(other.to_string(), "acme.com already belongs to Globex.");
    }

    #[test]
    fn a_removed_domain_counts_the_members_who_left() {
        assert_eq!(domain_removed(1, None, "acme.com", 0).summary, "Removed domain acme.com");
        assert_eq!(domain_removed(1, None, "acme.com", 1).summary, "Removed domain acme.com; 1 member left");
        let many = domain_removed(1, None, "acme.com", 3);
        assert_eq!(many.summary, "Removed domain acme.com; 3 members left");
        assert_eq!(many.details, json!({ "domain": "acme.com", "left": 3 }));
        let added = domain_added(1, Some(2), "acme.com", 4);
        assert_eq!((added.summary.as_str(), added.details["moved"].as_i64()), ("Added domain acme.com", Some(4)));
    }
}
