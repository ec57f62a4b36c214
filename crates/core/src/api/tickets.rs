//! Projects, their items (tickets and tasks), conversations and followers: the
//! Tickets and Projects apps' wire types. The item filter of the query string is
//! [`ItemFilter`](crate::tickets::ItemFilter) (in [`crate::tickets::filter`]).
//!
//! Routes (all behind the session; state-changing ones need the CSRF header):
//! - `GET /api/projects?archived=false|true|all&q=&offset=&limit=` → [`ProjectPage`];
//!   `POST /api/projects` [`CreateProjectRequest`] → 201 [`Project`]
//! - `GET/PATCH/DELETE? /api/projects/{id}` → [`Project`] / [`UpdateProjectRequest`]
//!   (archive with `{"archived": true}`; projects are archived, never deleted)
//! - `GET /api/projects/{id}/followers` → `Vec<`[`Follower`]`>`;
//!   `POST /api/projects/{id}/followers` [`AddFollowerRequest`] → 201 [`Follower`];
//!   `DELETE /api/projects/{id}/followers/customers/{customer_id}`,
//!   `DELETE /api/projects/{id}/followers/organizations/{organization_id}`
//! - `GET /api/items?`[`ItemFilter`](crate::tickets::ItemFilter)`&offset=&limit=` → [`ItemPage`];
//!   `POST /api/items` [`CreateItemRequest`] → 201 [`Item`]
//! - `GET /api/items/groups?group_by=organization|project|status&`[`ItemFilter`](crate::tickets::ItemFilter)`&offset=&limit=` → [`ItemGroupPage`]
//! - `GET/PATCH /api/items/{id}` → [`Item`] / [`UpdateItemRequest`]
//! - `POST /api/items/bulk` [`BulkUpdateItemsRequest`] → [`BulkUpdateItemsResponse`] (409 when an item changed since)
//! - `GET /api/items/{id}/messages` → `Vec<`[`Message`]`>`;
//!   `POST /api/items/{id}/messages` [`CreateMessageRequest`] → 201 [`Message`]
//! - `POST /api/items/{id}/followers` [`AddItemFollowerRequest`] → 201 `Vec<`[`CustomerRef`]`>`;
//!   `DELETE /api/items/{id}/followers/{customer_id}`
//! - `POST /api/customers/move/preview` [`MovePreviewRequest`] → [`MovePreview`]
//! - `GET/POST /api/organizations/{id}/conversations`, `GET/POST /api/projects/{id}/conversations`
//!   → `Vec<`[`Conversation`]`>` / [`StartConversationRequest`] → 201 [`StartedConversation`]
//! - `GET /api/conversations/{id}` → [`Conversation`];
//!   `POST /api/conversations/{id}/messages` [`CreateConversationMessageRequest`] → 201 [`StartedConversation`]

use serde::{Deserialize, Deserializer, Serialize};

/// Distinguishes "absent" (leave as is) from `null` (clear) in a PATCH body.
pub fn double_option<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Project {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub archived: bool,
    /// Items in the project, and how many of them are open (new, open or waiting).
    pub item_count: i64,
    pub open_item_count: i64,
    /// RFC 3339, UTC.
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectPage {
    pub items: Vec<Project>,
    pub total: i64,
    pub offset: i64,
    pub limit: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateProjectRequest {
    pub name: String,
    #[serde(default)]
    pub description: String,
}

/// Partial update: absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateProjectRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived: Option<bool>,
}

/// Who follows a project: a customer, or a whole organization (its future members included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum FollowerKind {
    Customer,
    Organization,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Follower {
    pub kind: FollowerKind,
    /// The customer's or the organization's id.
    pub id: i64,
    /// Display name (a customer's name or email; an organization's name).
    pub name: String,
    /// A customer's email; `None` for an organization.
    pub email: Option<String>,
    /// An organization's member count; `None` for a customer.
    pub member_count: Option<i64>,
}

/// Exactly one of the two.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddFollowerRequest {
    #[serde(default)]
    pub customer_id: Option<i64>,
    #[serde(default)]
    pub organization_id: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ItemType {
    Ticket,
    Task,
}

/// new → open → waiting → resolved → closed. New, open and waiting are "open";
/// resolved and closed are "closed" (see [`crate::tickets::is_open`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ItemStatus {
    New,
    Open,
    Waiting,
    Resolved,
    Closed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    Low,
    Normal,
    High,
    Urgent,
}

/// A customer as other records show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomerRef {
    pub id: i64,
    pub name: String,
    pub email: String,
}

/// A ticket or a task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Item {
    pub id: i64,
    pub project_id: i64,
    pub project_name: String,
    pub item_type: ItemType,
    pub title: String,
    pub description: String,
    pub status: ItemStatus,
    pub priority: Priority,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    pub requester: Option<CustomerRef>,
    /// The requester's organization when the item was created (open items follow
    /// their requester when they change organization; closed ones keep it).
    pub organization_id: Option<i64>,
    pub organization_name: Option<String>,
    /// With no organization: the one it had when that organization was deleted
    /// (shown as "Acme (deleted)"; the record stays after the purge).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub former_organization_name: Option<String>,
    /// Customers besides the requester who receive customer replies.
    pub followers: Vec<CustomerRef>,
    /// How many customer replies the conversation holds (the UI warns a new
    /// requester that they will receive them).
    pub reply_count: i64,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemPage {
    /// In lists, `followers` is empty and `description` may be shortened; get the item for all of it.
    pub items: Vec<Item>,
    /// How many items match; when `total_capped`, at least this many (items are counted
    /// up to [`ITEM_COUNT_CAP`] past the page's offset, so a search over a million
    /// items does not count every match: shown as "1,000+").
    pub total: i64,
    #[serde(default)]
    pub total_capped: bool,
    pub offset: i64,
    pub limit: i64,
}

/// Filters the item counters cannot answer count at most this many items past the offset.
pub const ITEM_COUNT_CAP: i64 = 1_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum GroupBy {
    Organization,
    Project,
    Status,
}

/// One group of the Tickets app. `key` is what to put into the matching filter
/// (`organization=`, `project_id=` or `status=`): an id, a status word, or `none`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemGroup {
    pub key: String,
    pub label: String,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemGroupPage {
    pub group_by: GroupBy,
    /// Groups by label (the "none" group last), with the number of matching items;
    /// status groups come in workflow order (new, open, waiting, resolved, closed).
    pub groups: Vec<ItemGroup>,
    /// Groups in all pages, and matching items in all groups.
    pub total_groups: i64,
    pub total_items: i64,
    pub offset: i64,
    pub limit: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateItemRequest {
    pub project_id: i64,
    pub item_type: ItemType,
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub status: Option<ItemStatus>,
    #[serde(default)]
    pub priority: Option<Priority>,
    #[serde(default)]
    pub assignee_id: Option<i64>,
    /// Required for tickets; tasks may have none.
    #[serde(default)]
    pub requester_id: Option<i64>,
}

/// Partial update: absent fields stay as they are; `null` clears assignee or requester.
/// A new requester takes the item to their current organization and receives the
/// earlier customer replies (one email with the conversation so far).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateItemRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ItemStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_type: Option<ItemType>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub assignee_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub requester_id: Option<Option<i64>>,
}

/// Items one bulk change may touch (the Tickets app's page holds at most this many).
pub const MAX_BULK_ITEMS: usize = 200;

/// An item of a bulk change, with the `updated_at` the agent saw: when the item has
/// changed since, the whole change is refused (409) and nothing is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BulkItemRef {
    pub id: i64,
    /// The item's `updated_at` as the agent's list showed it (RFC 3339).
    pub updated_at: String,
}

/// One change applied to several items in one transaction: all of them change, or
/// none does. At least one of `status`, `priority` and `assignee_id` (`null`
/// unassigns) is given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BulkUpdateItemsRequest {
    pub items: Vec<BulkItemRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ItemStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub assignee_id: Option<Option<i64>>,
}

/// The items as they are after a bulk change, in the order asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkUpdateItemsResponse {
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum MessageKind {
    /// A customer reply: public, emailed to the requester and the customer followers.
    Reply,
    /// An internal note: agents only, never reaches a customer.
    Note,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Message {
    pub id: i64,
    pub kind: MessageKind,
    pub author_agent_id: Option<i64>,
    /// Set for a reply a customer wrote in the portal (`author_name` is then theirs).
    #[serde(default)]
    pub author_customer_id: Option<i64>,
    pub author_name: String,
    pub body: String,
    /// The emails a reply was sent to (empty for notes).
    pub recipients: Vec<String>,
    /// RFC 3339, UTC.
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateMessageRequest {
    pub kind: MessageKind,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AddItemFollowerRequest {
    pub customer_id: i64,
}

/// What a move of these customers would do to their items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MovePreviewRequest {
    pub customer_ids: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MovePreview {
    /// Items they requested that are open: these follow them to the new organization.
    pub open_items: i64,
    /// Items they requested that are resolved or closed: these keep their organization.
    pub closed_items: i64,
}

/// A conversation an agent starts with an organization's members or a project's followers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Conversation {
    pub id: i64,
    pub subject: String,
    pub organization_id: Option<i64>,
    pub project_id: Option<i64>,
    /// Oldest first.
    pub messages: Vec<ConversationMessage>,
    /// RFC 3339, UTC.
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversationMessage {
    pub id: i64,
    pub author_agent_id: Option<i64>,
    pub author_name: String,
    pub body: String,
    /// How many notifications (outbox rows) this message produced.
    pub notified: i64,
    /// RFC 3339, UTC.
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StartConversationRequest {
    pub subject: String,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateConversationMessageRequest {
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StartedConversation {
    pub conversation: Conversation,
    /// Notifications queued in the outbox by this message (one per recipient).
    pub notified: i64,
}
