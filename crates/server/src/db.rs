//! The database: SQLite (embedded default) or PostgreSQL, chosen by `DATABASE_URL`.
//!
//! All SQL lives under `db/`. Queries use `$1`-style placeholders, which both
//! drivers accept; where the dialects differ, the module says so. A statement is a
//! [`Query`] value run on `&Db` or inside a write transaction `&mut Tx`, each of
//! which dispatches to the driver in use (`query.rs`, `tx.rs`).

pub mod agents;
pub mod conversations;
pub mod customers;
pub mod items;
pub mod organizations;
pub mod outbox;
pub mod projects;
pub mod query;
pub mod sessions;
pub mod settings;
pub mod tx;

pub use query::{placeholders, prefix_range, query, Arg, Bind, Query};
pub use tx::{is_unique_violation, OnUnique, Row, Tx};

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

/// A connection pool to one of the supported databases.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the concrete pool of either driver.
#[macro_export]
macro_rules! on_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool) => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}

/// Starts a write transaction. On SQLite it is `BEGIN IMMEDIATE`, so concurrent
/// writers queue on the busy timeout instead of failing when they upgrade a read lock.
#[macro_export]
macro_rules! begin_write {
    (sqlite $pool:expr) => {
        $pool.begin_with("BEGIN IMMEDIATE").await
    };
    (postgres $pool:expr) => {
        $pool.begin().await
    };
}

/// Runs `$body` inside a write transaction on either driver; `$tx` is the
/// transaction. The body returns `Result<T, E>` (E from `sqlx::Error`); the
/// transaction commits on `Ok` and rolls back (on drop) on `Err`, so multi-row
/// changes are all or nothing.
#[macro_export]
macro_rules! in_write_tx {
    ($db:expr, $tx:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite(pool) => $crate::commit_if_ok!($crate::begin_write!(sqlite pool), $tx => $body),
            $crate::db::Db::Postgres(pool) => $crate::commit_if_ok!($crate::begin_write!(postgres pool), $tx => $body),
        }
    };
}

/// One arm of [`in_write_tx!`]: begin, run the body, commit only on `Ok`.
#[macro_export]
macro_rules! commit_if_ok {
    ($begin:expr, $tx:ident => $body:expr) => {{
        let mut $tx = $begin?;
        match $body {
            Ok(v) => {
                $tx.commit().await?;
                Ok(v)
            }
            Err(e) => Err(e),
        }
    }};
}

impl Db {
    /// Connects to `url`, creating the SQLite file (and its directory) when missing.
    pub async fn connect(url: &str) -> Result<Db, String> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await
                .map_err(|e| format!("cannot connect to PostgreSQL: {e}"))?;
            return Ok(Db::Postgres(pool));
        }
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| format!("DATABASE_URL is not a valid SQLite URL: {e}"))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("cache_size", "-32000");
        let path = options.get_filename().to_path_buf();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(|e| format!("cannot open SQLite database {}: {e}", path.display()))?;
        Ok(Db::Sqlite(pool))
    }

    /// Applies the dialect's migrations (idempotent; run at every start).
    pub async fn migrate(&self) -> Result<(), String> {
        let result = match self {
            Db::Sqlite(pool) => sqlx::migrate!("./migrations/sqlite").run(pool).await,
            Db::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await,
        };
        result.map_err(|e| format!("database migration failed: {e}"))
    }

    pub fn dialect(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(pool) => pool.close().await,
            Db::Postgres(pool) => pool.close().await,
        }
    }
}
