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
//! IDN conversion needs the `idna` feature (the server has it): non-ASCII names
//! become `xn--` labels, and `xn--` labels typed as such must decode, else
//! [`DomainError::BadInternational`]. Without the feature, as in the browser,
//! non-ASCII labels are accepted as they are after lower-casing, `xn--` labels are
//! not checked, and the server decides finally.

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
        let host = normalize(rest).map_err(|e| match e {
            DomainError::Empty if wildcard => DomainError::BadWildcard,
            e => e,
        })?;
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
    let host = to_ascii(host)?;
    if host.len() > 253 {
        return Err(DomainError::TooLong);
    }
    let labels: Vec<&str> = host.split('.').collect();
    for label in &labels {
        if label.len() > 63 {
            return Err(DomainError::TooLong);
        }
        // Non-ASCII is left only without the `idna` feature; the server converts or refuses it.
        let chars_ok =
            label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || (!c.is_ascii() && !c.is_whitespace()));
        if label.is_empty() || label.starts_with('-') || label.ends_with('-') || !chars_ok {
            return Err(DomainError::BadLabel);
        }
    }
    if labels.len() > 1 && labels.last().is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit())) {
        return Err(DomainError::BadLabel);
    }
    Ok(host)
}

/// Non-ASCII names to `xn--` form; `xn--` labels must decode.
#[cfg(feature = "idna")]
fn to_ascii(host: String) -> Result<String, DomainError> {
    if host.is_ascii() && !host.split('.').any(|l| l.starts_with("xn--")) {
        return Ok(host);
    }
    idna::domain_to_ascii(&host).map_err(|_| DomainError::BadInternational)
}

#[cfg(not(feature = "idna"))]
fn to_ascii(host: String) -> Result<String, DomainError> {
    Ok(host)
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

/// Public email providers: their users are people, not companies. Sorted; shown to admins.
pub const PUBLIC_EMAIL_DOMAINS: &[&str] = &[
    "126.com",
    "163.com",
    "aim.com",
    "aol.com",
    "att.net",
    "bk.ru",
    "btinternet.com",
    "comcast.net",
    "daum.net",
    "fastmail.com",
    "free.fr",
    "freenet.de",
    "gmail.com",
    "gmx.com",
    "gmx.de",
    "gmx.net",
    "googlemail.com",
    "hanmail.net",
    "hey.com",
    "hotmail.com",
    "hushmail.com",
    "icloud.com",
    "inbox.ru",
    "interia.pl",
    "laposte.net",
    "libero.it",
    "list.ru",
    "live.com",
    "mac.com",
    "mail.com",
    "mail.ru",
    "mailbox.org",
    "me.com",
    "msn.com",
    "naver.com",
    "o2.pl",
    "orange.fr",
    "outlook.com",
    "pm.me",
    "posteo.de",
    "proton.me",
    "protonmail.com",
    "qq.com",
    "rambler.ru",
    "rediffmail.com",
    "rocketmail.com",
    "sbcglobal.net",
    "seznam.cz",
    "sina.com",
    "sohu.com",
    "t-online.de",
    "tuta.io",
    "tutanota.com",
    "tutanota.de",
    "verizon.net",
    "web.de",
    "windowslive.com",
    "wp.pl",
    "yahoo.com",
    "yandex.com",
    "yandex.ru",
    "yeah.net",
    "ymail.com",
    "zoho.com",
    "zohomail.com",
];

/// Providers that also run country domains (yahoo.co.uk, hotmail.fr, outlook.de, ...).
const PUBLIC_PROVIDER_NAMES: &[&str] =
    &["gmail", "googlemail", "hotmail", "outlook", "live", "yahoo", "ymail", "aol", "msn", "gmx", "yandex"];

/// Is `domain` a public email provider? True if it is in [`PUBLIC_EMAIL_DOMAINS`], in
/// `extra` (the admins' additions), or a country variant of a big provider: one of
/// `PUBLIC_PROVIDER_NAMES` followed by a two-letter country code, directly or after
/// `co.` / `com.` (`yahoo.fr`, `hotmail.co.uk`, `yahoo.com.br`).
pub fn is_public_email_domain(domain: &str, extra: &[String]) -> bool {
    let domain = domain.trim().trim_end_matches('.').to_lowercase();
    if PUBLIC_EMAIL_DOMAINS.contains(&domain.as_str()) || extra.iter().any(|e| e.eq_ignore_ascii_case(&domain)) {
        return true;
    }
    // name.tld or name.co.tld / name.com.tld with a two-letter country code.
    let labels: Vec<&str> = domain.split('.').collect();
    let country = |s: &str| s.len() == 2 && s.chars().all(|c| c.is_ascii_lowercase());
    match labels.as_slice() {
        [name, tld] => PUBLIC_PROVIDER_NAMES.contains(name) && country(tld),
        [name, second, tld] => PUBLIC_PROVIDER_NAMES.contains(name) && ["co", "com"].contains(second) && country(tld),
        _ => false,
    }
}

/// An organization's domain must not be a public provider's: every new customer of
/// gmail.com would otherwise join that one organization. `extra` as for
/// [`is_public_email_domain`].
pub fn check_organization_domain(domain: &Domain, extra: &[String]) -> Result<(), String> {
    if is_public_email_domain(domain.base(), extra) {
        Err(format!("{} is a public email provider: its users are people, not one organization.", domain.as_str()))
    } else {
        Ok(())
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
    fn domains_are_trimmed_lowercased_and_stripped_of_a_leading_at_and_a_trailing_dot() {
        for (input, expected) in [
            ("acme.com", "acme.com"),
            ("  ACME.Com  ", "acme.com"),
            ("\tacme.com\n", "acme.com"),
            ("@acme.com", "acme.com"),
            ("@ Acme.COM.", "acme.com"),
            ("acme.com.", "acme.com"),
            ("sub.acme.co.uk", "sub.acme.co.uk"),
            ("my-company.example", "my-company.example"),
            ("3m.com", "3m.com"),
            ("acme.io2", "acme.io2"),
            ("*.Acme.com", "*.acme.com"),
            ("@*.acme.com.", "*.acme.com"),
            ("*.eu.acme.com", "*.eu.acme.com"),
        ] {
            assert_eq!(Domain::parse(input).map(String::from), Ok(expected.to_string()), "{input:?}");
        }
    }

    #[test]
    fn invalid_domains_are_refused_with_the_reason() {
        for (input, err) in [
            ("", DomainError::Empty),
            ("  @ ", DomainError::Empty),
            (".", DomainError::Empty),
            ("ann@acme.com", DomainError::LooksLikeEmail),
            ("@@acme.com", DomainError::LooksLikeEmail),
            ("mailto:ann@acme.com", DomainError::LooksLikeEmail),
            ("http://acme.com", DomainError::LooksLikeUrl),
            ("https://ann@acme.com/", DomainError::LooksLikeUrl),
            ("//acme.com", DomainError::LooksLikeUrl),
            ("acme.com/path", DomainError::LooksLikeUrl),
            ("acme.com?x=1", DomainError::LooksLikeUrl),
            ("acme.com#top", DomainError::LooksLikeUrl),
            ("acme.com:8080", DomainError::HasPort),
            ("acme.com:", DomainError::HasPort),
            ("acme .com", DomainError::HasSpaces),
            ("acme.com\u{a0}x.org", DomainError::HasSpaces),
            ("localhost", DomainError::NoDot),
            ("localhost.", DomainError::NoDot),
            ("acme..com", DomainError::BadLabel),
            (".acme.com", DomainError::BadLabel),
            ("acme.com..", DomainError::BadLabel),
            ("-acme.com", DomainError::BadLabel),
            ("acme-.com", DomainError::BadLabel),
            ("ac_me.com", DomainError::BadLabel),
            ("ac%me.com", DomainError::BadLabel),
            ("10.0.0.1", DomainError::BadLabel),
            ("acme.123", DomainError::BadLabel),
            ("*", DomainError::BadWildcard),
            ("*.", DomainError::BadWildcard),
            ("*.com", DomainError::BadWildcard),
            ("*.com.", DomainError::BadWildcard),
            ("a.*.com", DomainError::BadWildcard),
            ("acme.*", DomainError::BadWildcard),
            ("*acme.com", DomainError::BadWildcard),
            ("**.acme.com", DomainError::BadWildcard),
            ("*.*.acme.com", DomainError::BadWildcard),
        ] {
            assert_eq!(Domain::parse(input), Err(err), "{input:?}");
        }
    }

    #[test]
    fn labels_are_at_most_63_characters_and_domains_at_most_253() {
        let label = |n: usize| "a".repeat(n);
        assert!(Domain::parse(&format!("{}.com", label(63))).is_ok());
        assert_eq!(Domain::parse(&format!("{}.com", label(64))), Err(DomainError::TooLong));
        let at_limit = format!("{0}.{0}.{0}.{1}", label(63), label(61)); // 253
        assert_eq!(Domain::parse(&at_limit).map(|d| d.as_str().len()), Ok(253));
        assert_eq!(Domain::parse(&format!("a{at_limit}")), Err(DomainError::TooLong));
        assert_eq!(Domain::parse(&format!("*.{at_limit}")).map(|d| d.base().len()), Ok(253));
    }

    #[test]
    fn every_error_reads_as_a_distinct_sentence() {
        let all = [
            DomainError::Empty,
            DomainError::LooksLikeEmail,
            DomainError::LooksLikeUrl,
            DomainError::HasPort,
            DomainError::HasSpaces,
            DomainError::NoDot,
            DomainError::BadLabel,
            DomainError::TooLong,
            DomainError::BadWildcard,
            DomainError::BadInternational,
        ];
        let messages: Vec<String> = all.iter().map(ToString::to_string).collect();
        for m in &messages {
            assert!(m.starts_with(char::is_uppercase) && m.ends_with('.'), "{m}");
        }
        let mut unique = messages.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), messages.len());
        assert_eq!(
            DomainError::LooksLikeUrl.to_string(),
            "Enter a domain such as example.com, without http:// or paths."
        );
    }

    #[cfg(feature = "idna")]
    #[test]
    fn internationalized_names_become_ascii() {
        for (input, expected) in [
            ("Bücher.example", "xn--bcher-kva.example"),
            ("*.MÜNCHEN.de", "*.xn--mnchen-3ya.de"),
            ("例え.テスト", "xn--r8jz45g.xn--zckzah"),
            ("xn--bcher-kva.example", "xn--bcher-kva.example"),
            ("XN--BCHER-KVA.example.", "xn--bcher-kva.example"),
        ] {
            assert_eq!(Domain::parse(input).map(String::from), Ok(expected.to_string()), "{input:?}");
        }
        assert_eq!(normalize_host("Bücher.example").as_deref(), Some("xn--bcher-kva.example"));
    }

    #[cfg(feature = "idna")]
    #[test]
    fn malformed_international_names_are_refused() {
        for input in ["xn--zz.com", "xn--.com", "\u{200d}.com", "*.xn--a.com"] {
            assert_eq!(Domain::parse(input), Err(DomainError::BadInternational), "{input:?}");
        }
        assert_eq!(normalize_host("xn--zz.com"), None);
    }

    #[cfg(not(feature = "idna"))]
    #[test]
    fn without_idna_international_names_pass_through_lowercased() {
        for (input, expected) in [
            ("Bücher.example", "bücher.example"),
            ("İstanbul.com", "i\u{307}stanbul.com"),
            ("xn--zz.com", "xn--zz.com"),
        ] {
            assert_eq!(Domain::parse(input).map(String::from), Ok(expected.to_string()), "{input:?}");
        }
    }

    #[test]
    fn an_exact_domain_is_its_own_base() {
        let exact = d("acme.com");
        assert!(!exact.is_wildcard());
        assert_eq!(exact.base(), "acme.com");
        assert_eq!(exact.to_string(), "acme.com");
    }

    #[test]
    fn a_wildcard_covers_subdomains_at_any_depth_but_not_the_bare_domain() {
        let wildcard = d("*.acme.com");
        assert!(wildcard.is_wildcard());
        assert_eq!(wildcard.base(), "acme.com");
        for (host, covered) in [
            ("eu.acme.com", true),
            ("a.b.acme.com", true),
            ("acme.com", false),
            ("notacme.com", false),
            ("xacme.com", false),
            ("acme.com.evil.org", false),
            (".acme.com", false),
        ] {
            assert_eq!(wildcard.matches(host), covered, "{host}");
        }
    }

    #[test]
    fn an_exact_claim_covers_only_itself() {
        let exact = d("acme.com");
        assert!(exact.matches("acme.com"));
        assert!(!exact.matches("eu.acme.com"));
        assert!(!exact.matches("acme.co"));
    }

    #[test]
    fn an_exact_claim_beats_wildcards_and_the_most_specific_wildcard_wins() {
        let claims = [d("*.example.com"), d("*.eu.example.com"), d("paris.eu.example.com"), d("example.com")];
        for (host, expected) in [
            ("paris.eu.example.com", Some("paris.eu.example.com")),
            ("rome.eu.example.com", Some("*.eu.example.com")),
            ("x.rome.eu.example.com", Some("*.eu.example.com")),
            ("eu.example.com", Some("*.example.com")),
            ("us.example.com", Some("*.example.com")),
            ("example.com", Some("example.com")),
            ("other.org", None),
        ] {
            assert_eq!(best_match(host, &claims).map(Domain::as_str), expected, "{host}");
            assert_eq!(best_match(host, claims.iter().rev()).map(Domain::as_str), expected, "{host}, reversed");
        }
        assert_eq!(best_match("example.com", &[]), None);
    }

    #[test]
    fn candidate_claims_go_from_the_exact_host_to_the_broadest_wildcard() {
        for (host, expected) in [
            ("a.b.example.com", &["a.b.example.com", "*.b.example.com", "*.example.com"][..]),
            ("eu.example.com", &["eu.example.com", "*.example.com"]),
            ("example.com", &["example.com"]),
        ] {
            assert_eq!(candidate_claims(host), expected, "{host}");
        }
    }

    #[test]
    fn the_candidates_all_cover_their_host_and_the_first_is_the_best_match() {
        let host = "a.b.example.com";
        let candidates = candidate_claims(host);
        let claims: Vec<Domain> = candidates.iter().map(|c| d(c)).collect();
        assert!(claims.iter().all(|c| c.matches(host)));
        assert_eq!(best_match(host, &claims), claims.first(), "the first candidate is the most specific");
        for other in ["b.example.com", "*.a.b.example.com", "*.other.com", "example.com"] {
            assert!(!d(other).matches(host), "{other}");
        }
    }

    #[test]
    fn email_hosts_normalize_like_claims_or_are_refused() {
        for (input, expected) in [
            ("Acme.COM.", Some("acme.com")),
            (" eu.acme.com ", Some("eu.acme.com")),
            ("localhost", None),
            ("bad..host.com", None),
            ("*.acme.com", None),
            ("acme.com:25", None),
            ("ac me.com", None),
            ("", None),
        ] {
            assert_eq!(normalize_host(input).as_deref(), expected, "{input:?}");
        }
    }

    #[test]
    fn public_providers_include_country_variants_and_admin_additions() {
        let extra = vec!["mail.example.org".to_string()];
        for public in [
            "gmail.com",
            "GMAIL.com.",
            "proton.me",
            "163.com",
            "yahoo.co.uk",
            "hotmail.co.uk",
            "hotmail.fr",
            "outlook.de",
            "yahoo.com.br",
            "gmx.at",
            "mail.example.org",
        ] {
            assert!(is_public_email_domain(public, &extra), "{public}");
        }
        for company in [
            "acme.com",
            "gmail.acme.com",
            "mail.gmail.com",
            "yahoo.example",
            "yahoo.co.example",
            "outlook-consulting.com",
            "example.org",
        ] {
            assert!(!is_public_email_domain(company, &extra), "{company}");
        }
        assert!(!is_public_email_domain("mail.example.org", &[]), "only listed when an admin adds it");
    }

    #[test]
    fn the_built_in_provider_list_is_sorted_unique_and_valid() {
        assert!(PUBLIC_EMAIL_DOMAINS.windows(2).all(|w| w[0] < w[1]));
        for domain in PUBLIC_EMAIL_DOMAINS {
            assert_eq!(Domain::parse(domain).map(String::from).as_deref(), Ok(*domain));
        }
    }

    #[test]
    fn domains_round_trip_through_json_and_invalid_ones_do_not_deserialize() {
        for (json, expected) in [("\"@ACME.com\"", "\"acme.com\""), ("\"*.Acme.com.\"", "\"*.acme.com\"")] {
            let domain: Domain = serde_json::from_str(json).unwrap();
            assert_eq!(serde_json::to_string(&domain).unwrap(), expected);
            assert_eq!(serde_json::from_str::<Domain>(expected).unwrap(), domain);
        }
        for invalid in ["\"http://x.com\"", "\"*.com\"", "\"\"", "42"] {
            assert!(serde_json::from_str::<Domain>(invalid).is_err(), "{invalid}");
        }
    }
}
