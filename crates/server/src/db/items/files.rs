//! Files attached to an item, by agents (the item page) or by customers who see
//! the item (the portal): stored with their bytes, listed without them.

use orgdesk_core::api::organization::FileInfo;
use orgdesk_core::limits::MAX_ITEM_FILES;

use crate::db::organizations::files::{FileContent, FileRow};
use crate::db::projects::CUSTOMER_NAME;
use crate::db::tx::Exec;
use crate::db::{query, Db};
use crate::error::ApiError;

/// Who attached a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uploader {
    Agent(i64),
    Customer(i64),
}

/// Never the content: lists stay small. The uploader is named by the agent's or the
/// customer's name (never an email).
fn file_columns() -> String {
    format!(
        "f.id, f.name, f.content_type, f.size, COALESCE(a.name, CASE WHEN c.id IS NULL THEN '' ELSE {CUSTOMER_NAME} END) \
         AS uploaded_by, f.uploader_agent_id AS uploader_id, f.created_at \
         FROM item_files f LEFT JOIN agents a ON a.id = f.uploader_agent_id \
         LEFT JOIN customers c ON c.id = f.uploader_customer_id"
    )
}

/// Whether item `item` exists, on the pool or inside a transaction.
pub async fn item_found<'c>(on: impl Into<Exec<'c>>, item: i64) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = query("SELECT id FROM items WHERE id = $1").bind(item).optional_scalar(on).await?;
    Ok(found.is_some())
}

/// Stores a file for item `item`; 404 when there is no such item, 422 on `file` when it
/// already holds [`MAX_ITEM_FILES`] files.
pub async fn add_file(
    db: &Db,
    item: i64,
    uploader: Uploader,
    name: &str,
    content_type: &str,
    content: &[u8],
    now: i64,
) -> Result<FileInfo, ApiError> {
    let (agent, customer) = match uploader {
        Uploader::Agent(a) => (Some(a), None),
        Uploader::Customer(c) => (None, Some(c)),
    };
    let mut tx = db.begin_write().await?;
    if !item_found(&mut tx, item).await? {
        return Err(ApiError::NotFound("No such item.".into()));
    }
    let held: i64 = query("SELECT COUNT(*) FROM item_files WHERE item_id = $1").bind(item).scalar(&mut tx).await?;
    if held >= MAX_ITEM_FILES {
        return Err(ApiError::invalid(
            "file",
            format!("This item already holds {MAX_ITEM_FILES} files, the most one item can hold."),
        ));
    }
    let id: i64 = query(
        "INSERT INTO item_files (item_id, uploader_agent_id, uploader_customer_id, name, content_type, size, content, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(item)
    .bind(agent)
    .bind(customer)
    .bind(name)
    .bind(content_type)
    .bind(content.len() as i64)
    .bind(content)
    .bind(now)
    .scalar(&mut tx)
    .await?;
    query("UPDATE items SET updated_at = $2 WHERE id = $1").bind(item).bind(now).execute(&mut tx).await?;
    tx.commit().await?;
    let row: FileRow = query(format!("SELECT {} WHERE f.id = $1", file_columns())).bind(id).fetch_one(db).await?;
    Ok(row.into_api())
}

/// Item `item`'s files, newest first (without their content); `None` when there is no such item.
pub async fn files(db: &Db, item: i64) -> Result<Option<Vec<FileInfo>>, sqlx::Error> {
    if !item_found(db, item).await? {
        return Ok(None);
    }
    let rows: Vec<FileRow> = query(format!("SELECT {} WHERE f.item_id = $1 ORDER BY f.id DESC", file_columns()))
        .bind(item)
        .fetch_all(db)
        .await?;
    Ok(Some(rows.into_iter().map(FileRow::into_api).collect()))
}

/// The item a file belongs to, when the file exists (the portal checks that item's
/// visibility before anything else is read).
pub async fn file_item(db: &Db, id: i64) -> Result<Option<i64>, sqlx::Error> {
    query("SELECT item_id FROM item_files WHERE id = $1").bind(id).optional_scalar(db).await
}

/// File `id` with its bytes.
pub async fn file_content(db: &Db, id: i64) -> Result<Option<FileContent>, sqlx::Error> {
    query("SELECT name, content_type, content FROM item_files WHERE id = $1").bind(id).fetch_optional(db).await
}
