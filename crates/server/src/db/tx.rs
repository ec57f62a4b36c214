//! Running a [`Query`] on either database, on the pool or inside a transaction.
//!
//! A [`Query`] runs on `&Db` (a pooled connection) or `&mut Tx` (a write
//! transaction), each dispatching to SQLite or PostgreSQL, so code above them is
//! written once:
//!
//! ```ignore
//! let mut tx = db.begin_write().await?;
//! query("UPDATE organizations SET name = $1 WHERE id = $2").bind(name).bind(id).execute(&mut tx).await?;
//! history::record(&mut tx, &entry).await?;
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

use sqlx::postgres::{PgConnection, PgPool, PgRow, Postgres};
use sqlx::sqlite::{Sqlite, SqliteConnection, SqlitePool, SqliteRow};
use sqlx::{Arguments, Database, Encode, Transaction, Type};

use super::query::{Arg, Query};
use super::Db;
use crate::error::ApiError;

/// A row type both drivers decode.
pub trait Row: for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin {}

impl<T> Row for T where T: for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin {}

/// An open write transaction on either database.
#[derive(Debug)]
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Where one statement runs: a pooled connection (`&Db`) or a transaction (`&mut Tx`).
pub enum Exec<'c> {
    SqlitePool(&'c SqlitePool),
    PgPool(&'c PgPool),
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
            Db::Sqlite(pool) => Exec::SqlitePool(pool),
            Db::Postgres(pool) => Exec::PgPool(pool),
        }
    }
}

impl<'c> From<&'c mut Tx> for Exec<'c> {
    fn from(tx: &'c mut Tx) -> Exec<'c> {
        match tx {
            Tx::Sqlite(tx) => Exec::Sqlite(tx),
            Tx::Postgres(tx) => Exec::Postgres(tx),
        }
    }
}

/// Running a statement, as sqlx does: `.execute(db)` on a pooled connection or
/// `.execute(&mut *tx)` inside a transaction. Scalars are one-column rows.
impl Query {
    /// Runs the statement; returns the number of rows it changed.
    pub async fn execute<'c>(self, on: impl Into<Exec<'c>>) -> Result<u64, sqlx::Error> {
        let (sql, args) = (self.sql(), self.args());
        Ok(match on.into() {
            Exec::SqlitePool(p) => sqlx::query_with(sql, arguments::<Sqlite>(args)?).execute(p).await?.rows_affected(),
            Exec::PgPool(p) => sqlx::query_with(sql, arguments::<Postgres>(args)?).execute(p).await?.rows_affected(),
            Exec::Sqlite(c) => sqlx::query_with(sql, arguments::<Sqlite>(args)?).execute(c).await?.rows_affected(),
            Exec::Postgres(c) => sqlx::query_with(sql, arguments::<Postgres>(args)?).execute(c).await?.rows_affected(),
        })
    }

    pub async fn fetch_all<'c, T: Row>(self, on: impl Into<Exec<'c>>) -> Result<Vec<T>, sqlx::Error> {
        let (sql, args) = (self.sql(), self.args());
        match on.into() {
            Exec::SqlitePool(p) => sqlx::query_as_with(sql, arguments::<Sqlite>(args)?).fetch_all(p).await,
            Exec::PgPool(p) => sqlx::query_as_with(sql, arguments::<Postgres>(args)?).fetch_all(p).await,
            Exec::Sqlite(c) => sqlx::query_as_with(sql, arguments::<Sqlite>(args)?).fetch_all(c).await,
            Exec::Postgres(c) => sqlx::query_as_with(sql, arguments::<Postgres>(args)?).fetch_all(c).await,
        }
    }

    pub async fn fetch_optional<'c, T: Row>(self, on: impl Into<Exec<'c>>) -> Result<Option<T>, sqlx::Error> {
        let (sql, args) = (self.sql(), self.args());
        match on.into() {
            Exec::SqlitePool(p) => sqlx::query_as_with(sql, arguments::<Sqlite>(args)?).fetch_optional(p).await,
            Exec::PgPool(p) => sqlx::query_as_with(sql, arguments::<Postgres>(args)?).fetch_optional(p).await,
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

impl Tx {
    /// Makes every statement of the transaction permanent.
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await,
            Tx::Postgres(tx) => tx.commit().await,
        }
    }

    pub fn dialect(&self) -> &'static str {
        match self {
            Tx::Sqlite(_) => "sqlite",
            Tx::Postgres(_) => "postgres",
        }
    }
}

impl Db {
    /// Starts a write transaction. On SQLite it is `BEGIN IMMEDIATE`, so concurrent
    /// writers queue on the busy timeout instead of failing when they upgrade a read lock.
    pub async fn begin_write(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Db::Sqlite(pool) => Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }
}

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
