//! The organization search (without a project) kept between requests and brought up
//! to date after moves instead of computed anew.
//!
//! Which customers a search matches by themselves, which organizations it matches by
//! name, and the organizations' order depend only on text: they are kept per
//! `search_text_version` (migration 0022), which moves do not bump. What moves change is
//! the organization of each matched customer and the member counts. Every change of a
//! membership stamps the organizations that gained or lost a member
//! ([`member_stamps`]); a kept result reads the organizations stamped since the search
//! version it is exact at and re-reads only their members.
//!
//! The organizations a page shows (name, domains, member count) are kept too, each with
//! the search version it was read at: names change only with the search text version,
//! and a change of an organization's members or domains stamps it (migration 0027), so a
//! kept row is dropped when its organization is stamped above the version it was read at.
//! A page reads by id only the organizations it does not keep.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use orgdesk_core::api::Organization;

use crate::db::organizations::{by_ids_at, page_of, OrgList};
use crate::db::search::Filter;
use crate::db::{member_stamps, placeholders, query, Db};

/// How many customers a search may match by themselves to be kept this way; a broader
/// search is computed as before ([`super::list`]).
pub const MAX_MATCHED_CUSTOMERS: usize = 10_000;
/// How many organizations it (or a picker's search, `customers::PickerHits`) may match
/// by name to be kept this way.
pub const MAX_MATCHED_ORGANIZATIONS: usize = 2_000;
/// How many organizations' rows a kept search keeps at most (ten pages of the app's);
/// pages past them are read by id.
pub const MAX_KEPT_ROWS: usize = 1_000;

/// A kept organization search; `None` inside when it matches too much to be kept.
pub struct OrgHits {
    state: Mutex<State>,
    /// One request brings the result up to date at a time; the others wait for it.
    refreshing: tokio::sync::Mutex<()>,
}

struct State {
    kept: Option<Kept>,
    rows: Rows,
}

/// The rows of the organizations pages have shown.
struct Rows {
    /// Each organization with the search version it was read at.
    by_id: HashMap<i64, (Organization, i64)>,
    /// Every organization stamped at or below this version since the search was computed
    /// has been dropped: a row read at an older version may miss such a change, and is
    /// not kept.
    fresh_from: i64,
}

#[derive(Clone)]
struct Kept {
    /// The search version (`customer_counts.version`) the result is exact at.
    exact_at: i64,
    hits: Arc<Hits>,
}

/// A kept result; a copy shares the large parts, which a change copies only when it
/// changes them (most changes move no matched customer and copy none).
#[derive(Clone, Default)]
struct Hits {
    /// The customers matched by themselves, and their organization.
    customers: Arc<HashMap<i64, Option<i64>>>,
    /// The organizations matched by name, and their member count.
    named: HashMap<i64, i64>,
    /// The name key of each live organization listed or once listed.
    keys: Arc<HashMap<i64, String>>,
    /// Matched customers per organization.
    hits: Arc<HashMap<i64, i64>>,
    /// The organizations listed, by name key and id.
    listed: Arc<Vec<i64>>,
    unassigned: i64,
}

/// (customer or organization id, organization id or member count, name key of the organization).
type Found = (i64, Option<i64>, Option<String>);

impl OrgHits {
    /// Reads what the search matches, after the search version `exact_at` was read (the
    /// request's: the result is at least as new as that version).
    pub async fn compute(db: &Db, f: &Filter, exact_at: i64) -> Result<OrgHits, sqlx::Error> {
        let kept = Hits::read(db, f).await?.map(|hits| Kept { exact_at, hits: Arc::new(hits) });
        let rows = Rows { by_id: HashMap::new(), fresh_from: exact_at };
        Ok(OrgHits { state: Mutex::new(State { kept, rows }), refreshing: tokio::sync::Mutex::new(()) })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn current(&self) -> Option<Kept> {
        self.lock().kept.clone()
    }

    /// [`member_stamps::changed_since`], with the kept rows the stamps read make stale
    /// dropped before anything is brought up to date from them.
    async fn changed_since(&self, db: &Db, since: i64) -> Result<(i64, Option<Vec<i64>>), sqlx::Error> {
        let (now, changed) = member_stamps::changed_since(db, since).await?;
        if let Some(changed) = &changed {
            self.forget(changed, now);
        }
        Ok((now, changed))
    }

    /// The stamps read up to version `now`: drops the kept rows of the organizations
    /// `changed` read before it, and keeps no row read before it from now on.
    fn forget(&self, changed: &[i64], now: i64) {
        let mut state = self.lock();
        let rows = &mut state.rows;
        for id in changed {
            if rows.by_id.get(id).is_some_and(|(_, at)| *at < now) {
                rows.by_id.remove(id);
            }
        }
        rows.fresh_from = rows.fresh_from.max(now);
    }

    /// Keeps `read`, read at version `at`, unless a stamp read since may be missing from it.
    fn keep(&self, read: &[Organization], at: i64) {
        let mut state = self.lock();
        let rows = &mut state.rows;
        if at < rows.fresh_from {
            return;
        }
        for o in read {
            if rows.by_id.len() >= MAX_KEPT_ROWS {
                break;
            }
            rows.by_id.insert(o.id, (o.clone(), at));
        }
    }

    /// The kept rows of `ids`.
    fn kept_rows(&self, ids: &[i64]) -> HashMap<i64, Organization> {
        let state = self.lock();
        ids.iter().filter_map(|id| state.rows.by_id.get(id).map(|(o, _)| (*id, o.clone()))).collect()
    }

    /// Brings the result up to date with the membership changes since it was exact;
    /// `false` when there were too many to follow (then it must be computed anew).
    pub async fn refresh(&self, db: &Db) -> Result<bool, sqlx::Error> {
        let Some(kept) = self.current() else {
            // Too broad to be kept this way: the caller lists as before.
            return Ok(true);
        };
        let (now, changed) = self.changed_since(db, kept.exact_at).await?;
        match changed {
            None => return Ok(false),
            Some(changed) if !kept.hits.touched_by(&changed) => {
                self.store(&kept, Kept { exact_at: now, hits: kept.hits.clone() });
                return Ok(true);
            }
            Some(_) => {}
        }
        let _one = self.refreshing.lock().await;
        let Some(current) = self.current() else { return Ok(true) };
        let (kept, now, changed) = if current.exact_at >= now {
            // A request that waited here for another one's refresh: the result is now at
            // least as new as the version this request read.
            return Ok(true);
        } else if current.exact_at == kept.exact_at && Arc::ptr_eq(&current.hits, &kept.hits) {
            // Nobody refreshed it meanwhile: the changes read above are the ones to apply.
            (kept, now, changed)
        } else {
            // Another request brought it partly up to date: read the changes since then.
            let (now, changed) = self.changed_since(db, current.exact_at).await?;
            (current, now, changed)
        };
        let Some(changed) = changed else { return Ok(false) };
        let hits = if kept.hits.touched_by(&changed) {
            let mut hits = (*kept.hits).clone();
            hits.apply(db, &changed).await?;
            Arc::new(hits)
        } else {
            kept.hits.clone()
        };
        self.store(&kept, Kept { exact_at: now, hits });
        Ok(true)
    }

    /// Replaces `old` with `new` unless another request brought it further already.
    fn store(&self, old: &Kept, new: Kept) {
        let mut state = self.lock();
        if let Some(current) = state.kept.as_mut() {
            if Arc::ptr_eq(&current.hits, &old.hits) && current.exact_at <= new.exact_at {
                *current = new;
            }
        }
    }

    /// The page at `offset` of at most `limit` organizations with their counts now;
    /// `None` when the search is too broad to be kept this way.
    pub async fn page(&self, db: &Db, offset: i64, limit: i64) -> Result<Option<OrgList>, sqlx::Error> {
        let Some(Kept { hits, .. }) = self.current() else { return Ok(None) };
        let ids = page_of(&hits.listed, offset, limit);
        let mut rows = self.kept_rows(ids);
        let missing: Vec<i64> = ids.iter().filter(|id| !rows.contains_key(id)).copied().collect();
        if !missing.is_empty() {
            let (read, at) = by_ids_at(db, &missing).await?;
            self.keep(&read, at);
            rows.extend(read.into_iter().map(|o| (o.id, o)));
        }
        let items = ids
            .iter()
            .filter_map(|id| rows.remove(id))
            .map(|mut o| {
                o.match_count = Some(if hits.named.contains_key(&o.id) {
                    o.member_count
                } else {
                    hits.hits.get(&o.id).copied().unwrap_or_default()
                });
                o
            })
            .collect();
        // Shown: the customers matched, and the members of the organizations matched by
        // name, less those counted twice.
        let named_members: i64 = hits.named.values().sum();
        let named_hits: i64 = hits.named.keys().filter_map(|id| hits.hits.get(id)).sum();
        let customers = hits.customers.len() as i64 + named_members - named_hits;
        Ok(Some(OrgList {
            items,
            total: hits.listed.len() as i64,
            unassigned: hits.unassigned,
            customers: Some(customers),
        }))
    }
}

impl Hits {
    /// What `f` matches now; `None` when more than the limits above.
    async fn read(db: &Db, f: &Filter) -> Result<Option<Hits>, sqlx::Error> {
        // Each matched customer's organization is looked up by its key (as `super::list` does).
        let sql = format!(
            "SELECT h.id, h.org_id, (SELECT o.name_key FROM organizations o WHERE o.id = h.org_id AND o.deleted_at IS NULL) \
             FROM (SELECT k.id, (SELECT m.organization_id FROM memberships m WHERE m.customer_id = k.id) AS org_id \
             FROM ({}) k LIMIT {}) h",
            f.customers(),
            MAX_MATCHED_CUSTOMERS + 1
        );
        let customers: Vec<Found> = query(sql).bind_args(f.args()).fetch_all(db).await?;
        if customers.len() > MAX_MATCHED_CUSTOMERS {
            return Ok(None);
        }
        let sql = format!(
            "SELECT n.id, (SELECT COUNT(*) FROM memberships m WHERE m.organization_id = n.id), \
             (SELECT o.name_key FROM organizations o WHERE o.id = n.id AND o.deleted_at IS NULL) \
             FROM ({}) n LIMIT {}",
            f.organizations(),
            MAX_MATCHED_ORGANIZATIONS + 1
        );
        let named: Vec<Found> = query(sql).bind_args(f.args()).fetch_all(db).await?;
        if named.len() > MAX_MATCHED_ORGANIZATIONS {
            return Ok(None);
        }
        let mut hits = Hits::default();
        let mut keys = HashMap::new();
        let matched = Arc::make_mut(&mut hits.customers);
        for (id, org, key) in customers {
            matched.insert(id, org);
            remember(&mut keys, org, key);
        }
        for (id, members, key) in named {
            hits.named.insert(id, members.unwrap_or_default());
            remember(&mut keys, Some(id), key);
        }
        hits.keys = Arc::new(keys);
        hits.list();
        Ok(Some(hits))
    }

    /// Whether a change of the members of `changed` can change the result: one of them is
    /// listed or matched by name, or a matched customer in no organization may have joined one.
    fn touched_by(&self, changed: &[i64]) -> bool {
        !changed.is_empty()
            && (self.unassigned > 0
                || changed.iter().any(|id| self.hits.contains_key(id) || self.named.contains_key(id)))
    }

    /// Re-reads the members of the organizations `changed` (that gained or lost a member):
    /// the member counts of those matched by name, and where each matched customer is now.
    /// The matched customers and the listing are copied and redone only when one of them
    /// moved.
    async fn apply(&mut self, db: &Db, changed: &[i64]) -> Result<(), sqlx::Error> {
        let sql = format!(
            "SELECT m.customer_id, m.organization_id, o.name_key FROM memberships m \
             LEFT JOIN organizations o ON o.id = m.organization_id AND o.deleted_at IS NULL \
             WHERE m.organization_id IN ({})",
            placeholders(1, changed.len())
        );
        let members: Vec<Found> = query(sql).bind_all(changed.iter().copied()).fetch_all(db).await?;
        let changed: HashSet<i64> = changed.iter().copied().collect();
        for (id, count) in self.named.iter_mut() {
            if changed.contains(id) {
                *count = 0;
            }
        }
        let mut now: HashMap<i64, Option<i64>> = HashMap::new();
        let mut found_keys: Vec<(Option<i64>, Option<String>)> = Vec::new();
        for (customer, org, key) in members {
            if let Some(count) = org.and_then(|o| self.named.get_mut(&o)) {
                *count += 1;
            }
            if self.customers.contains_key(&customer) {
                now.insert(customer, org);
                found_keys.push((org, key));
            }
        }
        // Matched customers now in a changed organization, and those that were in one and
        // are in none of them now (they left for no organization).
        let moved: Vec<(i64, Option<i64>)> = self
            .customers
            .iter()
            .filter_map(|(id, org)| match now.get(id) {
                Some(new) if new != org => Some((*id, *new)),
                None if org.is_some_and(|o| changed.contains(&o)) => Some((*id, None)),
                _ => None,
            })
            .collect();
        if moved.is_empty() {
            return Ok(());
        }
        let customers = Arc::make_mut(&mut self.customers);
        for (id, org) in moved {
            customers.insert(id, org);
        }
        let keys = Arc::make_mut(&mut self.keys);
        for (org, key) in found_keys {
            remember(keys, org, key);
        }
        let mut missing: Vec<i64> =
            self.customers.values().flatten().filter(|o| !self.keys.contains_key(*o)).copied().collect();
        missing.sort_unstable();
        missing.dedup();
        if !missing.is_empty() {
            // Only organizations whose key is missing are looked up; deleted ones have no
            // members, so a member's organization is always found.
            let sql = format!(
                "SELECT id, name_key FROM organizations WHERE id IN ({}) AND deleted_at IS NULL",
                placeholders(1, missing.len())
            );
            let found: Vec<(i64, String)> = query(sql).bind_all(missing).fetch_all(db).await?;
            Arc::make_mut(&mut self.keys).extend(found);
        }
        self.list();
        Ok(())
    }

    /// Counts the matched customers per organization and orders the organizations listed.
    fn list(&mut self) {
        let mut hits: HashMap<i64, i64> = HashMap::new();
        self.unassigned = 0;
        for org in self.customers.values() {
            match org {
                Some(org) => *hits.entry(*org).or_default() += 1,
                None => self.unassigned += 1,
            }
        }
        let mut listed: Vec<(&str, i64)> = hits
            .keys()
            .chain(self.named.keys())
            .collect::<HashSet<_>>()
            .into_iter()
            .filter_map(|id| self.keys.get(id).map(|key| (key.as_str(), *id)))
            .collect();
        listed.sort_unstable();
        self.listed = Arc::new(listed.into_iter().map(|(_, id)| id).collect());
        self.hits = Arc::new(hits);
    }
}

/// Keeps the name key of a live organization.
fn remember(keys: &mut HashMap<i64, String>, org: Option<i64>, key: Option<String>) {
    if let (Some(org), Some(key)) = (org, key) {
        keys.insert(org, key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits_from(fresh_from: i64) -> OrgHits {
        let rows = Rows { by_id: HashMap::new(), fresh_from };
        OrgHits { state: Mutex::new(State { kept: None, rows }), refreshing: tokio::sync::Mutex::new(()) }
    }

    fn org(id: i64, members: i64) -> Organization {
        Organization {
            id,
            name: format!("Org {id}"),
            domains: Vec::new(),
            member_count: members,
            match_count: None,
            created_at: String::new(),
        }
    }

    fn members(hits: &OrgHits, ids: &[i64]) -> Vec<i64> {
        let rows = hits.kept_rows(ids);
        ids.iter().filter_map(|id| rows.get(id).map(|o| o.member_count)).collect()
    }

    #[test]
    fn a_row_is_dropped_by_a_stamp_above_it_and_never_kept_when_read_below_a_stamp_seen() {
        let hits = hits_from(5);
        // Read before the search's own version: it may miss a change the search has.
        hits.keep(&[org(1, 3)], 4);
        assert_eq!(members(&hits, &[1]), Vec::<i64>::new());
        hits.keep(&[org(1, 3), org(2, 8)], 5);
        assert_eq!(members(&hits, &[1, 2]), [3, 8]);
        // Stamps read up to 5: the rows read at 5 have those changes.
        hits.forget(&[1, 2], 5);
        assert_eq!(members(&hits, &[1, 2]), [3, 8]);
        // Organization 1 stamped up to 7: its row is dropped, the other one stays.
        hits.forget(&[1], 7);
        assert_eq!(members(&hits, &[1, 2]), [8]);
        // A read that started before the stamps up to 7 were seen is not kept; a newer one is.
        hits.keep(&[org(1, 3)], 6);
        assert_eq!(members(&hits, &[1]), Vec::<i64>::new());
        hits.keep(&[org(1, 4)], 7);
        assert_eq!(members(&hits, &[1, 2]), [4, 8]);
    }

    #[test]
    fn at_most_max_kept_rows_are_kept() {
        let hits = hits_from(0);
        let many: Vec<Organization> = (0..MAX_KEPT_ROWS as i64 + 10).map(|id| org(id, 1)).collect();
        hits.keep(&many, 1);
        let ids: Vec<i64> = many.iter().map(|o| o.id).collect();
        assert_eq!(hits.kept_rows(&ids).len(), MAX_KEPT_ROWS);
    }
}
