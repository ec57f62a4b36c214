//! Moving customers between organizations: the rule every path shares (the
//! Customers app's drag and drop, an organization's new domain, a member added
//! from the panel) and the history entries a move leaves.
//!
//! A customer belongs to at most one organization. Their open items (new, open,
//! waiting) follow them; resolved and closed items keep the organization they had.

use std::collections::{BTreeMap, HashMap};

use orgdesk_core::text::names_and_more;
use serde_json::json;

use crate::db::items::OPEN_STATUSES;
use crate::db::organizations::history::{self, Entry};
use crate::db::projects::CUSTOMER_NAME;
use crate::db::{placeholders, query, Query, Tx};

/// How many customers one statement handles (bind parameters stay far below
/// SQLite's and PostgreSQL's limits).
pub const CHUNK: usize = 500;

/// Moves the customers `ids` (none of them already in `organization`) into
/// `organization`, or out of any with `None`, in the caller's transaction.
pub async fn move_customers_in(tx: &mut Tx, ids: &[i64], organization: Option<i64>) -> Result<(), sqlx::Error> {
    // Whoever moves loses the manager role they had, and the follows it made.
    crate::db::portal_policy::drop_manager_follows(tx, ids).await?;
    move_memberships(tx, ids, organization).await
}

/// The memberships and the open items of `ids` move to `organization`.
async fn move_memberships(tx: &mut Tx, ids: &[i64], organization: Option<i64>) -> Result<(), sqlx::Error> {
    for changing in ids.chunks(CHUNK) {
        let delete = format!("DELETE FROM memberships WHERE customer_id IN ({})", placeholders(1, changing.len()));
        query(delete).bind_all(changing).execute(&mut *tx).await?;
        if let Some(org) = organization {
            let mut insert = query("INSERT INTO memberships (customer_id, organization_id) ");
            insert.push_values(changing, |id| vec![id.into(), org.into()]);
            insert.execute(&mut *tx).await?;
        }
        open_items_follow(changing.iter().copied(), organization).execute(&mut *tx).await?;
    }
    Ok(())
}

/// The statement that moves the open items `requesters` asked for to `organization`.
fn open_items_follow(requesters: impl IntoIterator<Item = i64>, organization: Option<i64>) -> Query {
    let mut follow = query("UPDATE items SET organization_id = ");
    follow.push_bind(organization).push(" WHERE requester_id IN (");
    follow.push_list(requesters).push(&format!(") AND status IN {OPEN_STATUSES}"));
    follow
}

/// One customer's move: `(customer, the organization they came from)`.
pub type Move = (i64, Option<i64>);

/// What one accepted move request writes: its customers' moves into `organization`
/// (or out of any) with their open items, and the history entries of both kinds,
/// stamped `now`.
pub struct Writes {
    pub moves: Vec<Move>,
    pub organization: Option<i64>,
    pub organization_entries: Vec<Entry>,
    pub customer_entries: Vec<super::history::Entry>,
    pub now: i64,
}

/// The writes of several requests that move different customers, gathered for
/// [`combined_statements`]: each move as `[customer, from, to]` and each history entry as
/// [`history_json`] gives it, with which kinds of membership change occur.
struct Gathered {
    moving: Vec<serde_json::Value>,
    organization_entries: Vec<serde_json::Value>,
    customer_entries: Vec<serde_json::Value>,
    /// A member moves to another organization, a customer in none joins one, a member leaves.
    changing: bool,
    adding: bool,
    removing: bool,
}

/// History entries of one kind as JSON text: the kind's name, its table and owner column
/// (see [`history::HistoryRecord::TABLE`]), the text.
type EntriesText = (&'static str, (&'static str, &'static str), String);

impl Gathered {
    fn of(writes: &[Writes]) -> Gathered {
        let mut g = Gathered {
            moving: Vec::new(),
            organization_entries: Vec::new(),
            customer_entries: Vec::new(),
            changing: false,
            adding: false,
            removing: false,
        };
        for w in writes {
            for (customer, from) in &w.moves {
                g.changing |= from.is_some() && w.organization.is_some();
                g.adding |= from.is_none() && w.organization.is_some();
                g.removing |= from.is_some() && w.organization.is_none();
                g.moving.push(json!([customer, from, w.organization]));
            }
            g.organization_entries.extend(w.organization_entries.iter().map(|e| history_json(e, w.now)));
            g.customer_entries.extend(w.customer_entries.iter().map(|e| history_json(e, w.now)));
        }
        g
    }

    /// The moves as JSON text, and the history entries as JSON text with the table each
    /// kind goes to, leaving out the kinds with none.
    fn into_texts(self) -> (String, Vec<EntriesText>) {
        let entries = [
            ("organization_entries", <Entry as history::HistoryRecord>::TABLE, self.organization_entries),
            ("customer_entries", <super::history::Entry as history::HistoryRecord>::TABLE, self.customer_entries),
        ]
        .into_iter()
        .filter(|(_, _, entries)| !entries.is_empty())
        .map(|(name, table, entries)| (name, table, serde_json::Value::Array(entries).to_string()))
        .collect();
        (serde_json::Value::Array(self.moving).to_string(), entries)
    }
}

/// The writes of several requests that move different customers (a run) as statements of
/// a fixed shape, whatever the number of requests and customers: the moves and the
/// entries go as JSON arrays, and each kind of write is one set-based part (a membership
/// changed, added or removed, the open items, each history). Written request by request,
/// 30 requests made 120 statements: on PostgreSQL the statement-level triggers ran once
/// for each and the text changed with every count, so each batch was planned anew; on
/// SQLite each was a round trip between the writing task and the connection's thread, and
/// the thread sat idle about half of the time waiting for the next one.
///
/// On PostgreSQL it is one statement of data-modifying `WITH` parts, which read the
/// snapshot from before the statement; on SQLite one statement per part, in that order.
/// Either way no two parts touch the same row (a run moves each customer once). None when
/// no request moves anyone.
pub fn combined_statements(writes: &[Writes], dialect: &str) -> Vec<Query> {
    let g = Gathered::of(writes);
    if g.moving.is_empty() {
        return Vec::new();
    }
    if dialect == "postgres" {
        vec![postgres_statement(g)]
    } else {
        sqlite_statements(g)
    }
}

/// [`combined_statements`] on PostgreSQL.
fn postgres_statement(g: Gathered) -> Query {
    let (changing, adding, removing) = (g.changing, g.adding, g.removing);
    let (moving, entries) = g.into_texts();
    let mut q = query(
        "WITH moving AS (SELECT (v->>0)::bigint AS c, (v->>1)::bigint AS f, (v->>2)::bigint AS t \
         FROM jsonb_array_elements(",
    );
    q.push_bind(moving).push("::jsonb) AS v)");
    if changing {
        q.push(
            ", changed AS (UPDATE memberships m SET organization_id = v.t, position = '', role = 'member' \
             FROM moving v WHERE m.customer_id = v.c AND v.f IS NOT NULL AND v.t IS NOT NULL)",
        );
    }
    if adding {
        q.push(
            ", added AS (INSERT INTO memberships (customer_id, organization_id) \
             SELECT c, t FROM moving WHERE f IS NULL AND t IS NOT NULL ORDER BY c)",
        );
    }
    if removing {
        q.push(
            ", removed AS (DELETE FROM memberships m USING moving v \
             WHERE m.customer_id = v.c AND v.f IS NOT NULL AND v.t IS NULL)",
        );
    }
    q.push(&format!(
        ", items_follow AS (UPDATE items i SET organization_id = v.t FROM moving v \
         WHERE i.requester_id = v.c AND i.status IN {OPEN_STATUSES})"
    ));
    for (name, (table, owner), entries) in entries {
        q.push(&format!(
            ", {name} AS (INSERT INTO {table} ({owner}, agent_id, action, summary, details, created_at) \
             SELECT (e->>0)::bigint, (e->>1)::bigint, e->>2, e->>3, e->>4, (e->>5)::bigint \
             FROM jsonb_array_elements("
        ));
        q.push_bind(entries);
        q.push("::jsonb) WITH ORDINALITY AS x(e, n) ORDER BY n)");
    }
    q.push(" SELECT 1");
    q
}

/// The moves of a run as a table on SQLite (`c` customer, `f` from, `t` to), read from
/// the statement's first parameter.
const SQLITE_MOVING: &str = "(SELECT json_extract(value, '$[0]') AS c, json_extract(value, '$[1]') AS f, \
     json_extract(value, '$[2]') AS t FROM json_each($1))";

/// [`combined_statements`] on SQLite: each part loops over the moves (or entries) and
/// finds its rows by key (the memberships by customer, the open items by requester).
fn sqlite_statements(g: Gathered) -> Vec<Query> {
    let (changing, adding, removing) = (g.changing, g.adding, g.removing);
    let (moving, entries) = g.into_texts();
    let mut parts = Vec::new();
    if changing {
        parts.push(format!(
            "UPDATE memberships SET organization_id = v.t, position = '', role = 'member' FROM {SQLITE_MOVING} AS v \
             WHERE memberships.customer_id = v.c AND v.f IS NOT NULL AND v.t IS NOT NULL"
        ));
    }
    if adding {
        parts.push(format!(
            "INSERT INTO memberships (customer_id, organization_id) \
             SELECT c, t FROM {SQLITE_MOVING} WHERE f IS NULL AND t IS NOT NULL ORDER BY c"
        ));
    }
    if removing {
        parts.push(format!(
            "DELETE FROM memberships WHERE customer_id IN \
             (SELECT c FROM {SQLITE_MOVING} WHERE f IS NOT NULL AND t IS NULL)"
        ));
    }
    parts.push(format!(
        "UPDATE items SET organization_id = v.t FROM {SQLITE_MOVING} AS v \
         WHERE items.requester_id = v.c AND items.status IN {OPEN_STATUSES}"
    ));
    let mut statements: Vec<Query> = parts.into_iter().map(|sql| query(sql).bind(moving.clone())).collect();
    for (_, (table, owner), entries) in entries {
        let insert = format!(
            "INSERT INTO {table} ({owner}, agent_id, action, summary, details, created_at) \
             SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'), \
             json_extract(value, '$[3]'), json_extract(value, '$[4]'), json_extract(value, '$[5]') \
             FROM json_each($1) ORDER BY key"
        );
        statements.push(query(insert).bind(entries));
    }
    statements
}

/// A history entry as [`combined_statements`] reads it: whose, agent, action, summary,
/// details (as the text the column keeps), time.
fn history_json(entry: &impl history::HistoryRecord, now: i64) -> serde_json::Value {
    let (whose, agent, action, summary, details) = entry.fields();
    json!([whose, agent, action, summary, details.to_string(), now])
}

/// How many moved customers an entry names in its details (the rest are counted).
pub const NAMED_IN_HISTORY: usize = 50;
/// How many names an entry's sentence shows before "and N more".
const NAMED_IN_SUMMARY: usize = 2;

/// The first [`NAMED_IN_HISTORY`] of `ids` with their names (`{id, name}`), and
/// their names alone for the sentence.
fn named(ids: impl Iterator<Item = i64>, customers: &HashMap<i64, String>) -> (Vec<serde_json::Value>, Vec<String>) {
    let listed: Vec<(i64, String)> = ids
        .take(NAMED_IN_HISTORY)
        .map(|id| (id, customers.get(&id).cloned().unwrap_or_else(|| format!("Customer #{id}"))))
        .collect();
    let names = listed.iter().map(|(_, name)| name.clone()).collect();
    (listed.into_iter().map(|(id, name)| json!({ "id": id, "name": name })).collect(), names)
}

/// The `members_moved` history entries of `moves` into `organization` (or out of
/// any): one on the target, when there is one, and one on each source
/// organization. Each names the customers ("Ann Lee, Bob Stone and 3 more moved
/// in") and keeps the first [`NAMED_IN_HISTORY`] of them (`customers`: id and name)
/// and the total (`count`) in its details. `names` holds the organizations' names by
/// id, `customers` the moved customers' names.
pub fn move_entries(
    moves: &[Move],
    organization: Option<i64>,
    agent: Option<i64>,
    names: &HashMap<i64, String>,
    customers: &HashMap<i64, String>,
) -> Vec<Entry> {
    if moves.is_empty() {
        return Vec::new();
    }
    // Counts by source organization (None: unassigned), in a stable order.
    let mut by_source: BTreeMap<Option<i64>, i64> = BTreeMap::new();
    for (_, from) in moves {
        *by_source.entry(*from).or_default() += 1;
    }
    let name_of = |id: i64| names.get(&id).cloned().unwrap_or_default();
    let target_name = organization.map(name_of).unwrap_or_else(|| "no organization".to_string());
    let mut entries = Vec::new();
    if let Some(target) = organization {
        let total = moves.len() as i64;
        let unassigned = by_source.get(&None).copied().unwrap_or(0);
        let mut parts: Vec<String> = Vec::new();
        let mut from = Vec::new();
        for (source, n) in by_source.iter().filter_map(|(s, n)| s.map(|s| (s, n))) {
            parts.push(format!("{n} from {}", name_of(source)));
            from.push(json!({ "organization_id": source, "organization_name": name_of(source), "count": n }));
        }
        if unassigned > 0 {
            parts.push(format!("{unassigned} with no organization"));
        }
        let (listed, who) = named(moves.iter().map(|(id, _)| *id), customers);
        entries.push(Entry {
            organization: target,
            agent,
            action: "members_moved",
            summary: format!("{} moved in ({})", names_and_more(&who, total, NAMED_IN_SUMMARY), parts.join(", ")),
            details: json!({ "direction": "in", "count": total, "unassigned": unassigned, "from": from, "customers": listed }),
        });
    }
    for (source, n) in by_source.iter().filter_map(|(s, n)| s.map(|s| (s, *n))) {
        let (listed, who) = named(moves.iter().filter(|(_, f)| *f == Some(source)).map(|(id, _)| *id), customers);
        entries.push(Entry {
            organization: source,
            agent,
            action: "members_moved",
            summary: format!("{} left for {target_name}", names_and_more(&who, n, NAMED_IN_SUMMARY)),
            details: json!({ "direction": "out", "count": n, "to_organization_id": organization, "to_organization_name": organization.map(name_of), "customers": listed }),
        });
    }
    entries
}

/// Records the history entries of `moves` (see [`move_entries`]) in the caller's
/// transaction.
pub async fn record_moves(
    tx: &mut Tx,
    moves: &[Move],
    organization: Option<i64>,
    agent: Option<i64>,
    now: i64,
) -> Result<(), sqlx::Error> {
    if moves.is_empty() {
        return Ok(());
    }
    // The entries name the customers in id order, whatever order the databases returned them in.
    let mut sorted = moves.to_vec();
    sorted.sort_unstable();
    let moves = sorted.as_slice();
    let mut orgs: Vec<i64> = moves.iter().filter_map(|(_, from)| *from).collect();
    orgs.sort_unstable();
    orgs.dedup();
    orgs.extend(organization);
    let sql = format!("SELECT id, name FROM organizations WHERE id IN ({})", placeholders(1, orgs.len()));
    let names: HashMap<i64, String> = query(sql).bind_all(&orgs).fetch_all(&mut *tx).await?.into_iter().collect();
    // The names each entry keeps: the first ones of every source (at most NAMED_IN_HISTORY each).
    let mut wanted: Vec<i64> = moves.iter().take(NAMED_IN_HISTORY).map(|(id, _)| *id).collect();
    for source in &orgs {
        wanted.extend(moves.iter().filter(|(_, f)| *f == Some(*source)).take(NAMED_IN_HISTORY).map(|(id, _)| *id));
    }
    wanted.sort_unstable();
    wanted.dedup();
    let mut customers: HashMap<i64, String> = HashMap::new();
    for chunk in wanted.chunks(CHUNK) {
        let sql = format!(
            "SELECT c.id, {CUSTOMER_NAME} AS name FROM customers c WHERE c.id IN ({})",
            placeholders(1, chunk.len())
        );
        let rows: Vec<(i64, String)> = query(sql).bind_all(chunk).fetch_all(&mut *tx).await?;
        customers.extend(rows);
    }
    history::record_all(tx, &move_entries(moves, organization, agent, &names, &customers), now).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_large_move_keeps_the_first_names_and_the_total() {
        let moves: Vec<Move> = (0..120).map(|i| (i, None)).collect();
        let customers: HashMap<i64, String> = (0..120).map(|i| (i, format!("C{i}"))).collect();
        let entries = move_entries(&moves, Some(1), None, &names(), &customers);
        assert_eq!(entries[0].summary, "C0, C1 and 118 more moved in (120 with no organization)");
        assert_eq!(entries[0].details["customers"].as_array().unwrap().len(), NAMED_IN_HISTORY);
        assert_eq!(entries[0].details["count"], 120);
    }

    use super::*;
    use crate::db::Arg;

    fn names() -> HashMap<i64, String> {
        [(1, "Acme".to_string()), (2, "Globex".to_string()), (3, "Initech".to_string())].into()
    }

    fn people() -> HashMap<i64, String> {
        [(10, "Ann Lee"), (11, "Bob Stone"), (12, "Cy Young"), (13, "Di Ross")]
            .into_iter()
            .map(|(id, n)| (id, n.to_string()))
            .collect()
    }

    /// `n` requests, each moving a member of Globex and a customer in no organization into
    /// `to`, with the organizations' history entries.
    fn run_of(n: i64, to: Option<i64>) -> Vec<Writes> {
        (0..n)
            .map(|i| {
                let moves = vec![(100 + i, Some(2)), (200 + i, None)];
                let organization_entries = move_entries(&moves, to, None, &names(), &HashMap::new());
                Writes { moves, organization: to, organization_entries, customer_entries: Vec::new(), now: 5 }
            })
            .collect()
    }

    fn texts(writes: &[Writes], dialect: &str) -> Vec<String> {
        combined_statements(writes, dialect).iter().map(|q| q.sql().to_string()).collect()
    }

    #[test]
    fn a_run_of_moves_is_one_statement_per_kind_of_write_whatever_its_size() {
        let heads = |writes: &[Writes]| -> Vec<String> {
            texts(writes, "sqlite").iter().map(|t| t.split_whitespace().take(3).collect::<Vec<_>>().join(" ")).collect()
        };
        assert_eq!(
            heads(&run_of(1, Some(1))),
            [
                "UPDATE memberships SET",
                "INSERT INTO memberships",
                "UPDATE items SET",
                "INSERT INTO organization_history"
            ]
        );
        assert_eq!(texts(&run_of(30, Some(1)), "sqlite"), texts(&run_of(1, Some(1)), "sqlite"));
        // Leaving: the members' memberships go, the customer in none had nothing to change.
        let leaving = vec![Writes {
            moves: vec![(10, Some(2))],
            organization: None,
            organization_entries: Vec::new(),
            customer_entries: Vec::new(),
            now: 5,
        }];
        assert_eq!(heads(&leaving), ["DELETE FROM memberships", "UPDATE items SET"]);
        // Every statement reads the run from its one parameter.
        let run = combined_statements(&run_of(2, Some(1)), "sqlite");
        assert!(run.iter().all(|q| q.args().len() == 1));
        assert_eq!(run[0].args()[0], Arg::from("[[100,2,1],[200,null,1],[101,2,1],[201,null,1]]".to_string()));
        // PostgreSQL: one statement of the same shape for any size.
        assert_eq!(texts(&run_of(30, Some(1)), "postgres"), texts(&run_of(1, Some(1)), "postgres"));
        assert_eq!(texts(&run_of(1, Some(1)), "postgres").len(), 1);
        let nobody = vec![Writes {
            moves: Vec::new(),
            organization: Some(1),
            organization_entries: Vec::new(),
            customer_entries: Vec::new(),
            now: 5,
        }];
        assert!(combined_statements(&nobody, "sqlite").is_empty());
    }

    #[test]
    fn no_moves_leave_no_history() {
        assert!(move_entries(&[], Some(1), None, &names(), &people()).is_empty());
    }

    #[test]
    fn a_move_in_says_where_the_members_came_from_and_each_source_says_where_they_went() {
        let moves = [(10, Some(2)), (11, Some(2)), (12, None), (13, Some(3))];
        let entries = move_entries(&moves, Some(1), Some(7), &names(), &people());
        let summaries: Vec<(i64, &str)> = entries.iter().map(|e| (e.organization, e.summary.as_str())).collect();
        assert_eq!(
            summaries,
            [
                (1, "Ann Lee, Bob Stone and 2 more moved in (2 from Globex, 1 from Initech, 1 with no organization)"),
                (2, "Ann Lee and Bob Stone left for Acme"),
                (3, "Di Ross left for Acme"),
            ]
        );
        assert!(entries.iter().all(|e| e.agent == Some(7) && e.action == "members_moved"));
        assert_eq!(entries[0].details["unassigned"], 1);
        assert_eq!(entries[0].details["from"][0]["count"], 2);
        assert_eq!(entries[1].details["to_organization_name"], "Acme");
        assert_eq!(entries[0].details["count"], 4);
        assert_eq!(
            entries[0].details["customers"][3],
            json!({"id": 13, "name": "Di Ross"}),
            "every name, for the full list"
        );
        assert_eq!(entries[2].details["customers"], json!([{"id": 13, "name": "Di Ross"}]));
    }

    #[test]
    fn a_move_out_of_every_organization_writes_only_on_the_sources() {
        let entries = move_entries(&[(10, Some(2))], None, None, &names(), &people());
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].organization, 2);
        assert_eq!(entries[0].summary, "Ann Lee left for no organization");
        assert_eq!(entries[0].details["to_organization_id"], serde_json::Value::Null);
    }
}
