//! Customers' portal accounts and sessions, apart from agents' (`db::sessions`):
//! the cookie holds a random token, the database only its SHA-256.

use orgdesk_core::api::portal::{PortalCustomer, PortalOrganization};
use orgdesk_core::api::portal_accounts::InvitationInfo;
use orgdesk_core::customer::NewCustomer;

use crate::db::customers::{self, Association};
use crate::db::outbox::{self, NewMail};
use crate::db::{access, query, Db, Tx};
use crate::error::ApiError;

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
    phone: String,
    email_verified_at: Option<i64>,
    follow_organization_items: bool,
    organization_id: Option<i64>,
    organization_name: Option<String>,
}

/// Customer `id` as the portal shows them to themselves.
pub async fn portal_customer(db: &Db, id: i64) -> Result<Option<PortalCustomer>, sqlx::Error> {
    let row: Option<CustomerRow> = query(
        "SELECT c.id, c.email, c.first_name, c.last_name, c.phone, c.email_verified_at, c.follow_organization_items, \
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
        phone: row.phone,
        email_verified: row.email_verified_at.is_some(),
        organization,
        follow_organization_items: row.follow_organization_items && viewer.manager,
    }))
}

/// The password hash of customer `id` (none before they have a portal account).
pub async fn hash_of(db: &Db, id: i64) -> Result<Option<String>, sqlx::Error> {
    query("SELECT password_hash FROM customers WHERE id = $1")
        .bind(id)
        .optional_scalar::<Option<String>>(db)
        .await
        .map(Option::flatten)
}

/// The customer whose email is `email` (with or without a portal password yet):
/// id, first name and whether their email is verified.
pub async fn find_by_email(db: &Db, email: &str) -> Result<Option<(i64, String, bool)>, sqlx::Error> {
    query("SELECT id, first_name, email_verified_at IS NOT NULL FROM customers WHERE email = $1")
        .bind(email)
        .fetch_optional(db)
        .await
}

#[derive(sqlx::FromRow)]
struct InvitationRow {
    customer_id: i64,
    email: String,
    first_name: String,
    last_name: String,
    organization_name: Option<String>,
}

/// Who an open invitation (unused, unexpired) is for: the customer's id and what
/// the acceptance page shows.
pub async fn open_invitation(
    db: &Db,
    token_hash: &str,
    now: i64,
) -> Result<Option<(i64, InvitationInfo)>, sqlx::Error> {
    let row: Option<InvitationRow> = query(
        "SELECT c.id AS customer_id, c.email, c.first_name, c.last_name, o.name AS organization_name \
         FROM invitations i JOIN customers c ON c.id = i.customer_id \
         LEFT JOIN memberships m ON m.customer_id = c.id LEFT JOIN organizations o ON o.id = m.organization_id \
         WHERE i.token_hash = $1 AND i.used_at IS NULL AND i.expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| {
        let info = InvitationInfo {
            email: r.email,
            first_name: r.first_name,
            last_name: r.last_name,
            organization_name: r.organization_name,
        };
        (r.customer_id, info)
    }))
}

/// Accepts an invitation: spends it (and the customer's other open invitations),
/// sets the password, marks the email verified (the link proved the mailbox) and
/// ends any portal session opened with an earlier password, all at once. `None` when the invitation is unknown, used or expired: of two
/// concurrent acceptances, exactly one spends it.
pub async fn accept_invitation(
    db: &Db,
    token_hash: &str,
    password_hash: &str,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let customer_id: Option<i64> = query(
        "UPDATE invitations SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 \
         RETURNING customer_id",
    )
    .bind(token_hash)
    .bind(now)
    .optional_scalar(&mut tx)
    .await?;
    let Some(customer_id) = customer_id else { return Ok(None) };
    query("UPDATE invitations SET used_at = $2 WHERE customer_id = $1 AND used_at IS NULL")
        .bind(customer_id)
        .bind(now)
        .execute(&mut tx)
        .await?;
    set_password(&mut tx, customer_id, password_hash, now).await?;
    // A new password: sessions opened with an earlier one end.
    query("DELETE FROM customer_sessions WHERE customer_id = $1").bind(customer_id).execute(&mut tx).await?;
    tx.commit().await?;
    Ok(Some(customer_id))
}

/// Sets the password and marks the email verified (kept when it already was).
async fn set_password(tx: &mut Tx, customer_id: i64, password_hash: &str, now: i64) -> Result<(), sqlx::Error> {
    query("UPDATE customers SET password_hash = $2, email_verified_at = COALESCE(email_verified_at, $3) WHERE id = $1")
        .bind(customer_id)
        .bind(password_hash)
        .bind(now)
        .execute(tx)
        .await?;
    Ok(())
}

/// What a one-time link of `customer_tokens` is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    Reset,
    Verify,
}

impl TokenPurpose {
    fn word(self) -> &'static str {
        match self {
            TokenPurpose::Reset => "reset",
            TokenPurpose::Verify => "verify",
        }
    }
}

/// Stores a one-time token for the customer in the caller's transaction (only its
/// hash); their spent and expired tokens of the same purpose are swept on the way.
pub async fn insert_token(
    tx: &mut Tx,
    customer_id: i64,
    purpose: TokenPurpose,
    token_hash: &str,
    expires_at: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    query(
        "DELETE FROM customer_tokens WHERE customer_id = $1 AND purpose = $2 \
         AND (expires_at <= $3 OR used_at IS NOT NULL)",
    )
    .bind(customer_id)
    .bind(purpose.word())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    query(
        "INSERT INTO customer_tokens (token_hash, customer_id, purpose, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(customer_id)
    .bind(purpose.word())
    .bind(now)
    .bind(expires_at)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Stores a token and queues its email, in one transaction.
pub async fn send_token(
    db: &Db,
    customer_id: i64,
    purpose: TokenPurpose,
    token_hash: &str,
    expires_at: i64,
    mail: &NewMail<'_>,
    now: i64,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    insert_token(&mut tx, customer_id, purpose, token_hash, expires_at, now).await?;
    outbox::queue(&mut tx, mail, now).await?;
    tx.commit().await
}

/// Queues one email on its own (nothing else changes).
pub async fn send_mail(db: &Db, mail: &NewMail<'_>, now: i64) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    outbox::queue(&mut tx, mail, now).await?;
    tx.commit().await
}

/// Why a one-time link cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenRefused {
    Unknown,
    Used,
    Expired,
}

/// Whether a token of `purpose` could be used now (read only: checked before a
/// new password is hashed, so an unknown token costs no hash).
pub async fn check_token(
    db: &Db,
    token_hash: &str,
    purpose: TokenPurpose,
    now: i64,
) -> Result<Result<i64, TokenRefused>, sqlx::Error> {
    let row: Option<(i64, i64, Option<i64>)> =
        query("SELECT customer_id, expires_at, used_at FROM customer_tokens WHERE token_hash = $1 AND purpose = $2")
            .bind(token_hash)
            .bind(purpose.word())
            .fetch_optional(db)
            .await?;
    Ok(judge(row, now))
}

fn judge(row: Option<(i64, i64, Option<i64>)>, now: i64) -> Result<i64, TokenRefused> {
    match row {
        None => Err(TokenRefused::Unknown),
        Some((_, _, Some(_))) => Err(TokenRefused::Used),
        Some((_, expires_at, None)) if expires_at <= now => Err(TokenRefused::Expired),
        Some((customer_id, _, None)) => Ok(customer_id),
    }
}

/// Spends a token of `purpose` in the caller's transaction, with every other open
/// token of the customer for the same purpose; the customer it was for, or why not.
/// Of two concurrent uses, exactly one spends it.
async fn spend(
    tx: &mut Tx,
    token_hash: &str,
    purpose: TokenPurpose,
    now: i64,
) -> Result<Result<i64, TokenRefused>, sqlx::Error> {
    let row: Option<(i64, i64, Option<i64>)> =
        query("SELECT customer_id, expires_at, used_at FROM customer_tokens WHERE token_hash = $1 AND purpose = $2")
            .bind(token_hash)
            .bind(purpose.word())
            .fetch_optional(&mut *tx)
            .await?;
    let customer_id = match judge(row, now) {
        Ok(id) => id,
        Err(refused) => return Ok(Err(refused)),
    };
    let spent = query("UPDATE customer_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL")
        .bind(token_hash)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    if spent == 0 {
        return Ok(Err(TokenRefused::Used));
    }
    query("UPDATE customer_tokens SET used_at = $3 WHERE customer_id = $1 AND purpose = $2 AND used_at IS NULL")
        .bind(customer_id)
        .bind(purpose.word())
        .bind(now)
        .execute(&mut *tx)
        .await?;
    Ok(Ok(customer_id))
}

/// Uses a reset link: sets the password, marks the email verified, and ends every
/// portal session of the customer, all at once.
pub async fn reset(
    db: &Db,
    token_hash: &str,
    password_hash: &str,
    now: i64,
) -> Result<Result<i64, TokenRefused>, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let customer_id = match spend(&mut tx, token_hash, TokenPurpose::Reset, now).await? {
        Ok(id) => id,
        Err(refused) => return Ok(Err(refused)),
    };
    set_password(&mut tx, customer_id, password_hash, now).await?;
    query("DELETE FROM customer_sessions WHERE customer_id = $1").bind(customer_id).execute(&mut tx).await?;
    tx.commit().await?;
    Ok(Ok(customer_id))
}

/// Uses a verification link: the customer's email is verified.
pub async fn verify(db: &Db, token_hash: &str, now: i64) -> Result<Result<i64, TokenRefused>, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let customer_id = match spend(&mut tx, token_hash, TokenPurpose::Verify, now).await? {
        Ok(id) => id,
        Err(refused) => return Ok(Err(refused)),
    };
    query("UPDATE customers SET email_verified_at = COALESCE(email_verified_at, $2) WHERE id = $1")
        .bind(customer_id)
        .bind(now)
        .execute(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(Ok(customer_id))
}

/// Changes the customer's password and ends every other portal session of theirs
/// (`keep_session` stays).
pub async fn change_password(
    db: &Db,
    customer_id: i64,
    password_hash: &str,
    keep_session: &str,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    query("UPDATE customers SET password_hash = $2 WHERE id = $1")
        .bind(customer_id)
        .bind(password_hash)
        .execute(&mut tx)
        .await?;
    query("DELETE FROM customer_sessions WHERE customer_id = $1 AND token_hash <> $2")
        .bind(customer_id)
        .bind(keep_session)
        .execute(&mut tx)
        .await?;
    tx.commit().await
}

/// What self-registration did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registered {
    /// A new customer, unverified, with a verification link on its way.
    Created(i64),
    /// The email already belonged to a customer: they were told so, nothing changed.
    Exists(i64),
}

/// A self-registration: the new customer (domain rules of [`customers::insert`]),
/// their password, an unverified email and the verification link's email, in one
/// transaction. An email that already belongs to a customer changes nothing but
/// queues `exists_mail` for them.
pub async fn register(
    db: &Db,
    new: &NewCustomer,
    association: &Association,
    password_hash: &str,
    verify: (&str, i64, &NewMail<'_>),
    exists_mail: &NewMail<'_>,
    now: i64,
) -> Result<Registered, ApiError> {
    let mut tx = db.begin_write().await?;
    let existing: Option<i64> =
        query("SELECT id FROM customers WHERE email = $1").bind(new.email.as_str()).optional_scalar(&mut tx).await?;
    if let Some(id) = existing {
        outbox::queue(&mut tx, &NewMail { customer_id: Some(id), ..*exists_mail }, now).await?;
        tx.commit().await?;
        return Ok(Registered::Exists(id));
    }
    let (id, _) =
        customers::insert(&mut tx, new, association, customers::history::CreatedBy::PortalSignUp, now).await?;
    query("UPDATE customers SET password_hash = $2 WHERE id = $1")
        .bind(id)
        .bind(password_hash)
        .execute(&mut tx)
        .await?;
    let (token_hash, expires_at, mail) = verify;
    insert_token(&mut tx, id, TokenPurpose::Verify, token_hash, expires_at, now).await?;
    outbox::queue(&mut tx, &NewMail { customer_id: Some(id), ..*mail }, now).await?;
    tx.commit().await?;
    Ok(Registered::Created(id))
}
