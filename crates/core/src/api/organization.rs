//! The organization detail panel: everything about one organization.
//!
//! Routes (all behind the session; writes need the CSRF header). `version` guards
//! what the panel edits in place: name, domains, summary, parent and children,
//! contacts, properties, and members' positions and roles. Each such write names the
//! `version` it saw, bumps it in the same transaction, and gets 409 `conflict` with
//! field `version` ("changed by someone else, reload") when it moved on. Additions
//! and removals (members, notes, files) neither need nor bump it. Writes that change
//! the organization return the whole [`OrganizationDetail`] with the new version.
//! - `GET /api/organizations/{id}/detail` → [`OrganizationDetail`]
//! - `PATCH /api/organizations/{id}/detail` [`UpdateDetailRequest`] (name, summary, parent)
//! - `POST /api/organizations/{id}/domain-matches` [`DomainMatchRequest`] → [`DomainMatches`]
//!   (read only: what adding the domain would offer to move);
//!   `POST /api/organizations/{id}/domains` [`AddDomainRequest`] → [`OrganizationDetail`]
//!   (adds the domain and moves the chosen customers, one transaction, one history entry);
//!   `DELETE /api/organizations/{id}/domains/{domain}?members=stay|leave&version=` → [`OrganizationDetail`]
//! - `GET /api/organizations/{id}/members?offset=&limit=` → [`MemberPage`] (managers first, then by name);
//!   `POST .../members` [`AddMemberRequest`] → [`Member`] (a customer of another organization moves;
//!   their open items follow, as in the Customers app);
//!   `PATCH .../members/{customer_id}` [`UpdateMemberRequest`] → [`OrganizationDetail`];
//!   `DELETE .../members/{customer_id}` → 204 (leaves the organization; the customer stays)
//! - `PUT /api/organizations/{id}/contacts` [`ReplaceContactsRequest`] → [`OrganizationDetail`]
//! - `PUT /api/organizations/{id}/properties` [`SetPropertiesRequest`] → [`OrganizationDetail`];
//!   admins: `GET/POST /api/organization-properties` ([`PropertyDefinitionInput`] → [`PropertyDefinition`]; PATCH replaces it whole),
//!   `PATCH/DELETE /api/organization-properties/{id}`, `PUT /api/organization-properties/order` [`ReorderPropertiesRequest`]
//! - `GET /api/organizations/{id}/notes?offset=&limit=` → [`NotePage`] (newest first);
//!   `POST .../notes` [`CreateNoteRequest`] → [`Note`]; `DELETE .../notes/{note_id}` (author or admin) → 204
//! - `GET /api/organizations/{id}/files` → `Vec<`[`FileInfo`]`>` (newest first);
//!   `POST .../files` (multipart, one part named `file`; at most [`MAX_FILE_BYTES`], else 413) → [`FileInfo`];
//!   `GET /api/files/{file_id}` (the bytes, as an attachment); `DELETE /api/files/{file_id}` → 204 (the uploader or an admin, else 403)
//! - `GET /api/organizations/{id}/relatives?relation=parent|child&q=` → `Vec<`[`ParentCandidate`]`>`
//!   (organizations by name, those that would close a loop carrying `disabled_reason`);
//!   `POST /api/organizations/{id}/children` [`AddChildRequest`] → [`OrganizationDetail`];
//!   `DELETE /api/organizations/{id}/children/{child_id}?version=` → [`OrganizationDetail`] (unlinks; deletes nothing)
//! - `GET /api/organizations/{id}/history?offset=&limit=` → [`HistoryPage`] (newest first)
//! - Tickets tab: `GET /api/items?organization={id}[&include_children=true]` and
//!   `GET /api/items/groups?group_by=status&organization={id}`

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api::tickets::CustomerRef;
use crate::contact::ContactEntry;
use crate::properties::{PropertyDefinitionInput, PropertyKind};
use crate::word::Word;

/// An organization as links show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganizationRef {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganizationDetail {
    pub id: i64,
    pub name: String,
    pub domains: Vec<String>,
    /// Bumped by every change; sent back with each edit.
    pub version: i64,
    pub summary: String,
    pub parent: Option<OrganizationRef>,
    pub children: Vec<OrganizationRef>,
    pub member_count: i64,
    pub manager_count: i64,
    pub contacts: Vec<ContactEntry>,
    /// Every defined property in the admins' order, with this organization's value (`null` when empty).
    pub properties: Vec<PropertyValue>,
    /// Items requested by members, by status word.
    pub item_counts: BTreeMap<String, i64>,
    /// Projects the organization follows.
    pub projects: Vec<ProjectRef>,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectRef {
    pub id: i64,
    pub name: String,
    pub archived: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PropertyValue {
    pub definition: PropertyDefinition,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PropertyDefinition {
    pub id: i64,
    pub label: String,
    pub kind: PropertyKind,
    pub required: bool,
    pub options: Vec<String>,
    /// Order in the panel (ascending).
    pub position: i64,
}

impl PropertyDefinition {
    /// The rules part, for [`crate::properties::validate_value`].
    pub fn rules(&self) -> PropertyDefinitionInput {
        PropertyDefinitionInput {
            label: self.label.clone(),
            kind: self.kind,
            required: self.required,
            options: self.options.clone(),
        }
    }
}

/// The panel's in-place edits of the organization itself; absent fields stay.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateDetailRequest {
    pub version: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// `null` removes the parent; absent leaves it.
    #[serde(default, deserialize_with = "crate::api::tickets::double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub parent_id: Option<Option<i64>>,
}

/// The longest summary.
pub const MAX_SUMMARY: usize = 10_000;
/// The longest note.
pub const MAX_NOTE: usize = 10_000;
/// The longest member position (job title).
pub const MAX_POSITION: usize = 100;

/// Which existing customers a new domain would take in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DomainMatchRequest {
    pub domain: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DomainMatches {
    /// The domain, normalized.
    pub domain: String,
    /// Matching customers in no organization (the first 50 listed).
    pub unassigned_count: i64,
    pub unassigned: Vec<CustomerRef>,
    /// Matching customers in other organizations, by organization (the first 50 of each listed).
    pub elsewhere: Vec<DomainMatchGroup>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DomainMatchGroup {
    pub organization: OrganizationRef,
    pub count: i64,
    pub customers: Vec<CustomerRef>,
}

/// Adds a domain and moves the chosen matching customers, in one transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AddDomainRequest {
    pub domain: String,
    pub version: i64,
    /// Move every matching unassigned customer.
    #[serde(default)]
    pub move_unassigned: bool,
    /// Move every matching customer of these organizations.
    #[serde(default)]
    pub move_from_organizations: Vec<i64>,
    /// Move these individual customers (each must match the domain).
    #[serde(default)]
    pub move_customers: Vec<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum MemberRole {
    Member,
    Manager,
}

impl crate::word::Word for MemberRole {
    const ALL: &'static [MemberRole] = &[MemberRole::Member, MemberRole::Manager];

    fn as_str(self) -> &'static str {
        match self {
            MemberRole::Member => "member",
            MemberRole::Manager => "manager",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Member {
    pub customer: CustomerRef,
    pub position: String,
    pub role: MemberRole,
    /// The member proved they read their email (see [`super::Customer::email_verified`]).
    #[serde(default)]
    pub email_verified: bool,
    /// The member has a portal password.
    #[serde(default)]
    pub portal_account: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberPage {
    pub items: Vec<Member>,
    pub total: i64,
    pub offset: i64,
    pub limit: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AddMemberRequest {
    pub customer_id: i64,
}

/// Edits one member's position and/or role; `version` is the organization's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateMemberRequest {
    pub version: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<MemberRole>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReplaceContactsRequest {
    pub version: i64,
    pub entries: Vec<ContactEntry>,
}

/// Values by property definition id; `null` empties one; absent ones stay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetPropertiesRequest {
    pub version: i64,
    pub values: BTreeMap<i64, Value>,
}

/// Every definition id, in the new order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReorderPropertiesRequest {
    pub ids: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateNoteRequest {
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotePage {
    pub items: Vec<Note>,
    pub total: i64,
}

/// Which relation a picker fills: the organization's parent, or a new child.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Relation {
    Parent,
    Child,
}

impl Word for Relation {
    const ALL: &'static [Relation] = &[Relation::Parent, Relation::Child];

    fn as_str(self) -> &'static str {
        match self {
            Relation::Parent => "parent",
            Relation::Child => "child",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ParentCandidate {
    pub id: i64,
    pub name: String,
    /// Why it cannot be chosen (the picker greys it out and shows this), if it cannot.
    pub disabled_reason: Option<String>,
}

/// Adds an existing organization as a child, or creates one by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AddChildRequest {
    pub version: i64,
    #[serde(default)]
    pub child_id: Option<i64>,
    /// With no `child_id`: the name of a new organization to create as the child.
    #[serde(default)]
    pub create_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Note {
    pub id: i64,
    pub body: String,
    pub author_name: String,
    /// The author's agent id (`None` once the agent is gone); the author and admins may delete.
    pub author_id: Option<i64>,
    /// RFC 3339, UTC.
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FileInfo {
    pub id: i64,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub uploaded_by: String,
    /// The uploader's agent id (`None` once the agent is gone); the uploader and admins may delete.
    #[serde(default)]
    pub uploader_id: Option<i64>,
    /// RFC 3339, UTC.
    pub created_at: String,
}

/// The largest file an organization accepts.
pub const MAX_FILE_BYTES: i64 = 10 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryEntry {
    pub id: i64,
    /// `renamed`, `domain_added`, `domain_removed`, `members_moved`, `member_added`,
    /// `member_removed`, `parent_set`, `child_added`, `child_removed`, `contacts_changed`,
    /// `properties_changed`, `summary_changed`, `note_added`, `file_added`, `file_deleted`, ...
    pub action: String,
    /// One sentence for people, e.g. "Renamed from Acme to Acme Corp".
    pub summary: String,
    pub details: Value,
    /// "" for changes the system made.
    pub agent_name: String,
    /// RFC 3339, UTC.
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryPage {
    pub items: Vec<HistoryEntry>,
    pub total: i64,
}
