//! Guessing what each column holds from its header (case-insensitive, ignoring
//! spaces and punctuation, with common synonyms and the custom properties' labels),
//! and, when no header names the email, from the values of the first rows.

use crate::api::import::{ColumnMapping, ImportField};
use crate::email::Email;

/// A header as compared: lower case, letters and digits only ("E-Mail Address" → "emailaddress").
pub fn header_key(header: &str) -> String {
    header.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// Header keys of each fixed field.
const SYNONYMS: &[(ImportField, &[&str])] = &[
    (
        ImportField::Email,
        &["email", "emailaddress", "mail", "emails", "mailaddress", "customeremail", "contactemail", "courriel"],
    ),
    (ImportField::FirstName, &["firstname", "givenname", "first", "forename", "vorname", "prenom", "prénom"]),
    (ImportField::LastName, &["lastname", "surname", "familyname", "last", "nachname", "nom"]),
    (
        ImportField::OrganizationName,
        &[
            "organization",
            "organisation",
            "organizationname",
            "organisationname",
            "company",
            "companyname",
            "org",
            "account",
            "accountname",
            "firma",
            "customerorganization",
        ],
    ),
    (
        ImportField::OrganizationDomains,
        &["domains", "domain", "organizationdomains", "organisationdomains", "companydomain", "emaildomains"],
    ),
    (ImportField::ParentOrganization, &["parent", "parentorganization", "parentorganisation", "parentcompany"]),
    (ImportField::Position, &["position", "jobtitle", "title", "job", "role", "function"]),
    (ImportField::Manager, &["manager", "ismanager", "organizationmanager"]),
    (ImportField::Phone, &["phone", "telephone", "phonenumber", "tel", "mobile", "mobilephone", "cell"]),
];

/// The field a header names, if any (properties by their label, before synonyms).
fn field_of(key: &str, properties: &[(i64, String)]) -> Option<ImportField> {
    if key.is_empty() {
        return None;
    }
    if let Some((id, _)) = properties.iter().find(|(_, label)| header_key(label) == key) {
        return Some(ImportField::Property { id: *id });
    }
    SYNONYMS.iter().find(|(_, keys)| keys.contains(&key)).map(|(f, _)| *f)
}

/// The guessed field of every column, in column order: each field at most once
/// (the first column naming it wins). "Name" is the organization name in a file with
/// no email column. With no email header, the first column whose preview values are
/// mostly email addresses is the email.
pub fn guess_mapping(headers: &[String], preview: &[Vec<String>], properties: &[(i64, String)]) -> Vec<ColumnMapping> {
    let mut fields: Vec<ImportField> = Vec::with_capacity(headers.len());
    for header in headers {
        let field = field_of(&header_key(header), properties).unwrap_or(ImportField::Ignore);
        let taken = field != ImportField::Ignore && fields.contains(&field);
        fields.push(if taken { ImportField::Ignore } else { field });
    }
    if !fields.contains(&ImportField::Email) {
        let by_content = (0..headers.len()).find(|&c| {
            fields[c] == ImportField::Ignore && {
                let values: Vec<&str> =
                    preview.iter().filter_map(|r| r.get(c)).map(|v| v.trim()).filter(|v| !v.is_empty()).collect();
                !values.is_empty() && values.iter().filter(|v| Email::parse(v).is_ok()).count() * 2 > values.len()
            }
        });
        if let Some(c) = by_content {
            fields[c] = ImportField::Email;
        }
    }
    if !fields.contains(&ImportField::Email) && !fields.contains(&ImportField::OrganizationName) {
        if let Some(c) = headers.iter().position(|h| header_key(h) == "name") {
            fields[c] = ImportField::OrganizationName;
        }
    }
    fields.into_iter().enumerate().map(|(column, field)| ColumnMapping { column, field }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guess(headers: &[&str], preview: &[&[&str]]) -> Vec<ImportField> {
        let headers: Vec<String> = headers.iter().map(|s| s.to_string()).collect();
        let preview: Vec<Vec<String>> = preview.iter().map(|r| r.iter().map(|s| s.to_string()).collect()).collect();
        let properties = vec![(7, "Customer tier".to_string()), (8, "Region".to_string())];
        guess_mapping(&headers, &preview, &properties).into_iter().map(|m| m.field).collect()
    }

    use ImportField::*;

    #[test]
    fn headers_are_guessed_case_insensitively_with_synonyms() {
        let cases: &[(&str, ImportField)] = &[
            ("Email", Email),
            ("E-mail", Email),
            ("EMAIL ADDRESS", Email),
            ("e_mail", Email),
            ("First name", FirstName),
            ("Given Name", FirstName),
            ("Surname", LastName),
            ("last_name", LastName),
            ("Company", OrganizationName),
            ("Organisation", OrganizationName),
            ("Job title", Position),
            ("Title", Position),
            ("Manager", Manager),
            ("Telephone", Phone),
            ("Phone number", Phone),
            ("Domains", OrganizationDomains),
            ("Parent organization", ParentOrganization),
            ("customer tier", Property { id: 7 }),
            ("REGION", Property { id: 8 }),
            ("Notes", Ignore),
            ("", Ignore),
        ];
        for (header, field) in cases {
            assert_eq!(guess(&["x", header], &[])[1], *field, "{header:?}");
        }
    }

    #[test]
    fn each_field_is_guessed_once() {
        assert_eq!(guess(&["Email", "E-mail", "Company"], &[]), vec![Email, Ignore, OrganizationName]);
    }

    #[test]
    fn without_an_email_header_the_values_decide() {
        let preview: &[&[&str]] = &[&["Ann", "ann@acme.test"], &["Bo", "bo@acme.test"], &["Cy", ""]];
        assert_eq!(guess(&["Who", "Contact"], preview), vec![Ignore, Email]);
        let mostly_not: &[&[&str]] = &[&["Ann", "ann@acme.test"], &["Bo", "none"], &["Cy", "n/a"]];
        assert_eq!(guess(&["Who", "Contact"], mostly_not), vec![Ignore, Ignore]);
    }

    #[test]
    fn name_is_the_organization_in_an_organizations_file() {
        assert_eq!(
            guess(&["Name", "Domains", "Parent"], &[]),
            vec![OrganizationName, OrganizationDomains, ParentOrganization]
        );
        assert_eq!(guess(&["Name", "Email"], &[]), vec![Ignore, Email]);
    }
}
