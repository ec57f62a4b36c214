//! Moving customers between organizations: the rule every path shares (the
//! Customers app's drag and drop, an organization's new domain, a member added
//! from the panel) and the history entries a move leaves.
//!
//! A customer belongs to at most one organization. Their open items (new, open,
//! waiting) follow them; resolved and closed items keep the organization they had.

use std::collections::{BTreeMap, HashMap};

use serde_json::json;

use crate::db::items::OPEN_STATUSES;
use crate::db::organizations::history::{self, Entry};
use crate::db::{placeholders, query, Tx};

/// How many customers one statement handles (bind parameters stay far below
/// SQLite's and PostgreSQL's limits).
pub const CHUNK: usize = 500;

/// Moves the customers `ids` (none of them already in `organization`) into
/// `organization`, or out of any with `None`, in the caller's transaction.
pub async fn move_customers_in(tx: &mut Tx, ids: &[i64], organization: Option<i64>) -> Result<(), sqlx::Error> {
    // Whoever moves loses the manager role they had, and the follows it made.
    crate::db::portal_policy::drop_manager_follows(tx, ids).await?;
    for changing in ids.chunks(CHUNK) {
        let delete = format!("DELETE FROM memberships WHERE customer_id IN ({})", placeholders(1, changing.len()));
        query(delete).bind_all(changing).execute(&mut *tx).await?;
        if let Some(org) = organization {
            let mut insert = query("INSERT INTO memberships (customer_id, organization_id) ");
            insert.push_values(changing, |id| vec![id.into(), org.into()]);
            insert.execute(&mut *tx).await?;
        }
        let follow = format!(
            "UPDATE items SET organization_id = $1 WHERE requester_id IN ({}) AND status IN {OPEN_STATUSES}",
            placeholders(2, changing.len())
        );
        query(follow).bind(organization).bind_all(changing).execute(&mut *tx).await?;
    }
    Ok(())
}

/// One customer's move: `(customer, the organization they came from)`.
pub type Move = (i64, Option<i64>);

/// The `members_moved` history entries of `moves` into `organization` (or out of
/// any): one on the target, when there is one, and one on each source
/// organization. `names` holds the organizations' names by id.
pub fn move_entries(
    moves: &[Move],
    organization: Option<i64>,
    agent: Option<i64>,
    names: &HashMap<i64, String>,
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
    let members = |n: i64| if n == 1 { "member" } else { "members" };
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
        entries.push(Entry {
            organization: target,
            agent,
            action: "members_moved",
            summary: format!("{total} {} moved in ({})", members(total), parts.join(", ")),
            details: json!({ "direction": "in", "count": total, "unassigned": unassigned, "from": from }),
        });
    }
    for (source, n) in by_source.iter().filter_map(|(s, n)| s.map(|s| (s, *n))) {
        entries.push(Entry {
            organization: source,
            agent,
            action: "members_moved",
            summary: format!("{n} {} left for {target_name}", members(n)),
            details: json!({ "direction": "out", "count": n, "to_organization_id": organization, "to_organization_name": organization.map(name_of) }),
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
    let mut orgs: Vec<i64> = moves.iter().filter_map(|(_, from)| *from).collect();
    orgs.sort_unstable();
    orgs.dedup();
    orgs.extend(organization);
    let sql = format!("SELECT id, name FROM organizations WHERE id IN ({})", placeholders(1, orgs.len()));
    let names: HashMap<i64, String> = query(sql).bind_all(&orgs).fetch_all(&mut *tx).await?.into_iter().collect();
    for entry in move_entries(moves, organization, agent, &names) {
        history::record(tx, &entry, now).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> HashMap<i64, String> {
        [(1, "Acme".to_string()), (2, "Globex".to_string()), (3, "Initech".to_string())].into()
    }

    #[test]
    fn no_moves_leave_no_history() {
        assert!(move_entries(&[], Some(1), None, &names()).is_empty());
    }

    #[test]
    fn a_move_in_says_where_the_members_came_from_and_each_source_says_where_they_went() {
        let moves = [(10, Some(2)), (11, Some(2)), (12, None), (13, Some(3))];
        let entries = move_entries(&moves, Some(1), Some(7), &names());
        let summaries: Vec<(i64, &str)> = entries.iter().map(|e| (e.organization, e.summary.as_str())).collect();
        assert_eq!(
            summaries,
            [
                (1, "4 members moved in (2 from Globex, 1 from Initech, 1 with no organization)"),
                (2, "2 members left for Acme"),
                (3, "1 member left for Acme"),
            ]
        );
        assert!(entries.iter().all(|e| e.agent == Some(7) && e.action == "members_moved"));
        assert_eq!(entries[0].details["unassigned"], 1);
        assert_eq!(entries[0].details["from"][0]["count"], 2);
        assert_eq!(entries[1].details["to_organization_name"], "Acme");
    }

    #[test]
    fn a_move_out_of_every_organization_writes_only_on_the_sources() {
        let entries = move_entries(&[(10, Some(2))], None, None, &names());
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].organization, 2);
        assert_eq!(entries[0].summary, "1 member left for no organization");
        assert_eq!(entries[0].details["to_organization_id"], serde_json::Value::Null);
    }
}
