//! Which organizations gained or lost a member, or had their domains changed, since a
//! search version: triggers stamp each such organization with the search version
//! (`customer_counts.version`) of the write, above every version visible before it
//! commits (migrations 0022 and 0027), so a result computed at version V from the members
//! (or domains) of some organizations is still exact while none of them is stamped above V.

use crate::db::{query, Db};

/// How many organizations stamped since a version are read at most; past it a result
/// is simply computed anew.
pub const MAX_CHANGED: usize = 1000;

/// The search version now (what a result computed after this read is at least as new as).
pub async fn version(db: &Db) -> Result<i64, sqlx::Error> {
    query("SELECT version FROM customer_counts WHERE id = 1").scalar(db).await
}

/// The search version now and, in the same snapshot, the organizations stamped above
/// `since` (`None`: more than [`MAX_CHANGED`]).
pub async fn changed_since(db: &Db, since: i64) -> Result<(i64, Option<Vec<i64>>), sqlx::Error> {
    let sql = format!(
        "SELECT v.version, s.organization_id FROM customer_counts v \
         LEFT JOIN organization_member_stamps s ON s.stamp > $1 WHERE v.id = 1 LIMIT {}",
        MAX_CHANGED + 1
    );
    let rows: Vec<(i64, Option<i64>)> = query(sql).bind(since).fetch_all(db).await?;
    let version = rows.first().map(|r| r.0).unwrap_or_default();
    let changed: Vec<i64> = rows.into_iter().filter_map(|r| r.1).collect();
    Ok((version, (changed.len() <= MAX_CHANGED).then_some(changed)))
}
