//! Deleting an organization with a choice for its members, the deleted
//! organizations an admin can restore until they are purged, and duplicate
//! suggestions (issue #16, points 4 and 5).

use serde::{Deserialize, Serialize};

/// Retention of deleted organizations, in days, unless an admin changed it.
pub const DEFAULT_RETENTION_DAYS: i64 = 30;
/// The retention setting's bounds.
pub const MIN_RETENTION_DAYS: i64 = 1;
pub const MAX_RETENTION_DAYS: i64 = 365;

/// What deleting an organization touches, for the delete dialog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeletionPreview {
    pub id: i64,
    pub name: String,
    pub members: i64,
    /// Items (new, open, waiting) with this organization.
    pub open_items: i64,
    /// Items (resolved, closed) with this organization.
    pub closed_items: i64,
    pub children: i64,
    /// How many days it can be restored.
    pub retention_days: i64,
}

/// What a delete did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeletionOutcome {
    pub members: i64,
    /// Where the members went (`None`: no organization).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moved_to: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moved_to_name: Option<String>,
    /// RFC 3339, UTC: when it is purged unless restored.
    pub purge_at: String,
}

/// One row of Administration > Deleted organizations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeletedOrganization {
    pub id: i64,
    pub name: String,
    pub domains: Vec<String>,
    /// The members it had when it was deleted.
    pub member_count: i64,
    /// RFC 3339, UTC.
    pub deleted_at: String,
    /// Who deleted it (`None`: an agent since removed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_by: Option<String>,
    /// RFC 3339, UTC.
    pub purge_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeletedOrganizationPage {
    pub items: Vec<DeletedOrganization>,
    pub total: i64,
    pub offset: i64,
    pub limit: i64,
    pub retention_days: i64,
}

/// A domain a restore could not give back: another organization took it since.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DomainTaken {
    pub domain: String,
    pub organization_id: i64,
    pub organization_name: String,
}

/// What a restore brought back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RestoreOutcome {
    pub id: i64,
    pub name: String,
    /// Members who had not moved since the deletion, back in it.
    pub members_restored: i64,
    /// Members who moved elsewhere since, where they are.
    pub members_stayed: i64,
    pub domains_restored: Vec<String>,
    pub domains_taken: Vec<DomainTaken>,
    pub items_restored: i64,
    pub children_restored: i64,
}

/// The retention of deleted organizations (Administration).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetentionSetting {
    /// 1 to 365.
    pub retention_days: i64,
}

/// One side of a duplicate pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DuplicateSide {
    pub id: i64,
    pub name: String,
    pub domains: Vec<String>,
    pub member_count: i64,
}

/// Two organizations that look like one: `smaller` would merge into `larger`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DuplicatePair {
    pub smaller: DuplicateSide,
    pub larger: DuplicateSide,
    pub same_name: bool,
    pub same_domain_root: bool,
    /// "Same name", "Same domain", "Same name and domain".
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DuplicatePage {
    pub items: Vec<DuplicatePair>,
    /// Whether another page follows.
    pub more: bool,
    pub offset: i64,
    pub limit: i64,
}

/// "Not duplicates": the pair is not suggested again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DismissDuplicateRequest {
    pub first_id: i64,
    pub second_id: i64,
}
