//! The Tickets app's filter as SQL: conditions on the items (`i`), or, when the
//! filter allows, on the per-(organization, status) and per-(project, status)
//! counters (`c`, migration 0004) so that totals and groups do not count a
//! million rows. Pure text building, tested below.

use orgdesk_core::hierarchy::MAX_DEPTH;
use orgdesk_core::tickets::{ItemFilter, ItemSearch};
use orgdesk_core::word::Word;

use crate::db::projects::like_escape;
use crate::db::{query, Query};

/// The statuses of open items, as SQL.
pub const OPEN_STATUSES: &str = "('new', 'open', 'waiting')";

/// A table of item counts per (key, status).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counter {
    Org,
    Project,
}

impl Counter {
    /// The project counters are the smaller table: they answer unless an
    /// organization is filtered on.
    pub fn for_filter(f: &ItemFilter) -> Counter {
        if f.organization.is_some() {
            Counter::Org
        } else {
            Counter::Project
        }
    }

    pub fn table(self) -> &'static str {
        match self {
            Counter::Org => "org_item_counts",
            Counter::Project => "project_item_counts",
        }
    }

    /// The column the counter is kept per (besides the status).
    pub fn key(self) -> &'static str {
        match self {
            Counter::Org => "organization_id",
            Counter::Project => "project_id",
        }
    }

    /// Whether this counter's rows can answer the filter: only statuses and the
    /// counter's own key (the organization or the project) are filtered on.
    pub fn answers(self, f: &ItemFilter) -> bool {
        f.is_countable()
            && match self {
                Counter::Org => f.project_id.is_none(),
                Counter::Project => f.organization.is_none(),
            }
    }
}

/// ` WHERE a AND b ...`, or nothing for no conditions.
fn push_where(q: &mut Query, conditions: &[String]) {
    if !conditions.is_empty() {
        q.push(" WHERE ").push(&conditions.join(" AND "));
    }
}

/// A subquery of organization `org` and all its descendants (one recursive query,
/// at most `MAX_DEPTH` levels down), for `... IN (subquery)`.
fn org_tree(q: &mut Query, org: i64) -> String {
    let a = q.param(org);
    let d = q.param(MAX_DEPTH as i64);
    format!(
        "(WITH RECURSIVE down(id, depth) AS (SELECT id, CAST(0 AS BIGINT) FROM organizations WHERE id = {a} \
         UNION ALL SELECT o.id, down.depth + 1 FROM down JOIN organizations o ON o.parent_id = down.id \
         WHERE down.depth < {d}) SELECT id FROM down)"
    )
}

fn in_list(q: &mut Query, words: impl Iterator<Item = &'static str>) -> String {
    words.map(|w| q.param(w)).collect::<Vec<_>>().join(", ")
}

/// How a title search reaches the items: `Like` checks every title (for sets already
/// narrowed, as a customer's visible items); `Trigram` takes the ids whose lowercase title
/// in PostgreSQL's `item_titles` matches the same `LIKE` (its GIN trigram index answers it,
/// migration 0025); `Fts` first takes the ids the SQLite FTS5 trigram index `items_search`
/// finds for searches of 3 characters or more, then checks the same `LIKE` on each, so the
/// rows are the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TitleSearch {
    Like,
    Trigram,
    Fts,
    /// The statement reads from `items_search s JOIN items i`, newest first by `s.rowid`
    /// (see [`from_items`]): the index is read in order and stops at the `LIMIT`.
    FtsJoined,
}

/// Whether the SQLite trigram index can take the title search: 3 characters or more.
fn fts_searches(f: &ItemFilter, title: TitleSearch) -> bool {
    matches!(title, TitleSearch::Fts | TitleSearch::FtsJoined)
        && matches!(&f.search, Some(ItemSearch::Title(text)) if text.to_lowercase().chars().count() >= 3)
}

/// `{select} FROM` the items: driven by the trigram index when it takes the
/// search, with the title search to push and the column that orders newest first.
fn from_items(select: &str, f: &ItemFilter, title: TitleSearch) -> (Query, TitleSearch, &'static str) {
    if fts_searches(f, title) {
        let q = query(format!("{select} FROM items_search s JOIN items i ON i.id = s.rowid"));
        (q, TitleSearch::FtsJoined, "s.rowid")
    } else {
        (query(format!("{select} FROM items i")), title, "i.id")
    }
}

impl TitleSearch {
    pub fn for_db(db: &crate::db::Db) -> TitleSearch {
        match db {
            crate::db::Db::Sqlite(..) => TitleSearch::Fts,
            _ => TitleSearch::Trigram,
        }
    }
}

/// An FTS5 phrase: the text in double quotes, inner quotes doubled.
fn fts_phrase(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// Appends the filter's conditions on items `i` (` WHERE ...`), binding their values.
pub fn push_item_where(q: &mut Query, f: &ItemFilter) {
    push_item_where_by(q, f, TitleSearch::Like)
}

/// [`push_item_where`], with the title search reaching the items by `title`.
pub fn push_item_where_by(q: &mut Query, f: &ItemFilter, title: TitleSearch) {
    let mut conditions = Vec::new();
    if let Some(p) = f.project_id {
        conditions.push(format!("i.project_id = {}", q.param(p)));
    }
    if !f.statuses.is_empty() {
        conditions.push(format!("i.status IN ({})", in_list(q, f.statuses.iter().map(|s| s.as_str()))));
    }
    if !f.priorities.is_empty() {
        conditions.push(format!("i.priority IN ({})", in_list(q, f.priorities.iter().map(|p| p.as_str()))));
    }
    match f.assignee {
        Some(Some(a)) => conditions.push(format!("i.assignee_id = {}", q.param(a))),
        Some(None) => conditions.push("i.assignee_id IS NULL".into()),
        None => {}
    }
    if let Some(r) = f.requester_id {
        conditions.push(format!("i.requester_id = {}", q.param(r)));
    }
    match f.organization {
        Some(Some(o)) if f.include_children => conditions.push(format!("i.organization_id IN {}", org_tree(q, o))),
        Some(Some(o)) => conditions.push(format!("i.organization_id = {}", q.param(o))),
        Some(None) => conditions.push("i.organization_id IS NULL".into()),
        None => {}
    }
    match &f.search {
        Some(ItemSearch::Id(id)) => conditions.push(format!("i.id = {}", q.param(*id))),
        Some(ItemSearch::Title(text)) => {
            let lower = text.to_lowercase();
            if fts_searches(f, title) {
                let phrase = q.param(fts_phrase(&lower));
                conditions.push(match title {
                    TitleSearch::FtsJoined => format!("s.items_search MATCH {phrase}"),
                    _ => format!("i.id IN (SELECT rowid FROM items_search WHERE items_search MATCH {phrase})"),
                });
            }
            let pattern = q.param(format!("%{}%", like_escape(&lower)));
            conditions.push(match title {
                TitleSearch::Trigram => {
                    format!("i.id IN (SELECT t.id FROM item_titles t WHERE t.title_lower LIKE {pattern} ESCAPE '\\')")
                }
                _ => format!("LOWER(i.title) LIKE {pattern} ESCAPE '\\'"),
            });
        }
        None => {}
    }
    if let Some(t) = f.item_type {
        conditions.push(format!("i.item_type = {}", q.param(t.as_str())));
    }
    push_where(q, &conditions);
}

/// Appends the filter's conditions on the rows `c` of `counter` (` WHERE ...`);
/// call it only when [`Counter::answers`] the filter. Items without an
/// organization are counted under organization 0.
pub fn push_counter_where(q: &mut Query, f: &ItemFilter, counter: Counter) {
    debug_assert!(counter.answers(f));
    let mut conditions = Vec::new();
    match counter {
        Counter::Org => match f.organization {
            Some(Some(org)) if f.include_children => {
                conditions.push(format!("c.organization_id IN {}", org_tree(q, org)));
            }
            Some(org) => conditions.push(format!("c.organization_id = {}", q.param(org.unwrap_or(0)))),
            None => {}
        },
        Counter::Project => {
            if let Some(p) = f.project_id {
                conditions.push(format!("c.project_id = {}", q.param(p)));
            }
        }
    }
    if !f.statuses.is_empty() {
        conditions.push(format!("c.status IN ({})", in_list(q, f.statuses.iter().map(|s| s.as_str()))));
    }
    push_where(q, &conditions);
}

/// The ids of one page of matching items, newest first.
pub fn page_ids(f: &ItemFilter, title: TitleSearch, offset: i64, limit: i64) -> Query {
    let (mut q, title, newest) = from_items("SELECT i.id", f, title);
    push_item_where_by(&mut q, f, title);
    q.push(&format!(" ORDER BY {newest} DESC LIMIT ")).push_bind(limit).push(" OFFSET ").push_bind(offset);
    q
}

/// Whether the counters answer how many items match (exactly, without counting items).
pub fn counters_answer(f: &ItemFilter) -> bool {
    Counter::for_filter(f).answers(f)
}

/// How many items match, counting the items themselves only up to `cap` rows:
/// `COUNT(*)` of a `LIMIT`ed subquery, so the database stops at the cap instead of
/// visiting every match (for filters the counters do not answer).
pub fn capped_count(f: &ItemFilter, title: TitleSearch, cap: i64) -> Query {
    let (mut q, title, _) = from_items("SELECT COUNT(*) FROM (SELECT 1 AS one", f, title);
    push_item_where_by(&mut q, f, title);
    q.push(" LIMIT ").push_bind(cap).push(") capped");
    q
}

/// How many items match: from the counters when they answer, else from the items.
pub fn count(f: &ItemFilter, title: TitleSearch) -> Query {
    let counter = Counter::for_filter(f);
    if counter.answers(f) {
        let mut q = query(format!("SELECT CAST(COALESCE(SUM(c.n), 0) AS BIGINT) FROM {} c", counter.table()));
        push_counter_where(&mut q, f, counter);
        q
    } else {
        let mut q = query("SELECT COUNT(*) FROM items i");
        push_item_where_by(&mut q, f, title);
        q
    }
}

#[cfg(test)]
mod tests {
    use orgdesk_core::api::tickets::{ItemStatus, ItemType, Priority};

    use super::*;
    use crate::db::Arg;

    fn int(v: i64) -> Arg {
        Arg::Int(Some(v))
    }

    fn text(v: &str) -> Arg {
        Arg::Text(Some(v.into()))
    }

    /// The conditions the filter adds to items, and their bound values.
    fn item_where(f: &ItemFilter) -> (String, Vec<Arg>) {
        let mut q = query("");
        push_item_where(&mut q, f);
        (q.sql().to_string(), q.args().to_vec())
    }

    fn subtree(a: &str, d: &str) -> String {
        format!(
            "(WITH RECURSIVE down(id, depth) AS (SELECT id, CAST(0 AS BIGINT) FROM organizations WHERE id = {a} \
             UNION ALL SELECT o.id, down.depth + 1 FROM down JOIN organizations o ON o.parent_id = down.id \
             WHERE down.depth < {d}) SELECT id FROM down)"
        )
    }

    #[test]
    fn no_filter_adds_no_condition() {
        assert_eq!(item_where(&ItemFilter::default()), (String::new(), vec![]));
    }

    #[test]
    fn each_condition_binds_its_value() {
        let cases: Vec<(ItemFilter, &str, Vec<Arg>)> = vec![
            (ItemFilter { project_id: Some(3), ..Default::default() }, " WHERE i.project_id = $1", vec![int(3)]),
            (
                ItemFilter { statuses: vec![ItemStatus::New, ItemStatus::Waiting], ..Default::default() },
                " WHERE i.status IN ($1, $2)",
                vec![text("new"), text("waiting")],
            ),
            (
                ItemFilter { priorities: vec![Priority::Urgent], ..Default::default() },
                " WHERE i.priority IN ($1)",
                vec![text("urgent")],
            ),
            (ItemFilter { assignee: Some(Some(7)), ..Default::default() }, " WHERE i.assignee_id = $1", vec![int(7)]),
            (ItemFilter { assignee: Some(None), ..Default::default() }, " WHERE i.assignee_id IS NULL", vec![]),
            (ItemFilter { requester_id: Some(9), ..Default::default() }, " WHERE i.requester_id = $1", vec![int(9)]),
            (
                ItemFilter { organization: Some(Some(4)), ..Default::default() },
                " WHERE i.organization_id = $1",
                vec![int(4)],
            ),
            (ItemFilter { organization: Some(None), ..Default::default() }, " WHERE i.organization_id IS NULL", vec![]),
            (ItemFilter { search: Some(ItemSearch::Id(42)), ..Default::default() }, " WHERE i.id = $1", vec![int(42)]),
            (
                ItemFilter { search: Some(ItemSearch::Title("50% Off_".into())), ..Default::default() },
                " WHERE LOWER(i.title) LIKE $1 ESCAPE '\\'",
                vec![text("%50\\% off\\_%")],
            ),
            (
                ItemFilter { item_type: Some(ItemType::Task), ..Default::default() },
                " WHERE i.item_type = $1",
                vec![text("task")],
            ),
        ];
        for (filter, sql, args) in cases {
            assert_eq!(item_where(&filter), (sql.to_string(), args), "{filter:?}");
        }
    }

    #[test]
    fn on_sqlite_a_title_search_of_three_characters_takes_the_trigram_index_then_checks_the_title() {
        let f = ItemFilter { search: Some(ItemSearch::Title("Say \"Hi\"%".into())), ..Default::default() };
        let q = count(&f, TitleSearch::Fts);
        assert_eq!(
            q.sql(),
            "SELECT COUNT(*) FROM items i WHERE i.id IN (SELECT rowid FROM items_search WHERE items_search MATCH $1) \
             AND LOWER(i.title) LIKE $2 ESCAPE '\\'"
        );
        assert_eq!(q.args(), [text("\"say \"\"hi\"\"%\""), text("%say \"hi\"\\%%")]);
        let short = ItemFilter { search: Some(ItemSearch::Title("Hi".into())), ..Default::default() };
        assert_eq!(
            count(&short, TitleSearch::Fts).sql(),
            "SELECT COUNT(*) FROM items i WHERE LOWER(i.title) LIKE $1 ESCAPE '\\'"
        );
        assert_eq!(
            count(&f, TitleSearch::Like).sql(),
            "SELECT COUNT(*) FROM items i WHERE LOWER(i.title) LIKE $1 ESCAPE '\\'"
        );
    }

    #[test]
    fn on_postgres_a_title_search_takes_the_ids_from_the_lowercase_titles() {
        let f = ItemFilter {
            search: Some(ItemSearch::Title("50% Off_".into())),
            statuses: vec![ItemStatus::Open],
            ..Default::default()
        };
        let q = page_ids(&f, TitleSearch::Trigram, 0, 50);
        assert_eq!(
            q.sql(),
            "SELECT i.id FROM items i WHERE i.status IN ($1) \
             AND i.id IN (SELECT t.id FROM item_titles t WHERE t.title_lower LIKE $2 ESCAPE '\\') \
             ORDER BY i.id DESC LIMIT $3 OFFSET $4"
        );
        assert_eq!(q.args()[..2], [text("open"), text("%50\\% off\\_%")]);
    }

    #[test]
    fn on_sqlite_a_page_of_a_title_search_reads_the_trigram_index_newest_first() {
        let f = ItemFilter {
            search: Some(ItemSearch::Title("Print".into())),
            statuses: vec![ItemStatus::Open],
            ..Default::default()
        };
        let q = page_ids(&f, TitleSearch::Fts, 0, 50);
        assert_eq!(
            q.sql(),
            "SELECT i.id FROM items_search s JOIN items i ON i.id = s.rowid WHERE i.status IN ($1) \
             AND s.items_search MATCH $2 AND LOWER(i.title) LIKE $3 ESCAPE '\\' ORDER BY s.rowid DESC LIMIT $4 OFFSET $5"
        );
        let q = capped_count(&f, TitleSearch::Fts, 1_001);
        assert_eq!(
            q.sql(),
            "SELECT COUNT(*) FROM (SELECT 1 AS one FROM items_search s JOIN items i ON i.id = s.rowid WHERE i.status IN ($1) \
             AND s.items_search MATCH $2 AND LOWER(i.title) LIKE $3 ESCAPE '\\' LIMIT $4) capped"
        );
        let q = page_ids(&f, TitleSearch::Like, 0, 50);
        assert!(q.sql().starts_with("SELECT i.id FROM items i WHERE") && q.sql().contains("ORDER BY i.id DESC"));
    }

    #[test]
    fn conditions_join_with_and_in_a_fixed_order() {
        let f = ItemFilter {
            item_type: Some(ItemType::Ticket),
            assignee: Some(None),
            project_id: Some(2),
            statuses: vec![ItemStatus::Open],
            ..Default::default()
        };
        assert_eq!(
            item_where(&f),
            (
                " WHERE i.project_id = $1 AND i.status IN ($2) AND i.assignee_id IS NULL AND i.item_type = $3".into(),
                vec![int(2), text("open"), text("ticket")]
            )
        );
    }

    #[test]
    fn an_organization_with_children_is_its_subtree() {
        let f = ItemFilter { organization: Some(Some(5)), include_children: true, ..Default::default() };
        assert_eq!(
            item_where(&f),
            (format!(" WHERE i.organization_id IN {}", subtree("$1", "$2")), vec![int(5), int(MAX_DEPTH as i64)])
        );
    }

    #[test]
    fn a_page_binds_limit_then_offset_after_the_conditions() {
        let q = page_ids(&ItemFilter { requester_id: Some(1), ..Default::default() }, TitleSearch::Fts, 100, 50);
        assert_eq!(q.sql(), "SELECT i.id FROM items i WHERE i.requester_id = $1 ORDER BY i.id DESC LIMIT $2 OFFSET $3");
        assert_eq!(q.args(), [int(1), int(50), int(100)]);
    }

    #[test]
    fn statuses_alone_are_counted_from_the_project_counters() {
        let q = count(
            &ItemFilter { statuses: vec![ItemStatus::New, ItemStatus::Open], ..Default::default() },
            TitleSearch::Fts,
        );
        assert_eq!(
            q.sql(),
            "SELECT CAST(COALESCE(SUM(c.n), 0) AS BIGINT) FROM project_item_counts c WHERE c.status IN ($1, $2)"
        );
        assert_eq!(q.args(), [text("new"), text("open")]);
        let q = count(&ItemFilter { project_id: Some(8), ..Default::default() }, TitleSearch::Fts);
        assert_eq!(
            q.sql(),
            "SELECT CAST(COALESCE(SUM(c.n), 0) AS BIGINT) FROM project_item_counts c WHERE c.project_id = $1"
        );
        assert_eq!(q.args(), [int(8)]);
    }

    #[test]
    fn an_organization_is_counted_from_the_organization_counters() {
        let q = count(
            &ItemFilter { organization: Some(Some(4)), statuses: vec![ItemStatus::Closed], ..Default::default() },
            TitleSearch::Fts,
        );
        assert_eq!(
            q.sql(),
            "SELECT CAST(COALESCE(SUM(c.n), 0) AS BIGINT) FROM org_item_counts c WHERE c.organization_id = $1 AND c.status IN ($2)"
        );
        assert_eq!(q.args(), [int(4), text("closed")]);
        // Items without an organization are counted under organization 0.
        let q = count(&ItemFilter { organization: Some(None), ..Default::default() }, TitleSearch::Fts);
        assert_eq!(
            q.sql(),
            "SELECT CAST(COALESCE(SUM(c.n), 0) AS BIGINT) FROM org_item_counts c WHERE c.organization_id = $1"
        );
        assert_eq!(q.args(), [int(0)]);
        let q = count(
            &ItemFilter { organization: Some(Some(4)), include_children: true, ..Default::default() },
            TitleSearch::Fts,
        );
        assert_eq!(
            q.sql(),
            format!(
                "SELECT CAST(COALESCE(SUM(c.n), 0) AS BIGINT) FROM org_item_counts c WHERE c.organization_id IN {}",
                subtree("$1", "$2")
            )
        );
    }

    #[test]
    fn filters_the_counters_cannot_answer_count_the_items() {
        for f in [
            ItemFilter { organization: Some(Some(4)), project_id: Some(2), ..Default::default() },
            ItemFilter { assignee: Some(None), ..Default::default() },
            ItemFilter { priorities: vec![Priority::Low], ..Default::default() },
            ItemFilter { requester_id: Some(3), ..Default::default() },
            ItemFilter { search: Some(ItemSearch::Id(1)), ..Default::default() },
            ItemFilter { item_type: Some(ItemType::Task), ..Default::default() },
        ] {
            assert!(!Counter::for_filter(&f).answers(&f), "{f:?}");
            let (conditions, args) = item_where(&f);
            let q = count(&f, TitleSearch::Fts);
            assert_eq!(q.sql(), format!("SELECT COUNT(*) FROM items i{conditions}"));
            assert_eq!(q.args(), args);
        }
        let all = count(&ItemFilter::default(), TitleSearch::Fts);
        assert_eq!(all.sql(), "SELECT CAST(COALESCE(SUM(c.n), 0) AS BIGINT) FROM project_item_counts c");
    }

    #[test]
    fn counts_of_the_items_stop_at_the_cap() {
        let f = ItemFilter { assignee: Some(Some(7)), ..Default::default() };
        let q = capped_count(&f, TitleSearch::Fts, 1_051);
        assert_eq!(
            q.sql(),
            "SELECT COUNT(*) FROM (SELECT 1 AS one FROM items i WHERE i.assignee_id = $1 LIMIT $2) capped"
        );
        assert_eq!(q.args(), [int(7), int(1_051)]);
        assert!(!counters_answer(&f));
        assert!(counters_answer(&ItemFilter { statuses: vec![ItemStatus::Open], ..Default::default() }));
    }

    #[test]
    fn each_counter_answers_only_its_own_key() {
        let org = ItemFilter { organization: Some(Some(1)), ..Default::default() };
        let project = ItemFilter { project_id: Some(1), ..Default::default() };
        assert!(Counter::Org.answers(&org) && !Counter::Project.answers(&org));
        assert!(Counter::Project.answers(&project) && !Counter::Org.answers(&project));
        assert_eq!(Counter::for_filter(&org), Counter::Org);
        assert_eq!(Counter::for_filter(&project), Counter::Project);
    }
}
