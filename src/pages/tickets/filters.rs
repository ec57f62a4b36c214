//! What the Tickets page's URL says: core's item filter ([`ItemFilter`], the same
//! query string the API reads), the page's grouping and "Assigned to me". Read from
//! and written to the page's query string, so a reload or a shared link shows the
//! same list. With nothing in the URL the page shows the open items (new, open,
//! waiting), newest first, in one list; `status=all` shows every status,
//! `assignee=me` the signed-in agent's items. Pure logic, unit-tested natively.

use orgdesk_core::api::tickets::{GroupBy, ItemStatus, Priority};
use orgdesk_core::tickets::{ItemFilter, ItemFilterParams};
use orgdesk_core::word::Word;
use orgdesk_core::FieldErrors;

use crate::components::item_field_filters::search_text;

/// How the list is grouped: not at all (the default: one list, newest first), or as
/// the API groups (`group=organization|project|status`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Grouping {
    By(GroupBy),
    #[default]
    Ungrouped,
}

impl Grouping {
    /// Every grouping, in the order the picker shows them.
    pub fn all() -> impl Iterator<Item = Grouping> {
        GroupBy::ALL.iter().copied().map(Grouping::By).chain([Grouping::Ungrouped])
    }

    /// The word of the page's `group` parameter.
    pub fn as_str(self) -> &'static str {
        match self {
            Grouping::By(by) => by.as_str(),
            Grouping::Ungrouped => "none",
        }
    }

    pub fn parse(s: &str) -> Option<Grouping> {
        Grouping::all().find(|g| g.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Grouping::By(by) => by.label(),
            Grouping::Ungrouped => "No grouping",
        }
    }

    /// What to ask the API to group by; `None` when the list is not grouped.
    pub fn group_by(self) -> Option<GroupBy> {
        match self {
            Grouping::By(by) => Some(by),
            Grouping::Ungrouped => None,
        }
    }
}

/// The statuses the page shows when the URL names none: the open ones.
pub const OPEN_STATUSES: [ItemStatus; 3] = [ItemStatus::New, ItemStatus::Open, ItemStatus::Waiting];

/// Everything the Tickets page's URL says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TicketsUrl {
    pub filter: ItemFilter,
    pub grouping: Grouping,
    /// Only the signed-in agent's items (`assignee=me`); the filter's own assignee is then unset.
    pub mine: bool,
}

impl Default for TicketsUrl {
    fn default() -> TicketsUrl {
        TicketsUrl { filter: open_filter(), grouping: Grouping::default(), mine: false }
    }
}

/// No filter but the open statuses.
fn open_filter() -> ItemFilter {
    ItemFilter { statuses: OPEN_STATUSES.to_vec(), ..ItemFilter::default() }
}

/// The words of a comma-separated list that name a `W` (case-insensitive).
fn known_words<W: Word>(list: &str) -> String {
    let known = |w: &&str| W::parse(&w.to_ascii_lowercase()).is_some();
    list.split(',').map(str::trim).filter(known).collect::<Vec<_>>().join(",")
}

impl TicketsUrl {
    /// Reads the page's query parameters leniently. The API refuses a malformed
    /// filter with its field errors; the page instead ignores what it cannot read,
    /// so a stale or hand-edited link still opens: unknown status and priority
    /// words are dropped, any other malformed field is left out, search text is
    /// kept (see [`search_text`]: the API names what is wrong with it), and an unknown grouping means the default.
    /// Statuses and priorities come in workflow order.
    pub fn read(get: impl Fn(&str) -> Option<String>) -> TicketsUrl {
        let status = get("status").map(|s| s.trim().to_ascii_lowercase());
        let every_status = status.as_deref() == Some("all");
        let mine = get("assignee").is_some_and(|a| a.trim().eq_ignore_ascii_case("me"));
        let params = |skip: &FieldErrors| {
            ItemFilterParams::read(|key| {
                if (key == "status" && every_status) || (key == "assignee" && mine) {
                    return None;
                }
                let value = get(key).filter(|_| !skip.contains_key(key))?;
                Some(match key {
                    "status" => known_words::<ItemStatus>(&value),
                    "priority" => known_words::<Priority>(&value),
                    _ => value,
                })
            })
        };
        let mut filter = ItemFilter::parse(&params(&FieldErrors::new()))
            .or_else(|malformed| ItemFilter::parse(&params(&malformed)))
            .unwrap_or_default();
        filter.search = get("q").and_then(|q| search_text(&q));
        filter.statuses.sort();
        filter.priorities.sort();
        if status.is_none() {
            filter.statuses = OPEN_STATUSES.to_vec();
        }
        if mine {
            filter.assignee = None;
        }
        let grouping = get("group").and_then(|g| Grouping::parse(g.trim())).unwrap_or_default();
        TicketsUrl { filter, grouping, mine }
    }

    /// The page's query string (without `?`): the filter as the API reads it, but
    /// without the default open statuses (and `status=all` for every status),
    /// `assignee=me`, and `group` unless it is the default.
    pub fn search(&self) -> String {
        let mut filter = self.filter.clone();
        let every_status = filter.statuses.is_empty();
        if filter.statuses == OPEN_STATUSES {
            filter.statuses.clear();
        }
        let mut parts: Vec<String> = vec![filter.to_query()];
        if every_status {
            parts.push("status=all".into());
        }
        if self.mine {
            parts.push("assignee=me".into());
        }
        if self.grouping != Grouping::default() {
            parts.push(format!("group={}", self.grouping.as_str()));
        }
        parts.retain(|p| !p.is_empty());
        parts.join("&")
    }

    /// Whether any filter is set beyond the default open statuses (grouping aside).
    pub fn any(&self) -> bool {
        self.filter != open_filter() || self.mine
    }

    /// Back to the open items, keeping the grouping.
    pub fn clear(&mut self) {
        self.filter = open_filter();
        self.mine = false;
    }

    /// Whether only the open statuses are shown.
    pub fn open_only(&self) -> bool {
        self.filter.statuses == OPEN_STATUSES
    }

    /// The filter the API gets: the page's, with "Assigned to me" as agent `me`.
    pub fn query_filter(&self, me: Option<i64>) -> ItemFilter {
        let mut filter = self.filter.clone();
        if let (true, Some(me)) = (self.mine, me) {
            filter.assignee = Some(Some(me));
        }
        filter
    }

    /// The filter of one group's items: the page's filter narrowed to the group's
    /// key (an id, a status word, or `none`, as the API names its groups).
    pub fn group_filter(&self, key: &str, me: Option<i64>) -> ItemFilter {
        let mut filter = self.query_filter(me);
        match self.grouping {
            Grouping::By(GroupBy::Organization) => {
                filter.organization = if key == "none" { Some(None) } else { key.parse().ok().map(Some) }
            }
            Grouping::By(GroupBy::Project) => filter.project_id = key.parse().ok(),
            Grouping::By(GroupBy::Status) => filter.statuses = ItemStatus::parse(key).into_iter().collect(),
            Grouping::Ungrouped => {}
        }
        filter
    }
}

#[cfg(test)]
mod tests {
    use orgdesk_core::api::tickets::ItemType;
    use orgdesk_core::tickets::ItemSearch;

    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> TicketsUrl {
        TicketsUrl::read(|k| pairs.iter().find(|(key, _)| *key == k).map(|(_, v)| v.to_string()))
    }

    #[test]
    fn an_empty_url_means_the_open_items_in_one_list() {
        let url = parse(&[]);
        assert_eq!(url, TicketsUrl::default());
        assert_eq!(url.grouping, Grouping::Ungrouped);
        assert_eq!(url.filter.statuses, OPEN_STATUSES);
        assert!(url.open_only() && !url.mine && !url.any());
        assert_eq!(url.search(), "");
        assert_eq!(url.query_filter(Some(7)).to_query(), "status=new,open,waiting", "the API gets the open statuses");
    }

    #[test]
    fn every_status_and_assigned_to_me_have_words_of_their_own() {
        let all = parse(&[("status", "all")]);
        assert!(all.filter.statuses.is_empty() && all.any() && !all.open_only());
        assert_eq!(all.search(), "status=all");
        let mine = parse(&[("assignee", "me")]);
        assert!(mine.mine && mine.any());
        assert_eq!(mine.filter.assignee, None);
        assert_eq!(mine.search(), "assignee=me");
        assert_eq!(mine.query_filter(Some(7)).assignee, Some(Some(7)));
        assert_eq!(mine.group_filter("none", Some(7)).assignee, Some(Some(7)));
        let mut cleared = parse(&[("assignee", "me"), ("status", "closed"), ("group", "status")]);
        cleared.clear();
        assert_eq!(cleared, TicketsUrl { grouping: Grouping::By(GroupBy::Status), ..TicketsUrl::default() });
    }

    #[test]
    fn filters_round_trip_through_the_url() {
        let url = parse(&[
            ("project_id", "3"),
            ("status", "open,new,bogus"),
            ("assignee", "none"),
            ("organization", "12"),
            ("q", "disk full & more"),
            ("item_type", "task"),
            ("group", "status"),
        ]);
        assert_eq!(url.filter.statuses, [ItemStatus::New, ItemStatus::Open], "known words, in workflow order");
        assert_eq!(
            url.search(),
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
        assert_eq!(again, url);
    }

    #[test]
    fn every_filter_reads_back_from_the_url_it_writes() {
        let urls = [
            TicketsUrl {
                filter: ItemFilter {
                    project_id: Some(3),
                    statuses: vec![ItemStatus::New, ItemStatus::Waiting],
                    priorities: vec![Priority::High, Priority::Urgent],
                    assignee: Some(Some(7)),
                    requester_id: Some(9),
                    organization: Some(Some(4)),
                    search: Some(ItemSearch::Id(42)),
                    item_type: Some(ItemType::Ticket),
                    include_children: true,
                },
                grouping: Grouping::By(GroupBy::Organization),
                mine: false,
            },
            TicketsUrl { filter: ItemFilter::default(), grouping: Grouping::Ungrouped, mine: true },
            TicketsUrl::default(),
        ];
        for url in urls {
            let written = url.search();
            let pairs = orgdesk_core::query_string::pairs(&written);
            let again = TicketsUrl::read(|k| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone()));
            assert_eq!(again, url, "{written}");
        }
    }

    #[test]
    fn malformed_values_are_ignored() {
        let url = parse(&[("project_id", "x"), ("assignee", "bob"), ("group", "planet")]);
        assert_eq!(url, TicketsUrl::default());
    }

    #[test]
    fn a_malformed_value_leaves_the_others_standing() {
        let url =
            parse(&[("project_id", "x"), ("status", "bogus,waiting"), ("priority", "critical"), ("organization", "7")]);
        assert_eq!(url.filter.project_id, None);
        assert_eq!(url.filter.statuses, [ItemStatus::Waiting]);
        assert!(url.filter.priorities.is_empty());
        assert_eq!(url.filter.organization, Some(Some(7)));
    }

    #[test]
    fn search_text_the_api_refuses_is_kept_for_the_api_to_name() {
        let long = "x".repeat(101);
        let url = parse(&[("q", &long)]);
        assert_eq!(url.filter.search, Some(ItemSearch::Title(long.clone())));
        assert_eq!(url.search(), format!("q={long}"));
    }

    #[test]
    fn a_group_narrows_the_filters_to_its_key() {
        let url =
            TicketsUrl { grouping: Grouping::By(GroupBy::Organization), ..parse(&[("status", "open"), ("q", "x")]) };
        let filter = url.group_filter("none", None);
        assert_eq!(filter.organization, Some(None));
        assert_eq!(filter.statuses, [ItemStatus::Open]);
        assert_eq!(filter.to_query(), "status=open&organization=none&q=x");
        assert_eq!(url.group_filter("12", None).organization, Some(Some(12)));
        let by_status = TicketsUrl { grouping: Grouping::By(GroupBy::Status), ..url.clone() };
        assert_eq!(by_status.group_filter("closed", None).statuses, [ItemStatus::Closed]);
        let by_project = TicketsUrl { grouping: Grouping::By(GroupBy::Project), ..url };
        assert_eq!(by_project.group_filter("5", None).project_id, Some(5));
    }

    #[test]
    fn groupings_read_back_from_their_words() {
        for g in Grouping::all() {
            assert_eq!(Grouping::parse(g.as_str()), Some(g));
        }
        assert_eq!(
            Grouping::all().map(Grouping::label).collect::<Vec<_>>(),
            ["Organization", "Project", "Status", "No grouping"]
        );
    }
}
