//! Customers, organizations, moves and the Customers settings.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Customer {
    pub id: i64,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub organization_id: Option<i64>,
    pub organization_name: Option<String>,
    /// Job title within the organization ("" when none).
    pub position: String,
    /// Phone number as written (`+1 555 0100 ext. 12`; "" when none).
    #[serde(default)]
    pub phone: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// The customer proved they read their email (accepted an invitation, reset
    /// their password or followed a verification link).
    #[serde(default)]
    pub email_verified: bool,
    /// The customer has a portal password (can sign in to the portal).
    #[serde(default)]
    pub portal_account: bool,
}

/// What agents read about a customer's portal account: "No portal account",
/// "Email verified" or "Not verified".
pub fn portal_state(portal_account: bool, email_verified: bool) -> &'static str {
    match (portal_account, email_verified) {
        (false, _) => "No portal account",
        (true, true) => "Email verified",
        (true, false) => "Not verified",
    }
}

impl Customer {
    /// What agents read about the customer's portal account: "No portal account",
    /// "Email verified" or "Not verified".
    pub fn portal_state(&self) -> &'static str {
        portal_state(self.portal_account, self.email_verified)
    }

    /// "First Last", or the email when the customer has no name.
    pub fn display_name(&self) -> String {
        let name = format!("{} {}", self.first_name, self.last_name);
        let name = name.trim();
        if name.is_empty() {
            self.email.clone()
        } else {
            name.to_string()
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerPage {
    pub items: Vec<Customer>,
    /// How many customers the list holds; the list of all customers counts at most
    /// 1,000 (then `total_capped` is true: "1,000+").
    pub total: i64,
    /// `total` stopped counting at its cap: there are more.
    #[serde(default)]
    pub total_capped: bool,
    pub offset: i64,
    pub limit: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateCustomerRequest {
    pub email: String,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    /// Optional phone number: digits, spaces, `+ - ( ) . /` and an extension (`ext` or `x`).
    #[serde(default)]
    pub phone: String,
    /// "Create and send invitation": a one-time invitation goes to the outbox.
    #[serde(default)]
    pub send_invitation: bool,
}

/// Partial update: absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateCustomerRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Job title within the current organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<String>,
    /// Phone number; "" removes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Organization {
    pub id: i64,
    pub name: String,
    pub domains: Vec<String>,
    pub member_count: i64,
    /// With a search: how many members match it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub match_count: Option<i64>,
    /// RFC 3339, UTC.
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganizationPage {
    pub items: Vec<Organization>,
    pub total: i64,
    pub offset: i64,
    pub limit: i64,
    /// Customers in no organization (matching the search or project filter, if any).
    pub unassigned_count: i64,
    /// With a search or a project filter: how many customers it shows in all
    /// (matching themselves, or members of an organization that matches).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_count: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateOrganizationRequest {
    pub name: String,
    #[serde(default)]
    pub domains: Vec<String>,
}

/// Partial update: absent fields stay as they are; `domains` replaces the whole set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateOrganizationRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domains: Option<Vec<String>>,
}

/// Moves customers into an organization, or out of any (`organization_id: null`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MoveCustomersRequest {
    pub customer_ids: Vec<i64>,
    pub organization_id: Option<i64>,
    /// How the agent moved them, for the customers' history ("in the Customers app" when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<crate::api::customer_profile::MoveVia>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MovedCustomer {
    pub customer_id: i64,
    /// Where the customer was before, for Undo.
    pub from_organization_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MoveCustomersResult {
    pub organization_id: Option<i64>,
    pub moved: Vec<MovedCustomer>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Settings {
    /// "Automatically create customer organization based on domain".
    pub auto_create_organizations: bool,
    /// The built-in public email providers (never get an organization of their own).
    pub builtin_public_domains: Vec<String>,
    /// Public email providers that admins added.
    pub extra_public_domains: Vec<String>,
    /// "Agents may delete organizations" (off by default: only admins may).
    #[serde(default)]
    pub agents_may_delete_organizations: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateSettingsRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_create_organizations: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra_public_domains: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agents_may_delete_organizations: Option<bool>,
}

/// The largest number of customers one move may carry.
pub const MAX_MOVE: usize = 10_000;
/// The largest page the list endpoints return.
pub const MAX_PAGE: i64 = 200;

#[cfg(test)]
mod portal_state_tests {
    use super::Customer;

    #[test]
    fn agents_read_the_portal_account_state() {
        let mut c = Customer {
            id: 1,
            email: "a@b.io".into(),
            first_name: String::new(),
            last_name: String::new(),
            organization_id: None,
            organization_name: None,
            position: String::new(),
            phone: String::new(),
            created_at: String::new(),
            email_verified: false,
            portal_account: false,
        };
        assert_eq!(c.portal_state(), "No portal account");
        c.portal_account = true;
        assert_eq!(c.portal_state(), "Not verified");
        c.email_verified = true;
        assert_eq!(c.portal_state(), "Email verified");
    }
}
