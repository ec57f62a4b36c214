//! Duplicate suggestions (issue #16, point 5): organizations whose names are equal
//! once folded and stripped of punctuation and legal forms (`duplicate_key`), or
//! that have domains with the same root (`organization_domains.root`). Both keys
//! are stored and indexed (core's `duplicates` computes them), so a page groups by
//! them in one pass: each group pairs its smaller organizations with its largest
//! (by members), never every pair with every other.

use orgdesk_core::api::deleted_organizations::{DuplicatePair, DuplicateSide};
use orgdesk_core::duplicates::{domain_root, name_key, reason_label};

use crate::db::{query, Db};

/// How many keys one backfill statement writes.
const BACKFILL: i64 = 500;

/// Computes the keys still missing (organizations and domains written by paths
/// that do not set them, and rows from before migration 0017).
pub async fn fill_missing_keys(db: &Db) -> Result<(), sqlx::Error> {
    loop {
        let rows: Vec<(i64, String)> =
            query("SELECT id, name FROM organizations WHERE duplicate_key IS NULL ORDER BY id LIMIT $1")
                .bind(BACKFILL)
                .fetch_all(db)
                .await?;
        let domains: Vec<String> = query("SELECT domain FROM organization_domains WHERE root IS NULL LIMIT $1")
            .bind(BACKFILL)
            .scalars(db)
            .await?;
        if rows.is_empty() && domains.is_empty() {
            return Ok(());
        }
        let mut tx = db.begin_write().await?;
        for (id, name) in &rows {
            query("UPDATE organizations SET duplicate_key = $1 WHERE id = $2 AND name = $3")
                .bind(name_key(name))
                .bind(*id)
                .bind(name)
                .execute(&mut tx)
                .await?;
        }
        for d in &domains {
            query("UPDATE organization_domains SET root = $1 WHERE domain = $2")
                .bind(domain_root(d).unwrap_or_default())
                .bind(d)
                .execute(&mut tx)
                .await?;
        }
        tx.commit().await?;
    }
}

#[derive(sqlx::FromRow)]
struct PairRow {
    smaller: i64,
    larger: i64,
    same_name: i64,
    same_domain: i64,
    smaller_name: String,
    larger_name: String,
    smaller_members: i64,
    larger_members: i64,
    smaller_domains: String,
    larger_domains: String,
}

/// One page of suggested pairs (ordered by the larger organization's name), and
/// whether more follow. Dismissed pairs and deleted organizations are left out.
pub async fn list(db: &Db, offset: i64, limit: i64) -> Result<(Vec<DuplicatePair>, bool), sqlx::Error> {
    fill_missing_keys(db).await?;
    let aggregate = match db {
        Db::Sqlite(..) => "group_concat(d.domain, ' ')",
        Db::Postgres(..) => "string_agg(d.domain, ' ')",
    };
    let domains = |org: &str| {
        format!("COALESCE((SELECT {aggregate} FROM organization_domains d WHERE d.organization_id = {org}), '')")
    };
    let sql = format!(
        "WITH keyed AS ( \
           SELECT o.id AS org_id, 'n' AS kind, o.duplicate_key AS k FROM organizations o \
             WHERE o.deleted_at IS NULL AND o.duplicate_key IS NOT NULL AND o.duplicate_key <> '' \
           UNION SELECT d.organization_id, 'd', d.root FROM organization_domains d WHERE d.root IS NOT NULL AND d.root <> ''), \
         grouped AS (SELECT kind, k FROM keyed GROUP BY kind, k HAVING COUNT(*) > 1), \
         candidates AS (SELECT keyed.kind, keyed.k, keyed.org_id, \
             (SELECT COUNT(*) FROM memberships x WHERE x.organization_id = keyed.org_id) AS members \
           FROM keyed JOIN grouped g ON g.kind = keyed.kind AND g.k = keyed.k), \
         ranked AS (SELECT kind, k, org_id, members, \
             ROW_NUMBER() OVER (PARTITION BY kind, k ORDER BY members DESC, org_id) AS rn FROM candidates), \
         pairs AS (SELECT s.org_id AS smaller, b.org_id AS larger, s.members AS smaller_members, b.members AS larger_members, \
             CAST(MAX(CASE WHEN s.kind = 'n' THEN 1 ELSE 0 END) AS BIGINT) AS same_name, \
             CAST(MAX(CASE WHEN s.kind = 'd' THEN 1 ELSE 0 END) AS BIGINT) AS same_domain \
           FROM ranked s JOIN ranked b ON b.kind = s.kind AND b.k = s.k AND b.rn = 1 AND s.rn > 1 \
           GROUP BY s.org_id, b.org_id, s.members, b.members) \
         SELECT p.smaller, p.larger, p.same_name, p.same_domain, so.name AS smaller_name, lo.name AS larger_name, \
           p.smaller_members, p.larger_members, {sd} AS smaller_domains, {ld} AS larger_domains \
         FROM pairs p JOIN organizations so ON so.id = p.smaller JOIN organizations lo ON lo.id = p.larger \
         WHERE NOT EXISTS (SELECT 1 FROM duplicate_dismissals x WHERE \
           (x.first_id = p.smaller AND x.second_id = p.larger) OR (x.first_id = p.larger AND x.second_id = p.smaller)) \
         ORDER BY lo.name_key, lo.id, so.name_key, so.id LIMIT $1 OFFSET $2",
        sd = domains("p.smaller"),
        ld = domains("p.larger"),
    );
    let mut rows: Vec<PairRow> = query(sql).bind(limit + 1).bind(offset).fetch_all(db).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let side = |id: i64, name: String, members: i64, domains: String| {
        let mut domains: Vec<String> = domains.split_whitespace().map(str::to_string).collect();
        domains.sort();
        DuplicateSide { id, name, domains, member_count: members }
    };
    let items = rows
        .into_iter()
        .map(|r| {
            let (same_name, same_domain_root) = (r.same_name > 0, r.same_domain > 0);
            DuplicatePair {
                smaller: side(r.smaller, r.smaller_name, r.smaller_members, r.smaller_domains),
                larger: side(r.larger, r.larger_name, r.larger_members, r.larger_domains),
                same_name,
                same_domain_root,
                reason: reason_label(same_name, same_domain_root).to_string(),
            }
        })
        .collect();
    Ok((items, more))
}

/// Remembers that organizations `a` and `b` are not duplicates. `Ok(false)` when
/// either is not a live organization.
pub async fn dismiss(db: &Db, a: i64, b: i64, now: i64) -> Result<bool, sqlx::Error> {
    let (first, second) = (a.min(b), a.max(b));
    let mut tx = db.begin_write().await?;
    let found: i64 = query("SELECT COUNT(*) FROM organizations WHERE id IN ($1, $2) AND deleted_at IS NULL")
        .bind(first)
        .bind(second)
        .scalar(&mut tx)
        .await?;
    if found != 2 {
        return Ok(false);
    }
    query(
        "INSERT INTO duplicate_dismissals (first_id, second_id, dismissed_at) VALUES ($1, $2, $3) \
         ON CONFLICT (first_id, second_id) DO NOTHING",
    )
    .bind(first)
    .bind(second)
    .bind(now)
    .execute(&mut tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}
