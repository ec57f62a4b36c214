//! Files attached to an organization (contracts, price lists): stored in the
//! database with their bytes, listed without them.
//!
//! Attaching and deleting a file are additions, not in-place edits: they do not
//! check the organization's version, and each goes into its history. As with
//! notes, only the uploader or an administrator deletes a file (recorded in the
//! audit log).

use orgdesk_core::api::audit::{AuditAction, AuditTarget};
use orgdesk_core::api::organization::FileInfo;
use serde_json::json;

use crate::db::audit::{self, Actor};
use crate::db::organizations::history::{self, not_found, Entry};
use crate::db::tx::Exec;
use crate::db::{query, Db};
use crate::error::ApiError;
use crate::time_fmt::rfc3339;

/// A file without its content, as organization and item file lists select it
/// (`uploader_id` is the uploading agent, if an agent uploaded it).
#[derive(sqlx::FromRow)]
pub(crate) struct FileRow {
    id: i64,
    name: String,
    content_type: String,
    size: i64,
    uploaded_by: String,
    uploader_id: Option<i64>,
    created_at: i64,
}

impl FileRow {
    pub(crate) fn into_api(self) -> FileInfo {
        FileInfo {
            id: self.id,
            name: self.name,
            content_type: self.content_type,
            size: self.size,
            uploaded_by: self.uploaded_by,
            uploader_id: self.uploader_id,
            created_at: rfc3339(self.created_at),
        }
    }
}

/// Never the content: lists stay small.
const FILE_COLUMNS: &str =
    "f.id, f.name, f.content_type, f.size, COALESCE(a.name, '') AS uploaded_by, f.agent_id AS uploader_id, \
     f.created_at \
     FROM organization_files f LEFT JOIN agents a ON a.id = f.agent_id";

/// "12 KB", "3.4 MB": a size for people.
pub fn human_size(bytes: i64) -> String {
    const KB: f64 = 1024.0;
    let b = bytes as f64;
    if b < KB {
        format!("{bytes} bytes")
    } else if b < KB * KB {
        format!("{:.0} KB", (b / KB).ceil())
    } else {
        format!("{:.1} MB", b / KB / KB)
    }
}

/// The history entry of file `file` (`name`, `size` bytes) being attached or deleted by `agent`.
fn file_entry(org: i64, agent: i64, file: i64, name: &str, size: i64, added: bool) -> Entry {
    let (action, summary) = if added {
        ("file_added", format!("File attached: {name} ({})", human_size(size)))
    } else {
        ("file_deleted", format!("File deleted: {name}"))
    };
    Entry {
        organization: org,
        agent: Some(agent),
        action,
        summary,
        details: json!({ "file_id": file, "name": name, "size": size }),
    }
}

/// Whether organization `org` exists, on the pool or inside a transaction (the
/// upload checks before reading the body).
pub async fn organization_found<'c>(on: impl Into<Exec<'c>>, org: i64) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = query("SELECT id FROM organizations WHERE id = $1 AND deleted_at IS NULL")
        .bind(org)
        .optional_scalar(on)
        .await?;
    Ok(found.is_some())
}

/// Stores a file for organization `org`; 404 when there is no such organization.
pub async fn add_file(
    db: &Db,
    org: i64,
    agent: i64,
    name: &str,
    content_type: &str,
    content: &[u8],
    now: i64,
) -> Result<FileInfo, ApiError> {
    let size = content.len() as i64;
    let mut tx = db.begin_write().await?;
    if !organization_found(&mut tx, org).await? {
        return Err(not_found());
    }
    let id: i64 = query(
        "INSERT INTO organization_files (organization_id, agent_id, name, content_type, size, content, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(org)
    .bind(agent)
    .bind(name)
    .bind(content_type)
    .bind(size)
    .bind(content)
    .bind(now)
    .scalar(&mut tx)
    .await?;
    history::record(&mut tx, &file_entry(org, agent, id, name, size, true), now).await?;
    tx.commit().await?;
    let sql = format!("SELECT {FILE_COLUMNS} WHERE f.id = $1");
    let row: FileRow = query(sql).bind(id).fetch_one(db).await?;
    Ok(row.into_api())
}

/// Organization `org`'s files, newest first (without their content); `None` when there is no such organization.
pub async fn files(db: &Db, org: i64) -> Result<Option<Vec<FileInfo>>, sqlx::Error> {
    if !organization_found(db, org).await? {
        return Ok(None);
    }
    let sql = format!("SELECT {FILE_COLUMNS} WHERE f.organization_id = $1 ORDER BY f.id DESC");
    let rows: Vec<FileRow> = query(sql).bind(org).fetch_all(db).await?;
    Ok(Some(rows.into_iter().map(FileRow::into_api).collect()))
}

/// A stored file with its bytes.
#[derive(sqlx::FromRow)]
pub struct FileContent {
    pub name: String,
    pub content_type: String,
    pub content: Vec<u8>,
}

/// File `id` with its bytes, when it and its organization exist.
pub async fn file_content(db: &Db, id: i64) -> Result<Option<FileContent>, sqlx::Error> {
    let sql = "SELECT f.name, f.content_type, f.content FROM organization_files f \
               JOIN organizations o ON o.id = f.organization_id WHERE f.id = $1 AND o.deleted_at IS NULL";
    query(sql).bind(id).fetch_optional(db).await
}

/// Deletes file `id`, with a history entry on its organization and an audit entry,
/// in one transaction: 404 when there is no such file, 403 unless `agent` uploaded
/// it or is an `admin`.
pub async fn delete_file(db: &Db, id: i64, agent: i64, admin: bool, actor: &Actor, now: i64) -> Result<(), ApiError> {
    let mut tx = db.begin_write().await?;
    let row: Option<(i64, String, i64, Option<i64>, String)> = query(
        "SELECT f.organization_id, f.name, f.size, f.agent_id, o.name FROM organization_files f \
         JOIN organizations o ON o.id = f.organization_id WHERE f.id = $1 AND o.deleted_at IS NULL",
    )
    .bind(id)
    .fetch_optional(&mut tx)
    .await?;
    let Some((org, name, size, uploader, org_name)) = row else {
        return Err(ApiError::NotFound("There is no such file.".into()));
    };
    if !admin && uploader != Some(agent) {
        return Err(ApiError::Forbidden("Only the file's uploader or an administrator can delete it.".into()));
    }
    query("DELETE FROM organization_files WHERE id = $1").bind(id).execute(&mut tx).await?;
    history::record(&mut tx, &file_entry(org, agent, id, &name, size, false), now).await?;
    let detail = json!({ "organization_id": org, "organization": org_name, "size": size, "uploader_id": uploader });
    audit::record(&mut tx, &actor.entry(AuditAction::FileDeleted, AuditTarget::File, Some(id), name, detail), now)
        .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_well() {
        assert_eq!(human_size(12), "12 bytes");
        assert_eq!(human_size(1023), "1023 bytes");
        assert_eq!(human_size(1025), "2 KB");
        assert_eq!(human_size(12 * 1024), "12 KB");
        assert_eq!(human_size(10 * 1024 * 1024), "10.0 MB");
    }

    #[test]
    fn attaching_names_the_file_and_its_size_and_deleting_names_the_file() {
        let added = file_entry(4, 2, 7, "price list.pdf", 12 * 1024, true);
        assert_eq!(added.action, "file_added");
        assert_eq!(added.summary, "File attached: price list.pdf (12 KB)");
        assert_eq!(added.details, json!({ "file_id": 7, "name": "price list.pdf", "size": 12288 }));
        let deleted = file_entry(4, 2, 7, "price list.pdf", 12 * 1024, false);
        assert_eq!(deleted.action, "file_deleted");
        assert_eq!(deleted.summary, "File deleted: price list.pdf");
        assert_eq!(deleted.details, added.details);
    }
}
