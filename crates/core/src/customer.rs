//! Rules for customer and organization fields, shared by the forms and the server.

use crate::api::customers::{CreateCustomerRequest, CreateOrganizationRequest};
use crate::domain::Domain;
use crate::email::Email;
use crate::limits::MAX_PHONE;
use crate::FieldErrors;

pub const MAX_TEXT: usize = 120;

/// An optional short text (first/last name, position): trimmed, at most 120 characters.
pub fn parse_short_text(input: &str, what: &str) -> Result<String, String> {
    let s = input.trim();
    if s.chars().count() > MAX_TEXT {
        return Err(format!("{what} has at most {MAX_TEXT} characters."));
    }
    if s.chars().any(char::is_control) {
        return Err(format!("{what} cannot contain control characters."));
    }
    Ok(s.to_string())
}

/// A customer's phone number, lenient about how it is written: runs of spaces
/// become one and the ends are trimmed; "" means none. It holds digits, spaces,
/// `+ - ( ) . /` and an extension written `ext` or `x` (`+1 (555) 010-9999 ext. 12`),
/// at least one digit, at most [`MAX_PHONE`] characters.
pub fn parse_phone_number(input: &str) -> Result<String, String> {
    let s = input.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.is_empty() {
        return Ok(s);
    }
    if s.chars().count() > MAX_PHONE {
        return Err(format!("A phone number has at most {MAX_PHONE} characters."));
    }
    if !s.chars().any(|c| c.is_ascii_digit()) {
        return Err("This is not a phone number: enter its digits, such as +1 555 0100.".into());
    }
    // Letters only as the extension's `ext` or `x`.
    let mut word = String::new();
    for c in s.chars().chain(std::iter::once(' ')) {
        if c.is_alphabetic() {
            word.push(c.to_ascii_lowercase());
            continue;
        }
        let word_ok = word.is_empty() || word == "ext" || word == "x";
        if !word_ok || !(c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '(' | ')' | '.' | '/')) {
            return Err("A phone number has digits, spaces, + - ( ) . / and an optional extension (ext or x).".into());
        }
        word.clear();
    }
    Ok(s)
}

/// An organization name: trimmed, 1 to 120 characters. Unique regardless of case (the server checks).
pub fn parse_organization_name(input: &str) -> Result<String, String> {
    let s = parse_short_text(input, "A name")?;
    if s.is_empty() {
        return Err("Enter a name.".into());
    }
    Ok(s)
}

/// The key that makes organization names unique regardless of case.
pub fn organization_name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// The list's sort key: lower-cased "first last", or the email.
pub fn customer_sort_name(first: &str, last: &str, email: &str) -> String {
    let name = format!("{} {}", first.trim(), last.trim()).trim().to_lowercase();
    if name.is_empty() {
        email.to_string()
    } else {
        name
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCustomer {
    pub email: Email,
    pub first_name: String,
    pub last_name: String,
    /// "" when none.
    pub phone: String,
    pub send_invitation: bool,
}

pub fn validate_new_customer(req: &CreateCustomerRequest) -> Result<NewCustomer, FieldErrors> {
    let mut errors = FieldErrors::new();
    let email = Email::parse(&req.email).map_err(|e| errors.insert("email".into(), e.to_string())).ok();
    let first =
        parse_short_text(&req.first_name, "A first name").map_err(|e| errors.insert("first_name".into(), e)).ok();
    let last = parse_short_text(&req.last_name, "A last name").map_err(|e| errors.insert("last_name".into(), e)).ok();
    let phone = parse_phone_number(&req.phone).map_err(|e| errors.insert("phone".into(), e)).ok();
    match (email, first, last, phone) {
        (Some(email), Some(first_name), Some(last_name), Some(phone)) => {
            Ok(NewCustomer { email, first_name, last_name, phone, send_invitation: req.send_invitation })
        }
        _ => Err(errors),
    }
}

/// Parses a list of at most `max` domains; duplicates (after normalizing) are an error,
/// found in linear time.
pub fn parse_domain_list(inputs: &[String], max: usize) -> Result<Vec<Domain>, String> {
    if inputs.len() > max {
        return Err(format!("List at most {max} domains."));
    }
    let mut seen = std::collections::HashSet::with_capacity(inputs.len());
    let mut out: Vec<Domain> = Vec::with_capacity(inputs.len());
    for input in inputs {
        let domain = Domain::parse(input).map_err(|e| format!("{}: {e}", input.trim()))?;
        if !seen.insert(domain.clone()) {
            return Err(format!("{} is listed twice.", domain.as_str()));
        }
        out.push(domain);
    }
    Ok(out)
}

/// [`parse_domain_list`] for an organization's own domains: public providers are refused
/// (see [`crate::domain::check_organization_domain`]; the server also applies the admins' list).
pub fn parse_organization_domains(inputs: &[String]) -> Result<Vec<Domain>, String> {
    let domains = parse_domain_list(inputs, crate::limits::MAX_DOMAINS)?;
    for d in &domains {
        crate::domain::check_organization_domain(d, &[])?;
    }
    Ok(domains)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrganization {
    pub name: String,
    pub domains: Vec<Domain>,
}

pub fn validate_new_organization(req: &CreateOrganizationRequest) -> Result<NewOrganization, FieldErrors> {
    let mut errors = FieldErrors::new();
    let name = parse_organization_name(&req.name).map_err(|e| errors.insert("name".into(), e)).ok();
    let domains = parse_organization_domains(&req.domains).map_err(|e| errors.insert("domains".into(), e)).ok();
    match (name, domains) {
        (Some(name), Some(domains)) => Ok(NewOrganization { name, domains }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_customer_needs_only_a_valid_email() {
        let c = validate_new_customer(&CreateCustomerRequest { email: " Ann@Acme.com ".into(), ..Default::default() })
            .unwrap();
        assert_eq!(c.email.as_str(), "ann@acme.com");
        assert_eq!((c.first_name.as_str(), c.last_name.as_str()), ("", ""));
    }

    #[test]
    fn customer_errors_name_every_bad_field() {
        let errors = validate_new_customer(&CreateCustomerRequest {
            email: "nope".into(),
            first_name: "x".repeat(121),
            last_name: "ok".into(),
            phone: "call me".into(),
            send_invitation: false,
        })
        .unwrap_err();
        assert_eq!(errors.keys().map(String::as_str).collect::<Vec<_>>(), ["email", "first_name", "phone"]);
    }

    #[test]
    fn phone_numbers_are_written_freely_but_need_digits_and_no_other_letters() {
        for (input, expected) in [
            ("", ""),
            ("   ", ""),
            (" +49 30  1234567 ", "+49 30 1234567"),
            ("+1 (555) 010-9999 ext. 12", "+1 (555) 010-9999 ext. 12"),
            ("555.010.9999 X7", "555.010.9999 X7"),
            ("030/123 45 67", "030/123 45 67"),
            ("+41 1", "+41 1"),
            ("12345EXT6", "12345EXT6"),
        ] {
            assert_eq!(parse_phone_number(input), Ok(expected.to_string()), "{input:?}");
        }
        let no_digits = parse_phone_number("call me").unwrap_err();
        assert!(no_digits.contains("not a phone number"), "{no_digits}");
        assert!(parse_phone_number("ext. x").unwrap_err().contains("not a phone number"));
        for junk in
            ["call 555 0100", "555 0100 ask for Bob", "+1 555 0100 #12", "555\\0100", "٥٥٥ 0100 xt", "555\u{0}1"]
        {
            let err = parse_phone_number(junk).unwrap_err();
            assert!(err.contains("digits, spaces"), "{junk:?}: {err}");
        }
        assert_eq!(parse_phone_number(&"1".repeat(MAX_PHONE)).map(|p| p.len()), Ok(MAX_PHONE));
        assert!(parse_phone_number(&"1".repeat(MAX_PHONE + 1)).unwrap_err().contains("at most 40"));
    }

    #[test]
    fn organization_names_are_trimmed_and_required() {
        assert_eq!(parse_organization_name("  Acme  "), Ok("Acme".into()));
        assert!(parse_organization_name("   ").is_err());
        assert!(parse_organization_name(&"a".repeat(121)).is_err());
        assert_eq!(organization_name_key(" ACME Corp "), "acme corp");
    }

    #[test]
    fn a_domain_listed_twice_is_refused_even_in_another_spelling() {
        let err = parse_domain_list(&["acme.com".into(), "@ACME.com.".into()], 10).unwrap_err();
        assert!(err.contains("twice"), "{err}");
        assert_eq!(parse_domain_list(&["acme.com".into(), "acme.co.uk".into()], 10).unwrap().len(), 2);
        assert!(parse_domain_list(&["http://acme.com".into()], 10).is_err());
        let err = parse_organization_domains(&["acme.com".into(), "GMail.com".into()]).unwrap_err();
        assert!(err.contains("gmail.com is a public email provider"), "{err}");
        assert!(parse_organization_domains(&["*.yahoo.co.uk".into()]).is_err());
        assert_eq!(parse_organization_domains(&["acme.com".into()]).unwrap().len(), 1);
        let many: Vec<String> = (0..=crate::limits::MAX_DOMAINS).map(|i| format!("d{i}.example.com")).collect();
        assert_eq!(parse_organization_domains(&many).unwrap_err(), "List at most 100 domains.");
        assert_eq!(parse_organization_domains(&many[..100]).unwrap().len(), 100);
    }

    #[test]
    fn the_sort_name_falls_back_to_the_email() {
        assert_eq!(customer_sort_name(" Ann ", "Lee", "a@b.io"), "ann lee");
        assert_eq!(customer_sort_name("", " ", "a@b.io"), "a@b.io");
    }

    #[test]
    fn an_organization_request_reports_name_and_domains() {
        let errors =
            validate_new_organization(&CreateOrganizationRequest { name: "".into(), domains: vec!["a b".into()] })
                .unwrap_err();
        assert!(errors.contains_key("name") && errors.contains_key("domains"));
    }
}
