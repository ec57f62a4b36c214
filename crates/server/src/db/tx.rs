//! Running a [`Query`] on either database, on the pool or inside a transaction.
//!
//! A [`Query`] runs on `&Db` (a pooled connection) or `&mut Tx` (a write
//! transaction), each dispatching to SQLite or PostgreSQL, so code above them is
//! written once:
//!
//! ```text
//! let mut tx = db.begin_write().await?;
//! query("UPDATE organizations SET name = $1 WHERE id = $2").bind(name).bind(id).execute(&mut tx).await?;
//! history::record(&mut tx, &entry, now).await?;
//! tx.commit().await?;
//! let names: Vec<(i64, String)> = query("SELECT id, name FROM organizations").fetch_all(db).await?;
//! ```
//!
//! Helpers that run inside a caller's transaction are plain `async fn`s taking
//! `&mut Tx`. A `Tx` dropped without [`Tx::commit`] rolls back, so returning an
//! error with `?` undoes every statement of a multi-row change.
//!
//! Rows decode into any type that both drivers can decode ([`Row`]): tuples of
//! plain values or `#[derive(sqlx::FromRow)]` structs.

use sqlx::postgres::{PgConnection, PgRow, Postgres};
use sqlx::sqlite::{Sqlite, SqliteConnection, SqliteRow};
use sqlx::{Arguments, Database, Encode, Transaction, Type};

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::query::{anonymous_placeholders, query, Arg, Query};
use super::reads::Reads;
use super::Db;
use crate::error::ApiError;

/// A row type both drivers decode.
pub trait Row: for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin {}

impl<T> Row for T where T: for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin {}

/// An open write transaction on either database, holding this process's turn to write.
#[derive(Debug)]
pub struct Tx {
    conn: TxConn,
    _turn: OwnedSemaphorePermit,
}

#[derive(Debug)]
enum TxConn {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// How long a writer waits for its turn in this process before the request gets a
/// 503 with `Retry-After` (under the load test's 200 clients without pause, a move's
/// p99 wait on PostgreSQL was 11 s; 10 s turned 2% of writes away).
const TURN_WAIT: Duration = Duration::from_secs(30);

/// This process's queue of writers: one write transaction at a time takes a pooled
/// connection. Writers waiting for their turn hold no connection, so reads keep the
/// pool even while many writes queue (without it, 40 queued moves held every
/// connection and reads waited seconds for one).
#[derive(Clone, Debug)]
pub struct Writers {
    turn: Arc<Semaphore>,
    /// On SQLite, the one connection every write transaction of this process takes and
    /// the checkpointer's (see [`Writers::sqlite`]); without them, a pooled one and SQLite's
    /// own checkpoints.
    sqlite: Option<SqliteWriters>,
}

#[derive(Clone, Debug)]
struct SqliteWriters {
    writer: sqlx::SqlitePool,
    checkpointer: sqlx::SqlitePool,
}

impl Default for Writers {
    /// One writer at a time, on a pooled connection.
    fn default() -> Writers {
        Writers { turn: Arc::new(Semaphore::new(1)), sqlite: None }
    }
}

impl Writers {
    /// Writers that take `writer` (a pool of one) for every write transaction, with
    /// `checkpointer` (a pool of one) for `checkpoints` to use, closed with them. SQLite
    /// drops the whole page cache of a connection that finds the database written by
    /// another since its last transaction, so with writes spread over the pool every
    /// write began cold: at 1M items a move read about 150 pages from the files. The one
    /// writing connection keeps its cache from one write to the next.
    pub fn sqlite(writer: sqlx::SqlitePool, checkpointer: sqlx::SqlitePool) -> Writers {
        Writers { sqlite: Some(SqliteWriters { writer, checkpointer }), ..Writers::default() }
    }

    /// A handle that tells whether any clone of these writers (any `Db` of this pool) is left.
    pub(super) fn watch(&self) -> std::sync::Weak<Semaphore> {
        Arc::downgrade(&self.turn)
    }

    /// The connection pool write transactions take on SQLite: the writers' own, else `pool`.
    fn sqlite_pool<'p>(&'p self, pool: &'p sqlx::SqlitePool) -> &'p sqlx::SqlitePool {
        self.sqlite.as_ref().map_or(pool, |s| &s.writer)
    }

    /// Closes the writers' connection and the checkpointer's, waiting for a checkpoint
    /// under way to end.
    pub(super) async fn close(&self) {
        if let Some(s) = &self.sqlite {
            s.writer.close().await;
            s.checkpointer.close().await;
        }
    }

    async fn turn(&self) -> Result<OwnedSemaphorePermit, sqlx::Error> {
        match tokio::time::timeout(TURN_WAIT, self.turn.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            // The semaphore is never closed; a writer that waited too long is answered
            // like one whose lock wait timed out: busy, 503 with Retry-After.
            Ok(Err(_)) | Err(_) => Err(sqlx::Error::Database(Box::new(TurnTimedOut))),
        }
    }
}

/// A writer waited longer than [`TURN_WAIT`] for its turn: reported with PostgreSQL's
/// code for a lock wait that timed out (55P03), which `error.rs` answers as busy.
#[derive(Debug)]
struct TurnTimedOut;

impl std::fmt::Display for TurnTimedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "waited over {} s for the turn to write", TURN_WAIT.as_secs())
    }
}

impl std::error::Error for TurnTimedOut {}

impl sqlx::error::DatabaseError for TurnTimedOut {
    fn message(&self) -> &str {
        "waited too long for the turn to write"
    }

    fn code(&self) -> Option<Cow<'_, str>> {
        Some(Cow::Borrowed("55P03"))
    }

    fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
        self
    }

    fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
        self
    }

    fn kind(&self) -> sqlx::error::ErrorKind {
        sqlx::error::ErrorKind::Other
    }
}

/// Where one statement runs: a pooled connection (`&Db`) or a transaction (`&mut Tx`).
pub enum Exec<'c> {
    SqlitePool(&'c Reads<Sqlite>),
    PgPool(&'c Reads<Postgres>),
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
}

/// The bound values of `args` as one driver's arguments.
fn arguments<'q, DB: Database>(args: &'q [Arg]) -> Result<DB::Arguments<'q>, sqlx::Error>
where
    Option<i64>: Encode<'q, DB> + Type<DB>,
    Option<f64>: Encode<'q, DB> + Type<DB>,
    Option<bool>: Encode<'q, DB> + Type<DB>,
    Option<&'q str>: Encode<'q, DB> + Type<DB>,
    Option<&'q [u8]>: Encode<'q, DB> + Type<DB>,
{
    let mut out = DB::Arguments::<'q>::default();
    for arg in args {
        match arg {
            Arg::Int(v) => out.add(*v),
            Arg::Float(v) => out.add(*v),
            Arg::Bool(v) => out.add(*v),
            Arg::Text(v) => out.add(v.as_deref()),
            Arg::Bytes(v) => out.add(v.as_deref()),
        }
        .map_err(sqlx::Error::Encode)?;
    }
    Ok(out)
}

impl<'c> From<&'c Db> for Exec<'c> {
    fn from(db: &'c Db) -> Exec<'c> {
        match db {
            Db::Sqlite(pool, _) => Exec::SqlitePool(pool),
            Db::Postgres(pool, _) => Exec::PgPool(pool),
        }
    }
}

impl<'c> From<&'c mut Tx> for Exec<'c> {
    fn from(tx: &'c mut Tx) -> Exec<'c> {
        match &mut tx.conn {
            TxConn::Sqlite(tx) => Exec::Sqlite(tx),
            TxConn::Postgres(tx) => Exec::Postgres(tx),
        }
    }
}

/// How many values a statement binds before SQLite gets it with anonymous `?`
/// placeholders (see [`anonymous_placeholders`]); below it the scan costs nothing.
const ANONYMOUS_FROM: usize = 64;

/// Runs `$query` (a sqlx query, built before a connection is taken) with `$method`
/// (`execute`, `fetch_all`, ...) on a connection `$reads` lends for it.
macro_rules! leased {
    ($reads:expr, $query:expr, $method:ident) => {{
        let query = $query;
        let mut lease = $reads.lease().await?;
        let done = query.$method(lease.conn()).await;
        lease.end(done)
    }};
}

/// Running a statement, as sqlx does: `.execute(db)` on a pooled connection or
/// `.execute(&mut *tx)` inside a transaction. Scalars are one-column rows.
impl Query {
    /// The text as the driver of `on` gets it: on SQLite, a statement that binds
    /// many values in order gets anonymous `?` placeholders.
    fn text_for(&self, on: &Exec<'_>) -> Cow<'_, str> {
        let sqlite = matches!(on, Exec::SqlitePool(_) | Exec::Sqlite(_));
        match sqlite && self.args().len() >= ANONYMOUS_FROM {
            true => anonymous_placeholders(self.sql(), self.args().len()).map_or(Cow::Borrowed(self.sql()), Cow::Owned),
            false => Cow::Borrowed(self.sql()),
        }
    }

    /// Runs the statement; returns the number of rows it changed.
    pub async fn execute<'c>(self, on: impl Into<Exec<'c>>) -> Result<u64, sqlx::Error> {
        let (on, args) = (on.into(), self.args());
        let sql = &*self.text_for(&on);
        Ok(match on {
            Exec::SqlitePool(p) => {
                leased!(p, sqlx::query_with(sql, arguments::<Sqlite>(args)?), execute)?.rows_affected()
            }
            Exec::PgPool(p) => {
                leased!(p, sqlx::query_with(sql, arguments::<Postgres>(args)?), execute)?.rows_affected()
            }
            Exec::Sqlite(c) => sqlx::query_with(sql, arguments::<Sqlite>(args)?).execute(c).await?.rows_affected(),
            Exec::Postgres(c) => sqlx::query_with(sql, arguments::<Postgres>(args)?).execute(c).await?.rows_affected(),
        })
    }

    pub async fn fetch_all<'c, T: Row>(self, on: impl Into<Exec<'c>>) -> Result<Vec<T>, sqlx::Error> {
        let (on, args) = (on.into(), self.args());
        let sql = &*self.text_for(&on);
        match on {
            Exec::SqlitePool(p) => leased!(p, sqlx::query_as_with(sql, arguments::<Sqlite>(args)?), fetch_all),
            Exec::PgPool(p) => leased!(p, sqlx::query_as_with(sql, arguments::<Postgres>(args)?), fetch_all),
            Exec::Sqlite(c) => sqlx::query_as_with(sql, arguments::<Sqlite>(args)?).fetch_all(c).await,
            Exec::Postgres(c) => sqlx::query_as_with(sql, arguments::<Postgres>(args)?).fetch_all(c).await,
        }
    }

    pub async fn fetch_optional<'c, T: Row>(self, on: impl Into<Exec<'c>>) -> Result<Option<T>, sqlx::Error> {
        let (on, args) = (on.into(), self.args());
        let sql = &*self.text_for(&on);
        match on {
            Exec::SqlitePool(p) => leased!(p, sqlx::query_as_with(sql, arguments::<Sqlite>(args)?), fetch_optional),
            Exec::PgPool(p) => leased!(p, sqlx::query_as_with(sql, arguments::<Postgres>(args)?), fetch_optional),
            Exec::Sqlite(c) => sqlx::query_as_with(sql, arguments::<Sqlite>(args)?).fetch_optional(c).await,
            Exec::Postgres(c) => sqlx::query_as_with(sql, arguments::<Postgres>(args)?).fetch_optional(c).await,
        }
    }

    /// Exactly one row; `sqlx::Error::RowNotFound` when there is none.
    pub async fn fetch_one<'c, T: Row>(self, on: impl Into<Exec<'c>>) -> Result<T, sqlx::Error> {
        self.fetch_optional(on).await?.ok_or(sqlx::Error::RowNotFound)
    }

    /// The first column of exactly one row.
    pub async fn scalar<'c, T>(self, on: impl Into<Exec<'c>>) -> Result<T, sqlx::Error>
    where
        (T,): Row,
    {
        Ok(self.fetch_one::<(T,)>(on).await?.0)
    }

    /// The first column of the row, if there is one.
    pub async fn optional_scalar<'c, T>(self, on: impl Into<Exec<'c>>) -> Result<Option<T>, sqlx::Error>
    where
        (T,): Row,
    {
        Ok(self.fetch_optional::<(T,)>(on).await?.map(|(v,)| v))
    }

    /// The first column of every row.
    pub async fn scalars<'c, T>(self, on: impl Into<Exec<'c>>) -> Result<Vec<T>, sqlx::Error>
    where
        (T,): Row,
    {
        Ok(self.fetch_all::<(T,)>(on).await?.into_iter().map(|(v,)| v).collect())
    }
}

/// The most values one combined statement binds (PostgreSQL takes up to 65,535).
const COMBINED_ARGS: usize = 30_000;

impl Tx {
    /// Runs `statements` (INSERT, UPDATE or DELETE, no two of which touch the same
    /// row) in this transaction, as few texts as keep each under [`COMBINED_ARGS`]
    /// values: one round trip instead of one each. On PostgreSQL each text is one
    /// statement, `WITH s0 AS (..), s1 AS (..) SELECT 1` (every data-modifying `WITH`
    /// part runs once, to completion, and statement-level triggers fire after the
    /// whole statement); the parts all read the snapshot from before the statement, so
    /// none may depend on another's change. On SQLite each text is the statements one
    /// after another (`..; ..`), which the connection's thread runs in order: a batch of
    /// moves waited on about eight hand-overs between the writing task and that thread,
    /// which sat idle meanwhile.
    pub async fn execute_all(&mut self, statements: Vec<Query>) -> Result<(), sqlx::Error> {
        let sqlite = matches!(self.conn, TxConn::Sqlite(_));
        for combined in combine(statements, COMBINED_ARGS, sqlite) {
            combined.execute(&mut *self).await?;
        }
        Ok(())
    }

    /// Makes every statement of the transaction permanent.
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self.conn {
            TxConn::Sqlite(tx) => tx.commit().await,
            TxConn::Postgres(tx) => tx.commit().await,
        }
    }

    pub fn dialect(&self) -> &'static str {
        match self.conn {
            TxConn::Sqlite(_) => "sqlite",
            TxConn::Postgres(_) => "postgres",
        }
    }
}

/// The PostgreSQL advisory lock every write transaction holds (an arbitrary
/// constant: the bytes of "orgdesk!" read as a big-endian integer).
const WRITE_LOCK: i64 = 0x6f72_6764_6573_6b21;

impl Db {
    /// Starts a write transaction; write transactions run one at a time on both
    /// databases, across every server process sharing the database.
    ///
    /// On SQLite it is `BEGIN IMMEDIATE`, so concurrent writers queue on the busy
    /// timeout instead of failing when they upgrade a read lock. On PostgreSQL the
    /// transaction first takes one transaction-scoped advisory lock ([`WRITE_LOCK`],
    /// released by commit or rollback). That is SQLite's behaviour, and it is the
    /// lock order that makes concurrent writes safe: a transaction that checks and
    /// then writes (a free email, a free domain, a parent that is not a descendant,
    /// a customer's current organization) sees every earlier commit and no later
    /// one, since under READ COMMITTED each statement reads the newest committed
    /// rows, and two write transactions never wait on each other's row locks, so
    /// they cannot deadlock. Reads on the pool never wait for it. A writer that
    /// waits longer than [`LOCK_WAIT`] gets SQLSTATE 55P03, answered 503 with
    /// `Retry-After` (see `error.rs`).
    ///
    /// Within one process, writers first queue for their turn ([`Writers`]) without
    /// holding a connection; only the writer whose turn it is takes one.
    pub async fn begin_write(&self) -> Result<Tx, sqlx::Error> {
        let (Db::Sqlite(_, writers) | Db::Postgres(_, writers)) = self;
        let turn = writers.turn().await?;
        let conn = match self {
            Db::Sqlite(reads, writers) => {
                TxConn::Sqlite(writers.sqlite_pool(reads.pool()).begin_with("BEGIN IMMEDIATE").await?)
            }
            // One round trip: the three statements go as one simple query.
            Db::Postgres(reads, _) => TxConn::Postgres(
                reads
                    .pool()
                    .begin_with(format!("BEGIN; {LOCK_WAIT}; SELECT pg_advisory_xact_lock({WRITE_LOCK})"))
                    .await?,
            ),
        };
        Ok(Tx { conn, _turn: turn })
    }
}

/// `statements` as few texts as keep each under `max_args` values (a statement alone
/// over it stays alone, as it is), placeholders renumbered: on PostgreSQL data-modifying
/// `WITH` parts of one statement, on SQLite (`sqlite`) statements one after another.
fn combine(statements: Vec<Query>, max_args: usize, sqlite: bool) -> Vec<Query> {
    let mut groups: Vec<Vec<Query>> = Vec::new();
    let mut args = 0;
    for statement in statements {
        let n = statement.args().len();
        match groups.last_mut() {
            Some(group) if args + n <= max_args => group.push(statement),
            _ => {
                args = 0;
                groups.push(vec![statement]);
            }
        }
        args += n;
    }
    groups
        .into_iter()
        .map(|mut group| {
            if group.len() == 1 {
                return group.remove(0);
            }
            let mut q = query(if sqlite { "" } else { "WITH " });
            for (i, part) in group.iter().enumerate() {
                match (sqlite, i) {
                    (true, 0) => q.append(part),
                    (true, _) => q.push("; ").append(part),
                    (false, _) => q.push(&format!("{}s{i} AS (", if i > 0 { ", " } else { "" })).append(part).push(")"),
                };
            }
            if !sqlite {
                q.push(" SELECT 1");
            }
            q
        })
        .collect()
}

/// How long a PostgreSQL write transaction waits for a lock (as SQLite's busy timeout).
const LOCK_WAIT: &str = "SET LOCAL lock_timeout = '10s'";

/// True when `err` is a unique-constraint violation.
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// Maps a unique-constraint violation of one statement to a 409 that names the
/// field (the realworld `on_constraint` idea). Call it on a statement that can
/// break one unique constraint only; any other error passes through unchanged.
pub trait OnUnique<T> {
    fn on_unique(self, field: &str, message: impl FnOnce() -> String) -> Result<T, ApiError>;
}

impl<T, E: Into<ApiError>> OnUnique<T> for Result<T, E> {
    fn on_unique(self, field: &str, message: impl FnOnce() -> String) -> Result<T, ApiError> {
        self.map_err(|e| match e.into() {
            ApiError::Database(err) if is_unique_violation(&err) => ApiError::conflict_on(field, message()),
            other => other,
        })
    }
}

/// Statements run on a temporary SQLite file: what each bound type reads back as, and
/// what a transaction keeps or undoes.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{placeholders, query};

    /// A fresh database with one table holding a column of each bindable type.
    async fn scratch() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(&format!("sqlite://{}", dir.path().join("scratch.db").display())).await.unwrap();
        query(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, i BIGINT, f DOUBLE PRECISION, b BOOLEAN, s TEXT UNIQUE, y BLOB)",
        )
        .execute(&db)
        .await
        .unwrap();
        (dir, db)
    }

    type Values = (Option<i64>, Option<f64>, Option<bool>, Option<String>, Option<Vec<u8>>);

    async fn count(db: &Db) -> i64 {
        query("SELECT COUNT(*) FROM t").scalar(db).await.unwrap()
    }

    #[tokio::test]
    async fn every_bound_type_reads_back_as_written() {
        let (_dir, db) = scratch().await;
        query("INSERT INTO t (id, i, f, b, s, y) VALUES (1, $1, $2, $3, $4, $5)")
            .bind(-7_i64)
            .bind(2.5_f64)
            .bind(true)
            .bind("text".to_string())
            .bind(vec![0_u8, 1, 255])
            .execute(&db)
            .await
            .unwrap();
        let row: Values = query("SELECT i, f, b, s, y FROM t WHERE id = 1").fetch_one(&db).await.unwrap();
        assert_eq!(row, (Some(-7), Some(2.5), Some(true), Some("text".into()), Some(vec![0, 1, 255])));
    }

    #[tokio::test]
    async fn borrowed_and_narrow_values_bind_like_their_owned_forms() {
        let (_dir, db) = scratch().await;
        let text = String::from("borrowed");
        let bytes: &[u8] = b"raw";
        query("INSERT INTO t (id, i, f, b, s, y) VALUES (1, $1, $2, $3, $4, $5)")
            .bind(i32::MAX)
            .bind(-0.25_f64)
            .bind(false)
            .bind(&text)
            .bind(bytes)
            .execute(&db)
            .await
            .unwrap();
        let row: Values = query("SELECT i, f, b, s, y FROM t").fetch_one(&db).await.unwrap();
        assert_eq!(row, (Some(i64::from(i32::MAX)), Some(-0.25), Some(false), Some(text), Some(bytes.to_vec())));
    }

    #[tokio::test]
    async fn none_of_every_type_binds_null() {
        let (_dir, db) = scratch().await;
        query("INSERT INTO t (id, i, f, b, s, y) VALUES (1, $1, $2, $3, $4, $5)")
            .bind(None::<i64>)
            .bind(None::<f64>)
            .bind(None::<bool>)
            .bind(None::<&str>)
            .bind(None::<Vec<u8>>)
            .execute(&db)
            .await
            .unwrap();
        let row: Values = query("SELECT i, f, b, s, y FROM t").fetch_one(&db).await.unwrap();
        assert_eq!(row, (None, None, None, None, None));
        let nulls: i64 =
            query("SELECT COUNT(*) FROM t WHERE i IS NULL AND f IS NULL AND b IS NULL AND s IS NULL AND y IS NULL")
                .scalar(&db)
                .await
                .unwrap();
        assert_eq!(nulls, 1);
    }

    #[tokio::test]
    async fn a_list_and_values_rows_bind_in_order() {
        let (_dir, db) = scratch().await;
        let mut insert = query("INSERT INTO t (id, s) ");
        insert.push_values([(1_i64, "a"), (2, "b"), (3, "c")], |(id, s)| vec![id.into(), s.into()]);
        assert_eq!(insert.execute(&db).await.unwrap(), 3, "rows changed");
        let mut select = query("SELECT s FROM t WHERE id IN (");
        select.push_list([3_i64, 1]).push(") ORDER BY id");
        let found: Vec<String> = select.scalars(&db).await.unwrap();
        assert_eq!(found, ["a", "c"]);
    }

    #[tokio::test]
    async fn statements_with_many_values_bind_each_in_its_place() {
        let (_dir, db) = scratch().await;
        // 300 rows of 2 values: past ANONYMOUS_FROM, so SQLite gets `?` placeholders.
        let mut insert = query("INSERT INTO t (id, s) ");
        insert.push_values(1..=300_i64, |id| vec![id.into(), format!("row {id}").into()]);
        assert_eq!(insert.execute(&db).await.unwrap(), 300);
        let ids: Vec<i64> = (1..=300).rev().collect();
        let list = placeholders(1, ids.len());
        let found: Vec<(i64, String)> = query(format!("SELECT id, s FROM t WHERE id IN ({list}) ORDER BY id DESC"))
            .bind_all(&ids)
            .fetch_all(&db)
            .await
            .unwrap();
        assert_eq!(found.len(), 300);
        assert_eq!(found[0], (300, "row 300".to_string()));
        assert_eq!(found[299], (1, "row 1".to_string()));
        // A statement that reuses a placeholder keeps its numbers: `$1` is 7 in both places.
        let mut reused = query("SELECT COUNT(*) FROM t WHERE (id = $1 OR id = $1 + 1) AND id NOT IN (");
        let rest: Vec<i64> = (1000..1100).collect();
        reused.param(7_i64);
        reused.push_list(&rest).push(")");
        assert_eq!(reused.scalar::<i64>(&db).await.unwrap(), 2);
    }

    #[tokio::test]
    async fn a_committed_transaction_keeps_its_statements() {
        let (_dir, db) = scratch().await;
        let mut tx = db.begin_write().await.unwrap();
        query("INSERT INTO t (id, s) VALUES (1, 'kept')").execute(&mut tx).await.unwrap();
        let inside: i64 = query("SELECT COUNT(*) FROM t").scalar(&mut tx).await.unwrap();
        assert_eq!(inside, 1, "the transaction reads its own write");
        assert_eq!(count(&db).await, 0, "others do not see it before the commit");
        tx.commit().await.unwrap();
        assert_eq!(count(&db).await, 1);
    }

    #[tokio::test]
    async fn a_transaction_dropped_without_commit_rolls_back() {
        let (_dir, db) = scratch().await;
        {
            let mut tx = db.begin_write().await.unwrap();
            query("INSERT INTO t (id) VALUES (1)").execute(&mut tx).await.unwrap();
        }
        assert_eq!(count(&db).await, 0);
        // The write lock went with it: the next transaction starts at once.
        let tx = db.begin_write().await.unwrap();
        assert_eq!(tx.dialect(), "sqlite");
    }

    /// A change of two rows whose second statement fails.
    async fn insert_both(db: &Db, second: &str) -> Result<(), ApiError> {
        let mut tx = db.begin_write().await?;
        query("INSERT INTO t (id, s) VALUES (10, 'first')").execute(&mut tx).await?;
        query("INSERT INTO t (id, s) VALUES (11, $1)")
            .bind(second)
            .execute(&mut tx)
            .await
            .on_unique("s", || "That name is taken.".into())?;
        tx.commit().await?;
        Ok(())
    }

    #[tokio::test]
    async fn an_error_returned_with_a_question_mark_undoes_the_whole_change() {
        let (_dir, db) = scratch().await;
        query("INSERT INTO t (id, s) VALUES (1, 'taken')").execute(&db).await.unwrap();
        assert!(insert_both(&db, "taken").await.is_err());
        assert_eq!(count(&db).await, 1, "the first row of the failed change is gone too");
        insert_both(&db, "free").await.unwrap();
        assert_eq!(count(&db).await, 3);
    }

    #[tokio::test]
    async fn a_unique_violation_becomes_a_409_naming_the_field() {
        let (_dir, db) = scratch().await;
        query("INSERT INTO t (id, s) VALUES (1, 'taken')").execute(&db).await.unwrap();
        let err = insert_both(&db, "taken").await.unwrap_err();
        let body = err.body();
        assert_eq!(body.code.http_status(), 409);
        assert_eq!(body.message, "That name is taken.");
        assert_eq!(body.fields.get("s").map(String::as_str), Some("That name is taken."));
        assert_eq!(body.fields.len(), 1);
    }

    #[tokio::test]
    async fn other_errors_pass_on_unique_unchanged() {
        let (_dir, db) = scratch().await;
        let err =
            query("INSERT INTO missing (id) VALUES (1)").execute(&db).await.on_unique("s", String::new).unwrap_err();
        assert!(matches!(err, ApiError::Database(_)), "{err:?}");
        assert_eq!(err.body().code.http_status(), 500);
        let ok: Result<u64, ApiError> =
            query("INSERT INTO t (id) VALUES (1)").execute(&db).await.on_unique("s", String::new);
        assert_eq!(ok.unwrap(), 1);
    }

    #[tokio::test]
    async fn a_unique_violation_no_field_was_named_for_is_a_409_not_a_500() {
        let (_dir, db) = scratch().await;
        query("INSERT INTO t (id, s) VALUES (1, 'taken')").execute(&db).await.unwrap();
        let err: ApiError = query("INSERT INTO t (id, s) VALUES (2, 'taken')").execute(&db).await.unwrap_err().into();
        let body = err.body();
        assert_eq!(body.code.http_status(), 409, "{body:?}");
        assert!(body.fields.is_empty());
    }

    #[tokio::test]
    async fn a_full_database_is_a_503_and_keeps_what_it_had() {
        let (_dir, db) = scratch().await;
        query("INSERT INTO t (id, s) VALUES (1, 'kept')").execute(&db).await.unwrap();
        let Db::Sqlite(reads, _) = &db else { unreachable!() };
        let pool = reads.pool();
        let mut conn = pool.acquire().await.unwrap();
        let pages: i64 = sqlx::query_scalar("PRAGMA page_count").fetch_one(&mut *conn).await.unwrap();
        sqlx::query(&format!("PRAGMA max_page_count = {pages}")).execute(&mut *conn).await.unwrap();
        let big = "x".repeat(100_000);
        let err = sqlx::query("INSERT INTO t (id, s) VALUES (2, $1)").bind(&big).execute(&mut *conn).await.unwrap_err();
        let body = ApiError::from(err).body();
        assert_eq!(body.code.http_status(), 503, "{body:?}");
        assert!(body.message.contains("disk is full"), "{body:?}");
        drop(conn);
        assert_eq!(count(&db).await, 1);
    }

    #[tokio::test]
    async fn writers_waiting_for_their_turn_leave_the_pool_to_reads() {
        let dir = tempfile::tempdir().unwrap();
        let options: sqlx::sqlite::SqliteConnectOptions =
            format!("sqlite://{}", dir.path().join("two.db").display()).parse().unwrap();
        let options = options.create_if_missing(true).busy_timeout(Duration::from_secs(10));
        // Two connections: the writer whose turn it is holds one, a read needs the other.
        let pool = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(2)
            .acquire_timeout(Duration::from_secs(2))
            .connect_with(options)
            .await
            .unwrap();
        let db = Db::sqlite(pool);
        query("CREATE TABLE t (id INTEGER PRIMARY KEY)").execute(&db).await.unwrap();

        let mut first = db.begin_write().await.unwrap();
        query("INSERT INTO t (id) VALUES (1)").execute(&mut first).await.unwrap();
        let waiting: Vec<_> = (2..6_i64)
            .map(|id| {
                let db = db.clone();
                tokio::spawn(async move {
                    let mut tx = db.begin_write().await?;
                    query("INSERT INTO t (id) VALUES ($1)").bind(id).execute(&mut tx).await?;
                    tx.commit().await
                })
            })
            .collect();
        // Let the four writers start waiting (had they taken connections, this read
        // would find none free and fail with PoolTimedOut).
        tokio::time::sleep(Duration::from_millis(300)).await;
        let seen: i64 = query("SELECT COUNT(*) FROM t").scalar(&db).await.expect("a read gets a connection");
        assert_eq!(seen, 0, "the first write is not committed yet");
        first.commit().await.unwrap();
        for writer in waiting {
            writer.await.unwrap().unwrap();
        }
        assert_eq!(query("SELECT COUNT(*) FROM t").scalar::<i64>(&db).await.unwrap(), 5);
    }

    #[test]
    fn statements_combine_into_one_text_up_to_the_values_a_statement_may_bind() {
        let update = |id: i64| query("UPDATE t SET i = $1 WHERE id = $2").bind(1_i64).bind(id);
        let statements = || vec![update(7), update(8), query("DELETE FROM t WHERE s = '$1'"), update(9)];
        let combined = combine(statements(), 4, false);
        let texts: Vec<&str> = combined.iter().map(|q| q.sql()).collect();
        assert_eq!(
            texts,
            [
                "WITH s0 AS (UPDATE t SET i = $1 WHERE id = $2), s1 AS (UPDATE t SET i = $3 WHERE id = $4), \
                 s2 AS (DELETE FROM t WHERE s = '$1') SELECT 1",
                "UPDATE t SET i = $1 WHERE id = $2",
            ]
        );
        assert_eq!(combined[0].args().len(), 4);
        assert_eq!(combined[0].args()[3], Arg::Int(Some(8)));
        assert_eq!(combined[1].args()[1], Arg::Int(Some(9)));
        assert!(combine(Vec::new(), 4, false).is_empty());
        let on_sqlite = combine(statements(), 4, true);
        assert_eq!(
            on_sqlite.iter().map(|q| q.sql()).collect::<Vec<_>>(),
            [
                "UPDATE t SET i = $1 WHERE id = $2; UPDATE t SET i = $3 WHERE id = $4; DELETE FROM t WHERE s = '$1'",
                "UPDATE t SET i = $1 WHERE id = $2",
            ]
        );
        assert_eq!(on_sqlite[0].args(), combined[0].args());
    }

    #[tokio::test]
    async fn statements_run_together_all_take_effect_in_the_transaction() {
        let (_dir, db) = scratch().await;
        let mut tx = db.begin_write().await.unwrap();
        let inserts =
            (1..=3_i64).map(|id| query("INSERT INTO t (id, s) VALUES ($1, $2)").bind(id).bind(format!("r{id}")));
        tx.execute_all(inserts.collect()).await.unwrap();
        tx.execute_all(vec![query("DELETE FROM t WHERE id = $1").bind(2_i64)]).await.unwrap();
        tx.commit().await.unwrap();
        let left: Vec<i64> = query("SELECT id FROM t ORDER BY id").scalars(&db).await.unwrap();
        assert_eq!(left, [1, 3]);
    }

    #[test]
    fn a_writer_that_waited_too_long_for_its_turn_is_told_the_server_is_busy() {
        let err = sqlx::Error::Database(Box::new(TurnTimedOut));
        assert_eq!(crate::error::DbFailure::of(&err), crate::error::DbFailure::Busy);
        assert_eq!(ApiError::from(err).body().code.http_status(), 503);
    }

    #[tokio::test]
    async fn fetch_one_on_no_row_is_row_not_found() {
        let (_dir, db) = scratch().await;
        let one = query("SELECT i, f, b, s, y FROM t WHERE id = $1").bind(1_i64).fetch_one::<Values>(&db).await;
        assert!(matches!(one, Err(sqlx::Error::RowNotFound)), "{one:?}");
        let scalar = query("SELECT s FROM t").scalar::<String>(&db).await;
        assert!(matches!(scalar, Err(sqlx::Error::RowNotFound)), "{scalar:?}");
        assert_eq!(query("SELECT s FROM t").optional_scalar::<String>(&db).await.unwrap(), None);
        assert_eq!(query("SELECT i, f, b, s, y FROM t").fetch_optional::<Values>(&db).await.unwrap(), None);
        assert!(query("SELECT s FROM t").scalars::<String>(&db).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_row_that_must_exist_but_does_not_is_a_server_error() {
        let (_dir, db) = scratch().await;
        let err: ApiError = query("SELECT s FROM t").scalar::<String>(&db).await.unwrap_err().into();
        assert_eq!(err.body().code.http_status(), 500);
    }
}
