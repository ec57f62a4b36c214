//! What a customer sees of items in the portal: the page of items they may see
//! (searched and counted within that set only), one item, its customer replies,
//! the projects they may submit tickets to, and the portal's default project.
//!
//! Which items are visible is decided by [`crate::db::access`] alone; this module
//! only shapes what is shown (the fields the portal shows, never internal notes,
//! never agents' emails).

use orgdesk_core::api::portal_items::{PortalItem, PortalMessage, PortalProject};
use orgdesk_core::api::tickets::{ItemStatus, ItemType, Priority};
use orgdesk_core::portal::{PortalFields, Viewer};
use orgdesk_core::tickets::ItemFilter;

use crate::db::access::push_visible_item_ids;
use crate::db::items::filter::push_item_where;
use crate::db::projects::CUSTOMER_NAME;
use crate::db::{decode_word, query, Db, Query};
use crate::time_fmt::rfc3339;

/// The setting naming the project portal tickets go to when the customer names none.
pub const DEFAULT_PROJECT: &str = "portal_default_project";
/// The project portal tickets go to when no default project is set (created on first use).
pub const CUSTOMER_REQUESTS: &str = "Customer requests";

/// In lists the description is cut to this many characters.
const LIST_DESCRIPTION_CHARS: i64 = 300;

#[derive(sqlx::FromRow)]
struct PortalItemRow {
    id: i64,
    title: String,
    description: String,
    item_type: String,
    status: String,
    priority: String,
    assignee_name: Option<String>,
    project_id: i64,
    project_name: String,
    requester_name: Option<String>,
    reply_count: i64,
    created_at: i64,
    updated_at: i64,
}

impl PortalItemRow {
    /// The item with the fields the portal hides left out.
    fn into_api(self, fields: &PortalFields) -> Result<PortalItem, sqlx::Error> {
        Ok(PortalItem {
            id: self.id,
            title: self.title,
            description: self.description,
            item_type: fields.item_type.then(|| decode_word::<ItemType>(&self.item_type)).transpose()?,
            status: fields.status.then(|| decode_word::<ItemStatus>(&self.status)).transpose()?,
            priority: fields.priority.then(|| decode_word::<Priority>(&self.priority)).transpose()?,
            assignee_name: self.assignee_name.filter(|_| fields.assignee),
            project_id: fields.project.then_some(self.project_id),
            project_name: fields.project.then_some(self.project_name),
            requester_name: self.requester_name,
            reply_count: self.reply_count,
            created_at: rfc3339(self.created_at),
            updated_at: rfc3339(self.updated_at),
        })
    }
}

fn select_items(description: &str) -> String {
    format!(
        "SELECT i.id, i.title, {description} AS description, i.item_type, i.status, i.priority, \
         a.name AS assignee_name, i.project_id, p.name AS project_name, {CUSTOMER_NAME} AS requester_name, \
         i.reply_count, i.created_at, i.updated_at \
         FROM items i JOIN projects p ON p.id = i.project_id LEFT JOIN agents a ON a.id = i.assignee_id \
         LEFT JOIN customers c ON c.id = i.requester_id"
    )
}

/// `FROM items i` restricted to what `viewer` sees, then the filter's conditions.
fn push_visible_matching(q: &mut Query, viewer: &Viewer, filter: &ItemFilter) {
    q.push(" FROM items i JOIN (");
    push_visible_item_ids(q, viewer);
    q.push(") v ON v.id = i.id");
    push_item_where(q, filter);
}

/// One page of the items `viewer` sees that match `filter` (search and statuses),
/// newest first, and how many match in all (counted within the same set).
pub async fn list(
    db: &Db,
    viewer: &Viewer,
    fields: &PortalFields,
    filter: &ItemFilter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<PortalItem>, i64), sqlx::Error> {
    let mut ids = query("SELECT i.id");
    push_visible_matching(&mut ids, viewer, filter);
    ids.push(" ORDER BY i.id DESC LIMIT ").push_bind(limit).push(" OFFSET ").push_bind(offset);
    let ids: Vec<i64> = ids.scalars(db).await?;
    let mut count = query("SELECT COUNT(*)");
    push_visible_matching(&mut count, viewer, filter);
    let total: i64 = count.scalar(db).await?;
    if ids.is_empty() {
        return Ok((Vec::new(), total));
    }
    let mut q = query(select_items(&format!("SUBSTR(i.description, 1, {LIST_DESCRIPTION_CHARS})")));
    q.push(" WHERE i.id IN (").push_list(&ids).push(") ORDER BY i.id DESC");
    let rows: Vec<PortalItemRow> = q.fetch_all(db).await?;
    let items = rows.into_iter().map(|r| r.into_api(fields)).collect::<Result<_, _>>()?;
    Ok((items, total))
}

/// One item as the portal shows it (call only once the viewer may see it).
pub async fn get(db: &Db, fields: &PortalFields, id: i64) -> Result<Option<PortalItem>, sqlx::Error> {
    let row: Option<PortalItemRow> =
        query(format!("{} WHERE i.id = $1", select_items("i.description"))).bind(id).fetch_optional(db).await?;
    row.map(|r| r.into_api(fields)).transpose()
}

#[derive(sqlx::FromRow)]
struct MessageRow {
    id: i64,
    agent_name: Option<String>,
    author_customer_id: Option<i64>,
    customer_name: Option<String>,
    body: String,
    created_at: i64,
}

/// The item's customer replies, oldest first: never internal notes, never emails.
pub async fn messages(db: &Db, viewer: &Viewer, item_id: i64) -> Result<Vec<PortalMessage>, sqlx::Error> {
    let rows: Vec<MessageRow> = query(format!(
        "SELECT m.id, a.name AS agent_name, m.author_customer_id, {CUSTOMER_NAME} AS customer_name, m.body, \
         m.created_at FROM messages m LEFT JOIN agents a ON a.id = m.author_agent_id \
         LEFT JOIN customers c ON c.id = m.author_customer_id \
         WHERE m.item_id = $1 AND m.kind = 'reply' ORDER BY m.created_at, m.id"
    ))
    .bind(item_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| PortalMessage {
            id: r.id,
            author_name: r.customer_name.or(r.agent_name).unwrap_or_else(|| "Support".into()),
            from_customer: r.author_customer_id.is_some(),
            mine: r.author_customer_id == Some(viewer.customer_id),
            body: r.body,
            created_at: rfc3339(r.created_at),
        })
        .collect())
}

/// Whether `viewer` may submit tickets to `project`: it is open, and they follow it
/// themselves or (email verified) their organization follows it, or one of their
/// usergroups grants it and allows creating tickets.
fn push_submittable_projects(q: &mut Query, viewer: &Viewer) {
    q.push(
        " FROM projects p WHERE NOT p.archived AND (EXISTS (SELECT 1 FROM project_followers pf \
         WHERE pf.project_id = p.id AND pf.customer_id = ",
    )
    .push_bind(viewer.customer_id)
    .push(")");
    if let Some(org) = viewer.organization_id.filter(|_| viewer.verified) {
        q.push(" OR EXISTS (SELECT 1 FROM project_followers pf WHERE pf.project_id = p.id AND pf.organization_id = ")
            .push_bind(org)
            .push(")");
    }
    q.push(
        " OR EXISTS (SELECT 1 FROM usergroup_projects up JOIN usergroups g ON g.id = up.usergroup_id \
         WHERE up.project_id = p.id AND g.may_create AND up.usergroup_id IN (",
    );
    crate::db::access::push_viewer_usergroups(q, viewer);
    q.push("))");
    q.push(")");
}

/// The projects `viewer` may submit tickets to, by name.
pub async fn projects(db: &Db, viewer: &Viewer) -> Result<Vec<PortalProject>, sqlx::Error> {
    let mut q = query("SELECT p.id, p.name");
    push_submittable_projects(&mut q, viewer);
    q.push(" ORDER BY p.name_key, p.id");
    let rows: Vec<(i64, String)> = q.fetch_all(db).await?;
    Ok(rows.into_iter().map(|(id, name)| PortalProject { id, name }).collect())
}

/// Whether `viewer` may submit tickets to project `project`.
pub async fn may_submit_to(db: &Db, viewer: &Viewer, project: i64) -> Result<bool, sqlx::Error> {
    let mut q = query("SELECT COUNT(*)");
    push_submittable_projects(&mut q, viewer);
    q.push(" AND p.id = ").push_bind(project);
    Ok(q.scalar::<i64>(db).await? > 0)
}

/// The project portal tickets without a project go to: the `portal_default_project`
/// setting when it names an open project, else "Customer requests", created on
/// first use (two first tickets at once create it once).
pub async fn default_project(db: &Db, now: i64) -> Result<i64, sqlx::Error> {
    if let Some(id) = crate::db::settings::get(db, DEFAULT_PROJECT).await?.and_then(|v| v.trim().parse::<i64>().ok()) {
        let open: Option<i64> =
            query("SELECT id FROM projects WHERE id = $1 AND NOT archived").bind(id).optional_scalar(db).await?;
        if let Some(id) = open {
            return Ok(id);
        }
    }
    let key = CUSTOMER_REQUESTS.to_lowercase();
    let mut tx = db.begin_write().await?;
    query(
        "INSERT INTO projects (name, name_key, description, archived, created_at) \
         VALUES ($1, $2, $3, FALSE, $4) ON CONFLICT (name_key) DO NOTHING",
    )
    .bind(CUSTOMER_REQUESTS)
    .bind(&key)
    .bind("Tickets customers submit in the portal without choosing a project.")
    .bind(now)
    .execute(&mut tx)
    .await?;
    let id: i64 = query("SELECT id FROM projects WHERE name_key = $1").bind(&key).scalar(&mut tx).await?;
    tx.commit().await?;
    Ok(id)
}
