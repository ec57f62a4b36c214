//! Merging one organization (the merged one) into another (the survivor), admins only.
//!
//! - `GET /api/organizations/{id}/merge-preview?target_id=` → [`MergePreview`]: both
//!   organizations side by side, the conflicting fields to choose, what moves and who
//!   gains sight of what. Nothing changes.
//! - `POST /api/organizations/{id}/merge` [`MergeRequest`] → [`MergeOutcome`]: one
//!   transaction; 409 (field `version`) when either organization changed since the
//!   preview, 404 when either is gone, 422 when the merge would make a loop.
//!
//! Lists (domains, contacts, notes, files, members, items, history, conversations,
//! routing rules, shared projects, usergroup links, children) are united; only single-valued fields
//! that both organizations fill differently are chosen ([`MergeConflict`]). A field
//! only the merged organization fills is taken from it. The merged organization's id
//! then redirects to the survivor: `GET /api/organizations/{old}` and
//! `.../{old}/detail` answer with the survivor (whose `id` differs from the one asked for).

use serde::{Deserialize, Serialize};

use crate::api::organization::{OrganizationRef, ProjectRef, PropertyValue};
use crate::contact::ContactEntry;
use crate::portal::OrgItemAccess;

/// How many names the preview lists of managers, routing rules and shared projects
/// (the counts say how many there are).
pub const MERGE_LISTED: usize = 20;
/// Conflict keys one request may name.
pub const MAX_MERGE_CHOICES: usize = 200;
/// A conflict key: `name`, `summary`, `parent` or `property:{id}`.
pub const MAX_MERGE_KEY: usize = 40;

/// One organization as the merge preview shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MergeSide {
    pub id: i64,
    pub name: String,
    /// Send it back in [`MergeRequest`].
    pub version: i64,
    pub summary: String,
    pub domains: Vec<String>,
    pub contacts: Vec<ContactEntry>,
    pub parent: Option<OrganizationRef>,
    /// The custom properties that have a value.
    pub properties: Vec<PropertyValue>,
    /// The first [`MERGE_LISTED`] managers' names; `manager_count` counts them all.
    pub managers: Vec<String>,
    pub manager_count: i64,
    /// The first [`MERGE_LISTED`] routing rules' names.
    pub routing_rules: Vec<String>,
    pub routing_rule_count: i64,
    /// The first [`MERGE_LISTED`] projects the organization follows (shared with it).
    pub projects: Vec<ProjectRef>,
    pub project_count: i64,
    /// The first [`MERGE_LISTED`] usergroups the organization is linked to (every
    /// member is in them); `usergroup_count` counts them all.
    pub usergroups: Vec<String>,
    pub usergroup_count: i64,
    pub members: i64,
    /// New, open and waiting items.
    pub open_items: i64,
    /// Resolved and closed items.
    pub closed_items: i64,
    pub notes: i64,
    pub files: i64,
    pub history_entries: i64,
    pub conversations: i64,
    pub children: i64,
    /// The organization's own portal visibility override (the survivor's stays).
    pub portal_visibility: Option<OrgItemAccess>,
}

/// A single-valued field both organizations fill differently: the request names
/// `key` in `take_merged` to take the merged organization's value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MergeConflict {
    /// `name`, `summary`, `parent` or `property:{definition id}`.
    pub key: String,
    /// What people call the field ("Name", "Parent", a property's label).
    pub label: String,
    /// The survivor's value, as shown.
    pub survivor: String,
    /// The merged organization's value, as shown.
    pub merged: String,
    /// Why the merged organization's value cannot be taken (it would make a loop).
    pub merged_disabled_reason: Option<String>,
}

/// Customers of one side who would see items they do not see now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccessGain {
    /// Members (verified, with the role or visibility the portal rules ask) who gain sight.
    pub customers: i64,
    /// The other organization's items they gain sight of: its organization items, and
    /// the items of projects only it shares.
    pub items: i64,
}

/// Who sees what after the merge, under the portal rules (`orgdesk_core::portal`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MergeAccess {
    /// The survivor's effective organization visibility, which every member gets.
    pub visibility: OrgItemAccess,
    /// The merged organization's members seeing the survivor's items.
    pub merged_members: AccessGain,
    /// The survivor's members seeing the merged organization's items.
    pub survivor_members: AccessGain,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MergePreview {
    pub merged: MergeSide,
    pub survivor: MergeSide,
    pub conflicts: Vec<MergeConflict>,
    pub access: MergeAccess,
    /// Why these two cannot be merged (the survivor is inside the merged one), if so.
    pub refused: Option<String>,
}

/// Merges organization `{id}` into `target_id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MergeRequest {
    pub target_id: i64,
    /// The merged organization's version the preview showed.
    pub version: i64,
    /// The survivor's version the preview showed.
    pub target_version: i64,
    /// The conflict keys whose merged value wins (the others keep the survivor's).
    #[serde(default)]
    pub take_merged: Vec<String>,
}

/// What a merge moved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MergeOutcome {
    pub survivor: OrganizationRef,
    pub members: i64,
    pub open_items: i64,
    pub closed_items: i64,
    pub history_entries: i64,
}
