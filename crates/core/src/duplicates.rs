//! Duplicate suggestions (issue #16, point 5): the keys two organizations share
//! when they look like the same company. The server stores both keys (on the
//! organization and on each domain) and groups by them, so finding duplicates is
//! one pass over an index, never a comparison of every pair.

use crate::search::fold;

/// Legal-form words dropped from the end of a name ("Acme Inc." = "ACME").
const LEGAL_SUFFIXES: &[&str] = &[
    "inc",
    "incorporated",
    "ltd",
    "limited",
    "llc",
    "llp",
    "lp",
    "plc",
    "gmbh",
    "mbh",
    "kg",
    "ag",
    "sa",
    "sas",
    "sarl",
    "srl",
    "spa",
    "bv",
    "nv",
    "oy",
    "ab",
    "as",
    "aps",
    "pty",
    "corp",
    "corporation",
    "co",
    "company",
    "kk",
    "se",
];

/// The name folded (lower case, Latin accents removed), without punctuation and
/// without legal-form words at its end: "Acme, Inc.", "ACME Ltd" and "Acmé GmbH"
/// all give "acme". Dots and apostrophes join ("S.A." is "sa"); other punctuation
/// separates words. Empty when nothing but a legal form is left (never a key).
pub fn name_key(name: &str) -> String {
    let cleaned: String = fold(name)
        .chars()
        .filter(|c| !matches!(c, '.' | '\'' | '’'))
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let mut words: Vec<&str> = cleaned.split_whitespace().collect();
    while words.len() > 1 && words.last().is_some_and(|w| LEGAL_SUFFIXES.contains(w)) {
        words.pop();
    }
    // "and" before a dropped "Co" ("Smith & Co": "&" is already gone).
    if words.len() > 1 && words.last() == Some(&"and") {
        words.pop();
    }
    if words.len() == 1 && LEGAL_SUFFIXES.contains(&words[0]) {
        return String::new();
    }
    words.join(" ")
}

/// Second-level public suffixes under a country code ("acme.co.uk"): the label
/// before them is the company's.
const SECOND_LEVEL: &[&str] =
    &["co", "com", "org", "net", "ac", "gov", "edu", "ne", "or", "ltd", "plc", "gob", "nom", "biz", "info"];

/// The domain's root: the label a company registered, without the public suffix
/// and subdomains ("acme" for acme.com, acme.co.uk, mail.acme.com, *.acme.de).
/// `None` for a bare suffix.
pub fn domain_root(domain: &str) -> Option<String> {
    let domain = domain.trim().trim_start_matches("*.").trim_end_matches('.').to_lowercase();
    let mut labels: Vec<&str> = domain.split('.').filter(|l| !l.is_empty()).collect();
    if labels.len() < 2 {
        return None;
    }
    labels.pop(); // the top-level domain
    let n = labels.len();
    // acme.co.uk: "co" under a two-letter country code is a suffix too.
    if n >= 2 && domain.rsplit('.').next().is_some_and(|tld| tld.len() == 2) && SECOND_LEVEL.contains(&labels[n - 1]) {
        labels.pop();
    }
    labels.last().map(|l| l.to_string())
}

/// Why two organizations look like duplicates.
pub fn reason_label(same_name: bool, same_domain_root: bool) -> &'static str {
    match (same_name, same_domain_root) {
        (true, true) => "Same name and domain",
        (true, false) => "Same name",
        (false, _) => "Same domain",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_equal_after_case_punctuation_accents_and_legal_suffixes() {
        for name in [
            "Acme",
            "ACME Inc.",
            "Acme, Inc",
            "acme ltd",
            "Acme LLC",
            "Acmé GmbH",
            "Acme S.A.",
            "Acme AG",
            "Acme Corp.",
        ] {
            assert_eq!(name_key(name), "acme", "{name}");
        }
        assert_eq!(name_key("Smith & Co."), "smith");
        assert_eq!(name_key("Müller-Lüdenscheid GmbH & Co. KG"), "muller ludenscheid");
        assert_eq!(name_key("O'Brien Ltd"), "obrien");
    }

    #[test]
    fn different_companies_keep_different_keys() {
        assert_ne!(name_key("Acme"), name_key("Acme Widgets"));
        assert_ne!(name_key("Globex"), name_key("Acme"));
        // A name that is only a legal form is no key at all.
        assert_eq!(name_key("Inc."), "");
        assert_eq!(name_key("Corporation Ltd"), "");
    }

    #[test]
    fn domain_roots_drop_the_public_suffix_and_subdomains() {
        for domain in ["acme.com", "acme.co.uk", "mail.acme.com", "*.acme.de", "eu.mail.acme.com.au", "ACME.org."] {
            assert_eq!(domain_root(domain).as_deref(), Some("acme"), "{domain}");
        }
        assert_eq!(domain_root("globex.com").as_deref(), Some("globex"));
        // "co" is a company's own label under a generic top-level domain.
        assert_eq!(domain_root("co.com").as_deref(), Some("co"));
        assert_eq!(domain_root("com"), None);
    }

    #[test]
    fn reasons_read_as_words() {
        assert_eq!(reason_label(true, false), "Same name");
        assert_eq!(reason_label(false, true), "Same domain");
        assert_eq!(reason_label(true, true), "Same name and domain");
    }
}
