//! The Tickets app's default view, items grouped by organization with only statuses
//! filtered on, kept up to date from the writes instead of recomputed after each.
//!
//! The server holds every per-(organization, status) counter (migration 0004) with
//! the organizations in display order (by name, "none" and unnamed ones last). Each
//! counter row carries the work version after the write that last changed it
//! (`stamp`, migration 0019), so when the work version moved past the one held, the
//! rows stamped above it (an index) give the new counts of exactly the counters that
//! changed: an item's status change, a move between organizations or a deletion
//! costs one small indexed read for the next request, not a regrouping of 10,000
//! organizations. A counter of an organization not held yet (its first items, say
//! after a move) puts that organization in its place by name; a rename, a new or
//! deleted organization (their own version, `org_names_version`) rebuilds it.
//! Any page of groups for any set of statuses is then cut from the held counters.
//!
//! The same holds per assignee (or for the unassigned items): the grouping of one
//! assignee's items comes from their per-(assignee, organization, status) counters
//! (`assignee_item_counts`, migration 0021), stamped the same way; the server holds the
//! groupings of the [`MAX_HELD`] scopes asked for most recently.

use std::collections::HashMap;
use std::sync::Arc;

use orgdesk_core::api::tickets::{GroupBy, ItemGroup, ItemStatus};
use orgdesk_core::tickets::ItemFilter;
use orgdesk_core::word::Word;
use tokio::sync::Mutex;

use super::filter::Counter;
use super::groups::Groups;
use crate::db::{query, Db, Query};

const STATUSES: usize = 5;

/// How many groupings (all items, or one assignee's) are held at most; the one asked
/// for least recently goes first.
pub const MAX_HELD: usize = 16;

/// Whose items a held grouping counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    All,
    /// One assignee's items (0: the unassigned ones).
    Assignee(i64),
}

impl Scope {
    /// `SELECT {columns}` from this scope's counters (`c`) and `{joins}`, the rows
    /// kept by `{condition}` and this scope; then `{rest}`.
    fn counters(self, columns: &str, joins: &str, condition: Option<(&str, i64)>, rest: &str) -> Query {
        let table = match self {
            Scope::All => "org_item_counts",
            Scope::Assignee(_) => "assignee_item_counts",
        };
        let mut q = query(format!("SELECT {columns} FROM {table} c{joins}"));
        let mut conditions = Vec::new();
        if let Some((condition, value)) = condition {
            conditions.push(format!("{condition} {}", q.param(value)));
        }
        if let Scope::Assignee(assignee) = self {
            conditions.push(format!("c.assignee_id = {}", q.param(assignee)));
        }
        if !conditions.is_empty() {
            q.push(" WHERE ").push(&conditions.join(" AND "));
        }
        q.push(rest);
        q
    }
}

type Slot = Arc<Mutex<Option<Held>>>;
/// Each scope's holder with the tick of its last use, and the tick now.
type Slots = (HashMap<Scope, (Slot, u64)>, u64);

/// The held groupings (none before the first request).
#[derive(Default)]
pub struct OrgGroups {
    held: std::sync::Mutex<Slots>,
}

/// An organization (0 for none) with its label and items per status.
struct Org {
    id: i64,
    label: Option<String>,
    /// The name's sort key (`name_key`); none for "No organization", which goes last.
    key: Option<String>,
    counts: [i64; STATUSES],
}

impl Org {
    /// Display order: by name key, then id; those without one last.
    fn order(&self) -> (bool, Option<&str>, i64) {
        (self.key.is_none(), self.key.as_deref(), self.id)
    }
}

struct Held {
    /// Every counter stamped at or below this work version is applied.
    version: i64,
    names_version: i64,
    /// In display order.
    orgs: Vec<Org>,
    /// Organization id to its place in `orgs`.
    places: HashMap<i64, usize>,
}

/// How a request was answered, for the benchmark's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answered {
    /// The held counters were current.
    Held,
    /// The changed counters were read and applied.
    Updated,
    /// Everything was read anew.
    Rebuilt,
}

/// Which held grouping answers this one, if any: by organization, with only statuses
/// and at most the assignee filtered on.
pub fn scope(by: GroupBy, f: &ItemFilter) -> Option<Scope> {
    let answered = |f: &ItemFilter| by == GroupBy::Organization && Counter::Org.answers(f) && f.organization.is_none();
    match f.assignee {
        None => answered(f).then_some(Scope::All),
        Some(assignee) => {
            let others = ItemFilter { assignee: None, ..f.clone() };
            answered(&others).then_some(Scope::Assignee(assignee.unwrap_or(0)))
        }
    }
}

impl Answered {
    pub fn as_str(self) -> &'static str {
        match self {
            Answered::Held => "held",
            Answered::Updated => "updated",
            Answered::Rebuilt => "rebuilt",
        }
    }
}

fn status_place(word: &str) -> Result<usize, sqlx::Error> {
    let status = crate::db::decode_word::<ItemStatus>(word)?;
    Ok(ItemStatus::ALL.iter().position(|s| *s == status).expect("every status is in ALL"))
}

impl OrgGroups {
    /// One page of the groups of items matching `filter` (of `scope`, see [`scope`]) as
    /// of at least work version `version` (the one the request's session read).
    pub async fn page(
        &self,
        db: &Db,
        version: i64,
        scope: Scope,
        filter: &ItemFilter,
        offset: i64,
        limit: i64,
    ) -> Result<(Groups, Answered), sqlx::Error> {
        debug_assert_eq!(self::scope(GroupBy::Organization, filter), Some(scope));
        let slot = self.slot(scope);
        let mut held = slot.lock().await;
        let answered = match held.as_mut() {
            Some(h) if h.version >= version => Answered::Held,
            Some(h) => match h.update(db, version, scope).await? {
                true => Answered::Updated,
                false => Answered::Rebuilt,
            },
            None => Answered::Rebuilt,
        };
        if answered == Answered::Rebuilt {
            *held = Some(Held::load(db, version, scope).await?);
        }
        let held = held.as_ref().expect("held after a load");
        Ok((held.page(filter, offset, limit), answered))
    }

    /// The holder of `scope`'s grouping; a new one (empty) drops the least recently used
    /// past [`MAX_HELD`].
    fn slot(&self, scope: Scope) -> Slot {
        let mut guard = self.held.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let (slots, tick) = &mut *guard;
        *tick += 1;
        if let Some((slot, used)) = slots.get_mut(&scope) {
            *used = *tick;
            return slot.clone();
        }
        if slots.len() >= MAX_HELD {
            crate::versioned_cache::drop_least_recent(slots);
        }
        let slot = Slot::default();
        slots.insert(scope, (slot.clone(), *tick));
        slot
    }

    #[cfg(test)]
    fn held_scopes(&self) -> usize {
        self.held.lock().unwrap().0.len()
    }
}

/// A counter with its organization's name and sort key: (organization, name, name_key, status, n).
type CounterRow = (i64, Option<String>, Option<String>, String, i64);

async fn names_version(db: &Db) -> Result<i64, sqlx::Error> {
    query("SELECT version FROM org_names_version WHERE id = 1").scalar(db).await
}

impl Held {
    /// Reads every counter, with the organizations' names, in display order. Runs after
    /// the request read `version`, so every counter stamped up to it is seen.
    async fn load(db: &Db, version: i64, scope: Scope) -> Result<Held, sqlx::Error> {
        // Read before the counters: a rename in between shows as a newer names version next time.
        let names_version = names_version(db).await?;
        let rows: Vec<CounterRow> = scope
            .counters(
                "c.organization_id, l.name, l.name_key, c.status, CAST(c.n AS BIGINT)",
                " LEFT JOIN organizations l ON l.id = c.organization_id",
                None,
                " ORDER BY CASE WHEN l.id IS NULL THEN 1 ELSE 0 END, l.name_key, c.organization_id",
            )
            .fetch_all(db)
            .await?;
        let mut held = Held { version, names_version, orgs: Vec::new(), places: HashMap::new() };
        for (id, label, key, status, n) in rows {
            let place = match held.places.get(&id) {
                Some(&p) => p,
                None => {
                    held.orgs.push(Org { id, label, key, counts: [0; STATUSES] });
                    held.places.insert(id, held.orgs.len() - 1);
                    held.orgs.len() - 1
                }
            };
            held.orgs[place].counts[status_place(&status)?] = n;
        }
        Ok(held)
    }

    /// Applies the counters changed since the held version; false when only a
    /// rebuild can bring it up to date (names changed).
    async fn update(&mut self, db: &Db, version: i64, scope: Scope) -> Result<bool, sqlx::Error> {
        if names_version(db).await? != self.names_version {
            return Ok(false);
        }
        let rows: Vec<(i64, String, i64)> = scope
            .counters("c.organization_id, c.status, CAST(c.n AS BIGINT)", "", Some(("c.stamp >", self.version)), "")
            .fetch_all(db)
            .await?;
        // Organizations counting items for the first time: put in their place by name.
        let mut new_ids: Vec<i64> = rows.iter().map(|r| r.0).filter(|id| !self.places.contains_key(id)).collect();
        new_ids.sort_unstable();
        new_ids.dedup();
        if !new_ids.is_empty() {
            let mut q = query("SELECT id, name, name_key FROM organizations WHERE id IN (");
            q.push_list(&new_ids).push(")");
            let found: Vec<(i64, String, String)> = q.fetch_all(db).await?;
            let mut added: Vec<Org> = found
                .into_iter()
                .map(|(id, name, key)| Org { id, label: Some(name), key: Some(key), counts: [0; STATUSES] })
                .collect();
            // No organization (0) or one gone since: it has no row to name it.
            for id in &new_ids {
                if !added.iter().any(|o| o.id == *id) {
                    added.push(Org { id: *id, label: None, key: None, counts: [0; STATUSES] });
                }
            }
            for org in added {
                let at = self.orgs.partition_point(|o| o.order() < org.order());
                self.orgs.insert(at, org);
            }
            self.places = self.orgs.iter().enumerate().map(|(place, o)| (o.id, place)).collect();
        }
        // The counts read are the current ones (never older than what is held), so
        // applying them is right even when they were changed again after `version`.
        for (id, status, n) in rows {
            let place = self.places[&id];
            self.orgs[place].counts[status_place(&status)?] = n;
        }
        self.version = version;
        Ok(true)
    }

    fn page(&self, filter: &ItemFilter, offset: i64, limit: i64) -> Groups {
        let wanted: [bool; STATUSES] =
            std::array::from_fn(|i| filter.statuses.is_empty() || filter.statuses.contains(&ItemStatus::ALL[i]));
        let (offset, limit) = (offset.max(0) as usize, limit.max(0) as usize);
        let mut groups = Vec::new();
        let (mut total_groups, mut total_items) = (0usize, 0i64);
        for org in &self.orgs {
            let n: i64 = org.counts.iter().zip(wanted).filter(|(_, w)| *w).map(|(n, _)| n).sum();
            if n <= 0 {
                continue;
            }
            if total_groups >= offset && groups.len() < limit {
                groups.push(group(org, n));
            }
            total_groups += 1;
            total_items += n;
        }
        Groups { groups, total_groups: total_groups as i64, total_items }
    }
}

fn group(org: &Org, count: i64) -> ItemGroup {
    match &org.label {
        Some(label) => ItemGroup { key: org.id.to_string(), label: label.clone(), count },
        None if org.id == 0 => ItemGroup { key: "none".into(), label: "No organization".into(), count },
        None => ItemGroup { key: org.id.to_string(), label: format!("#{}", org.id), count },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(statuses: &[ItemStatus], assignee: Option<Option<i64>>) -> ItemFilter {
        ItemFilter { statuses: statuses.to_vec(), assignee, ..Default::default() }
    }

    #[test]
    fn statuses_and_at_most_an_assignee_are_answered_by_a_held_grouping() {
        let open = [ItemStatus::New, ItemStatus::Open];
        assert_eq!(scope(GroupBy::Organization, &filter(&open, None)), Some(Scope::All));
        assert_eq!(scope(GroupBy::Organization, &filter(&[], Some(Some(7)))), Some(Scope::Assignee(7)));
        assert_eq!(scope(GroupBy::Organization, &filter(&open, Some(None))), Some(Scope::Assignee(0)));
        assert_eq!(scope(GroupBy::Project, &filter(&open, Some(Some(7)))), None);
        let with = |f: ItemFilter| scope(GroupBy::Organization, &f);
        assert_eq!(with(ItemFilter { project_id: Some(1), ..filter(&open, Some(Some(7))) }), None);
        assert_eq!(with(ItemFilter { organization: Some(Some(1)), ..filter(&open, None) }), None);
        assert_eq!(with(ItemFilter { requester_id: Some(3), ..filter(&open, Some(Some(7))) }), None);
    }

    #[test]
    fn holds_at_most_max_held_groupings_dropping_the_least_recently_asked_for() {
        let groups = OrgGroups::default();
        let all = groups.slot(Scope::All);
        for a in 1..=(MAX_HELD as i64 + 5) {
            groups.slot(Scope::Assignee(a));
            // The grouping of all items is asked for all the time.
            assert!(Arc::ptr_eq(&all, &groups.slot(Scope::All)), "kept while in use");
        }
        assert_eq!(groups.held_scopes(), MAX_HELD);
        let newest = Scope::Assignee(MAX_HELD as i64 + 5);
        assert!(Arc::ptr_eq(&groups.slot(newest), &groups.slot(newest)), "the newest is kept");
        assert_eq!(groups.held_scopes(), MAX_HELD);
    }
}
