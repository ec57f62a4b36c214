//! Agent accounts.

use orgdesk_core::agent::Role;
use orgdesk_core::api::Agent;
use orgdesk_core::word::Word;

use orgdesk_core::api::audit::{AuditAction, AuditTarget};
use serde_json::json;

use crate::db::audit::{self, Actor};
use crate::db::tx::Exec;
use crate::db::{query, Db};
use crate::time_fmt::rfc3339;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AgentRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub active: bool,
    pub created_at: i64,
    pub must_change_password: bool,
}

impl AgentRow {
    pub fn role(&self) -> Role {
        self.role
    }

    pub fn into_api(self) -> Agent {
        Agent {
            role: self.role(),
            id: self.id,
            email: self.email,
            name: self.name,
            active: self.active,
            created_at: rfc3339(self.created_at),
            must_change_password: self.must_change_password,
        }
    }
}

const COLUMNS: &str = "id, email, name, role, active, created_at, must_change_password";

pub async fn count(db: &Db) -> Result<i64, sqlx::Error> {
    query("SELECT COUNT(*) FROM agents").scalar(db).await
}

pub async fn list(db: &Db) -> Result<Vec<AgentRow>, sqlx::Error> {
    query(format!("SELECT {COLUMNS} FROM agents ORDER BY active DESC, name, id")).fetch_all(db).await
}

pub async fn get(db: &Db, id: i64) -> Result<Option<AgentRow>, sqlx::Error> {
    query(format!("SELECT {COLUMNS} FROM agents WHERE id = $1")).bind(id).fetch_optional(db).await
}

/// The agent with this (normalized) email and its password hash, for sign-in.
pub async fn find_for_login(db: &Db, email: &str) -> Result<Option<(AgentRow, String)>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        agent: AgentRow,
        password_hash: String,
    }
    let row: Option<Row> = query(format!("SELECT {COLUMNS}, password_hash FROM agents WHERE email = $1"))
        .bind(email)
        .fetch_optional(db)
        .await?;
    Ok(row.map(|r| (r.agent, r.password_hash)))
}

pub async fn insert<'c>(
    on: impl Into<Exec<'c>>,
    email: &str,
    name: &str,
    role: Role,
    password_hash: &str,
    must_change_password: bool,
    now: i64,
) -> Result<AgentRow, sqlx::Error> {
    query(format!(
        "INSERT INTO agents (email, name, role, password_hash, active, created_at, must_change_password) \
         VALUES ($1, $2, $3, $4, TRUE, $5, $6) RETURNING {COLUMNS}"
    ))
    .bind(email)
    .bind(name)
    .bind(role.as_str())
    .bind(password_hash)
    .bind(now)
    .bind(must_change_password)
    .fetch_one(on)
    .await
}

/// Adds an agent and records it (`AgentCreated`, by `actor`) in the audit log, in one transaction.
pub async fn create(
    db: &Db,
    email: &str,
    name: &str,
    role: Role,
    password_hash: &str,
    actor: &Actor,
    now: i64,
) -> Result<AgentRow, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let row = insert(&mut tx, email, name, role, password_hash, false, now).await?;
    let detail = json!({ "name": row.name, "role": row.role.as_str() });
    audit::record(
        &mut tx,
        &actor.entry(AuditAction::AgentCreated, AuditTarget::Agent, Some(row.id), email, detail),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// Applies a partial update; deactivating an agent also ends their sessions,
/// in the same transaction, which also records a role change, a deactivation or a
/// reactivation in the audit log (by `actor`). `None` when the agent does not exist.
pub async fn update(
    db: &Db,
    id: i64,
    name: Option<&str>,
    role: Option<Role>,
    active: Option<bool>,
    actor: &Actor,
    now: i64,
) -> Result<Option<AgentRow>, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let before: Option<(String, String, bool)> =
        query("SELECT email, role, active FROM agents WHERE id = $1").bind(id).fetch_optional(&mut tx).await?;
    let Some((email, old_role, was_active)) = before else {
        return Ok(None);
    };
    let mut entries = Vec::new();
    if let Some(role) = role.filter(|r| r.as_str() != old_role) {
        let detail = json!({ "from": old_role, "to": role.as_str() });
        entries.push(actor.entry(AuditAction::RoleChanged, AuditTarget::Agent, Some(id), email.clone(), detail));
    }
    match active {
        Some(false) if was_active => entries.push(actor.entry(
            AuditAction::AgentDeactivated,
            AuditTarget::Agent,
            Some(id),
            email.clone(),
            json!({}),
        )),
        Some(true) if !was_active => entries.push(actor.entry(
            AuditAction::AgentActivated,
            AuditTarget::Agent,
            Some(id),
            email.clone(),
            json!({}),
        )),
        _ => {}
    }
    for entry in &entries {
        audit::record(&mut tx, entry, now).await?;
    }
    let row: Option<AgentRow> = query(format!(
        "UPDATE agents SET name = COALESCE($2, name), role = COALESCE($3, role), active = COALESCE($4, active) \
         WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(name)
    .bind(role.map(Role::as_str))
    .bind(active)
    .fetch_optional(&mut tx)
    .await?;
    if active == Some(false) {
        query("DELETE FROM sessions WHERE agent_id = $1").bind(id).execute(&mut tx).await?;
    }
    tx.commit().await?;
    Ok(row)
}

/// How many active admins there are other than `except_id`.
pub async fn other_active_admins(db: &Db, except_id: i64) -> Result<i64, sqlx::Error> {
    query("SELECT COUNT(*) FROM agents WHERE role = 'admin' AND active = TRUE AND id <> $1")
        .bind(except_id)
        .scalar(db)
        .await
}
