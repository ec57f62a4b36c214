//! Rules for projects, tickets and tasks (items) and their conversations, shared by
//! the forms and the server: the words of the item enums, text fields, the
//! requester rule, the checks of a new item and of an item's changes, and the
//! Tickets app's filter ([`filter`]).

pub mod filter;

use crate::api::routing::ItemSource;
use crate::api::tickets::{
    BulkUpdateItemsRequest, CreateItemRequest, FollowerKind, GroupBy, ItemStatus, ItemType, MessageKind, Priority,
    UpdateItemRequest, MAX_BULK_ITEMS,
};
use crate::word::Word;
use crate::FieldErrors;

pub use filter::{parse_item_search, ItemFilter, ItemFilterParams, ItemGroupParams, ItemSearch};

impl Word for ItemStatus {
    const ALL: &'static [ItemStatus] =
        &[ItemStatus::New, ItemStatus::Open, ItemStatus::Waiting, ItemStatus::Resolved, ItemStatus::Closed];

    fn as_str(self) -> &'static str {
        match self {
            ItemStatus::New => "new",
            ItemStatus::Open => "open",
            ItemStatus::Waiting => "waiting",
            ItemStatus::Resolved => "resolved",
            ItemStatus::Closed => "closed",
        }
    }
}

impl ItemStatus {
    pub fn label(self) -> &'static str {
        match self {
            ItemStatus::New => "New",
            ItemStatus::Open => "Open",
            ItemStatus::Waiting => "Waiting",
            ItemStatus::Resolved => "Resolved",
            ItemStatus::Closed => "Closed",
        }
    }
}

/// New, open and waiting items are open: they follow their requester to a new
/// organization. Resolved and closed items keep the organization they had.
pub fn is_open(status: ItemStatus) -> bool {
    matches!(status, ItemStatus::New | ItemStatus::Open | ItemStatus::Waiting)
}

impl Word for Priority {
    const ALL: &'static [Priority] = &[Priority::Low, Priority::Normal, Priority::High, Priority::Urgent];

    fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }
}

impl Priority {
    pub fn label(self) -> &'static str {
        match self {
            Priority::Low => "Low",
            Priority::Normal => "Normal",
            Priority::High => "High",
            Priority::Urgent => "Urgent",
        }
    }
}

impl Word for ItemType {
    const ALL: &'static [ItemType] = &[ItemType::Ticket, ItemType::Task];

    fn as_str(self) -> &'static str {
        match self {
            ItemType::Ticket => "ticket",
            ItemType::Task => "task",
        }
    }
}

impl ItemType {
    pub fn label(self) -> &'static str {
        match self {
            ItemType::Ticket => "Ticket",
            ItemType::Task => "Task",
        }
    }
}

impl Word for GroupBy {
    const ALL: &'static [GroupBy] = &[GroupBy::Organization, GroupBy::Project, GroupBy::Status];

    fn as_str(self) -> &'static str {
        match self {
            GroupBy::Organization => "organization",
            GroupBy::Project => "project",
            GroupBy::Status => "status",
        }
    }
}

impl GroupBy {
    pub fn label(self) -> &'static str {
        match self {
            GroupBy::Organization => "Organization",
            GroupBy::Project => "Project",
            GroupBy::Status => "Status",
        }
    }
}

impl Word for MessageKind {
    const ALL: &'static [MessageKind] = &[MessageKind::Reply, MessageKind::Note];

    fn as_str(self) -> &'static str {
        match self {
            MessageKind::Reply => "reply",
            MessageKind::Note => "note",
        }
    }
}

impl Word for FollowerKind {
    const ALL: &'static [FollowerKind] = &[FollowerKind::Customer, FollowerKind::Organization];

    fn as_str(self) -> &'static str {
        match self {
            FollowerKind::Customer => "customer",
            FollowerKind::Organization => "organization",
        }
    }
}

/// The longest project name, item title or conversation subject.
pub const MAX_TITLE: usize = 200;
/// The longest description or message body.
pub const MAX_BODY: usize = 20_000;

/// One line of text: trimmed, 1 to [`MAX_TITLE`] characters, no control characters.
fn parse_line(input: &str, what: &str) -> Result<String, String> {
    let s = input.trim();
    if s.is_empty() {
        return Err(format!("Enter {what}."));
    }
    if s.chars().count() > MAX_TITLE {
        return Err(format!("Use at most {MAX_TITLE} characters for {what}."));
    }
    if s.chars().any(char::is_control) {
        return Err(format!("{} cannot contain line breaks or control characters.", capitalize(what)));
    }
    Ok(s.to_string())
}

fn capitalize(what: &str) -> String {
    let mut c = what.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A project name: trimmed, 1 to 200 characters. Unique regardless of case (the server checks).
pub fn parse_project_name(input: &str) -> Result<String, String> {
    parse_line(input, "a name")
}

/// An item title: trimmed, 1 to 200 characters.
pub fn parse_item_title(input: &str) -> Result<String, String> {
    parse_line(input, "a title")
}

/// A conversation subject: trimmed, 1 to 200 characters.
pub fn parse_subject(input: &str) -> Result<String, String> {
    parse_line(input, "a subject")
}

/// A description: may be empty, at most [`MAX_BODY`] characters (trailing space trimmed).
pub fn parse_description(input: &str) -> Result<String, String> {
    let s = input.trim_end();
    if s.chars().count() > MAX_BODY {
        return Err(format!("Use at most {MAX_BODY} characters."));
    }
    Ok(s.trim_start_matches(['\n', '\r']).to_string())
}

/// A message body: not blank, at most [`MAX_BODY`] characters.
pub fn parse_message_body(input: &str) -> Result<String, String> {
    let s = parse_description(input)?;
    if s.trim().is_empty() {
        return Err("Write a message.".into());
    }
    Ok(s)
}

/// An item's requester rule: tickets need one, tasks may have none.
pub fn check_requester(item_type: ItemType, requester: Option<i64>) -> Result<(), String> {
    match (item_type, requester) {
        (ItemType::Ticket, None) => Err("A ticket needs a requester: choose the customer who asked for it.".into()),
        _ => Ok(()),
    }
}

/// A checked new item: trimmed title and description, the requester rule applied,
/// status and priority defaulted (new, normal). Whether the project, the agent and
/// the customer exist is the server's to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewItem {
    pub project_id: i64,
    pub item_type: ItemType,
    pub title: String,
    pub description: String,
    pub status: ItemStatus,
    pub priority: Priority,
    pub assignee_id: Option<i64>,
    pub requester_id: Option<i64>,
    /// Where it is created (routing rules can test it).
    pub source: ItemSource,
}

/// Checks a new item; every bad field is named.
pub fn validate_new_item(req: &CreateItemRequest) -> Result<NewItem, FieldErrors> {
    let mut errors = FieldErrors::new();
    let title = parse_item_title(&req.title).map_err(|e| errors.insert("title".into(), e)).ok();
    let description = parse_description(&req.description).map_err(|e| errors.insert("description".into(), e)).ok();
    if let Err(e) = check_requester(req.item_type, req.requester_id) {
        errors.insert("requester_id".into(), e);
    }
    match (title, description, errors.is_empty()) {
        (Some(title), Some(description), true) => Ok(NewItem {
            project_id: req.project_id,
            item_type: req.item_type,
            title,
            description,
            status: req.status.unwrap_or(ItemStatus::New),
            priority: req.priority.unwrap_or(Priority::Normal),
            assignee_id: req.assignee_id,
            requester_id: req.requester_id,
            source: ItemSource::Agent,
        }),
        _ => Err(errors),
    }
}

/// A checked partial update of an item: absent fields stay; `Some(None)` clears the
/// assignee or the requester. The requester rule depends on the item's current type,
/// so the server applies [`check_requester`] once it has read the item.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemChanges {
    pub title: Option<String>,
    pub description: Option<String>,
    pub status: Option<ItemStatus>,
    pub priority: Option<Priority>,
    pub project_id: Option<i64>,
    pub item_type: Option<ItemType>,
    pub assignee_id: Option<Option<i64>>,
    pub requester_id: Option<Option<i64>>,
}

impl ItemChanges {
    /// Whether the requester rule must be checked again: the type or the requester
    /// changes (a ticket whose requester was deleted stays editable otherwise).
    pub fn touches_requester(&self) -> bool {
        self.item_type.is_some() || self.requester_id.is_some()
    }
}

/// Checks the fields of an item's changes that need no stored data; every bad field is named.
pub fn validate_item_changes(req: &UpdateItemRequest) -> Result<ItemChanges, FieldErrors> {
    let mut errors = FieldErrors::new();
    let title = req.title.as_deref().map(parse_item_title).transpose().map_err(|e| errors.insert("title".into(), e));
    let description = req
        .description
        .as_deref()
        .map(parse_description)
        .transpose()
        .map_err(|e| errors.insert("description".into(), e));
    match (title, description) {
        (Ok(title), Ok(description)) => Ok(ItemChanges {
            title,
            description,
            status: req.status,
            priority: req.priority,
            project_id: req.project_id,
            item_type: req.item_type,
            assignee_id: req.assignee_id,
            requester_id: req.requester_id,
        }),
        _ => Err(errors),
    }
}

/// A checked bulk change: the items (id and the `updated_at` the agent saw, ids
/// ascending, so concurrent changes lock rows in one order) and what changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkChange {
    pub items: Vec<(i64, String)>,
    pub status: Option<ItemStatus>,
    pub priority: Option<Priority>,
    pub assignee_id: Option<Option<i64>>,
}

/// Checks a bulk change: 1 to [`MAX_BULK_ITEMS`] distinct items, and something to change.
pub fn validate_bulk_change(req: &BulkUpdateItemsRequest) -> Result<BulkChange, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut items: Vec<(i64, String)> = req.items.iter().map(|i| (i.id, i.updated_at.clone())).collect();
    items.sort_by_key(|(id, _)| *id);
    if items.is_empty() {
        errors.insert("items".into(), "Select at least one item.".into());
    } else if items.len() > MAX_BULK_ITEMS {
        errors.insert("items".into(), format!("Change at most {MAX_BULK_ITEMS} items at once."));
    } else if items.windows(2).any(|w| w[0].0 == w[1].0) {
        errors.insert("items".into(), "Each item may be listed once.".into());
    }
    if req.status.is_none() && req.priority.is_none() && req.assignee_id.is_none() {
        errors.insert("status".into(), "Choose a status, a priority or an assignee to set.".into());
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(BulkChange { items, status: req.status, priority: req.priority, assignee_id: req.assignee_id })
}

impl BulkChange {
    /// What the change did, for each item's history: "set the status to Closed and the
    /// priority to High". `assignee` names the new assignee (`None`: unassigned).
    pub fn summary(&self, assignee: Option<&str>) -> String {
        let mut parts = Vec::new();
        if let Some(s) = self.status {
            parts.push(format!("the status to {}", s.label()));
        }
        if let Some(p) = self.priority {
            parts.push(format!("the priority to {}", p.label()));
        }
        if self.assignee_id.is_some() {
            parts.push(match assignee {
                Some(name) => format!("the assignee to {name}"),
                None => "no assignee".to_string(),
            });
        }
        format!("set {}", crate::text::join_and(&parts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bulk(ids: &[i64]) -> BulkUpdateItemsRequest {
        BulkUpdateItemsRequest {
            items: ids
                .iter()
                .map(|&id| crate::api::tickets::BulkItemRef { id, updated_at: "2026-01-01T00:00:00Z".into() })
                .collect(),
            status: Some(ItemStatus::Closed),
            ..Default::default()
        }
    }

    #[test]
    fn a_bulk_change_needs_distinct_items_and_something_to_change() {
        let ok = validate_bulk_change(&bulk(&[3, 1, 2])).unwrap();
        assert_eq!(ok.items.iter().map(|i| i.0).collect::<Vec<_>>(), [1, 2, 3], "ids ascending");
        assert!(validate_bulk_change(&bulk(&[])).unwrap_err().contains_key("items"));
        assert!(validate_bulk_change(&bulk(&[1, 2, 1])).unwrap_err().contains_key("items"));
        let too_many: Vec<i64> = (1..=MAX_BULK_ITEMS as i64 + 1).collect();
        assert!(validate_bulk_change(&bulk(&too_many)).unwrap_err().contains_key("items"));
        let nothing = BulkUpdateItemsRequest { status: None, ..bulk(&[1]) };
        assert!(validate_bulk_change(&nothing).unwrap_err().contains_key("status"));
    }

    #[test]
    fn a_bulk_change_reads_as_a_sentence() {
        let change = BulkChange {
            items: vec![],
            status: Some(ItemStatus::Closed),
            priority: Some(Priority::High),
            assignee_id: Some(None),
        };
        assert_eq!(change.summary(None), "set the status to Closed, the priority to High and no assignee");
        let only = BulkChange { status: None, priority: None, assignee_id: Some(Some(2)), ..change };
        assert_eq!(only.summary(Some("Sam")), "set the assignee to Sam");
    }

    #[test]
    fn open_and_closed_statuses() {
        let open: Vec<_> = ItemStatus::ALL.iter().copied().filter(|s| is_open(*s)).collect();
        assert_eq!(open, [ItemStatus::New, ItemStatus::Open, ItemStatus::Waiting]);
    }

    #[test]
    fn titles_are_trimmed_and_must_not_be_blank_or_too_long() {
        assert_eq!(parse_item_title("  Printer jam ").unwrap(), "Printer jam");
        assert!(parse_item_title("   ").is_err());
        assert!(parse_item_title(&"x".repeat(MAX_TITLE + 1)).is_err());
        assert!(parse_item_title(&"x".repeat(MAX_TITLE)).is_ok());
        assert!(parse_item_title("two\nlines").is_err());
        assert!(parse_project_name("").is_err());
        assert!(parse_subject("Maintenance window").is_ok());
    }

    #[test]
    fn descriptions_may_be_empty_but_message_bodies_may_not() {
        assert_eq!(parse_description("").unwrap(), "");
        assert_eq!(parse_description("line one\nline two\n\n").unwrap(), "line one\nline two");
        assert!(parse_description(&"x".repeat(MAX_BODY + 1)).is_err());
        assert!(parse_message_body(" \n ").is_err());
        assert_eq!(parse_message_body("Hello,\n  indented").unwrap(), "Hello,\n  indented");
    }

    #[test]
    fn tickets_need_a_requester_and_tasks_do_not() {
        assert!(check_requester(ItemType::Ticket, None).is_err());
        assert!(check_requester(ItemType::Ticket, Some(1)).is_ok());
        assert!(check_requester(ItemType::Task, None).is_ok());
    }

    fn ticket(title: &str, requester: Option<i64>) -> CreateItemRequest {
        CreateItemRequest {
            project_id: 1,
            item_type: ItemType::Ticket,
            title: title.into(),
            description: String::new(),
            status: None,
            priority: None,
            assignee_id: None,
            requester_id: requester,
        }
    }

    #[test]
    fn a_new_item_is_trimmed_and_defaults_to_new_and_normal() {
        let item = validate_new_item(&ticket("  Printer jam ", Some(7))).unwrap();
        assert_eq!(item.title, "Printer jam");
        assert_eq!((item.status, item.priority), (ItemStatus::New, Priority::Normal));
        assert_eq!(item.requester_id, Some(7));
        let task = CreateItemRequest { item_type: ItemType::Task, ..ticket("Order toner", None) };
        assert_eq!(validate_new_item(&task).unwrap().requester_id, None);
    }

    #[test]
    fn a_new_item_names_every_bad_field() {
        let req = CreateItemRequest { description: "x".repeat(MAX_BODY + 1), ..ticket(" ", None) };
        let errors = validate_new_item(&req).unwrap_err();
        assert_eq!(errors.keys().map(String::as_str).collect::<Vec<_>>(), ["description", "requester_id", "title"]);
        assert_eq!(validate_new_item(&ticket("Fine", None)).unwrap_err().keys().collect::<Vec<_>>(), ["requester_id"]);
    }

    #[test]
    fn changes_check_only_the_fields_they_carry() {
        let none = validate_item_changes(&UpdateItemRequest::default()).unwrap();
        assert_eq!(none, ItemChanges::default());
        assert!(!none.touches_requester());
        let req = UpdateItemRequest {
            title: Some(" New title ".into()),
            requester_id: Some(None),
            assignee_id: Some(Some(3)),
            ..Default::default()
        };
        let changes = validate_item_changes(&req).unwrap();
        assert_eq!(changes.title.as_deref(), Some("New title"));
        assert_eq!((changes.requester_id, changes.assignee_id), (Some(None), Some(Some(3))));
        assert!(changes.touches_requester());
        let bad = UpdateItemRequest {
            title: Some("".into()),
            description: Some("x".repeat(MAX_BODY + 1)),
            ..Default::default()
        };
        assert_eq!(
            validate_item_changes(&bad).unwrap_err().keys().map(String::as_str).collect::<Vec<_>>(),
            ["description", "title"]
        );
    }
}
