//! Password changes and reset links. A reset token is random; only its SHA-256 is
//! stored, it works once and until it expires. Every change of password ends
//! sessions in the same transaction, so a stolen session cannot outlive it.

use orgdesk_core::api::audit::{AuditAction, AuditTarget};
use serde_json::json;

use crate::db::audit::{self, Actor, AuditEntry};
use crate::db::outbox::{self, NewMail};
use crate::db::{query, Db};

/// Sets `agent_id`'s password hash, clears "must change password", and ends
/// every session of the agent but `keep_session` (the one that made the change);
/// records `entry` in the audit log in the same transaction.
pub async fn change(
    db: &Db,
    agent_id: i64,
    password_hash: &str,
    keep_session: &str,
    entry: &AuditEntry,
    now: i64,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    query("UPDATE agents SET password_hash = $2, must_change_password = FALSE WHERE id = $1")
        .bind(agent_id)
        .bind(password_hash)
        .execute(&mut tx)
        .await?;
    query("DELETE FROM sessions WHERE agent_id = $1 AND token_hash <> $2")
        .bind(agent_id)
        .bind(keep_session)
        .execute(&mut tx)
        .await?;
    audit::record(&mut tx, entry, now).await?;
    tx.commit().await
}

/// Ends every session of the agent and records `actor` signing out everywhere.
pub async fn end_all_sessions(db: &Db, agent_id: i64, actor: &Actor, now: i64) -> Result<u64, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let ended = query("DELETE FROM sessions WHERE agent_id = $1").bind(agent_id).execute(&mut tx).await?;
    let entry = actor.plain(AuditAction::SignOut, json!({ "everywhere": true, "sessions": ended }));
    audit::record(&mut tx, &entry, now).await?;
    tx.commit().await?;
    Ok(ended)
}

/// A reset link to queue: the token's hash, when it expires, and the email.
pub struct NewReset<'a> {
    pub agent_id: i64,
    pub token_hash: &'a str,
    pub expires_at: i64,
    pub mail: NewMail<'a>,
}

/// Stores a reset token, queues its email and records `entry` in the audit log, in
/// one transaction. Tokens of the agent that expired are swept on the way.
pub async fn create_reset(db: &Db, reset: &NewReset<'_>, entry: &AuditEntry, now: i64) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    query("DELETE FROM password_reset_tokens WHERE agent_id = $1 AND (expires_at <= $2 OR used_at IS NOT NULL)")
        .bind(reset.agent_id)
        .bind(now)
        .execute(&mut tx)
        .await?;
    query("INSERT INTO password_reset_tokens (token_hash, agent_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(reset.token_hash)
        .bind(reset.agent_id)
        .bind(now)
        .bind(reset.expires_at)
        .execute(&mut tx)
        .await?;
    outbox::queue(&mut tx, &reset.mail, now).await?;
    audit::record(&mut tx, entry, now).await?;
    tx.commit().await
}

/// Why a reset token cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetRefused {
    Unknown,
    Used,
    Expired,
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    agent_id: i64,
    email: String,
    expires_at: i64,
    used_at: Option<i64>,
    active: bool,
}

const TOKEN_SQL: &str = "SELECT t.agent_id, a.email, t.expires_at, t.used_at, a.active FROM password_reset_tokens t \
                         JOIN agents a ON a.id = t.agent_id WHERE t.token_hash = $1";

/// The agent a token resets (id and email), or why it cannot be used.
fn judge(token: Option<TokenRow>, now: i64) -> Result<(i64, String), ResetRefused> {
    match token {
        None => Err(ResetRefused::Unknown),
        Some(t) if !t.active => Err(ResetRefused::Unknown),
        Some(t) if t.used_at.is_some() => Err(ResetRefused::Used),
        Some(t) if t.expires_at <= now => Err(ResetRefused::Expired),
        Some(t) => Ok((t.agent_id, t.email)),
    }
}

/// Whether a reset token can be used now (read only: checked before the new
/// password is hashed, so an unknown token costs no hash).
pub async fn check_reset(db: &Db, token_hash: &str, now: i64) -> Result<Result<i64, ResetRefused>, sqlx::Error> {
    let token: Option<TokenRow> = query(TOKEN_SQL).bind(token_hash).fetch_optional(db).await?;
    Ok(judge(token, now).map(|(id, _)| id))
}

/// Uses a reset token: sets the password, clears "must change password", ends
/// every session of the agent and spends every other open token of the agent,
/// all at once, recording it in the audit log as done by the agent from `source`.
/// A token used concurrently is spent once: the second gets `Used`.
pub async fn reset(
    db: &Db,
    token_hash: &str,
    password_hash: &str,
    source: &str,
    now: i64,
) -> Result<Result<i64, ResetRefused>, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let token: Option<TokenRow> = query(TOKEN_SQL).bind(token_hash).fetch_optional(&mut tx).await?;
    let (agent_id, email) = match judge(token, now) {
        Ok(found) => found,
        Err(refused) => return Ok(Err(refused)),
    };
    let spent = query("UPDATE password_reset_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL")
        .bind(token_hash)
        .bind(now)
        .execute(&mut tx)
        .await?;
    if spent == 0 {
        return Ok(Err(ResetRefused::Used));
    }
    query("UPDATE password_reset_tokens SET used_at = $2 WHERE agent_id = $1 AND used_at IS NULL")
        .bind(agent_id)
        .bind(now)
        .execute(&mut tx)
        .await?;
    query("UPDATE agents SET password_hash = $2, must_change_password = FALSE WHERE id = $1")
        .bind(agent_id)
        .bind(password_hash)
        .execute(&mut tx)
        .await?;
    query("DELETE FROM sessions WHERE agent_id = $1").bind(agent_id).execute(&mut tx).await?;
    let actor = Actor { id: Some(agent_id), email: email.clone(), source: source.to_string() };
    let entry = actor.entry(AuditAction::PasswordReset, AuditTarget::Agent, Some(agent_id), email, json!({}));
    audit::record(&mut tx, &entry, now).await?;
    tx.commit().await?;
    Ok(Ok(agent_id))
}

/// The password hash of an agent, to check the current password on a change.
pub async fn hash_of(db: &Db, agent_id: i64) -> Result<Option<String>, sqlx::Error> {
    query("SELECT password_hash FROM agents WHERE id = $1").bind(agent_id).optional_scalar(db).await
}
