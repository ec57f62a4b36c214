//! Administration > Portal, an organization's override of what its members see,
//! and a customer's portal profile (`/api/settings/portal`,
//! `/api/organizations/{id}/portal-visibility`, `/api/portal/profile`).

use serde::{Deserialize, Serialize};

use crate::portal::{OrgItemAccess, PortalFields};

/// Changes Administration > Portal: absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdatePortalPolicyRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_items: Option<OrgItemAccess>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_items: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_registration: Option<bool>,
    /// Every field's checkbox (all five are sent together).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<PortalFields>,
}

/// What an organization's members see in the portal: the organization's own
/// choice (`null`: the portal default), the portal setting, and the two together
/// ([`OrgItemAccess::effective`]: the more permissive wins).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PortalVisibility {
    #[serde(rename = "override")]
    pub organization_override: Option<OrgItemAccess>,
    pub global: OrgItemAccess,
    pub effective: OrgItemAccess,
}

impl PortalVisibility {
    pub fn new(organization_override: Option<OrgItemAccess>, global: OrgItemAccess) -> PortalVisibility {
        PortalVisibility {
            organization_override,
            global,
            effective: OrgItemAccess::effective(global, organization_override),
        }
    }

    /// The sentence the organization panel shows, e.g. "Members of Acme see the
    /// organization's items, read only (the portal setting; this organization's
    /// choice is less permissive)."
    pub fn explain(&self, organization: &str) -> String {
        let what = match self.effective {
            OrgItemAccess::Own => "only their own items",
            OrgItemAccess::Read => "the organization's items, read only",
            OrgItemAccess::Reply => "the organization's items and may reply to them",
        };
        let why = match self.organization_override {
            None => "the portal setting".to_string(),
            Some(o) if o == self.global => "this organization's choice, the same as the portal setting".to_string(),
            Some(o) if o > self.global => "this organization's choice".to_string(),
            Some(_) => "the portal setting; this organization's choice is less permissive".to_string(),
        };
        format!("Members of {organization} see {what} ({why}). Managers always see all of its items.")
    }
}

/// Sets or clears (`null`) an organization's override of the portal visibility.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetPortalVisibilityRequest {
    #[serde(default)]
    pub organization_items: Option<OrgItemAccess>,
}

/// Changes the signed-in customer's own profile: absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdatePortalProfileRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// "Follow every new item from my organization" (managers only; 422 otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_organization_items: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_panel_says_what_members_see_and_why() {
        use OrgItemAccess::*;
        assert_eq!(
            PortalVisibility::new(Some(Own), Read).explain("Acme"),
            "Members of Acme see the organization's items, read only (the portal setting; this organization's \
             choice is less permissive). Managers always see all of its items."
        );
        let v = PortalVisibility::new(Some(Reply), Own);
        assert_eq!(v.effective, Reply);
        assert!(v.explain("Acme").contains("may reply to them (this organization's choice)"));
        assert!(PortalVisibility::new(None, Own).explain("Acme").contains("only their own items (the portal setting)"));
    }
}
