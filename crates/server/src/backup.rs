//! `orgdesk backup FILE` and `orgdesk restore FILE` for the SQLite database.
//!
//! A backup is `VACUUM INTO`: a consistent, compact copy made inside one read
//! transaction, so it is safe while the server runs and writes. A restore
//! checks that the file is a sound Orgdesk database (`integrity_check`, and
//! migrations this build knows), then swaps it in: copied next to the database
//! first, the current database kept as `<name>.before-restore`, the copy renamed
//! into place. The server must be stopped for a restore; the restore refuses when
//! it finds the database in use. PostgreSQL has its own tools (`pg_dump`,
//! `pg_restore`), which the commands point to.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{ConnectOptions, Connection, SqliteConnection};

const POSTGRES_BACKUP: &str =
    "PostgreSQL databases are backed up with pg_dump: pg_dump --format=custom --file=FILE \"$DATABASE_URL\" (see README)";
const POSTGRES_RESTORE: &str =
    "PostgreSQL databases are restored with pg_restore: pg_restore --clean --dbname=\"$DATABASE_URL\" FILE (see README)";

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// The file of a `sqlite:` URL.
fn database_file(url: &str) -> Result<PathBuf, String> {
    let options =
        SqliteConnectOptions::from_str(url).map_err(|e| format!("DATABASE_URL is not a valid SQLite URL: {e}"))?;
    Ok(options.get_filename().to_path_buf())
}

async fn open(path: &Path, read_only: bool) -> Result<SqliteConnection, String> {
    SqliteConnectOptions::new()
        .filename(path)
        .read_only(read_only)
        .busy_timeout(Duration::from_secs(10))
        .connect()
        .await
        .map_err(|e| format!("cannot open {}: {e}", path.display()))
}

/// Copies the configured SQLite database to `file`; returns a line to print.
pub async fn backup(database_url: &str, file: &Path) -> Result<String, String> {
    if is_postgres(database_url) {
        return Err(POSTGRES_BACKUP.into());
    }
    let source = database_file(database_url)?;
    if !source.is_file() {
        return Err(format!("there is no database at {}", source.display()));
    }
    if file.exists() {
        return Err(format!("{} already exists; a backup never overwrites a file", file.display()));
    }
    let target = file.to_str().ok_or_else(|| format!("{} is not a UTF-8 path", file.display()))?;
    let mut conn = open(&source, false).await?;
    sqlx::query("VACUUM INTO $1")
        .bind(target)
        .execute(&mut conn)
        .await
        .map_err(|e| format!("backup to {} failed: {e}", file.display()))?;
    conn.close().await.map_err(|e| e.to_string())?;
    let bytes = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    Ok(format!("backed up {} to {} ({bytes} bytes)", source.display(), file.display()))
}

/// Checks that `file` is a sound Orgdesk database this build can open.
async fn check_backup(file: &Path) -> Result<(), String> {
    let not_orgdesk = |why: &str| format!("{} is not an Orgdesk SQLite database: {why}", file.display());
    let mut conn = open(file, true).await.map_err(|_| not_orgdesk("SQLite cannot open it"))?;
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
        .map_err(|e| not_orgdesk(&format!("the integrity check failed ({e})")))?;
    if integrity != "ok" {
        return Err(not_orgdesk(&format!("the integrity check found: {integrity}")));
    }
    let applied: Vec<(i64, Vec<u8>)> = sqlx::query_as("SELECT version, checksum FROM _sqlx_migrations WHERE success")
        .fetch_all(&mut conn)
        .await
        .map_err(|_| not_orgdesk("it has no migrations table"))?;
    let known = sqlx::migrate!("./migrations/sqlite");
    if applied.is_empty() {
        return Err(not_orgdesk("no migration was applied to it"));
    }
    for (version, checksum) in &applied {
        match known.iter().find(|m| m.version == *version) {
            Some(m) if m.checksum.as_ref() == checksum.as_slice() => {}
            Some(_) => return Err(not_orgdesk(&format!("its migration {version} differs from this version's"))),
            None => {
                return Err(format!(
                    "{} was made by a newer Orgdesk (migration {version}); restore it with that version",
                    file.display()
                ))
            }
        }
    }
    conn.close().await.map_err(|e| e.to_string())
}

/// Folds the database's write-ahead log into it and makes sure nothing else has it
/// open; the exclusive lock is held until the returned connection closes.
async fn take_over(path: &Path) -> Result<SqliteConnection, String> {
    let in_use = || format!("{} is in use: stop the Orgdesk server before restoring", path.display());
    let mut conn = SqliteConnectOptions::new()
        .filename(path)
        .busy_timeout(Duration::ZERO)
        .connect()
        .await
        .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&mut conn).await.map_err(|_| in_use())?;
    // Leaving WAL mode needs the only connection to the database: a running server
    // (or anything else holding it) makes this fail.
    let mode: String =
        sqlx::query_scalar("PRAGMA journal_mode = DELETE").fetch_one(&mut conn).await.map_err(|_| in_use())?;
    if !mode.eq_ignore_ascii_case("delete") {
        return Err(in_use());
    }
    Ok(conn)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Replaces the configured SQLite database with `file`; returns a line to print.
pub async fn restore(database_url: &str, file: &Path) -> Result<String, String> {
    if is_postgres(database_url) {
        return Err(POSTGRES_RESTORE.into());
    }
    if !file.is_file() {
        return Err(format!("there is no file {}", file.display()));
    }
    check_backup(file).await?;
    let target = database_file(database_url)?;
    let staged = with_suffix(&target, ".restoring");
    std::fs::copy(file, &staged).map_err(|e| format!("cannot copy {} to {}: {e}", file.display(), staged.display()))?;
    std::fs::File::open(&staged).and_then(|f| f.sync_all()).map_err(|e| format!("{}: {e}", staged.display()))?;
    let mut kept = None;
    if target.exists() {
        let conn = match take_over(&target).await {
            Ok(conn) => conn,
            Err(e) => {
                let _ = std::fs::remove_file(&staged);
                return Err(e);
            }
        };
        let previous = with_suffix(&target, ".before-restore");
        std::fs::rename(&target, &previous).map_err(|e| format!("cannot keep the current database: {e}"))?;
        conn.close().await.map_err(|e| e.to_string())?;
        for leftover in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(with_suffix(&target, leftover));
        }
        kept = Some(previous);
    }
    std::fs::rename(&staged, &target).map_err(|e| format!("cannot move the restored database into place: {e}"))?;
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
    }
    // Back to the journal mode the server uses, so the first start finds it as it left it.
    let mut conn = SqliteConnectOptions::new()
        .filename(&target)
        .journal_mode(SqliteJournalMode::Wal)
        .connect()
        .await
        .map_err(|e| format!("cannot open the restored {}: {e}", target.display()))?;
    sqlx::query("SELECT 1").execute(&mut conn).await.map_err(|e| e.to_string())?;
    conn.close().await.map_err(|e| e.to_string())?;
    Ok(match kept {
        Some(previous) => format!(
            "restored {} from {}; the previous database is {}",
            target.display(),
            file.display(),
            previous.display()
        ),
        None => format!("restored {} from {}", target.display(), file.display()),
    })
}
