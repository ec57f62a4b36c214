//! The Tickets app's filters and grouping as data: read from and written to the
//! page's query string (so a reload keeps them), and turned into the API's query.
//! Pure logic, unit-tested natively.

use orgdesk_core::api::tickets::{GroupBy, ItemQuery, ItemStatus, ItemType, Priority};
use orgdesk_core::word::Word;

/// How the list is grouped: by organization (the default), project, status, or not at all.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Grouping {
    #[default]
    Organization,
    Project,
    Status,
    None,
}

impl Grouping {
    pub const ALL: [Grouping; 4] = [Grouping::Organization, Grouping::Project, Grouping::Status, Grouping::None];

    pub fn as_str(self) -> &'static str {
        match self {
            Grouping::Organization => "organization",
            Grouping::Project => "project",
            Grouping::Status => "status",
            Grouping::None => "none",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|g| g.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Grouping::Organization => "Organization",
            Grouping::Project => "Project",
            Grouping::Status => "Status",
            Grouping::None => "No grouping",
        }
    }

    pub fn group_by(self) -> Option<GroupBy> {
        match self {
            Grouping::Organization => Some(GroupBy::Organization),
            Grouping::Project => Some(GroupBy::Project),
            Grouping::Status => Some(GroupBy::Status),
            Grouping::None => None,
        }
    }
}

/// Everything the Tickets page's URL says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filters {
    /// Filters only: `offset` and `limit` stay `None` here.
    pub query: ItemQuery,
    pub grouping: Grouping,
}

impl Filters {
    /// Reads the page's query parameters; unknown or malformed values are ignored.
    pub fn parse(get: impl Fn(&str) -> Option<String>) -> Filters {
        let text = |k: &str| get(k).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        let id = |k: &str| text(k).and_then(|v| v.parse::<i64>().ok());
        let id_or_none = |k: &str| text(k).filter(|v| v == "none" || v.parse::<i64>().is_ok());
        let status = text("status").map(|v| {
            let mut words: Vec<ItemStatus> = v.split(',').filter_map(|w| ItemStatus::parse(w.trim())).collect();
            words.sort();
            words.dedup();
            words.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",")
        });
        let priority = text("priority").map(|v| {
            let mut words: Vec<Priority> = v.split(',').filter_map(|w| Priority::parse(w.trim())).collect();
            words.sort();
            words.dedup();
            words.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(",")
        });
        Filters {
            query: ItemQuery {
                project_id: id("project_id"),
                status: status.filter(|s| !s.is_empty()),
                priority: priority.filter(|s| !s.is_empty()),
                assignee: id_or_none("assignee"),
                requester_id: id("requester_id"),
                organization: id_or_none("organization"),
                q: text("q"),
                item_type: text("item_type").and_then(|t| ItemType::parse(&t)),
                include_children: text("include_children").map(|v| v == "true"),
                offset: None,
                limit: None,
            },
            grouping: text("group").and_then(|g| Grouping::parse(&g)).unwrap_or_default(),
        }
    }

    /// The page's query string (without `?`): the filters, plus `group` unless it is the default.
    pub fn search(&self) -> String {
        let mut s = query_string(&self.query);
        if self.grouping != Grouping::default() {
            if !s.is_empty() {
                s.push('&');
            }
            s.push_str("group=");
            s.push_str(self.grouping.as_str());
        }
        s
    }

    /// The statuses picked (none picked means all).
    pub fn statuses(&self) -> Vec<ItemStatus> {
        self.query.status.as_deref().unwrap_or("").split(',').filter_map(ItemStatus::parse).collect()
    }

    /// Turns one status on or off.
    pub fn toggle_status(&mut self, status: ItemStatus, on: bool) {
        let mut picked = self.statuses();
        picked.retain(|s| *s != status);
        if on {
            picked.push(status);
        }
        picked.sort();
        let words: Vec<&str> = picked.iter().map(|s| s.as_str()).collect();
        self.query.status = (!words.is_empty()).then(|| words.join(","));
    }

    /// Whether any filter is set (grouping aside).
    pub fn any(&self) -> bool {
        self.query != ItemQuery::default()
    }

    /// The query for the items of one group: the filters narrowed to the group's key.
    pub fn group_query(&self, key: &str, offset: usize, limit: usize) -> ItemQuery {
        let mut q = self.query.clone();
        match self.grouping {
            Grouping::Organization => q.organization = Some(key.to_string()),
            Grouping::Project => q.project_id = key.parse().ok(),
            Grouping::Status => q.status = Some(key.to_string()),
            Grouping::None => {}
        }
        q.offset = Some(offset as i64);
        q.limit = Some(limit as i64);
        q
    }
}

/// An item query as a URL query string (without `?`), in a fixed order, values encoded.
pub fn query_string(q: &ItemQuery) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut add = |k: &str, v: Option<String>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            parts.push(format!("{k}={}", encode(&v)));
        }
    };
    add("project_id", q.project_id.map(|v| v.to_string()));
    add("status", q.status.clone());
    add("priority", q.priority.clone());
    add("assignee", q.assignee.clone());
    add("requester_id", q.requester_id.map(|v| v.to_string()));
    add("organization", q.organization.clone());
    add("q", q.q.clone());
    add("item_type", q.item_type.map(|t| t.as_str().to_string()));
    add("include_children", q.include_children.filter(|on| *on).map(|_| "true".to_string()));
    add("offset", q.offset.map(|v| v.to_string()));
    add("limit", q.limit.map(|v| v.to_string()));
    parts.join("&")
}

/// Percent-encodes everything but unreserved characters (and keeps commas readable).
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b',') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> Filters {
        Filters::parse(|k| pairs.iter().find(|(key, _)| *key == k).map(|(_, v)| v.to_string()))
    }

    #[test]
    fn an_empty_url_means_no_filters_grouped_by_organization() {
        let f = parse(&[]);
        assert_eq!(f, Filters::default());
        assert_eq!(f.grouping, Grouping::Organization);
        assert_eq!(f.search(), "");
    }

    #[test]
    fn filters_round_trip_through_the_url() {
        let f = parse(&[
            ("project_id", "3"),
            ("status", "open,new,bogus"),
            ("assignee", "none"),
            ("organization", "12"),
            ("q", "disk full & more"),
            ("item_type", "task"),
            ("group", "status"),
        ]);
        assert_eq!(f.query.status.as_deref(), Some("new,open"), "known words, in workflow order");
        assert_eq!(
            f.search(),
            "project_id=3&status=new,open&assignee=none&organization=12&q=disk%20full%20%26%20more&item_type=task&group=status"
        );
        let again = parse(&[
            ("project_id", "3"),
            ("status", "new,open"),
            ("assignee", "none"),
            ("organization", "12"),
            ("q", "disk full & more"),
            ("item_type", "task"),
            ("group", "status"),
        ]);
        assert_eq!(again, f);
    }

    #[test]
    fn malformed_values_are_ignored() {
        let f = parse(&[("project_id", "x"), ("assignee", "bob"), ("group", "planet"), ("status", "")]);
        assert_eq!(f, Filters::default());
    }

    #[test]
    fn statuses_toggle_on_and_off() {
        let mut f = Filters::default();
        f.toggle_status(ItemStatus::Waiting, true);
        f.toggle_status(ItemStatus::New, true);
        assert_eq!(f.query.status.as_deref(), Some("new,waiting"));
        f.toggle_status(ItemStatus::New, false);
        f.toggle_status(ItemStatus::Waiting, false);
        assert_eq!(f.query.status, None);
    }

    #[test]
    fn a_group_narrows_the_filters_to_its_key() {
        let f = parse(&[("status", "open"), ("q", "x")]);
        let q = f.group_query("none", 25, 25);
        assert_eq!(q.organization.as_deref(), Some("none"));
        assert_eq!(q.status.as_deref(), Some("open"));
        assert_eq!(query_string(&q), "status=open&organization=none&q=x&offset=25&limit=25");
        let by_status = Filters { grouping: Grouping::Status, ..f };
        assert_eq!(by_status.group_query("closed", 0, 25).status.as_deref(), Some("closed"));
    }
}
