//! Customers' portal accounts and sessions, apart from agents' (`db::sessions`):
//! the cookie holds a random token, the database only its SHA-256.

use orgdesk_core::api::portal::{PortalCustomer, PortalOrganization};

use crate::db::{access, query, Db};

/// The customer whose email is `email` and who has a portal password: their id
/// and password hash.
pub async fn find_for_login(db: &Db, email: &str) -> Result<Option<(i64, String)>, sqlx::Error> {
    query("SELECT id, password_hash FROM customers WHERE email = $1 AND password_hash IS NOT NULL")
        .bind(email)
        .fetch_optional(db)
        .await
}

pub async fn insert_session(
    db: &Db,
    token_hash: &str,
    customer_id: i64,
    csrf_token: &str,
    now: i64,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    query(
        "INSERT INTO customer_sessions (token_hash, customer_id, csrf_token, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(customer_id)
    .bind(csrf_token)
    .bind(now)
    .bind(expires_at)
    .execute(db)
    .await?;
    Ok(())
}

/// The customer and CSRF token of an unexpired portal session of a customer who
/// still has a portal password.
pub async fn find_session(db: &Db, token_hash: &str, now: i64) -> Result<Option<(i64, String)>, sqlx::Error> {
    query(
        "SELECT s.customer_id, s.csrf_token FROM customer_sessions s JOIN customers c ON c.id = s.customer_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND c.password_hash IS NOT NULL",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(db)
    .await
}

pub async fn delete_session(db: &Db, token_hash: &str) -> Result<(), sqlx::Error> {
    query("DELETE FROM customer_sessions WHERE token_hash = $1").bind(token_hash).execute(db).await?;
    Ok(())
}

pub async fn delete_expired_sessions(db: &Db, now: i64) -> Result<u64, sqlx::Error> {
    query("DELETE FROM customer_sessions WHERE expires_at <= $1").bind(now).execute(db).await
}

#[derive(sqlx::FromRow)]
struct CustomerRow {
    id: i64,
    email: String,
    first_name: String,
    last_name: String,
    email_verified_at: Option<i64>,
    follow_organization_items: bool,
    organization_id: Option<i64>,
    organization_name: Option<String>,
}

/// Customer `id` as the portal shows them to themselves.
pub async fn portal_customer(db: &Db, id: i64) -> Result<Option<PortalCustomer>, sqlx::Error> {
    let row: Option<CustomerRow> = query(
        "SELECT c.id, c.email, c.first_name, c.last_name, c.email_verified_at, c.follow_organization_items, \
         m.organization_id, o.name AS organization_name \
         FROM customers c LEFT JOIN memberships m ON m.customer_id = c.id \
         LEFT JOIN organizations o ON o.id = m.organization_id WHERE c.id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let Some(viewer) = access::viewer(db, id).await? else { return Ok(None) };
    let organization = match (row.organization_id, row.organization_name) {
        (Some(id), Some(name)) => Some(PortalOrganization {
            id,
            name,
            manager: viewer.manager,
            organization_items: viewer.organization_items,
        }),
        _ => None,
    };
    Ok(Some(PortalCustomer {
        id: row.id,
        email: row.email,
        first_name: row.first_name,
        last_name: row.last_name,
        email_verified: row.email_verified_at.is_some(),
        organization,
        follow_organization_items: row.follow_organization_items && viewer.manager,
    }))
}
