//! Routing rules, the pure part: checking a rule as an agent writes it, which
//! organizations a property-targeted rule reaches, the precedence of the rules that
//! apply to an item, and evaluating them. The server runs [`evaluate`] inside the
//! transaction that creates an item; the editor runs the same function in the
//! browser for its dry run, so what the dry run shows is what saving would do.
//!
//! Precedence: the organization's own rules, then rules inherited from its parents
//! (the nearest parent first), then property-targeted rules, each group in its
//! order. A disabled rule is passed over. A rule whose conditions all hold applies
//! its actions in order; "stop further rules" ends the walk after that rule. A rule
//! that names something that no longer exists (or cannot be used: an archived
//! project, a deactivated agent) is skipped whole, with the reason, and the walk
//! goes on. Actions never trigger rules again: evaluation happens once, at creation.

use std::collections::HashMap;

use serde_json::Value;

use crate::api::routing::{
    Action, Condition, CreateRoutingRuleRequest, EffectiveRule, ItemFacts, ItemSource, PropertyTarget, RefKind,
    ResolvedRef, RoutingRule, RuleOrigin, TextField, MAX_ACTIONS, MAX_CONDITIONS, MAX_CONTAINS, MAX_RULE_NAME,
    MAX_TARGET_VALUE, MAX_TEMPLATE,
};
use crate::api::tickets::{FollowerKind, ItemStatus, ItemType, Priority};
use crate::properties::{parse_date, PropertyDefinitionInput, PropertyKind};
use crate::word::Word;
use crate::FieldErrors;

impl Word for ItemSource {
    const ALL: &'static [ItemSource] = &[ItemSource::Agent, ItemSource::Portal];

    fn as_str(self) -> &'static str {
        match self {
            ItemSource::Agent => "agent",
            ItemSource::Portal => "portal",
        }
    }
}

/// The placeholders an automatic reply's template may use.
pub const PLACEHOLDERS: &[&str] =
    &["{customer.first_name}", "{customer.name}", "{item.id}", "{item.title}", "{organization.name}"];

/// A rule's name: trimmed, 1 to [`MAX_RULE_NAME`] characters, one line.
pub fn parse_rule_name(input: &str) -> Result<String, String> {
    let s = input.trim();
    if s.is_empty() {
        return Err("Name the rule.".into());
    }
    if s.chars().count() > MAX_RULE_NAME {
        return Err(format!("A rule's name has at most {MAX_RULE_NAME} characters."));
    }
    if s.chars().any(char::is_control) {
        return Err("A rule's name is one line, without control characters.".into());
    }
    Ok(s.to_string())
}

/// Checks a template: not blank, at most [`MAX_TEMPLATE`] characters, and every
/// `{…}` that looks like a placeholder is one of [`PLACEHOLDERS`].
pub fn check_template(template: &str) -> Result<String, String> {
    let t = template.trim();
    if t.is_empty() {
        return Err("Write the reply.".into());
    }
    if t.chars().count() > MAX_TEMPLATE {
        return Err(format!("A reply has at most {MAX_TEMPLATE} characters."));
    }
    for token in placeholder_tokens(t) {
        if !PLACEHOLDERS.contains(&token) {
            return Err(format!("{token} is not a placeholder; use one of {}.", PLACEHOLDERS.join(", ")));
        }
    }
    Ok(t.to_string())
}

/// Every `{name.name}` in the text (lower-case letters, digits, `_` and one dot).
fn placeholder_tokens(text: &str) -> impl Iterator<Item = &str> {
    text.match_indices('{').filter_map(move |(start, _)| {
        let rest = &text[start + 1..];
        let end = rest.find('}')?;
        let inner = &rest[..end];
        let looks_like = inner.contains('.')
            && !inner.is_empty()
            && inner.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.');
        looks_like.then(|| &text[start..start + end + 2])
    })
}

/// The template with its placeholders filled in (one pass, left to right, so a value
/// that itself looks like a placeholder stays as it is).
pub fn render_template(template: &str, facts: &ItemFacts) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let value = PLACEHOLDERS.iter().find(|p| tail.starts_with(**p)).map(|p| (p.len(), placeholder_value(p, facts)));
        match value {
            Some((len, v)) => {
                out.push_str(&v);
                rest = &tail[len..];
            }
            None => {
                out.push('{');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn placeholder_value(placeholder: &str, facts: &ItemFacts) -> String {
    match placeholder {
        "{customer.first_name}" => facts.customer_first_name.clone(),
        "{customer.name}" => facts.customer_name.clone(),
        "{item.id}" => facts.item_id.to_string(),
        "{item.title}" => facts.title.clone(),
        "{organization.name}" => facts.organization_name.clone(),
        _ => String::new(),
    }
}

/// A checked rule: trimmed name and texts, deduplicated priorities. Whether the
/// projects, agents, customers, organizations and property it names exist is the
/// server's to check ([`references`] lists them with their field names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidRule {
    pub name: String,
    pub conditions: Vec<Condition>,
    pub actions: Vec<Action>,
}

/// Checks a rule's name, conditions and actions; every bad field is named
/// (`name`, `conditions[2].text`, `actions[0].template`, ...).
pub fn validate_rule(name: &str, conditions: &[Condition], actions: &[Action]) -> Result<ValidRule, FieldErrors> {
    let mut errors = FieldErrors::new();
    let name = parse_rule_name(name).map_err(|e| errors.insert("name".into(), e)).unwrap_or_default();
    let conditions = check_conditions(conditions, &mut errors);
    let actions = check_actions(actions, &mut errors);
    if errors.is_empty() {
        Ok(ValidRule { name, conditions, actions })
    } else {
        Err(errors)
    }
}

/// [`validate_rule`] for a create request; a property target is checked by the server
/// against its definition ([`check_target_value`]).
pub fn validate_create(req: &CreateRoutingRuleRequest) -> Result<ValidRule, FieldErrors> {
    validate_rule(&req.name, &req.conditions, &req.actions)
}

fn check_conditions(conditions: &[Condition], errors: &mut FieldErrors) -> Vec<Condition> {
    if conditions.len() > MAX_CONDITIONS {
        errors.insert("conditions".into(), format!("A rule has at most {MAX_CONDITIONS} conditions."));
        return Vec::new();
    }
    let mut out = Vec::with_capacity(conditions.len());
    for (i, c) in conditions.iter().enumerate() {
        match c {
            Condition::TextContains { field, text } => {
                let t = text.trim();
                let problem = if t.is_empty() {
                    Some("Enter the text to look for.".to_string())
                } else if t.chars().count() > MAX_CONTAINS {
                    Some(format!("At most {MAX_CONTAINS} characters."))
                } else if t.chars().any(char::is_control) {
                    Some("One line of text, without control characters.".into())
                } else {
                    None
                };
                match problem {
                    Some(p) => {
                        errors.insert(format!("conditions[{i}].text"), p);
                    }
                    None => out.push(Condition::TextContains { field: *field, text: t.to_string() }),
                }
            }
            Condition::Priority { priorities } => {
                let mut ps: Vec<Priority> = Vec::new();
                for p in priorities.iter().take(Priority::ALL.len()) {
                    if !ps.contains(p) {
                        ps.push(*p);
                    }
                }
                if priorities.is_empty() || priorities.len() > Priority::ALL.len() {
                    errors.insert(format!("conditions[{i}].priorities"), "Choose one or more priorities.".into());
                } else {
                    ps.sort();
                    out.push(Condition::Priority { priorities: ps });
                }
            }
            other => out.push(other.clone()),
        }
    }
    out
}

fn check_actions(actions: &[Action], errors: &mut FieldErrors) -> Vec<Action> {
    if actions.is_empty() {
        errors.insert("actions".into(), "Add at least one action.".into());
        return Vec::new();
    }
    if actions.len() > MAX_ACTIONS {
        errors.insert("actions".into(), format!("A rule has at most {MAX_ACTIONS} actions."));
        return Vec::new();
    }
    let mut out = Vec::with_capacity(actions.len());
    let mut seen: Vec<&'static str> = Vec::new();
    for (i, a) in actions.iter().enumerate() {
        let once = match a {
            Action::ChangeProject { .. } => Some(("change_project", "A rule changes the project once.")),
            Action::AssignAgent { .. } => Some(("assign_agent", "A rule assigns an agent once.")),
            Action::SetPriority { .. } => Some(("set_priority", "A rule sets the priority once.")),
            Action::SetStatus { .. } => Some(("set_status", "A rule sets the status once.")),
            Action::StopRules => Some(("stop_rules", "\"Stop further rules\" is needed once.")),
            _ => None,
        };
        if let Some((kind, message)) = once {
            if seen.contains(&kind) {
                errors.insert(format!("actions[{i}]"), message.into());
                continue;
            }
            seen.push(kind);
        }
        match a {
            Action::AutoReply { template } => match check_template(template) {
                Ok(t) => out.push(Action::AutoReply { template: t }),
                Err(e) => {
                    errors.insert(format!("actions[{i}].template"), e);
                }
            },
            Action::ChangeProject { project_id: id }
            | Action::AssignAgent { agent_id: id }
            | Action::AddFollower { id, .. }
                if *id <= 0 =>
            {
                errors.insert(format!("actions[{i}].{}", reference_field(a)), "Choose from the list.".into());
            }
            other => out.push(other.clone()),
        }
    }
    out
}

/// The name of an action's reference field (`project_id`, `agent_id`, `id`).
fn reference_field(action: &Action) -> &'static str {
    match action {
        Action::ChangeProject { .. } => "project_id",
        Action::AssignAgent { .. } => "agent_id",
        _ => "id",
    }
}

/// A reference a rule makes, and the field that holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    pub kind: RefKind,
    pub id: i64,
    /// The error field: `actions[0].project_id`, `target.property_id`.
    pub field: String,
}

/// Every project, agent, customer and organization the actions name, with their fields.
pub fn references(actions: &[Action]) -> Vec<Reference> {
    actions
        .iter()
        .enumerate()
        .filter_map(|(i, a)| {
            let (kind, id) = match a {
                Action::ChangeProject { project_id } => (RefKind::Project, *project_id),
                Action::AssignAgent { agent_id } => (RefKind::Agent, *agent_id),
                Action::AddFollower { follower_kind: FollowerKind::Customer, id } => (RefKind::Customer, *id),
                Action::AddFollower { follower_kind: FollowerKind::Organization, id } => (RefKind::Organization, *id),
                _ => return None,
            };
            Some(Reference { kind, id, field: format!("actions[{i}].{}", reference_field(a)) })
        })
        .collect()
}

/// A property target's value checked against its field: one of the options of a
/// choice field, `true` or `false` for a checkbox, a number, a date, or one line of text.
pub fn check_target_value(def: &PropertyDefinitionInput, value: &str) -> Result<String, String> {
    let v = value.trim();
    if v.is_empty() {
        return Err("Enter the value organizations must have.".into());
    }
    if v.chars().count() > MAX_TARGET_VALUE || v.chars().any(char::is_control) {
        return Err(format!("One line of at most {MAX_TARGET_VALUE} characters."));
    }
    match def.kind {
        PropertyKind::SingleChoice | PropertyKind::MultipleChoice => def
            .options
            .iter()
            .find(|o| o.eq_ignore_ascii_case(v))
            .cloned()
            .ok_or_else(|| format!("\"{v}\" is not one of {}'s choices.", def.label)),
        PropertyKind::Checkbox => match v.to_ascii_lowercase().as_str() {
            "true" | "yes" | "ticked" => Ok("true".into()),
            "false" | "no" | "unticked" => Ok("false".into()),
            _ => Err("Choose ticked or unticked.".into()),
        },
        PropertyKind::Number => v
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(|_| v.to_string())
            .ok_or_else(|| "Enter a number.".into()),
        PropertyKind::Date => parse_date(v).map(|_| v.to_string()).ok_or_else(|| "Enter a date as YYYY-MM-DD.".into()),
        PropertyKind::Text | PropertyKind::LongText => Ok(v.to_string()),
    }
}

/// Whether an organization's stored property value matches a target value (text
/// regardless of case; a multiple choice when one of its choices is the value).
pub fn property_matches(kind: PropertyKind, stored: &Value, target: &str) -> bool {
    match (kind, stored) {
        (PropertyKind::MultipleChoice, Value::Array(items)) => {
            items.iter().any(|i| i.as_str().is_some_and(|s| s.eq_ignore_ascii_case(target)))
        }
        (PropertyKind::Checkbox, Value::Bool(b)) => target == if *b { "true" } else { "false" },
        (PropertyKind::Number, Value::Number(n)) => {
            matches!((n.as_f64(), target.parse::<f64>()), (Some(a), Ok(b)) if a == b)
        }
        (_, Value::String(s)) => s.trim().eq_ignore_ascii_case(target.trim()),
        _ => false,
    }
}

/// Whether a property target reaches an organization whose value of that property is `stored`.
pub fn target_matches(target: &PropertyTarget, kind: PropertyKind, stored: Option<&Value>) -> bool {
    stored.is_some_and(|v| property_matches(kind, v, &target.value))
}

/// Sorts the rules that apply to an item into their precedence: own, inherited
/// (nearest parent first), property-targeted; each by position, then id.
pub fn sort_by_precedence(rules: &mut [EffectiveRule]) {
    rules.sort_by_key(|r| {
        let (group, depth) = match &r.origin {
            RuleOrigin::Own => (0, 0),
            RuleOrigin::Inherited { depth, .. } => (1, *depth),
            RuleOrigin::Property { .. } => (2, 0),
        };
        (group, depth, r.rule.position, r.rule.id)
    });
}

/// The documented precedence, as the routing section and Administration > Routing say it.
pub const PRECEDENCE: &str = "Rules run in this order: the organization's own rules, then rules inherited from its \
     parents (nearest first), then rules for organizations with a property value, each group in its order. A rule \
     with \"Stop further rules\" ends the walk.";

/// Names what rules refer to, or says why a reference cannot be used.
pub trait Lookup {
    /// The name to show for `id`, or why it cannot be used (deleted, archived, deactivated).
    fn resolve(&self, kind: RefKind, id: i64) -> Result<String, String>;
}

impl RefKind {
    /// The word for messages: "project", "agent", ...
    pub fn word(self) -> &'static str {
        match self {
            RefKind::Project => "project",
            RefKind::Agent => "agent",
            RefKind::Customer => "customer",
            RefKind::Organization => "organization",
            RefKind::Property => "property",
        }
    }
}

/// Why a reference to something that is not there cannot be used: "Project #12 no longer exists".
pub fn missing_reason(kind: RefKind, id: i64) -> String {
    let word = kind.word();
    let mut c = word.chars();
    let capital: String = c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default();
    format!("{capital} #{id} no longer exists")
}

/// The names of what rules refer to, each a name or why it cannot be used; what it
/// does not hold [`missing_reason`] explains. The server fills it in bulk from the
/// database, the editor from a rule's resolved references and its pickers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameMap(HashMap<(RefKind, i64), Result<String, String>>);

impl NameMap {
    /// A usable reference and its name.
    pub fn usable(&mut self, kind: RefKind, id: i64, name: String) {
        self.0.insert((kind, id), Ok(name));
    }

    /// A reference that cannot be used, and why.
    pub fn unusable(&mut self, kind: RefKind, id: i64, reason: String) {
        self.0.insert((kind, id), Err(reason));
    }

    pub fn get(&self, kind: RefKind, id: i64) -> Option<&Result<String, String>> {
        self.0.get(&(kind, id))
    }

    /// The name of a usable reference.
    pub fn name(&self, kind: RefKind, id: i64) -> Option<String> {
        self.get(kind, id).and_then(|r| r.as_ref().ok().cloned())
    }

    /// Why a reference it holds cannot be used.
    pub fn broken(&self, kind: RefKind, id: i64) -> Option<String> {
        self.get(kind, id).and_then(|r| r.as_ref().err().cloned())
    }

    /// What the server resolved for a rule.
    pub fn from_references(references: &[ResolvedRef]) -> Self {
        let mut names = Self::default();
        for r in references {
            match (&r.broken, &r.name) {
                (Some(reason), _) => names.unusable(r.kind, r.id, reason.clone()),
                (None, Some(name)) => names.usable(r.kind, r.id, name.clone()),
                (None, None) => names.unusable(r.kind, r.id, missing_reason(r.kind, r.id)),
            }
        }
        names
    }
}

impl Lookup for NameMap {
    fn resolve(&self, kind: RefKind, id: i64) -> Result<String, String> {
        self.get(kind, id).cloned().unwrap_or_else(|| Err(missing_reason(kind, id)))
    }
}

/// What one action did to the item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Project { project_id: i64, name: String },
    Assignee { agent_id: i64, name: String },
    Priority(Priority),
    Status(ItemStatus),
    Follower { kind: FollowerKind, id: i64, name: String },
    Reply { body: String },
    Stop,
}

/// An effect, and the rule that had it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub rule_id: i64,
    pub rule_name: String,
    pub effect: Effect,
}

impl Applied {
    /// The history line: "Routing rule 'ACME tasks' moved this ticket to project Tasks for ACME Inc."
    pub fn summary(&self, item_type: ItemType) -> String {
        let this = match item_type {
            ItemType::Ticket => "this ticket",
            ItemType::Task => "this task",
        };
        let what = match &self.effect {
            Effect::Project { name, .. } => format!("moved {this} to project {name}"),
            Effect::Assignee { name, .. } => format!("assigned {this} to {name}"),
            Effect::Priority(p) => format!("set the priority to {}", p.label()),
            Effect::Status(s) => format!("set the status to {}", s.label()),
            Effect::Follower { kind: FollowerKind::Customer, name, .. } => format!("added {name} as a follower"),
            Effect::Follower { kind: FollowerKind::Organization, name, .. } => {
                format!("added the members of {name} as followers")
            }
            Effect::Reply { .. } => "sent an automatic reply to the requester".into(),
            Effect::Stop => "stopped further routing rules".into(),
        };
        let end = if what.ends_with('.') { "" } else { "." };
        format!("Routing rule '{}' {what}{end}", self.rule_name)
    }
}

/// A rule passed over because of a broken reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub rule_id: i64,
    pub rule_name: String,
    pub reason: String,
}

impl Skipped {
    pub fn summary(&self) -> String {
        format!("Routing rule '{}' was skipped: {}", self.rule_name, self.reason)
    }
}

/// What the rules did: the item's fields afterwards, every effect in order, the
/// rules skipped, and the rules that matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub facts: ItemFacts,
    pub applied: Vec<Applied>,
    pub skipped: Vec<Skipped>,
    pub matched: Vec<i64>,
}

impl Outcome {
    pub fn changed(&self) -> bool {
        !self.applied.is_empty()
    }
}

/// Whether every condition holds for the item.
pub fn matches(conditions: &[Condition], facts: &ItemFacts) -> bool {
    conditions.iter().all(|c| holds(c, facts))
}

fn holds(condition: &Condition, facts: &ItemFacts) -> bool {
    match condition {
        Condition::ItemType { item_type } => facts.item_type == *item_type,
        Condition::TextContains { field, text } => {
            let needle = text.to_lowercase();
            let title = || facts.title.to_lowercase().contains(&needle);
            let description = || facts.description.to_lowercase().contains(&needle);
            match field {
                TextField::Title => title(),
                TextField::Description => description(),
                TextField::TitleOrDescription => title() || description(),
            }
        }
        Condition::Priority { priorities } => priorities.contains(&facts.priority),
        Condition::RequesterIsManager { is_manager } => facts.requester_is_manager == *is_manager,
        Condition::Source { source } => facts.source == *source,
    }
}

/// Runs the rules, already in precedence order, over a new item.
pub fn evaluate<'a>(
    rules: impl IntoIterator<Item = &'a RoutingRule>,
    facts: &ItemFacts,
    lookup: &impl Lookup,
) -> Outcome {
    let mut out = Outcome { facts: facts.clone(), applied: Vec::new(), skipped: Vec::new(), matched: Vec::new() };
    for rule in rules {
        if !rule.enabled || !matches(&rule.conditions, &out.facts) {
            continue;
        }
        let mut names = Vec::new();
        let mut broken = None;
        for r in references(&rule.actions) {
            match lookup.resolve(r.kind, r.id) {
                Ok(name) => names.push(name),
                Err(reason) => {
                    broken = Some(reason);
                    break;
                }
            }
        }
        if let Some(reason) = broken {
            out.skipped.push(Skipped { rule_id: rule.id, rule_name: rule.name.clone(), reason });
            continue;
        }
        out.matched.push(rule.id);
        let mut names = names.into_iter();
        let mut stop = false;
        for action in &rule.actions {
            let effect = apply(action, &mut out.facts, &mut names);
            stop |= matches!(effect, Some(Effect::Stop));
            if let Some(effect) = effect {
                out.applied.push(Applied { rule_id: rule.id, rule_name: rule.name.clone(), effect });
            }
        }
        if stop {
            break;
        }
    }
    out
}

/// Applies one action to the facts; `None` when it changes nothing (the item is
/// already in that project, at that priority, ...).
fn apply(action: &Action, facts: &mut ItemFacts, names: &mut impl Iterator<Item = String>) -> Option<Effect> {
    match action {
        Action::ChangeProject { project_id } => {
            let name = names.next().unwrap_or_default();
            (facts.project_id != *project_id).then(|| {
                facts.project_id = *project_id;
                facts.project_name = name.clone();
                Effect::Project { project_id: *project_id, name }
            })
        }
        Action::AssignAgent { agent_id } => {
            let name = names.next().unwrap_or_default();
            (facts.assignee_id != Some(*agent_id)).then(|| {
                facts.assignee_id = Some(*agent_id);
                Effect::Assignee { agent_id: *agent_id, name }
            })
        }
        Action::SetPriority { priority } => (facts.priority != *priority).then(|| {
            facts.priority = *priority;
            Effect::Priority(*priority)
        }),
        Action::SetStatus { status } => (facts.status != *status).then(|| {
            facts.status = *status;
            Effect::Status(*status)
        }),
        Action::AddFollower { follower_kind, id } => {
            let name = names.next().unwrap_or_default();
            Some(Effect::Follower { kind: *follower_kind, id: *id, name })
        }
        Action::AutoReply { template } => Some(Effect::Reply { body: render_template(template, facts) }),
        Action::StopRules => Some(Effect::Stop),
    }
}

/// The condition as the editor's read-only lists say it.
pub fn describe_condition(condition: &Condition) -> String {
    match condition {
        Condition::ItemType { item_type } => format!("the item is a {}", item_type.label().to_lowercase()),
        Condition::TextContains { field, text } => {
            let f = match field {
                TextField::Title => "the title",
                TextField::Description => "the description",
                TextField::TitleOrDescription => "the title or description",
            };
            format!("{f} contains \"{text}\"")
        }
        Condition::Priority { priorities } => {
            let ps: Vec<&str> = priorities.iter().map(|p| p.label()).collect();
            format!("the priority is {}", ps.join(" or "))
        }
        Condition::RequesterIsManager { is_manager: true } => "the requester is a manager".into(),
        Condition::RequesterIsManager { is_manager: false } => "the requester is not a manager".into(),
        Condition::Source { source: ItemSource::Portal } => "it was created in the customer portal".into(),
        Condition::Source { source: ItemSource::Agent } => "it was created by an agent".into(),
    }
}

/// The action as the editor's read-only lists say it, with `name` the resolved
/// reference (or a placeholder for a broken one).
pub fn describe_action(action: &Action, name: Option<&str>) -> String {
    let name = name.unwrap_or("(missing)");
    match action {
        Action::ChangeProject { .. } => format!("change project to {name}"),
        Action::AssignAgent { .. } => format!("assign to {name}"),
        Action::SetPriority { priority } => format!("set priority to {}", priority.label()),
        Action::SetStatus { status } => format!("set status to {}", status.label()),
        Action::AddFollower { follower_kind: FollowerKind::Customer, .. } => format!("add {name} as a follower"),
        Action::AddFollower { follower_kind: FollowerKind::Organization, .. } => {
            format!("add the members of {name} as followers")
        }
        Action::AutoReply { .. } => "send an automatic reply".into(),
        Action::StopRules => "stop further rules".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::routing::RULE_FORMAT_VERSION;

    fn names() -> NameMap {
        let mut m = NameMap::default();
        m.usable(RefKind::Project, 10, "Tasks for ACME Inc.".into());
        m.usable(RefKind::Project, 11, "Enterprise desk".into());
        m.unusable(RefKind::Project, 12, "the project Old is archived".into());
        m.usable(RefKind::Agent, 5, "Alice Agent".into());
        m.usable(RefKind::Customer, 7, "Bob Buyer".into());
        m.usable(RefKind::Organization, 3, "ACME".into());
        m
    }

    fn facts() -> ItemFacts {
        ItemFacts {
            item_id: 42,
            item_type: ItemType::Ticket,
            title: "Printer on fire".into(),
            description: "The invoice printer is smoking.".into(),
            priority: Priority::Normal,
            status: ItemStatus::New,
            project_id: 1,
            project_name: "Support".into(),
            assignee_id: None,
            source: ItemSource::Portal,
            requester_is_manager: false,
            customer_first_name: "Ava".into(),
            customer_name: "Ava Adams".into(),
            organization_name: "ACME".into(),
        }
    }

    fn rule(id: i64, name: &str, conditions: Vec<Condition>, actions: Vec<Action>) -> RoutingRule {
        RoutingRule {
            id,
            name: name.into(),
            enabled: true,
            organization_id: Some(3),
            include_children: false,
            target: None,
            conditions,
            actions,
            position: id,
            version: 1,
            references: Vec::new(),
            updated_at: String::new(),
        }
    }

    fn to_project(id: i64) -> Action {
        Action::ChangeProject { project_id: id }
    }

    #[test]
    fn a_rule_without_conditions_moves_every_item_and_names_itself_in_the_history() {
        let r = rule(1, "ACME tasks", vec![], vec![to_project(10)]);
        let out = evaluate([&r], &facts(), &names());
        assert_eq!(out.facts.project_id, 10);
        assert_eq!(out.facts.project_name, "Tasks for ACME Inc.");
        assert_eq!(out.matched, [1]);
        assert_eq!(
            out.applied[0].summary(ItemType::Ticket),
            "Routing rule 'ACME tasks' moved this ticket to project Tasks for ACME Inc."
        );
    }

    #[test]
    fn every_condition_is_checked() {
        let f = facts();
        let cases: Vec<(Condition, bool)> = vec![
            (Condition::ItemType { item_type: ItemType::Ticket }, true),
            (Condition::ItemType { item_type: ItemType::Task }, false),
            (Condition::TextContains { field: TextField::Title, text: "PRINTER".into() }, true),
            (Condition::TextContains { field: TextField::Title, text: "invoice".into() }, false),
            (Condition::TextContains { field: TextField::Description, text: "invoice".into() }, true),
            (Condition::TextContains { field: TextField::Description, text: "fire".into() }, false),
            (Condition::TextContains { field: TextField::TitleOrDescription, text: "smoking".into() }, true),
            (Condition::TextContains { field: TextField::TitleOrDescription, text: "toner".into() }, false),
            (Condition::Priority { priorities: vec![Priority::Normal, Priority::High] }, true),
            (Condition::Priority { priorities: vec![Priority::Urgent] }, false),
            (Condition::RequesterIsManager { is_manager: false }, true),
            (Condition::RequesterIsManager { is_manager: true }, false),
            (Condition::Source { source: ItemSource::Portal }, true),
            (Condition::Source { source: ItemSource::Agent }, false),
        ];
        for (c, expected) in cases {
            assert_eq!(matches(std::slice::from_ref(&c), &f), expected, "{c:?}");
        }
        let all =
            [Condition::ItemType { item_type: ItemType::Ticket }, Condition::Source { source: ItemSource::Agent }];
        assert!(!matches(&all, &f), "all conditions must hold");
    }

    #[test]
    fn every_action_changes_the_item_and_says_so() {
        let r = rule(
            1,
            "Everything",
            vec![],
            vec![
                to_project(10),
                Action::AssignAgent { agent_id: 5 },
                Action::SetPriority { priority: Priority::High },
                Action::SetStatus { status: ItemStatus::Open },
                Action::AddFollower { follower_kind: FollowerKind::Customer, id: 7 },
                Action::AddFollower { follower_kind: FollowerKind::Organization, id: 3 },
                Action::AutoReply { template: "Hi {customer.first_name}, #{item.id} for {organization.name}.".into() },
                Action::StopRules,
            ],
        );
        let out = evaluate([&r], &facts(), &names());
        assert_eq!(
            (out.facts.project_id, out.facts.assignee_id, out.facts.priority, out.facts.status),
            (10, Some(5), Priority::High, ItemStatus::Open)
        );
        let lines: Vec<String> = out.applied.iter().map(|a| a.summary(ItemType::Task)).collect();
        assert_eq!(
            lines,
            [
                "Routing rule 'Everything' moved this task to project Tasks for ACME Inc.",
                "Routing rule 'Everything' assigned this task to Alice Agent.",
                "Routing rule 'Everything' set the priority to High.",
                "Routing rule 'Everything' set the status to Open.",
                "Routing rule 'Everything' added Bob Buyer as a follower.",
                "Routing rule 'Everything' added the members of ACME as followers.",
                "Routing rule 'Everything' sent an automatic reply to the requester.",
                "Routing rule 'Everything' stopped further routing rules.",
            ]
        );
        assert_eq!(out.applied[6].effect, Effect::Reply { body: "Hi Ava, #42 for ACME.".into() });
    }

    #[test]
    fn an_action_that_changes_nothing_is_not_recorded() {
        let f = ItemFacts { project_id: 10, ..facts() };
        let r = rule(1, "Same", vec![], vec![to_project(10), Action::SetPriority { priority: Priority::Normal }]);
        let out = evaluate([&r], &f, &names());
        assert!(!out.changed());
        assert_eq!(out.matched, [1], "it still matched");
    }

    #[test]
    fn rules_run_in_order_and_a_later_one_wins() {
        let a = rule(1, "First", vec![], vec![to_project(10), Action::SetPriority { priority: Priority::High }]);
        let b = rule(2, "Second", vec![], vec![to_project(11)]);
        let out = evaluate([&a, &b], &facts(), &names());
        assert_eq!(out.facts.project_id, 11);
        assert_eq!(out.facts.priority, Priority::High);
        assert_eq!(out.matched, [1, 2]);
    }

    #[test]
    fn a_later_rule_sees_what_an_earlier_one_changed() {
        let a = rule(1, "Escalate", vec![], vec![Action::SetPriority { priority: Priority::Urgent }]);
        let b = rule(
            2,
            "Urgent desk",
            vec![Condition::Priority { priorities: vec![Priority::Urgent] }],
            vec![to_project(11)],
        );
        assert_eq!(evaluate([&a, &b], &facts(), &names()).facts.project_id, 11);
        assert_eq!(evaluate([&b, &a], &facts(), &names()).facts.project_id, 1);
    }

    #[test]
    fn stop_ends_the_walk_after_its_own_actions() {
        let a = rule(1, "Stopper", vec![], vec![Action::StopRules, to_project(10)]);
        let b = rule(2, "Never", vec![], vec![to_project(11)]);
        let out = evaluate([&a, &b], &facts(), &names());
        assert_eq!(out.facts.project_id, 10, "the stopping rule's own actions all run");
        assert_eq!(out.matched, [1]);
    }

    #[test]
    fn a_stop_in_a_rule_that_does_not_match_stops_nothing() {
        let a = rule(1, "Tasks only", vec![Condition::ItemType { item_type: ItemType::Task }], vec![Action::StopRules]);
        let b = rule(2, "Then", vec![], vec![to_project(11)]);
        assert_eq!(evaluate([&a, &b], &facts(), &names()).facts.project_id, 11);
    }

    #[test]
    fn disabled_rules_are_passed_over() {
        let mut a = rule(1, "Off", vec![], vec![to_project(10), Action::StopRules]);
        a.enabled = false;
        let b = rule(2, "On", vec![], vec![to_project(11)]);
        let out = evaluate([&a, &b], &facts(), &names());
        assert_eq!(out.facts.project_id, 11);
        assert!(out.skipped.is_empty());
    }

    #[test]
    fn a_dangling_reference_skips_the_whole_rule_with_its_reason_and_the_walk_goes_on() {
        let a = rule(1, "Gone", vec![], vec![Action::SetPriority { priority: Priority::High }, to_project(99)]);
        let b = rule(2, "Archived", vec![], vec![to_project(12)]);
        let c = rule(3, "Fine", vec![], vec![Action::AssignAgent { agent_id: 5 }]);
        let out = evaluate([&a, &b, &c], &facts(), &names());
        assert_eq!(out.facts.priority, Priority::Normal, "nothing of the broken rule applies");
        assert_eq!(out.facts.assignee_id, Some(5));
        assert_eq!(
            out.skipped.iter().map(Skipped::summary).collect::<Vec<_>>(),
            [
                "Routing rule 'Gone' was skipped: Project #99 no longer exists",
                "Routing rule 'Archived' was skipped: the project Old is archived"
            ]
        );
    }

    fn effective(origin: RuleOrigin, id: i64, position: i64) -> EffectiveRule {
        let mut r = rule(id, &format!("r{id}"), vec![], vec![to_project(10)]);
        r.position = position;
        EffectiveRule { origin, rule: r }
    }

    fn inherited(depth: u32) -> RuleOrigin {
        RuleOrigin::Inherited { organization_id: 100 + i64::from(depth), organization_name: "Parent".into(), depth }
    }

    #[test]
    fn precedence_is_own_then_inherited_nearest_first_then_property_each_in_order() {
        let property = || RuleOrigin::Property { property_label: "Plan".into(), value: "Enterprise".into() };
        let mut rules = vec![
            effective(property(), 1, 0),
            effective(inherited(2), 2, 0),
            effective(RuleOrigin::Own, 3, 1),
            effective(inherited(1), 4, 1),
            effective(inherited(1), 5, 0),
            effective(RuleOrigin::Own, 6, 0),
            effective(property(), 7, -1),
        ];
        sort_by_precedence(&mut rules);
        assert_eq!(rules.iter().map(|r| r.rule.id).collect::<Vec<_>>(), [6, 3, 5, 4, 2, 7, 1]);
    }

    #[test]
    fn an_inherited_rule_applies_after_the_organizations_own_and_a_stop_there_blocks_it() {
        let mut rules = vec![effective(inherited(1), 1, 0), effective(RuleOrigin::Own, 2, 0)];
        rules[1].rule.actions = vec![to_project(11)];
        sort_by_precedence(&mut rules);
        let out = evaluate(rules.iter().map(|r| &r.rule), &facts(), &names());
        assert_eq!(out.facts.project_id, 10, "the parent's rule runs last and wins");
        rules[0].rule.actions.push(Action::StopRules);
        let out = evaluate(rules.iter().map(|r| &r.rule), &facts(), &names());
        assert_eq!(out.facts.project_id, 11, "the organization's own stop keeps the parent's rule out");
    }

    #[test]
    fn property_targets_match_by_kind() {
        use serde_json::json;
        assert!(property_matches(PropertyKind::SingleChoice, &json!("Enterprise"), "enterprise"));
        assert!(!property_matches(PropertyKind::SingleChoice, &json!("Starter"), "Enterprise"));
        assert!(property_matches(PropertyKind::MultipleChoice, &json!(["EU", "Enterprise"]), "Enterprise"));
        assert!(!property_matches(PropertyKind::MultipleChoice, &json!(["EU"]), "Enterprise"));
        assert!(property_matches(PropertyKind::Checkbox, &json!(true), "true"));
        assert!(!property_matches(PropertyKind::Checkbox, &json!(false), "true"));
        assert!(property_matches(PropertyKind::Number, &json!(5), "5.0"));
        assert!(!property_matches(PropertyKind::Number, &json!(5), "6"));
        assert!(property_matches(PropertyKind::Text, &json!(" Gold "), "gold"));
        assert!(property_matches(PropertyKind::Date, &json!("2026-01-31"), "2026-01-31"));
        let target = PropertyTarget { property_id: 1, value: "Enterprise".into() };
        assert!(!target_matches(&target, PropertyKind::SingleChoice, None), "no value never matches");
    }

    #[test]
    fn target_values_are_checked_against_their_field() {
        let def = |kind, options: &[&str]| PropertyDefinitionInput {
            label: "Plan".into(),
            kind,
            required: false,
            options: options.iter().map(|s| s.to_string()).collect(),
        };
        let plan = def(PropertyKind::SingleChoice, &["Starter", "Enterprise"]);
        assert_eq!(check_target_value(&plan, " enterprise ").unwrap(), "Enterprise");
        assert!(check_target_value(&plan, "Gold").unwrap_err().contains("not one of Plan's choices"));
        assert_eq!(check_target_value(&def(PropertyKind::Checkbox, &[]), "Yes").unwrap(), "true");
        assert!(check_target_value(&def(PropertyKind::Number, &[]), "many").is_err());
        assert!(check_target_value(&def(PropertyKind::Date, &[]), "2026-13-01").is_err());
        assert!(check_target_value(&def(PropertyKind::Text, &[]), "  ").is_err());
        assert!(check_target_value(&def(PropertyKind::Text, &[]), "a\nb").is_err());
    }

    #[test]
    fn templates_fill_known_placeholders_once_and_refuse_unknown_ones() {
        let mut f = facts();
        f.title = "{organization.name}".into();
        assert_eq!(render_template("Re #{item.id}: {item.title} {x} {", &f), "Re #42: {organization.name} {x} {");
        assert_eq!(check_template(" Hello {customer.first_name} ").unwrap(), "Hello {customer.first_name}");
        assert!(check_template("Hi {customer.phone}").unwrap_err().contains("{customer.phone} is not a placeholder"));
        assert!(check_template("Braces {like this} are text").is_ok());
        assert!(check_template("  ").is_err());
        assert!(check_template(&"x".repeat(MAX_TEMPLATE + 1)).is_err());
    }

    #[test]
    fn a_rule_names_every_bad_field() {
        let errors = validate_rule(
            " ",
            &[
                Condition::TextContains { field: TextField::Title, text: "  ".into() },
                Condition::Priority { priorities: vec![] },
            ],
            &[
                to_project(0),
                Action::AutoReply { template: "{item.nope}".into() },
                Action::SetStatus { status: ItemStatus::Open },
                Action::SetStatus { status: ItemStatus::Closed },
            ],
        )
        .unwrap_err();
        assert_eq!(
            errors.keys().map(String::as_str).collect::<Vec<_>>(),
            [
                "actions[0].project_id",
                "actions[1].template",
                "actions[3]",
                "conditions[0].text",
                "conditions[1].priorities",
                "name"
            ]
        );
        assert!(validate_rule("No actions", &[], &[]).unwrap_err().contains_key("actions"));
        let many = vec![Condition::Source { source: ItemSource::Agent }; MAX_CONDITIONS + 1];
        assert!(validate_rule("Many", &many, &[Action::StopRules]).unwrap_err().contains_key("conditions"));
    }

    #[test]
    fn a_valid_rule_is_trimmed_and_its_priorities_deduplicated() {
        let ok = validate_rule(
            "  ACME tasks ",
            &[
                Condition::TextContains { field: TextField::Title, text: " invoice ".into() },
                Condition::Priority { priorities: vec![Priority::Urgent, Priority::Low, Priority::Urgent] },
            ],
            &[to_project(10)],
        )
        .unwrap();
        assert_eq!(ok.name, "ACME tasks");
        assert_eq!(ok.conditions[0], Condition::TextContains { field: TextField::Title, text: "invoice".into() });
        assert_eq!(ok.conditions[1], Condition::Priority { priorities: vec![Priority::Low, Priority::Urgent] });
    }

    #[test]
    fn references_name_their_fields() {
        let refs = references(&[
            Action::StopRules,
            to_project(10),
            Action::AddFollower { follower_kind: FollowerKind::Organization, id: 3 },
        ]);
        assert_eq!(refs[0], Reference { kind: RefKind::Project, id: 10, field: "actions[1].project_id".into() });
        assert_eq!(refs[1], Reference { kind: RefKind::Organization, id: 3, field: "actions[2].id".into() });
    }

    #[test]
    fn the_stored_json_is_stable() {
        let def = crate::api::routing::RuleDefinition {
            format: RULE_FORMAT_VERSION,
            conditions: vec![Condition::ItemType { item_type: ItemType::Ticket }],
            actions: vec![to_project(10), Action::StopRules],
        };
        let json = serde_json::to_string(&def).unwrap();
        assert_eq!(
            json,
            r#"{"format":1,"conditions":[{"kind":"item_type","item_type":"ticket"}],"actions":[{"kind":"change_project","project_id":10},{"kind":"stop_rules"}]}"#
        );
        assert_eq!(serde_json::from_str::<crate::api::routing::RuleDefinition>(&json).unwrap(), def);
        assert!(serde_json::from_str::<Action>(r#"{"kind":"launch_rockets"}"#).is_err());
    }

    #[test]
    fn names_come_from_resolved_references_and_what_is_missing_no_longer_exists() {
        let resolved = |kind, id, name: Option<&str>, broken: Option<&str>| ResolvedRef {
            kind,
            id,
            name: name.map(Into::into),
            broken: broken.map(Into::into),
        };
        let names = NameMap::from_references(&[
            resolved(RefKind::Project, 10, Some("Tasks"), None),
            resolved(RefKind::Agent, 5, Some("Alice"), Some("Alice is deactivated")),
            resolved(RefKind::Customer, 7, None, None),
        ]);
        assert_eq!(names.resolve(RefKind::Project, 10), Ok("Tasks".into()));
        assert_eq!(names.resolve(RefKind::Agent, 5), Err("Alice is deactivated".into()));
        assert_eq!(names.broken(RefKind::Customer, 7).as_deref(), Some("Customer #7 no longer exists"));
        assert_eq!(names.resolve(RefKind::Organization, 3), Err("Organization #3 no longer exists".into()));
        assert_eq!(names.name(RefKind::Project, 11), None);
    }

    #[test]
    fn descriptions_read_as_sentences() {
        assert_eq!(
            describe_condition(&Condition::TextContains { field: TextField::TitleOrDescription, text: "VPN".into() }),
            "the title or description contains \"VPN\""
        );
        assert_eq!(describe_action(&to_project(10), Some("Tasks")), "change project to Tasks");
        assert_eq!(describe_action(&to_project(10), None), "change project to (missing)");
    }
}
