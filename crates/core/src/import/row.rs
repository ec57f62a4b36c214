//! One row, checked: the mapping is checked once against the file ([`check_mapping`]),
//! then each row's cells become [`RowValues`] with the same rules as the forms
//! (emails, names, positions, domains, property values), or the reason it is rejected.

use serde_json::Value;

use crate::api::import::{ColumnMapping, ImportField};
use crate::api::organization::MAX_POSITION;
use crate::customer::{parse_domain_list, parse_organization_name, parse_phone_number, parse_short_text};
use crate::domain::{check_organization_domain, Domain};
use crate::email::Email;
use crate::properties::{validate_value, PropertyDefinitionInput, PropertyKind};

/// A custom organization property as the import reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct PropertyDef {
    pub id: i64,
    pub def: PropertyDefinitionInput,
}

/// Which column holds which field, checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Columns {
    pub email: Option<usize>,
    pub first_name: Option<usize>,
    pub last_name: Option<usize>,
    pub organization: Option<usize>,
    pub domains: Option<usize>,
    pub parent: Option<usize>,
    pub position: Option<usize>,
    pub manager: Option<usize>,
    pub phone: Option<usize>,
    /// (column, index into the property list)
    pub properties: Vec<(usize, usize)>,
    /// Columns mapped to nothing (or not named in the mapping), in order.
    pub ignored: Vec<usize>,
}

impl Columns {
    /// A customers file (one customer per row); else an organizations file.
    pub fn is_customers(&self) -> bool {
        self.email.is_some()
    }
}

/// Checks a mapping against a file `width` columns wide: each column and each field
/// (but `ignore`) at most once, properties that exist, and an email or an organization
/// name column. The message is for the `mapping` field.
pub fn check_mapping(mapping: &[ColumnMapping], width: usize, properties: &[PropertyDef]) -> Result<Columns, String> {
    let mut columns = Columns::default();
    let mut seen_columns = vec![false; width];
    for m in mapping {
        if m.column >= width {
            return Err(format!("Column {} does not exist: the file has {width} columns.", m.column + 1));
        }
        if std::mem::replace(&mut seen_columns[m.column], true) {
            return Err(format!("Column {} is mapped twice.", m.column + 1));
        }
        let slot = match m.field {
            ImportField::Ignore => {
                columns.ignored.push(m.column);
                continue;
            }
            ImportField::Property { id } => {
                let Some(index) = properties.iter().position(|p| p.id == id) else {
                    return Err(format!("Column {} is mapped to a property that does not exist.", m.column + 1));
                };
                if columns.properties.iter().any(|&(_, i)| i == index) {
                    return Err(format!("{} is mapped to two columns.", properties[index].def.label));
                }
                columns.properties.push((m.column, index));
                continue;
            }
            ImportField::Email => &mut columns.email,
            ImportField::FirstName => &mut columns.first_name,
            ImportField::LastName => &mut columns.last_name,
            ImportField::OrganizationName => &mut columns.organization,
            ImportField::OrganizationDomains => &mut columns.domains,
            ImportField::ParentOrganization => &mut columns.parent,
            ImportField::Position => &mut columns.position,
            ImportField::Manager => &mut columns.manager,
            ImportField::Phone => &mut columns.phone,
        };
        if slot.is_some() {
            return Err(format!("{} is mapped to two columns.", m.field.label()));
        }
        *slot = Some(m.column);
    }
    for (c, seen) in seen_columns.iter().enumerate() {
        if !seen {
            columns.ignored.push(c);
        }
    }
    columns.ignored.sort_unstable();
    if columns.email.is_none() {
        if columns.organization.is_none() {
            return Err(
                "Map a column to Email (a customers file) or to Organization name (an organizations file).".into()
            );
        }
        let customer_only = [columns.first_name, columns.last_name, columns.position, columns.manager, columns.phone];
        if customer_only.iter().any(Option::is_some) {
            return Err("Names, positions, manager and phone are customers' fields: map a column to Email too.".into());
        }
    }
    if columns.organization.is_none() {
        let org_only = [columns.domains, columns.parent];
        if org_only.iter().any(Option::is_some) || !columns.properties.is_empty() {
            return Err(
                "Domains, parent and properties belong to an organization: map a column to Organization name too."
                    .into(),
            );
        }
    }
    Ok(columns)
}

/// One row's values; `None` is an empty cell (or an unmapped field), which changes nothing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RowValues {
    pub email: Option<Email>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub organization: Option<String>,
    pub domains: Option<Vec<Domain>>,
    pub parent: Option<String>,
    pub position: Option<String>,
    pub manager: Option<bool>,
    pub phone: Option<String>,
    /// (index into the property list, normalized value)
    pub properties: Vec<(usize, Value)>,
    /// Values matching no choice of their property: (column, value). The row is kept
    /// without them.
    pub unmatched: Vec<(usize, String)>,
}

/// Why a row is rejected: the message and the column it is about.
pub type RowError = (String, Option<usize>);

/// "yes"/"no" and their like, as the manager column and checkboxes read them.
pub fn parse_manager(value: &str) -> Result<Option<bool>, String> {
    match value.trim().to_lowercase().as_str() {
        "" => Ok(None),
        "yes" | "y" | "true" | "1" | "x" | "manager" | "✓" | "✔" | "ja" | "oui" => Ok(Some(true)),
        "no" | "n" | "false" | "0" | "member" | "-" | "nein" | "non" => Ok(Some(false)),
        other => Err(format!("\"{other}\" is not yes or no.")),
    }
}

/// A cell's text as a property value of `def`'s kind: `Ok(None)` when empty.
/// Choices are matched case-insensitively; multiple choices are separated by `;` or `|`.
/// Choices that match nothing are returned apart (not an error).
fn property_value(def: &PropertyDefinitionInput, cell: &str) -> Result<(Option<Value>, Vec<String>), String> {
    let cell = cell.trim();
    if cell.is_empty() {
        return Ok((None, Vec::new()));
    }
    let find = |s: &str| def.options.iter().find(|o| o.to_lowercase() == s.trim().to_lowercase()).cloned();
    let mut unmatched = Vec::new();
    let value = match def.kind {
        PropertyKind::Text | PropertyKind::LongText | PropertyKind::Date => Value::String(cell.to_string()),
        PropertyKind::Number => {
            let n: f64 = cell.parse().map_err(|_| format!("\"{cell}\" is not a number."))?;
            Value::Number(serde_json::Number::from_f64(n).ok_or_else(|| format!("\"{cell}\" is not a number."))?)
        }
        PropertyKind::Checkbox => match parse_manager(cell) {
            Ok(Some(b)) => Value::Bool(b),
            _ => return Err(format!("\"{cell}\" is not yes or no.")),
        },
        PropertyKind::SingleChoice => match find(cell) {
            Some(o) => Value::String(o),
            None => return Ok((None, vec![cell.to_string()])),
        },
        PropertyKind::MultipleChoice => {
            let mut chosen = Vec::new();
            for part in cell.split([';', '|']).map(str::trim).filter(|p| !p.is_empty()) {
                match find(part) {
                    Some(o) => chosen.push(Value::String(o)),
                    None => unmatched.push(part.to_string()),
                }
            }
            if chosen.is_empty() {
                return Ok((None, unmatched));
            }
            Value::Array(chosen)
        }
    };
    let checked = validate_value(def, &value).map_err(|e| format!("{}: {e}", def.label))?;
    Ok((checked, unmatched))
}

fn cell(fields: &[String], column: Option<usize>) -> Option<(usize, &str)> {
    let c = column?;
    let value = fields.get(c).map(|s| s.trim()).unwrap_or("");
    (!value.is_empty()).then_some((c, value))
}

/// Reads one row with the checked columns. `extra_public` are the admins' extra public
/// email providers (an organization's domains may not be one).
pub fn read_row(
    fields: &[String],
    columns: &Columns,
    properties: &[PropertyDef],
    extra_public: &[String],
) -> Result<RowValues, RowError> {
    let mut row = RowValues::default();
    let at = |c: usize| move |e: String| (e, Some(c));
    if let Some(c) = columns.email {
        match cell(fields, Some(c)) {
            None => return Err(("The email is empty.".into(), Some(c))),
            Some((c, v)) => row.email = Some(Email::parse(v).map_err(|e| (format!("{v}: {e}"), Some(c)))?),
        }
    }
    if let Some((c, v)) = cell(fields, columns.organization) {
        row.organization = Some(parse_organization_name(v).map_err(at(c))?);
    } else if columns.email.is_none() {
        return Err(("The organization name is empty.".into(), columns.organization));
    }
    if let Some((c, v)) = cell(fields, columns.first_name) {
        row.first_name = Some(parse_short_text(v, "A first name").map_err(at(c))?);
    }
    if let Some((c, v)) = cell(fields, columns.last_name) {
        row.last_name = Some(parse_short_text(v, "A last name").map_err(at(c))?);
    }
    let has_org = row.organization.is_some();
    let org_only = |c: usize| (format!("Column {} needs an organization on the row.", c + 1), Some(c));
    if let Some((c, v)) = cell(fields, columns.position) {
        if v.chars().count() > MAX_POSITION {
            return Err((format!("A position has at most {MAX_POSITION} characters."), Some(c)));
        }
        row.position = Some(parse_short_text(v, "A position").map_err(at(c))?);
    }
    if let Some((c, v)) = cell(fields, columns.manager) {
        row.manager = parse_manager(v).map_err(at(c))?;
    }
    if let Some((c, v)) = cell(fields, columns.phone) {
        row.phone = Some(parse_phone_number(v).map_err(at(c))?);
    }
    if let Some((c, v)) = cell(fields, columns.domains) {
        if !has_org {
            return Err(org_only(c));
        }
        let parts: Vec<String> =
            v.split([',', ';', ' ', '|', '\n']).filter(|s| !s.trim().is_empty()).map(str::to_string).collect();
        let domains = parse_domain_list(&parts, crate::limits::MAX_DOMAINS).map_err(at(c))?;
        for d in &domains {
            check_organization_domain(d, extra_public).map_err(at(c))?;
        }
        row.domains = Some(domains);
    }
    if let Some((c, v)) = cell(fields, columns.parent) {
        if !has_org {
            return Err(org_only(c));
        }
        let parent = parse_organization_name(v).map_err(at(c))?;
        if crate::customer::organization_name_key(&parent)
            == crate::customer::organization_name_key(row.organization.as_deref().unwrap_or(""))
        {
            return Err(("An organization cannot be its own parent.".into(), Some(c)));
        }
        row.parent = Some(parent);
    }
    for &(c, index) in &columns.properties {
        let Some((c, v)) = cell(fields, Some(c)) else { continue };
        if !has_org {
            return Err(org_only(c));
        }
        let (value, unmatched) = property_value(&properties[index].def, v).map_err(at(c))?;
        if let Some(value) = value {
            row.properties.push((index, value));
        }
        row.unmatched.extend(unmatched.into_iter().map(|u| (c, u)));
    }
    Ok(row)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn props() -> Vec<PropertyDef> {
        let def = |label: &str, kind, options: &[&str]| PropertyDefinitionInput {
            label: label.into(),
            kind,
            required: false,
            options: options.iter().map(|s| s.to_string()).collect(),
        };
        vec![
            PropertyDef { id: 1, def: def("Tier", PropertyKind::SingleChoice, &["Gold", "Silver"]) },
            PropertyDef { id: 2, def: def("Seats", PropertyKind::Number, &[]) },
            PropertyDef { id: 3, def: def("Since", PropertyKind::Date, &[]) },
            PropertyDef { id: 4, def: def("Tags", PropertyKind::MultipleChoice, &["a", "b", "c"]) },
            PropertyDef { id: 5, def: def("VIP", PropertyKind::Checkbox, &[]) },
        ]
    }

    fn mapping(fields: &[ImportField]) -> Vec<ColumnMapping> {
        fields.iter().enumerate().map(|(column, &field)| ColumnMapping { column, field }).collect()
    }

    use ImportField::*;

    const CUSTOMER_FILE: &[ImportField] = &[
        Email,
        FirstName,
        LastName,
        OrganizationName,
        Position,
        Manager,
        Phone,
        Property { id: 1 },
        Property { id: 2 },
        Property { id: 3 },
        Property { id: 4 },
        Property { id: 5 },
        OrganizationDomains,
    ];

    fn read(cells: &[&str]) -> Result<RowValues, RowError> {
        let columns = check_mapping(&mapping(CUSTOMER_FILE), CUSTOMER_FILE.len(), &props()).unwrap();
        let fields: Vec<String> = cells.iter().map(|s| s.to_string()).collect();
        read_row(&fields, &columns, &props(), &["corp-mail.test".to_string()])
    }

    #[test]
    fn a_full_row_reads_normalized() {
        let row = read(&[
            " Ann@Acme.TEST ",
            "Ann",
            "Lee",
            "Acme",
            "CTO",
            "yes",
            "+41 44 123",
            "gold",
            "12.5",
            "2026-01-31",
            "a; C|zz",
            "x",
            "acme.test, acme.example",
        ])
        .unwrap();
        assert_eq!(row.email.unwrap().as_str(), "ann@acme.test");
        assert_eq!(row.organization.as_deref(), Some("Acme"));
        assert_eq!(row.manager, Some(true));
        assert_eq!(row.domains.unwrap().len(), 2);
        assert_eq!(
            row.properties,
            vec![
                (0, json!("Gold")),
                (1, json!(12.5)),
                (2, json!("2026-01-31")),
                (3, json!(["a", "c"])),
                (4, json!(true))
            ]
        );
        assert_eq!(row.unmatched, vec![(10, "zz".to_string())]);
    }

    #[test]
    fn empty_cells_change_nothing() {
        let row = read(&["bo@acme.test", "", "", "", "", "", "", "", "", "", "", "", ""]).unwrap();
        assert_eq!(
            row,
            RowValues { email: Some(crate::email::Email::parse("bo@acme.test").unwrap()), ..Default::default() }
        );
        // A short row is read as if padded.
        assert!(read(&["bo@acme.test"]).is_ok());
    }

    #[test]
    fn bad_values_are_rejected_naming_the_column() {
        let base = ["c@acme.test", "", "", "Acme", "", "", "", "", "", "", "", "", ""];
        let cases: &[(usize, &str, &str)] = &[
            (0, "not-an-email", "An email address looks like"),
            (0, "", "The email is empty."),
            (1, &"x".repeat(121), "at most 120 characters"),
            (4, &"p".repeat(101), "at most 100 characters"),
            (5, "perhaps", "is not yes or no"),
            (6, "call me", "is not a phone number"),
            (8, "twelve", "is not a number"),
            (9, "31.01.2026", "YYYY-MM-DD"),
            (11, "maybe", "is not yes or no"),
            (12, "gmail.com", "public email provider"),
            (12, "corp-mail.test", "public email provider"),
            (12, "not a domain!", ""),
        ];
        for &(column, value, reason) in cases {
            let mut cells = base;
            cells[column] = value;
            let (message, at) = read(&cells).unwrap_err();
            assert!(message.contains(reason), "{value:?}: {message}");
            assert_eq!(at, Some(column), "{value:?}");
        }
    }

    #[test]
    fn an_unknown_choice_is_unmatched_not_rejected() {
        let row = read(&["c@acme.test", "", "", "Acme", "", "", "", "Platinum", "", "", "", "", ""]).unwrap();
        assert!(row.properties.is_empty());
        assert_eq!(row.unmatched, vec![(7, "Platinum".to_string())]);
    }

    #[test]
    fn organization_fields_need_an_organization_on_the_row() {
        let (message, at) =
            read(&["c@acme.test", "", "", "", "", "", "", "", "", "", "", "", "acme.test"]).unwrap_err();
        assert!(message.contains("needs an organization"), "{message}");
        assert_eq!(at, Some(12));
        // Position and manager apply to whichever organization the customer is in.
        assert_eq!(read(&["c@acme.test", "", "", "", "Boss", "yes"]).unwrap().manager, Some(true));
    }

    #[test]
    fn mappings_are_checked() {
        let p = props();
        let bad: &[(&[ImportField], &str)] = &[
            (&[FirstName, LastName], "Map a column to Email"),
            (&[Email, Email], "Email is mapped to two columns"),
            (&[Email, Property { id: 99 }], "does not exist"),
            (&[OrganizationName, FirstName], "customers' fields"),
            (&[Email, Property { id: 1 }], "map a column to Organization name"),
        ];
        for (fields, message) in bad {
            let err = check_mapping(&mapping(fields), fields.len(), &p).unwrap_err();
            assert!(err.contains(message), "{fields:?}: {err}");
        }
        let err = check_mapping(&[ColumnMapping { column: 3, field: Email }], 2, &p).unwrap_err();
        assert!(err.contains("Column 4 does not exist"), "{err}");
        let twice = [ColumnMapping { column: 0, field: Email }, ColumnMapping { column: 0, field: FirstName }];
        assert!(check_mapping(&twice, 1, &p).unwrap_err().contains("mapped twice"));
        let ok = check_mapping(&mapping(&[OrganizationName, OrganizationDomains, ParentOrganization]), 4, &p).unwrap();
        assert!(!ok.is_customers());
        assert_eq!(ok.ignored, vec![3]);
    }

    #[test]
    fn an_organizations_row_needs_a_name_and_not_itself_as_parent() {
        let p = props();
        let columns = check_mapping(&mapping(&[OrganizationName, ParentOrganization]), 2, &p).unwrap();
        let row = |a: &str, b: &str| read_row(&[a.to_string(), b.to_string()], &columns, &p, &[]);
        assert_eq!(row("Acme EU", "Acme").unwrap().parent.as_deref(), Some("Acme"));
        assert!(row("", "Acme").unwrap_err().0.contains("organization name is empty"));
        assert!(row("Acme", "ACME").unwrap_err().0.contains("its own parent"));
    }
}
