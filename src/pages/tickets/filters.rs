//! What the Tickets page's URL says: core's item filter ([`ItemFilter`], the same
//! query string the API reads) and the page's grouping. Read from and written to
//! the page's query string, so a reload or a shared link shows the same list.
//! Pure logic, unit-tested natively.

use orgdesk_core::api::tickets::{GroupBy, ItemStatus, Priority};
use orgdesk_core::tickets::{ItemFilter, ItemFilterParams};
use orgdesk_core::word::Word;
use orgdesk_core::FieldErrors;

use crate::components::item_field_filters::search_text;

/// How the list is grouped: as the API groups (by organization unless the URL says
/// otherwise), or not at all (`group=none`, one list of every item).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grouping {
    By(GroupBy),
    Ungrouped,
}

impl Default for Grouping {
    fn default() -> Grouping {
        Grouping::By(GroupBy::Organization)
    }
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

/// Everything the Tickets page's URL says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TicketsUrl {
    pub filter: ItemFilter,
    pub grouping: Grouping,
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
        let params = |skip: &FieldErrors| {
            ItemFilterParams::read(|key| {
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
        let grouping = get("group").and_then(|g| Grouping::parse(g.trim())).unwrap_or_default();
        TicketsUrl { filter, grouping }
    }

    /// The page's query string (without `?`): the filter as the API reads it, plus
    /// `group` unless it is the default.
    pub fn search(&self) -> String {
        let mut s = self.filter.to_query();
        if self.grouping != Grouping::default() {
            if !s.is_empty() {
                s.push('&');
            }
            s.push_str("group=");
            s.push_str(self.grouping.as_str());
        }
        s
    }

    /// Whether any filter is set (grouping aside).
    pub fn any(&self) -> bool {
        self.filter != ItemFilter::default()
    }

    /// The filter of one group's items: the page's filter narrowed to the group's
    /// key (an id, a status word, or `none`, as the API names its groups).
    pub fn group_filter(&self, key: &str) -> ItemFilter {
        let mut filter = self.filter.clone();
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
    fn an_empty_url_means_no_filters_grouped_by_organization() {
        let url = parse(&[]);
        assert_eq!(url, TicketsUrl::default());
        assert_eq!(url.grouping, Grouping::By(GroupBy::Organization));
        assert!(!url.any());
        assert_eq!(url.search(), "");
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
        let url = TicketsUrl {
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
            grouping: Grouping::Ungrouped,
        };
        let written = url.search();
        let pairs = orgdesk_core::query_string::pairs(&written);
        let again = TicketsUrl::read(|k| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone()));
        assert_eq!(again, url, "{written}");
    }

    #[test]
    fn malformed_values_are_ignored() {
        let url = parse(&[("project_id", "x"), ("assignee", "bob"), ("group", "planet"), ("status", "")]);
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
        let url = parse(&[("status", "open"), ("q", "x")]);
        let filter = url.group_filter("none");
        assert_eq!(filter.organization, Some(None));
        assert_eq!(filter.statuses, [ItemStatus::Open]);
        assert_eq!(filter.to_query(), "status=open&organization=none&q=x");
        assert_eq!(url.group_filter("12").organization, Some(Some(12)));
        let by_status = TicketsUrl { grouping: Grouping::By(GroupBy::Status), ..url.clone() };
        assert_eq!(by_status.group_filter("closed").statuses, [ItemStatus::Closed]);
        let by_project = TicketsUrl { grouping: Grouping::By(GroupBy::Project), ..url };
        assert_eq!(by_project.group_filter("5").project_id, Some(5));
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
