//! The Customers list as data: groups (organizations, plus "No organization")
//! loaded a page at a time, expanded groups with their members loaded a page at
//! a time, and the flattening of all that into fixed-height rows for the
//! virtualized view. Pure logic, unit-tested natively.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use orgdesk_core::api::{Customer, Organization};

/// Rows per organization page and per member page fetched from the server.
pub const PAGE: usize = 100;

/// Every row is this tall, so the list can place rows without measuring them.
pub const ROW_HEIGHT: f64 = 44.0;

/// A group of the list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GroupKey {
    Unassigned,
    Org(i64),
}

impl GroupKey {
    pub fn organization_id(self) -> Option<i64> {
        match self {
            GroupKey::Unassigned => None,
            GroupKey::Org(id) => Some(id),
        }
    }

    pub fn from_organization_id(id: Option<i64>) -> Self {
        id.map(GroupKey::Org).unwrap_or(GroupKey::Unassigned)
    }

    /// The value of the `data-drop-group` attribute.
    pub fn attr(self) -> String {
        match self {
            GroupKey::Unassigned => "none".into(),
            GroupKey::Org(id) => id.to_string(),
        }
    }

    pub fn parse_attr(s: &str) -> Option<Self> {
        if s == "none" {
            Some(GroupKey::Unassigned)
        } else {
            s.parse().ok().map(GroupKey::Org)
        }
    }
}

/// Members of one expanded group: `rows[i]` is the i-th member by name, once loaded.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Members {
    pub rows: Vec<Option<Customer>>,
    pub requested: HashSet<usize>,
    /// After [`Model::refresh`]: the loaded rows still show, but are fetched again when in view.
    pub stale: bool,
}

/// Position of a group in the list: the unassigned group is -1, organizations 0, 1, ...
pub type GroupIndex = i64;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Model {
    /// Bumped on every reset, so late answers for an older search are dropped.
    pub generation: u32,
    pub query: String,
    /// The project filter: only its followers are listed.
    pub project: Option<i64>,
    /// Known once the first page of organizations arrived.
    pub total_orgs: Option<usize>,
    pub unassigned_count: i64,
    /// With a search or project filter: the customers it shows in all.
    pub customer_count: Option<i64>,
    pub orgs: HashMap<usize, Organization>,
    pub org_pages_requested: HashSet<usize>,
    /// Member (or, while searching, matching member) counts by group.
    pub counts: HashMap<GroupKey, i64>,
    pub expanded: BTreeMap<GroupIndex, GroupKey>,
    pub members: HashMap<GroupKey, Members>,
    /// The groups the agent opened (or a move went to). A reload, a new search and the
    /// end of a search keep them: they open again as their organizations arrive.
    pub open: BTreeSet<GroupKey>,
}

/// What sits at one row of the flattened list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Row {
    Header(GroupIndex),
    Member(GroupIndex, usize),
}

/// What a row of the tree shows, independent of where it is: the tree's active row
/// is kept by this, so it stays the same row while rows above it come and go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowId {
    Group(GroupKey),
    Customer(i64),
    /// A row whose data has not arrived yet, by its position.
    Loading(usize),
}

impl RowId {
    /// The row element's id (what the tree's `aria-activedescendant` names).
    pub fn dom_id(self) -> String {
        match self {
            RowId::Group(key) => format!("tree-group-{}", key.attr()),
            RowId::Customer(id) => format!("tree-customer-{id}"),
            RowId::Loading(pos) => format!("tree-row-{pos}"),
        }
    }
}

/// What a key pressed in the tree does (the WAI-ARIA tree pattern).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TreeAction {
    /// Make the row at this position the active one.
    Go(usize),
    /// Expand or collapse this group.
    Toggle(GroupIndex),
    /// Open the organization's panel.
    OpenOrganization(i64),
    /// Open the customer's profile.
    OpenCustomer(i64),
    /// Select or unselect this customer (in that group).
    Select(i64, GroupKey),
    /// Open the row's menu of actions.
    Menu,
}

impl Model {
    /// Starts over with this search (the project filter stays).
    pub fn reset(&mut self, query: String) {
        let generation = self.generation.wrapping_add(1);
        let project = self.project;
        let open = std::mem::take(&mut self.open);
        *self = Model { generation, query, project, open, ..Model::default() };
    }

    /// Fetches again what is in view (after creating, editing, undoing), showing the
    /// rows already loaded meanwhile: the list keeps its length, so its scroll position,
    /// its open groups and the rows on screen stay; answers replace them as they come.
    pub fn refresh(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        self.org_pages_requested.clear();
        for m in self.members.values_mut() {
            m.requested.clear();
            m.stale = true;
        }
    }

    /// Starts over with this project filter (the search stays).
    pub fn set_project(&mut self, project: Option<i64>) {
        let query = std::mem::take(&mut self.query);
        self.project = project;
        self.reset(query);
    }

    /// Whether a search or a project filter narrows the list: groups with matches
    /// open by themselves and an empty "No organization" is hidden.
    pub fn filtering(&self) -> bool {
        !self.query.trim().is_empty() || self.project.is_some()
    }

    /// Whether "No organization" is listed: always, except when a filter found nobody in it.
    pub fn shows_unassigned(&self) -> bool {
        !(self.filtering() && self.total_orgs.is_some() && self.unassigned_count <= 0)
    }

    /// The index of the first group: "No organization" (-1) when listed.
    fn first_group(&self) -> GroupIndex {
        if self.shows_unassigned() {
            -1
        } else {
            0
        }
    }

    /// "12 customers match “acme.com”" (or follow a project, or both), when filtering.
    pub fn filter_summary(&self, project_name: Option<&str>) -> Option<String> {
        let n = self.customer_count?;
        let q = self.query.trim();
        let one = n == 1;
        let follow = project_name.map(|p| format!("{} {p}", if one { "follows" } else { "follow" }));
        let matches = (!q.is_empty()).then(|| format!("{} “{q}”", if one { "matches" } else { "match" }));
        let what = match (follow, matches) {
            (Some(f), Some(m)) => format!("{f} and {m}"),
            (Some(one), None) | (None, Some(one)) => one,
            (None, None) => return None,
        };
        let customers = if one { "customer" } else { "customers" };
        Some(format!("{n} {customers} {what}"))
    }

    pub fn key_at(&self, index: GroupIndex) -> Option<GroupKey> {
        if index < 0 {
            Some(GroupKey::Unassigned)
        } else {
            self.orgs.get(&(index as usize)).map(|o| GroupKey::Org(o.id))
        }
    }

    pub fn count(&self, key: GroupKey) -> i64 {
        match key {
            GroupKey::Unassigned => self.unassigned_count,
            other => self.counts.get(&other).copied().unwrap_or(0),
        }
    }

    fn member_rows(&self, key: GroupKey) -> usize {
        self.members.get(&key).map(|m| m.rows.len()).unwrap_or_else(|| self.count(key).max(0) as usize)
    }

    /// All rows: one header per group, plus the members of expanded groups.
    pub fn total_rows(&self) -> usize {
        let headers = self.total_orgs.unwrap_or(0) + usize::from(self.shows_unassigned());
        headers + self.expanded.range(self.first_group()..).map(|(_, k)| self.member_rows(*k)).sum::<usize>()
    }

    /// The row at flat position `pos` (which must be below `total_rows`).
    pub fn row_at(&self, pos: usize) -> Row {
        let mut flat = 0usize;
        let mut next: GroupIndex = self.first_group();
        for (&g, &key) in self.expanded.range(self.first_group()..) {
            let collapsed = (g - next) as usize;
            if pos < flat + collapsed {
                return Row::Header(next + (pos - flat) as i64);
            }
            flat += collapsed;
            if pos == flat {
                return Row::Header(g);
            }
            flat += 1;
            let n = self.member_rows(key);
            if pos < flat + n {
                return Row::Member(g, pos - flat);
            }
            flat += n;
            next = g + 1;
        }
        Row::Header(next + (pos - flat) as i64)
    }

    pub fn toggle(&mut self, index: GroupIndex) {
        match self.expanded.remove(&index) {
            Some(key) => {
                self.open.remove(&key);
            }
            None => {
                if let Some(key) = self.key_at(index) {
                    self.open.insert(key);
                }
                self.expand(index);
            }
        }
    }

    /// Where the group `key` is listed, if its organization is loaded.
    pub fn index_of(&self, key: GroupKey) -> Option<GroupIndex> {
        match key {
            GroupKey::Unassigned => self.shows_unassigned().then_some(-1),
            GroupKey::Org(id) => self.orgs.iter().find(|(_, o)| o.id == id).map(|(i, _)| *i as GroupIndex),
        }
    }

    fn expand(&mut self, index: GroupIndex) {
        if let Some(key) = self.key_at(index) {
            self.expanded.insert(index, key);
            let n = self.count(key).max(0) as usize;
            self.members.entry(key).or_insert_with(|| Members { rows: vec![None; n], ..Members::default() });
        }
    }

    pub fn member(&self, index: GroupIndex, i: usize) -> Option<&Customer> {
        let key = self.expanded.get(&index)?;
        self.members.get(key)?.rows.get(i)?.as_ref()
    }

    /// A group's place among the groups and their number (`aria-posinset`, `aria-setsize`).
    pub fn group_place(&self, g: GroupIndex) -> (usize, usize) {
        let groups = self.total_orgs.unwrap_or(0) + usize::from(self.shows_unassigned());
        ((g - self.first_group()).max(0) as usize + 1, groups)
    }

    /// A member's place in its group and the group's size.
    pub fn member_place(&self, g: GroupIndex, i: usize) -> (usize, usize) {
        (i + 1, self.expanded.get(&g).map(|k| self.member_rows(*k)).unwrap_or(0))
    }

    /// The identity of the row at `pos`.
    pub fn row_id(&self, pos: usize) -> RowId {
        match self.row_at(pos) {
            Row::Header(g) => self.key_at(g).map(RowId::Group).unwrap_or(RowId::Loading(pos)),
            Row::Member(g, i) => self.member(g, i).map(|c| RowId::Customer(c.id)).unwrap_or(RowId::Loading(pos)),
        }
    }

    /// Where the row `id` is now: at `hint` (where it was) if it is still there, else
    /// wherever it went; `None` once it is gone.
    pub fn position_of(&self, id: RowId, hint: usize) -> Option<usize> {
        let total = self.total_rows();
        if let RowId::Loading(pos) = id {
            return (pos < total).then_some(pos);
        }
        if hint < total && self.row_id(hint) == id {
            return Some(hint);
        }
        (0..total).find(|&p| self.row_id(p) == id)
    }

    /// The name a row shows ("No organization", an organization's, a customer's), once loaded.
    fn row_name(&self, pos: usize) -> Option<String> {
        match self.row_at(pos) {
            Row::Header(g) if g < 0 => Some("No organization".into()),
            Row::Header(g) => self.orgs.get(&(g as usize)).map(|o| o.name.clone()),
            Row::Member(g, i) => self.member(g, i).map(|c| c.display_name()),
        }
    }

    /// Type-ahead: the next loaded row after `pos` (wrapping, `pos` itself last) whose
    /// name starts with `typed`, ignoring case and accents.
    pub fn find_typed(&self, pos: usize, typed: &str) -> Option<usize> {
        let total = self.total_rows();
        let typed = orgdesk_core::search::fold(typed);
        if total == 0 || typed.is_empty() {
            return None;
        }
        // With one letter typed the search starts after the active row (pressing it again
        // goes on to the next); with more, at the active row (it may still match).
        let start = if typed.chars().count() == 1 { pos + 1 } else { pos };
        (0..total)
            .map(|k| (start + k) % total)
            .find(|&p| self.row_name(p).is_some_and(|n| orgdesk_core::search::fold(&n).starts_with(&typed)))
    }

    /// What `key` does with the row at `pos` active; `page` is how many rows fill the view.
    pub fn tree_action(&self, pos: usize, key: &str, shift: bool, page: usize) -> Option<TreeAction> {
        let total = self.total_rows();
        if total == 0 {
            return None;
        }
        let pos = pos.min(total - 1);
        let row = self.row_at(pos);
        let expanded = |g: GroupIndex| self.expanded.contains_key(&g);
        Some(match (key, row) {
            ("ArrowDown", _) => TreeAction::Go((pos + 1).min(total - 1)),
            ("ArrowUp", _) => TreeAction::Go(pos.saturating_sub(1)),
            ("Home", _) => TreeAction::Go(0),
            ("End", _) => TreeAction::Go(total - 1),
            ("PageDown", _) => TreeAction::Go((pos + page.max(1)).min(total - 1)),
            ("PageUp", _) => TreeAction::Go(pos.saturating_sub(page.max(1))),
            ("ArrowRight", Row::Header(g)) if !expanded(g) => TreeAction::Toggle(g),
            ("ArrowRight", Row::Header(g)) => {
                let has_members = self.key_at(g).is_some_and(|k| self.member_rows(k) > 0);
                if !has_members {
                    return None;
                }
                TreeAction::Go(pos + 1)
            }
            ("ArrowLeft", Row::Header(g)) if expanded(g) => TreeAction::Toggle(g),
            ("ArrowLeft", Row::Member(_, i)) => TreeAction::Go(pos - i - 1),
            ("Enter", Row::Header(g)) => match self.key_at(g)? {
                GroupKey::Org(id) => TreeAction::OpenOrganization(id),
                GroupKey::Unassigned => TreeAction::Toggle(g),
            },
            ("Enter", Row::Member(g, i)) => TreeAction::OpenCustomer(self.member(g, i)?.id),
            (" ", Row::Header(g)) => TreeAction::Toggle(g),
            (" ", Row::Member(g, i)) => TreeAction::Select(self.member(g, i)?.id, *self.expanded.get(&g)?),
            ("ContextMenu", _) => TreeAction::Menu,
            ("F10", _) if shift => TreeAction::Menu,
            _ => return None,
        })
    }

    /// Organization pages and member pages the rows `from..to` need and nobody asked for yet.
    pub fn missing_pages(&self, from: usize, to: usize) -> (Vec<usize>, Vec<(GroupKey, usize)>) {
        let mut org_pages = Vec::new();
        let mut member_pages = Vec::new();
        // The first page carries the totals (and "No organization"'s count): always asked.
        if !self.org_pages_requested.contains(&0) {
            org_pages.push(0);
        }
        if self.total_orgs.is_none() {
            return (org_pages, member_pages);
        }
        for pos in from..to.min(self.total_rows()) {
            match self.row_at(pos) {
                Row::Header(g) if g >= 0 => {
                    let page = g as usize / PAGE;
                    if !self.org_pages_requested.contains(&page) && !org_pages.contains(&page) {
                        org_pages.push(page);
                    }
                }
                Row::Member(g, i) => {
                    let Some(key) = self.expanded.get(&g).copied() else { continue };
                    let page = i / PAGE;
                    let loaded = self.members.get(&key).is_some_and(|m| {
                        (!m.stale && m.rows.get(i).is_some_and(Option::is_some)) || m.requested.contains(&page)
                    });
                    if !loaded && !member_pages.contains(&(key, page)) {
                        member_pages.push((key, page));
                    }
                }
                Row::Header(_) => {}
            }
        }
        (org_pages, member_pages)
    }

    pub fn add_org_page(&mut self, page: usize, items: Vec<Organization>, total: i64, unassigned: i64) {
        let first_answer = self.total_orgs.is_none();
        self.org_pages_requested.insert(page);
        let total = total.max(0) as usize;
        self.total_orgs = Some(total);
        self.unassigned_count = unassigned;
        // After a refresh: organizations deleted meanwhile leave the end of the list.
        self.orgs.retain(|i, _| *i < total);
        self.expanded.retain(|g, _| *g < total as GroupIndex);
        let filtering = self.filtering();
        if page == 0 {
            let open = self.open.contains(&GroupKey::Unassigned);
            if (filtering && first_answer && unassigned > 0) || open {
                self.expand(-1);
            }
        }
        let range = (page * PAGE) as GroupIndex..((page + 1) * PAGE) as GroupIndex;
        let keys: HashSet<GroupKey> = items.iter().map(|o| GroupKey::Org(o.id)).collect();
        // An organization that moved to this page (one was created or deleted before it)
        // is no longer open at its old place.
        self.expanded.retain(|g, k| range.contains(g) || !keys.contains(k));
        for (i, org) in items.into_iter().enumerate() {
            let count = org.match_count.unwrap_or(org.member_count);
            let key = GroupKey::Org(org.id);
            let index = (page * PAGE + i) as GroupIndex;
            self.counts.insert(key, count);
            self.orgs.insert(page * PAGE + i, org);
            // A filter opens the groups it found someone in; the agent's open groups stay open.
            if (filtering && count > 0) || self.open.contains(&key) {
                self.expand(index);
            } else {
                self.expanded.remove(&index);
            }
        }
    }

    pub fn add_member_page(&mut self, key: GroupKey, page: usize, items: Vec<Customer>, total: i64) {
        let members = self.members.entry(key).or_default();
        let total = total.max(0) as usize;
        if members.rows.len() != total {
            members.rows.resize(total, None);
        }
        for (i, c) in items.into_iter().enumerate() {
            if let Some(slot) = members.rows.get_mut(page * PAGE + i) {
                *slot = Some(c);
            }
        }
    }

    /// Shows a move at once: the customers leave their groups, the counts change,
    /// and the target group's loaded members are dropped so they are fetched again.
    pub fn apply_move(&mut self, moves: &[(i64, GroupKey)], target: GroupKey) {
        let mut arrived = 0;
        for &(id, from) in moves {
            if from == target {
                continue;
            }
            arrived += 1;
            self.adjust_count(from, -1);
            if let Some(m) = self.members.get_mut(&from) {
                if let Some(pos) = m.rows.iter().position(|r| r.as_ref().is_some_and(|c| c.id == id)) {
                    m.rows.remove(pos);
                } else if !m.rows.is_empty() {
                    // Not loaded yet: drop one unloaded slot so the count matches.
                    if let Some(pos) = m.rows.iter().rposition(Option::is_none) {
                        m.rows.remove(pos);
                    }
                }
                m.requested.clear();
                m.stale = false;
            }
        }
        self.adjust_count(target, arrived);
        // The group they went to opens (and stays open), showing them.
        self.open.insert(target);
        if let Some(index) = self.index_of(target) {
            self.expand(index);
        }
        self.invalidate(&[target]);
    }

    fn adjust_count(&mut self, key: GroupKey, delta: i64) {
        match key {
            GroupKey::Unassigned => self.unassigned_count += delta,
            other => *self.counts.entry(other).or_insert(0) += delta,
        }
    }

    /// Forgets the loaded members of these groups so they are fetched again.
    pub fn invalidate(&mut self, keys: &[GroupKey]) {
        for key in keys {
            let n = self.count(*key).max(0) as usize;
            if let Some(m) = self.members.get_mut(key) {
                *m = Members { rows: vec![None; n], ..Members::default() };
            }
        }
    }

    pub fn org_name(&self, key: GroupKey) -> String {
        match key {
            GroupKey::Unassigned => "No organization".into(),
            GroupKey::Org(id) => self.orgs.values().find(|o| o.id == id).map(|o| o.name.clone()).unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(id: i64, members: i64) -> Organization {
        Organization {
            id,
            name: format!("Org {id}"),
            domains: vec![],
            member_count: members,
            match_count: None,
            created_at: String::new(),
        }
    }

    fn customer(id: i64) -> Customer {
        Customer {
            id,
            email: format!("c{id}@x.io"),
            first_name: String::new(),
            last_name: String::new(),
            organization_id: None,
            organization_name: None,
            position: String::new(),
            phone: String::new(),
            created_at: String::new(),
            email_verified: false,
            portal_account: false,
        }
    }

    fn model() -> Model {
        let mut m = Model::default();
        m.add_org_page(0, vec![org(10, 2), org(11, 3), org(12, 0)], 3, 4);
        m
    }

    #[test]
    fn collapsed_groups_are_one_row_each_with_no_organization_first() {
        let m = model();
        assert_eq!(m.total_rows(), 4);
        assert_eq!(m.row_at(0), Row::Header(-1));
        assert_eq!(m.row_at(3), Row::Header(2));
    }

    #[test]
    fn expanded_groups_put_their_members_under_their_header() {
        let mut m = model();
        m.toggle(0);
        m.toggle(-1);
        assert_eq!(m.total_rows(), 4 + 2 + 4);
        let rows: Vec<Row> = (0..m.total_rows()).map(|p| m.row_at(p)).collect();
        assert_eq!(
            rows,
            [
                Row::Header(-1),
                Row::Member(-1, 0),
                Row::Member(-1, 1),
                Row::Member(-1, 2),
                Row::Member(-1, 3),
                Row::Header(0),
                Row::Member(0, 0),
                Row::Member(0, 1),
                Row::Header(1),
                Row::Header(2),
            ]
        );
        m.toggle(0);
        assert_eq!(m.total_rows(), 8, "collapsing hides the members again");
    }

    #[test]
    fn only_missing_pages_are_requested() {
        let mut m = Model::default();
        assert_eq!(m.missing_pages(0, 50), (vec![0], vec![]));
        m.add_org_page(0, (0..PAGE as i64).map(|i| org(i, 1)).collect(), 250, 0);
        assert_eq!(m.missing_pages(0, 50), (vec![], vec![]));
        assert_eq!(m.missing_pages(95, 130).0, vec![1]);
        m.toggle(3);
        assert_eq!(m.missing_pages(0, 10).1, vec![(GroupKey::Org(3), 0)]);
        m.add_member_page(GroupKey::Org(3), 0, vec![customer(1)], 1);
        assert_eq!(m.missing_pages(0, 10).1, vec![]);
    }

    #[test]
    fn a_move_updates_counts_and_rows_at_once() {
        let mut m = model();
        m.toggle(1);
        m.add_member_page(GroupKey::Org(11), 0, vec![customer(1), customer(2), customer(3)], 3);
        m.apply_move(&[(2, GroupKey::Org(11))], GroupKey::Unassigned);
        assert_eq!(m.count(GroupKey::Org(11)), 2);
        assert_eq!(m.count(GroupKey::Unassigned), 5);
        let ids: Vec<i64> = m.members[&GroupKey::Org(11)].rows.iter().flatten().map(|c| c.id).collect();
        assert_eq!(ids, [1, 3]);
        // Moving into the group it is already in changes nothing.
        m.apply_move(&[(1, GroupKey::Org(11))], GroupKey::Org(11));
        assert_eq!(m.count(GroupKey::Org(11)), 2);
    }

    fn searched(q: &str) -> Model {
        let mut m = Model::default();
        m.reset(q.into());
        m
    }

    #[test]
    fn a_search_opens_the_groups_with_matches_and_hides_an_empty_no_organization() {
        let mut m = searched("acme.com");
        assert_eq!(m.total_rows(), 1, "No organization shows while loading");
        let mut acme = org(10, 5);
        acme.match_count = Some(2);
        let mut named = org(11, 3);
        named.match_count = Some(0);
        m.add_org_page(0, vec![acme, named], 2, 0);
        assert!(!m.shows_unassigned());
        let rows: Vec<Row> = (0..m.total_rows()).map(|p| m.row_at(p)).collect();
        assert_eq!(rows, [Row::Header(0), Row::Member(0, 0), Row::Member(0, 1), Row::Header(1)]);
        assert_eq!(m.missing_pages(0, 10).1, vec![(GroupKey::Org(10), 0)]);
    }

    #[test]
    fn a_search_with_unassigned_matches_opens_no_organization_first() {
        let mut m = searched("gmail");
        m.add_org_page(0, vec![], 0, 2);
        let rows: Vec<Row> = (0..m.total_rows()).map(|p| m.row_at(p)).collect();
        assert_eq!(rows, [Row::Header(-1), Row::Member(-1, 0), Row::Member(-1, 1)]);
        assert!(!searched("").filtering());
        let mut plain = Model::default();
        plain.add_org_page(0, vec![org(1, 2)], 1, 0);
        assert!(plain.shows_unassigned(), "without a filter No organization always shows");
        assert!(plain.expanded.is_empty(), "without a filter groups stay closed");
    }

    #[test]
    fn the_project_filter_survives_a_new_search_and_a_search_survives_a_new_project() {
        let mut m = searched("acme");
        m.set_project(Some(4));
        assert_eq!((m.query.as_str(), m.project), ("acme", Some(4)));
        m.reset("globex".into());
        assert_eq!((m.query.as_str(), m.project), ("globex", Some(4)));
        m.set_project(None);
        assert!(m.filtering());
        m.reset(String::new());
        assert!(!m.filtering());
    }

    #[test]
    fn the_summary_counts_customers_in_words_that_agree() {
        let mut m = searched("acme.com");
        assert_eq!(m.filter_summary(None), None, "nothing before the answer");
        m.customer_count = Some(12);
        assert_eq!(m.filter_summary(None).unwrap(), "12 customers match “acme.com”");
        m.customer_count = Some(1);
        assert_eq!(m.filter_summary(None).unwrap(), "1 customer matches “acme.com”");
        assert_eq!(m.filter_summary(Some("Launch")).unwrap(), "1 customer follows Launch and matches “acme.com”");
        m.reset(String::new());
        m.customer_count = Some(0);
        assert_eq!(m.filter_summary(Some("Launch")).unwrap(), "0 customers follow Launch");
    }

    fn names(m: &Model) -> Vec<RowId> {
        (0..m.total_rows()).map(|p| m.row_id(p)).collect()
    }

    #[test]
    fn a_refresh_keeps_the_rows_and_open_groups_until_the_answers_replace_them() {
        let mut m = model();
        m.toggle(1);
        m.add_member_page(GroupKey::Org(11), 0, vec![customer(1), customer(2), customer(3)], 3);
        let before = names(&m);
        m.refresh();
        assert_eq!(names(&m), before, "the list keeps its rows (and so its height and scroll position)");
        // What is in view is fetched again: the first page of organizations and Org 11's members.
        assert_eq!(m.missing_pages(0, 10), (vec![0], vec![(GroupKey::Org(11), 0)]));
        // A new organization sorted before Org 11: Org 11 is one further down, still open.
        let mut page = vec![org(10, 2), org(9, 0), org(11, 3), org(12, 0)];
        page.swap(0, 1);
        m.add_org_page(0, page, 4, 4);
        assert_eq!(m.expanded.values().copied().collect::<Vec<_>>(), [GroupKey::Org(11)]);
        assert_eq!(m.expanded.keys().copied().collect::<Vec<_>>(), [2]);
        assert_eq!(m.row_at(4), Row::Member(2, 0));
    }

    #[test]
    fn open_groups_survive_a_search_and_open_again_when_it_ends() {
        let mut m = model();
        m.toggle(-1);
        m.toggle(2);
        m.reset("zed".into());
        let mut found = org(11, 3);
        found.match_count = Some(1);
        m.add_org_page(0, vec![found], 1, 0);
        let rows: Vec<Row> = (0..m.total_rows()).map(|p| m.row_at(p)).collect();
        assert_eq!(rows, [Row::Header(0), Row::Member(0, 0)], "the search opens its match, and only that");
        m.reset(String::new());
        m.add_org_page(0, vec![org(10, 2), org(11, 3), org(12, 0)], 3, 4);
        let open: Vec<GroupKey> = m.expanded.values().copied().collect();
        assert_eq!(open, [GroupKey::Unassigned, GroupKey::Org(12)], "the agent's groups, not the search's");
        m.toggle(2);
        assert!(!m.open.contains(&GroupKey::Org(12)), "closing a group forgets it");
    }

    #[test]
    fn a_move_opens_the_group_the_customers_went_to() {
        let mut m = model();
        m.toggle(0);
        m.add_member_page(GroupKey::Org(10), 0, vec![customer(1), customer(2)], 2);
        m.apply_move(&[(1, GroupKey::Org(10))], GroupKey::Org(12));
        assert!(m.expanded.contains_key(&2) && m.open.contains(&GroupKey::Org(12)));
        assert_eq!(m.count(GroupKey::Org(12)), 1);
        m.refresh();
        m.add_org_page(0, vec![org(10, 1), org(11, 3), org(12, 1)], 3, 4);
        assert!(m.expanded.contains_key(&0) && m.expanded.contains_key(&2), "both stay open after the reload");
    }

    #[test]
    fn the_tree_keys_move_expand_collapse_open_and_select() {
        let mut m = model();
        // Rows: No organization (0), Org 10 (1), Org 11 (2), Org 12 (3).
        assert_eq!(m.tree_action(0, "ArrowDown", false, 5), Some(TreeAction::Go(1)));
        assert_eq!(m.tree_action(0, "ArrowUp", false, 5), Some(TreeAction::Go(0)));
        assert_eq!(m.tree_action(1, "End", false, 5), Some(TreeAction::Go(3)));
        assert_eq!(m.tree_action(3, "Home", false, 5), Some(TreeAction::Go(0)));
        assert_eq!(m.tree_action(1, "ArrowRight", false, 5), Some(TreeAction::Toggle(0)));
        assert_eq!(m.tree_action(1, "Enter", false, 5), Some(TreeAction::OpenOrganization(10)));
        assert_eq!(m.tree_action(0, "Enter", false, 5), Some(TreeAction::Toggle(-1)), "No organization has no panel");
        assert_eq!(m.tree_action(1, "F10", true, 5), Some(TreeAction::Menu));
        assert_eq!(m.tree_action(1, "F10", false, 5), None);
        m.toggle(0);
        m.add_member_page(GroupKey::Org(10), 0, vec![customer(1), customer(2)], 2);
        // Rows: No organization, Org 10, c1, c2, Org 11, Org 12.
        assert_eq!(m.tree_action(1, "ArrowRight", false, 5), Some(TreeAction::Go(2)), "into the first member");
        assert_eq!(m.tree_action(3, "ArrowLeft", false, 5), Some(TreeAction::Go(1)), "up to the group");
        assert_eq!(m.tree_action(1, "ArrowLeft", false, 5), Some(TreeAction::Toggle(0)));
        assert_eq!(m.tree_action(3, "Enter", false, 5), Some(TreeAction::OpenCustomer(2)));
        assert_eq!(m.tree_action(2, " ", false, 5), Some(TreeAction::Select(1, GroupKey::Org(10))));
        assert_eq!(m.tree_action(0, "PageDown", false, 4), Some(TreeAction::Go(4)));
        assert_eq!(m.tree_action(5, "PageDown", false, 4), Some(TreeAction::Go(5)));
        assert_eq!(m.member_place(0, 1), (2, 2));
        assert_eq!(m.group_place(0), (2, 4));
        // The active row is followed by identity when rows above it change.
        assert_eq!(m.position_of(RowId::Group(GroupKey::Org(11)), 4), Some(4));
        m.toggle(0);
        assert_eq!(m.position_of(RowId::Group(GroupKey::Org(11)), 4), Some(2));
        assert_eq!(m.position_of(RowId::Customer(2), 3), None, "a collapsed member is gone");
        assert_eq!(RowId::Group(GroupKey::Unassigned).dom_id(), "tree-group-none");
    }

    #[test]
    fn typing_finds_the_next_row_whose_name_starts_so() {
        let mut m = model();
        m.orgs.get_mut(&1).unwrap().name = "Élan".into();
        // Rows: No organization (0), Org 10 (1), Élan (2), Org 12 (3).
        assert_eq!(m.find_typed(0, "o"), Some(1));
        assert_eq!(m.find_typed(0, "O"), Some(1));
        assert_eq!(m.find_typed(1, "o"), Some(3), "the same letter again: the next one");
        assert_eq!(m.find_typed(3, "o"), Some(1), "wrapping round");
        assert_eq!(m.find_typed(2, "n"), Some(0), "No organization by its name");
        assert_eq!(m.find_typed(0, "el"), Some(2), "accents and case ignored");
        assert_eq!(m.find_typed(1, "org 1"), Some(1), "more letters: the active row still matches");
        assert_eq!(m.find_typed(0, "x"), None);
    }

    #[test]
    fn group_keys_round_trip_through_the_drop_attribute() {
        for key in [GroupKey::Unassigned, GroupKey::Org(42)] {
            assert_eq!(GroupKey::parse_attr(&key.attr()), Some(key));
        }
        assert_eq!(GroupKey::parse_attr("x"), None);
    }
}
