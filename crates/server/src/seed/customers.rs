//! Organizations with their domains, and customers with their memberships: the
//! demo's named companies and the generated data sets of any size.

use orgdesk_core::customer::customer_sort_name;
use orgdesk_core::duplicates::{domain_root, name_key as duplicate_key};

use super::advance_sequences;
use crate::db::{query, Db, Query};
use crate::time_fmt::now_ms;

pub(super) const FIRST: &[&str] = &[
    "Ava", "Ben", "Chloe", "Daniel", "Elena", "Farid", "Grace", "Hiro", "Isla", "Jonas", "Kemi", "Liam", "Maya",
    "Noah", "Olga", "Priya", "Quinn", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wen", "Yusuf", "Zoe",
];
pub(super) const LAST: &[&str] = &[
    "Adams", "Baker", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Hughes", "Ito", "Jensen", "Kowalski", "Lopez",
    "Moreau", "Nakamura", "Okafor", "Patel", "Quiroga", "Rossi", "Silva", "Tanaka", "Ueda", "Varga", "Weber", "Young",
];
const POSITIONS: &[&str] =
    &["Office Manager", "IT Lead", "Accountant", "Head of Operations", "Developer", "Support Coordinator", "", ""];

/// The demo organizations and their domains, in id order (Tyrell has no domain, so no members).
const DEMO_ORGANIZATIONS: &[(&str, &[&str])] = &[
    ("Acme Corporation", &["acme.com", "acme.co.uk"]),
    ("Globex", &["globex.com"]),
    ("Initech", &["initech.com"]),
    ("Umbrella Health", &["umbrella-health.com"]),
    ("Stark Industries", &["starkindustries.com"]),
    ("Wayne Enterprises", &["wayne-ent.com"]),
    ("Hooli", &["hooli.xyz"]),
    ("Vandelay Industries", &["vandelay.com"]),
    ("Cyberdyne Systems", &["cyberdyne.io"]),
    ("Soylent Foods", &["soylent.co"]),
    ("Pied Piper", &["piedpiper.com"]),
    ("Tyrell Corporation", &[]),
    ("Acme Europe", &["acme.eu"]),
];

/// Demo customers with a public email address, in no organization: (first, last, email).
const DEMO_FREELANCERS: &[(&str, &str, &str)] = &[
    ("Pat", "Morgan", "pat.morgan@gmail.com"),
    ("Lee", "Harper", "lee.harper@outlook.com"),
    ("Robin", "Shaw", "robin@freelance-design.net"),
];

/// The legal forms of generated organization names.
const SUFFIXES: [&str; 5] = ["Ltd", "Group", "Inc", "GmbH", "Labs"];

/// Rows per `INSERT` statement.
const BATCH: usize = 1000;

#[derive(Debug)]
pub(super) struct Org {
    pub id: i64,
    pub name: String,
    pub domains: Vec<String>,
}

#[derive(Debug)]
pub(super) struct Customer {
    pub id: i64,
    pub email: String,
    pub first: String,
    pub last: String,
    /// The organization and the position held there.
    pub org: Option<(i64, String)>,
}

impl Customer {
    pub fn org_id(&self) -> Option<i64> {
        self.org.as_ref().map(|(id, _)| *id)
    }
}

/// The demo organizations, numbered from `base`.
pub(super) fn demo_organizations(base: i64) -> Vec<Org> {
    DEMO_ORGANIZATIONS
        .iter()
        .zip(base..)
        .map(|((name, domains), id)| Org {
            id,
            name: name.to_string(),
            domains: domains.iter().map(|d| d.to_string()).collect(),
        })
        .collect()
}

/// Three to eight members at each organization's first domain, then the freelancers;
/// numbered from `base`.
pub(super) fn demo_customers(orgs: &[Org], base: i64) -> Vec<Customer> {
    let mut customers = Vec::new();
    let mut n = 0usize;
    for (oi, org) in orgs.iter().enumerate() {
        let Some(domain) = org.domains.first() else {
            continue;
        };
        for k in 0..(3 + (oi * 7) % 6) {
            let first = FIRST[(n * 7 + k) % FIRST.len()];
            let last = LAST[(n * 11 + oi) % LAST.len()];
            let position = POSITIONS[(n + k) % POSITIONS.len()];
            customers.push(Customer {
                id: base + n as i64,
                email: format!("{}.{}@{domain}", first.to_lowercase(), last.to_lowercase()),
                first: first.into(),
                last: last.into(),
                org: Some((org.id, position.into())),
            });
            n += 1;
        }
    }
    for (first, last, email) in DEMO_FREELANCERS {
        customers.push(Customer {
            id: base + n as i64,
            email: email.to_string(),
            first: first.to_string(),
            last: last.to_string(),
            org: None,
        });
        n += 1;
    }
    customers
}

/// `count` organizations numbered from `base`, each with the domain `org<id>.example`.
pub(super) fn bulk_organizations(base: i64, count: u32) -> Vec<Org> {
    (0..i64::from(count))
        .map(|i| {
            let id = base + i;
            Org {
                id,
                name: format!("{} {} {id}", LAST[(id as usize) % LAST.len()], SUFFIXES[(id as usize / 7) % 5]),
                domains: vec![format!("org{id}.example")],
            }
        })
        .collect()
}

/// `count` customers numbered from `base`; nine in ten are members of one of `orgs`
/// (spread by a multiplicative step), the tenth has a gmail.com address.
pub(super) fn bulk_customers(base: i64, count: u32, orgs: &[Org]) -> Vec<Customer> {
    (0..i64::from(count))
        .map(|i| {
            let id = base + i;
            let org = (!orgs.is_empty() && i % 10 != 9).then(|| &orgs[(i as usize * 7919) % orgs.len()]);
            let first = FIRST[(id as usize * 13) % FIRST.len()];
            let last = LAST[(id as usize * 17) % LAST.len()];
            let domain = org.map(|o| o.domains[0].clone()).unwrap_or_else(|| "gmail.com".into());
            Customer {
                id,
                email: format!("{}.{}.{id}@{domain}", first.to_lowercase(), last.to_lowercase()),
                first: first.into(),
                last: last.into(),
                org: org.map(|o| (o.id, POSITIONS[(id as usize) % POSITIONS.len()].to_string())),
            }
        })
        .collect()
}

/// The batched `INSERT`s of organizations, domains, customers and memberships, in that order.
fn insert_statements(orgs: &[Org], customers: &[Customer], now: i64) -> Vec<Query> {
    let domains: Vec<(&str, i64)> =
        orgs.iter().flat_map(|o| o.domains.iter().map(move |d| (d.as_str(), o.id))).collect();
    let members: Vec<(i64, i64, &str)> =
        customers.iter().filter_map(|c| c.org.as_ref().map(|(org, pos)| (c.id, *org, pos.as_str()))).collect();
    let mut statements = Vec::new();
    // With their duplicate keys (as every other writer sets them): left out, the server's
    // start would fill them in, rewriting every organization (on PostgreSQL 10,000 new
    // entries in the pending list of the names' trigram index, which every organization
    // search then reads through until autovacuum merges it).
    for chunk in orgs.chunks(BATCH) {
        let mut q = query("INSERT INTO organizations (id, name, name_key, duplicate_key, created_at) ");
        q.push_values(chunk, |o| {
            vec![o.id.into(), (&o.name).into(), o.name.to_lowercase().into(), duplicate_key(&o.name).into(), now.into()]
        });
        statements.push(q);
    }
    for chunk in domains.chunks(BATCH) {
        let mut q = query("INSERT INTO organization_domains (domain, organization_id, root) ");
        q.push_values(chunk, |(d, o)| vec![(*d).into(), (*o).into(), domain_root(d).unwrap_or_default().into()]);
        statements.push(q);
    }
    for chunk in customers.chunks(BATCH) {
        let mut q = query(
            "INSERT INTO customers (id, email, first_name, last_name, first_key, last_key, sort_name, created_at) ",
        );
        q.push_values(chunk, |c| {
            vec![
                c.id.into(),
                (&c.email).into(),
                (&c.first).into(),
                (&c.last).into(),
                c.first.to_lowercase().into(),
                c.last.to_lowercase().into(),
                customer_sort_name(&c.first, &c.last, &c.email).into(),
                now.into(),
            ]
        });
        statements.push(q);
    }
    for chunk in members.chunks(BATCH) {
        let mut q = query("INSERT INTO memberships (customer_id, organization_id, position) ");
        q.push_values(chunk, |(c, o, p)| vec![(*c).into(), (*o).into(), (*p).into()]);
        statements.push(q);
    }
    statements
}

/// Writes `orgs` and `customers` (with their ids) in one transaction.
pub(super) async fn insert(db: &Db, orgs: &[Org], customers: &[Customer]) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    for statement in insert_statements(orgs, customers, now_ms()) {
        statement.execute(&mut tx).await?;
    }
    advance_sequences(&mut tx, &["organizations", "customers"]).await?;
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::db::Arg;

    #[test]
    fn every_demo_organization_with_a_domain_gets_three_to_eight_members() {
        let orgs = demo_organizations(1);
        let customers = demo_customers(&orgs, 1);
        for org in &orgs {
            let members = customers.iter().filter(|c| c.org_id() == Some(org.id)).count();
            if org.domains.is_empty() {
                assert_eq!(members, 0, "{}", org.name);
            } else {
                assert!((3..=8).contains(&members), "{} has {members}", org.name);
                let domain = &org.domains[0];
                assert!(customers.iter().filter(|c| c.org_id() == Some(org.id)).all(|c| c.email.ends_with(domain)));
            }
        }
    }

    #[test]
    fn the_demo_freelancers_come_last_in_no_organization() {
        let orgs = demo_organizations(1);
        let customers = demo_customers(&orgs, 1);
        let freelancers: Vec<&str> = customers.iter().filter(|c| c.org.is_none()).map(|c| c.email.as_str()).collect();
        assert_eq!(freelancers, ["pat.morgan@gmail.com", "lee.harper@outlook.com", "robin@freelance-design.net"]);
        assert!(customers.iter().rev().take(3).all(|c| c.org.is_none()));
    }

    #[test]
    fn seeded_ids_are_consecutive_from_the_base() {
        let orgs = demo_organizations(40);
        assert_eq!(orgs.iter().map(|o| o.id).collect::<Vec<_>>(), (40..40 + orgs.len() as i64).collect::<Vec<_>>());
        let customers = demo_customers(&orgs, 7);
        assert!(customers.iter().zip(7..).all(|(c, id)| c.id == id));
        let bulk = bulk_customers(100, 50, &bulk_organizations(3, 5));
        assert!(bulk.iter().zip(100..).all(|(c, id)| c.id == id));
    }

    #[test]
    fn seeded_emails_are_unique() {
        let orgs = demo_organizations(1);
        let demo = demo_customers(&orgs, 1);
        assert_eq!(demo.iter().map(|c| &c.email).collect::<HashSet<_>>().len(), demo.len());
        let bulk = bulk_customers(1, 5_000, &bulk_organizations(1, 300));
        assert_eq!(bulk.iter().map(|c| &c.email).collect::<HashSet<_>>().len(), bulk.len());
    }

    #[test]
    fn nine_in_ten_generated_customers_are_members_at_their_organizations_domain() {
        let orgs = bulk_organizations(1, 20);
        let customers = bulk_customers(1, 1_000, &orgs);
        assert_eq!(customers.iter().filter(|c| c.org.is_some()).count(), 900);
        for c in &customers {
            match c.org_id() {
                Some(org) => assert!(c.email.ends_with(&format!("@org{org}.example")), "{}", c.email),
                None => assert!(c.email.ends_with("@gmail.com"), "{}", c.email),
            }
        }
    }

    #[test]
    fn generated_customers_without_organizations_have_public_addresses() {
        let customers = bulk_customers(1, 30, &[]);
        assert!(customers.iter().all(|c| c.org.is_none() && c.email.ends_with("@gmail.com")));
    }

    #[test]
    fn generated_organizations_have_one_domain_named_after_their_id() {
        let orgs = bulk_organizations(8, 2);
        assert_eq!(orgs[0].name, "Ito Group 8");
        assert_eq!(orgs[0].domains, ["org8.example"]);
        assert_eq!(orgs[1].name, "Jensen Group 9");
    }

    #[test]
    fn inserts_are_batched_by_a_thousand_rows_per_table() {
        let orgs = bulk_organizations(1, 1_500);
        let customers = bulk_customers(1, 2_001, &orgs);
        let statements = insert_statements(&orgs, &customers, 5);
        let tables: Vec<&str> = statements.iter().map(|q| q.sql().split(' ').nth(2).unwrap()).collect();
        assert_eq!(
            tables,
            [
                "organizations",
                "organizations",
                "organization_domains",
                "organization_domains",
                "customers",
                "customers",
                "customers",
                "memberships",
                "memberships"
            ]
        );
        assert_eq!(statements[0].args().len(), 1_000 * 5, "id, name, name key, duplicate key, time");
        assert_eq!(statements[2].args().len(), 1_000 * 3, "domain, organization, root");
        assert_eq!(statements[6].args().len(), 8, "the last customer alone");
    }

    #[test]
    fn a_customer_row_binds_its_keys_and_sort_name() {
        let orgs = demo_organizations(1);
        let customers = demo_customers(&orgs[..1], 1);
        let statements = insert_statements(&orgs[..1], &customers[..1], 5);
        let customer = statements.iter().find(|q| q.sql().starts_with("INSERT INTO customers")).unwrap();
        assert!(customer.sql().ends_with("VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"));
        let c = &customers[0];
        assert_eq!(
            customer.args(),
            &[
                Arg::Int(Some(1)),
                Arg::Text(Some(c.email.clone())),
                Arg::Text(Some(c.first.clone())),
                Arg::Text(Some(c.last.clone())),
                Arg::Text(Some(c.first.to_lowercase())),
                Arg::Text(Some(c.last.to_lowercase())),
                Arg::Text(Some(customer_sort_name(&c.first, &c.last, &c.email))),
                Arg::Int(Some(5)),
            ]
        );
    }
}
