//! Notes on an organization: short texts agents leave for each other, newest first.
//!
//! A note is an addition, not an in-place edit, so it does not check the
//! organization's version; adding and deleting one go into the history. Only its
//! author or an administrator deletes a note.

use orgdesk_core::api::audit::{AuditAction, AuditTarget};
use orgdesk_core::api::organization::{Note, NotePage};
use orgdesk_core::paging::Paging;
use serde_json::json;

use crate::db::audit::{self, Actor};
use crate::db::organizations::files::organization_found;
use crate::db::organizations::history::{self, not_found, Entry};
use crate::db::{query, Db};
use crate::error::ApiError;
use crate::time_fmt::rfc3339;

#[derive(sqlx::FromRow)]
struct NoteRow {
    id: i64,
    body: String,
    agent_id: Option<i64>,
    author_name: String,
    created_at: i64,
}

impl NoteRow {
    fn into_api(self) -> Note {
        Note {
            id: self.id,
            body: self.body,
            author_name: self.author_name,
            author_id: self.agent_id,
            created_at: rfc3339(self.created_at),
        }
    }
}

/// A short quote of a text for history summaries: its words on one line, at most
/// `max` characters, with an ellipsis when cut.
fn excerpt(text: &str, max: usize) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= max {
        line
    } else {
        format!("{}…", line.chars().take(max).collect::<String>())
    }
}

/// The history entry of note `note` (with text `body`) being added or deleted by `agent`.
fn note_entry(org: i64, agent: i64, note: i64, body: &str, added: bool) -> Entry {
    let (action, verb) = if added { ("note_added", "added") } else { ("note_deleted", "deleted") };
    Entry {
        organization: org,
        agent: Some(agent),
        action,
        summary: format!("Note {verb}: \"{}\"", excerpt(body, 80)),
        details: json!({ "note_id": note }),
    }
}

/// One page of organization `org`'s notes, newest first; `None` when there is no such organization.
pub async fn notes(db: &Db, org: i64, page: Paging) -> Result<Option<NotePage>, sqlx::Error> {
    if !organization_found(db, org).await? {
        return Ok(None);
    }
    let sql = "SELECT n.id, n.body, n.agent_id, COALESCE(a.name, '') AS author_name, n.created_at \
               FROM organization_notes n LEFT JOIN agents a ON a.id = n.agent_id \
               WHERE n.organization_id = $1 ORDER BY n.id DESC LIMIT $2 OFFSET $3";
    let rows: Vec<NoteRow> = query(sql).bind(org).bind(page.limit).bind(page.offset).fetch_all(db).await?;
    let total: i64 =
        query("SELECT COUNT(*) FROM organization_notes WHERE organization_id = $1").bind(org).scalar(db).await?;
    Ok(Some(NotePage { items: rows.into_iter().map(NoteRow::into_api).collect(), total }))
}

/// Adds a note (already validated) by `agent`; 404 when there is no such organization.
pub async fn add_note(db: &Db, org: i64, agent: i64, body: &str, now: i64) -> Result<Note, ApiError> {
    let mut tx = db.begin_write().await?;
    if !organization_found(&mut tx, org).await? {
        return Err(not_found());
    }
    let id: i64 = query(
        "INSERT INTO organization_notes (organization_id, agent_id, body, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(org)
    .bind(agent)
    .bind(body)
    .bind(now)
    .scalar(&mut tx)
    .await?;
    history::record(&mut tx, &note_entry(org, agent, id, body, true), now).await?;
    tx.commit().await?;
    let sql = "SELECT n.id, n.body, n.agent_id, COALESCE(a.name, '') AS author_name, n.created_at \
               FROM organization_notes n LEFT JOIN agents a ON a.id = n.agent_id WHERE n.id = $1";
    let row: NoteRow = query(sql).bind(id).fetch_one(db).await?;
    Ok(row.into_api())
}

/// Deletes note `note` of organization `org`: 404 when it is not that organization's,
/// 403 unless `agent` wrote it or `admin`. The history and the audit log record it
/// in the same transaction.
pub async fn delete_note(
    db: &Db,
    org: i64,
    note: i64,
    agent: i64,
    admin: bool,
    actor: &Actor,
    now: i64,
) -> Result<(), ApiError> {
    let mut tx = db.begin_write().await?;
    let row: Option<(Option<i64>, String, String)> = query(
        "SELECT n.agent_id, n.body, o.name FROM organization_notes n JOIN organizations o ON o.id = n.organization_id AND o.deleted_at IS NULL \
         WHERE n.id = $1 AND n.organization_id = $2",
    )
    .bind(note)
    .bind(org)
    .fetch_optional(&mut tx)
    .await?;
    let Some((author, body, org_name)) = row else {
        return Err(ApiError::NotFound("This organization has no such note.".into()));
    };
    if !admin && author != Some(agent) {
        return Err(ApiError::Forbidden("Only the note's author or an administrator can delete it.".into()));
    }
    query("DELETE FROM organization_notes WHERE id = $1").bind(note).execute(&mut tx).await?;
    history::record(&mut tx, &note_entry(org, agent, note, &body, false), now).await?;
    let detail =
        json!({ "organization_id": org, "organization": org_name, "author_id": author, "body": excerpt(&body, 200) });
    let label = format!("Note on {org_name}");
    audit::record(&mut tx, &actor.entry(AuditAction::NoteDeleted, AuditTarget::Note, Some(note), label, detail), now)
        .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_excerpt_keeps_short_texts_on_one_line() {
        assert_eq!(excerpt("Call  back\non\tMonday", 80), "Call back on Monday");
        assert_eq!(excerpt("", 80), "");
    }

    #[test]
    fn an_excerpt_cuts_long_texts_by_characters_with_an_ellipsis() {
        assert_eq!(excerpt("abcdef", 6), "abcdef");
        assert_eq!(excerpt("abcdefg", 6), "abcdef…");
        assert_eq!(excerpt("äöüäöüä", 3), "äöü…");
    }

    #[test]
    fn adding_and_deleting_a_note_quote_it_in_the_history() {
        let added = note_entry(4, 2, 9, "Renewal due in March", true);
        assert_eq!(added.action, "note_added");
        assert_eq!(added.summary, "Note added: \"Renewal due in March\"");
        assert_eq!(added.details, json!({ "note_id": 9 }));
        let deleted = note_entry(4, 2, 9, &"x".repeat(100), false);
        assert_eq!(deleted.action, "note_deleted");
        assert_eq!(deleted.summary, format!("Note deleted: \"{}…\"", "x".repeat(80)));
    }
}
