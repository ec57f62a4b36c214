//! The Tickets app's groups: matching items counted per organization ("none" last),
//! project or status, from the counters when the filter allows, else from the
//! items. The version they are computed from keys the server's group cache.

use orgdesk_core::api::tickets::{GroupBy, ItemGroup, ItemStatus};
use orgdesk_core::tickets::ItemFilter;
use orgdesk_core::word::Word;

use super::filter::{push_counter_where, push_item_where_by, Counter, TitleSearch};
use crate::db::{query, Db, Query};

/// Per organization (`0` for none) or project: `(key, label, count)` by label, the
/// groups without a label last.
fn keyed_groups(by: GroupBy, f: &ItemFilter, title: TitleSearch) -> Query {
    let (counter, label_table) = match by {
        GroupBy::Organization => (Counter::Org, "organizations"),
        _ => (Counter::Project, "projects"),
    };
    let mut q = query("WITH g AS (");
    if counter.answers(f) {
        q.push(&format!("SELECT c.{key} AS k, SUM(c.n) AS n FROM {} c", counter.table(), key = counter.key()));
        push_counter_where(&mut q, f, counter);
        q.push(&format!(" GROUP BY c.{key} HAVING SUM(c.n) > 0", key = counter.key()));
    } else {
        let key = match by {
            GroupBy::Organization => "COALESCE(i.organization_id, 0)",
            _ => "i.project_id",
        };
        q.push(&format!("SELECT {key} AS k, COUNT(*) AS n FROM items i"));
        push_item_where_by(&mut q, f, title);
        q.push(&format!(" GROUP BY {key}"));
    }
    q.push(&format!(
        ") SELECT g.k, l.name AS label, CAST(g.n AS BIGINT) AS n \
         FROM g LEFT JOIN {label_table} l ON l.id = g.k \
         ORDER BY CASE WHEN l.id IS NULL THEN 1 ELSE 0 END, l.name_key, g.k"
    ));
    q
}

/// `(status, count)` per status.
fn status_counts(f: &ItemFilter, title: TitleSearch) -> Query {
    let counter = Counter::for_filter(f);
    if counter.answers(f) {
        let mut q = query(format!("SELECT c.status, CAST(SUM(c.n) AS BIGINT) FROM {} c", counter.table()));
        push_counter_where(&mut q, f, counter);
        q.push(" GROUP BY c.status");
        q
    } else {
        let mut q = query("SELECT i.status, COUNT(*) FROM items i");
        push_item_where_by(&mut q, f, title);
        q.push(" GROUP BY i.status");
        q
    }
}

/// Every group of matching items, by label ("none" last; statuses in workflow order).
pub async fn all_groups(db: &Db, by: GroupBy, filter: &ItemFilter) -> Result<Vec<ItemGroup>, sqlx::Error> {
    if by == GroupBy::Status {
        let counts: Vec<(String, i64)> = status_counts(filter, TitleSearch::for_db(db)).fetch_all(db).await?;
        return status_groups(&counts).map_err(|e| sqlx::Error::Decode(e.into()));
    }
    let rows: Vec<(i64, Option<String>, i64)> = keyed_groups(by, filter, TitleSearch::for_db(db)).fetch_all(db).await?;
    Ok(rows
        .into_iter()
        .map(|(k, label, n)| match label {
            Some(label) => ItemGroup { key: k.to_string(), label, count: n },
            None if k == 0 && by == GroupBy::Organization => {
                ItemGroup { key: "none".into(), label: "No organization".into(), count: n }
            }
            None => ItemGroup { key: k.to_string(), label: format!("#{k}"), count: n },
        })
        .collect())
}

/// Status groups in workflow order (new, open, waiting, resolved, closed), empty ones
/// left out; an unknown stored status is an error.
fn status_groups(counts: &[(String, i64)]) -> Result<Vec<ItemGroup>, orgdesk_core::word::UnknownWord> {
    for (word, _) in counts {
        ItemStatus::decode(word)?;
    }
    Ok(ItemStatus::ALL
        .iter()
        .filter_map(|&s| {
            let n: i64 = counts.iter().filter(|(w, _)| w == s.as_str()).map(|(_, n)| n).sum();
            (n > 0).then(|| ItemGroup { key: s.as_str().into(), label: s.label().into(), count: n })
        })
        .collect())
}

/// One page of groups with totals over all of them.
pub struct Groups {
    pub groups: Vec<ItemGroup>,
    pub total_groups: i64,
    pub total_items: i64,
}

/// Cuts a page out of all groups.
pub fn page(all: &[ItemGroup], offset: i64, limit: i64) -> Groups {
    Groups {
        groups: all.iter().skip(offset.max(0) as usize).take(limit.max(0) as usize).cloned().collect(),
        total_groups: all.len() as i64,
        total_items: all.iter().map(|g| g.count).sum(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Arg;

    #[test]
    fn organization_groups_come_from_the_counters_when_they_answer() {
        let f = ItemFilter { statuses: vec![ItemStatus::New], ..Default::default() };
        let q = keyed_groups(GroupBy::Organization, &f, TitleSearch::Fts);
        assert_eq!(
            q.sql(),
            "WITH g AS (SELECT c.organization_id AS k, SUM(c.n) AS n FROM org_item_counts c WHERE c.status IN ($1) \
             GROUP BY c.organization_id HAVING SUM(c.n) > 0) SELECT g.k, l.name AS label, CAST(g.n AS BIGINT) AS n \
             FROM g LEFT JOIN organizations l ON l.id = g.k \
             ORDER BY CASE WHEN l.id IS NULL THEN 1 ELSE 0 END, l.name_key, g.k"
        );
        assert_eq!(q.args(), [Arg::Text(Some("new".into()))]);
    }

    #[test]
    fn project_groups_of_one_organization_count_the_items() {
        let f = ItemFilter { organization: Some(None), ..Default::default() };
        let q = keyed_groups(GroupBy::Project, &f, TitleSearch::Fts);
        assert!(
            q.sql().starts_with(
                "WITH g AS (SELECT i.project_id AS k, COUNT(*) AS n FROM items i WHERE i.organization_id IS NULL \
                 GROUP BY i.project_id) SELECT"
            ),
            "{}",
            q.sql()
        );
        assert!(q.sql().contains("LEFT JOIN projects l"));
    }

    #[test]
    fn status_counts_use_the_organization_counters_for_an_organization() {
        let q = status_counts(&ItemFilter { organization: Some(Some(2)), ..Default::default() }, TitleSearch::Fts);
        assert_eq!(q.sql(), "SELECT c.status, CAST(SUM(c.n) AS BIGINT) FROM org_item_counts c WHERE c.organization_id = $1 GROUP BY c.status");
        let q = status_counts(&ItemFilter { assignee: Some(Some(2)), ..Default::default() }, TitleSearch::Fts);
        assert_eq!(q.sql(), "SELECT i.status, COUNT(*) FROM items i WHERE i.assignee_id = $1 GROUP BY i.status");
    }

    #[test]
    fn status_groups_follow_the_workflow_and_skip_empty_ones() {
        let counts = [("closed".to_string(), 2), ("new".to_string(), 1), ("open".to_string(), 0)];
        let groups = status_groups(&counts).unwrap();
        let keys: Vec<_> = groups.iter().map(|g| (g.key.as_str(), g.label.as_str(), g.count)).collect();
        assert_eq!(keys, [("new", "New", 1), ("closed", "Closed", 2)]);
        assert!(status_groups(&[("done".to_string(), 1)]).is_err(), "an unknown status is not dropped silently");
    }

    #[test]
    fn a_page_of_groups_keeps_the_totals_of_all() {
        let all: Vec<ItemGroup> =
            (1..=5).map(|i| ItemGroup { key: i.to_string(), label: format!("G{i}"), count: i }).collect();
        let page = page(&all, 1, 2);
        assert_eq!(page.groups.iter().map(|g| g.count).collect::<Vec<_>>(), [2, 3]);
        assert_eq!((page.total_groups, page.total_items), (5, 15));
        assert!(super::page(&all, 10, 2).groups.is_empty());
    }
}
