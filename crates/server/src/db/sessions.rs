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

/// The active agent and CSRF token of an unexpired session.
pub async fn find(db: &Db, token_hash: &str, now: i64) -> Result<Option<(AgentRow, String)>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        agent: AgentRow,
        csrf_token: String,
    }
    let row: Option<Row> = query(
        "SELECT a.id, a.email, a.name, a.role, a.active, a.created_at, a.must_change_password, s.csrf_token \
         FROM sessions s JOIN agents a ON a.id = s.agent_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND a.active = TRUE",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| (r.agent, r.csrf_token)))
}

pub async fn delete(db: &Db, token_hash: &str) -> Result<(), sqlx::Error> {
    query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(db).await?;
    Ok(())
}

pub async fn delete_expired(db: &Db, now: i64) -> Result<u64, sqlx::Error> {
    query("DELETE FROM sessions WHERE expires_at <= $1").bind(now).execute(db).await
}
