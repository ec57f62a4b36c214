//! Routing rules: automation for what an organization's customers submit
//! ("every ticket from ACME goes to the project Tasks for ACME Inc."). The model and
//! its evaluation are in [`crate::routing`]; these are the wire types.
//!
//! A rule belongs to one organization (optionally applying to its whole subtree), or
//! targets every organization whose custom property matches a value. Precedence: the
//! organization's own rules, then rules inherited from its parents (nearest first),
//! then property-targeted rules, each in its order; "stop further rules" ends the walk.
//!
//! Routes (all behind the agent session; state-changing ones need the CSRF header):
//! - `GET /api/organizations/{id}/routing-rules` → [`RoutingSection`] (own, inherited
//!   and property-targeted rules, with resolved references);
//!   `POST` [`CreateRoutingRuleRequest`] → 201 [`RoutingRule`]
//! - `PATCH /api/organizations/{id}/routing-rules/{rule_id}` [`UpdateRoutingRuleRequest`]
//!   → [`RoutingRule`] (409 on a stale `version`; enable/disable is a PATCH of `enabled`);
//!   `DELETE` → 204
//! - `PUT /api/organizations/{id}/routing-rules/order` [`ReorderRoutingRulesRequest`] → [`RoutingSection`]
//! - `GET /api/organizations/{id}/routing-rules/dry-run` → [`DryRunData`] (the last 100
//!   items of the organization as rule input; the browser evaluates a draft against them)
//! - `GET /api/organizations/{id}/routing-rules/exposure?project_id=` → [`ProjectExposure`]
//! - `GET /api/routing-rules` → `Vec<`[`RoutingRule`]`>` (property-targeted; any agent);
//!   `POST` [`CreateRoutingRuleRequest`] with `target` → 201 (admins);
//!   `PATCH/DELETE /api/routing-rules/{id}`, `PUT /api/routing-rules/order` (admins)
//! - `GET /api/items/{id}/history` → `Vec<`[`ItemHistoryEntry`]`>` (oldest first)

use serde::{Deserialize, Serialize};

use crate::api::tickets::{FollowerKind, ItemStatus, ItemType, Priority};

/// The version of the stored rule JSON ([`RuleDefinition`]). Bumped with a migration
/// of stored rules whenever the shape changes incompatibly.
pub const RULE_FORMAT_VERSION: u32 = 1;

/// Rules on one organization.
pub const MAX_RULES_PER_ORGANIZATION: usize = 50;
/// Property-targeted rules in all.
pub const MAX_PROPERTY_RULES: usize = 100;
/// Conditions, and actions, of one rule.
pub const MAX_CONDITIONS: usize = 20;
pub const MAX_ACTIONS: usize = 20;
/// A rule's name.
pub const MAX_RULE_NAME: usize = 200;
/// The text a "contains" condition looks for.
pub const MAX_CONTAINS: usize = 200;
/// An automatic reply's template.
pub const MAX_TEMPLATE: usize = 5_000;
/// A property-targeted rule's value.
pub const MAX_TARGET_VALUE: usize = 500;
/// How many of an organization's newest items the dry run evaluates.
pub const DRY_RUN_ITEMS: usize = 100;

/// Which text a "contains" condition reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TextField {
    Title,
    Description,
    /// Either the title or the description.
    TitleOrDescription,
}

/// Where an item was created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ItemSource {
    /// By an agent in the Tickets app (or the API).
    Agent,
    /// By a customer in the customer portal.
    Portal,
}

/// One condition; a rule matches when all its conditions hold (no conditions: every item).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Condition {
    /// The item is a ticket, or a task.
    ItemType { item_type: ItemType },
    /// The title and/or description contains the text (case-insensitive).
    TextContains {
        field: TextField,
        #[cfg_attr(feature = "openapi", schema(max_length = 200))]
        text: String,
    },
    /// The priority is one of these.
    Priority {
        #[cfg_attr(feature = "openapi", schema(max_items = 4))]
        priorities: Vec<Priority>,
    },
    /// The requester is (or is not) a manager of the organization.
    RequesterIsManager { is_manager: bool },
    /// The item was created from the portal, or by an agent.
    Source { source: ItemSource },
}

/// One action, applied in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    ChangeProject {
        project_id: i64,
    },
    AssignAgent {
        agent_id: i64,
    },
    SetPriority {
        priority: Priority,
    },
    SetStatus {
        status: ItemStatus,
    },
    /// A customer follows the item, or every current member of an organization does.
    AddFollower {
        follower_kind: FollowerKind,
        id: i64,
    },
    /// A reply to the requester from a template with placeholders
    /// (see [`crate::routing::PLACEHOLDERS`]).
    AutoReply {
        #[cfg_attr(feature = "openapi", schema(max_length = 5000))]
        template: String,
    },
    /// No later rule runs for this item.
    StopRules,
}

/// What a rule checks and does: the JSON stored with the rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleDefinition {
    /// [`RULE_FORMAT_VERSION`].
    pub format: u32,
    pub conditions: Vec<Condition>,
    pub actions: Vec<Action>,
}

/// Which organizations a property-targeted rule applies to: those whose property
/// `property_id` has `value` (a choice among several counts when one of them is it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PropertyTarget {
    pub property_id: i64,
    pub value: String,
}

/// Where a rule shown in an organization's section comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RuleOrigin {
    /// The organization's own rule.
    Own,
    /// A parent's rule with "also for child organizations"; `depth` 1 is the parent.
    Inherited { organization_id: i64, organization_name: String, depth: u32 },
    /// A rule for every organization whose property matches.
    Property { property_label: String, value: String },
}

/// What kind of thing a rule refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RefKind {
    Project,
    Agent,
    Customer,
    Organization,
    Property,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResolvedRef {
    pub kind: RefKind,
    pub id: i64,
    /// The name to show; `None` when the reference is broken.
    pub name: Option<String>,
    /// Why the reference cannot be used now (deleted, archived, deactivated); the rule
    /// is skipped while it is set.
    pub broken: Option<String>,
}

/// A routing rule as the editor shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoutingRule {
    pub id: i64,
    pub name: String,
    pub enabled: bool,
    /// The owning organization; `None` for a property-targeted rule.
    pub organization_id: Option<i64>,
    /// "Also for child organizations".
    pub include_children: bool,
    pub target: Option<PropertyTarget>,
    pub conditions: Vec<Condition>,
    pub actions: Vec<Action>,
    /// Order among its organization's (or the property-targeted) rules, ascending.
    pub position: i64,
    /// Optimistic concurrency: send it back with an update.
    pub version: i64,
    /// Every project, agent, customer, organization and property the rule names.
    pub references: Vec<ResolvedRef>,
    /// RFC 3339, UTC.
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EffectiveRule {
    pub origin: RuleOrigin,
    pub rule: RoutingRule,
}

/// An organization's routing section: its own rules (editable), and every rule that
/// applies to its items in precedence order (own, inherited, property-targeted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoutingSection {
    pub own: Vec<RoutingRule>,
    pub effective: Vec<EffectiveRule>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateRoutingRuleRequest {
    pub name: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default)]
    pub include_children: bool,
    /// Only under `/api/routing-rules`, where it is required.
    #[serde(default)]
    pub target: Option<PropertyTarget>,
    pub conditions: Vec<Condition>,
    pub actions: Vec<Action>,
}

fn yes() -> bool {
    true
}

/// Partial update; absent fields stay. `version` is the rule's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateRoutingRuleRequest {
    pub version: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_children: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<PropertyTarget>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actions: Option<Vec<Action>>,
}

/// Every rule id of the organization (or every property-targeted rule id), in the new order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReorderRoutingRulesRequest {
    pub ids: Vec<i64>,
}

/// An item as rule input: what conditions read and placeholders fill in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemFacts {
    pub item_id: i64,
    pub item_type: ItemType,
    pub title: String,
    pub description: String,
    pub priority: Priority,
    pub status: ItemStatus,
    pub project_id: i64,
    pub project_name: String,
    pub assignee_id: Option<i64>,
    pub source: ItemSource,
    pub requester_is_manager: bool,
    pub customer_first_name: String,
    pub customer_name: String,
    pub organization_name: String,
}

/// The dry run's input: the organization's newest items (at most [`DRY_RUN_ITEMS`]).
/// Descriptions are cut to 2,000 characters. `requester_is_manager` is the
/// requester's role now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DryRunData {
    pub items: Vec<ItemFacts>,
}

/// Who, outside the organization, can read a project's items in the portal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectExposure {
    pub project_id: i64,
    /// Customers outside this organization (and its subtree) who follow the project.
    pub outside_customers: i64,
    /// Organizations other than this one (and its subtree) that follow it, at most 10 named.
    pub outside_organizations: Vec<String>,
    pub outside_organization_count: i64,
}

/// One line of an item's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemHistoryEntry {
    pub id: i64,
    /// The rule that did it (`None` once the rule is deleted, or for other entries).
    pub rule_id: Option<i64>,
    /// The rule's name when it happened.
    pub rule_name: Option<String>,
    /// "Routing rule 'ACME tasks' moved this ticket to project Tasks for ACME Inc."
    pub summary: String,
    /// RFC 3339, UTC.
    pub created_at: String,
}
