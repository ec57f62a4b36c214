//! What customers see and do in the portal (`/api/portal/items`, `/api/portal/projects`,
//! `/api/portal/files`): the items they may see, their replies, new tickets and
//! attachments. Which items a customer sees is the server's decision
//! ([`crate::portal`]); fields the portal hides ([`crate::portal::PortalFields`])
//! are absent (`null`), and internal notes and agents' emails never appear.

use serde::{Deserialize, Serialize};

use crate::api::tickets::{ItemStatus, ItemType, Priority};
use crate::tickets::ItemFilterParams;

/// An item as a customer sees it. `status`, `priority`, `assignee_name`,
/// `project_id`/`project_name` and `item_type` are `null` when the portal hides them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PortalItem {
    pub id: i64,
    pub title: String,
    /// In lists, shortened.
    pub description: String,
    pub item_type: Option<ItemType>,
    pub status: Option<ItemStatus>,
    pub priority: Option<Priority>,
    /// The assigned agent's name (never their email).
    pub assignee_name: Option<String>,
    pub project_id: Option<i64>,
    pub project_name: Option<String>,
    /// Who asked for it (a name, never an email), if anyone.
    pub requester_name: Option<String>,
    pub reply_count: i64,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub updated_at: String,
}

/// One page of the items a customer sees, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PortalItemPage {
    pub items: Vec<PortalItem>,
    /// How many items match in all (only items the customer sees).
    pub total: i64,
    pub offset: i64,
    pub limit: i64,
}

/// One item with what the customer may do with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PortalItemDetail {
    pub item: PortalItem,
    /// Whether the customer may reply (false: they may read it only).
    pub can_reply: bool,
}

/// `GET /api/portal/items` filters: the search text (title, or `#123`) and statuses.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct PortalItemParams {
    /// Text in the title (case-insensitive), or `#123` for an item number.
    pub q: Option<String>,
    /// Comma-separated statuses, e.g. `new,open,waiting`.
    pub status: Option<String>,
}

impl PortalItemParams {
    /// The same parameters as the Tickets app's filter reads them (so both check alike).
    pub fn as_filter_params(&self) -> ItemFilterParams {
        ItemFilterParams { q: self.q.clone(), status: self.status.clone(), ..ItemFilterParams::default() }
    }
}

/// A customer reply in the portal (never an internal note).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PortalMessage {
    pub id: i64,
    /// The agent's or the customer's name.
    pub author_name: String,
    /// Written by a customer in the portal (else by an agent).
    pub from_customer: bool,
    /// Written by the signed-in customer.
    pub mine: bool,
    pub body: String,
    /// RFC 3339, UTC.
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatePortalMessageRequest {
    pub body: String,
}

/// A new ticket from the portal; without `project_id` it goes to the portal's
/// default project.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatePortalItemRequest {
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub project_id: Option<i64>,
}

/// A project a customer may submit tickets to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PortalProject {
    pub id: i64,
    pub name: String,
}
