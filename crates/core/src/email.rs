//! Email addresses: parse, don't validate. An [`Email`] is always trimmed,
//! lower-cased and shaped like `local@host.tld`.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A normalized, syntactically valid email address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

/// Why a string is not an email address; `Display` is the message shown to people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailError {
    Empty,
    TooLong,
    MissingAt,
    BadLocalPart,
    BadDomain,
}

impl fmt::Display for EmailError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            EmailError::Empty => "Enter an email address.",
            EmailError::TooLong => "An email address has at most 254 characters.",
            EmailError::MissingAt => "An email address looks like name@example.com.",
            EmailError::BadLocalPart => "The part before @ is not valid.",
            EmailError::BadDomain => "The part after @ must be a domain such as example.com.",
        })
    }
}

impl std::error::Error for EmailError {}

impl Email {
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let s = input.trim().to_lowercase();
        if s.is_empty() {
            return Err(EmailError::Empty);
        }
        if s.len() > 254 {
            return Err(EmailError::TooLong);
        }
        let (local, domain) = s.rsplit_once('@').ok_or(EmailError::MissingAt)?;
        if local.is_empty()
            || local.len() > 64
            || local.starts_with('.')
            || local.ends_with('.')
            || local.contains("..")
            || !local.chars().all(is_local_char)
        {
            return Err(EmailError::BadLocalPart);
        }
        if !is_valid_host(domain) {
            return Err(EmailError::BadDomain);
        }
        Ok(Email(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part after `@`, already lower-cased.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map(|(_, d)| d).unwrap_or_default()
    }
}

fn is_local_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c) || (!c.is_ascii() && !c.is_whitespace())
}

/// A host name with at least two labels: letters, digits and inner hyphens,
/// 1-63 characters a label, 253 in all, and a top-level label that is not all digits.
pub fn is_valid_host(host: &str) -> bool {
    if host.is_empty() || host.len() > 253 {
        return false;
    }
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 2 {
        return false;
    }
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || (!c.is_ascii() && c.is_alphanumeric()))
    };
    labels.iter().all(label_ok) && !labels.last().is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit()))
}

impl TryFrom<String> for Email {
    type Error = EmailError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Email::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_addresses_are_trimmed_and_lowercased() {
        for (input, expected) in [
            ("ann@example.com", "ann@example.com"),
            ("  Ann.Lee@Example.COM ", "ann.lee@example.com"),
            ("a+tag@sub.example.co.uk", "a+tag@sub.example.co.uk"),
            ("o'brien@x-y.io", "o'brien@x-y.io"),
        ] {
            assert_eq!(Email::parse(input).unwrap().as_str(), expected, "{input}");
        }
    }

    #[test]
    fn invalid_addresses_say_why() {
        for (input, err) in [
            ("", EmailError::Empty),
            ("   ", EmailError::Empty),
            ("ann.example.com", EmailError::MissingAt),
            ("@example.com", EmailError::BadLocalPart),
            ("ann..lee@example.com", EmailError::BadLocalPart),
            (".ann@example.com", EmailError::BadLocalPart),
            ("ann lee@example.com", EmailError::BadLocalPart),
            ("ann@", EmailError::BadDomain),
            ("ann@localhost", EmailError::BadDomain),
            ("ann@example..com", EmailError::BadDomain),
            ("ann@-example.com", EmailError::BadDomain),
            ("ann@example.com:80", EmailError::BadDomain),
            ("ann@10.0.0.1", EmailError::BadDomain),
            ("ann@exa mple.com", EmailError::BadDomain),
        ] {
            assert_eq!(Email::parse(input), Err(err), "{input:?}");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(Email::parse(&long), Err(EmailError::TooLong));
    }

    #[test]
    fn domain_is_the_part_after_the_last_at() {
        assert_eq!(Email::parse("Ann@Example.com").unwrap().domain(), "example.com");
    }

    #[test]
    fn deserializing_an_invalid_email_fails() {
        assert!(serde_json::from_str::<Email>("\"nope\"").is_err());
        let ok: Email = serde_json::from_str("\"A@B.io\"").unwrap();
        assert_eq!(ok.as_str(), "a@b.io");
    }
}
