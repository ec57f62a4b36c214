//! The connections statements on `&Db` run on (reads, and single-statement writes
//! outside a transaction).
//!
//! sqlx's pool checks a connection with a round trip each time it gives one back (and,
//! unless told not to, each time it hands one out); on SQLite that round trip is a
//! command to the connection's thread and its answer, on PostgreSQL a `Sync` and the
//! backend's `ReadyForQuery`. A list request of two statements paid two of them, one of
//! them in a task spawned for it. [`Reads`] keeps connections it took out of sqlx's pool
//! (so they were opened, and set up, by it) and gives them back without a check:
//! - a statement that ended with an error that may have broken the connection (any but an
//!   error the database reported, or no row) loses its connection;
//! - so does a statement whose future was dropped half way (a request cancelled);
//! - a PostgreSQL connection idle for [`Reads::new`]'s `stale_after` is checked before
//!   use (a server restarted or a network cut meanwhile), and one that fails is dropped;
//! - a connection older than [`MAX_AGE`] is closed instead of kept, as sqlx's pool does.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sqlx::{Connection, Database, Pool};
use tokio::sync::{Semaphore, SemaphorePermit};

/// How long a connection is used before it is closed and replaced (sqlx's default).
const MAX_AGE: Duration = Duration::from_secs(30 * 60);

/// Connections of one database for statements outside transactions, at most as many as
/// the pool they come from may open.
pub struct Reads<DB: Database> {
    inner: Arc<Inner<DB>>,
}

impl<DB: Database> Clone for Reads<DB> {
    fn clone(&self) -> Self {
        Reads { inner: self.inner.clone() }
    }
}

impl<DB: Database> std::fmt::Debug for Reads<DB> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reads").field("pool", &self.inner.pool).finish_non_exhaustive()
    }
}

struct Inner<DB: Database> {
    pool: Pool<DB>,
    idle: Mutex<Vec<Kept<DB>>>,
    permits: Semaphore,
    stale_after: Option<Duration>,
}

struct Kept<DB: Database> {
    conn: DB::Connection,
    opened: Instant,
    idle_since: Instant,
}

impl<DB: Database> Reads<DB> {
    /// Connections taken from `pool` (which opens and sets them up), as many at once as
    /// it may open; with `stale_after`, one idle that long is checked before use.
    pub fn new(pool: Pool<DB>, stale_after: Option<Duration>) -> Reads<DB> {
        let size = pool.options().get_max_connections() as usize;
        let inner = Inner { pool, idle: Mutex::new(Vec::new()), permits: Semaphore::new(size), stale_after };
        Reads { inner: Arc::new(inner) }
    }

    /// The pool the connections come from (migrations and transactions use it).
    pub fn pool(&self) -> &Pool<DB> {
        &self.inner.pool
    }

    /// Closes the kept connections and the pool; later statements fail with `PoolClosed`.
    pub async fn close(&self) {
        self.inner.permits.close();
        let kept = std::mem::take(&mut *self.inner.idle.lock().unwrap_or_else(|e| e.into_inner()));
        for k in kept {
            let _ = k.conn.close().await;
        }
        self.inner.pool.close().await;
    }

    /// A connection for one statement: a kept one, else a new one from the pool. Waits
    /// as long as the pool's acquire timeout for a free one and for the checks of kept
    /// ones idle too long (then `PoolTimedOut`: a network that went silent without
    /// closing the connection gets no answer).
    pub async fn lease(&self) -> Result<Lease<'_, DB>, sqlx::Error> {
        let deadline = tokio::time::Instant::now() + self.inner.pool.options().get_acquire_timeout();
        let permit = match tokio::time::timeout_at(deadline, self.inner.permits.acquire()).await {
            Ok(Ok(permit)) => permit,
            Ok(Err(_)) => return Err(sqlx::Error::PoolClosed),
            Err(_) => return Err(sqlx::Error::PoolTimedOut),
        };
        loop {
            let kept = self.inner.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
            let Some(mut kept) = kept else { break };
            if self.inner.stale_after.is_some_and(|after| kept.idle_since.elapsed() >= after) {
                // A check cut short leaves the connection out of step: it is dropped too.
                match tokio::time::timeout_at(deadline, kept.conn.ping()).await {
                    Ok(Ok(())) => {}
                    Ok(Err(_)) => continue,
                    Err(_) => return Err(sqlx::Error::PoolTimedOut),
                }
            }
            return Ok(Lease { conn: Some(kept.conn), opened: kept.opened, inner: &self.inner, _permit: permit });
        }
        let conn = self.inner.pool.acquire().await?.detach();
        Ok(Lease { conn: Some(conn), opened: Instant::now(), inner: &self.inner, _permit: permit })
    }
}

/// A connection lent for one statement; [`Lease::end`] keeps it for the next one when the
/// statement's result says it is sound. Dropped otherwise, it is closed.
pub struct Lease<'r, DB: Database> {
    conn: Option<DB::Connection>,
    opened: Instant,
    inner: &'r Inner<DB>,
    _permit: SemaphorePermit<'r>,
}

impl<DB: Database> Lease<'_, DB> {
    pub fn conn(&mut self) -> &mut DB::Connection {
        self.conn.as_mut().expect("a lease holds its connection until it ends")
    }

    /// Ends the lease with the statement's `result`, which it passes on.
    pub fn end<T>(mut self, result: Result<T, sqlx::Error>) -> Result<T, sqlx::Error> {
        let sound = match &result {
            Ok(_) => true,
            // The database answered: the connection is in step with it.
            Err(sqlx::Error::Database(_) | sqlx::Error::RowNotFound) => true,
            Err(_) => false,
        };
        if let Some(conn) = self.conn.take().filter(|_| sound) {
            if self.opened.elapsed() < MAX_AGE && !self.inner.permits.is_closed() {
                let kept = Kept { conn, opened: self.opened, idle_since: Instant::now() };
                self.inner.idle.lock().unwrap_or_else(|e| e.into_inner()).push(kept);
            } else {
                tokio::spawn(conn.close());
            }
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{query, Db};
    use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

    /// A database of its own with a pool of `size` connections, its statements on [`Reads`].
    async fn scratch(size: u32) -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().unwrap();
        let options: SqliteConnectOptions = format!("sqlite://{}", dir.path().join("r.db").display()).parse().unwrap();
        let pool = SqlitePoolOptions::new()
            .max_connections(size)
            .acquire_timeout(Duration::from_millis(300))
            .connect_with(options.create_if_missing(true))
            .await
            .unwrap();
        let db = Db::sqlite(pool);
        query("CREATE TABLE t (id INTEGER PRIMARY KEY)").execute(&db).await.unwrap();
        (dir, db)
    }

    fn reads(db: &Db) -> &Reads<sqlx::Sqlite> {
        let Db::Sqlite(reads, _) = db else { unreachable!() };
        reads
    }

    fn kept(db: &Db) -> usize {
        reads(db).inner.idle.lock().unwrap().len()
    }

    #[tokio::test]
    async fn a_connection_is_kept_after_a_statement_and_after_the_databases_own_error() {
        let (_dir, db) = scratch(2).await;
        assert_eq!(kept(&db), 1, "the CREATE TABLE's connection is kept");
        query("INSERT INTO t (id) VALUES (1)").execute(&db).await.unwrap();
        let err = query("INSERT INTO t (id) VALUES (1)").execute(&db).await.unwrap_err();
        assert!(matches!(err, sqlx::Error::Database(_)), "{err:?}");
        let missing = query("SELECT id FROM t WHERE id = 2").scalar::<i64>(&db).await.unwrap_err();
        assert!(matches!(missing, sqlx::Error::RowNotFound), "{missing:?}");
        assert_eq!(kept(&db), 1, "one connection did all of it");
    }

    #[tokio::test]
    async fn a_statement_dropped_half_way_loses_its_connection_and_frees_its_place() {
        let (_dir, db) = scratch(1).await;
        let reads = reads(&db);
        let mut lease = reads.lease().await.unwrap();
        assert_eq!(kept(&db), 0);
        sqlx::query("INSERT INTO t (id) VALUES (7)").execute(lease.conn()).await.unwrap();
        // Cancelled: the lease is dropped without `end`.
        drop(lease);
        assert_eq!(kept(&db), 0, "a connection whose statement may be half done is not kept");
        let ids: Vec<i64> = query("SELECT id FROM t").scalars(&db).await.unwrap();
        assert_eq!(ids, vec![7], "a new connection took its place");
        assert_eq!(kept(&db), 1);
    }

    #[tokio::test]
    async fn no_more_than_the_pools_size_are_lent_at_once() {
        let (_dir, db) = scratch(1).await;
        let lease = reads(&db).lease().await.unwrap();
        let err = query("SELECT COUNT(*) FROM t").scalar::<i64>(&db).await.unwrap_err();
        assert!(matches!(err, sqlx::Error::PoolTimedOut), "{err:?}");
        drop(lease);
        assert_eq!(query("SELECT COUNT(*) FROM t").scalar::<i64>(&db).await.unwrap(), 0);
    }

    #[tokio::test]
    async fn a_closed_pool_refuses_statements_and_keeps_nothing() {
        let (_dir, db) = scratch(2).await;
        db.close().await;
        assert_eq!(kept(&db), 0);
        let err = query("SELECT COUNT(*) FROM t").scalar::<i64>(&db).await.unwrap_err();
        assert!(matches!(err, sqlx::Error::PoolClosed), "{err:?}");
    }
}
