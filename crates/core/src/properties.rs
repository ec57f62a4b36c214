//! Custom organization properties: admins define the fields, agents fill them in.
//!
//! On the wire a value is JSON shaped by its field's kind: text, long text, date
//! (`"2026-11-23"`) and single choice are strings, a number is a number, a multiple
//! choice is an array of strings, a checkbox is a boolean, and `null` (or an empty
//! string or array) means empty. [`validate_value`] decides, in the form and on the server.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::customer::parse_short_text;
use crate::word::Word;

/// The kinds of field an admin can define.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PropertyKind {
    Text,
    LongText,
    Number,
    Date,
    SingleChoice,
    MultipleChoice,
    Checkbox,
}

impl Word for PropertyKind {
    const ALL: &'static [PropertyKind] = &[
        PropertyKind::Text,
        PropertyKind::LongText,
        PropertyKind::Number,
        PropertyKind::Date,
        PropertyKind::SingleChoice,
        PropertyKind::MultipleChoice,
        PropertyKind::Checkbox,
    ];

    fn as_str(self) -> &'static str {
        match self {
            PropertyKind::Text => "text",
            PropertyKind::LongText => "long_text",
            PropertyKind::Number => "number",
            PropertyKind::Date => "date",
            PropertyKind::SingleChoice => "single_choice",
            PropertyKind::MultipleChoice => "multiple_choice",
            PropertyKind::Checkbox => "checkbox",
        }
    }
}

impl PropertyKind {
    pub fn label(self) -> &'static str {
        match self {
            PropertyKind::Text => "Text",
            PropertyKind::LongText => "Long text",
            PropertyKind::Number => "Number",
            PropertyKind::Date => "Date",
            PropertyKind::SingleChoice => "Single choice",
            PropertyKind::MultipleChoice => "Multiple choice",
            PropertyKind::Checkbox => "Checkbox",
        }
    }

    pub fn has_options(self) -> bool {
        matches!(self, PropertyKind::SingleChoice | PropertyKind::MultipleChoice)
    }
}

/// The longest text value, and the longest long-text value, in characters.
pub const MAX_TEXT_VALUE: usize = 500;
pub const MAX_LONG_TEXT_VALUE: usize = 10_000;
/// The most options a choice field has.
pub const MAX_OPTIONS: usize = 100;

/// A field definition as admins write it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PropertyDefinitionInput {
    pub label: String,
    pub kind: PropertyKind,
    #[serde(default)]
    pub required: bool,
    /// The choices of a single or multiple choice field, in order; empty for other kinds.
    #[serde(default)]
    pub options: Vec<String>,
}

/// A definition's rules, checked: a trimmed label, trimmed distinct options where the kind has them.
pub fn validate_definition(input: &PropertyDefinitionInput) -> Result<PropertyDefinitionInput, crate::FieldErrors> {
    let mut errors = crate::FieldErrors::new();
    let label = match parse_short_text(&input.label, "A label") {
        Ok(l) if l.is_empty() => {
            errors.insert("label".into(), "Enter a label.".into());
            l
        }
        Ok(l) => l,
        Err(e) => {
            errors.insert("label".into(), e);
            String::new()
        }
    };
    let mut options: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    if input.kind.has_options() && input.options.len() <= MAX_OPTIONS {
        for raw in &input.options {
            match parse_short_text(raw, "An option") {
                Ok(o) if o.is_empty() => {
                    errors.insert("options".into(), "Options cannot be empty.".into());
                }
                Ok(o) if !seen.insert(o.to_lowercase()) => {
                    errors.insert("options".into(), format!("\"{o}\" is listed twice."));
                }
                Ok(o) => options.push(o),
                Err(e) => {
                    errors.insert("options".into(), e);
                }
            }
        }
        if input.options.is_empty() {
            errors.insert("options".into(), "A choice field needs at least one option.".into());
        }
    } else if input.kind.has_options() {
        errors.insert("options".into(), format!("A choice field has at most {MAX_OPTIONS} options."));
    } else if !input.options.is_empty() {
        errors.insert("options".into(), format!("A {} field has no options.", input.kind.label().to_lowercase()));
    }
    if errors.is_empty() {
        Ok(PropertyDefinitionInput { label, kind: input.kind, required: input.required, options })
    } else {
        Err(errors)
    }
}

/// Checks one value against its field. `Ok(None)` is an empty value (allowed unless
/// the field is required); `Ok(Some(v))` is the value to store, normalized (trimmed
/// text, options in the field's order).
pub fn validate_value(def: &PropertyDefinitionInput, value: &Value) -> Result<Option<Value>, String> {
    let normalized = match (def.kind, value) {
        (_, Value::Null) => None,
        (PropertyKind::Text | PropertyKind::LongText, Value::String(s)) => {
            let max = if def.kind == PropertyKind::Text { MAX_TEXT_VALUE } else { MAX_LONG_TEXT_VALUE };
            let s = s.trim();
            if s.chars().count() > max {
                return Err(format!("At most {max} characters."));
            }
            if def.kind == PropertyKind::Text && s.chars().any(char::is_control) {
                return Err("One line of text, without control characters.".into());
            }
            (!s.is_empty()).then(|| Value::String(s.to_string()))
        }
        (PropertyKind::Number, Value::Number(n)) => match n.as_f64() {
            Some(f) if f.is_finite() => Some(Value::Number(n.clone())),
            _ => return Err("Enter a number.".into()),
        },
        (PropertyKind::Number, Value::String(s)) if s.trim().is_empty() => None,
        (PropertyKind::Date, Value::String(s)) => {
            let s = s.trim();
            if s.is_empty() {
                None
            } else if parse_date(s).is_some() {
                Some(Value::String(s.to_string()))
            } else {
                return Err("Enter a date as YYYY-MM-DD.".into());
            }
        }
        (PropertyKind::SingleChoice, Value::String(s)) => {
            let s = s.trim();
            if s.is_empty() {
                None
            } else {
                match def.options.iter().find(|o| o.as_str() == s) {
                    Some(o) => Some(Value::String(o.clone())),
                    None => return Err(format!("\"{s}\" is not one of the choices.")),
                }
            }
        }
        (PropertyKind::MultipleChoice, Value::Array(items)) => {
            let options: std::collections::HashSet<&str> = def.options.iter().map(String::as_str).collect();
            let mut chosen = std::collections::HashSet::new();
            for item in items {
                let Value::String(s) = item else {
                    return Err("Choose from the list.".into());
                };
                if !options.contains(s.as_str()) {
                    return Err(format!("\"{s}\" is not one of the choices."));
                }
                chosen.insert(s.as_str());
            }
            let ordered: Vec<Value> =
                def.options.iter().filter(|o| chosen.contains(o.as_str())).map(|o| Value::String(o.clone())).collect();
            (!ordered.is_empty()).then_some(Value::Array(ordered))
        }
        (PropertyKind::Checkbox, Value::Bool(b)) => Some(Value::Bool(*b)),
        (kind, _) => return Err(wrong_shape(kind).into()),
    };
    if normalized.is_none() && def.required {
        return Err(format!("{} is required.", def.label));
    }
    Ok(normalized)
}

fn wrong_shape(kind: PropertyKind) -> &'static str {
    match kind {
        PropertyKind::Text | PropertyKind::LongText => "Enter text.",
        PropertyKind::Number => "Enter a number.",
        PropertyKind::Date => "Enter a date as YYYY-MM-DD.",
        PropertyKind::SingleChoice => "Choose one of the choices.",
        PropertyKind::MultipleChoice => "Choose from the list.",
        PropertyKind::Checkbox => "Tick or untick the box.",
    }
}

/// A calendar date `YYYY-MM-DD` (years 1000-9999) as (year, month, day).
pub fn parse_date(s: &str) -> Option<(u16, u8, u8)> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u16> {
        let part = &s[r];
        part.bytes().all(|c| c.is_ascii_digit()).then(|| part.parse().ok())?
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (y >= 1000 && (1..=days).contains(&d)).then_some((y, m as u8, d as u8))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn def(kind: PropertyKind, required: bool, options: &[&str]) -> PropertyDefinitionInput {
        PropertyDefinitionInput {
            label: "Field".into(),
            kind,
            required,
            options: options.iter().map(|o| o.to_string()).collect(),
        }
    }

    #[test]
    fn values_are_checked_against_their_kind() {
        use PropertyKind::*;
        let tiers = ["Gold", "Silver", "Bronze"];
        // (kind, options, input, expected)
        type Case<'a> = (PropertyKind, &'a [&'a str], Value, Result<Option<Value>, &'a str>);
        let cases: Vec<Case> = vec![
            (Text, &[], json!("  Berlin "), Ok(Some(json!("Berlin")))),
            (Text, &[], json!("   "), Ok(None)),
            (Text, &[], json!("two\nlines"), Err("One line of text, without control characters.")),
            (Text, &[], json!("x".repeat(501)), Err("At most 500 characters.")),
            (LongText, &[], json!("two\nlines"), Ok(Some(json!("two\nlines")))),
            (Text, &[], json!(5), Err("Enter text.")),
            (Number, &[], json!(42), Ok(Some(json!(42)))),
            (Number, &[], json!(-1.5), Ok(Some(json!(-1.5)))),
            (Number, &[], json!(""), Ok(None)),
            (Number, &[], json!("42"), Err("Enter a number.")),
            (Date, &[], json!("2024-02-29"), Ok(Some(json!("2024-02-29")))),
            (Date, &[], json!("2023-02-29"), Err("Enter a date as YYYY-MM-DD.")),
            (Date, &[], json!("2023-13-01"), Err("Enter a date as YYYY-MM-DD.")),
            (Date, &[], json!("1.2.2023"), Err("Enter a date as YYYY-MM-DD.")),
            (Date, &[], json!("1900-02-29"), Err("Enter a date as YYYY-MM-DD.")),
            (Date, &[], json!("2000-02-29"), Ok(Some(json!("2000-02-29")))),
            (SingleChoice, &tiers, json!("Gold"), Ok(Some(json!("Gold")))),
            (SingleChoice, &tiers, json!("Platinum"), Err("\"Platinum\" is not one of the choices.")),
            (SingleChoice, &tiers, json!("gold"), Err("\"gold\" is not one of the choices.")),
            (MultipleChoice, &tiers, json!(["Bronze", "Gold", "Gold"]), Ok(Some(json!(["Gold", "Bronze"])))),
            (MultipleChoice, &tiers, json!([]), Ok(None)),
            (MultipleChoice, &tiers, json!(["Gold", 3]), Err("Choose from the list.")),
            (MultipleChoice, &tiers, json!("Gold"), Err("Choose from the list.")),
            (Checkbox, &[], json!(true), Ok(Some(json!(true)))),
            (Checkbox, &[], json!(false), Ok(Some(json!(false)))),
            (Checkbox, &[], json!("yes"), Err("Tick or untick the box.")),
            (Checkbox, &[], Value::Null, Ok(None)),
        ];
        for (kind, options, input, expected) in cases {
            let got = validate_value(&def(kind, false, options), &input);
            assert_eq!(got, expected.map_err(String::from), "{kind:?} {input}");
        }
    }

    #[test]
    fn required_fields_refuse_empty_values() {
        for (kind, empty) in [
            (PropertyKind::Text, json!(" ")),
            (PropertyKind::Number, Value::Null),
            (PropertyKind::Date, json!("")),
            (PropertyKind::MultipleChoice, json!([])),
        ] {
            let d = def(kind, true, if kind.has_options() { &["A"] } else { &[] });
            assert_eq!(validate_value(&d, &empty), Err("Field is required.".to_string()), "{kind:?}");
        }
        // A ticked or unticked box is a value.
        assert_eq!(validate_value(&def(PropertyKind::Checkbox, true, &[]), &json!(false)), Ok(Some(json!(false))));
    }

    #[test]
    fn definitions_need_a_label_and_proper_options() {
        let ok = validate_definition(&PropertyDefinitionInput {
            label: " Tier ".into(),
            kind: PropertyKind::SingleChoice,
            required: true,
            options: vec![" Gold".into(), "Silver ".into()],
        })
        .unwrap();
        assert_eq!(ok.label, "Tier");
        assert_eq!(ok.options, ["Gold", "Silver"]);

        let cases: Vec<(&str, PropertyKind, Vec<&str>, &str, &str)> = vec![
            ("", PropertyKind::Text, vec![], "label", "Enter a label."),
            ("Tier", PropertyKind::SingleChoice, vec![], "options", "A choice field needs at least one option."),
            ("Tier", PropertyKind::MultipleChoice, vec!["Gold", "gold"], "options", "\"gold\" is listed twice."),
            ("Tier", PropertyKind::SingleChoice, vec!["Gold", " "], "options", "Options cannot be empty."),
            ("Size", PropertyKind::Number, vec!["1"], "options", "A number field has no options."),
        ];
        for (label, kind, options, field, message) in cases {
            let errors = validate_definition(&PropertyDefinitionInput {
                label: label.into(),
                kind,
                required: false,
                options: options.iter().map(|o| o.to_string()).collect(),
            })
            .unwrap_err();
            assert_eq!(errors.get(field).map(String::as_str), Some(message), "{label:?} {kind:?} {options:?}");
        }
    }

    #[test]
    fn kinds_have_snake_case_wire_names() {
        assert_eq!(serde_json::to_string(&PropertyKind::LongText).unwrap(), "\"long_text\"");
        assert_eq!(serde_json::to_string(&PropertyKind::MultipleChoice).unwrap(), "\"multiple_choice\"");
        assert_eq!(PropertyKind::ALL.len(), 7);
    }
}
