//! Sharing: who a project is shared with, and who sees what.
//!
//! Routes (agents' session; state-changing ones need the CSRF header):
//! - `POST /api/projects/{id}/sharing/preview` [`SharingChange`] → [`SharingPreview`]: what the
//!   change would do, before it is saved;
//!   `PUT /api/projects/{id}/sharing` [`SharingChange`] → `Vec<`[`Follower`](super::tickets::Follower)`>`:
//!   applies it at once (all or nothing) and answers the project's followers
//! - `GET /api/projects/{id}/access?offset=&limit=` → [`ProjectAccessPage`]: the customers the project is
//!   shared with, and through what
//! - `GET /api/customers/{id}/shared-projects` → `Vec<`[`SharedProject`]`>`
//! - `GET /api/items/{id}/access?offset=&limit=` → [`ItemAccessPage`]: "Who can see this?", with the
//!   reasons of [`crate::portal::reasons`]
//!
//! A project is shared with a customer who follows it, or whose organization
//! follows it and whose email is verified (access through an organization needs a
//! proven mailbox, as everywhere in the portal).

use serde::{Deserialize, Serialize};

use crate::portal::AccessReason;

/// Followers to add and to remove, in one change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SharingChange {
    #[serde(default)]
    pub add_customers: Vec<i64>,
    #[serde(default)]
    pub add_organizations: Vec<i64>,
    #[serde(default)]
    pub remove_customers: Vec<i64>,
    #[serde(default)]
    pub remove_organizations: Vec<i64>,
}

impl SharingChange {
    pub fn is_empty(&self) -> bool {
        self.add_customers.is_empty()
            && self.add_organizations.is_empty()
            && self.remove_customers.is_empty()
            && self.remove_organizations.is_empty()
    }
}

/// An organization by id and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganizationName {
    pub id: i64,
    pub name: String,
}

/// What a [`SharingChange`] would do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SharingPreview {
    /// Distinct customers who gain access now (not those who have it already).
    pub customers_gaining: i64,
    /// Distinct customers who lose access (not those who keep it another way).
    pub customers_losing: i64,
    /// Organizations added: their future (verified) members gain access too.
    pub organizations_added: Vec<OrganizationName>,
    /// Members of the added organizations who gain nothing until they verify their email.
    pub unverified_members: i64,
    /// Items of the project a customer with access sees under the current portal settings.
    pub items_visible: i64,
    /// Whether the portal shows customers the items of projects they follow.
    pub project_items_enabled: bool,
    /// Whether the change adds anyone (then [`SHARING_WARNING`] applies).
    pub adds_followers: bool,
}

/// Shown before saving a change that adds followers.
pub const SHARING_WARNING: &str = "New followers receive the project's customer replies from now on.";
/// Shown when the portal does not show project items.
pub const PROJECT_ITEMS_OFF_HINT: &str = "The portal does not show customers the items of projects they follow \
     (Administration > Portal): until it does, followers neither see the project's items nor get their replies.";

fn customers(n: i64) -> String {
    if n == 1 {
        "1 customer".into()
    } else {
        format!("{n} customers")
    }
}

fn and_list(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

impl SharingPreview {
    /// The effective-access line: "12 customers gain access now, and future
    /// members of Acme will too. They will see 34 items under the current portal settings."
    pub fn summary(&self) -> String {
        let mut out = Vec::new();
        let names: Vec<String> = self.organizations_added.iter().map(|o| o.name.clone()).collect();
        let gain = match self.customers_gaining {
            1 => "1 customer gains access now".to_string(),
            n => format!("{} gain access now", customers(n)),
        };
        if names.is_empty() {
            if self.customers_gaining > 0 || self.customers_losing == 0 {
                out.push(format!("{gain}."));
            }
        } else {
            out.push(format!("{gain}, and future members of {} will too.", and_list(&names)));
        }
        if self.customers_losing > 0 {
            out.push(match self.customers_losing {
                1 => "1 customer loses access.".to_string(),
                n => format!("{} lose access.", customers(n)),
            });
        }
        if self.customers_gaining > 0 || !names.is_empty() {
            let items =
                if self.items_visible == 1 { "1 item".to_string() } else { format!("{} items", self.items_visible) };
            out.push(format!("They will see {items} under the current portal settings."));
        }
        out.join(" ")
    }
}

/// How a customer reaches a shared project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectAccess {
    pub customer_id: i64,
    pub name: String,
    pub email: String,
    /// They follow the project themselves.
    pub direct: bool,
    /// Their organization follows the project (and their email is verified).
    pub through_organization: Option<OrganizationName>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectAccessPage {
    /// By name.
    pub items: Vec<ProjectAccess>,
    /// Customers with access.
    pub total: i64,
    /// Of them: following directly, and through an organization (one customer may count in both).
    pub direct_total: i64,
    pub through_organization_total: i64,
    /// Members of following organizations without access until they verify their email.
    pub unverified_members: i64,
    pub offset: i64,
    pub limit: i64,
}

/// A project shared with a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SharedProject {
    pub id: i64,
    pub name: String,
    pub archived: bool,
    /// The customer follows it themselves.
    pub direct: bool,
    /// Their organization follows it.
    pub through_organization: Option<OrganizationName>,
    /// Whether the customer has access now (through an organization only once their email is verified).
    pub access: bool,
}

/// One customer who can see an item, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemAccess {
    pub customer_id: i64,
    pub name: String,
    pub email: String,
    /// Never empty.
    pub reasons: Vec<AccessReason>,
    pub may_reply: bool,
}

/// How many customers see an item for one reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReasonCount {
    pub reason: AccessReason,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemAccessPage {
    /// By name.
    pub items: Vec<ItemAccess>,
    /// Customers who can see the item.
    pub total: i64,
    /// Per reason (a customer may count under several), the reasons that apply only.
    pub reasons: Vec<ReasonCount>,
    pub offset: i64,
    pub limit: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn preview() -> SharingPreview {
        SharingPreview {
            customers_gaining: 12,
            customers_losing: 0,
            organizations_added: vec![OrganizationName { id: 1, name: "Acme".into() }],
            unverified_members: 0,
            items_visible: 34,
            project_items_enabled: true,
            adds_followers: true,
        }
    }

    #[test]
    fn the_summary_counts_customers_names_organizations_and_items() {
        assert_eq!(
            preview().summary(),
            "12 customers gain access now, and future members of Acme will too. \
             They will see 34 items under the current portal settings."
        );
        let one = SharingPreview { customers_gaining: 1, organizations_added: vec![], items_visible: 1, ..preview() };
        assert_eq!(
            one.summary(),
            "1 customer gains access now. They will see 1 item under the current portal settings."
        );
        let removal =
            SharingPreview { customers_gaining: 0, customers_losing: 3, organizations_added: vec![], ..preview() };
        assert_eq!(removal.summary(), "3 customers lose access.");
        let nothing = SharingPreview { customers_gaining: 0, organizations_added: vec![], ..preview() };
        assert_eq!(nothing.summary(), "0 customers gain access now.");
    }
}
