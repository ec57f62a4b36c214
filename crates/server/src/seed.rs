//! Demo data (`orgdesk --demo`) and large generated data sets for benchmarks
//! (`orgdesk seed`). Both write in one transaction with batched inserts.

use orgdesk_core::agent::Role;
use orgdesk_core::customer::customer_sort_name;

use crate::db::{self, Db};
use crate::time_fmt::now_ms;
use crate::{auth, in_write_tx, on_db};

/// The password of the demo agents (the admin's comes from the configuration).
pub const DEMO_AGENT_PASSWORD: &str = "orgdesk-demo";

const FIRST: &[&str] = &[
    "Ava", "Ben", "Chloe", "Daniel", "Elena", "Farid", "Grace", "Hiro", "Isla", "Jonas", "Kemi", "Liam", "Maya",
    "Noah", "Olga", "Priya", "Quinn", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wen", "Yusuf", "Zoe",
];
const LAST: &[&str] = &[
    "Adams", "Baker", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Hughes", "Ito", "Jensen", "Kowalski", "Lopez",
    "Moreau", "Nakamura", "Okafor", "Patel", "Quiroga", "Rossi", "Silva", "Tanaka", "Ueda", "Varga", "Weber", "Young",
];
const POSITIONS: &[&str] =
    &["Office Manager", "IT Lead", "Accountant", "Head of Operations", "Developer", "Support Coordinator", "", ""];

struct Org {
    id: i64,
    name: String,
    domains: Vec<String>,
}

struct Customer {
    id: i64,
    email: String,
    first: String,
    last: String,
    org: Option<(i64, String)>,
}

pub struct SeedStats {
    pub organizations: u32,
    pub customers: u32,
}

/// Seeds the demo data set when there are no organizations yet; true if it did.
pub async fn demo(db: &Db) -> Result<bool, String> {
    let orgs: i64 = on_db!(db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM organizations").fetch_one(pool).await)
        .map_err(|e| e.to_string())?;
    if orgs > 0 {
        return Ok(false);
    }
    let hash = auth::hash_password(DEMO_AGENT_PASSWORD.into()).await.map_err(|e| e.to_string())?;
    for (email, name) in [("sam@orgdesk.local", "Sam Rivera"), ("kim@orgdesk.local", "Kim Okoye")] {
        if db::agents::find_for_login(db, email).await.map_err(|e| e.to_string())?.is_none() {
            db::agents::insert(db, email, name, Role::Agent, &hash, now_ms()).await.map_err(|e| e.to_string())?;
        }
    }
    let names: &[(&str, &[&str])] = &[
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
    ];
    let base = next_id(db, "organizations").await?;
    let orgs: Vec<Org> = names
        .iter()
        .enumerate()
        .map(|(i, (name, domains))| Org {
            id: base + i as i64,
            name: name.to_string(),
            domains: domains.iter().map(|d| d.to_string()).collect(),
        })
        .collect();
    let mut customers = Vec::new();
    let cbase = next_id(db, "customers").await?;
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
                id: cbase + n as i64,
                email: format!("{}.{}@{domain}", first.to_lowercase(), last.to_lowercase()),
                first: first.into(),
                last: last.into(),
                org: Some((org.id, position.into())),
            });
            n += 1;
        }
    }
    for (first, last, email) in [
        ("Pat", "Morgan", "pat.morgan@gmail.com"),
        ("Lee", "Harper", "lee.harper@outlook.com"),
        ("Robin", "Shaw", "robin@freelance-design.net"),
    ] {
        customers.push(Customer {
            id: cbase + n as i64,
            email: email.into(),
            first: first.into(),
            last: last.into(),
            org: None,
        });
        n += 1;
    }
    insert_all(db, &orgs, &customers).await.map_err(|e| format!("seeding demo data failed: {e}"))?;
    Ok(true)
}

/// Generates `organizations` organizations (one domain each) and `customers`
/// customers, nine in ten of them members, in one transaction.
pub async fn bulk(db: &Db, organizations: u32, customers: u32) -> Result<SeedStats, String> {
    let obase = next_id(db, "organizations").await?;
    let cbase = next_id(db, "customers").await?;
    let orgs: Vec<Org> = (0..organizations as i64)
        .map(|i| {
            let id = obase + i;
            Org {
                id,
                name: format!(
                    "{} {} {id}",
                    LAST[(id as usize) % LAST.len()],
                    ["Ltd", "Group", "Inc", "GmbH", "Labs"][(id as usize / 7) % 5]
                ),
                domains: vec![format!("org{id}.example")],
            }
        })
        .collect();
    let people: Vec<Customer> = (0..customers as i64)
        .map(|i| {
            let id = cbase + i;
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
        .collect();
    insert_all(db, &orgs, &people).await.map_err(|e| format!("seeding failed: {e}"))?;
    Ok(SeedStats { organizations, customers })
}

async fn next_id(db: &Db, table: &str) -> Result<i64, String> {
    let sql = format!("SELECT COALESCE(MAX(id), 0) + 1 FROM {table}");
    on_db!(db, pool => sqlx::query_scalar::<_, i64>(&sql).fetch_one(pool).await).map_err(|e| e.to_string())
}

const BATCH: usize = 1000;

async fn insert_all(db: &Db, orgs: &[Org], customers: &[Customer]) -> Result<(), sqlx::Error> {
    let now = now_ms();
    let domains: Vec<(&str, i64)> =
        orgs.iter().flat_map(|o| o.domains.iter().map(move |d| (d.as_str(), o.id))).collect();
    let members: Vec<(i64, i64, &str)> =
        customers.iter().filter_map(|c| c.org.as_ref().map(|(org, pos)| (c.id, *org, pos.as_str()))).collect();
    let postgres = matches!(db, Db::Postgres(_));
    in_write_tx!(db, tx => async {
        for chunk in orgs.chunks(BATCH) {
            let mut qb = sqlx::QueryBuilder::new("INSERT INTO organizations (id, name, name_key, created_at) ");
            qb.push_values(chunk, |mut b, o| {
                b.push_bind(o.id).push_bind(&o.name).push_bind(o.name.to_lowercase()).push_bind(now);
            });
            qb.build().execute(&mut *tx).await?;
        }
        for chunk in domains.chunks(BATCH) {
            let mut qb = sqlx::QueryBuilder::new("INSERT INTO organization_domains (domain, organization_id) ");
            qb.push_values(chunk, |mut b, (d, o)| {
                b.push_bind(*d).push_bind(*o);
            });
            qb.build().execute(&mut *tx).await?;
        }
        for chunk in customers.chunks(BATCH) {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO customers (id, email, first_name, last_name, first_key, last_key, sort_name, created_at) ",
            );
            qb.push_values(chunk, |mut b, c| {
                b.push_bind(c.id)
                    .push_bind(&c.email)
                    .push_bind(&c.first)
                    .push_bind(&c.last)
                    .push_bind(c.first.to_lowercase())
                    .push_bind(c.last.to_lowercase())
                    .push_bind(customer_sort_name(&c.first, &c.last, &c.email))
                    .push_bind(now);
            });
            qb.build().execute(&mut *tx).await?;
        }
        for chunk in members.chunks(BATCH) {
            let mut qb = sqlx::QueryBuilder::new("INSERT INTO memberships (customer_id, organization_id, position) ");
            qb.push_values(chunk, |mut b, (c, o, p)| {
                b.push_bind(*c).push_bind(*o).push_bind(*p);
            });
            qb.build().execute(&mut *tx).await?;
        }
        if postgres {
            // Explicit ids do not advance PostgreSQL's identity sequences.
            for table in ["organizations", "customers"] {
                let sql = format!("SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))");
                sqlx::query(&sql).execute(&mut *tx).await?;
            }
        }
        Ok::<_, sqlx::Error>(())
    }.await)
}
