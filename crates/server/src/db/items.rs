//! Items (tickets and tasks): the Tickets app's paged list, creation with the
//! requester's organization stamped on, edits, followers and the move preview.
//! The filter's SQL is in [`filter`], the groupings in [`groups`], the item
//! conversation in [`messages`].
//!
//! Lists are newest first by id. Totals use the per-(organization, status) and
//! per-(project, status) counters (migration 0004) when the filter allows, so they
//! do not count a million rows; other filters count through the items' indexes.

pub mod bulk;
pub mod files;
pub mod filter;
pub mod groups;
pub mod messages;
pub mod org_groups;

use orgdesk_core::api::tickets::{CustomerRef, Item, ItemStatus, ItemType, MovePreview, Priority, ITEM_COUNT_CAP};
use orgdesk_core::tickets::{check_requester, is_open, ItemChanges, ItemFilter, NewItem};
use orgdesk_core::word::Word;

pub use bulk::bulk_update;
pub use filter::OPEN_STATUSES;
pub use groups::{all_groups, page, Groups};
pub use messages::{add_customer_reply, add_message, messages, Mail};

use crate::db::projects::CUSTOMER_NAME;
use crate::db::{decode_word, query, Db, OnUnique, Tx};
use crate::error::ApiError;
use crate::time_fmt::rfc3339;

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
    former_organization_name: Option<String>,
    reply_count: i64,
    created_at: i64,
    updated_at: i64,
}

impl ItemRow {
    fn into_api(self, followers: Vec<CustomerRef>) -> Result<Item, sqlx::Error> {
        let requester = match (self.requester_id, self.requester_email) {
            (Some(id), Some(email)) => {
                Some(CustomerRef { id, name: self.requester_name.unwrap_or_else(|| email.clone()), email })
            }
            _ => None,
        };
        Ok(Item {
            id: self.id,
            project_id: self.project_id,
            project_name: self.project_name,
            item_type: decode_word::<ItemType>(&self.item_type)?,
            title: self.title,
            description: self.description,
            status: decode_word::<ItemStatus>(&self.status)?,
            priority: decode_word::<Priority>(&self.priority)?,
            assignee_id: self.assignee_id,
            assignee_name: self.assignee_name,
            requester,
            organization_id: self.organization_id,
            former_organization_name: self
                .organization_name
                .is_none()
                .then_some(self.former_organization_name)
                .flatten(),
            organization_name: self.organization_name,
            followers,
            reply_count: self.reply_count,
            created_at: rfc3339(self.created_at),
            updated_at: rfc3339(self.updated_at),
        })
    }
}

/// In lists the description is cut to this many characters.
const LIST_DESCRIPTION_CHARS: i64 = 300;

fn select_items(description: &str) -> String {
    format!(
        "SELECT i.id, i.project_id, p.name AS project_name, i.item_type, i.title, {description} AS description, \
         i.status, i.priority, i.assignee_id, a.name AS assignee_name, i.requester_id, \
         {name} AS requester_name, c.email AS requester_email, i.organization_id, o.name AS organization_name, \
         i.former_organization_name, i.reply_count, i.created_at, i.updated_at \
         FROM items i JOIN projects p ON p.id = i.project_id LEFT JOIN agents a ON a.id = i.assignee_id \
         LEFT JOIN customers c ON c.id = i.requester_id LEFT JOIN organizations o ON o.id = i.organization_id",
        name = CUSTOMER_NAME
    )
}

/// How many items match a list's filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Total {
    pub n: i64,
    /// At least `n` match (the items were counted up to the cap past the offset).
    pub capped: bool,
}

/// One page of items, newest first, and how many match in all: exactly when the counters
/// answer the filter, else counted up to [`ITEM_COUNT_CAP`] items past `offset`.
pub async fn list(db: &Db, filter: &ItemFilter, offset: i64, limit: i64) -> Result<(Vec<Item>, Total), sqlx::Error> {
    if filter::counters_answer(filter) {
        return list_counted(db, filter, offset, limit).await;
    }
    let (ids, total) = page_ids(db, filter, offset, limit).await?;
    Ok((listed(db, &ids).await?, total))
}

/// [`list`] when the counters answer the filter: the page's rows each carry the count.
/// On SQLite one statement reads the page's ids and rows (each statement is a round trip
/// to the connection's thread, and each row a message from it: three statements and the
/// ids' rows cost more than reading the rows). On PostgreSQL the ids come first, in a
/// statement of their own: the one statement, with its `LIMIT` and `OFFSET` as parameters,
/// is planned anew at every execution (its generic plan is estimated dearer), about 4 ms
/// of planning a page (pgbench, 4 clients: 824 pages per s, against 2,812 with the plan
/// kept), where the rows of a list of ids keep their plan.
async fn list_counted(db: &Db, f: &ItemFilter, offset: i64, limit: i64) -> Result<(Vec<Item>, Total), sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Counted {
        #[sqlx(flatten)]
        row: ItemRow,
        total: i64,
    }
    let title = filter::TitleSearch::for_db(db);
    let mut q = query("SELECT l.*, (");
    q.append(&filter::count(f, title)).push(") AS total FROM (");
    q.push(&select_items(&format!("SUBSTR(i.description, 1, {LIST_DESCRIPTION_CHARS})")));
    q.push(" WHERE i.id IN (");
    match db {
        Db::Sqlite(..) => q.append(&filter::page_ids(f, title, offset, limit)),
        Db::Postgres(..) => {
            let ids: Vec<i64> = filter::page_ids(f, title, offset, limit).scalars(db).await?;
            if ids.is_empty() {
                return Ok((Vec::new(), Total { n: filter::count(f, title).scalar(db).await?, capped: false }));
            }
            q.push_list(ids)
        }
    };
    q.push(")) l ORDER BY l.id DESC");
    let rows: Vec<Counted> = q.fetch_all(db).await?;
    let n = match rows.first() {
        Some(first) => first.total,
        // Past the last page: no row carries the count.
        None => filter::count(f, title).scalar(db).await?,
    };
    let items = rows.into_iter().map(|r| r.row.into_api(Vec::new())).collect::<Result<_, _>>()?;
    Ok((items, Total { n, capped: false }))
}

/// The ids of the page [`list`] shows, newest first, and how many match.
pub async fn page_ids(db: &Db, filter: &ItemFilter, offset: i64, limit: i64) -> Result<(Vec<i64>, Total), sqlx::Error> {
    let title = filter::TitleSearch::for_db(db);
    let (ids, total) = if filter::counters_answer(filter) {
        let ids: Vec<i64> = filter::page_ids(filter, title, offset, limit).scalars(db).await?;
        (ids, Total { n: filter::count(filter, title).scalar(db).await?, capped: false })
    } else {
        // One statement reads the page and counts: the ids of up to ITEM_COUNT_CAP + 1
        // matches from `offset` on, newest first (the same plan as the page's, which
        // stops at its LIMIT, where a separate count of a bitmap scan read every match).
        let read = ITEM_COUNT_CAP.max(limit).saturating_add(1);
        let mut ids: Vec<i64> = filter::page_ids(filter, title, offset, read).scalars(db).await?;
        let found = ids.len() as i64;
        ids.truncate(limit.max(0) as usize);
        let offset = offset.max(0);
        let total = if found > ITEM_COUNT_CAP {
            Total { n: offset.saturating_add(ITEM_COUNT_CAP), capped: true }
        } else if found > 0 || offset == 0 {
            Total { n: offset + found, capped: false }
        } else {
            // A page past the last match: how many there are, counted up to the cap.
            let cap = offset.saturating_add(ITEM_COUNT_CAP);
            let n: i64 = filter::capped_count(filter, title, cap.saturating_add(1)).scalar(db).await?;
            Total { n: n.min(cap), capped: n > cap }
        };
        (ids, total)
    };
    Ok((ids, total))
}

/// The items `ids` as lists show them (no followers, the description cut), newest first.
pub async fn listed(db: &Db, ids: &[i64]) -> Result<Vec<Item>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = query(select_items(&format!("SUBSTR(i.description, 1, {LIST_DESCRIPTION_CHARS})")));
    q.push(" WHERE i.id IN (").push_list(ids).push(") ORDER BY i.id DESC");
    let rows: Vec<ItemRow> = q.fetch_all(db).await?;
    rows.into_iter().map(|r| r.into_api(Vec::new())).collect()
}

/// These items as lists show them (no followers, the description cut), in the order of `ids`.
pub async fn list_by_ids(db: &Db, ids: &[i64]) -> Result<Vec<Item>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = query(select_items(&format!("SUBSTR(i.description, 1, {LIST_DESCRIPTION_CHARS})")));
    q.push(" WHERE i.id IN (").push_list(ids).push(")");
    let rows: Vec<ItemRow> = q.fetch_all(db).await?;
    let mut items: Vec<Item> = rows.into_iter().map(|r| r.into_api(Vec::new())).collect::<Result<_, _>>()?;
    items.sort_by_key(|i| ids.iter().position(|id| *id == i.id));
    Ok(items)
}

/// An item with its followers; `None` when there is no such item.
pub async fn get(db: &Db, id: i64) -> Result<Option<Item>, sqlx::Error> {
    let row: Option<ItemRow> =
        query(format!("{} WHERE i.id = $1", select_items("i.description"))).bind(id).fetch_optional(db).await?;
    let Some(row) = row else { return Ok(None) };
    let followers = followers(db, id).await?;
    Ok(Some(row.into_api(followers)?))
}

/// The customers besides the requester who receive replies, by name.
pub async fn followers(db: &Db, item_id: i64) -> Result<Vec<CustomerRef>, sqlx::Error> {
    let rows: Vec<(i64, String, String)> = query(format!(
        "SELECT c.id, {CUSTOMER_NAME} AS name, c.email FROM item_followers f JOIN customers c ON c.id = f.customer_id \
         WHERE f.item_id = $1 ORDER BY c.sort_name, c.id"
    ))
    .bind(item_id)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|(id, name, email)| CustomerRef { id, name, email }).collect())
}

/// Checks that the agent exists and is active (else a 422 on `field`).
async fn check_assignee(tx: &mut Tx, agent: i64, field: &str) -> Result<(), ApiError> {
    let row: Option<(String, bool)> =
        query("SELECT name, active FROM agents WHERE id = $1").bind(agent).fetch_optional(tx).await?;
    match row {
        None => Err(ApiError::invalid(field, "No such agent.")),
        Some((name, false)) => Err(ApiError::invalid(field, format!("{name} is deactivated: choose an active agent."))),
        Some(_) => Ok(()),
    }
}

/// The customer's current organization; a 422 on `field` when there is no such customer.
async fn requester_org(tx: &mut Tx, customer: i64, field: &str) -> Result<Option<i64>, ApiError> {
    let row: Option<(i64, Option<i64>)> = query(
        "SELECT c.id, m.organization_id FROM customers c LEFT JOIN memberships m ON m.customer_id = c.id \
         WHERE c.id = $1",
    )
    .bind(customer)
    .fetch_optional(tx)
    .await?;
    match row {
        None => Err(ApiError::invalid(field, "No such customer.")),
        Some((_, org)) => Ok(org),
    }
}

/// Checks that the project exists and is not archived (a 422 on `project_id`).
async fn check_project_open(tx: &mut Tx, project: i64) -> Result<(), ApiError> {
    let archived: Option<bool> =
        query("SELECT archived FROM projects WHERE id = $1").bind(project).optional_scalar(tx).await?;
    match archived {
        None => Err(ApiError::invalid("project_id", "No such project.")),
        Some(true) => Err(ApiError::invalid(
            "project_id",
            "This project is archived: restore it before adding or moving items into it.",
        )),
        Some(false) => Ok(()),
    }
}

/// Creates an item; its organization is the requester's at this moment. The
/// organization's routing rules run over it in the same transaction (`mail` signs
/// their automatic replies).
pub async fn create(db: &Db, new: &NewItem, mail: &Mail, now: i64) -> Result<i64, ApiError> {
    let mut tx = db.begin_write().await?;
    check_project_open(&mut tx, new.project_id).await?;
    if let Some(agent) = new.assignee_id {
        check_assignee(&mut tx, agent, "assignee_id").await?;
    }
    let organization = match new.requester_id {
        Some(customer) => requester_org(&mut tx, customer, "requester_id").await?,
        None => None,
    };
    let id: i64 = query(
        "INSERT INTO items (project_id, item_type, title, description, status, priority, assignee_id, requester_id, \
         organization_id, reply_count, created_at, updated_at, source) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $10, $11) RETURNING id",
    )
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
    .bind(new.source.as_str())
    .scalar(&mut tx)
    .await?;
    if let Some(organization) = organization {
        crate::db::portal_policy::follow_as_managers(&mut tx, id, organization).await?;
        crate::db::routing::apply::route_new_item(&mut tx, id, organization, mail, now).await?;
    }
    tx.commit().await?;
    Ok(id)
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
    let mut tx = db.begin_write().await?;
    let current: Option<CurrentItem> =
        query("SELECT item_type, requester_id, organization_id, reply_count, title FROM items WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut tx)
            .await?;
    let Some(CurrentItem { item_type, requester_id: requester, organization_id: organization, reply_count, title }) =
        current
    else {
        return Ok(false);
    };
    let item_type = match changes.item_type {
        Some(t) => t,
        None => decode_word::<ItemType>(&item_type)?,
    };
    let new_requester = changes.requester_id.unwrap_or(requester);
    if changes.touches_requester() {
        check_requester(item_type, new_requester).map_err(|message| ApiError::invalid("requester_id", message))?;
    }
    if let Some(project) = changes.project_id {
        check_project_open(&mut tx, project).await?;
    }
    if let Some(Some(agent)) = changes.assignee_id {
        check_assignee(&mut tx, agent, "assignee_id").await?;
    }
    let requester_changed = new_requester != requester;
    let new_org = match (requester_changed, new_requester) {
        (false, _) => organization,
        (true, Some(customer)) => requester_org(&mut tx, customer, "requester_id").await?,
        (true, None) => None,
    };
    let title = changes.title.clone().unwrap_or(title);
    query(
        "UPDATE items SET title = $2, description = COALESCE($3, description), status = COALESCE($4, status), \
         priority = COALESCE($5, priority), project_id = COALESCE($6, project_id), item_type = $7, \
         assignee_id = CASE WHEN $8 THEN $9 ELSE assignee_id END, requester_id = $10, organization_id = $11, \
         updated_at = $12 WHERE id = $1",
    )
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
    .execute(&mut tx)
    .await?;
    if let (true, Some(customer), true) = (requester_changed, new_requester, reply_count > 0) {
        messages::send_history(&mut tx, id, &title, customer, mail, now).await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// Adds a customer follower (nothing changes when they already follow); returns the
/// followers. `Ok(None)` when there is no such item; a 422 on `customer_id` when
/// there is no such customer.
pub async fn add_follower(db: &Db, item_id: i64, customer_id: i64) -> Result<Option<Vec<CustomerRef>>, ApiError> {
    let mut tx = db.begin_write().await?;
    let item: Option<i64> = query("SELECT id FROM items WHERE id = $1").bind(item_id).optional_scalar(&mut tx).await?;
    if item.is_none() {
        return Ok(None);
    }
    let customer: Option<i64> =
        query("SELECT id FROM customers WHERE id = $1").bind(customer_id).optional_scalar(&mut tx).await?;
    if customer.is_none() {
        return Err(ApiError::invalid("customer_id", "No such customer."));
    }
    let already: Option<i64> = query("SELECT customer_id FROM item_followers WHERE item_id = $1 AND customer_id = $2")
        .bind(item_id)
        .bind(customer_id)
        .optional_scalar(&mut tx)
        .await?;
    if already.is_none() {
        query("INSERT INTO item_followers (item_id, customer_id) VALUES ($1, $2)")
            .bind(item_id)
            .bind(customer_id)
            .execute(&mut tx)
            .await
            .on_unique("customer_id", || "This follower was just added by someone else. Reload to see it.".into())?;
    } else {
        // An agent's choice: a follow that came from the manager role now outlives the role.
        query("UPDATE item_followers SET source = 'direct' WHERE item_id = $1 AND customer_id = $2")
            .bind(item_id)
            .bind(customer_id)
            .execute(&mut tx)
            .await?;
    }
    tx.commit().await?;
    Ok(Some(followers(db, item_id).await?))
}

/// Removes a customer follower; false when they were not following.
pub async fn remove_follower(db: &Db, item_id: i64, customer_id: i64) -> Result<bool, sqlx::Error> {
    let n = query("DELETE FROM item_followers WHERE item_id = $1 AND customer_id = $2")
        .bind(item_id)
        .bind(customer_id)
        .execute(db)
        .await?;
    Ok(n > 0)
}

const CHUNK: usize = 500;

/// How many open and closed items these customers requested (open ones would follow
/// them to a new organization).
/// A 422 on `customer_ids` names customers that do not exist.
pub async fn move_preview(db: &Db, customer_ids: &[i64]) -> Result<MovePreview, ApiError> {
    let mut preview = MovePreview { open_items: 0, closed_items: 0 };
    for chunk in customer_ids.chunks(CHUNK) {
        let mut found = query("SELECT id FROM customers WHERE id IN (");
        found.push_list(chunk).push(")");
        let found: Vec<i64> = found.scalars(db).await?;
        if found.len() != chunk.len() {
            let missing: Vec<String> = chunk.iter().filter(|id| !found.contains(id)).map(|id| id.to_string()).collect();
            return Err(ApiError::invalid(
                "customer_ids",
                format!("These customers no longer exist: {}.", missing.join(", ")),
            ));
        }
        let mut counts = query("SELECT status, COUNT(*) FROM items WHERE requester_id IN (");
        counts.push_list(chunk).push(") GROUP BY status");
        let counts: Vec<(String, i64)> = counts.fetch_all(db).await?;
        for (status, n) in counts {
            if is_open(decode_word::<ItemStatus>(&status)?) {
                preview.open_items += n;
            } else {
                preview.closed_items += n;
            }
        }
    }
    Ok(preview)
}
