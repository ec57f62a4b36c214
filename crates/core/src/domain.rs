//! Email domains: how an organization claims them and how a customer's email
//! finds its organization.
//!
//! - **Normalize**: trim, drop a leading `@`, lowercase, drop a trailing dot,
//!   internationalized names to their ASCII (`xn--`) form.
//! - **Validate**: a host name with at least one dot; no emails, URLs, spaces or
//!   ports. A leading `*.` is a wildcard for any subdomain (`*.acme.com` covers
//!   `eu.acme.com` and `a.b.acme.com`, not `acme.com` itself); the part after it
//!   needs a dot too, so `*.com` is refused.
//! - **Match**: an exact claim wins over a wildcard; among wildcards the most
//!   specific (longest) wins. Each domain belongs to at most one organization
//!   (the server enforces it), so the winner is unique.
//! - **Public providers** (gmail.com and the like) never get an organization of their own.
//!
//! IDN conversion needs the `idna` feature (the server has it). Without it, as in
//! the browser, non-ASCII labels pass through lower-cased and the server decides.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A normalized, valid domain claim; may be a `*.` wildcard.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Domain(String);

/// Why a text is not a domain; `Display` is shown next to the form field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DomainError {
    Empty,
    LooksLikeEmail,
    LooksLikeUrl,
    HasPort,
    HasSpaces,
    NoDot,
    BadLabel,
    TooLong,
    BadWildcard,
    BadInternational,
}

impl fmt::Display for DomainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DomainError::Empty => "Enter a domain such as example.com.",
            DomainError::LooksLikeEmail => "Enter only the domain, the part after @ (example.com).",
            DomainError::LooksLikeUrl => "Enter a domain such as example.com, without http:// or paths.",
            DomainError::HasPort => "A domain has no port: leave out the colon and number.",
            DomainError::HasSpaces => "A domain has no spaces.",
            DomainError::NoDot => "A domain needs at least one dot, as in example.com.",
            DomainError::BadLabel => {
                "Use letters, digits and inner hyphens between the dots, as in my-company.example."
            }
            DomainError::TooLong => "A domain has at most 253 characters, and 63 between dots.",
            DomainError::BadWildcard => "A wildcard goes only at the start, as in *.example.com.",
            DomainError::BadInternational => "This international domain name is not valid.",
        })
    }
}

impl std::error::Error for DomainError {}

impl Domain {
    pub fn parse(input: &str) -> Result<Domain, DomainError> {
        let s = input.trim();
        let s = s.strip_prefix('@').unwrap_or(s).trim();
        if s.is_empty() {
            return Err(DomainError::Empty);
        }
        if s.contains("://") || s.contains('/') || s.contains('?') || s.contains('#') {
            return Err(DomainError::LooksLikeUrl);
        }
        if s.contains('@') {
            return Err(DomainError::LooksLikeEmail);
        }
        if s.chars().any(char::is_whitespace) {
            return Err(DomainError::HasSpaces);
        }
        if s.contains(':') {
            return Err(DomainError::HasPort);
        }
        let (wildcard, rest) = match s.strip_prefix("*.") {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        if rest.contains('*') {
            return Err(DomainError::BadWildcard);
        }
        let host = normalize(rest)?;
        if !host.contains('.') {
            return Err(if wildcard { DomainError::BadWildcard } else { DomainError::NoDot });
        }
        Ok(Domain(if wildcard { format!("*.{host}") } else { host }))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_wildcard(&self) -> bool {
        self.0.starts_with("*.")
    }

    /// For a wildcard the part after `*.`; for an exact domain, itself.
    pub fn base(&self) -> &str {
        self.0.strip_prefix("*.").unwrap_or(&self.0)
    }

    /// Does this claim cover the (normalized) email domain `host`?
    pub fn matches(&self, host: &str) -> bool {
        if self.is_wildcard() {
            host.strip_suffix(self.base()).is_some_and(|head| head.len() > 1 && head.ends_with('.'))
        } else {
            host == self.0
        }
    }
}

/// Lower-cases, drops a trailing dot, converts IDN, and checks the labels.
fn normalize(host: &str) -> Result<String, DomainError> {
    let host = host.strip_suffix('.').unwrap_or(host).to_lowercase();
    if host.is_empty() {
        return Err(DomainError::Empty);
    }
    let host = to_ascii(&host)?;
    if host.len() > 253 {
        return Err(DomainError::TooLong);
    }
    let labels: Vec<&str> = host.split('.').collect();
    for label in &labels {
        if label.len() > 63 {
            return Err(DomainError::TooLong);
        }
        let chars_ok =
            label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || (!c.is_ascii() && c.is_alphanumeric()));
        if label.is_empty() || label.starts_with('-') || label.ends_with('-') || !chars_ok {
            return Err(DomainError::BadLabel);
        }
    }
    if labels.len() > 1 && labels.last().is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit())) {
        return Err(DomainError::BadLabel);
    }
    Ok(host)
}

#[cfg(feature = "idna")]
fn to_ascii(host: &str) -> Result<String, DomainError> {
    if host.is_ascii() {
        return Ok(host.to_string());
    }
    idna::domain_to_ascii(host).map_err(|_| DomainError::BadInternational)
}

#[cfg(not(feature = "idna"))]
fn to_ascii(host: &str) -> Result<String, DomainError> {
    Ok(host.to_string())
}

/// Normalizes an email's host the same way, for matching; `None` if it is not a valid host.
pub fn normalize_host(host: &str) -> Option<String> {
    normalize(host.trim()).ok().filter(|h| h.contains('.'))
}

/// The claim a customer's email domain belongs to: an exact claim first, else the
/// longest wildcard that covers it.
pub fn best_match<'a>(host: &str, claims: impl IntoIterator<Item = &'a Domain>) -> Option<&'a Domain> {
    claims.into_iter().filter(|c| c.matches(host)).max_by_key(|c| (!c.is_wildcard(), c.base().len()))
}

/// The claims that could cover `host`, most specific first: for `a.b.example.com`,
/// `a.b.example.com`, `*.b.example.com`, `*.example.com` (never `*.com`). The server
/// looks these up by primary key instead of scanning every claim.
pub fn candidate_claims(host: &str) -> Vec<String> {
    let mut out = vec![host.to_string()];
    let mut rest = host;
    while let Some((_, parent)) = rest.split_once('.') {
        if !parent.contains('.') {
            break;
        }
        out.push(format!("*.{parent}"));
        rest = parent;
    }
    out
}

/// Public email providers: their users are people, not companies.
pub const PUBLIC_EMAIL_DOMAINS: &[&str] = &[
    "163.com",
    "126.com",
    "aol.com",
    "fastmail.com",
    "gmail.com",
    "gmx.com",
    "gmx.de",
    "gmx.net",
    "googlemail.com",
    "hey.com",
    "hotmail.com",
    "icloud.com",
    "live.com",
    "mac.com",
    "mail.com",
    "mail.ru",
    "me.com",
    "msn.com",
    "outlook.com",
    "pm.me",
    "proton.me",
    "protonmail.com",
    "qq.com",
    "tutanota.com",
    "web.de",
    "yahoo.com",
    "yandex.com",
    "yandex.ru",
    "ymail.com",
    "zoho.com",
    "btinternet.com",
    "comcast.net",
    "orange.fr",
    "free.fr",
    "libero.it",
    "naver.com",
    "rediffmail.com",
    "seznam.cz",
    "t-online.de",
    "wp.pl",
    "o2.pl",
    "laposte.net",
];

/// Providers that also run country domains (yahoo.co.uk, hotmail.fr, outlook.de, ...).
const PUBLIC_PROVIDER_NAMES: &[&str] =
    &["gmail", "googlemail", "hotmail", "outlook", "live", "yahoo", "ymail", "aol", "msn", "gmx", "yandex"];

/// Is `domain` a public email provider: built in, a country variant of one, or added by an admin?
pub fn is_public_email_domain(domain: &str, extra: &[String]) -> bool {
    let domain = domain.trim().trim_end_matches('.').to_lowercase();
    if PUBLIC_EMAIL_DOMAINS.contains(&domain.as_str()) || extra.iter().any(|e| e.eq_ignore_ascii_case(&domain)) {
        return true;
    }
    // name.tld or name.co.tld / name.com.tld with a two-letter country code.
    let labels: Vec<&str> = domain.split('.').collect();
    let country = |s: &str| s.len() == 2 && s.chars().all(|c| c.is_ascii_lowercase());
    match labels.as_slice() {
        [name, tld] => PUBLIC_PROVIDER_NAMES.contains(name) && (country(tld) || *tld == "com"),
        [name, second, tld] => PUBLIC_PROVIDER_NAMES.contains(name) && ["co", "com"].contains(second) && country(tld),
        _ => false,
    }
}

impl TryFrom<String> for Domain {
    type Error = DomainError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Domain::parse(&value)
    }
}

impl From<Domain> for String {
    fn from(value: Domain) -> Self {
        value.0
    }
}

impl fmt::Display for Domain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Domain {
        Domain::parse(s).unwrap()
    }

    #[test]
    fn normalizing_trims_drops_at_and_trailing_dot_and_lowercases() {
        for (input, expected) in [
            ("acme.com", "acme.com"),
            ("  ACME.Com  ", "acme.com"),
            ("@acme.com", "acme.com"),
            ("@ Acme.COM.", "acme.com"),
            ("acme.com.", "acme.com"),
            ("sub.acme.co.uk", "sub.acme.co.uk"),
            ("my-company.example", "my-company.example"),
            ("*.Acme.com", "*.acme.com"),
            ("@*.acme.com.", "*.acme.com"),
        ] {
            assert_eq!(Domain::parse(input).map(|d| d.0), Ok(expected.to_string()), "{input:?}");
        }
    }

    #[cfg(feature = "idna")]
    #[test]
    fn internationalized_names_become_ascii() {
        assert_eq!(d("Bücher.example").as_str(), "xn--bcher-kva.example");
        assert_eq!(d("*.MÜNCHEN.de").as_str(), "*.xn--mnchen-3ya.de");
        assert_eq!(normalize_host("bücher.example").as_deref(), Some("xn--bcher-kva.example"));
    }

    #[test]
    fn invalid_domains_say_why() {
        for (input, err) in [
            ("", DomainError::Empty),
            ("  @ ", DomainError::Empty),
            ("ann@acme.com", DomainError::LooksLikeEmail),
            ("http://acme.com", DomainError::LooksLikeUrl),
            ("acme.com/path", DomainError::LooksLikeUrl),
            ("acme.com?x", DomainError::LooksLikeUrl),
            ("acme.com:8080", DomainError::HasPort),
            ("acme .com", DomainError::HasSpaces),
            ("localhost", DomainError::NoDot),
            ("acme..com", DomainError::BadLabel),
            ("-acme.com", DomainError::BadLabel),
            ("acme-.com", DomainError::BadLabel),
            ("ac_me.com", DomainError::BadLabel),
            ("10.0.0.1", DomainError::BadLabel),
            ("*.com", DomainError::BadWildcard),
            ("a.*.com", DomainError::BadWildcard),
            ("*acme.com", DomainError::BadWildcard),
            ("**.acme.com", DomainError::BadWildcard),
        ] {
            assert_eq!(Domain::parse(input), Err(err), "{input:?}");
        }
        assert_eq!(Domain::parse(&format!("{}.com", "a".repeat(64))), Err(DomainError::TooLong));
        assert_eq!(Domain::parse(&format!("{}com", "abc.".repeat(64))), Err(DomainError::TooLong));
    }

    #[test]
    fn a_wildcard_covers_subdomains_but_not_the_bare_domain() {
        let w = d("*.acme.com");
        assert!(w.is_wildcard());
        assert_eq!(w.base(), "acme.com");
        assert!(w.matches("eu.acme.com"));
        assert!(w.matches("a.b.acme.com"));
        assert!(!w.matches("acme.com"));
        assert!(!w.matches("notacme.com"));
        assert!(!w.matches("xacme.com"));
        assert!(d("acme.com").matches("acme.com"));
        assert!(!d("acme.com").matches("eu.acme.com"), "an exact claim does not cover subdomains");
    }

    #[test]
    fn an_exact_claim_beats_wildcards_and_the_longest_wildcard_wins() {
        let claims = [d("*.example.com"), d("*.eu.example.com"), d("paris.eu.example.com")];
        assert_eq!(best_match("paris.eu.example.com", &claims).unwrap().as_str(), "paris.eu.example.com");
        assert_eq!(best_match("rome.eu.example.com", &claims).unwrap().as_str(), "*.eu.example.com");
        assert_eq!(best_match("us.example.com", &claims).unwrap().as_str(), "*.example.com");
        assert_eq!(best_match("example.com", &claims), None);
        assert_eq!(best_match("other.org", &claims), None);
    }

    #[test]
    fn candidate_claims_go_from_exact_to_broadest_wildcard() {
        assert_eq!(candidate_claims("a.b.example.com"), ["a.b.example.com", "*.b.example.com", "*.example.com"]);
        assert_eq!(candidate_claims("example.com"), ["example.com"]);
    }

    #[test]
    fn email_hosts_normalize_like_claims() {
        assert_eq!(normalize_host("Acme.COM.").as_deref(), Some("acme.com"));
        assert_eq!(normalize_host("localhost"), None);
        assert_eq!(normalize_host("bad..host.com"), None);
    }

    #[test]
    fn public_providers_include_country_variants_and_admin_additions() {
        let extra = vec!["mail.example.org".to_string()];
        for public in [
            "gmail.com",
            "GMAIL.com",
            "proton.me",
            "yahoo.co.uk",
            "hotmail.fr",
            "outlook.de",
            "yahoo.com.br",
            "mail.example.org",
        ] {
            assert!(is_public_email_domain(public, &extra), "{public}");
        }
        for company in ["acme.com", "gmail.acme.com", "yahoo.example", "outlook-consulting.com", "example.org"] {
            assert!(!is_public_email_domain(company, &extra), "{company}");
        }
    }

    #[test]
    fn domains_deserialize_only_when_valid() {
        let ok: Domain = serde_json::from_str("\"@ACME.com\"").unwrap();
        assert_eq!(ok.as_str(), "acme.com");
        assert!(serde_json::from_str::<Domain>("\"http://x\"").is_err());
        assert_eq!(serde_json::to_string(&ok).unwrap(), "\"acme.com\"");
    }
}
