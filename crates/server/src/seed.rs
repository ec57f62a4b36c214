//! Demo data (`orgdesk --demo`) and large generated data sets for benchmarks
//! (`orgdesk seed`).
//!
//! Each data set is planned by pure functions (which rows, with which values) and
//! written by a transaction with batched inserts, one module per feature:
//! - [`customers`]: organizations, their domains, customers and memberships;
//! - [`organizations`]: what the organization panel shows (parent, managers,
//!   contact information, custom properties, a note, a first history entry);
//! - [`tickets`]: projects with tickets and tasks, replies, notes and followers, and
//!   the generator of a million items;
//! - [`conversations`]: messages to an organization and to a project's followers.
//!
//! Replies and notices of the demo data are recorded in the outbox as already sent,
//! so nothing goes out for them.

mod conversations;
mod customers;
mod organizations;
mod tickets;

use orgdesk_core::agent::Role;

use crate::auth;
use crate::db::{self, query, Db, Tx};
use crate::time_fmt::now_ms;

/// The password of the demo agents (the admin's comes from the configuration).
pub const DEMO_AGENT_PASSWORD: &str = "orgdesk-demo";

/// The demo agents besides the admin: (email, name).
const DEMO_AGENTS: &[(&str, &str)] = &[("sam@orgdesk.local", "Sam Rivera"), ("kim@orgdesk.local", "Kim Okoye")];

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

pub struct SeedStats {
    pub organizations: u32,
    pub customers: u32,
}

/// Seeds the demo data set when there are no organizations yet; true if it did.
pub async fn demo(db: &Db) -> Result<bool, String> {
    let orgs: i64 = query("SELECT COUNT(*) FROM organizations").scalar(db).await.map_err(|e| e.to_string())?;
    if orgs > 0 {
        return Ok(false);
    }
    let hash = auth::hash_password(DEMO_AGENT_PASSWORD.into()).await.map_err(|e| e.to_string())?;
    for (email, name) in DEMO_AGENTS {
        if db::agents::find_for_login(db, email).await.map_err(|e| e.to_string())?.is_none() {
            db::agents::insert(db, email, name, Role::Agent, &hash, false, now_ms())
                .await
                .map_err(|e| e.to_string())?;
        }
    }
    let orgs = customers::demo_organizations(next_id(db, "organizations").await?);
    let people = customers::demo_customers(&orgs, next_id(db, "customers").await?);
    customers::insert(db, &orgs, &people).await.map_err(|e| format!("seeding demo data failed: {e}"))?;
    demo_tickets(db, &orgs, &people).await.map_err(|e| format!("seeding demo projects failed: {e}"))?;
    organizations::insert_demo(db, &orgs)
        .await
        .map_err(|e| format!("seeding demo organization details failed: {e}"))?;
    let portal = demo_portal_accounts(db).await.map_err(|e| format!("seeding demo portal accounts failed: {e}"))?;
    for (email, role) in portal {
        println!(
            "Customer portal demo account ({role} of Acme Corporation): {email} / {DEMO_AGENT_PASSWORD} at /portal"
        );
    }
    Ok(true)
}

/// Gives Acme Corporation's manager and one of its members portal accounts with
/// verified emails (password [`DEMO_AGENT_PASSWORD`]): (email, role) of each.
async fn demo_portal_accounts(db: &Db) -> Result<Vec<(String, String)>, String> {
    let hash = auth::hash_password(DEMO_AGENT_PASSWORD.into()).await.map_err(|e| e.to_string())?;
    let people: Vec<(i64, String, String)> = query(
        "SELECT c.id, c.email, m.role FROM memberships m JOIN customers c ON c.id = m.customer_id \
         JOIN organizations o ON o.id = m.organization_id WHERE o.name = $1 ORDER BY m.role, c.id LIMIT 2",
    )
    .bind(organizations::ACME)
    .fetch_all(db)
    .await
    .map_err(|e| e.to_string())?;
    let mut tx = db.begin_write().await.map_err(|e| e.to_string())?;
    for (id, _, _) in &people {
        query("UPDATE customers SET password_hash = $1, email_verified_at = created_at WHERE id = $2")
            .bind(hash.as_str())
            .bind(*id)
            .execute(&mut tx)
            .await
            .map_err(|e| e.to_string())?;
    }
    tx.commit().await.map_err(|e| e.to_string())?;
    Ok(people.into_iter().map(|(_, email, role)| (email, role)).collect())
}

/// Demo projects with tickets and tasks, and the conversations, in one transaction.
async fn demo_tickets(db: &Db, orgs: &[customers::Org], people: &[customers::Customer]) -> Result<(), sqlx::Error> {
    let now = now_ms();
    let agents: Vec<(i64, String)> =
        query("SELECT id, name FROM agents WHERE active = TRUE ORDER BY id").fetch_all(db).await?;
    let agents = tickets::DemoAgents::pick(&agents);
    let mut tx = db.begin_write().await?;
    let website = tickets::insert_demo(&mut tx, orgs, people, agents, now).await?;
    let planned = conversations::demo(orgs, people, website);
    conversations::insert(&mut tx, &planned, agents.sam, now - 2 * DAY).await?;
    tx.commit().await
}

/// Generates `organizations` organizations (one domain each) and `customers`
/// customers, nine in ten of them members, in one transaction.
pub async fn bulk(db: &Db, organizations: u32, customers: u32) -> Result<SeedStats, String> {
    let orgs = customers::bulk_organizations(next_id(db, "organizations").await?, organizations);
    let people = customers::bulk_customers(next_id(db, "customers").await?, customers, &orgs);
    customers::insert(db, &orgs, &people).await.map_err(|e| format!("seeding failed: {e}"))?;
    Ok(SeedStats { organizations, customers })
}

/// Generates `items` items over `projects` new projects; see [`tickets::bulk_items_sql`].
pub async fn bulk_items(db: &Db, items: u32, projects: u32) -> Result<(), String> {
    tickets::bulk(db, items, projects).await
}

/// The id after the largest one of `table`.
async fn next_id(db: &Db, table: &str) -> Result<i64, String> {
    query(format!("SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")).scalar(db).await.map_err(|e| e.to_string())
}

/// Rows inserted with explicit ids do not advance PostgreSQL's identity sequences:
/// moves each of `tables`' sequence past its largest id (nothing to do on SQLite).
async fn advance_sequences(tx: &mut Tx, tables: &[&str]) -> Result<(), sqlx::Error> {
    if tx.dialect() == "postgres" {
        for table in tables {
            query(format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))"
            ))
            .execute(&mut *tx)
            .await?;
        }
    }
    Ok(())
}
