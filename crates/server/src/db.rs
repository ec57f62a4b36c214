//! The database: SQLite (embedded default) or PostgreSQL, chosen by `DATABASE_URL`.
//!
//! All SQL lives under `db/`. Queries use `$1`-style placeholders, which both
//! drivers accept; where the dialects differ, the module says so. A statement is a
//! [`Query`] value run on `&Db` or inside a write transaction `&mut Tx`, each of
//! which dispatches to the driver in use (`query.rs`, `tx.rs`).

pub mod access;
pub mod agents;
pub mod audit;
pub mod conversations;
pub mod customers;
pub mod imports;
pub mod items;
pub mod member_stamps;
pub mod organizations;
pub mod outbox;
pub mod passwords;
pub mod portal_accounts;
pub mod portal_items;
pub mod portal_policy;
pub mod projects;
pub mod query;
pub mod reads;
pub mod routing;
pub mod search;
pub mod search_stats;
pub mod sessions;
pub mod settings;
pub mod sharing;
mod sqlite_fold;
pub mod tx;
pub mod usergroups;

pub use query::{placeholders, prefix_range, query, Arg, Bind, Query};
pub use tx::{is_unique_violation, OnUnique, Row, Tx};

use orgdesk_core::word::Word;

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::Connection;

/// A connection pool to one of the supported databases, with this process's queue
/// of writers (see [`Db::begin_write`]).
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(reads::Reads<sqlx::Sqlite>, tx::Writers),
    Postgres(reads::Reads<sqlx::Postgres>, tx::Writers),
}

impl Db {
    pub fn sqlite(pool: SqlitePool) -> Db {
        Db::Sqlite(reads::Reads::new(pool, None), tx::Writers::default())
    }

    pub fn postgres(pool: PgPool) -> Db {
        Db::Postgres(reads::Reads::new(pool, Some(STALE_AFTER)), tx::Writers::default())
    }

    /// Connects to `url`, creating the SQLite file (and its directory) when missing.
    pub async fn connect(url: &str) -> Result<Db, String> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            // One plain connection first: its error says why (refused, bad password, no such
            // database), where the pool would only report that it timed out.
            let options = PgConnectOptions::from_str(url)
                .map_err(|e| format!("DATABASE_URL is not valid: {e}"))?
                // JIT compiling pays off for long analytic queries; for these short indexed
                // ones it only adds time (a list page at offset 5,000: 95-160 ms with it, 54 ms without).
                .options([("jit", "off")]);
            let probe = tokio::time::timeout(Duration::from_secs(10), PgConnection::connect_with(&options))
                .await
                .map_err(|_| "cannot connect to PostgreSQL: no answer within 10 s".to_string())?
                .map_err(|e| format!("cannot connect to PostgreSQL: {e}"))?;
            let _ = probe.close().await;
            let pool = PgPoolOptions::new()
                .max_connections(postgres_connections())
                // sqlx checks a connection with a round trip each time it hands one out. Only
                // a connection idle for a while can have gone stale (the server restarted, the
                // network cut it), so only those are checked (statements outside
                // transactions run on `reads::Reads`, which does the same).
                .test_before_acquire(false)
                .before_acquire(|conn, meta| {
                    Box::pin(async move {
                        if meta.idle_for >= STALE_AFTER {
                            conn.ping().await?;
                        }
                        Ok(true)
                    })
                })
                // While the database is down a request waits this long, then gets a 503.
                .acquire_timeout(Duration::from_secs(5))
                .connect_with(options)
                .await
                .map_err(|e| format!("cannot connect to PostgreSQL: {e}"))?;
            return Ok(Db::postgres(pool));
        }
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| format!("DATABASE_URL is not a valid SQLite URL: {e}"))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // 8 MB of page cache per connection (8 connections: 64 MB). With 32 MB each the
            // server's resident memory reached 558 MiB at 1M items under 32 clients (issue
            // #17's budget is 300 MB); pages beyond it come from the kernel's file cache.
            .pragma("cache_size", "-8000")
            // No connection checkpoints when it commits: the checkpointer below does, off the
            // writers' path (see `checkpoints`).
            .pragma("wal_autocheckpoint", "0");
        let path = options.get_filename().to_path_buf();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        let cannot_open = |e: sqlx::Error| format!("cannot open SQLite database {}: {e}", path.display());
        let pool = sqlite_pool(8).connect_with(options.clone()).await.map_err(cannot_open)?;
        // The one connection that writes: its page cache stays warm (see `Writers::sqlite`),
        // so it gets 32 MB of it.
        let writer =
            sqlite_pool(1).connect_with(options.clone().pragma("cache_size", "-32000")).await.map_err(cannot_open)?;
        let checkpointer = sqlite_pool(1).connect_with(options).await.map_err(cannot_open)?;
        let writers = tx::Writers::sqlite(writer, checkpointer.clone());
        tokio::spawn(checkpoints(checkpointer, writers.watch()));
        Ok(Db::Sqlite(reads::Reads::new(pool, None), writers))
    }

    /// Connects like [`Db::connect`], retrying PostgreSQL for up to `wait` while it
    /// cannot be reached (a server still starting, a network not yet up): one line on
    /// stderr per failed attempt, then the last error. A SQLite file is tried once.
    pub async fn connect_patiently(url: &str, wait: Duration) -> Result<Db, String> {
        let wait = if url.starts_with("postgres") { wait } else { Duration::ZERO };
        let deadline = tokio::time::Instant::now() + wait;
        let mut delay = Duration::from_millis(500);
        loop {
            match Db::connect(url).await {
                Ok(db) => return Ok(db),
                Err(e) => {
                    let left = deadline.saturating_duration_since(tokio::time::Instant::now());
                    if left.is_zero() {
                        return Err(e);
                    }
                    let pause = delay.min(left);
                    eprintln!("orgdesk: {e}; retrying in {:.1} s", pause.as_secs_f64());
                    tokio::time::sleep(pause).await;
                    delay = (delay * 2).min(Duration::from_secs(5));
                }
            }
        }
    }

    /// Applies the dialect's migrations (idempotent; run at every start).
    pub async fn migrate(&self) -> Result<(), String> {
        let result = match self {
            Db::Sqlite(reads, _) => sqlx::migrate!("./migrations/sqlite").run(reads.pool()).await,
            Db::Postgres(reads, _) => sqlx::migrate!("./migrations/postgres").run(reads.pool()).await,
        };
        result.map_err(|e| format!("database migration failed: {e}"))
    }

    pub fn dialect(&self) -> &'static str {
        match self {
            Db::Sqlite(..) => "sqlite",
            Db::Postgres(..) => "postgres",
        }
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(reads, writers) => {
                writers.close().await;
                reads.close().await
            }
            Db::Postgres(reads, _) => reads.close().await,
        }
    }
}

/// How long a PostgreSQL connection may sit in the pool before it is checked with a round
/// trip when taken.
const STALE_AFTER: Duration = Duration::from_secs(1);

/// PostgreSQL connections in the pool: twice the cores (PostgreSQL's wiki's rule of
/// thumb, cores × 2 plus the disks), 4 to 16. More connections than that only make the
/// backends fight for the cores: on 2 cores, 32 clients searching got 999 searches/s
/// at p99 69 ms with 16 connections, 1,101/s at p99 56 ms with 6 and 1,522/s at p99
/// 38 ms with 4. A request that finds none free waits up to 5 s (then 503).
fn postgres_connections() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as u32;
    (cores * 2).clamp(4, 16)
}

/// A stored value that does not decode: bad data, reported as a decode error
/// where it is read (never replaced by a default).
pub fn decode_err(e: impl std::error::Error + Send + Sync + 'static) -> sqlx::Error {
    sqlx::Error::Decode(Box::new(e))
}

/// A stored enum word (see core's [`Word`]); unknown text is a decode error.
pub fn decode_word<W: Word>(word: &str) -> Result<W, sqlx::Error> {
    W::decode(word).map_err(decode_err)
}

/// Options for a pool of at most `connections` SQLite connections, each with Orgdesk's
/// SQL functions.
fn sqlite_pool(connections: u32) -> SqlitePoolOptions {
    SqlitePoolOptions::new()
        .max_connections(connections)
        .acquire_timeout(Duration::from_secs(10))
        // A connection to a file in this process cannot go stale; sqlx's check when it hands
        // one out is a command sent to the connection's thread and its answer back.
        .test_before_acquire(false)
        .after_connect(|conn, _| {
            Box::pin(async move {
                let mut handle = conn.lock_handle().await?;
                sqlite_fold::register(handle.as_raw_handle()).map_err(|rc| {
                    sqlx::Error::Protocol(format!("cannot add the orgdesk_fold function (SQLite error {rc})"))
                })
            })
        })
}

/// How often the checkpointer copies the SQLite write-ahead log into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(200);

/// Copies the committed pages of SQLite's write-ahead log into the database file every
/// [`CHECKPOINT_EVERY`] (a passive checkpoint: it waits for no reader and no writer), on
/// a connection of its own (`pool`, of one), until the `Db` it serves is closed or
/// dropped. With SQLite's default the transaction whose commit took the log past 1,000
/// pages did it, with its fsyncs, while every other writer waited: under 32 clients
/// moving customers at 1M items a move writes about 40 pages, so every 25th move or so
/// paid for a checkpoint, and the writers' threads spent about as many page writes and
/// reads on checkpoints as on the moves.
async fn checkpoints(pool: SqlitePool, db: std::sync::Weak<tokio::sync::Semaphore>) {
    let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if db.strong_count() == 0 {
            break;
        }
        match sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&pool).await {
            Ok(_) => {}
            // `Db::close` closed it.
            Err(sqlx::Error::PoolClosed) => break,
            Err(e) => tracing::warn!(error = %e, "checkpoint of the SQLite write-ahead log failed"),
        }
    }
    pool.close().await;
}

#[cfg(test)]
mod tests {
    use orgdesk_core::api::organization::MemberRole;
    use orgdesk_core::contact::ContactKind;

    use super::decode_word;

    #[test]
    fn a_stored_word_decodes_to_its_enum_and_refuses_others() {
        assert_eq!(decode_word::<ContactKind>("email").unwrap(), ContactKind::Email);
        assert_eq!(decode_word::<MemberRole>("manager").unwrap(), MemberRole::Manager);
        assert!(matches!(decode_word::<ContactKind>("fax machine"), Err(sqlx::Error::Decode(_))));
        assert!(matches!(decode_word::<MemberRole>("Manager"), Err(sqlx::Error::Decode(_))));
    }
}
