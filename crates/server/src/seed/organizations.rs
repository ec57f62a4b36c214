//! What the organization panel shows for the demo data: a parent link, managers,
//! contact information, custom properties with values, a summary, a note and a
//! first history entry.

use super::customers::Org;
use crate::db::{query, Db};
use crate::time_fmt::now_ms;

pub(super) const ACME: &str = "Acme Corporation";
const ACME_EUROPE: &str = "Acme Europe";

const ACME_SUMMARY: &str =
    "Long-standing customer since 2019. Two offices (Springfield and London); invoices go to the London office.";

const ACME_NOTE: &str = "Renewal call booked for next month; they are asking about the Enterprise plan.";

/// Acme's contact information: (kind, label, value).
const ACME_CONTACTS: &[(&str, &str, &str)] = &[
    ("phone", "Main", "+1 555 0100"),
    ("email", "Billing", "billing@acme.com"),
    ("website", "", "https://acme.com"),
    ("address", "Head office", "1 Acme Way\nSpringfield 01101\nUSA"),
    ("social", "LinkedIn", "https://www.linkedin.com/company/acme"),
];

/// The custom properties, in position order: (label, kind, required, options as JSON).
const DEFINITIONS: &[(&str, &str, bool, &str)] = &[
    ("Plan", "single_choice", true, r#"["Free","Team","Enterprise"]"#),
    ("Seats", "number", false, "[]"),
    ("Renewal date", "date", false, "[]"),
    ("Products", "multiple_choice", false, r#"["Helpdesk","Portal","Reporting"]"#),
    ("Priority support", "checkbox", false, "[]"),
    ("Account notes", "long_text", false, "[]"),
];

const PLANS: [&str; 3] = ["Free", "Team", "Enterprise"];

/// The property values of the `i`-th organization as (index into [`DEFINITIONS`],
/// JSON value): every one has a plan, two in three seats and a renewal date, one in
/// four products and priority support, Acme an account note.
fn property_values(i: usize, is_acme: bool) -> Vec<(usize, String)> {
    let mut values = vec![(0, format!("\"{}\"", PLANS[i % PLANS.len()]))];
    if i % 3 != 0 {
        values.push((1, format!("{}", 5 + i * 15)));
        values.push((2, format!("\"2027-{:02}-01\"", 1 + i % 12)));
    }
    if i % 4 == 0 {
        values.push((3, r#"["Helpdesk","Portal"]"#.to_string()));
        values.push((4, "true".to_string()));
    }
    if is_acme {
        values.push((5, "\"Prefers email over phone. Quarterly review with their IT lead.\"".to_string()));
    }
    values
}

/// Writes the panel's demo content for `orgs` in one transaction.
pub(super) async fn insert_demo(db: &Db, orgs: &[Org]) -> Result<(), sqlx::Error> {
    let now = now_ms();
    let by_name = |name: &str| orgs.iter().find(|o| o.name == name).map(|o| o.id).unwrap_or_default();
    let acme = by_name(ACME);
    let sam: Option<i64> = query("SELECT id FROM agents WHERE email = 'sam@orgdesk.local'").optional_scalar(db).await?;
    let mut tx = db.begin_write().await?;
    query("UPDATE organizations SET parent_id = $1 WHERE id = $2")
        .bind(acme)
        .bind(by_name(ACME_EUROPE))
        .execute(&mut tx)
        .await?;
    query("UPDATE organizations SET summary = $2 WHERE id = $1").bind(acme).bind(ACME_SUMMARY).execute(&mut tx).await?;
    // The first member of each organization manages it.
    query(
        "UPDATE memberships SET role = 'manager' WHERE customer_id IN \
         (SELECT MIN(customer_id) FROM memberships GROUP BY organization_id)",
    )
    .execute(&mut tx)
    .await?;
    for (i, (kind, label, value)) in ACME_CONTACTS.iter().enumerate() {
        query("INSERT INTO organization_contacts (organization_id, position, kind, label, value) VALUES ($1, $2, $3, $4, $5)")
            .bind(acme)
            .bind(i as i64)
            .bind(*kind)
            .bind(*label)
            .bind(*value)
            .execute(&mut tx)
            .await?;
    }
    let mut ids = Vec::new();
    for (i, (label, kind, required, options)) in DEFINITIONS.iter().enumerate() {
        let id: i64 = query(
            "INSERT INTO organization_property_definitions (label, label_key, kind, required, options, position, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(*label)
        .bind(label.to_lowercase())
        .bind(*kind)
        .bind(*required)
        .bind(*options)
        .bind(i as i64)
        .bind(now)
        .scalar(&mut tx)
        .await?;
        ids.push(id);
    }
    for (i, org) in orgs.iter().enumerate() {
        for (definition, value) in property_values(i, org.id == acme) {
            query(
                "INSERT INTO organization_property_values (organization_id, definition_id, value) VALUES ($1, $2, $3)",
            )
            .bind(org.id)
            .bind(ids[definition])
            .bind(value)
            .execute(&mut tx)
            .await?;
        }
        query(
            "INSERT INTO organization_history (organization_id, agent_id, action, summary, details, created_at) \
             VALUES ($1, NULL, 'created', 'Created with the demo data', '{}', $2)",
        )
        .bind(org.id)
        .bind(now)
        .execute(&mut tx)
        .await?;
    }
    query("INSERT INTO organization_notes (organization_id, agent_id, body, created_at) VALUES ($1, $2, $3, $4)")
        .bind(acme)
        .bind(sam)
        .bind(ACME_NOTE)
        .bind(now)
        .execute(&mut tx)
        .await?;
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use orgdesk_core::contact::{validate_entries, ContactEntry, ContactKind};
    use orgdesk_core::properties::{validate_definition, validate_value, PropertyDefinitionInput};
    use orgdesk_core::word::Word;

    use super::*;

    fn definition((label, kind, required, options): (&str, &str, bool, &str)) -> PropertyDefinitionInput {
        PropertyDefinitionInput {
            label: label.into(),
            kind: serde_json::from_value(serde_json::Value::String(kind.into())).unwrap(),
            required,
            options: serde_json::from_str(options).unwrap(),
        }
    }

    #[test]
    fn the_demo_property_definitions_pass_the_panel_rules() {
        for d in DEFINITIONS {
            let input = definition(*d);
            assert_eq!(validate_definition(&input), Ok(input.clone()), "{}", d.0);
        }
    }

    #[test]
    fn every_demo_property_value_passes_its_definitions_rules() {
        let definitions: Vec<PropertyDefinitionInput> = DEFINITIONS.iter().copied().map(definition).collect();
        for i in 0..13 {
            for (d, value) in property_values(i, i == 0) {
                let value: serde_json::Value = serde_json::from_str(&value).unwrap();
                assert_eq!(
                    validate_value(&definitions[d], &value),
                    Ok(Some(value.clone())),
                    "org {i}, {}",
                    DEFINITIONS[d].0
                );
            }
        }
    }

    #[test]
    fn every_organization_has_a_plan_and_only_acme_has_account_notes() {
        for i in 0..13 {
            let values = property_values(i, i == 0);
            assert_eq!(values[0].0, 0, "org {i} starts with its plan");
            assert_eq!(values.iter().any(|(d, _)| *d == 5), i == 0, "org {i}");
        }
        assert_eq!(property_values(0, true)[0].1, "\"Free\"");
        assert_eq!(property_values(4, false)[0].1, "\"Team\"");
        assert_eq!(property_values(4, false).len(), 5);
        assert_eq!(property_values(3, false).len(), 1);
    }

    #[test]
    fn the_demo_contacts_pass_the_panel_rules_unchanged() {
        let entries: Vec<ContactEntry> = ACME_CONTACTS
            .iter()
            .map(|(kind, label, value)| ContactEntry {
                kind: serde_json::from_value(serde_json::Value::String(kind.to_string())).unwrap(),
                label: label.to_string(),
                value: value.to_string(),
            })
            .collect();
        assert_eq!(entries.iter().map(|e| e.kind).collect::<Vec<_>>(), ContactKind::ALL.to_vec());
        assert_eq!(validate_entries(&entries), Ok(entries.clone()));
    }
}
