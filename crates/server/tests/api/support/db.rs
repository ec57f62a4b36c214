//! Reading the database behind the API, for effects the API does not show
//! (trigger-kept counters, rows that bad input must leave alone). The only place
//! the API tests touch SQL on both dialects.

use orgdesk_server::db::{query, Arg, Db, Row};

use super::TestApp;

impl TestApp {
    /// The single integer `sql` selects (a count, an id, a version).
    pub async fn scalar(&self, sql: &str) -> i64 {
        query(sql.to_string()).scalar::<i64>(&self.db).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// The rows `sql` selects, with `$1` bound to `id`.
    pub async fn rows_for<T: Row>(&self, sql: &str, id: i64) -> Vec<T> {
        query(sql.to_string()).bind(id).fetch_all::<T>(&self.db).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// The rows `sql` selects, with `$1` bound to `text`.
    pub async fn rows_for_text<T: Row>(&self, sql: &str, text: &str) -> Vec<T> {
        query(sql.to_string())
            .bind(text.to_string())
            .fetch_all::<T>(&self.db)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// Runs `sql` with `$1` bound to `id` (a write the API does not offer, such as deleting an item row).
    pub async fn execute_for(&self, sql: &str, id: i64) {
        query(sql.to_string()).bind(id).execute(&self.db).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// The trigger-kept item counters (per organization and per project) agree with the items.
    pub async fn assert_counters_match(&self) {
        let wrong_org = self.scalar(
            "SELECT COUNT(*) FROM (SELECT COALESCE(organization_id, 0) AS k, status, COUNT(*) AS n FROM items GROUP BY 1, 2) t \
             FULL JOIN (SELECT organization_id AS k, status, n FROM org_item_counts WHERE n <> 0) c \
             ON c.k = t.k AND c.status = t.status WHERE t.n IS NULL OR c.n IS NULL OR t.n <> c.n",
        );
        let wrong_project = self.scalar(
            "SELECT COUNT(*) FROM (SELECT project_id AS k, status, COUNT(*) AS n FROM items GROUP BY 1, 2) t \
             FULL JOIN (SELECT project_id AS k, status, n FROM project_item_counts WHERE n <> 0) c \
             ON c.k = t.k AND c.status = t.status WHERE t.n IS NULL OR c.n IS NULL OR t.n <> c.n",
        );
        let wrong_assignee = self.scalar(
            "SELECT COUNT(*) FROM (SELECT COALESCE(assignee_id, 0) AS a, COALESCE(organization_id, 0) AS k, status, \
             COUNT(*) AS n FROM items GROUP BY 1, 2, 3) t \
             FULL JOIN (SELECT assignee_id AS a, organization_id AS k, status, n FROM assignee_item_counts WHERE n <> 0) c \
             ON c.a = t.a AND c.k = t.k AND c.status = t.status WHERE t.n IS NULL OR c.n IS NULL OR t.n <> c.n",
        );
        assert_eq!(
            (wrong_org.await, wrong_project.await, wrong_assignee.await),
            (0, 0, 0),
            "counters drifted from the items"
        );
    }

    /// The plan the database makes for `sql` with `args`, one line per step. PostgreSQL
    /// is told to avoid sequential scans (as it would with many rows), so a plan that
    /// still scans a table shows that no index can answer the query.
    pub async fn query_plan(&self, sql: &str, args: Vec<Arg>) -> Vec<String> {
        let mut tx = self.db.begin_write().await.unwrap();
        let plan: Vec<String> = match &self.db {
            Db::Sqlite(..) => {
                let rows: Vec<(i64, i64, i64, String)> = query(format!("EXPLAIN QUERY PLAN {sql}"))
                    .bind_args(args)
                    .fetch_all(&mut tx)
                    .await
                    .unwrap_or_else(|e| panic!("{sql}: {e}"));
                rows.into_iter().map(|r| r.3).collect()
            }
            Db::Postgres(..) => {
                query("SET LOCAL enable_seqscan = off").execute(&mut tx).await.unwrap();
                let rows: Vec<(String,)> = query(format!("EXPLAIN {sql}"))
                    .bind_args(args)
                    .fetch_all(&mut tx)
                    .await
                    .unwrap_or_else(|e| panic!("{sql}: {e}"));
                rows.into_iter().map(|r| r.0).collect()
            }
        };
        drop(tx);
        plan
    }
}
