//! The customer portal's access rules, as pure functions both sides apply: the
//! server decides with them (and with the SQL in `db::access`, which must agree),
//! the agents' screens explain with them ("Who can see this?", the effective
//! visibility in an organization's panel, the sharing dialog's preview).
//!
//! A customer sees an item when any of these holds:
//! 1. they requested it, or follow it (an agent added them, or their manager role
//!    made them follow it);
//! 2. their email is verified, they belong to the item's organization, and either
//!    they are one of its managers or the effective organization visibility is at
//!    least [`OrgItemAccess::Read`];
//! 3. the portal shows project items ([`PortalPolicy::project_items`]) and they
//!    follow the item's project themselves, or (email verified) their
//!    organization follows it;
//! 4. one of their usergroups grants the item's project: a group they were added
//!    to individually, or (email verified) a group linked to their organization.
//!    They may reply when one of the groups granting the project allows replies
//!    (whatever the portal's project setting: a usergroup is an explicit grant).
//!
//! Access that comes from the organization (2, and 3 and 4 through the organization)
//! needs a verified email, so claiming an address at a company's domain gains
//! nothing until the mailbox is proven (Zammad's CVE-2020-14214). Membership is
//! read at every request, so a customer who leaves loses access at once.

use serde::{Deserialize, Serialize};

use crate::word::Word;

/// How much of its organization's items a customer sees: the portal-wide
/// setting, and an organization's override of it. Ordered from least to most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum OrgItemAccess {
    /// Only the items they requested or follow.
    #[default]
    Own,
    /// Also every item of their organization, read only.
    Read,
    /// Also every item of their organization, and they may reply to them.
    Reply,
}

impl Word for OrgItemAccess {
    const ALL: &'static [OrgItemAccess] = &[OrgItemAccess::Own, OrgItemAccess::Read, OrgItemAccess::Reply];

    fn as_str(self) -> &'static str {
        match self {
            OrgItemAccess::Own => "own",
            OrgItemAccess::Read => "read",
            OrgItemAccess::Reply => "reply",
        }
    }
}

impl OrgItemAccess {
    /// The words the panels show.
    pub fn label(self) -> &'static str {
        match self {
            OrgItemAccess::Own => "Their own items",
            OrgItemAccess::Read => "The organization's items, read only",
            OrgItemAccess::Reply => "The organization's items, and may reply",
        }
    }

    /// The portal-wide setting and an organization's override together: the more
    /// permissive of the two wins.
    pub fn effective(global: OrgItemAccess, override_: Option<OrgItemAccess>) -> OrgItemAccess {
        override_.map_or(global, |o| o.max(global))
    }
}

/// Which item fields customers see in the portal (title, description, dates and
/// replies always show).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PortalFields {
    pub status: bool,
    pub priority: bool,
    pub assignee: bool,
    pub project: bool,
    pub item_type: bool,
}

impl Default for PortalFields {
    fn default() -> Self {
        PortalFields { status: true, priority: true, assignee: false, project: true, item_type: true }
    }
}

/// Administration > Portal: what customers may do and see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PortalPolicy {
    /// How much of their organization's items members see (default: their own).
    pub organization_items: OrgItemAccess,
    /// Customers also see the items of projects they follow, directly or through
    /// their organization (default: off).
    pub project_items: bool,
    /// Anyone may register a portal account (default: off); the email is always verified.
    pub self_registration: bool,
    pub fields: PortalFields,
}

/// Everything about one customer that decides what they see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewer {
    pub customer_id: i64,
    /// Their organization, if any.
    pub organization_id: Option<i64>,
    pub manager: bool,
    pub verified: bool,
    /// [`OrgItemAccess::effective`] for their organization (`Own` without one).
    pub organization_items: OrgItemAccess,
    pub project_items: bool,
}

impl Viewer {
    /// The organization whose items this customer sees in full, if any (managers
    /// always; members when the visibility allows; never unverified).
    pub fn sees_organization(&self) -> Option<i64> {
        let org = self.organization_id?;
        (self.verified && (self.manager || self.organization_items >= OrgItemAccess::Read)).then_some(org)
    }

    /// The organization through which this customer sees shared projects, if any.
    pub fn shares_through(&self) -> Option<i64> {
        self.organization_id.filter(|_| self.verified && self.project_items)
    }
}

/// Why a customer sees an item ("Who can see this?").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AccessReason {
    Requester,
    Follower,
    /// Follows because they manage the item's organization and chose to follow its items.
    ManagerFollower,
    Manager,
    OrganizationMember,
    ProjectFollower,
    ProjectFollowerThroughOrganization,
    /// In a usergroup (individually, or through their organization) that grants the
    /// item's project and allows replies.
    Usergroup,
    /// In a usergroup that grants the item's project, read only.
    UsergroupReadOnly,
}

impl AccessReason {
    pub fn label(self) -> &'static str {
        match self {
            AccessReason::Requester => "Requester",
            AccessReason::Follower => "Follower",
            AccessReason::ManagerFollower => "Follows as a manager",
            AccessReason::Manager => "Manager of the organization",
            AccessReason::OrganizationMember => "Member of the organization (organization visibility)",
            AccessReason::ProjectFollower => "Follows the project",
            AccessReason::ProjectFollowerThroughOrganization => "Their organization follows the project",
            AccessReason::Usergroup => "In a usergroup that sees the project",
            AccessReason::UsergroupReadOnly => "In a usergroup that sees the project, read only",
        }
    }

    /// Whether this reason lets the customer reply (organization members only
    /// with [`OrgItemAccess::Reply`]).
    pub fn may_reply(self, organization_items: OrgItemAccess) -> bool {
        match self {
            AccessReason::OrganizationMember => organization_items == OrgItemAccess::Reply,
            AccessReason::UsergroupReadOnly => false,
            _ => true,
        }
    }
}

/// What is known about one item, to decide a viewer's reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemFacts {
    pub requester_id: Option<i64>,
    pub organization_id: Option<i64>,
    /// The viewer follows the item (and whether that follow came from the manager role).
    pub follows: Option<FollowSource>,
    /// The viewer follows the item's project directly.
    pub follows_project: bool,
    /// The viewer's organization follows the item's project.
    pub organization_follows_project: bool,
    /// A usergroup the viewer is in individually grants the item's project:
    /// `Some(may_reply)`, true when one such group allows replies.
    pub usergroup_project: Option<bool>,
    /// The same for the usergroups linked to the viewer's organization.
    pub organization_usergroup_project: Option<bool>,
}

impl ItemFacts {
    /// What the viewer's usergroups grant on the item: `Some(may_reply)` when one of
    /// them lists its project; the organization's groups count only once verified.
    pub fn usergroup_grant(&self, viewer: &Viewer) -> Option<bool> {
        let through =
            self.organization_usergroup_project.filter(|_| viewer.verified && viewer.organization_id.is_some());
        match (self.usergroup_project, through) {
            (Some(a), Some(b)) => Some(a || b),
            (a, b) => a.or(b),
        }
    }
}

/// Where an item follow came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum FollowSource {
    Direct,
    Manager,
}

impl Word for FollowSource {
    const ALL: &'static [FollowSource] = &[FollowSource::Direct, FollowSource::Manager];

    fn as_str(self) -> &'static str {
        match self {
            FollowSource::Direct => "direct",
            FollowSource::Manager => "manager",
        }
    }
}

/// Every reason `viewer` sees an item with `facts`, in a fixed order; empty when
/// they may not see it.
pub fn reasons(viewer: &Viewer, facts: &ItemFacts) -> Vec<AccessReason> {
    let mut out = Vec::new();
    if facts.requester_id == Some(viewer.customer_id) {
        out.push(AccessReason::Requester);
    }
    match facts.follows {
        Some(FollowSource::Direct) => out.push(AccessReason::Follower),
        Some(FollowSource::Manager) => out.push(AccessReason::ManagerFollower),
        None => {}
    }
    if let (Some(org), Some(item_org)) = (viewer.sees_organization(), facts.organization_id) {
        if org == item_org {
            out.push(if viewer.manager { AccessReason::Manager } else { AccessReason::OrganizationMember });
        }
    }
    if viewer.project_items && facts.follows_project {
        out.push(AccessReason::ProjectFollower);
    }
    if viewer.shares_through().is_some() && facts.organization_follows_project {
        out.push(AccessReason::ProjectFollowerThroughOrganization);
    }
    match facts.usergroup_grant(viewer) {
        Some(true) => out.push(AccessReason::Usergroup),
        Some(false) => out.push(AccessReason::UsergroupReadOnly),
        None => {}
    }
    out
}

/// Whether a viewer with `reasons` may reply (at least one reason allows it).
pub fn may_reply(viewer: &Viewer, reasons: &[AccessReason]) -> bool {
    reasons.iter().any(|r| r.may_reply(viewer.organization_items))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn viewer() -> Viewer {
        Viewer {
            customer_id: 1,
            organization_id: Some(10),
            manager: false,
            verified: true,
            organization_items: OrgItemAccess::Own,
            project_items: false,
        }
    }

    fn item() -> ItemFacts {
        ItemFacts {
            requester_id: Some(2),
            organization_id: Some(10),
            follows: None,
            follows_project: false,
            organization_follows_project: false,
            usergroup_project: None,
            organization_usergroup_project: None,
        }
    }

    #[test]
    fn the_more_permissive_of_setting_and_override_wins() {
        use OrgItemAccess::*;
        assert_eq!(OrgItemAccess::effective(Own, None), Own);
        assert_eq!(OrgItemAccess::effective(Read, Some(Own)), Read);
        assert_eq!(OrgItemAccess::effective(Own, Some(Reply)), Reply);
        assert_eq!(OrgItemAccess::effective(Reply, Some(Read)), Reply);
    }

    #[test]
    fn by_default_a_member_sees_only_their_own_items() {
        let v = viewer();
        assert!(reasons(&v, &item()).is_empty());
        assert_eq!(reasons(&v, &ItemFacts { requester_id: Some(1), ..item() }), vec![AccessReason::Requester]);
        assert_eq!(
            reasons(&v, &ItemFacts { follows: Some(FollowSource::Direct), ..item() }),
            vec![AccessReason::Follower]
        );
    }

    #[test]
    fn organization_visibility_needs_a_verified_email_and_read_only_forbids_replies() {
        let v = Viewer { organization_items: OrgItemAccess::Read, ..viewer() };
        let r = reasons(&v, &item());
        assert_eq!(r, vec![AccessReason::OrganizationMember]);
        assert!(!may_reply(&v, &r));
        let reply = Viewer { organization_items: OrgItemAccess::Reply, ..v };
        assert!(may_reply(&reply, &reasons(&reply, &item())));
        assert!(reasons(&Viewer { verified: false, ..v }, &item()).is_empty());
        assert!(reasons(&v, &ItemFacts { organization_id: Some(11), ..item() }).is_empty());
    }

    #[test]
    fn managers_see_their_organization_whatever_the_setting_once_verified() {
        let m = Viewer { manager: true, ..viewer() };
        assert_eq!(reasons(&m, &item()), vec![AccessReason::Manager]);
        assert!(may_reply(&m, &[AccessReason::Manager]));
        assert!(reasons(&Viewer { verified: false, ..m }, &item()).is_empty());
        assert!(reasons(&Viewer { organization_id: None, ..m }, &item()).is_empty());
    }

    #[test]
    fn project_items_show_only_when_the_portal_shows_them() {
        let facts = ItemFacts { follows_project: true, organization_follows_project: true, ..item() };
        assert!(reasons(&viewer(), &facts).is_empty());
        let p = Viewer { project_items: true, ..viewer() };
        assert_eq!(
            reasons(&p, &facts),
            vec![AccessReason::ProjectFollower, AccessReason::ProjectFollowerThroughOrganization]
        );
        assert_eq!(reasons(&Viewer { verified: false, ..p }, &facts), vec![AccessReason::ProjectFollower]);
    }

    #[test]
    fn a_usergroup_grants_its_projects_whatever_the_portal_setting_and_replies_when_one_group_allows() {
        let v = viewer();
        let read_only = ItemFacts { usergroup_project: Some(false), ..item() };
        assert_eq!(reasons(&v, &read_only), vec![AccessReason::UsergroupReadOnly]);
        assert!(!may_reply(&v, &reasons(&v, &read_only)));
        let both = ItemFacts { usergroup_project: Some(false), organization_usergroup_project: Some(true), ..item() };
        assert_eq!(reasons(&v, &both), vec![AccessReason::Usergroup]);
        assert!(may_reply(&v, &reasons(&v, &both)));
    }

    #[test]
    fn a_usergroup_through_the_organization_needs_a_verified_email_and_the_membership() {
        let facts = ItemFacts { organization_usergroup_project: Some(true), ..item() };
        assert_eq!(reasons(&viewer(), &facts), vec![AccessReason::Usergroup]);
        assert!(reasons(&Viewer { verified: false, ..viewer() }, &facts).is_empty());
        assert!(reasons(&Viewer { organization_id: None, ..viewer() }, &facts).is_empty());
        // Individual membership was granted by an admin: no mailbox proof needed.
        let own = ItemFacts { usergroup_project: Some(true), ..item() };
        assert_eq!(reasons(&Viewer { verified: false, ..viewer() }, &own), vec![AccessReason::Usergroup]);
    }
}
