//! An organization's contact information: phones, emails, websites, addresses and
//! social profiles, in the order the agents put them.
//!
//! The list is edited in place, as a whole: a save replaces every entry, checks and
//! bumps the organization's version (so two agents never overwrite each other) and
//! records what was added and removed in the history, in one transaction.

use orgdesk_core::contact::ContactEntry;
use orgdesk_core::word::Word;
use serde_json::json;

use crate::db::organizations::history::{self, check_and_bump_version, Entry};
use crate::db::{decode_word, query, Db};
use crate::error::ApiError;

#[derive(sqlx::FromRow)]
struct ContactRow {
    kind: String,
    label: String,
    value: String,
}

fn to_entries(rows: Vec<ContactRow>) -> Result<Vec<ContactEntry>, sqlx::Error> {
    rows.into_iter().map(|r| Ok(ContactEntry { kind: decode_word(&r.kind)?, label: r.label, value: r.value })).collect()
}

/// What changed between two lists of entries: (added, removed), each as a multiset difference.
fn contact_diff(old: &[ContactEntry], new: &[ContactEntry]) -> (Vec<ContactEntry>, Vec<ContactEntry>) {
    let minus = |a: &[ContactEntry], b: &[ContactEntry]| {
        let mut rest: Vec<&ContactEntry> = b.iter().collect();
        let mut out = Vec::new();
        for e in a {
            match rest.iter().position(|x| *x == e) {
                Some(i) => {
                    rest.swap_remove(i);
                }
                None => out.push(e.clone()),
            }
        }
        out
    };
    (minus(new, old), minus(old, new))
}

fn contacts_summary(added: usize, removed: usize) -> String {
    match (added, removed) {
        (0, 0) => "Contact information reordered".into(),
        (a, 0) => format!("Contact information changed: {a} added"),
        (0, r) => format!("Contact information changed: {r} removed"),
        (a, r) => format!("Contact information changed: {a} added, {r} removed"),
    }
}

/// The `contacts_changed` history entry of organization `org`'s entries going from `old` to `new`.
fn contacts_entry(org: i64, agent: i64, old: &[ContactEntry], new: &[ContactEntry]) -> Entry {
    let (added, removed) = contact_diff(old, new);
    Entry {
        organization: org,
        agent: Some(agent),
        action: "contacts_changed",
        summary: contacts_summary(added.len(), removed.len()),
        details: json!({ "added": added, "removed": removed }),
    }
}

/// Replaces organization `org`'s contact entries (already validated) in one
/// transaction, checking and bumping its version, with one history entry (none
/// when nothing changed; the version is bumped all the same).
pub async fn replace_contacts(
    db: &Db,
    org: i64,
    version: i64,
    entries: &[ContactEntry],
    agent: i64,
    now: i64,
) -> Result<(), ApiError> {
    let mut tx = db.begin_write().await?;
    check_and_bump_version(&mut tx, org, version, now).await?;
    let rows: Vec<ContactRow> =
        query("SELECT kind, label, value FROM organization_contacts WHERE organization_id = $1 ORDER BY position, id")
            .bind(org)
            .fetch_all(&mut tx)
            .await?;
    let old = to_entries(rows)?;
    if old.as_slice() != entries {
        query("DELETE FROM organization_contacts WHERE organization_id = $1").bind(org).execute(&mut tx).await?;
        for (i, e) in entries.iter().enumerate() {
            query(
                "INSERT INTO organization_contacts (organization_id, position, kind, label, value) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(org)
            .bind(i as i64)
            .bind(e.kind.as_str())
            .bind(&e.label)
            .bind(&e.value)
            .execute(&mut tx)
            .await?;
        }
        history::record(&mut tx, &contacts_entry(org, agent, &old, entries), now).await?;
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use orgdesk_core::contact::ContactKind;

    use super::*;

    fn entry(kind: ContactKind, value: &str) -> ContactEntry {
        ContactEntry { kind, label: String::new(), value: value.into() }
    }

    #[test]
    fn the_contact_diff_counts_added_and_removed_entries() {
        let a = entry(ContactKind::Phone, "+1 555 0100");
        let b = entry(ContactKind::Email, "info@acme.com");
        let c = entry(ContactKind::Website, "https://acme.com");
        let (added, removed) = contact_diff(&[a.clone(), b.clone()], &[b.clone(), c.clone()]);
        assert_eq!(added, [c]);
        assert_eq!(removed, std::slice::from_ref(&a));
        assert_eq!(contacts_summary(1, 1), "Contact information changed: 1 added, 1 removed");
        let (added, removed) = contact_diff(&[a.clone(), a.clone()], std::slice::from_ref(&a));
        assert!(added.is_empty());
        assert_eq!(removed, [a]);
    }

    #[test]
    fn the_summary_names_only_what_happened() {
        assert_eq!(contacts_summary(0, 0), "Contact information reordered");
        assert_eq!(contacts_summary(2, 0), "Contact information changed: 2 added");
        assert_eq!(contacts_summary(0, 3), "Contact information changed: 3 removed");
    }

    #[test]
    fn a_reordering_is_recorded_with_nothing_added_or_removed() {
        let a = entry(ContactKind::Phone, "+1 555 0100");
        let b = entry(ContactKind::Email, "info@acme.com");
        let recorded = contacts_entry(7, 3, &[a.clone(), b.clone()], &[b, a]);
        assert_eq!(recorded.organization, 7);
        assert_eq!(recorded.agent, Some(3));
        assert_eq!(recorded.action, "contacts_changed");
        assert_eq!(recorded.summary, "Contact information reordered");
        assert_eq!(recorded.details, json!({ "added": [], "removed": [] }));
    }

    #[test]
    fn a_stored_contact_kind_that_is_no_word_is_bad_data_not_a_dropped_entry() {
        let row = |kind: &str| ContactRow { kind: kind.into(), label: String::new(), value: "x".into() };
        assert_eq!(to_entries(vec![row("phone")]).unwrap()[0].kind, ContactKind::Phone);
        assert!(matches!(to_entries(vec![row("phone"), row("fax machine")]), Err(sqlx::Error::Decode(_))));
    }
}
