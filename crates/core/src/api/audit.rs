//! The audit log: who did what, to what, when and from where (Administration >
//! Audit log, admins only). Sign-ins and failed sign-ins, sign-outs, deletions,
//! agent and role changes, password changes and settings changes are recorded in
//! the same transaction as the change itself. Entries are kept: there is no route
//! that deletes them.
//!
//! - `GET /api/audit?action=&actor=&offset=&limit=` → [`AuditPage`] (newest first)

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::word::Word;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    SignIn,
    /// A wrong email or password (the attempted email is the actor email).
    SignInFailed,
    SignOut,
    OrganizationDeleted,
    CustomerDeleted,
    NoteDeleted,
    FileDeleted,
    PropertyDeleted,
    AgentCreated,
    RoleChanged,
    AgentDeactivated,
    AgentActivated,
    PasswordChanged,
    PasswordResetSent,
    PasswordReset,
    SettingsChanged,
    /// Followers added to or removed from a project in the sharing dialog: who it is
    /// shared with in the customer portal.
    ProjectSharingChanged,
    /// A routing rule added to an organization, or a property-targeted one.
    RoutingRuleCreated,
    /// A routing rule's name, switches, target, conditions or actions changed.
    RoutingRuleChanged,
    RoutingRuleDeleted,
    /// An organization's (or the property-targeted) routing rules put in a new order.
    RoutingRulesReordered,
    /// A CSV import written (its batch id, file name and counts in the detail).
    ImportCompleted,
    /// An import undone (what was removed, restored and kept).
    ImportUndone,
    /// A usergroup added (its name, switches and projects in the detail).
    UsergroupCreated,
    /// A usergroup's name, description, switches or projects changed (before and after).
    UsergroupChanged,
    /// A usergroup deleted (how many members lost it).
    UsergroupDeleted,
    /// A customer added to or removed from a usergroup individually, or an
    /// organization linked to or unlinked from one.
    UsergroupMembershipChanged,
    /// An organization merged into another (the target is the survivor).
    OrganizationsMerged,
    /// A deleted organization restored (what came back, what another took since).
    OrganizationRestored,
    /// A deleted organization erased for good once its retention ended.
    OrganizationPurged,
}

impl Word for AuditAction {
    const ALL: &'static [AuditAction] = &[
        AuditAction::SignIn,
        AuditAction::SignInFailed,
        AuditAction::SignOut,
        AuditAction::OrganizationDeleted,
        AuditAction::CustomerDeleted,
        AuditAction::NoteDeleted,
        AuditAction::FileDeleted,
        AuditAction::PropertyDeleted,
        AuditAction::AgentCreated,
        AuditAction::RoleChanged,
        AuditAction::AgentDeactivated,
        AuditAction::AgentActivated,
        AuditAction::PasswordChanged,
        AuditAction::PasswordResetSent,
        AuditAction::PasswordReset,
        AuditAction::SettingsChanged,
        AuditAction::ProjectSharingChanged,
        AuditAction::RoutingRuleCreated,
        AuditAction::RoutingRuleChanged,
        AuditAction::RoutingRuleDeleted,
        AuditAction::RoutingRulesReordered,
        AuditAction::ImportCompleted,
        AuditAction::ImportUndone,
        AuditAction::UsergroupCreated,
        AuditAction::UsergroupChanged,
        AuditAction::UsergroupDeleted,
        AuditAction::UsergroupMembershipChanged,
        AuditAction::OrganizationsMerged,
        AuditAction::OrganizationRestored,
        AuditAction::OrganizationPurged,
    ];

    fn as_str(self) -> &'static str {
        match self {
            AuditAction::SignIn => "sign_in",
            AuditAction::SignInFailed => "sign_in_failed",
            AuditAction::SignOut => "sign_out",
            AuditAction::OrganizationDeleted => "organization_deleted",
            AuditAction::CustomerDeleted => "customer_deleted",
            AuditAction::NoteDeleted => "note_deleted",
            AuditAction::FileDeleted => "file_deleted",
            AuditAction::PropertyDeleted => "property_deleted",
            AuditAction::AgentCreated => "agent_created",
            AuditAction::RoleChanged => "role_changed",
            AuditAction::AgentDeactivated => "agent_deactivated",
            AuditAction::AgentActivated => "agent_activated",
            AuditAction::PasswordChanged => "password_changed",
            AuditAction::PasswordResetSent => "password_reset_sent",
            AuditAction::PasswordReset => "password_reset",
            AuditAction::SettingsChanged => "settings_changed",
            AuditAction::ProjectSharingChanged => "project_sharing_changed",
            AuditAction::RoutingRuleCreated => "routing_rule_created",
            AuditAction::RoutingRuleChanged => "routing_rule_changed",
            AuditAction::RoutingRuleDeleted => "routing_rule_deleted",
            AuditAction::RoutingRulesReordered => "routing_rules_reordered",
            AuditAction::ImportCompleted => "import_completed",
            AuditAction::ImportUndone => "import_undone",
            AuditAction::UsergroupCreated => "usergroup_created",
            AuditAction::UsergroupChanged => "usergroup_changed",
            AuditAction::UsergroupDeleted => "usergroup_deleted",
            AuditAction::UsergroupMembershipChanged => "usergroup_membership_changed",
            AuditAction::OrganizationsMerged => "organizations_merged",
            AuditAction::OrganizationRestored => "organization_restored",
            AuditAction::OrganizationPurged => "organization_purged",
        }
    }
}

impl AuditAction {
    /// The words a person reads in the log and in the filter.
    pub fn label(self) -> &'static str {
        match self {
            AuditAction::SignIn => "Signed in",
            AuditAction::SignInFailed => "Failed sign-in",
            AuditAction::SignOut => "Signed out",
            AuditAction::OrganizationDeleted => "Deleted organization",
            AuditAction::CustomerDeleted => "Deleted customer",
            AuditAction::NoteDeleted => "Deleted note",
            AuditAction::FileDeleted => "Deleted file",
            AuditAction::PropertyDeleted => "Deleted property",
            AuditAction::AgentCreated => "Added agent",
            AuditAction::RoleChanged => "Changed role",
            AuditAction::AgentDeactivated => "Deactivated agent",
            AuditAction::AgentActivated => "Reactivated agent",
            AuditAction::PasswordChanged => "Changed password",
            AuditAction::PasswordResetSent => "Sent password reset",
            AuditAction::PasswordReset => "Reset password",
            AuditAction::SettingsChanged => "Changed settings",
            AuditAction::ProjectSharingChanged => "Changed who a project is shared with",
            AuditAction::RoutingRuleCreated => "Added routing rule",
            AuditAction::RoutingRuleChanged => "Changed routing rule",
            AuditAction::RoutingRuleDeleted => "Deleted routing rule",
            AuditAction::RoutingRulesReordered => "Reordered routing rules",
            AuditAction::ImportCompleted => "Imported a CSV file",
            AuditAction::ImportUndone => "Undid an import",
            AuditAction::UsergroupCreated => "Added usergroup",
            AuditAction::UsergroupChanged => "Changed usergroup",
            AuditAction::UsergroupDeleted => "Deleted usergroup",
            AuditAction::UsergroupMembershipChanged => "Changed usergroup membership",
            AuditAction::OrganizationsMerged => "Merged organizations",
            AuditAction::OrganizationRestored => "Restored organization",
            AuditAction::OrganizationPurged => "Purged deleted organization",
        }
    }
}

/// What kind of thing an entry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AuditTarget {
    Organization,
    Customer,
    Note,
    File,
    Property,
    Agent,
    Settings,
    Project,
    RoutingRule,
    Usergroup,
}

impl Word for AuditTarget {
    const ALL: &'static [AuditTarget] = &[
        AuditTarget::Organization,
        AuditTarget::Customer,
        AuditTarget::Note,
        AuditTarget::File,
        AuditTarget::Property,
        AuditTarget::Agent,
        AuditTarget::Settings,
        AuditTarget::Project,
        AuditTarget::RoutingRule,
        AuditTarget::Usergroup,
    ];

    fn as_str(self) -> &'static str {
        match self {
            AuditTarget::Organization => "organization",
            AuditTarget::Customer => "customer",
            AuditTarget::Note => "note",
            AuditTarget::File => "file",
            AuditTarget::Property => "property",
            AuditTarget::Agent => "agent",
            AuditTarget::Settings => "settings",
            AuditTarget::Project => "project",
            AuditTarget::RoutingRule => "routing_rule",
            AuditTarget::Usergroup => "usergroup",
        }
    }
}

impl AuditTarget {
    pub fn label(self) -> &'static str {
        match self {
            AuditTarget::Organization => "Organization",
            AuditTarget::Customer => "Customer",
            AuditTarget::Note => "Note",
            AuditTarget::File => "File",
            AuditTarget::Property => "Property",
            AuditTarget::Agent => "Agent",
            AuditTarget::Settings => "Settings",
            AuditTarget::Project => "Project",
            AuditTarget::RoutingRule => "Routing rule",
            AuditTarget::Usergroup => "Usergroup",
        }
    }
}

/// The longest actor email kept (a failed sign-in's attempted email is cut to it).
pub const MAX_AUDIT_EMAIL: usize = 254;
/// The longest target label kept.
pub const MAX_AUDIT_LABEL: usize = 200;
/// The longest source (client address) kept.
pub const MAX_AUDIT_SOURCE: usize = 64;
/// The largest detail kept, in bytes of JSON text.
pub const MAX_AUDIT_DETAIL: usize = 64 * 1024;
/// How many of a deleted organization's history entries its audit entry keeps (the newest).
pub const MAX_AUDIT_HISTORY: usize = 100;

/// One audit log entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: i64,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub action: AuditAction,
    /// The agent who acted; `None` for a failed sign-in.
    pub actor_id: Option<i64>,
    /// The actor's email when it happened (a failed sign-in: the email tried, at most 254 characters).
    pub actor_email: String,
    pub target_kind: Option<AuditTarget>,
    pub target_id: Option<i64>,
    /// The target's name or email when it happened (at most 200 characters).
    pub target_label: String,
    /// The client address the request came from ("" when unknown).
    pub source: String,
    /// What else is known, e.g. a deleted organization's domains, counts and history
    /// (at most 64 KiB of JSON).
    pub detail: Value,
}

/// One page of the audit log, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditPage {
    pub items: Vec<AuditEntry>,
    /// Entries matching the filters.
    pub total: i64,
}

/// The log's filters as a query string carries them, before checking.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct AuditQuery {
    /// Only entries of this action (one of the `AuditAction` words).
    #[cfg_attr(feature = "openapi", param(value_type = Option<AuditAction>))]
    pub action: Option<String>,
    /// Only entries by this agent (an agent id).
    #[cfg_attr(feature = "openapi", param(value_type = Option<i64>, minimum = 1))]
    pub actor: Option<String>,
}

/// Checked filters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub action: Option<AuditAction>,
    pub actor: Option<i64>,
}

impl AuditFilter {
    /// Checks the raw filters; each bad one is named (`action`, `actor`).
    pub fn parse(q: &AuditQuery) -> Result<AuditFilter, crate::FieldErrors> {
        let mut errors = crate::FieldErrors::new();
        let action = match q.action.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(word) => match AuditAction::parse(word) {
                Some(a) => Some(a),
                None => {
                    errors.insert(
                        "action".into(),
                        format!("The action is one of {}.", crate::word::words::<AuditAction>()),
                    );
                    None
                }
            },
        };
        let actor = match q.actor.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => match s.parse::<i64>() {
                Ok(n) if n >= 1 => Some(n),
                _ => {
                    errors.insert("actor".into(), "The actor is an agent id, a whole number from 1.".into());
                    None
                }
            },
        };
        if errors.is_empty() {
            Ok(AuditFilter { action, actor })
        } else {
            Err(errors)
        }
    }

    /// `action=..&actor=..` (only the filters set), as [`AuditFilter::parse`] reads it back.
    pub fn to_query(self) -> String {
        let mut parts = Vec::new();
        if let Some(a) = self.action {
            parts.push(format!("action={}", a.as_str()));
        }
        if let Some(id) = self.actor {
            parts.push(format!("actor={id}"));
        }
        parts.join("&")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(action: Option<&str>, actor: Option<&str>) -> AuditQuery {
        AuditQuery { action: action.map(String::from), actor: actor.map(String::from) }
    }

    #[test]
    fn filters_read_back_what_they_write() {
        let f = AuditFilter { action: Some(AuditAction::OrganizationDeleted), actor: Some(7) };
        assert_eq!(f.to_query(), "action=organization_deleted&actor=7");
        assert_eq!(AuditFilter::parse(&raw(Some("organization_deleted"), Some("7"))), Ok(f));
        assert_eq!(AuditFilter::parse(&raw(None, Some(" "))), Ok(AuditFilter::default()));
        assert_eq!(AuditFilter::default().to_query(), "");
    }

    #[test]
    fn unknown_actions_and_bad_actors_are_named() {
        let errors = AuditFilter::parse(&raw(Some("deleted"), Some("-1"))).unwrap_err();
        assert!(errors["action"].contains("sign_in, sign_in_failed"), "{errors:?}");
        assert!(errors.contains_key("actor"));
        assert!(AuditFilter::parse(&raw(None, Some("abc"))).unwrap_err().contains_key("actor"));
    }

    #[test]
    fn every_action_has_a_label() {
        for a in AuditAction::ALL {
            assert!(!a.label().is_empty());
        }
    }
}
