//! Server-side sessions. The cookie holds a random token; the database holds
//! only its SHA-256, so a leaked database cannot be replayed as cookies.

use crate::db::agents::AgentRow;
use crate::db::{query, Db};

pub async fn insert(
    db: &Db,
    token_hash: &str,
    agent_id: i64,
    csrf_token: &str,
    now: i64,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    query(
        "INSERT INTO sessions (token_hash, agent_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(agent_id)
    .bind(csrf_token)
    .bind(now)
    .bind(expires_at)
    .execute(db)
    .await?;
    Ok(())
}

/// The data versions cached results are kept by (see `versioned_cache.rs`), read
/// with the session at the start of a request, so a cached read costs no extra
/// round trip to the database.
#[derive(Debug, Clone, Copy, Default, sqlx::FromRow)]
pub struct DataVersions {
    /// Bumped by every write that can change a customer search (migration 0005).
    pub customers: i64,
    /// Bumped by every write to items, projects and organizations (migration 0004).
    pub work: i64,
    /// Bumped by every write that can change which customers and organizations a search
    /// text matches, or their order: names, emails, new and deleted rows; not by moves (0022).
    pub texts: i64,
    /// Bumped by new and deleted items and changed titles only (migration 0024).
    pub titles: i64,
}

/// What an unexpired session of an active agent yields.
#[derive(sqlx::FromRow)]
pub struct Found {
    #[sqlx(flatten)]
    pub agent: AgentRow,
    pub csrf_token: String,
    #[sqlx(flatten)]
    pub versions: DataVersions,
}

/// The active agent and CSRF token of an unexpired session, and the data versions now.
pub async fn find(db: &Db, token_hash: &str, now: i64) -> Result<Option<Found>, sqlx::Error> {
    query(
        "SELECT a.id, a.email, a.name, a.role, a.active, a.created_at, a.must_change_password, s.csrf_token, \
         (SELECT version FROM customer_counts WHERE id = 1) AS customers, \
         (SELECT version FROM work_version WHERE id = 1) AS work, \
         (SELECT version FROM search_text_version WHERE id = 1) AS texts, \
         (SELECT titles FROM work_version WHERE id = 1) AS titles \
         FROM sessions s JOIN agents a ON a.id = s.agent_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND a.active = TRUE",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(db)
    .await
}

pub async fn delete(db: &Db, token_hash: &str) -> Result<(), sqlx::Error> {
    query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(db).await?;
    Ok(())
}

pub async fn delete_expired(db: &Db, now: i64) -> Result<u64, sqlx::Error> {
    query("DELETE FROM sessions WHERE expires_at <= $1").bind(now).execute(db).await
}
