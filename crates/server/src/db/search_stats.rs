//! How common each trigram is, from a sample of the customers and organizations, so
//! a long search asks the trigram index for its rarest part only.
//!
//! A search such as "acme.example" is a phrase of ten trigrams for the index; some of
//! them (".ex", "exa", "xam", "amp", "mpl", "ple") occur in most customers' emails, and
//! reading those long lists is what a search costs (3 ms on SQLite and 7.6 ms on
//! PostgreSQL at 100,000 customers, where "g1234" alone takes 0.04 and 0.7 ms). So
//! the index is asked for the [`WINDOW`] characters whose trigrams are rarest, and
//! every row found is checked for the whole search on its folded text (exactly what
//! the whole phrase would have found: a row containing the search contains each of
//! its windows). The sample only steers the choice; a stale or empty one costs time,
//! never a wrong result.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use orgdesk_core::search::fold;

use crate::db::{query, Db};

/// Characters the index is asked for when a search is longer: three trigrams.
pub const WINDOW: usize = 5;

/// Reading one index entry is the unit (about 20 ns on SQLite); checking one row found
/// (fetching it by its id, folding its text) costs about 1 to 2 µs, this many units.
const CHECK_COST: u64 = 64;

/// Rows sampled per table: `SLICES` runs of `SLICE` consecutive ids spread over the ids.
const SLICES: i64 = 20;
const SLICE: i64 = 100;

/// A sample older than this is taken again (in the background) at the next search.
pub const REFRESH_AFTER: Duration = Duration::from_secs(600);

type Trigram = [char; 3];

/// Trigram counts in a sample of one table, and the factor to the whole table.
#[derive(Debug, Default, Clone)]
struct Counts {
    counts: HashMap<Trigram, u32>,
    /// Rows in the table per row sampled.
    scale: f64,
}

impl Counts {
    fn from_texts<'a>(texts: impl Iterator<Item = &'a str>, table_rows: i64) -> Counts {
        let mut counts: HashMap<Trigram, u32> = HashMap::new();
        let mut sampled = 0u32;
        for text in texts {
            sampled += 1;
            let chars: Vec<char> = fold(text).chars().collect();
            let mut seen: Vec<Trigram> = chars.windows(3).map(|w| [w[0], w[1], w[2]]).collect();
            seen.sort_unstable();
            seen.dedup();
            for t in seen {
                *counts.entry(t).or_default() += 1;
            }
        }
        let scale = if sampled == 0 { 0.0 } else { table_rows.max(0) as f64 / f64::from(sampled) };
        Counts { counts, scale }
    }

    /// Rows of the table estimated to contain `t`.
    fn estimate(&self, t: &Trigram) -> u64 {
        (f64::from(self.counts.get(t).copied().unwrap_or(0)) * self.scale).round() as u64
    }
}

/// The customers' and organizations' trigram counts, taken at one time.
#[derive(Debug, Default, Clone)]
pub struct Sample {
    customers: Counts,
    organizations: Counts,
}

impl Sample {
    /// A sample of the given customers' search texts ("first last email") and
    /// organization names, out of tables of `customer_rows` and `organization_rows` rows.
    pub fn from_texts<'a>(
        customers: impl Iterator<Item = &'a str>,
        customer_rows: i64,
        organizations: impl Iterator<Item = &'a str>,
        organization_rows: i64,
    ) -> Sample {
        Sample {
            customers: Counts::from_texts(customers, customer_rows),
            organizations: Counts::from_texts(organizations, organization_rows),
        }
    }

    /// Index entries to read for trigram `t`: its rows in both tables.
    fn entries(&self, t: &Trigram) -> u64 {
        self.customers.estimate(t) + self.organizations.estimate(t)
    }

    /// The part of `folded` (a folded search) to ask the index for instead of the
    /// whole: the [`WINDOW`] characters whose lookup and check cost least, when that
    /// is cheaper than the whole; `None` to ask for the whole search.
    pub fn narrowest(&self, folded: &str) -> Option<String> {
        let chars: Vec<char> = folded.chars().collect();
        if chars.len() <= WINDOW {
            return None;
        }
        let entries: Vec<u64> = chars.windows(3).map(|w| self.entries(&[w[0], w[1], w[2]])).collect();
        let whole: u64 = entries.iter().sum();
        // Window k starts at character k and holds trigrams k..k + WINDOW - 2.
        let (start, cost) = entries
            .windows(WINDOW - 2)
            .map(|w| w.iter().sum::<u64>() + CHECK_COST * w.iter().copied().min().unwrap_or(0))
            .enumerate()
            .min_by_key(|&(_, cost)| cost)?;
        (cost < whole).then(|| chars[start..start + WINDOW].iter().collect())
    }
}

/// The current [`Sample`], taken again in the background once [`REFRESH_AFTER`] old.
#[derive(Debug, Default)]
pub struct SearchStats {
    current: RwLock<Option<(Instant, Arc<Sample>)>>,
    refreshing: AtomicBool,
}

impl SearchStats {
    /// The sample to plan with now (an empty one before the first is taken), starting a
    /// new one in the background when there is none or it is old.
    pub fn sample(self: &Arc<Self>, db: &Db) -> Arc<Sample> {
        let current = self.current.read().unwrap_or_else(|e| e.into_inner()).clone();
        let stale = current.as_ref().is_none_or(|(taken, _)| taken.elapsed() >= REFRESH_AFTER);
        if stale && !self.refreshing.swap(true, Ordering::AcqRel) {
            let (stats, db) = (self.clone(), db.clone());
            tokio::spawn(async move {
                match take_sample(&db).await {
                    Ok(sample) => stats.set(sample),
                    Err(e) => tracing::warn!(error = %e, "search statistics not taken"),
                }
                stats.refreshing.store(false, Ordering::Release);
            });
        }
        current.map(|(_, s)| s).unwrap_or_default()
    }

    /// Takes a sample now and waits for it (at start and in tests).
    pub async fn refresh(&self, db: &Db) -> Result<(), sqlx::Error> {
        self.set(take_sample(db).await?);
        Ok(())
    }

    fn set(&self, sample: Sample) {
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Some((Instant::now(), Arc::new(sample)));
    }
}

/// Up to [`SLICES`] × [`SLICE`] rows of each table, in runs of consecutive ids spread
/// over the ids (index range scans, whatever the table's size).
async fn take_sample(db: &Db) -> Result<Sample, sqlx::Error> {
    let (customers, customer_rows) =
        sample_texts(db, "customers", "first_name || ' ' || last_name || ' ' || email").await?;
    let (organizations, organization_rows) = sample_texts(db, "organizations", "name").await?;
    Ok(Sample::from_texts(
        customers.iter().map(String::as_str),
        customer_rows,
        organizations.iter().map(String::as_str),
        organization_rows,
    ))
}

/// Sampled texts of `table` and the table's estimated row count (its id span).
async fn sample_texts(db: &Db, table: &str, text: &str) -> Result<(Vec<String>, i64), sqlx::Error> {
    let (low, high): (Option<i64>, Option<i64>) =
        query(format!("SELECT MIN(id), MAX(id) FROM {table}")).fetch_one(db).await?;
    let (Some(low), Some(high)) = (low, high) else { return Ok((Vec::new(), 0)) };
    let span = high - low + 1;
    let step = (span / SLICES).max(SLICE);
    let sql = format!("SELECT {text} FROM {table} WHERE id >= $1 ORDER BY id LIMIT $2");
    let mut texts = Vec::new();
    let mut from = low;
    while from <= high {
        let rows: Vec<(String,)> = query(sql.clone()).bind(from).bind(SLICE).fetch_all(db).await?;
        texts.extend(rows.into_iter().map(|(t,)| t));
        from += step;
    }
    Ok((texts, span))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 1,000 customers "name n@orgN.example" in 100 organizations "Group N".
    fn sample() -> Sample {
        let customers: Vec<String> = (0..1000).map(|n| format!("Ava Adams ava.{n}@org{}.example", n % 100)).collect();
        let organizations: Vec<String> = (0..100).map(|n| format!("Group {n}")).collect();
        Sample::from_texts(
            customers.iter().map(String::as_str),
            100_000,
            organizations.iter().map(String::as_str),
            10_000,
        )
    }

    #[test]
    fn a_search_of_a_window_or_less_is_asked_for_whole() {
        assert_eq!(sample().narrowest("org12"), None);
        assert_eq!(sample().narrowest("ava"), None);
    }

    #[test]
    fn a_long_search_is_asked_for_by_its_rarest_window() {
        // "org42" is in 1 % of the rows, ".example" in all of them.
        assert_eq!(sample().narrowest("org42.example").as_deref(), Some("g42.e"));
        assert_eq!(sample().narrowest("@org42").as_deref(), Some("org42"));
        // Unseen trigrams ("zq") are the rarest.
        assert_eq!(sample().narrowest("ava.adams.zq").as_deref(), Some("ms.zq"));
    }

    #[test]
    fn a_search_whose_every_window_is_common_is_asked_for_whole() {
        // Checking every row of the table would cost more than reading the whole phrase.
        assert_eq!(sample().narrowest("ava adams"), None);
        assert_eq!(sample().narrowest(".example"), None);
    }

    #[test]
    fn without_a_sample_the_whole_search_is_asked_for() {
        assert_eq!(Sample::default().narrowest("org42.example"), None);
    }

    #[test]
    fn counts_are_scaled_to_the_table_and_taken_once_a_row() {
        let s = Sample::from_texts(["aaaa", "xaaa"].into_iter(), 10, std::iter::empty(), 0);
        assert_eq!(s.entries(&['a', 'a', 'a']), 10);
        assert_eq!(s.entries(&['x', 'a', 'a']), 5);
        assert_eq!(s.entries(&['q', 'q', 'q']), 0);
    }
}
