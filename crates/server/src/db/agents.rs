//! Agent accounts.

use orgdesk_core::agent::Role;
use orgdesk_core::api::Agent;
use orgdesk_core::word::Word;

use crate::db::Db;
use crate::on_db;
use crate::time_fmt::rfc3339;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AgentRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub active: bool,
    pub created_at: i64,
}

impl AgentRow {
    pub fn role(&self) -> Role {
        Role::parse(&self.role).unwrap_or(Role::Agent)
    }

    pub fn into_api(self) -> Agent {
        Agent {
            role: self.role(),
            id: self.id,
            email: self.email,
            name: self.name,
            active: self.active,
            created_at: rfc3339(self.created_at),
        }
    }
}

const COLUMNS: &str = "id, email, name, role, active, created_at";

pub async fn count(db: &Db) -> Result<i64, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM agents").fetch_one(pool).await)
}

pub async fn list(db: &Db) -> Result<Vec<AgentRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM agents ORDER BY active DESC, name, id");
    on_db!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await)
}

pub async fn get(db: &Db, id: i64) -> Result<Option<AgentRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM agents WHERE id = $1");
    on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)
}

/// The agent with this (normalized) email and its password hash, for sign-in.
pub async fn find_for_login(db: &Db, email: &str) -> Result<Option<(AgentRow, String)>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        agent: AgentRow,
        password_hash: String,
    }
    let sql = format!("SELECT {COLUMNS}, password_hash FROM agents WHERE email = $1");
    let row: Option<Row> = on_db!(db, pool => sqlx::query_as(&sql).bind(email).fetch_optional(pool).await)?;
    Ok(row.map(|r| (r.agent, r.password_hash)))
}

pub async fn insert(
    db: &Db,
    email: &str,
    name: &str,
    role: Role,
    password_hash: &str,
    now: i64,
) -> Result<AgentRow, sqlx::Error> {
    let sql = format!(
        "INSERT INTO agents (email, name, role, password_hash, active, created_at) \
         VALUES ($1, $2, $3, $4, TRUE, $5) RETURNING {COLUMNS}"
    );
    on_db!(db, pool => sqlx::query_as(&sql)
        .bind(email)
        .bind(name)
        .bind(role.as_str())
        .bind(password_hash)
        .bind(now)
        .fetch_one(pool)
        .await)
}

/// Applies a partial update; deactivating an agent also ends their sessions,
/// in the same transaction. `None` when the agent does not exist.
pub async fn update(
    db: &Db,
    id: i64,
    name: Option<&str>,
    role: Option<Role>,
    active: Option<bool>,
) -> Result<Option<AgentRow>, sqlx::Error> {
    let sql = format!(
        "UPDATE agents SET name = COALESCE($2, name), role = COALESCE($3, role), active = COALESCE($4, active) \
         WHERE id = $1 RETURNING {COLUMNS}"
    );
    let role = role.map(Role::as_str);
    crate::in_write_tx!(db, tx => async {
        let row: Option<AgentRow> =
            sqlx::query_as(&sql).bind(id).bind(name).bind(role).bind(active).fetch_optional(&mut *tx).await?;
        if active == Some(false) {
            sqlx::query("DELETE FROM sessions WHERE agent_id = $1").bind(id).execute(&mut *tx).await?;
        }
        Ok::<_, sqlx::Error>(row)
    }.await)
}

/// How many active admins there are other than `except_id`.
pub async fn other_active_admins(db: &Db, except_id: i64) -> Result<i64, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM agents WHERE role = 'admin' AND active = TRUE AND id <> $1")
        .bind(except_id)
        .fetch_one(pool)
        .await)
}
