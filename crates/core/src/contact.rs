//! Contact information of an organization: phones, emails, websites, addresses and
//! social profiles, several of each, each with a label ("Main", "Support", ...).

use serde::{Deserialize, Serialize};

use crate::customer::parse_short_text;
use crate::email::{is_valid_host, Email};
use crate::word::Word;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ContactKind {
    Phone,
    Email,
    Website,
    Address,
    Social,
}

impl Word for ContactKind {
    const ALL: &'static [ContactKind] =
        &[ContactKind::Phone, ContactKind::Email, ContactKind::Website, ContactKind::Address, ContactKind::Social];

    fn as_str(self) -> &'static str {
        match self {
            ContactKind::Phone => "phone",
            ContactKind::Email => "email",
            ContactKind::Website => "website",
            ContactKind::Address => "address",
            ContactKind::Social => "social",
        }
    }
}

impl ContactKind {
    pub fn label(self) -> &'static str {
        match self {
            ContactKind::Phone => "Phone",
            ContactKind::Email => "Email",
            ContactKind::Website => "Website",
            ContactKind::Address => "Address",
            ContactKind::Social => "Social profile",
        }
    }
}

/// One piece of contact information.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactEntry {
    pub kind: ContactKind,
    /// "Main", "Support", "Billing", ... (at most 40 characters; may be empty).
    #[serde(default)]
    pub label: String,
    pub value: String,
}

pub const MAX_LABEL: usize = 40;
pub const MAX_ADDRESS: usize = 500;
/// The most entries an organization's contact information holds.
pub const MAX_ENTRIES: usize = 50;

/// Why an entry is refused: which part (`label` or `value`) and the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactError {
    pub field: &'static str,
    pub message: String,
}

/// Checks and normalizes one entry: trimmed label; phones keep their digits and
/// readable separators; emails lower-cased; websites and profile links get `https://`
/// when written without a scheme; addresses keep their lines, trimmed.
pub fn validate_entry(entry: &ContactEntry) -> Result<ContactEntry, ContactError> {
    let label =
        parse_short_text(&entry.label, "A label").map_err(|message| ContactError { field: "label", message })?;
    if label.chars().count() > MAX_LABEL {
        return Err(ContactError { field: "label", message: format!("A label has at most {MAX_LABEL} characters.") });
    }
    let value = match entry.kind {
        ContactKind::Phone => parse_phone(&entry.value),
        ContactKind::Email => Email::parse(&entry.value).map(String::from).map_err(|e| e.to_string()),
        ContactKind::Website => parse_link(&entry.value),
        ContactKind::Address => parse_address(&entry.value),
        ContactKind::Social => parse_social(&entry.value),
    }
    .map_err(|message| ContactError { field: "value", message })?;
    Ok(ContactEntry { kind: entry.kind, label, value })
}

/// Checks a whole list; errors are keyed `entries.{index}.{label|value}`.
pub fn validate_entries(entries: &[ContactEntry]) -> Result<Vec<ContactEntry>, crate::FieldErrors> {
    let mut errors = crate::FieldErrors::new();
    if entries.len() > MAX_ENTRIES {
        errors.insert("entries".into(), format!("At most {MAX_ENTRIES} entries."));
        return Err(errors);
    }
    let mut out = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        match validate_entry(entry) {
            Ok(e) => out.push(e),
            Err(e) => {
                errors.insert(format!("entries.{i}.{}", e.field), e.message);
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// `+49 30 1234567`, `(555) 010-9999 ext. 12`: 5 to 20 digits, an optional leading `+`,
/// spaces, dashes, dots, parentheses and an extension.
pub fn parse_phone(input: &str) -> Result<String, String> {
    let s = input.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.is_empty() {
        return Err("Enter a phone number.".into());
    }
    // ASCII lower-casing keeps byte offsets, so `at` is valid in `s` too.
    let lower = s.to_ascii_lowercase();
    let (main, ext) = match lower.find("ext").or_else(|| lower.find('x')) {
        Some(at) => (&s[..at], Some(s[at..].trim_start_matches(|c: char| !c.is_ascii_digit()))),
        None => (s.as_str(), None),
    };
    let main_ok = main
        .trim()
        .chars()
        .enumerate()
        .all(|(i, c)| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')' | '/') || (c == '+' && i == 0));
    let digits = main.chars().filter(char::is_ascii_digit).count();
    let ext_ok = ext.is_none_or(|e| !e.is_empty() && e.len() <= 6 && e.chars().all(|c| c.is_ascii_digit()));
    if !main_ok || !ext_ok {
        return Err("A phone number has digits, spaces, + - ( ) and an optional extension.".into());
    }
    if !(5..=20).contains(&digits) {
        return Err("A phone number has 5 to 20 digits.".into());
    }
    Ok(s)
}

/// A web address: `https://` is added when no scheme is given; only http and https.
pub fn parse_link(input: &str) -> Result<String, String> {
    let s = input.trim();
    if s.is_empty() {
        return Err("Enter a web address.".into());
    }
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("A web address has no spaces.".into());
    }
    let lower = s.to_ascii_lowercase();
    let (url, rest) = if lower.starts_with("https://") || lower.starts_with("http://") {
        let at = s.find("://").map(|i| i + 3).unwrap_or(0);
        (s.to_string(), &s[at..])
    } else if s.contains("://") {
        return Err("Only http and https addresses.".into());
    } else {
        (format!("https://{s}"), s)
    };
    let host_port = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host_port.split(':').next().unwrap_or("").to_lowercase();
    if host_port.contains('@') || !is_valid_host(&host) {
        return Err("Enter a web address such as https://example.com.".into());
    }
    if url.len() > 2000 {
        return Err("A web address has at most 2,000 characters.".into());
    }
    Ok(url)
}

/// A street address: one to ten lines, at most 500 characters.
pub fn parse_address(input: &str) -> Result<String, String> {
    let lines: Vec<&str> = input.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let s = lines.join("\n");
    if s.is_empty() {
        return Err("Enter an address.".into());
    }
    if s.chars().count() > MAX_ADDRESS || lines.len() > 10 {
        return Err(format!("An address has at most 10 lines and {MAX_ADDRESS} characters."));
    }
    if s.chars().any(|c| c.is_control() && c != '\n') {
        return Err("An address cannot contain control characters.".into());
    }
    Ok(s)
}

/// A social profile: a link (`linkedin.com/company/acme`) or a handle (`@acme`).
pub fn parse_social(input: &str) -> Result<String, String> {
    let s = input.trim();
    if let Some(handle) = s.strip_prefix('@') {
        let ok = !handle.is_empty()
            && handle.len() <= 60
            && handle.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-'));
        return if ok { Ok(s.to_string()) } else { Err("A handle looks like @name.".into()) };
    }
    parse_link(s).map_err(|_| "Enter a profile link (https://...) or a handle (@name).".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(kind: ContactKind, value: &str) -> Result<String, String> {
        validate_entry(&ContactEntry { kind, label: "Main".into(), value: value.into() })
            .map(|e| e.value)
            .map_err(|e| e.message)
    }

    #[test]
    fn values_are_normalized_or_refused_by_kind() {
        use ContactKind::*;
        let ok = [
            (Phone, " +49 30  1234567 ", "+49 30 1234567"),
            (Phone, "(555) 010-9999 ext. 12", "(555) 010-9999 ext. 12"),
            (Phone, "555.010.9999 x7", "555.010.9999 x7"),
            (Email, " Support@Acme.COM ", "support@acme.com"),
            (Website, "acme.com", "https://acme.com"),
            (Website, "http://acme.com/about?x=1", "http://acme.com/about?x=1"),
            (Website, "HTTPS://Shop.Acme.com:8443/", "HTTPS://Shop.Acme.com:8443/"),
            (Address, "  1 Main St \n\n  Springfield  ", "1 Main St\nSpringfield"),
            (Social, "@acme_corp", "@acme_corp"),
            (Social, "linkedin.com/company/acme", "https://linkedin.com/company/acme"),
        ];
        for (kind, input, expected) in ok {
            assert_eq!(check(kind, input), Ok(expected.to_string()), "{kind:?} {input:?}");
        }
        let refused = [
            (Phone, ""),
            (Phone, "call me"),
            (Phone, "1234"),
            (Phone, "+1 555 0100 ext"),
            (Phone, "12+34567"),
            (Phone, "İİ x12345"),
            (Email, "acme.com"),
            (Website, "ftp://acme.com"),
            (Website, "javascript:alert(1)"),
            (Website, "acme"),
            (Website, "https://user@acme.com"),
            (Website, "acme .com"),
            (Address, "   "),
            (Social, "@"),
            (Social, "@bad handle"),
            (Social, "not a link"),
        ];
        for (kind, input) in refused {
            assert!(check(kind, input).is_err(), "{kind:?} {input:?} should be refused");
        }
    }

    #[test]
    fn labels_are_short_and_errors_name_the_entry() {
        let long = ContactEntry { kind: ContactKind::Phone, label: "x".repeat(41), value: "+1 555 0100".into() };
        assert_eq!(validate_entry(&long).unwrap_err().field, "label");
        let entries = vec![
            ContactEntry { kind: ContactKind::Phone, label: "Main".into(), value: "+1 555 0100".into() },
            ContactEntry { kind: ContactKind::Email, label: "Support".into(), value: "nope".into() },
        ];
        let errors = validate_entries(&entries).unwrap_err();
        assert_eq!(errors.keys().collect::<Vec<_>>(), ["entries.1.value"]);
        let too_many = vec![entries[0].clone(); MAX_ENTRIES + 1];
        assert!(validate_entries(&too_many).unwrap_err().contains_key("entries"));
    }
}
