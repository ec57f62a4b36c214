//! Results kept until the data they were computed from changes.
//!
//! Some reads cost milliseconds of CPU and are asked for all day with the same
//! parameters: an organization search for "ma" gathers thousands of matching
//! customers; grouping a million items by organization sorts up to 10,000 groups.
//! Triggers bump a version number in the database on every write that can change
//! such a result, in the writing transaction (`customer_counts.version`, migration
//! 0005, for organization and customer searches; `work_version.version`, migration 0004, for groupings), so a
//! result is reused only while that version is unchanged, on every server sharing
//! the database. Concurrent requests for the same uncached result wait for one
//! computation instead of all computing it. Failures are not kept. A full cache
//! drops the result used least recently, so the searches asked for all day stay
//! while a stream of one-off searches passes through.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use orgdesk_core::api::tickets::ItemGroup;
use tokio::sync::OnceCell;

use crate::db::customers::{Listed, PickerHits};
use crate::db::organizations::search_hits::OrgHits;
use crate::db::organizations::OrgList;

/// Organization searches: (search text, offset, limit).
pub type SearchCache = VersionedCache<(Option<String>, Option<i64>, i64, i64), OrgList>;
/// Searches of all customers (the pickers): (search text, project, offset, limit).
pub type CustomerSearchCache = VersionedCache<(Option<String>, Option<i64>, i64, i64), Listed>;
/// The pickers' searches of all customers without a project, kept by the search text
/// version and brought up to date from the membership changes since (`PickerHits`):
/// (search text, offset, limit).
pub type PickerCache = VersionedCache<(String, i64, i64), PickerHits>;
/// Organization searches without a project, kept by the search text version and brought
/// up to date after moves (`OrgHits`): the search text. At most [`ORG_HITS_CAPACITY`].
pub type OrgSearchCache = VersionedCache<String, OrgHits>;
/// How many organization searches [`OrgSearchCache`] keeps: each holds its matched
/// customers (up to `search_hits::MAX_MATCHED_CUSTOMERS`).
pub const ORG_HITS_CAPACITY: usize = 128;
/// Searches of item titles with no other filter, kept by the title version (migration
/// 0024), which status changes do not bump: (search text, offset, limit) to the page's ids,
/// newest first, and how many match.
pub type TitleSearchCache = VersionedCache<(String, i64, i64), (Vec<i64>, crate::db::items::Total)>;
/// The live organizations' ids in the list's order (`organizations::live_order`), kept
/// by the search text version. Two versions at most: the current one, and the one
/// requests that started before the last change still ask for.
pub type OrgOrderCache = VersionedCache<(), Vec<i64>>;
/// The Tickets app's groupings: what is grouped and how it is filtered.
pub type GroupCache = VersionedCache<String, Vec<ItemGroup>>;

type Slot<V> = Arc<OnceCell<Arc<V>>>;

/// How many results a cache keeps; the least recently used go first.
pub const CAPACITY: usize = 512;

pub struct VersionedCache<K, V> {
    inner: Mutex<Entries<K, V>>,
    capacity: usize,
}

struct Entries<K, V> {
    /// Each result with the tick of its last use.
    slots: HashMap<(i64, K), (Slot<V>, u64)>,
    tick: u64,
}

impl<K, V> Default for VersionedCache<K, V> {
    fn default() -> Self {
        Self::with_capacity(CAPACITY)
    }
}

impl<K, V> VersionedCache<K, V> {
    /// A cache of at most `capacity` results (for results larger than most).
    pub fn with_capacity(capacity: usize) -> Self {
        Self { inner: Mutex::new(Entries { slots: HashMap::new(), tick: 0 }), capacity: capacity.max(1) }
    }
}

impl<K: Hash + Eq + Clone, V> VersionedCache<K, V> {
    /// The result kept for `key` at data `version`, or the one `compute` yields (kept if it succeeds).
    pub async fn get_or_compute<F, Fut, E>(&self, version: i64, key: K, compute: F) -> Result<Arc<V>, E>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<V, E>>,
    {
        let slot = self.slot((version, key));
        let value = slot.get_or_try_init(|| async { compute().await.map(Arc::new) }).await?;
        Ok(value.clone())
    }

    /// As [`VersionedCache::get_or_compute`], for results that other writes than those
    /// `version` counts can make stale: a kept result is first asked whether it is still
    /// exact (`check`); when not, it is dropped and computed anew (once for all the
    /// requests that found it stale together).
    pub async fn get_checked<C, CFut, F, Fut, E>(&self, version: i64, key: K, check: C, compute: F) -> Result<Arc<V>, E>
    where
        C: FnOnce(Arc<V>) -> CFut,
        CFut: std::future::Future<Output = Result<bool, E>>,
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<V, E>>,
    {
        let mut slot = self.slot((version, key.clone()));
        if let Some(kept) = slot.get().cloned() {
            if check(kept.clone()).await? {
                return Ok(kept);
            }
            slot = self.replace((version, key), &slot);
        }
        let value = slot.get_or_try_init(|| async { compute().await.map(Arc::new) }).await?;
        Ok(value.clone())
    }

    /// An empty slot for `key` in place of `stale`, or the one another request put there already.
    fn replace(&self, key: (i64, K), stale: &Slot<V>) -> Slot<V> {
        let mut guard = self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let entries = &mut *guard;
        entries.tick += 1;
        let tick = entries.tick;
        match entries.slots.get_mut(&key) {
            Some((slot, used)) if !Arc::ptr_eq(slot, stale) => {
                *used = tick;
                slot.clone()
            }
            _ => {
                let slot = Slot::default();
                entries.slots.insert(key, (slot.clone(), tick));
                slot
            }
        }
    }

    fn slot(&self, key: (i64, K)) -> Slot<V> {
        let mut guard = self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let entries = &mut *guard;
        entries.tick += 1;
        let tick = entries.tick;
        if let Some((slot, used)) = entries.slots.get_mut(&key) {
            *used = tick;
            return slot.clone();
        }
        // Results of older versions can never be asked for again.
        let version = key.0;
        entries.slots.retain(|k, _| k.0 >= version);
        if entries.slots.len() >= self.capacity {
            drop_least_recent(&mut entries.slots);
        }
        let slot = Slot::default();
        entries.slots.insert(key, (slot.clone(), tick));
        slot
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.inner.lock().unwrap().slots.len()
    }
}

/// Drops the entry of `slots` (each with the tick of its last use) used least recently:
/// one pass over them, made only when a new entry comes into a full map.
pub(crate) fn drop_least_recent<K: Hash + Eq + Clone, S>(slots: &mut HashMap<K, (S, u64)>) {
    let least = slots.iter().min_by_key(|(_, (_, used))| *used).map(|(k, _)| k.clone());
    if let Some(least) = least {
        slots.remove(&least);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    type Cache = VersionedCache<&'static str, i64>;

    #[tokio::test]
    async fn reuses_a_result_only_for_the_same_version_and_key() {
        let cache = Cache::default();
        let computed = AtomicUsize::new(0);
        let run = |version: i64, key: &'static str, value: i64| {
            let (cache, computed) = (&cache, &computed);
            async move {
                *cache
                    .get_or_compute(version, key, || async {
                        computed.fetch_add(1, Ordering::SeqCst);
                        Ok::<_, ()>(value)
                    })
                    .await
                    .unwrap()
            }
        };
        assert_eq!(run(1, "ma", 10).await, 10);
        assert_eq!(run(1, "ma", 99).await, 10, "same version and key: kept");
        assert_eq!(computed.load(Ordering::SeqCst), 1);
        assert_eq!(run(1, "mb", 20).await, 20);
        assert_eq!(run(2, "ma", 30).await, 30, "a write happened: computed anew");
        assert_eq!(computed.load(Ordering::SeqCst), 3);
        assert_eq!(cache.len(), 1, "results of version 1 are dropped once version 2 is seen");
        // A request that read the version just before a write still gets a result.
        assert_eq!(run(1, "ma", 40).await, 40);
        assert_eq!(run(2, "ma", 50).await, 30, "an older version does not evict a newer one");
    }

    #[tokio::test]
    async fn a_kept_result_found_stale_is_computed_anew_once() {
        let cache = Arc::new(Cache::default());
        let computed = Arc::new(AtomicUsize::new(0));
        let get = |fresh: bool, value: i64| {
            let (cache, computed) = (cache.clone(), computed.clone());
            async move {
                *cache
                    .get_checked(
                        1,
                        "ma",
                        |_| async move { Ok::<_, ()>(fresh) },
                        || async move {
                            computed.fetch_add(1, Ordering::SeqCst);
                            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                            Ok(value)
                        },
                    )
                    .await
                    .unwrap()
            }
        };
        assert_eq!(get(true, 1).await, 1, "nothing kept: computed");
        assert_eq!(get(true, 2).await, 1, "still exact: kept");
        assert_eq!(computed.load(Ordering::SeqCst), 1);
        // Found stale by several requests at once: one computation replaces it.
        let tasks: Vec<_> = (0..4).map(|_| tokio::spawn(get(false, 3))).collect();
        for t in tasks {
            assert_eq!(t.await.unwrap(), 3, "a stale result is never answered");
        }
        assert_eq!(computed.load(Ordering::SeqCst), 2);
        assert_eq!(get(true, 4).await, 3);
    }

    #[tokio::test]
    async fn failures_are_not_kept() {
        let cache = Cache::default();
        let failed = cache.get_or_compute(1, "x", || async { Err::<i64, _>("db down") }).await;
        assert_eq!(failed.err(), Some("db down"));
        let ok = cache.get_or_compute(1, "x", || async { Ok::<_, &str>(5) }).await.unwrap();
        assert_eq!(*ok, 5);
    }

    #[tokio::test]
    async fn keeps_at_most_its_capacity_dropping_the_least_recently_used() {
        let cache = VersionedCache::<String, i64>::default();
        let get = |key: String, value: i64| {
            let cache = &cache;
            async move { *cache.get_or_compute(1, key, || async { Ok::<_, ()>(value) }).await.unwrap() }
        };
        // "popular" is asked for first and then again between the one-off keys.
        assert_eq!(get("popular".into(), 7).await, 7);
        for i in 0..(CAPACITY as i64 + 40) {
            assert_eq!(get(format!("q{i}"), i).await, i);
            if i % 100 == 0 {
                assert_eq!(get("popular".into(), -1).await, 7, "kept while in use");
            }
        }
        assert_eq!(cache.len(), CAPACITY);
        let newest = CAPACITY as i64 + 39;
        assert_eq!(get(format!("q{newest}"), -1).await, newest, "the newest is kept");
        assert_eq!(get("popular".into(), -1).await, 7, "the one in use all along is kept");
        assert_eq!(get("q1".into(), -1).await, -1, "an old one-off was dropped");
    }

    #[tokio::test]
    async fn concurrent_requests_share_one_computation() {
        let cache = Arc::new(Cache::default());
        let computed = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let (cache, computed) = (cache.clone(), computed.clone());
            tasks.push(tokio::spawn(async move {
                *cache
                    .get_or_compute(7, "ma", || async {
                        computed.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
                        Ok::<_, ()>(3)
                    })
                    .await
                    .unwrap()
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap(), 3);
        }
        assert_eq!(computed.load(Ordering::SeqCst), 1);
    }
}
