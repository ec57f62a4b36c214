//! Projects (archived, never deleted) and their followers.

use orgdesk_core::api::tickets::{Follower, FollowerKind, Project};
use orgdesk_core::word::Word;

use crate::db::{query, Db, OnUnique, Query};
use crate::error::ApiError;
use crate::time_fmt::rfc3339;

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

/// The list's statement: a page of projects by name, or (`count`) how many match.
/// `q` matches anywhere in the name, regardless of case.
fn list_query(archived: Archived, q: Option<&str>, page: Option<(i64, i64)>) -> Query {
    let mut sql = match page {
        Some(_) => query(SELECT),
        None => query("SELECT COUNT(*) FROM projects p"),
    };
    let mut conditions = Vec::new();
    match archived {
        Archived::No => conditions.push("p.archived = FALSE".to_string()),
        Archived::Yes => conditions.push("p.archived = TRUE".to_string()),
        Archived::All => {}
    }
    if let Some(q) = q {
        let pattern = sql.param(format!("%{}%", like_escape(&q.to_lowercase())));
        conditions.push(format!("p.name_key LIKE {pattern} ESCAPE '\\'"));
    }
    if !conditions.is_empty() {
        sql.push(" WHERE ").push(&conditions.join(" AND "));
    }
    if let Some((offset, limit)) = page {
        sql.push(" ORDER BY p.name_key, p.id LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
    }
    sql
}

/// Projects by name; `q` matches anywhere in the name, regardless of case.
pub async fn list(
    db: &Db,
    archived: Archived,
    q: Option<&str>,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Project>, i64), sqlx::Error> {
    let rows: Vec<ProjectRow> = list_query(archived, q, Some((offset, limit))).fetch_all(db).await?;
    let total: i64 = list_query(archived, q, None).scalar(db).await?;
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
    let row: Option<ProjectRow> = query(format!("{SELECT} WHERE p.id = $1")).bind(id).fetch_optional(db).await?;
    Ok(row.map(Project::from))
}

/// Whether the project exists, and if so whether it is archived.
pub async fn archived(db: &Db, id: i64) -> Result<Option<bool>, sqlx::Error> {
    query("SELECT archived FROM projects WHERE id = $1").bind(id).optional_scalar(db).await
}

fn taken_message(name: &str) -> String {
    format!("A project named {name} already exists.")
}

fn name_taken(name: &str) -> ApiError {
    ApiError::conflict_on("name", taken_message(name))
}

/// Creates a project; a 409 on `name` when the name is taken, regardless of case.
pub async fn create(db: &Db, name: &str, description: &str, now: i64) -> Result<i64, ApiError> {
    let key = name.to_lowercase();
    let mut tx = db.begin_write().await?;
    let taken: Option<i64> =
        query("SELECT id FROM projects WHERE name_key = $1").bind(&key).optional_scalar(&mut tx).await?;
    if taken.is_some() {
        return Err(name_taken(name));
    }
    let id: i64 = query(
        "INSERT INTO projects (name, name_key, description, archived, created_at) VALUES ($1, $2, $3, FALSE, $4) RETURNING id",
    )
    .bind(name)
    .bind(&key)
    .bind(description)
    .bind(now)
    .scalar(&mut tx)
    .await
    .on_unique("name", || taken_message(name))?;
    tx.commit().await?;
    Ok(id)
}

/// Applies a partial update; `Ok(false)` when the project does not exist.
pub async fn update(
    db: &Db,
    id: i64,
    name: Option<&str>,
    description: Option<&str>,
    archived: Option<bool>,
) -> Result<bool, ApiError> {
    let mut tx = db.begin_write().await?;
    let exists: Option<i64> = query("SELECT id FROM projects WHERE id = $1").bind(id).optional_scalar(&mut tx).await?;
    if exists.is_none() {
        return Ok(false);
    }
    if let Some(name) = name {
        let key = name.to_lowercase();
        let other: Option<i64> = query("SELECT id FROM projects WHERE name_key = $1 AND id <> $2")
            .bind(&key)
            .bind(id)
            .optional_scalar(&mut tx)
            .await?;
        if other.is_some() {
            return Err(name_taken(name));
        }
        query("UPDATE projects SET name = $1, name_key = $2 WHERE id = $3")
            .bind(name)
            .bind(&key)
            .bind(id)
            .execute(&mut tx)
            .await
            .on_unique("name", || taken_message(name))?;
    }
    if let Some(description) = description {
        query("UPDATE projects SET description = $1 WHERE id = $2").bind(description).bind(id).execute(&mut tx).await?;
    }
    if let Some(archived) = archived {
        query("UPDATE projects SET archived = $1 WHERE id = $2").bind(archived).bind(id).execute(&mut tx).await?;
    }
    tx.commit().await?;
    Ok(true)
}

#[derive(Debug, sqlx::FromRow)]
struct FollowerRow {
    kind: String,
    id: i64,
    name: String,
    email: Option<String>,
    member_count: Option<i64>,
}

impl TryFrom<FollowerRow> for Follower {
    type Error = sqlx::Error;

    fn try_from(r: FollowerRow) -> Result<Follower, sqlx::Error> {
        Ok(Follower {
            kind: FollowerKind::decode(&r.kind).map_err(|e| sqlx::Error::Decode(e.into()))?,
            id: r.id,
            name: r.name,
            email: r.email,
            member_count: r.member_count,
        })
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
           FROM project_followers f JOIN organizations o ON o.id = f.organization_id WHERE f.project_id = $1 AND o.deleted_at IS NULL \
           UNION ALL \
           SELECT 'customer', c.id, {CUSTOMER_NAME}, c.email, CAST(NULL AS BIGINT), 1, c.sort_name \
           FROM project_followers f JOIN customers c ON c.id = f.customer_id WHERE f.project_id = $1 \
         ) x ORDER BY rank, sort, id"
    );
    let rows: Vec<FollowerRow> = query(sql).bind(project_id).fetch_all(db).await?;
    rows.into_iter().map(Follower::try_from).collect()
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
    let mut tx = db.begin_write().await?;
    let project: Option<i64> =
        query("SELECT id FROM projects WHERE id = $1").bind(project_id).optional_scalar(&mut tx).await?;
    if project.is_none() {
        return Ok(None);
    }
    let (exists_sql, field, missing, already_sql, insert_sql) = match kind {
        FollowerKind::Customer => (
            "SELECT id FROM customers WHERE id = $1",
            "customer_id",
            "No such customer.",
            "SELECT customer_id FROM project_followers WHERE project_id = $1 AND customer_id = $2",
            "INSERT INTO project_followers (project_id, customer_id, created_at) VALUES ($1, $2, $3)",
        ),
        FollowerKind::Organization => (
            "SELECT id FROM organizations WHERE id = $1 AND deleted_at IS NULL",
            "organization_id",
            "No such organization.",
            "SELECT organization_id FROM project_followers WHERE project_id = $1 AND organization_id = $2",
            "INSERT INTO project_followers (project_id, organization_id, created_at) VALUES ($1, $2, $3)",
        ),
    };
    let found: Option<i64> = query(exists_sql).bind(id).optional_scalar(&mut tx).await?;
    if found.is_none() {
        return Err(ApiError::invalid(field, missing));
    }
    let already: Option<i64> = query(already_sql).bind(project_id).bind(id).optional_scalar(&mut tx).await?;
    if already.is_none() {
        query(insert_sql)
            .bind(project_id)
            .bind(id)
            .bind(now)
            .execute(&mut tx)
            .await
            .on_unique("body", || "This follower was just added by someone else. Reload to see it.".into())?;
    }
    tx.commit().await?;
    let all = followers(db, project_id).await?;
    Ok(all.into_iter().find(|f| f.kind == kind && f.id == id))
}

/// Removes a follower; false when it was not following.
pub async fn remove_follower(db: &Db, project_id: i64, kind: FollowerKind, id: i64) -> Result<bool, sqlx::Error> {
    let sql = match kind {
        FollowerKind::Customer => "DELETE FROM project_followers WHERE project_id = $1 AND customer_id = $2",
        FollowerKind::Organization => "DELETE FROM project_followers WHERE project_id = $1 AND organization_id = $2",
    };
    let n = query(sql).bind(project_id).bind(id).execute(db).await?;
    Ok(n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Arg;

    #[test]
    fn a_page_of_active_projects_binds_the_name_pattern_then_the_page() {
        let q = list_query(Archived::No, Some("50%"), Some((100, 25)));
        assert_eq!(
            q.sql(),
            format!(
                "{SELECT} WHERE p.archived = FALSE AND p.name_key LIKE $1 ESCAPE '\\' \
                 ORDER BY p.name_key, p.id LIMIT $2 OFFSET $3"
            )
        );
        assert_eq!(q.args(), [Arg::Text(Some("%50\\%%".into())), Arg::Int(Some(25)), Arg::Int(Some(100))]);
    }

    #[test]
    fn the_count_has_the_same_conditions_and_no_page() {
        let q = list_query(Archived::All, None, None);
        assert_eq!(q.sql(), "SELECT COUNT(*) FROM projects p");
        assert!(q.args().is_empty());
        let q = list_query(Archived::Yes, Some("x"), None);
        assert_eq!(
            q.sql(),
            "SELECT COUNT(*) FROM projects p WHERE p.archived = TRUE AND p.name_key LIKE $1 ESCAPE '\\'"
        );
    }

    #[test]
    fn like_patterns_escape_their_wildcards() {
        assert_eq!(like_escape("a%b_c\\d"), "a\\%b\\_c\\\\d");
    }
}
