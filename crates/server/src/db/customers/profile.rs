//! The customer profile: the customer, the version guarding in-place edits, their
//! role in their organization, the projects they follow (themselves or through
//! their organization) and their custom properties.

use orgdesk_core::api::customer_profile::{CustomerProfile, FollowedProject};
use orgdesk_core::api::organization::ProjectRef;

use crate::db::organizations::properties::{values_of, Owner};
use crate::db::{query, Db};

/// Customer `id`'s profile; `None` when there is no such customer.
pub async fn load(db: &Db, id: i64) -> Result<Option<CustomerProfile>, sqlx::Error> {
    let Some(customer) = super::get(db, id).await? else {
        return Ok(None);
    };
    let version: i64 = query("SELECT version FROM customers WHERE id = $1").bind(id).scalar(db).await?;
    let role: Option<String> =
        query("SELECT role FROM memberships WHERE customer_id = $1").bind(id).optional_scalar(db).await?;
    let role = role.map(|r| if r == "manager" { "Manager" } else { "Member" }.to_string());
    // A project the customer follows themselves is listed once, as theirs.
    let rows: Vec<(i64, String, bool, i64)> = query(
        "SELECT p.id, p.name, p.archived, \
         CAST(MIN(CASE WHEN f.customer_id IS NOT NULL THEN 0 ELSE 1 END) AS BIGINT) AS through_org \
         FROM project_followers f JOIN projects p ON p.id = f.project_id \
         WHERE f.customer_id = $1 \
            OR f.organization_id = (SELECT m.organization_id FROM memberships m WHERE m.customer_id = $1) \
         GROUP BY p.id, p.name, p.archived, p.name_key ORDER BY p.name_key, p.id",
    )
    .bind(id)
    .fetch_all(db)
    .await?;
    let projects = rows
        .into_iter()
        .map(|(id, name, archived, through)| FollowedProject {
            project: ProjectRef { id, name, archived },
            through_organization: through == 1,
        })
        .collect();
    let properties = values_of(db, Owner::Customer, id).await?;
    Ok(Some(CustomerProfile { customer, version, role, projects, properties }))
}
