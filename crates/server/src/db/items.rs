//! Items (tickets and tasks): the Tickets app's filtered, grouped and paged lists,
//! creation with the requester's organization stamped on, edits, followers, the
//! item conversation (replies queue outbox rows, notes never do) and the move preview.
//!
//! Lists are newest first by id. Totals and groups use the per-(organization, status)
//! and per-(project, status) counters (migration 0004) when the filter allows, so they
//! do not count a million rows; other filters count through the items' indexes.

use orgdesk_core::api::work::{
    CustomerRef, GroupBy, Item, ItemGroup, ItemStatus, ItemType, Message, MessageKind, MovePreview, Priority,
};
use orgdesk_core::work::{is_open, ItemSearch};

use crate::db::outbox::INSERT as OUTBOX_INSERT;
use crate::db::projects::{like_escape, CUSTOMER_NAME};
use crate::db::{placeholders, Db};
use crate::error::ApiError;
use crate::time_fmt::rfc3339;
use crate::{in_write_tx, on_db};

/// The statuses of open items, as SQL.
pub const OPEN_STATUSES: &str = "('new', 'open', 'waiting')";

/// What the Tickets app filters on; empty lists and `None` mean "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemFilter {
    pub project_id: Option<i64>,
    pub statuses: Vec<ItemStatus>,
    pub priorities: Vec<Priority>,
    /// `Some(None)`: unassigned items.
    pub assignee: Option<Option<i64>>,
    pub requester_id: Option<i64>,
    /// `Some(None)`: items without an organization.
    pub organization: Option<Option<i64>>,
    pub search: Option<ItemSearch>,
    pub item_type: Option<ItemType>,
    /// With `organization: Some(Some(id))`: the items of its descendants too.
    pub include_children: bool,
}

impl ItemFilter {
    /// True when only statuses, the organization and the project are filtered on.
    fn is_countable(&self) -> bool {
        self.priorities.is_empty()
            && self.assignee.is_none()
            && self.requester_id.is_none()
            && self.search.is_none()
            && self.item_type.is_none()
    }
}

/// A bind parameter of a dynamically built query.
#[derive(Debug, Clone)]
enum Arg {
    Int(i64),
    Text(String),
}

/// Binds `args` in order onto a query of either driver.
macro_rules! bind_all {
    ($query:expr, $args:expr) => {{
        let mut q = $query;
        for arg in $args {
            q = match arg {
                Arg::Int(v) => q.bind(*v),
                Arg::Text(s) => q.bind(s.clone()),
            };
        }
        q
    }};
}

/// Collects conditions and their parameters, numbering placeholders from 1.
#[derive(Default)]
struct Sql {
    conditions: Vec<String>,
    args: Vec<Arg>,
}

impl Sql {
    fn arg(&mut self, arg: Arg) -> String {
        self.args.push(arg);
        format!("${}", self.args.len())
    }

    fn list(&mut self, words: impl Iterator<Item = &'static str>) -> String {
        words.map(|w| self.arg(Arg::Text(w.into()))).collect::<Vec<_>>().join(", ")
    }

    fn next(&self) -> usize {
        self.args.len() + 1
    }

    fn filter(&self) -> String {
        if self.conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.conditions.join(" AND "))
        }
    }
}

fn item_conditions(f: &ItemFilter) -> Sql {
    let mut sql = Sql::default();
    if let Some(p) = f.project_id {
        let a = sql.arg(Arg::Int(p));
        sql.conditions.push(format!("i.project_id = {a}"));
    }
    if !f.statuses.is_empty() {
        let l = sql.list(f.statuses.iter().map(|s| s.as_str()));
        sql.conditions.push(format!("i.status IN ({l})"));
    }
    if !f.priorities.is_empty() {
        let l = sql.list(f.priorities.iter().map(|p| p.as_str()));
        sql.conditions.push(format!("i.priority IN ({l})"));
    }
    match f.assignee {
        Some(Some(a)) => {
            let a = sql.arg(Arg::Int(a));
            sql.conditions.push(format!("i.assignee_id = {a}"));
        }
        Some(None) => sql.conditions.push("i.assignee_id IS NULL".into()),
        None => {}
    }
    if let Some(r) = f.requester_id {
        let a = sql.arg(Arg::Int(r));
        sql.conditions.push(format!("i.requester_id = {a}"));
    }
    match f.organization {
        Some(Some(o)) if f.include_children => {
            let tree = org_tree(&mut sql, o);
            sql.conditions.push(format!("i.organization_id IN {tree}"));
        }
        Some(Some(o)) => {
            let a = sql.arg(Arg::Int(o));
            sql.conditions.push(format!("i.organization_id = {a}"));
        }
        Some(None) => sql.conditions.push("i.organization_id IS NULL".into()),
        None => {}
    }
    match &f.search {
        Some(ItemSearch::Id(id)) => {
            let a = sql.arg(Arg::Int(*id));
            sql.conditions.push(format!("i.id = {a}"));
        }
        Some(ItemSearch::Title(text)) => {
            let a = sql.arg(Arg::Text(format!("%{}%", like_escape(&text.to_lowercase()))));
            sql.conditions.push(format!("LOWER(i.title) LIKE {a} ESCAPE '\\'"));
        }
        None => {}
    }
    if let Some(t) = f.item_type {
        let a = sql.arg(Arg::Text(t.as_str().into()));
        sql.conditions.push(format!("i.item_type = {a}"));
    }
    sql
}

/// A subquery of organization `org` and all its descendants (one recursive query,
/// at most `MAX_DEPTH` levels down), for `... IN (subquery)`.
fn org_tree(sql: &mut Sql, org: i64) -> String {
    let a = sql.arg(Arg::Int(org));
    let d = sql.arg(Arg::Int(orgdesk_core::hierarchy::MAX_DEPTH as i64));
    format!(
        "(WITH RECURSIVE down(id, depth) AS (SELECT id, CAST(0 AS BIGINT) FROM organizations WHERE id = {a} \
         UNION ALL SELECT o.id, down.depth + 1 FROM down JOIN organizations o ON o.parent_id = down.id \
         WHERE down.depth < {d}) SELECT id FROM down)"
    )
}

/// Conditions on a counter table (`c`) for a countable filter; `None` when the
/// filter needs the items themselves. `by` is the counter's key column.
fn counter_conditions(f: &ItemFilter, table: Counter) -> Option<Sql> {
    if !f.is_countable() {
        return None;
    }
    let mut sql = Sql::default();
    match table {
        Counter::Org => {
            if f.project_id.is_some() {
                return None;
            }
            match f.organization {
                Some(Some(org)) if f.include_children => {
                    let tree = org_tree(&mut sql, org);
                    sql.conditions.push(format!("c.organization_id IN {tree}"));
                }
                Some(org) => {
                    let a = sql.arg(Arg::Int(org.unwrap_or(0)));
                    sql.conditions.push(format!("c.organization_id = {a}"));
                }
                None => {}
            }
        }
        Counter::Project => {
            if f.organization.is_some() {
                return None;
            }
            if let Some(p) = f.project_id {
                let a = sql.arg(Arg::Int(p));
                sql.conditions.push(format!("c.project_id = {a}"));
            }
        }
    }
    if !f.statuses.is_empty() {
        let l = sql.list(f.statuses.iter().map(|s| s.as_str()));
        sql.conditions.push(format!("c.status IN ({l})"));
    }
    Some(sql)
}

#[derive(Debug, Clone, Copy)]
enum Counter {
    Org,
    Project,
}

impl Counter {
    fn table(self) -> &'static str {
        match self {
            Counter::Org => "org_item_counts",
            Counter::Project => "project_item_counts",
        }
    }

    fn key(self) -> &'static str {
        match self {
            Counter::Org => "organization_id",
            Counter::Project => "project_id",
        }
    }
}

#[derive(Debug, sqlx::FromRow)]
struct ItemRow {
    id: i64,
    project_id: i64,
    project_name: String,
    item_type: String,
    title: String,
    description: String,
    status: String,
    priority: String,
    assignee_id: Option<i64>,
    assignee_name: Option<String>,
    requester_id: Option<i64>,
    requester_name: Option<String>,
    requester_email: Option<String>,
    organization_id: Option<i64>,
    organization_name: Option<String>,
    reply_count: i64,
    created_at: i64,
    updated_at: i64,
}

impl ItemRow {
    fn into_api(self, followers: Vec<CustomerRef>) -> Item {
        let requester = match (self.requester_id, self.requester_email) {
            (Some(id), Some(email)) => {
                Some(CustomerRef { id, name: self.requester_name.unwrap_or_else(|| email.clone()), email })
            }
            _ => None,
        };
        Item {
            id: self.id,
            project_id: self.project_id,
            project_name: self.project_name,
            item_type: ItemType::parse(&self.item_type).unwrap_or(ItemType::Ticket),
            title: self.title,
            description: self.description,
            status: ItemStatus::parse(&self.status).unwrap_or(ItemStatus::New),
            priority: Priority::parse(&self.priority).unwrap_or(Priority::Normal),
            assignee_id: self.assignee_id,
            assignee_name: self.assignee_name,
            requester,
            organization_id: self.organization_id,
            organization_name: self.organization_name,
            followers,
            reply_count: self.reply_count,
            created_at: rfc3339(self.created_at),
            updated_at: rfc3339(self.updated_at),
        }
    }
}

/// In lists the description is cut to this many characters.
const LIST_DESCRIPTION_CHARS: i64 = 300;

fn select_items(description: &str) -> String {
    format!(
        "SELECT i.id, i.project_id, p.name AS project_name, i.item_type, i.title, {description} AS description, \
         i.status, i.priority, i.assignee_id, a.name AS assignee_name, i.requester_id, \
         {name} AS requester_name, c.email AS requester_email, i.organization_id, o.name AS organization_name, \
         i.reply_count, i.created_at, i.updated_at \
         FROM items i JOIN projects p ON p.id = i.project_id LEFT JOIN agents a ON a.id = i.assignee_id \
         LEFT JOIN customers c ON c.id = i.requester_id LEFT JOIN organizations o ON o.id = i.organization_id",
        name = CUSTOMER_NAME
    )
}

/// One page of items, newest first, and how many match in all.
pub async fn list(db: &Db, filter: &ItemFilter, offset: i64, limit: i64) -> Result<(Vec<Item>, i64), sqlx::Error> {
    let conditions = item_conditions(filter);
    let page_sql = format!(
        "SELECT i.id FROM items i{} ORDER BY i.id DESC LIMIT ${} OFFSET ${}",
        conditions.filter(),
        conditions.next(),
        conditions.next() + 1
    );
    let ids: Vec<i64> = on_db!(db, pool => {
        bind_all!(sqlx::query_scalar(&page_sql), &conditions.args).bind(limit).bind(offset).fetch_all(pool).await
    })?;
    let total = count(db, filter, &conditions).await?;
    if ids.is_empty() {
        return Ok((Vec::new(), total));
    }
    let sql = format!(
        "{} WHERE i.id IN ({}) ORDER BY i.id DESC",
        select_items(&format!("SUBSTR(i.description, 1, {LIST_DESCRIPTION_CHARS})")),
        placeholders(1, ids.len())
    );
    let rows: Vec<ItemRow> = on_db!(db, pool => {
        let mut query = sqlx::query_as(&sql);
        for id in &ids {
            query = query.bind(id);
        }
        query.fetch_all(pool).await
    })?;
    Ok((rows.into_iter().map(|r| r.into_api(Vec::new())).collect(), total))
}

async fn count(db: &Db, filter: &ItemFilter, conditions: &Sql) -> Result<i64, sqlx::Error> {
    // The project counters are the smaller table: use them unless an organization is filtered on.
    let counter = if filter.organization.is_some() { Counter::Org } else { Counter::Project };
    let (sql, args) = match counter_conditions(filter, counter) {
        Some(c) => {
            (format!("SELECT CAST(COALESCE(SUM(c.n), 0) AS BIGINT) FROM {} c{}", counter.table(), c.filter()), c.args)
        }
        None => (format!("SELECT COUNT(*) FROM items i{}", conditions.filter()), conditions.args.clone()),
    };
    on_db!(db, pool => bind_all!(sqlx::query_scalar(&sql), &args).fetch_one(pool).await)
}

/// The version of everything groups are computed from (bumped by every write to
/// items, projects and organizations; see migration 0004).
pub async fn work_version(db: &Db) -> Result<i64, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar("SELECT version FROM work_version WHERE id = 1").fetch_one(pool).await)
}

/// Every group of matching items, by label ("none" last; statuses in workflow order).
/// Counts come from the counters when the filter allows, else from the items.
pub async fn all_groups(db: &Db, by: GroupBy, filter: &ItemFilter) -> Result<Vec<ItemGroup>, sqlx::Error> {
    if by == GroupBy::Status {
        return status_groups(db, filter).await;
    }
    let (counter, label_table) = match by {
        GroupBy::Organization => (Counter::Org, "organizations"),
        _ => (Counter::Project, "projects"),
    };
    let (grouped, args) = match counter_conditions(filter, counter) {
        Some(c) => (
            format!(
                "SELECT c.{key} AS k, SUM(c.n) AS n FROM {table} c{filter} GROUP BY c.{key} HAVING SUM(c.n) > 0",
                key = counter.key(),
                table = counter.table(),
                filter = c.filter()
            ),
            c.args,
        ),
        None => {
            let c = item_conditions(filter);
            let key = match by {
                GroupBy::Organization => "COALESCE(i.organization_id, 0)",
                _ => "i.project_id",
            };
            (format!("SELECT {key} AS k, COUNT(*) AS n FROM items i{} GROUP BY {key}", c.filter()), c.args)
        }
    };
    let sql = format!(
        "WITH g AS ({grouped}) SELECT g.k, l.name AS label, CAST(g.n AS BIGINT) AS n \
         FROM g LEFT JOIN {label_table} l ON l.id = g.k \
         ORDER BY CASE WHEN l.id IS NULL THEN 1 ELSE 0 END, l.name_key, g.k"
    );
    let rows: Vec<(i64, Option<String>, i64)> =
        on_db!(db, pool => bind_all!(sqlx::query_as(&sql), &args).fetch_all(pool).await)?;
    Ok(rows
        .into_iter()
        .map(|(k, label, n)| match label {
            Some(label) => ItemGroup { key: k.to_string(), label, count: n },
            None if k == 0 && by == GroupBy::Organization => {
                ItemGroup { key: "none".into(), label: "No organization".into(), count: n }
            }
            None => ItemGroup { key: k.to_string(), label: format!("#{k}"), count: n },
        })
        .collect())
}

/// One page of groups with totals over all of them.
pub struct Groups {
    pub groups: Vec<ItemGroup>,
    pub total_groups: i64,
    pub total_items: i64,
}

/// Cuts a page out of all groups.
pub fn page(all: &[ItemGroup], offset: i64, limit: i64) -> Groups {
    Groups {
        groups: all.iter().skip(offset.max(0) as usize).take(limit.max(0) as usize).cloned().collect(),
        total_groups: all.len() as i64,
        total_items: all.iter().map(|g| g.count).sum(),
    }
}

/// Status groups in workflow order (new, open, waiting, resolved, closed).
async fn status_groups(db: &Db, filter: &ItemFilter) -> Result<Vec<ItemGroup>, sqlx::Error> {
    let counter = if filter.organization.is_some() { Counter::Org } else { Counter::Project };
    let (sql, args) = match counter_conditions(filter, counter) {
        Some(c) => (
            format!(
                "SELECT c.status, CAST(SUM(c.n) AS BIGINT) FROM {} c{} GROUP BY c.status",
                counter.table(),
                c.filter()
            ),
            c.args,
        ),
        None => {
            let c = item_conditions(filter);
            (format!("SELECT i.status, COUNT(*) FROM items i{} GROUP BY i.status", c.filter()), c.args)
        }
    };
    let counts: Vec<(String, i64)> = on_db!(db, pool => bind_all!(sqlx::query_as(&sql), &args).fetch_all(pool).await)?;
    Ok(ItemStatus::ALL
        .into_iter()
        .filter_map(|s| {
            let n: i64 = counts.iter().filter(|(w, _)| w == s.as_str()).map(|(_, n)| n).sum();
            (n > 0).then(|| ItemGroup { key: s.as_str().into(), label: s.label().into(), count: n })
        })
        .collect())
}

/// An item with its followers; `None` when there is no such item.
pub async fn get(db: &Db, id: i64) -> Result<Option<Item>, sqlx::Error> {
    let sql = format!("{} WHERE i.id = $1", select_items("i.description"));
    let row: Option<ItemRow> = on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)?;
    let Some(row) = row else { return Ok(None) };
    let followers = followers(db, id).await?;
    Ok(Some(row.into_api(followers)))
}

/// The customers besides the requester who receive replies, by name.
pub async fn followers(db: &Db, item_id: i64) -> Result<Vec<CustomerRef>, sqlx::Error> {
    let sql = format!(
        "SELECT c.id, {CUSTOMER_NAME} AS name, c.email FROM item_followers f JOIN customers c ON c.id = f.customer_id \
         WHERE f.item_id = $1 ORDER BY c.sort_name, c.id"
    );
    let rows: Vec<(i64, String, String)> =
        on_db!(db, pool => sqlx::query_as(&sql).bind(item_id).fetch_all(pool).await)?;
    Ok(rows.into_iter().map(|(id, name, email)| CustomerRef { id, name, email }).collect())
}

/// A validated new item.
#[derive(Debug, Clone)]
pub struct NewItem {
    pub project_id: i64,
    pub item_type: ItemType,
    pub title: String,
    pub description: String,
    pub status: ItemStatus,
    pub priority: Priority,
    pub assignee_id: Option<i64>,
    pub requester_id: Option<i64>,
}

/// Checks, in the caller's transaction `$tx`, that the agent exists and is active
/// (else a 422 on `$field`). Expands to `Result<(), ApiError>`.
macro_rules! check_assignee {
    ($tx:ident, $agent:expr, $field:expr) => {
        async {
            let row: Option<(String, bool)> = sqlx::query_as("SELECT name, active FROM agents WHERE id = $1")
                .bind($agent)
                .fetch_optional(&mut *$tx)
                .await?;
            match row {
                None => Err(ApiError::invalid($field, "No such agent.")),
                Some((name, false)) => {
                    Err(ApiError::invalid($field, format!("{name} is deactivated: choose an active agent.")))
                }
                Some(_) => Ok::<(), ApiError>(()),
            }
        }
    };
}

/// The customer's current organization, in `$tx`; a 422 on `$field` when there is no
/// such customer. Expands to `Result<Option<i64>, ApiError>`.
macro_rules! requester_org {
    ($tx:ident, $customer:expr, $field:expr) => {
        async {
            let row: Option<(i64, Option<i64>)> = sqlx::query_as(
                "SELECT c.id, m.organization_id FROM customers c LEFT JOIN memberships m ON m.customer_id = c.id \
                 WHERE c.id = $1",
            )
            .bind($customer)
            .fetch_optional(&mut *$tx)
            .await?;
            match row {
                None => Err(ApiError::invalid($field, "No such customer.")),
                Some((_, org)) => Ok::<Option<i64>, ApiError>(org),
            }
        }
    };
}

/// Checks, in `$tx`, that the project exists and is not archived (a 422 on `project_id`).
macro_rules! check_project_open {
    ($tx:ident, $project:expr) => {
        async {
            let archived: Option<bool> = sqlx::query_scalar("SELECT archived FROM projects WHERE id = $1")
                .bind($project)
                .fetch_optional(&mut *$tx)
                .await?;
            match archived {
                None => Err(ApiError::invalid("project_id", "No such project.")),
                Some(true) => Err(ApiError::invalid(
                    "project_id",
                    "This project is archived: restore it before adding or moving items into it.",
                )),
                Some(false) => Ok::<(), ApiError>(()),
            }
        }
    };
}

/// Creates an item; its organization is the requester's at this moment.
pub async fn create(db: &Db, new: &NewItem, now: i64) -> Result<i64, ApiError> {
    in_write_tx!(db, tx => async {
        check_project_open!(tx, new.project_id).await?;
        if let Some(agent) = new.assignee_id {
            check_assignee!(tx, agent, "assignee_id").await?;
        }
        let organization = match new.requester_id {
            Some(customer) => requester_org!(tx, customer, "requester_id").await?,
            None => None,
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO items (project_id, item_type, title, description, status, priority, assignee_id, requester_id, \
             organization_id, reply_count, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $10) \
             RETURNING id")
            .bind(new.project_id)
            .bind(new.item_type.as_str())
            .bind(&new.title)
            .bind(&new.description)
            .bind(new.status.as_str())
            .bind(new.priority.as_str())
            .bind(new.assignee_id)
            .bind(new.requester_id)
            .bind(organization)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
        Ok::<i64, ApiError>(id)
    }.await)
}

/// A validated partial update; `Some(None)` clears the assignee or requester.
#[derive(Debug, Clone, Default)]
pub struct ItemChanges {
    pub title: Option<String>,
    pub description: Option<String>,
    pub status: Option<ItemStatus>,
    pub priority: Option<Priority>,
    pub project_id: Option<i64>,
    pub item_type: Option<ItemType>,
    pub assignee_id: Option<Option<i64>>,
    pub requester_id: Option<Option<i64>>,
}

/// What an email carries besides its text.
pub struct Mail {
    /// Appended to every email about an item (a sign-off and where to answer).
    pub footer: String,
}

#[derive(sqlx::FromRow)]
struct CurrentItem {
    item_type: String,
    requester_id: Option<i64>,
    organization_id: Option<i64>,
    reply_count: i64,
    title: String,
}

/// Applies a partial update in one transaction; `Ok(false)` when there is no such item.
/// A new requester takes the item to their current organization and, when the item
/// already has customer replies, receives one email with the conversation so far.
pub async fn update(db: &Db, id: i64, changes: &ItemChanges, mail: &Mail, now: i64) -> Result<bool, ApiError> {
    in_write_tx!(db, tx => async {
        let current: Option<CurrentItem> = sqlx::query_as(
            "SELECT item_type, requester_id, organization_id, reply_count, title FROM items WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(CurrentItem { item_type, requester_id: requester, organization_id: organization, reply_count, title }) =
            current
        else {
            return Ok(false);
        };
        let item_type = changes.item_type.unwrap_or(ItemType::parse(&item_type).unwrap_or(ItemType::Ticket));
        let new_requester = changes.requester_id.unwrap_or(requester);
        // Checked when the type or the requester changes (a ticket whose requester was
        // deleted stays editable).
        if changes.item_type.is_some() || changes.requester_id.is_some() {
            if let Err(message) = orgdesk_core::work::check_requester(item_type, new_requester) {
                return Err(ApiError::invalid("requester_id", message));
            }
        }
        if let Some(project) = changes.project_id {
            check_project_open!(tx, project).await?;
        }
        if let Some(Some(agent)) = changes.assignee_id {
            check_assignee!(tx, agent, "assignee_id").await?;
        }
        let mut new_org = organization;
        let requester_changed = new_requester != requester;
        if requester_changed {
            new_org = match new_requester {
                Some(customer) => requester_org!(tx, customer, "requester_id").await?,
                None => None,
            };
        }
        let title = changes.title.clone().unwrap_or(title);
        sqlx::query(
            "UPDATE items SET title = $2, description = COALESCE($3, description), status = COALESCE($4, status), \
             priority = COALESCE($5, priority), project_id = COALESCE($6, project_id), item_type = $7, \
             assignee_id = CASE WHEN $8 THEN $9 ELSE assignee_id END, requester_id = $10, organization_id = $11, \
             updated_at = $12 WHERE id = $1")
            .bind(id)
            .bind(&title)
            .bind(changes.description.as_deref())
            .bind(changes.status.map(ItemStatus::as_str))
            .bind(changes.priority.map(Priority::as_str))
            .bind(changes.project_id)
            .bind(item_type.as_str())
            .bind(changes.assignee_id.is_some())
            .bind(changes.assignee_id.flatten())
            .bind(new_requester)
            .bind(new_org)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        if let (true, Some(customer), true) = (requester_changed, new_requester, reply_count > 0) {
            let replies: Vec<(String, String, i64)> = sqlx::query_as(
                "SELECT COALESCE(a.name, 'Support'), m.body, m.created_at FROM messages m \
                 LEFT JOIN agents a ON a.id = m.author_agent_id WHERE m.item_id = $1 AND m.kind = 'reply' ORDER BY m.id")
                .bind(id).fetch_all(&mut *tx).await?;
            let email: String = sqlx::query_scalar("SELECT email FROM customers WHERE id = $1")
                .bind(customer).fetch_one(&mut *tx).await?;
            let mut body = format!("You are now the requester of #{id} {title}. The conversation so far:\n");
            for (author, text, at) in &replies {
                body.push_str(&format!("\n--- {author}, {} ---\n{text}\n", rfc3339(*at)));
            }
            body.push_str(&mail.footer);
            sqlx::query(OUTBOX_INSERT)
                .bind("item_history")
                .bind(&email)
                .bind(format!("[#{id}] {title}"))
                .bind(&body)
                .bind(customer)
                .bind(id)
                .bind(None::<i64>)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        Ok::<bool, ApiError>(true)
    }.await)
}

#[derive(Debug, sqlx::FromRow)]
struct MessageRow {
    id: i64,
    kind: String,
    author_agent_id: Option<i64>,
    author_name: Option<String>,
    body: String,
    recipients: String,
    created_at: i64,
}

impl From<MessageRow> for Message {
    fn from(r: MessageRow) -> Self {
        Message {
            id: r.id,
            kind: if r.kind == "note" { MessageKind::Note } else { MessageKind::Reply },
            author_agent_id: r.author_agent_id,
            author_name: r.author_name.unwrap_or_else(|| "Orgdesk".into()),
            body: r.body,
            recipients: r.recipients.lines().filter(|l| !l.is_empty()).map(String::from).collect(),
            created_at: rfc3339(r.created_at),
        }
    }
}

const SELECT_MESSAGES: &str = "SELECT m.id, m.kind, m.author_agent_id, a.name AS author_name, m.body, m.recipients, \
     m.created_at FROM messages m LEFT JOIN agents a ON a.id = m.author_agent_id";

/// The item's conversation, oldest first; `None` when there is no such item.
pub async fn messages(db: &Db, item_id: i64) -> Result<Option<Vec<Message>>, sqlx::Error> {
    let exists: Option<i64> = on_db!(db, pool => sqlx::query_scalar("SELECT id FROM items WHERE id = $1").bind(item_id).fetch_optional(pool).await)?;
    if exists.is_none() {
        return Ok(None);
    }
    let sql = format!("{SELECT_MESSAGES} WHERE m.item_id = $1 ORDER BY m.id");
    let rows: Vec<MessageRow> = on_db!(db, pool => sqlx::query_as(&sql).bind(item_id).fetch_all(pool).await)?;
    Ok(Some(rows.into_iter().map(Message::from).collect()))
}

/// Adds a message to the item's conversation, in one transaction. A reply queues one
/// outbox row per customer recipient (the requester and the followers, each email once)
/// and fails with a 422 on `kind` when there is none; a note queues nothing.
/// `Ok(None)` when there is no such item.
pub async fn add_message(
    db: &Db,
    item_id: i64,
    author: i64,
    kind: MessageKind,
    body: &str,
    mail: &Mail,
    now: i64,
) -> Result<Option<Message>, ApiError> {
    let id: Option<i64> = in_write_tx!(db, tx => async {
        let item: Option<(String, Option<i64>)> = sqlx::query_as("SELECT title, requester_id FROM items WHERE id = $1")
            .bind(item_id).fetch_optional(&mut *tx).await?;
        let Some((title, requester)) = item else { return Ok(None) };
        let mut recipients: Vec<(i64, String)> = Vec::new();
        if kind == MessageKind::Reply {
            if let Some(r) = requester {
                let email: Option<String> = sqlx::query_scalar("SELECT email FROM customers WHERE id = $1")
                    .bind(r).fetch_optional(&mut *tx).await?;
                recipients.extend(email.map(|e| (r, e)));
            }
            let followers: Vec<(i64, String)> = sqlx::query_as(
                "SELECT c.id, c.email FROM item_followers f JOIN customers c ON c.id = f.customer_id \
                 WHERE f.item_id = $1 ORDER BY c.sort_name, c.id")
                .bind(item_id).fetch_all(&mut *tx).await?;
            for (id, email) in followers {
                if !recipients.iter().any(|(_, e)| e.eq_ignore_ascii_case(&email)) {
                    recipients.push((id, email));
                }
            }
            if recipients.is_empty() {
                return Err(ApiError::invalid(
                    "kind",
                    "This item has no requester or customer follower to send a reply to: add one, or write an internal note.",
                ));
            }
        }
        let emails: Vec<&str> = recipients.iter().map(|(_, e)| e.as_str()).collect();
        let message_id: i64 = sqlx::query_scalar(
            "INSERT INTO messages (item_id, kind, author_agent_id, body, recipients, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
            .bind(item_id)
            .bind(if kind == MessageKind::Reply { "reply" } else { "note" })
            .bind(author)
            .bind(body)
            .bind(emails.join("\n"))
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
        if kind == MessageKind::Reply {
            let subject = format!("[#{item_id}] {title}");
            let text = format!("{body}\n{}", mail.footer);
            for (customer, email) in &recipients {
                sqlx::query(OUTBOX_INSERT)
                    .bind("item_reply")
                    .bind(email)
                    .bind(&subject)
                    .bind(&text)
                    .bind(*customer)
                    .bind(item_id)
                    .bind(None::<i64>)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query("UPDATE items SET reply_count = reply_count + 1, updated_at = $2 WHERE id = $1")
                .bind(item_id).bind(now).execute(&mut *tx).await?;
        } else {
            sqlx::query("UPDATE items SET updated_at = $2 WHERE id = $1").bind(item_id).bind(now).execute(&mut *tx).await?;
        }
        Ok::<Option<i64>, ApiError>(Some(message_id))
    }.await)?;
    let Some(id) = id else { return Ok(None) };
    let sql = format!("{SELECT_MESSAGES} WHERE m.id = $1");
    let row: MessageRow = on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_one(pool).await)?;
    Ok(Some(Message::from(row)))
}

/// Adds a customer follower (nothing changes when they already follow); returns the
/// followers. `Ok(None)` when there is no such item; a 422 on `customer_id` when
/// there is no such customer.
pub async fn add_follower(db: &Db, item_id: i64, customer_id: i64) -> Result<Option<Vec<CustomerRef>>, ApiError> {
    let found: bool = in_write_tx!(db, tx => async {
        let item: Option<i64> = sqlx::query_scalar("SELECT id FROM items WHERE id = $1").bind(item_id).fetch_optional(&mut *tx).await?;
        if item.is_none() {
            return Ok(false);
        }
        let customer: Option<i64> = sqlx::query_scalar("SELECT id FROM customers WHERE id = $1").bind(customer_id).fetch_optional(&mut *tx).await?;
        if customer.is_none() {
            return Err(ApiError::invalid("customer_id", "No such customer."));
        }
        let already: Option<i64> = sqlx::query_scalar("SELECT customer_id FROM item_followers WHERE item_id = $1 AND customer_id = $2")
            .bind(item_id).bind(customer_id).fetch_optional(&mut *tx).await?;
        if already.is_none() {
            sqlx::query("INSERT INTO item_followers (item_id, customer_id) VALUES ($1, $2)")
                .bind(item_id).bind(customer_id).execute(&mut *tx).await?;
        }
        Ok::<bool, ApiError>(true)
    }.await)
    .map_err(|e: ApiError| match &e {
        ApiError::Database(err) if crate::db::is_unique_violation(err) => {
            ApiError::conflict_on("customer_id", "This follower was just added by someone else. Reload to see it.")
        }
        _ => e,
    })?;
    if !found {
        return Ok(None);
    }
    Ok(Some(followers(db, item_id).await?))
}

/// Removes a customer follower; false when they were not following.
pub async fn remove_follower(db: &Db, item_id: i64, customer_id: i64) -> Result<bool, sqlx::Error> {
    let n = on_db!(db, pool => sqlx::query("DELETE FROM item_followers WHERE item_id = $1 AND customer_id = $2")
        .bind(item_id).bind(customer_id).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

const CHUNK: usize = 500;

/// How many open and closed items these customers requested (open ones would follow
/// them to a new organization).
/// A 422 on `customer_ids` names customers that do not exist.
pub async fn move_preview(db: &Db, customer_ids: &[i64]) -> Result<MovePreview, ApiError> {
    let mut preview = MovePreview { open_items: 0, closed_items: 0 };
    for chunk in customer_ids.chunks(CHUNK) {
        let found_sql = format!("SELECT id FROM customers WHERE id IN ({})", placeholders(1, chunk.len()));
        let found: Vec<i64> = on_db!(db, pool => {
            let mut query = sqlx::query_scalar(&found_sql);
            for id in chunk {
                query = query.bind(id);
            }
            query.fetch_all(pool).await
        })?;
        if found.len() != chunk.len() {
            let missing: Vec<String> = chunk.iter().filter(|id| !found.contains(id)).map(|id| id.to_string()).collect();
            return Err(ApiError::invalid(
                "customer_ids",
                format!("These customers no longer exist: {}.", missing.join(", ")),
            ));
        }
        let sql = format!(
            "SELECT status, COUNT(*) FROM items WHERE requester_id IN ({}) GROUP BY status",
            placeholders(1, chunk.len())
        );
        let counts: Vec<(String, i64)> = on_db!(db, pool => {
            let mut query = sqlx::query_as(&sql);
            for id in chunk {
                query = query.bind(id);
            }
            query.fetch_all(pool).await
        })?;
        for (status, n) in counts {
            match ItemStatus::parse(&status) {
                Some(s) if is_open(s) => preview.open_items += n,
                _ => preview.closed_items += n,
            }
        }
    }
    Ok(preview)
}
