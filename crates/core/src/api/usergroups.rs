//! Usergroups (Administration > Usergroups): named groups that grant portal
//! permissions on top of a customer's own and their organization's: the items of
//! extra projects, and in those projects whether members may submit tickets and reply.
//!
//! A customer is in a group individually (added to it), or through their
//! organization when the organization is linked to the group: every member,
//! present and future, and nobody once they leave. Membership through an
//! organization (like all access through an organization) needs a verified email
//! before it grants anything in the portal.
//!
//! Routes (agents' session; writes are for admins and need the CSRF header):
//! - `GET /api/usergroups?q=&offset=&limit=` → [`UsergroupPage`] (by name)
//! - `POST /api/usergroups` [`CreateUsergroupRequest`] → 201 [`Usergroup`]
//! - `GET /api/usergroups/{id}` → [`Usergroup`]
//! - `PATCH /api/usergroups/{id}` [`UpdateUsergroupRequest`] → [`Usergroup`] (409 on a stale `version`)
//! - `DELETE /api/usergroups/{id}` → 204
//! - `GET /api/usergroups/{id}/members?offset=&limit=` → [`UsergroupMemberPage`] (with each source)
//! - `POST /api/usergroups/{id}/members` [`AddUsergroupMemberRequest`] → [`UsergroupMember`] (individual)
//! - `DELETE /api/usergroups/{id}/members/{customer_id}` → 204; 409 when the customer is
//!   in the group only through their organization (the message says which)
//! - `GET /api/organizations/{id}/usergroups` → `Vec<`[`UsergroupLink`]`>`
//! - `POST /api/organizations/{id}/usergroups` [`LinkUsergroupRequest`] → `Vec<`[`UsergroupLink`]`>`
//! - `DELETE /api/organizations/{id}/usergroups/{usergroup_id}` → 204 (individual memberships stay)
//! - `GET /api/customers/{id}/usergroups` → `Vec<`[`CustomerUsergroup`]`>`

use serde::{Deserialize, Serialize};

use crate::api::sharing::OrganizationName;

/// The longest usergroup name.
pub const MAX_USERGROUP_NAME: usize = 100;
/// The longest description.
pub const MAX_USERGROUP_DESCRIPTION: usize = 2_000;
/// Projects one group grants.
pub const MAX_USERGROUP_PROJECTS: usize = 100;
/// Groups one customer's profile or one organization's panel lists (the newest links first beyond it are cut).
pub const MAX_LISTED_USERGROUPS: i64 = 500;

/// A project a group grants, by id and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UsergroupProject {
    pub id: i64,
    pub name: String,
}

/// One usergroup with what it grants and who is in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Usergroup {
    pub id: i64,
    pub name: String,
    pub description: String,
    /// Members may submit tickets in the group's projects.
    pub may_create: bool,
    /// Members may reply to the items of the group's projects.
    pub may_reply: bool,
    /// Send it back in `PATCH`: a stale one is a 409.
    pub version: i64,
    /// The projects whose items members see, by name.
    pub projects: Vec<UsergroupProject>,
    /// The organizations linked to the group, by name (their members are in it).
    pub organizations: Vec<OrganizationName>,
    /// Distinct customers in the group, individually or through an organization.
    pub members: i64,
    /// Of them, in it individually.
    pub individual_members: i64,
}

/// A page of usergroups, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UsergroupPage {
    pub items: Vec<Usergroup>,
    pub total: i64,
    pub offset: i64,
    pub limit: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateUsergroupRequest {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub may_create: bool,
    #[serde(default)]
    pub may_reply: bool,
    #[serde(default)]
    pub project_ids: Vec<i64>,
}

/// A change of a group: absent fields stay; `project_ids` replaces the projects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateUsergroupRequest {
    pub version: i64,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub may_create: Option<bool>,
    #[serde(default)]
    pub may_reply: Option<bool>,
    #[serde(default)]
    pub project_ids: Option<Vec<i64>>,
}

/// Where a customer's membership of a group comes from: individually, through their
/// organization, or both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MembershipSource {
    /// Added to the group individually (only this kind can be removed individually).
    pub individual: bool,
    /// Their organization, when it is linked to the group.
    pub through: Option<OrganizationName>,
}

impl MembershipSource {
    /// "Individually", "Through Acme Corp", or "Individually and through Acme Corp".
    pub fn label(&self) -> String {
        match (self.individual, &self.through) {
            (true, None) => "Individually".into(),
            (false, Some(o)) => format!("Through {}", o.name),
            (true, Some(o)) => format!("Individually and through {}", o.name),
            (false, None) => String::new(),
        }
    }
}

/// One member of a group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UsergroupMember {
    pub customer_id: i64,
    pub name: String,
    pub email: String,
    pub source: MembershipSource,
}

/// A page of a group's members, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UsergroupMemberPage {
    pub items: Vec<UsergroupMember>,
    pub total: i64,
    pub offset: i64,
    pub limit: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddUsergroupMemberRequest {
    pub customer_id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LinkUsergroupRequest {
    pub usergroup_id: i64,
}

/// A group linked to an organization (its panel's Usergroups section).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UsergroupLink {
    pub usergroup_id: i64,
    pub name: String,
    /// Members of the organization who are in the group only through it: they leave
    /// the group when it is unlinked.
    pub members_through_link: i64,
}

/// A group a customer is in (their profile), with the source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerUsergroup {
    pub usergroup_id: i64,
    pub name: String,
    pub source: MembershipSource,
}

/// The message of a refused individual removal.
pub fn through_organization_message(customer: &str, group: &str, organization: &str) -> String {
    format!(
        "{customer} is in {group} through {organization}; unlink {organization} or move the customer to remove them."
    )
}

/// A group name: trimmed, 1 to [`MAX_USERGROUP_NAME`] characters.
pub fn parse_usergroup_name(input: &str) -> Result<String, String> {
    let name = input.trim();
    if name.is_empty() {
        return Err("Enter a name.".into());
    }
    if name.chars().count() > MAX_USERGROUP_NAME {
        return Err(crate::limits::too_long_message(MAX_USERGROUP_NAME));
    }
    Ok(name.to_string())
}

/// A description: trimmed, may be empty.
pub fn parse_usergroup_description(input: &str) -> Result<String, String> {
    let d = input.trim();
    if d.chars().count() > MAX_USERGROUP_DESCRIPTION {
        return Err(crate::limits::too_long_message(MAX_USERGROUP_DESCRIPTION));
    }
    Ok(d.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(parse_usergroup_name("  VIP support ").unwrap(), "VIP support");
        assert!(parse_usergroup_name("   ").is_err());
        assert!(parse_usergroup_name(&"x".repeat(MAX_USERGROUP_NAME + 1)).is_err());
    }

    #[test]
    fn a_source_reads_as_the_profile_shows_it() {
        let acme = Some(OrganizationName { id: 1, name: "Acme Corp".into() });
        assert_eq!(MembershipSource { individual: true, through: None }.label(), "Individually");
        assert_eq!(MembershipSource { individual: false, through: acme.clone() }.label(), "Through Acme Corp");
        assert_eq!(MembershipSource { individual: true, through: acme }.label(), "Individually and through Acme Corp");
    }
}
