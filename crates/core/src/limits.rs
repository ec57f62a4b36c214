//! Bounds of every input, in one place: the longest strings and lists the API
//! accepts, and the rule for control characters. The OpenAPI document states these
//! limits (the server writes [`SCHEMA_LIMITS`] into it) and the server enforces
//! exactly what the document states, so the browser, the server and the document
//! cannot drift apart.

pub use crate::agent::{MAX_NAME_LEN as MAX_AGENT_NAME, MAX_PASSWORD_LEN, MIN_PASSWORD_LEN};
pub use crate::api::customers::MAX_MOVE;
pub use crate::api::organization::{MAX_NOTE, MAX_POSITION, MAX_SUMMARY};
pub use crate::contact::{MAX_ADDRESS, MAX_ENTRIES as MAX_CONTACT_ENTRIES, MAX_LABEL as MAX_CONTACT_LABEL};
/// Customer and organization names, property labels and options.
pub use crate::customer::MAX_TEXT as MAX_CUSTOMER_TEXT;
pub use crate::properties::{MAX_LONG_TEXT_VALUE, MAX_OPTIONS, MAX_TEXT_VALUE};
pub use crate::tickets::filter::MAX_SEARCH;
pub use crate::tickets::{MAX_BODY, MAX_TITLE};

/// An email address (RFC 5321's path limit).
pub const MAX_EMAIL: usize = 254;
/// A customer's phone number, as written (`+1 (555) 010-9999 ext. 12`).
pub const MAX_PHONE: usize = 40;
/// A password reset link's token (64 hex characters; anything much longer is not one).
pub const MAX_RESET_TOKEN: usize = 128;
/// A domain name, `*.` included.
pub const MAX_DOMAIN: usize = 255;
/// Domains of one organization in one request.
pub const MAX_DOMAINS: usize = 100;
/// The admins' extra public email providers.
pub const MAX_PUBLIC_DOMAINS: usize = 1000;
/// A project name (organization names, property labels and options are
/// [`MAX_CUSTOMER_TEXT`], like customers' names).
pub const MAX_NAME: usize = 200;
/// A conversation subject.
pub const MAX_SUBJECT: usize = 200;
/// An RFC 3339 time sent back as a version (`2026-11-22T10:11:12.123Z`, with room for an offset).
pub const MAX_TIMESTAMP: usize = 40;
/// Ids in one list (reordering properties, previews).
pub const MAX_IDS: usize = 10_000;
/// Strings bounded at this length or more are free text: they may hold line breaks and tabs.
pub const MULTILINE_FROM: usize = 500;
/// A query-string value or path segment that the document gives no tighter bound.
pub const MAX_PARAM: usize = 1_000;
/// Any string in a JSON body that the document gives no tighter bound.
pub const MAX_ANY_TEXT: usize = 20_000;
/// Any list in a JSON body that the document gives no tighter bound.
pub const MAX_ANY_LIST: usize = 10_000;
/// Files one item holds (uploaded by agents and customers together).
pub const MAX_ITEM_FILES: i64 = 100;

/// A bound the OpenAPI document states for one property of one schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// `maxLength`, in characters.
    Length(usize),
    /// `minLength` and `maxLength`, in characters.
    LengthRange(usize, usize),
    /// `maxItems`.
    Items(usize),
    /// `maxItems`, and `maxLength` of each item.
    ItemsOfLength(usize, usize),
}

/// (schema, property, bound) for every request body property.
pub const SCHEMA_LIMITS: &[(&str, &str, Bound)] = &[
    ("LoginRequest", "email", Bound::Length(MAX_EMAIL)),
    ("LoginRequest", "password", Bound::Length(MAX_PASSWORD_LEN)),
    ("ChangePasswordRequest", "current_password", Bound::Length(MAX_PASSWORD_LEN)),
    ("ChangePasswordRequest", "new_password", Bound::LengthRange(MIN_PASSWORD_LEN, MAX_PASSWORD_LEN)),
    ("ForgotPasswordRequest", "email", Bound::Length(MAX_EMAIL)),
    ("ResetPasswordRequest", "token", Bound::Length(MAX_RESET_TOKEN)),
    ("ResetPasswordRequest", "new_password", Bound::LengthRange(MIN_PASSWORD_LEN, MAX_PASSWORD_LEN)),
    ("CreateAgentRequest", "email", Bound::Length(MAX_EMAIL)),
    ("CreateAgentRequest", "name", Bound::Length(MAX_AGENT_NAME)),
    ("CreateAgentRequest", "password", Bound::Length(MAX_PASSWORD_LEN)),
    ("UpdateAgentRequest", "name", Bound::Length(MAX_AGENT_NAME)),
    ("CreateCustomerRequest", "email", Bound::Length(MAX_EMAIL)),
    ("CreateCustomerRequest", "first_name", Bound::Length(MAX_CUSTOMER_TEXT)),
    ("CreateCustomerRequest", "last_name", Bound::Length(MAX_CUSTOMER_TEXT)),
    ("CreateCustomerRequest", "phone", Bound::Length(MAX_PHONE)),
    ("UpdateCustomerRequest", "email", Bound::Length(MAX_EMAIL)),
    ("UpdateCustomerRequest", "first_name", Bound::Length(MAX_CUSTOMER_TEXT)),
    ("UpdateCustomerRequest", "last_name", Bound::Length(MAX_CUSTOMER_TEXT)),
    ("UpdateCustomerRequest", "position", Bound::Length(MAX_POSITION)),
    ("UpdateCustomerRequest", "phone", Bound::Length(MAX_PHONE)),
    ("CreateOrganizationRequest", "name", Bound::Length(MAX_CUSTOMER_TEXT)),
    ("CreateOrganizationRequest", "domains", Bound::ItemsOfLength(MAX_DOMAINS, MAX_DOMAIN)),
    ("UpdateOrganizationRequest", "name", Bound::Length(MAX_CUSTOMER_TEXT)),
    ("UpdateOrganizationRequest", "domains", Bound::ItemsOfLength(MAX_DOMAINS, MAX_DOMAIN)),
    ("MoveCustomersRequest", "customer_ids", Bound::Items(MAX_MOVE)),
    ("SharingChange", "add_customers", Bound::Items(MAX_IDS)),
    ("SharingChange", "add_organizations", Bound::Items(MAX_IDS)),
    ("SharingChange", "remove_customers", Bound::Items(MAX_IDS)),
    ("SharingChange", "remove_organizations", Bound::Items(MAX_IDS)),
    ("MovePreviewRequest", "customer_ids", Bound::Items(MAX_MOVE)),
    ("UpdateSettingsRequest", "extra_public_domains", Bound::ItemsOfLength(MAX_PUBLIC_DOMAINS, MAX_DOMAIN)),
    ("UpdateDetailRequest", "name", Bound::Length(MAX_CUSTOMER_TEXT)),
    ("UpdateDetailRequest", "summary", Bound::Length(MAX_SUMMARY)),
    ("DomainMatchRequest", "domain", Bound::Length(MAX_DOMAIN)),
    ("AddDomainRequest", "domain", Bound::Length(MAX_DOMAIN)),
    ("AddDomainRequest", "move_from_organizations", Bound::Items(100)),
    ("AddDomainRequest", "move_customers", Bound::Items(1000)),
    (
        "MergeRequest",
        "take_merged",
        Bound::ItemsOfLength(crate::api::merge::MAX_MERGE_CHOICES, crate::api::merge::MAX_MERGE_KEY),
    ),
    ("UpdateMemberRequest", "position", Bound::Length(MAX_POSITION)),
    ("ReplaceContactsRequest", "entries", Bound::Items(MAX_CONTACT_ENTRIES)),
    ("ContactEntry", "label", Bound::Length(MAX_CONTACT_LABEL)),
    ("ContactEntry", "value", Bound::Length(MAX_ADDRESS)),
    ("ReorderPropertiesRequest", "ids", Bound::Items(MAX_IDS)),
    ("PropertyDefinitionInput", "label", Bound::Length(MAX_CUSTOMER_TEXT)),
    ("PropertyDefinitionInput", "options", Bound::ItemsOfLength(MAX_OPTIONS, MAX_CUSTOMER_TEXT)),
    ("CreateNoteRequest", "body", Bound::Length(MAX_NOTE)),
    ("AddChildRequest", "create_name", Bound::Length(MAX_CUSTOMER_TEXT)),
    ("CreateProjectRequest", "name", Bound::Length(MAX_NAME)),
    ("CreateProjectRequest", "description", Bound::Length(MAX_BODY)),
    ("UpdateProjectRequest", "name", Bound::Length(MAX_NAME)),
    ("UpdateProjectRequest", "description", Bound::Length(MAX_BODY)),
    ("CreateItemRequest", "title", Bound::Length(MAX_TITLE)),
    ("CreateItemRequest", "description", Bound::Length(MAX_BODY)),
    ("UpdateItemRequest", "title", Bound::Length(MAX_TITLE)),
    ("UpdateItemRequest", "description", Bound::Length(MAX_BODY)),
    ("BulkUpdateItemsRequest", "items", Bound::Items(crate::api::tickets::MAX_BULK_ITEMS)),
    ("BulkItemRef", "updated_at", Bound::Length(MAX_TIMESTAMP)),
    ("CreateMessageRequest", "body", Bound::Length(MAX_BODY)),
    ("StartConversationRequest", "subject", Bound::Length(MAX_SUBJECT)),
    ("StartConversationRequest", "body", Bound::Length(MAX_BODY)),
    ("CreateConversationMessageRequest", "body", Bound::Length(MAX_BODY)),
    ("AcceptInvitationRequest", "password", Bound::LengthRange(MIN_PASSWORD_LEN, MAX_PASSWORD_LEN)),
    ("RegisterRequest", "email", Bound::Length(MAX_EMAIL)),
    ("RegisterRequest", "first_name", Bound::Length(MAX_CUSTOMER_TEXT)),
    ("RegisterRequest", "last_name", Bound::Length(MAX_CUSTOMER_TEXT)),
    ("RegisterRequest", "password", Bound::LengthRange(MIN_PASSWORD_LEN, MAX_PASSWORD_LEN)),
    ("VerifyEmailRequest", "token", Bound::Length(MAX_RESET_TOKEN)),
    ("UpdatePortalProfileRequest", "first_name", Bound::Length(MAX_CUSTOMER_TEXT)),
    ("UpdatePortalProfileRequest", "last_name", Bound::Length(MAX_CUSTOMER_TEXT)),
    ("CreatePortalMessageRequest", "body", Bound::Length(MAX_BODY)),
    ("CreatePortalItemRequest", "title", Bound::Length(MAX_TITLE)),
    ("CreatePortalItemRequest", "description", Bound::Length(MAX_BODY)),
    ("CreateRoutingRuleRequest", "name", Bound::Length(crate::api::routing::MAX_RULE_NAME)),
    ("CreateRoutingRuleRequest", "conditions", Bound::Items(crate::api::routing::MAX_CONDITIONS)),
    ("CreateRoutingRuleRequest", "actions", Bound::Items(crate::api::routing::MAX_ACTIONS)),
    ("UpdateRoutingRuleRequest", "name", Bound::Length(crate::api::routing::MAX_RULE_NAME)),
    ("UpdateRoutingRuleRequest", "conditions", Bound::Items(crate::api::routing::MAX_CONDITIONS)),
    ("UpdateRoutingRuleRequest", "actions", Bound::Items(crate::api::routing::MAX_ACTIONS)),
    ("PropertyTarget", "value", Bound::Length(crate::api::routing::MAX_TARGET_VALUE)),
    ("ReorderRoutingRulesRequest", "ids", Bound::Items(crate::api::routing::MAX_PROPERTY_RULES)),
    ("ImportOptions", "mapping", Bound::Items(crate::api::import::MAX_COLUMNS)),
    ("CreateImportPresetRequest", "name", Bound::Length(crate::api::import::MAX_PRESET_NAME)),
    ("CreateImportPresetRequest", "columns", Bound::Items(crate::api::import::MAX_COLUMNS)),
    ("PresetColumn", "header", Bound::Length(crate::api::import::MAX_HEADER_NAME)),
    ("CreateUsergroupRequest", "name", Bound::Length(crate::api::usergroups::MAX_USERGROUP_NAME)),
    ("CreateUsergroupRequest", "description", Bound::Length(crate::api::usergroups::MAX_USERGROUP_DESCRIPTION)),
    ("CreateUsergroupRequest", "project_ids", Bound::Items(crate::api::usergroups::MAX_USERGROUP_PROJECTS)),
    ("UpdateUsergroupRequest", "name", Bound::Length(crate::api::usergroups::MAX_USERGROUP_NAME)),
    ("UpdateUsergroupRequest", "description", Bound::Length(crate::api::usergroups::MAX_USERGROUP_DESCRIPTION)),
    ("UpdateUsergroupRequest", "project_ids", Bound::Items(crate::api::usergroups::MAX_USERGROUP_PROJECTS)),
];

/// The first character that text may not contain: NUL and the other C0 control
/// characters and DEL; multi-line text may contain line feed, carriage return and tab.
/// PostgreSQL cannot store NUL at all, so both databases refuse it here alike.
pub fn forbidden_character(text: &str, multiline: bool) -> Option<char> {
    text.chars().find(|&c| c.is_ascii_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')))
}

/// The message for a forbidden character, naming it as `U+0000`.
pub fn forbidden_character_message(c: char) -> String {
    format!("Remove the control character U+{:04X}.", u32::from(c))
}

/// The message for a string over its limit.
pub fn too_long_message(max: usize) -> String {
    format!("Use at most {max} characters.")
}

/// The message for a list over its limit.
pub fn too_many_message(max: usize) -> String {
    format!("Send at most {max} items.")
}

/// Whether a string is within `max` characters, counted without allocating and
/// stopping early (a megabyte of text is not walked to learn it is too long).
pub fn within_chars(text: &str, max: usize) -> bool {
    text.len() <= max || text.chars().nth(max).is_none()
}

/// De-duplicates in linear time, keeping the first of each and the order.
pub fn dedupe<T: std::hash::Hash + Eq + Clone>(items: impl IntoIterator<Item = T>) -> Vec<T> {
    let mut seen = std::collections::HashSet::new();
    items.into_iter().filter(|item| seen.insert(item.clone())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_and_control_characters_are_forbidden_in_single_line_text() {
        for (text, found) in [
            ("Acme", None),
            ("Ac\0me", Some('\0')),
            ("a\nb", Some('\n')),
            ("a\tb", Some('\t')),
            ("a\u{7f}", Some('\u{7f}')),
            ("Zürich – Ünïcode", None),
        ] {
            assert_eq!(forbidden_character(text, false), found, "{text:?}");
        }
    }

    #[test]
    fn multi_line_text_keeps_line_breaks_and_tabs_but_not_nul() {
        assert_eq!(forbidden_character("a\r\nb\tc", true), None);
        assert_eq!(forbidden_character("a\0b", true), Some('\0'));
        assert_eq!(forbidden_character("a\u{1b}[31m", true), Some('\u{1b}'));
    }

    #[test]
    fn within_chars_counts_characters_not_bytes() {
        assert!(within_chars("ééé", 3));
        assert!(!within_chars("éééé", 3));
        assert!(within_chars("", 0));
    }

    #[test]
    fn dedupe_keeps_the_first_of_each_in_order() {
        assert_eq!(dedupe(["b", "a", "b", "c", "a"]), vec!["b", "a", "c"]);
    }

    #[test]
    fn dedupe_of_80000_items_is_linear() {
        let items: Vec<String> = (0..80_000).map(|i| format!("d{}.example", i % 1000)).collect();
        assert_eq!(dedupe(items).len(), 1000);
    }

    #[test]
    fn every_schema_limit_is_positive() {
        for (schema, field, bound) in SCHEMA_LIMITS {
            let ok = match *bound {
                Bound::Length(n) | Bound::Items(n) => n > 0,
                Bound::LengthRange(a, b) => a <= b && b > 0,
                Bound::ItemsOfLength(a, b) => a > 0 && b > 0,
            };
            assert!(ok, "{schema}.{field}");
        }
    }
}
