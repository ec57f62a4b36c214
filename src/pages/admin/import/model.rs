//! The wizard's pure parts, tested natively: the mapping dropdown's choices and
//! values, the options sent to the server, and the sentences the steps show.

use orgdesk_core::api::import::{
    BatchCounts, BatchStatus, ColumnMapping, DryRunReport, ExistingMode, ImportField, ImportOptions, ImportUpload,
};
use orgdesk_core::api::organization::PropertyDefinition;

use crate::text::count_of;

/// A field as an `<option>` value: `email`, `first_name`, `property:3`.
pub fn field_value(field: ImportField) -> String {
    match field {
        ImportField::Property { id } => format!("property:{id}"),
        other => serde_json::to_value(other)
            .ok()
            .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(str::to_string))
            .unwrap_or_else(|| "ignore".into()),
    }
}

/// The field an `<option>` value names (`ignore` for anything unknown).
pub fn parse_field(value: &str) -> ImportField {
    if let Some(id) = value.strip_prefix("property:").and_then(|id| id.parse().ok()) {
        return ImportField::Property { id };
    }
    ImportField::FIXED.into_iter().find(|f| field_value(*f) == value).unwrap_or(ImportField::Ignore)
}

/// The dropdown's choices: the fixed fields, then every organization property by label.
pub fn field_options(properties: &[PropertyDefinition]) -> Vec<(String, String)> {
    ImportField::FIXED
        .into_iter()
        .map(|f| (field_value(f), f.label().to_string()))
        .chain(
            properties
                .iter()
                .map(|p| (field_value(ImportField::Property { id: p.id }), format!("Property: {}", p.label))),
        )
        .collect()
}

/// One field per column, from the server's guesses (columns it did not guess are ignored).
pub fn guessed_fields(upload: &ImportUpload) -> Vec<ImportField> {
    let mut fields = vec![ImportField::Ignore; upload.headers.len()];
    for m in &upload.guessed {
        if let Some(slot) = fields.get_mut(m.column) {
            *slot = m.field;
        }
    }
    fields
}

/// One field per column from a mapping (a preset's, for these headers).
pub fn fields_of(mapping: &[ColumnMapping], columns: usize) -> Vec<ImportField> {
    let mut fields = vec![ImportField::Ignore; columns];
    for m in mapping {
        if let Some(slot) = fields.get_mut(m.column) {
            *slot = m.field;
        }
    }
    fields
}

/// What the wizard sends: every column that is not ignored.
pub fn options(
    fields: &[ImportField],
    existing: ExistingMode,
    create_organizations: bool,
    send_invitations: bool,
) -> ImportOptions {
    ImportOptions {
        mapping: fields
            .iter()
            .enumerate()
            .filter(|(_, f)| **f != ImportField::Ignore)
            .map(|(column, field)| ColumnMapping { column, field: *field })
            .collect(),
        existing,
        create_organizations,
        send_invitations,
    }
}

/// Columns mapped to a field another column has already: the server refuses such a
/// mapping, so the table says so at once. `(column, message)`.
pub fn duplicate_columns(fields: &[ImportField], headers: &[String]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, f) in fields.iter().enumerate() {
        if *f == ImportField::Ignore {
            continue;
        }
        if let Some(first) = fields[..i].iter().position(|g| g == f) {
            let header = headers.get(first).map(String::as_str).unwrap_or("");
            out.push((i, format!("Column “{}” is already mapped to this field.", column_name(header, first))));
        }
    }
    out
}

/// A header as people read it; an empty header is "Column 3".
pub fn column_name(header: &str, column: usize) -> String {
    let h = header.trim();
    if h.is_empty() {
        format!("Column {}", column + 1)
    } else {
        h.to_string()
    }
}

/// Whether the mapping can be tried: it needs an email or an organization name.
pub fn mapping_problem(fields: &[ImportField]) -> Option<&'static str> {
    let has = |f: ImportField| fields.contains(&f);
    (!has(ImportField::Email) && !has(ImportField::OrganizationName))
        .then_some("Map one column to Email (customers) or to Organization name (organizations).")
}

/// "312 rows · UTF-8 · Comma-separated · 12.4 KB".
pub fn upload_summary(upload: &ImportUpload, size: &str) -> String {
    format!(
        "{} · {} · {}-separated · {size}",
        rows_text(upload.rows),
        upload.encoding.label(),
        upload.delimiter.label()
    )
}

pub use crate::text::thousands;

/// "1 row" / "30,120 rows".
pub fn rows_text(n: i64) -> String {
    if n == 1 {
        "1 row".into()
    } else {
        format!("{} rows", thousands(n))
    }
}

/// The dry run's headline: "3 to create, 1 to update, 2 to skip, 1 invalid."
pub fn report_headline(report: &DryRunReport) -> String {
    format!(
        "{} to create, {} to update, {} to skip, {} invalid.",
        thousands(report.create),
        thousands(report.update),
        thousands(report.skip),
        thousands(report.invalid_total)
    )
}

/// The access sentence, or a plain "none" so the agent knows it was checked.
pub fn access_text(report: &DryRunReport) -> String {
    report.access.sentence().unwrap_or_else(|| "This import gives no customer new access in the portal.".into())
}

/// `(done, total)` of a running import, for the progress bar.
pub fn progress(status: &BatchStatus) -> Option<(i64, i64)> {
    match status {
        BatchStatus::Running { done, total } => Some((*done, *total)),
        _ => None,
    }
}

/// Percent done, 0..=100.
pub fn percent(done: i64, total: i64) -> i64 {
    if total <= 0 {
        0
    } else {
        (done.clamp(0, total) * 100) / total
    }
}

/// "2 customers created, 1 updated, 1 skipped, 1 invalid; 1 organization created."
pub fn counts_text(c: &BatchCounts) -> String {
    let mut s = format!(
        "{} created, {} updated, {} skipped, {} invalid",
        count_of(c.created_customers, "customer", "customers"),
        c.updated_customers,
        c.skipped,
        c.invalid
    );
    if c.created_organizations > 0 || c.updated_organizations > 0 {
        s.push_str(&format!(
            "; {} created, {} updated",
            count_of(c.created_organizations, "organization", "organizations"),
            c.updated_organizations
        ));
    }
    if c.invitations_sent > 0 {
        s.push_str(&format!("; {}", count_of(c.invitations_sent, "invitation sent", "invitations sent")));
    }
    s.push('.');
    s
}

/// A batch's status in words.
pub fn status_text(status: &BatchStatus) -> String {
    match status {
        BatchStatus::Running { done, total } => format!("Running ({done} of {total})"),
        BatchStatus::Done => "Done".into(),
        BatchStatus::Failed { reason } => format!("Failed: {reason}"),
        BatchStatus::Undone => "Undone".into(),
    }
}

#[cfg(test)]
mod tests {
    use orgdesk_core::api::import::{AccessReport, Delimiter, Encoding};

    use super::*;

    fn upload(headers: &[&str], guessed: Vec<ColumnMapping>) -> ImportUpload {
        ImportUpload {
            id: 1,
            file_name: "people.csv".into(),
            size: 100,
            encoding: Encoding::Utf8Bom,
            delimiter: Delimiter::Semicolon,
            headers: headers.iter().map(|h| h.to_string()).collect(),
            preview: vec![],
            rows: 12,
            guessed,
            expires_at: String::new(),
        }
    }

    #[test]
    fn every_field_round_trips_through_its_option_value() {
        for f in ImportField::FIXED.into_iter().chain([ImportField::Property { id: 7 }]) {
            assert_eq!(parse_field(&field_value(f)), f, "{f:?}");
        }
        assert_eq!(field_value(ImportField::FirstName), "first_name");
        assert_eq!(parse_field("nonsense"), ImportField::Ignore);
        assert_eq!(parse_field("property:x"), ImportField::Ignore);
    }

    #[test]
    fn unguessed_columns_are_ignored_and_ignored_columns_are_not_sent() {
        let u = upload(
            &["Mail", "Note", "Company"],
            vec![
                ColumnMapping { column: 0, field: ImportField::Email },
                ColumnMapping { column: 2, field: ImportField::OrganizationName },
            ],
        );
        let fields = guessed_fields(&u);
        assert_eq!(fields, vec![ImportField::Email, ImportField::Ignore, ImportField::OrganizationName]);
        let o = options(&fields, ExistingMode::FillEmpty, true, false);
        assert_eq!(o.mapping.len(), 2);
        assert_eq!(o.mapping[1], ColumnMapping { column: 2, field: ImportField::OrganizationName });
        assert_eq!(o.existing, ExistingMode::FillEmpty);
        assert!(o.create_organizations && !o.send_invitations);
    }

    #[test]
    fn a_field_mapped_twice_is_named_on_the_second_column() {
        let headers = vec!["Email".to_string(), "".to_string(), "Mail 2".to_string()];
        let fields = [ImportField::Email, ImportField::Ignore, ImportField::Email];
        assert_eq!(
            duplicate_columns(&fields, &headers),
            vec![(2, "Column “Email” is already mapped to this field.".to_string())]
        );
        assert!(duplicate_columns(&[ImportField::Ignore, ImportField::Ignore], &headers).is_empty());
        assert_eq!(column_name(" ", 1), "Column 2");
    }

    #[test]
    fn a_mapping_needs_an_email_or_an_organization_name() {
        assert!(mapping_problem(&[ImportField::FirstName]).is_some());
        assert!(mapping_problem(&[ImportField::Email]).is_none());
        assert!(mapping_problem(&[ImportField::OrganizationName]).is_none());
    }

    #[test]
    fn the_steps_speak_in_counts() {
        let u = upload(&["Email"], vec![]);
        assert_eq!(upload_summary(&u, "1.2 KB"), "12 rows · UTF-8 with BOM · Semicolon-separated · 1.2 KB");
        let report = DryRunReport { create: 3, update: 1, skip: 2, invalid_total: 1, ..Default::default() };
        assert_eq!(report_headline(&report), "3 to create, 1 to update, 2 to skip, 1 invalid.");
        let big = DryRunReport { create: 100_000, ..Default::default() };
        assert_eq!(report_headline(&big), "100,000 to create, 0 to update, 0 to skip, 0 invalid.");
        assert_eq!(access_text(&report), "This import gives no customer new access in the portal.");
        let granting = DryRunReport {
            access: AccessReport { joining_shared_organizations: 0, joining_org_wide_visibility: 0, new_managers: 2 },
            ..Default::default()
        };
        assert_eq!(access_text(&granting), "2 customers will become managers.");
    }

    #[test]
    fn big_numbers_are_grouped_by_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(100_000), "100,000");
        assert_eq!(thousands(-1_234_567), "-1,234,567");
        assert_eq!(rows_text(1), "1 row");
        assert_eq!(rows_text(30_120), "30,120 rows");
    }

    #[test]
    fn progress_is_a_percentage_of_the_rows() {
        assert_eq!(progress(&BatchStatus::Running { done: 5, total: 20 }), Some((5, 20)));
        assert_eq!(progress(&BatchStatus::Done), None);
        assert_eq!(percent(5, 20), 25);
        assert_eq!(percent(0, 0), 0);
        assert_eq!(percent(30, 20), 100);
    }

    #[test]
    fn a_batch_says_what_it_did() {
        let c = BatchCounts {
            created_customers: 2,
            updated_customers: 1,
            skipped: 1,
            invalid: 0,
            created_organizations: 1,
            ..Default::default()
        };
        assert_eq!(
            counts_text(&c),
            "2 customers created, 1 updated, 1 skipped, 0 invalid; 1 organization created, 0 updated."
        );
        assert_eq!(status_text(&BatchStatus::Failed { reason: "disk full".into() }), "Failed: disk full");
    }
}
