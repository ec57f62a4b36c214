//! Rules for projects, items and conversations, shared by the forms and the server.

use crate::api::work::{ItemStatus, ItemType, Priority};

impl ItemStatus {
    pub const ALL: [ItemStatus; 5] =
        [ItemStatus::New, ItemStatus::Open, ItemStatus::Waiting, ItemStatus::Resolved, ItemStatus::Closed];

    /// The wire word (also the value stored in the database).
    pub fn as_str(self) -> &'static str {
        match self {
            ItemStatus::New => "new",
            ItemStatus::Open => "open",
            ItemStatus::Waiting => "waiting",
            ItemStatus::Resolved => "resolved",
            ItemStatus::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

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

impl Priority {
    pub const ALL: [Priority; 4] = [Priority::Low, Priority::Normal, Priority::High, Priority::Urgent];

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Priority::Low => "Low",
            Priority::Normal => "Normal",
            Priority::High => "High",
            Priority::Urgent => "Urgent",
        }
    }
}

impl ItemType {
    pub const ALL: [ItemType; 2] = [ItemType::Ticket, ItemType::Task];

    pub fn as_str(self) -> &'static str {
        match self {
            ItemType::Ticket => "ticket",
            ItemType::Task => "task",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ItemType::Ticket => "Ticket",
            ItemType::Task => "Task",
        }
    }
}

/// The longest project name, item title or conversation subject.
pub const MAX_TITLE: usize = 200;
/// The longest description or message body.
pub const MAX_BODY: usize = 20_000;
/// The most items (or groups) one page of the Tickets app holds.
pub const MAX_ITEM_PAGE: i64 = 200;

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

/// A comma-separated list of words, each parsed by `parse`; duplicates are dropped,
/// the order is kept. Empty input is an error (absent filters are `None`).
fn parse_word_list<T: Copy + PartialEq>(
    input: &str,
    parse: impl Fn(&str) -> Option<T>,
    what: &str,
    all: &[&str],
) -> Result<Vec<T>, String> {
    let mut out = Vec::new();
    for word in input.split(',').map(str::trim).filter(|w| !w.is_empty()) {
        match parse(&word.to_ascii_lowercase()) {
            Some(v) if !out.contains(&v) => out.push(v),
            Some(_) => {}
            None => return Err(format!("{word:?} is not {what}; use {}.", all.join(", "))),
        }
    }
    if out.is_empty() {
        return Err(format!("Name at least one {}: {}.", what.trim_start_matches("a "), all.join(", ")));
    }
    Ok(out)
}

/// `new,open,waiting` → the statuses (case-insensitive, duplicates dropped).
pub fn parse_status_list(input: &str) -> Result<Vec<ItemStatus>, String> {
    let all: Vec<&str> = ItemStatus::ALL.iter().map(|s| s.as_str()).collect();
    parse_word_list(input, ItemStatus::parse, "a status", &all)
}

/// `high,urgent` → the priorities (case-insensitive, duplicates dropped).
pub fn parse_priority_list(input: &str) -> Result<Vec<Priority>, String> {
    let all: Vec<&str> = Priority::ALL.iter().map(|s| s.as_str()).collect();
    parse_word_list(input, Priority::parse, "a priority", &all)
}

/// What the Tickets app's text box searches for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemSearch {
    /// `#123` (or `123` after a `#`): the item with that id.
    Id(i64),
    /// Text in the title, case-insensitive.
    Title(String),
}

/// Parses the search text: `#123` is an id, anything else a title substring;
/// `None` for blank text.
pub fn parse_item_search(input: &str) -> Result<Option<ItemSearch>, String> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if s.chars().count() > 100 {
        return Err("Search for at most 100 characters.".into());
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

/// An item's requester rule: tickets need one, tasks may have none.
pub fn check_requester(item_type: ItemType, requester: Option<i64>) -> Result<(), String> {
    match (item_type, requester) {
        (ItemType::Ticket, None) => Err("A ticket needs a requester: choose the customer who asked for it.".into()),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_and_closed_statuses() {
        let open: Vec<_> = ItemStatus::ALL.into_iter().filter(|s| is_open(*s)).collect();
        assert_eq!(open, [ItemStatus::New, ItemStatus::Open, ItemStatus::Waiting]);
    }

    #[test]
    fn wire_words_round_trip() {
        for s in ItemStatus::ALL {
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{}\"", s.as_str()));
            assert_eq!(ItemStatus::parse(s.as_str()), Some(s));
        }
        for p in Priority::ALL {
            assert_eq!(serde_json::to_string(&p).unwrap(), format!("\"{}\"", p.as_str()));
            assert_eq!(Priority::parse(p.as_str()), Some(p));
        }
        for t in ItemType::ALL {
            assert_eq!(serde_json::to_string(&t).unwrap(), format!("\"{}\"", t.as_str()));
            assert_eq!(ItemType::parse(t.as_str()), Some(t));
        }
        assert_eq!(ItemStatus::parse("Open"), None);
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
    fn status_lists_are_comma_separated_words() {
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
    fn a_hash_and_digits_search_for_an_id_anything_else_the_title() {
        assert_eq!(parse_item_search("#123").unwrap(), Some(ItemSearch::Id(123)));
        assert_eq!(parse_item_search(" # 7 ").unwrap(), Some(ItemSearch::Id(7)));
        assert_eq!(parse_item_search("#abc").unwrap(), Some(ItemSearch::Title("#abc".into())));
        assert_eq!(parse_item_search("printer").unwrap(), Some(ItemSearch::Title("printer".into())));
        assert_eq!(parse_item_search("  ").unwrap(), None);
        assert!(parse_item_search("#99999999999999999999").is_err());
        assert!(parse_item_search(&"x".repeat(101)).is_err());
    }

    #[test]
    fn tickets_need_a_requester_and_tasks_do_not() {
        assert!(check_requester(ItemType::Ticket, None).is_err());
        assert!(check_requester(ItemType::Ticket, Some(1)).is_ok());
        assert!(check_requester(ItemType::Task, None).is_ok());
    }
}
