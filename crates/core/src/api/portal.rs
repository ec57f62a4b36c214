//! The customer portal's contract (`/api/portal/*`): customers' own sessions and
//! what they see. Agents' routes never accept a portal session, and portal routes
//! never accept an agent's.

use serde::{Deserialize, Serialize};

use crate::portal::OrgItemAccess;

/// The cookie that carries a customer's portal session (agents use
/// [`super::SESSION_COOKIE`]; neither works where the other is expected).
pub const PORTAL_SESSION_COOKIE: &str = "orgdesk_portal_session";

/// The organization a portal customer belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PortalOrganization {
    pub id: i64,
    pub name: String,
    /// One of its managers.
    pub manager: bool,
    /// What its members see in the portal (the setting and the organization's
    /// override together).
    pub organization_items: OrgItemAccess,
}

/// The signed-in customer as the portal shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PortalCustomer {
    pub id: i64,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    /// The phone number the helpdesk keeps for them ("" when none; agents change it).
    #[serde(default)]
    pub phone: String,
    pub email_verified: bool,
    pub organization: Option<PortalOrganization>,
    /// A manager's choice to follow (be CC'd on) every new item of the organization.
    pub follow_organization_items: bool,
}

/// A customer's portal session and the token to send as `X-CSRF-Token` on every
/// state-changing portal request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PortalSession {
    pub customer: PortalCustomer,
    pub csrf_token: String,
}
