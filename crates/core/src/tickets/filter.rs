//! The Tickets app's filter as one typed value: read from a query string with every
//! bad field named, and written back to one in a fixed order. The API reads it
//! (`GET /api/items?status=new,open&assignee=none`, `GET /api/items/groups?...`) and
//! the web app keeps it in the page's URL, so both speak the same format.
//!
//! Blank values mean "absent"; words are case-insensitive; `none` asks for items
//! without an assignee or an organization.

use serde::{Deserialize, Serialize};

use crate::api::tickets::{GroupBy, ItemStatus, ItemType, Priority};
use crate::query_string::{encode, pairs};
use crate::word::{words, Word};
use crate::FieldErrors;

/// What the Tickets app's text box searches for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemSearch {
    /// `#123` (or `123` after a `#`): the item with that id.
    Id(i64),
    /// Text in the title, case-insensitive.
    Title(String),
}

/// The most characters a search holds.
pub const MAX_SEARCH: usize = 100;

/// Parses the search text: `#123` is an id, anything else a title substring;
/// `None` for blank text.
pub fn parse_item_search(input: &str) -> Result<Option<ItemSearch>, String> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if s.chars().count() > MAX_SEARCH {
        return Err(format!("Search for at most {MAX_SEARCH} characters."));
    }
    if let Some(rest) = s.strip_prefix('#') {
        let rest = rest.trim();
        if !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit()) {
            return rest
                .parse()
                .map(|id| Some(ItemSearch::Id(id)))
                .map_err(|_| "That item number is too large.".into());
        }
    }
    Ok(Some(ItemSearch::Title(s.to_string())))
}

impl ItemSearch {
    /// The text that [`parse_item_search`] reads back as this search.
    pub fn to_text(&self) -> String {
        match self {
            ItemSearch::Id(id) => format!("#{id}"),
            ItemSearch::Title(text) => text.clone(),
        }
    }
}

/// A comma-separated list of words of `W` (case-insensitive); duplicates are dropped,
/// the order is kept. A list naming none is an error (absent filters are `None`).
fn parse_word_list<W: Word>(input: &str, what: &str) -> Result<Vec<W>, String> {
    let mut out = Vec::new();
    for word in input.split(',').map(str::trim).filter(|w| !w.is_empty()) {
        match W::parse(&word.to_ascii_lowercase()) {
            Some(v) if !out.contains(&v) => out.push(v),
            Some(_) => {}
            None => return Err(format!("{word:?} is not a {what}; use {}.", words::<W>())),
        }
    }
    if out.is_empty() {
        return Err(format!("Name at least one {what}: {}.", words::<W>()));
    }
    Ok(out)
}

/// `new,open,waiting` → the statuses (case-insensitive, duplicates dropped).
pub fn parse_status_list(input: &str) -> Result<Vec<ItemStatus>, String> {
    parse_word_list(input, "status")
}

/// `high,urgent` → the priorities (case-insensitive, duplicates dropped).
pub fn parse_priority_list(input: &str) -> Result<Vec<Priority>, String> {
    parse_word_list(input, "priority")
}

/// The filter's query parameters as they arrive, before checking (all optional;
/// blank means absent). Other keys of the query string are left to others.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ItemFilterParams {
    pub project_id: Option<String>,
    /// Comma-separated statuses, e.g. `new,open,waiting`.
    pub status: Option<String>,
    /// Comma-separated priorities, e.g. `high,urgent`.
    pub priority: Option<String>,
    /// An agent id, or `none` for unassigned items.
    pub assignee: Option<String>,
    pub requester_id: Option<String>,
    /// An organization id, or `none` for items without an organization.
    pub organization: Option<String>,
    /// Text in the title (case-insensitive), or `#123` for an item id.
    pub q: Option<String>,
    /// `ticket` or `task`.
    pub item_type: Option<String>,
    /// `true`: with `organization={id}`, the items of its descendant organizations too.
    pub include_children: Option<String>,
}

impl ItemFilterParams {
    /// The filter's keys read with `get` (say, from a page's URL).
    pub fn read(get: impl Fn(&str) -> Option<String>) -> ItemFilterParams {
        ItemFilterParams {
            project_id: get("project_id"),
            status: get("status"),
            priority: get("priority"),
            assignee: get("assignee"),
            requester_id: get("requester_id"),
            organization: get("organization"),
            q: get("q"),
            item_type: get("item_type"),
            include_children: get("include_children"),
        }
    }

    /// The filter's keys of a query string (the first value of each key counts).
    pub fn from_query(query: &str) -> ItemFilterParams {
        let pairs = pairs(query);
        ItemFilterParams::read(|key| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()))
    }
}

/// What the Tickets app filters on; empty lists and `None` mean "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemFilter {
    pub project_id: Option<i64>,
    pub statuses: Vec<ItemStatus>,
    pub priorities: Vec<Priority>,
    /// `Some(None)`: unassigned items.
    pub assignee: Option<Option<i64>>,
    pub requester_id: Option<i64>,
    /// `Some(None)`: items without an organization.
    pub organization: Option<Option<i64>>,
    pub search: Option<ItemSearch>,
    pub item_type: Option<ItemType>,
    /// With `organization: Some(Some(id))`: the items of its descendants too
    /// (elsewhere it is always false: only an organization has children).
    pub include_children: bool,
}

fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn id(value: &str, field: &str, errors: &mut FieldErrors) -> Option<i64> {
    value.parse::<i64>().map_err(|_| errors.insert(field.into(), "Use a numeric id.".into())).ok()
}

fn id_or_none(value: &str, field: &str, what: &str, errors: &mut FieldErrors) -> Option<Option<i64>> {
    if value.eq_ignore_ascii_case("none") {
        return Some(None);
    }
    match value.parse::<i64>() {
        Ok(id) => Some(Some(id)),
        Err(_) => {
            errors.insert(field.into(), format!("Use {what} id or `none`."));
            None
        }
    }
}

fn id_or_none_text(value: Option<i64>) -> String {
    value.map_or_else(|| "none".to_string(), |id| id.to_string())
}

impl ItemFilter {
    /// Checks the parameters; every malformed one is named in the errors.
    pub fn parse(params: &ItemFilterParams) -> Result<ItemFilter, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut filter = ItemFilter::default();
        if let Some(v) = present(&params.project_id) {
            filter.project_id = id(v, "project_id", &mut errors);
        }
        if let Some(v) = present(&params.status) {
            filter.statuses = parse_status_list(v).map_err(|e| errors.insert("status".into(), e)).unwrap_or_default();
        }
        if let Some(v) = present(&params.priority) {
            filter.priorities =
                parse_priority_list(v).map_err(|e| errors.insert("priority".into(), e)).unwrap_or_default();
        }
        if let Some(v) = present(&params.assignee) {
            filter.assignee = id_or_none(v, "assignee", "an agent", &mut errors);
        }
        if let Some(v) = present(&params.requester_id) {
            filter.requester_id = id(v, "requester_id", &mut errors);
        }
        if let Some(v) = present(&params.organization) {
            filter.organization = id_or_none(v, "organization", "an organization", &mut errors);
        }
        if let Some(v) = present(&params.include_children) {
            match v.to_ascii_lowercase().as_str() {
                "true" => filter.include_children = true,
                "false" => {}
                _ => {
                    errors.insert("include_children".into(), "Use true or false.".into());
                }
            }
        }
        if let Some(v) = present(&params.q) {
            filter.search = parse_item_search(v).map_err(|e| errors.insert("q".into(), e)).ok().flatten();
        }
        if let Some(v) = present(&params.item_type) {
            filter.item_type = ItemType::parse(&v.to_ascii_lowercase());
            if filter.item_type.is_none() {
                errors.insert("item_type".into(), "Use ticket or task.".into());
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        // Only an organization has children; elsewhere the flag changes nothing.
        filter.include_children &= matches!(filter.organization, Some(Some(_)));
        Ok(filter)
    }

    /// The filter as a query string (without `?`), keys in a fixed order, values
    /// encoded; [`ItemFilter::parse`] reads it back as the same filter.
    pub fn to_query(&self) -> String {
        let join = |words: Vec<&str>| (!words.is_empty()).then(|| words.join(","));
        let fields = [
            ("project_id", self.project_id.map(|v| v.to_string())),
            ("status", join(self.statuses.iter().map(|s| s.as_str()).collect())),
            ("priority", join(self.priorities.iter().map(|p| p.as_str()).collect())),
            ("assignee", self.assignee.map(id_or_none_text)),
            ("requester_id", self.requester_id.map(|v| v.to_string())),
            ("organization", self.organization.map(id_or_none_text)),
            ("q", self.search.as_ref().map(ItemSearch::to_text)),
            ("item_type", self.item_type.map(|t| t.as_str().to_string())),
            ("include_children", self.include_children.then(|| "true".to_string())),
        ];
        fields
            .into_iter()
            .filter_map(|(key, value)| value.map(|v| format!("{key}={}", encode(&v))))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// True when only statuses, the organization and the project are filtered on:
    /// the per-(organization, status) and per-(project, status) counters can answer.
    pub fn is_countable(&self) -> bool {
        self.priorities.is_empty()
            && self.assignee.is_none()
            && self.requester_id.is_none()
            && self.search.is_none()
            && self.item_type.is_none()
    }
}

/// How `GET /api/items/groups` groups: the `group_by` query parameter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct ItemGroupParams {
    /// `organization` (the default), `project` or `status`.
    pub group_by: Option<String>,
}

impl ItemGroupParams {
    /// The grouping, by organization when absent; a bad word is an error on `group_by`.
    pub fn parse(&self) -> Result<GroupBy, FieldErrors> {
        match present(&self.group_by) {
            None => Ok(GroupBy::Organization),
            Some(v) => GroupBy::parse(&v.to_ascii_lowercase()).ok_or_else(|| {
                FieldErrors::from([("group_by".to_string(), "Group by organization, project or status.".to_string())])
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(query: &str) -> Result<ItemFilter, FieldErrors> {
        ItemFilter::parse(&ItemFilterParams::from_query(query))
    }

    fn fields(query: &str) -> Vec<String> {
        parse(query).unwrap_err().into_keys().collect()
    }

    #[test]
    fn an_empty_query_is_no_filter_and_writes_nothing() {
        assert_eq!(parse(""), Ok(ItemFilter::default()));
        assert_eq!(parse("status=&q=%20%20&offset=5"), Ok(ItemFilter::default()));
        assert_eq!(ItemFilter::default().to_query(), "");
    }

    #[test]
    fn every_field_is_read() {
        let f = parse(
            "project_id=3&status=Open,new,open&priority=urgent&assignee=7&requester_id=9&organization=4\
             &q=printer+jam&item_type=TASK&include_children=TRUE",
        )
        .unwrap();
        assert_eq!(
            f,
            ItemFilter {
                project_id: Some(3),
                statuses: vec![ItemStatus::Open, ItemStatus::New],
                priorities: vec![Priority::Urgent],
                assignee: Some(Some(7)),
                requester_id: Some(9),
                organization: Some(Some(4)),
                search: Some(ItemSearch::Title("printer jam".into())),
                item_type: Some(ItemType::Task),
                include_children: true,
            }
        );
    }

    #[test]
    fn none_asks_for_unassigned_items_and_items_without_an_organization() {
        let f = parse("assignee=none&organization=NONE").unwrap();
        assert_eq!((f.assignee, f.organization), (Some(None), Some(None)));
    }

    #[test]
    fn children_count_only_under_an_organization() {
        assert!(!parse("include_children=true").unwrap().include_children);
        assert!(!parse("organization=none&include_children=true").unwrap().include_children);
        assert!(parse("organization=2&include_children=true").unwrap().include_children);
        assert!(!parse("organization=2&include_children=false").unwrap().include_children);
    }

    #[test]
    fn every_malformed_field_is_named() {
        assert_eq!(
            fields(
                "project_id=x&status=open,done&priority=critical&assignee=sam&requester_id=1.5\
                 &organization=acme&item_type=bug&include_children=yes"
            ),
            [
                "assignee",
                "include_children",
                "item_type",
                "organization",
                "priority",
                "project_id",
                "requester_id",
                "status"
            ]
        );
        assert_eq!(fields("status=,"), ["status"]);
        assert_eq!(fields(&format!("q={}", "x".repeat(101))), ["q"]);
        assert_eq!(fields("q=%2399999999999999999999"), ["q"]);
    }

    #[test]
    fn filters_round_trip_through_the_query_string() {
        let filters = [
            ItemFilter::default(),
            ItemFilter {
                project_id: Some(3),
                statuses: vec![ItemStatus::Waiting, ItemStatus::New],
                priorities: vec![Priority::High, Priority::Low],
                assignee: Some(None),
                requester_id: Some(12),
                organization: Some(Some(5)),
                search: Some(ItemSearch::Title("a&b = 100% ü, #x".into())),
                item_type: Some(ItemType::Ticket),
                include_children: true,
            },
            ItemFilter { organization: Some(None), assignee: Some(Some(2)), ..Default::default() },
            ItemFilter { search: Some(ItemSearch::Id(42)), ..Default::default() },
        ];
        for f in filters {
            assert_eq!(parse(&f.to_query()), Ok(f.clone()), "{}", f.to_query());
        }
    }

    #[test]
    fn the_query_string_is_readable_and_in_a_fixed_order() {
        let f = parse("organization=none&status=new,open&q=%2312&assignee=none").unwrap();
        assert_eq!(f.to_query(), "status=new,open&assignee=none&organization=none&q=%2312");
    }

    #[test]
    fn a_search_is_an_id_after_a_hash_and_title_text_otherwise() {
        assert_eq!(parse_item_search("#123").unwrap(), Some(ItemSearch::Id(123)));
        assert_eq!(parse_item_search(" # 7 ").unwrap(), Some(ItemSearch::Id(7)));
        assert_eq!(parse_item_search("#abc").unwrap(), Some(ItemSearch::Title("#abc".into())));
        assert_eq!(parse_item_search("printer").unwrap(), Some(ItemSearch::Title("printer".into())));
        assert_eq!(parse_item_search("  ").unwrap(), None);
        assert!(parse_item_search("#99999999999999999999").is_err());
        assert!(parse_item_search(&"x".repeat(101)).is_err());
    }

    #[test]
    fn word_lists_are_comma_separated_and_case_insensitive() {
        assert_eq!(
            parse_status_list("new, open,waiting").unwrap(),
            [ItemStatus::New, ItemStatus::Open, ItemStatus::Waiting]
        );
        assert_eq!(parse_status_list("OPEN,open").unwrap(), [ItemStatus::Open]);
        assert!(parse_status_list("open,done").unwrap_err().contains("\"done\""));
        assert!(parse_status_list(" , ").is_err());
        assert_eq!(parse_priority_list("urgent,high").unwrap(), [Priority::Urgent, Priority::High]);
        assert!(parse_priority_list("critical").is_err());
    }

    #[test]
    fn only_statuses_the_project_and_the_organization_are_countable() {
        assert!(parse("status=new&organization=3&project_id=2").unwrap().is_countable());
        for query in ["priority=low", "assignee=none", "requester_id=1", "q=x", "item_type=task"] {
            assert!(!parse(query).unwrap().is_countable(), "{query}");
        }
    }

    #[test]
    fn grouping_defaults_to_the_organization_and_refuses_other_words() {
        let by = |v: Option<&str>| ItemGroupParams { group_by: v.map(Into::into) }.parse();
        assert_eq!(by(None), Ok(GroupBy::Organization));
        assert_eq!(by(Some(" ")), Ok(GroupBy::Organization));
        assert_eq!(by(Some("Status")), Ok(GroupBy::Status));
        assert_eq!(by(Some("project")), Ok(GroupBy::Project));
        assert!(by(Some("colour")).unwrap_err().contains_key("group_by"));
    }
}
