//! Projects (archived, never deleted) and their followers.

use orgdesk_core::api::work::{Follower, FollowerKind, Project};

use crate::db::Db;
use crate::error::ApiError;
use crate::time_fmt::rfc3339;
use crate::{in_write_tx, on_db};

#[derive(Debug, sqlx::FromRow)]
struct ProjectRow {
    id: i64,
    name: String,
    description: String,
    archived: bool,
    item_count: i64,
    open_item_count: i64,
    created_at: i64,
}

impl From<ProjectRow> for Project {
    fn from(r: ProjectRow) -> Self {
        Project {
            id: r.id,
            name: r.name,
            description: r.description,
            archived: r.archived,
            item_count: r.item_count,
            open_item_count: r.open_item_count,
            created_at: rfc3339(r.created_at),
        }
    }
}

/// Item counts come from the per-(project, status) counters.
const SELECT: &str = "SELECT p.id, p.name, p.description, p.archived, \
     CAST(COALESCE((SELECT SUM(c.n) FROM project_item_counts c WHERE c.project_id = p.id), 0) AS BIGINT) AS item_count, \
     CAST(COALESCE((SELECT SUM(c.n) FROM project_item_counts c WHERE c.project_id = p.id \
        AND c.status IN ('new', 'open', 'waiting')), 0) AS BIGINT) AS open_item_count, \
     p.created_at FROM projects p";

/// Which projects a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Archived {
    No,
    Yes,
    All,
}

/// Projects by name; `q` matches anywhere in the name, regardless of case.
pub async fn list(
    db: &Db,
    archived: Archived,
    q: Option<&str>,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Project>, i64), sqlx::Error> {
    let mut conditions = Vec::new();
    match archived {
        Archived::No => conditions.push("p.archived = FALSE"),
        Archived::Yes => conditions.push("p.archived = TRUE"),
        Archived::All => {}
    }
    let pattern = q.map(|q| format!("%{}%", like_escape(&q.to_lowercase())));
    if pattern.is_some() {
        conditions.push("p.name_key LIKE $3 ESCAPE '\\'");
    }
    let filter = if conditions.is_empty() { String::new() } else { format!(" WHERE {}", conditions.join(" AND ")) };
    let sql = format!("{SELECT}{filter} ORDER BY p.name_key, p.id LIMIT $1 OFFSET $2");
    let count_sql = format!("SELECT COUNT(*) FROM projects p{}", filter.replace("$3", "$1"));
    let rows: Vec<ProjectRow> = on_db!(db, pool => {
        let mut query = sqlx::query_as(&sql).bind(limit).bind(offset);
        if let Some(p) = &pattern {
            query = query.bind(p);
        }
        query.fetch_all(pool).await
    })?;
    let total: i64 = on_db!(db, pool => {
        let mut query = sqlx::query_scalar(&count_sql);
        if let Some(p) = &pattern {
            query = query.bind(p);
        }
        query.fetch_one(pool).await
    })?;
    Ok((rows.into_iter().map(Project::from).collect(), total))
}

/// Escapes `%`, `_` and `\` for a `LIKE ... ESCAPE '\'` pattern.
pub fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Project>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE p.id = $1");
    let row: Option<ProjectRow> = on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)?;
    Ok(row.map(Project::from))
}

/// Whether the project exists, and if so whether it is archived.
pub async fn archived(db: &Db, id: i64) -> Result<Option<bool>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar("SELECT archived FROM projects WHERE id = $1").bind(id).fetch_optional(pool).await)
}

pub fn name_taken(name: &str) -> ApiError {
    ApiError::conflict_on("name", format!("A project named {name} already exists."))
}

fn unique_to_conflict(e: ApiError, name: &str) -> ApiError {
    match &e {
        ApiError::Database(err) if crate::db::is_unique_violation(err) => name_taken(name),
        _ => e,
    }
}

pub async fn create(db: &Db, name: &str, description: &str, now: i64) -> Result<i64, ApiError> {
    let key = name.to_lowercase();
    let result: Result<i64, ApiError> = in_write_tx!(db, tx => async {
        let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM projects WHERE name_key = $1").bind(&key).fetch_optional(&mut *tx).await?;
        if taken.is_some() {
            return Err(name_taken(name));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO projects (name, name_key, description, archived, created_at) VALUES ($1, $2, $3, FALSE, $4) RETURNING id")
            .bind(name).bind(&key).bind(description).bind(now).fetch_one(&mut *tx).await?;
        Ok::<i64, ApiError>(id)
    }.await);
    result.map_err(|e| unique_to_conflict(e, name))
}

/// Applies a partial update; `Ok(false)` when the project does not exist.
pub async fn update(
    db: &Db,
    id: i64,
    name: Option<&str>,
    description: Option<&str>,
    archived: Option<bool>,
) -> Result<bool, ApiError> {
    let shown = name.unwrap_or_default().to_string();
    let result: Result<bool, ApiError> = in_write_tx!(db, tx => async {
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM projects WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
        if exists.is_none() {
            return Ok(false);
        }
        if let Some(name) = name {
            let key = name.to_lowercase();
            let other: Option<i64> = sqlx::query_scalar("SELECT id FROM projects WHERE name_key = $1 AND id <> $2")
                .bind(&key).bind(id).fetch_optional(&mut *tx).await?;
            if other.is_some() {
                return Err(name_taken(name));
            }
            sqlx::query("UPDATE projects SET name = $1, name_key = $2 WHERE id = $3").bind(name).bind(&key).bind(id).execute(&mut *tx).await?;
        }
        if let Some(description) = description {
            sqlx::query("UPDATE projects SET description = $1 WHERE id = $2").bind(description).bind(id).execute(&mut *tx).await?;
        }
        if let Some(archived) = archived {
            sqlx::query("UPDATE projects SET archived = $1 WHERE id = $2").bind(archived).bind(id).execute(&mut *tx).await?;
        }
        Ok::<bool, ApiError>(true)
    }.await);
    result.map_err(|e| unique_to_conflict(e, &shown))
}

#[derive(Debug, sqlx::FromRow)]
struct FollowerRow {
    kind: String,
    id: i64,
    name: String,
    email: Option<String>,
    member_count: Option<i64>,
}

impl From<FollowerRow> for Follower {
    fn from(r: FollowerRow) -> Self {
        Follower {
            kind: if r.kind == "organization" { FollowerKind::Organization } else { FollowerKind::Customer },
            id: r.id,
            name: r.name,
            email: r.email,
            member_count: r.member_count,
        }
    }
}

/// A customer's display name: "first last", or the email when there is none.
pub const CUSTOMER_NAME: &str =
    "CASE WHEN TRIM(c.first_name || ' ' || c.last_name) = '' THEN c.email ELSE TRIM(c.first_name || ' ' || c.last_name) END";

/// Organizations first (by name), then customers (by name).
pub async fn followers(db: &Db, project_id: i64) -> Result<Vec<Follower>, sqlx::Error> {
    let sql = format!(
        "SELECT kind, id, name, email, member_count FROM ( \
           SELECT 'organization' AS kind, o.id, o.name, CAST(NULL AS TEXT) AS email, \
             (SELECT COUNT(*) FROM memberships m WHERE m.organization_id = o.id) AS member_count, 0 AS rank, o.name_key AS sort \
           FROM project_followers f JOIN organizations o ON o.id = f.organization_id WHERE f.project_id = $1 \
           UNION ALL \
           SELECT 'customer', c.id, {CUSTOMER_NAME}, c.email, CAST(NULL AS BIGINT), 1, c.sort_name \
           FROM project_followers f JOIN customers c ON c.id = f.customer_id WHERE f.project_id = $1 \
         ) x ORDER BY rank, sort, id"
    );
    let rows: Vec<FollowerRow> = on_db!(db, pool => sqlx::query_as(&sql).bind(project_id).fetch_all(pool).await)?;
    Ok(rows.into_iter().map(Follower::from).collect())
}

/// Adds a follower (nothing changes when it already follows). `Ok(None)` when the
/// project does not exist; a 422 naming the field when the customer or organization does not.
pub async fn add_follower(
    db: &Db,
    project_id: i64,
    kind: FollowerKind,
    id: i64,
    now: i64,
) -> Result<Option<Follower>, ApiError> {
    let added: Result<bool, ApiError> = in_write_tx!(db, tx => async {
        let project: Option<i64> = sqlx::query_scalar("SELECT id FROM projects WHERE id = $1").bind(project_id).fetch_optional(&mut *tx).await?;
        if project.is_none() {
            return Ok(false);
        }
        match kind {
            FollowerKind::Customer => {
                let found: Option<i64> = sqlx::query_scalar("SELECT id FROM customers WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
                if found.is_none() {
                    return Err(ApiError::invalid("customer_id", "No such customer."));
                }
                let already: Option<i64> = sqlx::query_scalar("SELECT customer_id FROM project_followers WHERE project_id = $1 AND customer_id = $2")
                    .bind(project_id).bind(id).fetch_optional(&mut *tx).await?;
                if already.is_none() {
                    sqlx::query("INSERT INTO project_followers (project_id, customer_id, created_at) VALUES ($1, $2, $3)")
                        .bind(project_id).bind(id).bind(now).execute(&mut *tx).await?;
                }
            }
            FollowerKind::Organization => {
                let found: Option<i64> = sqlx::query_scalar("SELECT id FROM organizations WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
                if found.is_none() {
                    return Err(ApiError::invalid("organization_id", "No such organization."));
                }
                let already: Option<i64> = sqlx::query_scalar("SELECT organization_id FROM project_followers WHERE project_id = $1 AND organization_id = $2")
                    .bind(project_id).bind(id).fetch_optional(&mut *tx).await?;
                if already.is_none() {
                    sqlx::query("INSERT INTO project_followers (project_id, organization_id, created_at) VALUES ($1, $2, $3)")
                        .bind(project_id).bind(id).bind(now).execute(&mut *tx).await?;
                }
            }
        }
        Ok::<bool, ApiError>(true)
    }.await);
    let added = added.map_err(|e| match &e {
        ApiError::Database(err) if crate::db::is_unique_violation(err) => {
            ApiError::conflict_on("body", "This follower was just added by someone else. Reload to see it.")
        }
        _ => e,
    })?;
    if !added {
        return Ok(None);
    }
    let all = followers(db, project_id).await?;
    Ok(all.into_iter().find(|f| f.kind == kind && f.id == id))
}

/// Removes a follower; false when it was not following.
pub async fn remove_follower(db: &Db, project_id: i64, kind: FollowerKind, id: i64) -> Result<bool, sqlx::Error> {
    let sql = match kind {
        FollowerKind::Customer => "DELETE FROM project_followers WHERE project_id = $1 AND customer_id = $2",
        FollowerKind::Organization => "DELETE FROM project_followers WHERE project_id = $1 AND organization_id = $2",
    };
    let n =
        on_db!(db, pool => sqlx::query(sql).bind(project_id).bind(id).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}
