//! The customer profile (`/customers/{id}` in the browser): everything about one customer.
//!
//! Routes (all behind an agent's session; writes need the CSRF header):
//! - `GET /api/customers/{id}/profile` → [`CustomerProfile`] (the customer, the version
//!   that guards in-place edits, the projects they follow, their custom properties)
//! - `PUT /api/customers/{id}/properties` [`SetPropertiesRequest`] → [`CustomerProfile`]
//!   (checks and bumps the version: 409 with field `version` on a stale write;
//!   422 `values.{property id}` on a bad value, nothing changed)
//! - `GET /api/customers/{id}/history?before=&limit=` → [`CustomerHistoryPage`] (newest
//!   first, keyset paged: pass the page's `next_before` to get the next one)
//! - admins: `GET/POST /api/customer-properties`, `PATCH/DELETE /api/customer-properties/{id}`,
//!   `PUT /api/customer-properties/order`: the same contract as the organization properties
//! - Tickets: `GET /api/items?requester={id}` and `GET /api/items/groups?group_by=status&requester={id}`
//!
//! The organization changes through `POST /api/customers/move` (with `via: "profile"`),
//! after the same `POST /api/customers/move/preview` a move in the Customers app shows.

use serde::{Deserialize, Serialize};

pub use crate::api::organization::SetPropertiesRequest;
use crate::api::organization::{HistoryEntry, ProjectRef, PropertyValue};
use crate::api::Customer;

/// How a customer's organization changed, as their history says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MoveVia {
    /// The Customers app, without saying how.
    CustomersApp,
    /// Dragged in the Customers app.
    Drag,
    /// "Move to organization…" in the Customers app.
    Picker,
    /// The organization picker of the customer's profile.
    Profile,
    /// Undo of a move in the Customers app.
    Undo,
    /// Added to or removed from an organization in its panel.
    OrganizationPanel,
    /// An organization's email domain rule (adding or removing a domain).
    DomainRule,
    /// A CSV import.
    Import,
    /// The undo of a CSV import.
    ImportUndo,
}

impl MoveVia {
    /// How people read it in the history: "by drag and drop", ...
    pub fn phrase(self) -> &'static str {
        match self {
            MoveVia::CustomersApp => "in the Customers app",
            MoveVia::Drag => "by drag and drop",
            MoveVia::Picker => "with Move to organization",
            MoveVia::Profile => "from the customer's profile",
            MoveVia::Undo => "by an Undo",
            MoveVia::OrganizationPanel => "from the organization's panel",
            MoveVia::DomainRule => "by an email domain rule",
            MoveVia::Import => "by a CSV import",
            MoveVia::ImportUndo => "by undoing a CSV import",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MoveVia::CustomersApp => "customers_app",
            MoveVia::Drag => "drag",
            MoveVia::Picker => "picker",
            MoveVia::Profile => "profile",
            MoveVia::Undo => "undo",
            MoveVia::OrganizationPanel => "organization_panel",
            MoveVia::DomainRule => "domain_rule",
            MoveVia::Import => "import",
            MoveVia::ImportUndo => "import_undo",
        }
    }
}

/// A project the customer follows, themselves or through their organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowedProject {
    pub project: ProjectRef,
    /// Followed because their organization follows it (not the customer themselves).
    pub through_organization: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerProfile {
    pub customer: Customer,
    /// Bumped by every in-place edit of the profile; sent back with each such edit.
    pub version: i64,
    /// "Manager" or "Member" of their organization; `None` with no organization.
    pub role: Option<String>,
    pub projects: Vec<FollowedProject>,
    /// Every defined customer property in the admins' order, with this customer's value (`null` when empty).
    pub properties: Vec<PropertyValue>,
}

/// One page of a customer's history, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerHistoryPage {
    pub items: Vec<HistoryEntry>,
    /// The `before` of the next (older) page; `None` on the last page.
    pub next_before: Option<i64>,
}
