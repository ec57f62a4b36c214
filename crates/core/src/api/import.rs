//! CSV import of customers and organizations: upload, column mapping, a dry run
//! that shows what will change, one transaction, undo. The parsing and row rules are
//! in `crate::import`; these are the wire types.
//!
//! Who: any signed-in agent (agents and admins) may upload, dry-run, import and read
//! the history and presets; an import is undone by the agent who ran it or by an admin.
//! Customers' portal sessions get 401 everywhere here.
//!
//! Routes (all behind the agent session; state-changing ones need the CSRF header):
//! - `POST /api/imports/uploads` — `multipart/form-data` with exactly one part named
//!   `file` (its filename names the upload), at most [`MAX_IMPORT_BYTES`] → 201
//!   [`ImportUpload`]. The bytes are kept on the server for [`UPLOAD_TTL_HOURS`] hours
//!   and never sent again by the browser. Refusals store nothing: 413 when too large
//!   (the message names the limit); 422 on `file` when empty, binary (not text), with no
//!   header row, a row longer than [`MAX_ROW_BYTES`] or a field longer than
//!   [`MAX_FIELD_CHARS`], more than [`MAX_IMPORT_ROWS`] rows or [`MAX_COLUMNS`]
//!   columns, or with no column that can be the email or the organization name.
//! - `GET /api/imports/uploads/{id}` → [`ImportUpload`] (404 once expired or for
//!   another agent's upload).
//! - `POST /api/imports/uploads/{id}/dry-run` [`ImportOptions`] → [`DryRunReport`]
//!   (nothing is written). 422 on `mapping` when it maps no email and no organization
//!   name, maps one field twice, or names a column or property that does not exist.
//! - `POST /api/imports/uploads/{id}/rejected.csv` [`ImportOptions`] → `text/csv`
//!   attachment: the header row, a `reason` column last, and every rejected row as
//!   read (cells starting with `=`, `+`, `-` or `@` are prefixed with `'`).
//! - `POST /api/imports/uploads/{id}/import` [`ImportOptions`] → 202 [`ImportStarted`];
//!   the import runs in the background in ONE transaction (all or nothing). 409 when
//!   another import is running. Invalid rows are skipped, as the dry run said.
//! - `GET /api/imports/{batch_id}` → [`ImportBatch`] (poll it for the progress bar).
//! - `GET /api/imports?offset=&limit=` → [`ImportBatchPage`] (newest first).
//! - `POST /api/imports/{batch_id}/undo` → [`UndoReport`] (the importing agent or an
//!   admin; 409 when not `done` or already undone).
//! - `GET /api/import-presets` → `Vec<`[`ImportPreset`]`>` (by name);
//!   `POST` [`CreateImportPresetRequest`] → 201 [`ImportPreset`] (409 on a duplicate
//!   name, case-insensitively); `DELETE /api/import-presets/{id}` → 204.
//!
//! File shapes: a customers file has an email column (one customer per row, optionally
//! with the organization the customer belongs to, its domains and properties); an
//! organizations file has an organization name column and no email column (one
//! organization per row: name, domains, parent, properties). Custom properties are
//! organization properties: on customer rows they apply to the row's organization.

use serde::{Deserialize, Serialize};

/// The largest file accepted (fits 100,000 rows of ordinary customer data).
pub const MAX_IMPORT_BYTES: usize = 32 * 1024 * 1024;
/// The most data rows in one file (after the header row).
pub const MAX_IMPORT_ROWS: usize = 200_000;
/// The most columns in one file.
pub const MAX_COLUMNS: usize = 200;
/// The longest field, in characters.
pub const MAX_FIELD_CHARS: usize = 20_000;
/// The longest row (all its fields, as bytes in the file).
pub const MAX_ROW_BYTES: usize = 256 * 1024;
/// How many data rows [`ImportUpload::preview`] shows.
pub const PREVIEW_ROWS: usize = 10;
/// How many problems a [`DryRunReport`] lists (the total counts them all).
pub const MAX_REPORTED_PROBLEMS: usize = 1_000;
/// How many unmatched values a [`DryRunReport`] lists per column.
pub const MAX_UNMATCHED_VALUES: usize = 50;
/// How long an uploaded file is kept.
pub const UPLOAD_TTL_HOURS: i64 = 24;
/// A preset's name.
pub const MAX_PRESET_NAME: usize = 100;
/// A header name in a preset's mapping.
pub const MAX_HEADER_NAME: usize = 500;

/// How the file's bytes were read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    Utf8,
    /// UTF-8 starting with a byte order mark (Excel's "CSV UTF-8").
    Utf8Bom,
    /// Not valid UTF-8: read as Windows-1252 (Excel's "CSV" on Western Windows).
    Windows1252,
}

impl Encoding {
    pub fn label(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8 with BOM",
            Encoding::Windows1252 => "Windows-1252",
        }
    }
}

/// The character between fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Delimiter {
    Comma,
    Semicolon,
    Tab,
}

impl Delimiter {
    pub const ALL: [Delimiter; 3] = [Delimiter::Comma, Delimiter::Semicolon, Delimiter::Tab];

    pub fn byte(self) -> u8 {
        match self {
            Delimiter::Comma => b',',
            Delimiter::Semicolon => b';',
            Delimiter::Tab => b'\t',
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Delimiter::Comma => "Comma",
            Delimiter::Semicolon => "Semicolon",
            Delimiter::Tab => "Tab",
        }
    }
}

/// What a column holds. Serialized with a `kind` tag: `{"kind": "email"}`,
/// `{"kind": "property", "id": 3}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ImportField {
    /// Not imported (listed in the report's ignored columns).
    Ignore,
    /// The customer's email: customers are matched by it, case-insensitively.
    Email,
    FirstName,
    LastName,
    /// The organization of the row (customer rows: the customer's organization).
    OrganizationName,
    /// The organization's email domains, separated by `,`, `;` or spaces.
    OrganizationDomains,
    /// The customer's job title within the organization.
    Position,
    /// Whether the customer is a manager of the organization: yes/no, true/false,
    /// 1/0, x/empty, manager/member.
    Manager,
    /// The customer's phone number (the customer's `phone`, checked as the forms check it).
    Phone,
    /// A custom organization property.
    Property {
        id: i64,
    },
    /// The parent of the row's organization, by name (organizations files).
    ParentOrganization,
}

impl ImportField {
    /// What the mapping dropdown says (properties show their label instead).
    pub fn label(self) -> &'static str {
        match self {
            ImportField::Ignore => "Ignore",
            ImportField::Email => "Email",
            ImportField::FirstName => "First name",
            ImportField::LastName => "Last name",
            ImportField::OrganizationName => "Organization name",
            ImportField::OrganizationDomains => "Organization domains",
            ImportField::Position => "Position",
            ImportField::Manager => "Manager",
            ImportField::Phone => "Phone",
            ImportField::Property { .. } => "Property",
            ImportField::ParentOrganization => "Parent organization",
        }
    }

    /// The fixed fields, in the dropdown's order (properties come after them).
    pub const FIXED: [ImportField; 10] = [
        ImportField::Ignore,
        ImportField::Email,
        ImportField::FirstName,
        ImportField::LastName,
        ImportField::OrganizationName,
        ImportField::OrganizationDomains,
        ImportField::ParentOrganization,
        ImportField::Position,
        ImportField::Manager,
        ImportField::Phone,
    ];
}

/// One column's field; `column` is 0-based in the file's order. Columns not listed are ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ColumnMapping {
    pub column: usize,
    pub field: ImportField,
}

/// What happens to customers (by email) and organizations (by name) that exist already.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ExistingMode {
    /// Leave them as they are (the row counts as skipped).
    #[default]
    Skip,
    /// Set only the mapped fields that are empty now.
    FillEmpty,
    /// Set every mapped field that has a value in the file (empty cells change nothing).
    Overwrite,
}

impl ExistingMode {
    pub const ALL: [ExistingMode; 3] = [ExistingMode::Skip, ExistingMode::FillEmpty, ExistingMode::Overwrite];

    pub fn label(self) -> &'static str {
        match self {
            ExistingMode::Skip => "Skip",
            ExistingMode::FillEmpty => "Fill empty fields",
            ExistingMode::Overwrite => "Overwrite mapped fields",
        }
    }
}

/// The choices of the mapping step, sent to the dry run, the rejected rows and the import.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ImportOptions {
    pub mapping: Vec<ColumnMapping>,
    #[serde(default)]
    pub existing: ExistingMode,
    /// Organizations named on customer rows that do not exist are created; when off,
    /// such rows are invalid ("unknown organization"). An organizations file (no email
    /// column) creates its rows' organizations either way. Organizations created for an
    /// email domain follow the admins' automatic-association switch, not this one.
    #[serde(default)]
    pub create_organizations: bool,
    /// New customers get a portal invitation email (through the outbox). Off by default:
    /// an import sends no email otherwise.
    #[serde(default)]
    pub send_invitations: bool,
}

/// An uploaded file, read and ready to map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportUpload {
    pub id: i64,
    pub file_name: String,
    /// Bytes.
    pub size: i64,
    pub encoding: Encoding,
    pub delimiter: Delimiter,
    /// The header row's cells (empty headers are `""`).
    pub headers: Vec<String>,
    /// The first [`PREVIEW_ROWS`] data rows, each padded or cut to the header's width.
    pub preview: Vec<Vec<String>>,
    /// Data rows in the file (the header row not counted).
    pub rows: i64,
    /// The server's guess for each column, in column order (`ignore` when unsure).
    pub guessed: Vec<ColumnMapping>,
    /// RFC 3339, UTC: when the server forgets the file.
    pub expires_at: String,
}

/// Why a row is rejected (or a remark about it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RowProblem {
    /// The row's first line in the file, 1-based (the header is line 1).
    pub line: i64,
    pub reason: String,
    /// The 0-based column the problem is in, when it is one column's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
}

/// Values of a column that match nothing: unknown property choices, unknown parents.
/// The rows holding them are imported without that value (they are not rejected).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnmatchedValues {
    pub column: usize,
    pub header: String,
    /// Distinct values, at most [`MAX_UNMATCHED_VALUES`], in the order first seen.
    pub values: Vec<String>,
    /// Rows holding one of them.
    pub rows: i64,
}

/// The access an import grants in the customer portal.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccessReport {
    /// Customers who join (or move to) an organization that has projects shared with it:
    /// they will see those projects' items in the portal.
    pub joining_shared_organizations: i64,
    /// Customers who join an organization where members see all its items.
    pub joining_org_wide_visibility: i64,
    /// Customers who become managers of their organization.
    pub new_managers: i64,
}

impl AccessReport {
    /// "12 customers will join organizations whose projects are shared; 3 become
    /// managers." — or `None` when the import grants no access.
    pub fn sentence(&self) -> Option<String> {
        let n = |k: i64, one: &str, many: &str| format!("{k} {}", if k == 1 { one } else { many });
        let mut parts = Vec::new();
        if self.joining_shared_organizations > 0 {
            parts.push(format!(
                "{} join organizations whose projects are shared with them",
                n(self.joining_shared_organizations, "customer will", "customers will")
            ));
        }
        if self.joining_org_wide_visibility > 0 {
            parts.push(format!(
                "{} see all items of their organization",
                n(self.joining_org_wide_visibility, "customer will", "customers will")
            ));
        }
        if self.new_managers > 0 {
            parts.push(if self.new_managers == 1 {
                "1 customer will become a manager".to_string()
            } else {
                format!("{} customers will become managers", self.new_managers)
            });
        }
        (!parts.is_empty()).then(|| format!("{}.", parts.join("; ")))
    }
}

/// What an import with these options would do; nothing is written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DryRunReport {
    /// Data rows read.
    pub rows: i64,
    /// Customers to create (organizations files: organizations to create from rows).
    pub create: i64,
    /// Existing customers (or organizations) whose fields change.
    pub update: i64,
    /// Existing customers (or organizations) left as they are.
    pub skip: i64,
    /// Organizations to create (named by rows, or auto-created by domain association).
    pub organizations_to_create: i64,
    /// Rejected rows, at most [`MAX_REPORTED_PROBLEMS`], by line.
    pub invalid: Vec<RowProblem>,
    /// Every rejected row.
    pub invalid_total: i64,
    /// Header names of the columns mapped to nothing.
    pub ignored_columns: Vec<String>,
    pub unmatched_values: Vec<UnmatchedValues>,
    pub access: AccessReport,
}

/// The answer to starting an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportStarted {
    pub batch_id: i64,
}

/// Where an import is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum BatchStatus {
    /// Rows written so far of all (nothing is visible to others before it is done).
    Running {
        done: i64,
        total: i64,
    },
    Done,
    /// Nothing was written.
    Failed {
        reason: String,
    },
    /// Undone (by whom, when: see the batch).
    Undone,
}

/// What an import did (the dry run's numbers, as written).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BatchCounts {
    pub created_customers: i64,
    pub updated_customers: i64,
    pub skipped: i64,
    pub invalid: i64,
    pub created_organizations: i64,
    pub updated_organizations: i64,
    pub invitations_sent: i64,
}

/// One import, in Import history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportBatch {
    pub id: i64,
    pub file_name: String,
    pub agent_id: Option<i64>,
    /// The importing agent's name.
    pub agent: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub finished_at: Option<String>,
    pub status: BatchStatus,
    pub counts: BatchCounts,
    pub options: ImportOptions,
    /// RFC 3339, UTC, and who (the agent's email), when undone.
    pub undone_at: Option<String>,
    pub undone_by: Option<String>,
    /// The signed-in agent may undo it now (done, and theirs or an admin).
    pub can_undo: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportBatchPage {
    pub items: Vec<ImportBatch>,
    pub total: i64,
    pub offset: i64,
    pub limit: i64,
}

/// What undo did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UndoReport {
    pub removed_customers: i64,
    pub removed_organizations: i64,
    /// Customers and organizations whose changed fields were set back.
    pub restored: i64,
    /// Records edited since the import, kept as they are: "Ann Lee <ann@acme.test>",
    /// "Organization Acme".
    pub kept_edited: Vec<String>,
}

/// One column of a preset: the header it applies to (case-insensitive) and its field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PresetColumn {
    pub header: String,
    pub field: ImportField,
}

/// A saved mapping, applied to any file by its header names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportPreset {
    pub id: i64,
    pub name: String,
    pub columns: Vec<PresetColumn>,
    pub existing: ExistingMode,
    pub create_organizations: bool,
    /// RFC 3339, UTC.
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateImportPresetRequest {
    pub name: String,
    pub columns: Vec<PresetColumn>,
    #[serde(default)]
    pub existing: ExistingMode,
    #[serde(default)]
    pub create_organizations: bool,
}

impl ImportPreset {
    /// The mapping this preset gives a file with these headers (header names compared
    /// trimmed and case-insensitively; columns it does not name are ignored).
    pub fn mapping_for(&self, headers: &[String]) -> Vec<ColumnMapping> {
        headers
            .iter()
            .enumerate()
            .map(|(column, header)| {
                let key = header.trim().to_lowercase();
                let field = self
                    .columns
                    .iter()
                    .find(|c| c.header.trim().to_lowercase() == key)
                    .map_or(ImportField::Ignore, |c| c.field);
                ColumnMapping { column, field }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_tagged_with_their_kind() {
        assert_eq!(serde_json::to_string(&ImportField::Email).unwrap(), r#"{"kind":"email"}"#);
        assert_eq!(serde_json::to_string(&ImportField::Property { id: 3 }).unwrap(), r#"{"kind":"property","id":3}"#);
        let back: ImportField = serde_json::from_str(r#"{"kind":"parent_organization"}"#).unwrap();
        assert_eq!(back, ImportField::ParentOrganization);
    }

    #[test]
    fn options_default_to_skip_without_creating_or_inviting() {
        let options: ImportOptions = serde_json::from_str(r#"{"mapping":[]}"#).unwrap();
        assert_eq!(options.existing, ExistingMode::Skip);
        assert!(!options.create_organizations && !options.send_invitations);
    }

    #[test]
    fn the_status_is_tagged_with_its_state() {
        let s = serde_json::to_string(&BatchStatus::Running { done: 5, total: 10 }).unwrap();
        assert_eq!(s, r#"{"state":"running","done":5,"total":10}"#);
    }

    #[test]
    fn the_access_sentence_counts_what_is_granted() {
        assert_eq!(AccessReport::default().sentence(), None);
        let r = AccessReport { joining_shared_organizations: 12, joining_org_wide_visibility: 0, new_managers: 1 };
        assert_eq!(
            r.sentence().unwrap(),
            "12 customers will join organizations whose projects are shared with them; 1 customer will become a manager."
        );
    }

    #[test]
    fn a_preset_maps_by_header_name() {
        let preset = ImportPreset {
            id: 1,
            name: "CRM".into(),
            columns: vec![PresetColumn { header: "E-Mail".into(), field: ImportField::Email }],
            existing: ExistingMode::Skip,
            create_organizations: false,
            created_at: String::new(),
        };
        let mapping = preset.mapping_for(&["Name".into(), " e-mail ".into()]);
        assert_eq!(
            mapping,
            vec![
                ColumnMapping { column: 0, field: ImportField::Ignore },
                ColumnMapping { column: 1, field: ImportField::Email }
            ]
        );
    }
}
