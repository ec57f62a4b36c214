//! Organization detail panel (issue #5): storage of contact information, custom
//! properties (definitions and values), notes and files.
//!
//! Contacts and property values are in-place edits: they check and bump the
//! organization's version. Notes and files are additions: they do not. Every change
//! goes into the organization's history in the same transaction.

use std::collections::{BTreeMap, HashSet};

use orgdesk_core::api::organization::{FileInfo, Note, NotePage, PropertyDefinition};
use orgdesk_core::contact::{ContactEntry, ContactKind};
use orgdesk_core::properties::{validate_value, PropertyDefinitionInput, PropertyKind};
use orgdesk_core::FieldErrors;
use serde_json::{json, Value};

use crate::db::organizations::{decode_err, word};
use crate::db::{is_unique_violation, Db};
use crate::error::ApiError;
use crate::time_fmt::rfc3339;
use crate::{check_and_bump_version, in_write_tx, on_db, record_history};

// ---------------------------------------------------------------------------
// Contacts

fn kind_word(kind: ContactKind) -> String {
    serde_json::to_value(kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

fn parse_kind(word: &str) -> Option<ContactKind> {
    serde_json::from_value(Value::String(word.to_string())).ok()
}

#[derive(sqlx::FromRow)]
struct ContactRow {
    kind: String,
    label: String,
    value: String,
}

fn to_entries(rows: Vec<ContactRow>) -> Vec<ContactEntry> {
    rows.into_iter()
        .filter_map(|r| Some(ContactEntry { kind: parse_kind(&r.kind)?, label: r.label, value: r.value }))
        .collect()
}

/// What changed between two lists of entries: (added, removed), each as a multiset difference.
fn contact_diff(old: &[ContactEntry], new: &[ContactEntry]) -> (Vec<ContactEntry>, Vec<ContactEntry>) {
    let minus = |a: &[ContactEntry], b: &[ContactEntry]| {
        let mut rest: Vec<&ContactEntry> = b.iter().collect();
        let mut out = Vec::new();
        for e in a {
            match rest.iter().position(|x| *x == e) {
                Some(i) => {
                    rest.swap_remove(i);
                }
                None => out.push(e.clone()),
            }
        }
        out
    };
    (minus(new, old), minus(old, new))
}

fn contacts_summary(added: usize, removed: usize) -> String {
    match (added, removed) {
        (0, 0) => "Contact information reordered".into(),
        (a, 0) => format!("Contact information changed: {a} added"),
        (0, r) => format!("Contact information changed: {r} removed"),
        (a, r) => format!("Contact information changed: {a} added, {r} removed"),
    }
}

/// Replaces organization `org`'s contact entries (already validated) in one
/// transaction, checking and bumping its version, with one history entry.
pub async fn replace_contacts(
    db: &Db,
    org: i64,
    version: i64,
    entries: &[ContactEntry],
    agent: i64,
    now: i64,
) -> Result<(), ApiError> {
    in_write_tx!(db, tx => async {
        check_and_bump_version!(tx, org, version, now).await?;
        let rows: Vec<ContactRow> = sqlx::query_as(
            "SELECT kind, label, value FROM organization_contacts WHERE organization_id = $1 ORDER BY position, id",
        )
        .bind(org)
        .fetch_all(&mut *tx)
        .await?;
        let old = to_entries(rows);
        if old.as_slice() == entries {
            return Ok::<(), ApiError>(());
        }
        sqlx::query("DELETE FROM organization_contacts WHERE organization_id = $1").bind(org).execute(&mut *tx).await?;
        for (i, e) in entries.iter().enumerate() {
            sqlx::query(
                "INSERT INTO organization_contacts (organization_id, position, kind, label, value) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(org)
            .bind(i as i64)
            .bind(kind_word(e.kind))
            .bind(&e.label)
            .bind(&e.value)
            .execute(&mut *tx)
            .await?;
        }
        let (added, removed) = contact_diff(&old, entries);
        let summary = contacts_summary(added.len(), removed.len());
        let details = json!({ "added": added, "removed": removed });
        record_history!(tx, org, Some(agent), "contacts_changed", summary.as_str(), details, now).await?;
        Ok(())
    }.await)
}

// ---------------------------------------------------------------------------
// Property definitions

/// A row of `organization_property_definitions` (also read by the panel's detail).
#[derive(sqlx::FromRow)]
pub(crate) struct DefinitionRow {
    id: i64,
    label: String,
    kind: String,
    required: bool,
    options: String,
    position: i64,
}

impl DefinitionRow {
    pub(crate) fn into_api(self) -> Result<PropertyDefinition, sqlx::Error> {
        Ok(PropertyDefinition {
            id: self.id,
            label: self.label,
            kind: word(self.kind)?,
            required: self.required,
            options: serde_json::from_str(&self.options).map_err(decode_err)?,
            position: self.position,
        })
    }
}

const DEFINITION_COLUMNS: &str = "id, label, kind, required, options, position";

fn property_kind_word(kind: PropertyKind) -> String {
    serde_json::to_value(kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

fn label_taken(label: &str) -> ApiError {
    ApiError::conflict_on("label", format!("A property named {label} already exists."))
}

fn no_such_property() -> ApiError {
    ApiError::NotFound("There is no such property.".into())
}

/// Every property definition, in the admins' order.
pub async fn definitions(db: &Db) -> Result<Vec<PropertyDefinition>, sqlx::Error> {
    let sql = format!("SELECT {DEFINITION_COLUMNS} FROM organization_property_definitions ORDER BY position, id");
    let rows: Vec<DefinitionRow> = on_db!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await)?;
    rows.into_iter().map(DefinitionRow::into_api).collect()
}

async fn definition(db: &Db, id: i64) -> Result<Option<PropertyDefinition>, sqlx::Error> {
    let sql = format!("SELECT {DEFINITION_COLUMNS} FROM organization_property_definitions WHERE id = $1");
    let row: Option<DefinitionRow> = on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)?;
    row.map(DefinitionRow::into_api).transpose()
}

/// Adds a (validated) definition at the end of the order. 409 on `label` when taken.
pub async fn create_definition(
    db: &Db,
    def: &PropertyDefinitionInput,
    now: i64,
) -> Result<PropertyDefinition, ApiError> {
    let key = def.label.to_lowercase();
    let options = serde_json::to_string(&def.options).unwrap_or_else(|_| "[]".into());
    let result: Result<i64, ApiError> = in_write_tx!(db, tx => async {
        let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM organization_property_definitions WHERE label_key = $1")
            .bind(&key)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(label_taken(&def.label));
        }
        let position: i64 =
            sqlx::query_scalar("SELECT COALESCE(MAX(position), 0) + 1 FROM organization_property_definitions")
                .fetch_one(&mut *tx)
                .await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO organization_property_definitions (label, label_key, kind, required, options, position, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(&def.label)
        .bind(&key)
        .bind(property_kind_word(def.kind))
        .bind(def.required)
        .bind(&options)
        .bind(position)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        Ok::<i64, ApiError>(id)
    }.await);
    let id = result.map_err(|e| unique_to_label(e, &def.label))?;
    definition(db, id).await?.ok_or_else(no_such_property)
}

fn unique_to_label(e: ApiError, label: &str) -> ApiError {
    match &e {
        ApiError::Database(err) if is_unique_violation(err) => label_taken(label),
        _ => e,
    }
}

fn organizations_word(n: i64) -> String {
    if n == 1 {
        "1 organization".into()
    } else {
        format!("{n} organizations")
    }
}

/// Replaces a definition's label, kind, required flag and options. Refused (409) when
/// the kind changes while organizations have values, or when a removed option is in use.
pub async fn update_definition(
    db: &Db,
    id: i64,
    def: &PropertyDefinitionInput,
) -> Result<PropertyDefinition, ApiError> {
    let key = def.label.to_lowercase();
    let options = serde_json::to_string(&def.options).unwrap_or_else(|_| "[]".into());
    // On PostgreSQL the row lock orders this change after (or before) any value write
    // that read the old definition (see `set_properties`); SQLite serializes writers anyway.
    let lock = if matches!(db, Db::Postgres(_)) { " FOR UPDATE" } else { "" };
    let result: Result<(), ApiError> = in_write_tx!(db, tx => async {
        let sql = format!("SELECT {DEFINITION_COLUMNS} FROM organization_property_definitions WHERE id = $1{lock}");
        let row: Option<DefinitionRow> = sqlx::query_as(&sql).bind(id).fetch_optional(&mut *tx).await?;
        let old = row.ok_or_else(no_such_property)?.into_api()?;
        let taken: Option<i64> =
            sqlx::query_scalar("SELECT id FROM organization_property_definitions WHERE label_key = $1 AND id <> $2")
                .bind(&key)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        if taken.is_some() {
            return Err(label_taken(&def.label));
        }
        let values: Vec<(i64, String)> =
            sqlx::query_as("SELECT organization_id, value FROM organization_property_values WHERE definition_id = $1")
                .bind(id)
                .fetch_all(&mut *tx)
                .await?;
        if old.kind != def.kind && !values.is_empty() {
            return Err(ApiError::conflict_on(
                "kind",
                format!(
                    "{} {} a value for {}, so its kind cannot change. Empty those values first, or add a new property.",
                    organizations_word(values.len() as i64),
                    if values.len() == 1 { "has" } else { "have" },
                    old.label
                ),
            ));
        }
        if old.kind.has_options() && old.kind == def.kind {
            let removed: Vec<&String> = old.options.iter().filter(|o| !def.options.contains(o)).collect();
            let mut using: BTreeMap<&str, i64> = BTreeMap::new();
            let mut reorder: Vec<(i64, String)> = Vec::new();
            for (org, raw) in &values {
                let value: Value = serde_json::from_str(raw).unwrap_or(Value::Null);
                let chosen: Vec<&str> = match &value {
                    Value::String(s) => vec![s.as_str()],
                    Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
                    _ => Vec::new(),
                };
                for option in &removed {
                    if chosen.contains(&option.as_str()) {
                        *using.entry(option.as_str()).or_default() += 1;
                    }
                }
                if def.kind == PropertyKind::MultipleChoice {
                    let ordered: Vec<&str> =
                        def.options.iter().map(String::as_str).filter(|o| chosen.contains(o)).collect();
                    if ordered != chosen {
                        reorder.push((*org, json!(ordered).to_string()));
                    }
                }
            }
            if !using.is_empty() {
                let parts: Vec<String> = using
                    .iter()
                    .map(|(option, n)| format!("\"{option}\" is used by {}", organizations_word(*n)))
                    .collect();
                return Err(ApiError::conflict_on(
                    "options",
                    format!("{}. Change their values first, or keep the option.", parts.join("; ")),
                ));
            }
            for (org, value) in reorder {
                sqlx::query(
                    "UPDATE organization_property_values SET value = $1 WHERE organization_id = $2 AND definition_id = $3",
                )
                .bind(value)
                .bind(org)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
        }
        sqlx::query(
            "UPDATE organization_property_definitions SET label = $1, label_key = $2, kind = $3, required = $4, options = $5 \
             WHERE id = $6",
        )
        .bind(&def.label)
        .bind(&key)
        .bind(property_kind_word(def.kind))
        .bind(def.required)
        .bind(&options)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        Ok::<(), ApiError>(())
    }.await);
    result.map_err(|e| unique_to_label(e, &def.label))?;
    definition(db, id).await?.ok_or_else(no_such_property)
}

/// Deletes a definition and (by cascade) every organization's value of it.
pub async fn delete_definition(db: &Db, id: i64) -> Result<bool, sqlx::Error> {
    in_write_tx!(db, tx => async {
        sqlx::query("DELETE FROM organization_property_values WHERE definition_id = $1").bind(id).execute(&mut *tx).await?;
        let done = sqlx::query("DELETE FROM organization_property_definitions WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        Ok::<bool, sqlx::Error>(done > 0)
    }.await)
}

/// Puts the definitions in the order of `ids`, which must hold every id exactly once (else 422 `ids`).
pub async fn reorder_definitions(db: &Db, ids: &[i64]) -> Result<Vec<PropertyDefinition>, ApiError> {
    let result: Result<(), ApiError> = in_write_tx!(db, tx => async {
        let existing: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM organization_property_definitions").fetch_all(&mut *tx).await?;
        let wanted: HashSet<i64> = ids.iter().copied().collect();
        let have: HashSet<i64> = existing.iter().copied().collect();
        if wanted.len() != ids.len() || wanted != have {
            return Err(ApiError::invalid(
                "ids",
                "Send every property id exactly once. The properties may have changed: reload and try again.",
            ));
        }
        for (i, id) in ids.iter().enumerate() {
            sqlx::query("UPDATE organization_property_definitions SET position = $1 WHERE id = $2")
                .bind(i as i64 + 1)
                .bind(*id)
                .execute(&mut *tx)
                .await?;
        }
        Ok::<(), ApiError>(())
    }.await);
    result?;
    Ok(definitions(db).await?)
}

// ---------------------------------------------------------------------------
// Property values

/// Sets (or, with `null` or an empty value, empties) the given properties of
/// organization `org`, each validated against its definition (422 `values.{id}`), in
/// one transaction that checks and bumps the version; absent properties stay.
pub async fn set_properties(
    db: &Db,
    org: i64,
    version: i64,
    values: &BTreeMap<i64, Value>,
    agent: i64,
    now: i64,
) -> Result<(), ApiError> {
    // The definitions are share-locked on PostgreSQL, so an admin's concurrent change
    // (say, removing an option) cannot slip between this validation and the write.
    let lock = if matches!(db, Db::Postgres(_)) { " FOR SHARE" } else { "" };
    in_write_tx!(db, tx => async {
        let sql = format!("SELECT {DEFINITION_COLUMNS} FROM organization_property_definitions{lock}");
        let rows: Vec<DefinitionRow> = sqlx::query_as(&sql).fetch_all(&mut *tx).await?;
        let defs: BTreeMap<i64, PropertyDefinition> =
            rows.into_iter().map(|r| r.into_api().map(|d| (d.id, d))).collect::<Result<_, _>>()?;
        let mut errors = FieldErrors::new();
        let mut normalized: Vec<(&PropertyDefinition, Option<Value>)> = Vec::new();
        for (id, raw) in values {
            let field = format!("values.{id}");
            match defs.get(id) {
                None => {
                    errors.insert(field, "There is no such property. Reload to see the current properties.".into());
                }
                Some(def) => match validate_value(&def.rules(), raw) {
                    Ok(v) => normalized.push((def, v)),
                    Err(message) => {
                        errors.insert(field, message);
                    }
                },
            }
        }
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        check_and_bump_version!(tx, org, version, now).await?;
        let current: Vec<(i64, String)> =
            sqlx::query_as("SELECT definition_id, value FROM organization_property_values WHERE organization_id = $1")
                .bind(org)
                .fetch_all(&mut *tx)
                .await?;
        let current: BTreeMap<i64, Value> =
            current.into_iter().map(|(d, v)| (d, serde_json::from_str(&v).unwrap_or(Value::Null))).collect();
        let mut changed: Vec<Value> = Vec::new();
        let mut labels: Vec<&str> = Vec::new();
        for (def, value) in normalized {
            let before = current.get(&def.id);
            if before == value.as_ref() {
                continue;
            }
            match &value {
                None => {
                    sqlx::query("DELETE FROM organization_property_values WHERE organization_id = $1 AND definition_id = $2")
                        .bind(org)
                        .bind(def.id)
                        .execute(&mut *tx)
                        .await?;
                }
                Some(v) => {
                    sqlx::query(
                        "INSERT INTO organization_property_values (organization_id, definition_id, value) VALUES ($1, $2, $3) \
                         ON CONFLICT (organization_id, definition_id) DO UPDATE SET value = excluded.value",
                    )
                    .bind(org)
                    .bind(def.id)
                    .bind(v.to_string())
                    .execute(&mut *tx)
                    .await?;
                }
            }
            labels.push(def.label.as_str());
            changed.push(json!({
                "property": def.label,
                "from": before.cloned().unwrap_or(Value::Null),
                "to": value.clone().unwrap_or(Value::Null),
            }));
        }
        if !changed.is_empty() {
            let summary = format!("Properties changed: {}", labels.join(", "));
            record_history!(tx, org, Some(agent), "properties_changed", summary.as_str(), json!({ "changed": changed }), now)
                .await?;
        }
        Ok::<(), ApiError>(())
    }.await)
}

// ---------------------------------------------------------------------------
// Notes

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

async fn organization_exists(db: &Db, org: i64) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = on_db!(db, pool => sqlx::query_scalar("SELECT id FROM organizations WHERE id = $1")
        .bind(org)
        .fetch_optional(pool)
        .await)?;
    Ok(found.is_some())
}

/// One page of organization `org`'s notes, newest first; `None` when there is no such organization.
pub async fn notes(db: &Db, org: i64, offset: i64, limit: i64) -> Result<Option<NotePage>, sqlx::Error> {
    if !organization_exists(db, org).await? {
        return Ok(None);
    }
    let sql = "SELECT n.id, n.body, n.agent_id, COALESCE(a.name, '') AS author_name, n.created_at \
               FROM organization_notes n LEFT JOIN agents a ON a.id = n.agent_id \
               WHERE n.organization_id = $1 ORDER BY n.id DESC LIMIT $2 OFFSET $3";
    let rows: Vec<NoteRow> =
        on_db!(db, pool => sqlx::query_as(sql).bind(org).bind(limit).bind(offset).fetch_all(pool).await)?;
    let total: i64 = on_db!(db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM organization_notes WHERE organization_id = $1")
        .bind(org)
        .fetch_one(pool)
        .await)?;
    Ok(Some(NotePage { items: rows.into_iter().map(NoteRow::into_api).collect(), total }))
}

/// A short quote of a text for history summaries.
fn excerpt(text: &str, max: usize) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= max {
        line
    } else {
        format!("{}…", line.chars().take(max).collect::<String>())
    }
}

/// Adds a note (already validated) by `agent`; 404 when there is no such organization.
pub async fn add_note(db: &Db, org: i64, agent: i64, body: &str, now: i64) -> Result<Note, ApiError> {
    let id: i64 = in_write_tx!(db, tx => async {
        let exists: Option<i64> =
            sqlx::query_scalar("SELECT id FROM organizations WHERE id = $1").bind(org).fetch_optional(&mut *tx).await?;
        if exists.is_none() {
            return Err(crate::db::organizations::history::not_found());
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO organization_notes (organization_id, agent_id, body, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(org)
        .bind(agent)
        .bind(body)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let summary = format!("Note added: \"{}\"", excerpt(body, 80));
        record_history!(tx, org, Some(agent), "note_added", summary.as_str(), json!({ "note_id": id }), now).await?;
        Ok::<i64, ApiError>(id)
    }.await)?;
    let sql = "SELECT n.id, n.body, n.agent_id, COALESCE(a.name, '') AS author_name, n.created_at \
               FROM organization_notes n LEFT JOIN agents a ON a.id = n.agent_id WHERE n.id = $1";
    let row: NoteRow = on_db!(db, pool => sqlx::query_as(sql).bind(id).fetch_one(pool).await)?;
    Ok(row.into_api())
}

/// Deletes note `note` of organization `org`: 404 when it is not that organization's,
/// 403 unless `agent` wrote it or `admin`.
pub async fn delete_note(db: &Db, org: i64, note: i64, agent: i64, admin: bool, now: i64) -> Result<(), ApiError> {
    in_write_tx!(db, tx => async {
        let row: Option<(Option<i64>, String)> =
            sqlx::query_as("SELECT agent_id, body FROM organization_notes WHERE id = $1 AND organization_id = $2")
                .bind(note)
                .bind(org)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((author, body)) = row else {
            return Err(ApiError::NotFound("This organization has no such note.".into()));
        };
        if !admin && author != Some(agent) {
            return Err(ApiError::Forbidden("Only the note's author or an administrator can delete it.".into()));
        }
        sqlx::query("DELETE FROM organization_notes WHERE id = $1").bind(note).execute(&mut *tx).await?;
        let summary = format!("Note deleted: \"{}\"", excerpt(&body, 80));
        record_history!(tx, org, Some(agent), "note_deleted", summary.as_str(), json!({ "note_id": note }), now).await?;
        Ok::<(), ApiError>(())
    }.await)
}

// ---------------------------------------------------------------------------
// Files

#[derive(sqlx::FromRow)]
struct FileRow {
    id: i64,
    name: String,
    content_type: String,
    size: i64,
    uploaded_by: String,
    created_at: i64,
}

impl FileRow {
    fn into_api(self) -> FileInfo {
        FileInfo {
            id: self.id,
            name: self.name,
            content_type: self.content_type,
            size: self.size,
            uploaded_by: self.uploaded_by,
            created_at: rfc3339(self.created_at),
        }
    }
}

/// Never the content: lists stay small.
const FILE_COLUMNS: &str = "f.id, f.name, f.content_type, f.size, COALESCE(a.name, '') AS uploaded_by, f.created_at \
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

/// Whether organization `org` exists (the upload checks before reading the body).
pub async fn organization_found(db: &Db, org: i64) -> Result<bool, sqlx::Error> {
    organization_exists(db, org).await
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
    let id: i64 = in_write_tx!(db, tx => async {
        let exists: Option<i64> =
            sqlx::query_scalar("SELECT id FROM organizations WHERE id = $1").bind(org).fetch_optional(&mut *tx).await?;
        if exists.is_none() {
            return Err(crate::db::organizations::history::not_found());
        }
        let id: i64 = sqlx::query_scalar(
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
        .fetch_one(&mut *tx)
        .await?;
        let summary = format!("File attached: {name} ({})", human_size(size));
        let details = json!({ "file_id": id, "name": name, "size": size });
        record_history!(tx, org, Some(agent), "file_added", summary.as_str(), details, now).await?;
        Ok::<i64, ApiError>(id)
    }.await)?;
    let sql = format!("SELECT {FILE_COLUMNS} WHERE f.id = $1");
    let row: FileRow = on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_one(pool).await)?;
    Ok(row.into_api())
}

/// Organization `org`'s files, newest first (without their content); `None` when there is no such organization.
pub async fn files(db: &Db, org: i64) -> Result<Option<Vec<FileInfo>>, sqlx::Error> {
    if !organization_exists(db, org).await? {
        return Ok(None);
    }
    let sql = format!("SELECT {FILE_COLUMNS} WHERE f.organization_id = $1 ORDER BY f.id DESC");
    let rows: Vec<FileRow> = on_db!(db, pool => sqlx::query_as(&sql).bind(org).fetch_all(pool).await)?;
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
               JOIN organizations o ON o.id = f.organization_id WHERE f.id = $1";
    on_db!(db, pool => sqlx::query_as(sql).bind(id).fetch_optional(pool).await)
}

/// Deletes file `id`, with a history entry on its organization. `Ok(false)` when there is no such file.
pub async fn delete_file(db: &Db, id: i64, agent: i64, now: i64) -> Result<bool, ApiError> {
    in_write_tx!(db, tx => async {
        let row: Option<(i64, String, i64)> = sqlx::query_as(
            "SELECT f.organization_id, f.name, f.size FROM organization_files f \
             JOIN organizations o ON o.id = f.organization_id WHERE f.id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((org, name, size)) = row else {
            return Ok::<bool, ApiError>(false);
        };
        sqlx::query("DELETE FROM organization_files WHERE id = $1").bind(id).execute(&mut *tx).await?;
        let summary = format!("File deleted: {name}");
        let details = json!({ "file_id": id, "name": name, "size": size });
        record_history!(tx, org, Some(agent), "file_deleted", summary.as_str(), details, now).await?;
        Ok(true)
    }.await)
}

#[cfg(test)]
mod tests {
    use super::*;
    use orgdesk_core::contact::ContactKind;

    fn entry(kind: ContactKind, value: &str) -> ContactEntry {
        ContactEntry { kind, label: String::new(), value: value.into() }
    }

    #[test]
    fn the_contact_diff_counts_added_and_removed_entries() {
        let a = entry(ContactKind::Phone, "+1 555 0100");
        let b = entry(ContactKind::Email, "info@acme.com");
        let c = entry(ContactKind::Website, "https://acme.com");
        let (added, removed) = contact_diff(&[a.clone(), b.clone()], &[b.clone(), c.clone()]);
        assert_eq!(added, [c]);
        assert_eq!(removed, std::slice::from_ref(&a));
        assert_eq!(contacts_summary(1, 1), "Contact information changed: 1 added, 1 removed");
        let (added, removed) = contact_diff(&[a.clone(), a.clone()], std::slice::from_ref(&a));
        assert!(added.is_empty());
        assert_eq!(removed, [a]);
    }

    #[test]
    fn sizes_read_well() {
        assert_eq!(human_size(12), "12 bytes");
        assert_eq!(human_size(12 * 1024), "12 KB");
        assert_eq!(human_size(10 * 1024 * 1024), "10.0 MB");
    }
}
