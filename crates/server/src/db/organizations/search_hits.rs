//! The organization search (without a project) kept between requests and brought up
//! to date after moves instead of computed anew.
//!
//! Which customers a search matches by themselves, which organizations it matches by
//! name, and the organizations' order depend only on text: they are kept per
//! `search_text_version` (migration 0022), which moves do not bump. What moves change is
//! the organization of each matched customer and the member counts. Every change of a
//! membership stamps the organizations that gained or lost a member
//! ([`member_stamps`]); a kept result reads the organizations stamped since the search
//! version it is exact at and re-reads only their members. The page's organizations
//! (name, members, domains) are read by id on every request.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use crate::db::organizations::{by_ids, page_of, OrgList};
use crate::db::search::Filter;
use crate::db::{member_stamps, placeholders, query, Db};

/// How many customers a search may match by themselves to be kept this way; a broader
/// search is computed as before ([`super::list`]).
pub const MAX_MATCHED_CUSTOMERS: usize = 10_000;
/// How many organizations it (or a picker's search, `customers::PickerHits`) may match
/// by name to be kept this way.
pub const MAX_MATCHED_ORGANIZATIONS: usize = 2_000;

/// A kept organization search; `None` inside when it matches too much to be kept.
pub struct OrgHits {
    state: Mutex<Option<Kept>>,
    /// One request brings the result up to date at a time; the others wait for it.
    refreshing: tokio::sync::Mutex<()>,
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
        Ok(OrgHits { state: Mutex::new(kept), refreshing: tokio::sync::Mutex::new(()) })
    }

    fn current(&self) -> Option<Kept> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    /// Brings the result up to date with the membership changes since it was exact;
    /// `false` when there were too many to follow (then it must be computed anew).
    pub async fn refresh(&self, db: &Db) -> Result<bool, sqlx::Error> {
        let Some(kept) = self.current() else {
            // Too broad to be kept this way: the caller lists as before.
            return Ok(true);
        };
        let (now, changed) = member_stamps::changed_since(db, kept.exact_at).await?;
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
            let (now, changed) = member_stamps::changed_since(db, current.exact_at).await?;
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
        let mut state = self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(current) = state.as_mut() {
            if Arc::ptr_eq(&current.hits, &old.hits) && current.exact_at <= new.exact_at {
                *current = new;
            }
        }
    }

    /// The page at `offset` of at most `limit` organizations with their counts now;
    /// `None` when the search is too broad to be kept this way.
    pub async fn page(&self, db: &Db, offset: i64, limit: i64) -> Result<Option<OrgList>, sqlx::Error> {
        let Some(Kept { hits, .. }) = self.current() else { return Ok(None) };
        let items = by_ids(db, page_of(&hits.listed, offset, limit))
            .await?
            .into_iter()
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
