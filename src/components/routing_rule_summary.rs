//! A routing rule read-only, as sentences: "When an item is created … and the item is
//! a ticket", then its actions in order ("Change project to Tasks for ACME Inc."),
//! with the names the server resolved and broken references marked. The words come
//! from core ([`describe_condition`], [`describe_action`]).

use leptos::prelude::*;
use orgdesk_core::api::routing::{Action, PropertyTarget, RefKind, ResolvedRef, RoutingRule};
use orgdesk_core::routing::{describe_action, describe_condition, references};

/// The reference action `index` makes, resolved (`None` for actions naming nothing).
fn action_ref(rule: &RoutingRule, index: usize) -> Option<&ResolvedRef> {
    let prefix = format!("actions[{index}].");
    let r = references(&rule.actions).into_iter().find(|r| r.field.starts_with(&prefix))?;
    rule.references.iter().find(|x| x.kind == r.kind && x.id == r.id)
}

/// Each action as a sentence, capitalized, with whether its reference is broken.
pub fn action_lines(rule: &RoutingRule) -> Vec<(String, Option<String>)> {
    rule.actions
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let resolved = action_ref(rule, i);
            // A broken reference has no name: "project #12" says which one it was.
            let name = resolved.map(|r| r.name.clone().unwrap_or_else(|| format!("{} #{}", r.kind.word(), r.id)));
            let text = capitalize(&describe_action(a, name.as_deref()));
            let text = match a {
                Action::AutoReply { template } => format!("{text}: \u{201c}{}\u{201d}", shorten(template, 120)),
                _ => text,
            };
            (text, resolved.and_then(|r| r.broken.clone()))
        })
        .collect()
}

/// "The project Old desk is archived — this rule is skipped".
pub fn broken_sentence(reason: &str) -> String {
    let mut s = reason.trim_end_matches('.').to_string();
    if let Some(first) = s.get(0..1) {
        s = first.to_uppercase() + &s[1..];
    }
    format!("{s} — this rule is skipped.")
}

/// Why the rule is skipped now, a sentence per broken reference.
pub fn broken_sentences(rule: &RoutingRule) -> Vec<String> {
    rule.references.iter().filter_map(|r| r.broken.as_deref().map(broken_sentence)).collect()
}

/// "Plan = Enterprise" (the property's label as the server resolved it).
pub fn target_text(rule: &RoutingRule) -> String {
    let Some(PropertyTarget { property_id, value }) = &rule.target else { return String::new() };
    let label = rule
        .references
        .iter()
        .find(|r| r.kind == RefKind::Property && r.id == *property_id)
        .and_then(|r| r.name.clone())
        .unwrap_or_else(|| format!("property #{property_id}"));
    let value = match value.as_str() {
        "true" => "ticked",
        "false" => "unticked",
        v => v,
    };
    format!("{label} = {value}")
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(max).collect::<String>())
    }
}

/// The trigger and conditions as one sentence, then the actions as a numbered list.
#[component]
pub fn RuleSummary(rule: RoutingRule) -> impl IntoView {
    let mut when = String::from("When an item is created by a member");
    for c in &rule.conditions {
        when.push_str(", and ");
        when.push_str(&describe_condition(c));
    }
    when.push(':');
    let lines = action_lines(&rule);
    view! {
        <div class="rule-summary">
            <p class="rule-summary__when">{when}</p>
            <ol class="rule-summary__actions">
                {lines.into_iter().map(|(text, broken)| {
                    let is_broken = broken.is_some();
                    view! {
                        <li class="rule-summary__action" class:rule-summary__action--broken=is_broken>
                            {text}
                            {broken.map(|b| view! { <span class="rule-summary__broken">{format!(" ({b})")}</span> })}
                        </li>
                    }
                }).collect_view()}
            </ol>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use orgdesk_core::api::routing::{Condition, ResolvedRef};
    use orgdesk_core::api::tickets::{ItemType, Priority};

    use super::*;

    fn rule() -> RoutingRule {
        RoutingRule {
            id: 1,
            name: "Enterprise".into(),
            enabled: true,
            organization_id: None,
            include_children: false,
            target: Some(PropertyTarget { property_id: 4, value: "Enterprise".into() }),
            conditions: vec![Condition::ItemType { item_type: ItemType::Ticket }],
            actions: vec![Action::SetPriority { priority: Priority::Urgent }, Action::ChangeProject { project_id: 12 }],
            position: 0,
            version: 1,
            references: vec![
                ResolvedRef { kind: RefKind::Property, id: 4, name: Some("Plan".into()), broken: None },
                ResolvedRef {
                    kind: RefKind::Project,
                    id: 12,
                    name: None,
                    broken: Some("Project #12 no longer exists".into()),
                },
            ],
            updated_at: "2026-11-30T05:00:00Z".into(),
        }
    }

    #[test]
    fn a_rule_reads_as_sentences_with_its_broken_reference() {
        let r = rule();
        assert_eq!(target_text(&r), "Plan = Enterprise");
        let lines = action_lines(&r);
        assert_eq!(lines[0], ("Set priority to Urgent".to_string(), None));
        assert_eq!(
            lines[1],
            ("Change project to project #12".to_string(), Some("Project #12 no longer exists".into()))
        );
        assert_eq!(broken_sentences(&r), vec!["Project #12 no longer exists — this rule is skipped.".to_string()]);
    }
}
