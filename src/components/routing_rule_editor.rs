//! One routing rule's visual editor: name, switches, the trigger line, conditions and
//! actions added from menus (no text syntax), each row with Move up, Move down and
//! Remove; for an organization's rule a dry run over its last items (evaluated here
//! with the core code the server runs) and a warning when "Change project" points at
//! a project people outside the organization follow.

use std::sync::atomic::{AtomicU64, Ordering};

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use orgdesk_core::api::organization::PropertyDefinition;
use orgdesk_core::api::routing::{
    Action, Condition, CreateRoutingRuleRequest, ItemFacts, ItemSource, PropertyTarget, RefKind, RoutingRule,
    TextField as TextPart, UpdateRoutingRuleRequest, MAX_ACTIONS, MAX_CONDITIONS,
};
use orgdesk_core::api::tickets::{FollowerKind, ItemStatus, ItemType, Priority};
use orgdesk_core::error::ErrorCode;
use orgdesk_core::properties::PropertyKind;
use orgdesk_core::routing::{evaluate, matches, references, NameMap, PLACEHOLDERS};
use orgdesk_core::word::Word;
use orgdesk_core::FieldErrors;

use crate::api::{self, ApiError};
use crate::components::error_notice::ErrorNotice;
use crate::components::menu_button::{MenuButton, MenuEntry};
use crate::components::routing_rule_summary::broken_sentence;
use crate::components::search_picker::{Pick, PickerKind, SearchPicker};
use crate::components::select_field::SelectField;
use crate::forms::focus_after_render;

/// Where a rule lives: an organization (dry run + exposure warning available), or the
/// property-targeted list (the editor then also shows the target: a property select
/// from /api/properties and a value field/select).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RuleScope {
    Organization(i64),
    Property,
}

/// The sentence every rule starts with (read-only: rules run when an item is created).
pub fn trigger_sentence(scope: RuleScope) -> &'static str {
    match scope {
        RuleScope::Organization(_) => "When an item is created by a member of this organization",
        RuleScope::Property => "When an item is created by a member of an organization with this property value",
    }
}

static NEXT_KEY: AtomicU64 = AtomicU64::new(1);

fn next_key() -> u64 {
    NEXT_KEY.fetch_add(1, Ordering::Relaxed)
}

/// A condition or action row: a stable key (for the list and ids) and its value.
struct Row<T: Send + Sync + 'static> {
    key: u64,
    value: RwSignal<T>,
}

impl<T: Send + Sync + 'static> Clone for Row<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Row<T> {}

impl<T: Send + Sync + 'static> Row<T> {
    fn new(value: T) -> Self {
        Self { key: next_key(), value: RwSignal::new(value) }
    }
}

fn condition_title(c: &Condition) -> &'static str {
    match c {
        Condition::ItemType { .. } => "Item type",
        Condition::TextContains { .. } => "Title or description contains",
        Condition::Priority { .. } => "Priority",
        Condition::RequesterIsManager { .. } => "Requester is a manager",
        Condition::Source { .. } => "Created from the portal or by an agent",
    }
}

fn action_title(a: &Action) -> &'static str {
    match a {
        Action::ChangeProject { .. } => "Change project",
        Action::AssignAgent { .. } => "Assign to an agent",
        Action::SetPriority { .. } => "Set priority",
        Action::SetStatus { .. } => "Set status",
        Action::AddFollower { .. } => "Add a follower",
        Action::AutoReply { .. } => "Send an automatic reply",
        Action::StopRules => "Stop further rules",
    }
}

fn new_conditions() -> Vec<Condition> {
    vec![
        Condition::ItemType { item_type: ItemType::Ticket },
        Condition::TextContains { field: TextPart::TitleOrDescription, text: String::new() },
        Condition::Priority { priorities: vec![Priority::High, Priority::Urgent] },
        Condition::RequesterIsManager { is_manager: true },
        Condition::Source { source: ItemSource::Portal },
    ]
}

fn new_actions() -> Vec<Action> {
    vec![
        Action::ChangeProject { project_id: 0 },
        Action::AssignAgent { agent_id: 0 },
        Action::SetPriority { priority: Priority::High },
        Action::SetStatus { status: ItemStatus::Open },
        Action::AddFollower { follower_kind: FollowerKind::Customer, id: 0 },
        Action::AutoReply {
            template: "Hello {customer.first_name}, we received your request #{item.id} and will answer soon.".into(),
        },
        Action::StopRules,
    ]
}

/// What the dry run found for one item.
#[derive(Clone, Debug, PartialEq)]
struct DryRunHit {
    item_id: i64,
    title: String,
    lines: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
struct DryRunView {
    total: usize,
    hits: Vec<DryRunHit>,
    /// References not chosen yet: only the matches are shown.
    incomplete: bool,
}

fn dry_run(draft: &RoutingRule, items: &[ItemFacts], names: &NameMap) -> DryRunView {
    let incomplete = references(&draft.actions).iter().any(|r| r.id <= 0);
    let hits = items
        .iter()
        .filter(|facts| matches(&draft.conditions, facts))
        .map(|facts| {
            let lines = if incomplete {
                Vec::new()
            } else {
                let outcome = evaluate(std::iter::once(draft), facts, names);
                let mut lines: Vec<String> = outcome.skipped.iter().map(|s| s.summary()).collect();
                lines.extend(outcome.applied.iter().map(|a| a.summary(facts.item_type)));
                if lines.is_empty() {
                    lines.push("Nothing would change: it already is so.".into());
                }
                lines
            };
            DryRunHit { item_id: facts.item_id, title: facts.title.clone(), lines }
        })
        .collect();
    DryRunView { total: items.len(), hits, incomplete }
}

fn dry_run_headline(view: &DryRunView) -> String {
    let items = if view.total == 1 { "last item".to_string() } else { format!("last {} items", view.total) };
    format!("Would have matched {} of this organization's {items}", view.hits.len())
}

/// The warning under "Change project" when people outside the organization follow the project.
fn exposure_sentence(project: &str, e: &orgdesk_core::api::routing::ProjectExposure) -> Option<String> {
    if e.outside_customers == 0 && e.outside_organization_count == 0 {
        return None;
    }
    let mut who = Vec::new();
    if e.outside_customers > 0 {
        let s = if e.outside_customers == 1 { "" } else { "s" };
        who.push(format!("{} customer{s}", e.outside_customers));
    }
    if e.outside_organization_count > 0 {
        let s = if e.outside_organization_count == 1 { "" } else { "s" };
        let mut names = e.outside_organizations.join(", ");
        let more = e.outside_organization_count - e.outside_organizations.len() as i64;
        if more > 0 {
            names.push_str(&format!(" and {more} more"));
        }
        who.push(format!("{} organization{s} ({names})", e.outside_organization_count));
    }
    Some(format!(
        "{project} is shared with {} outside this organization: routing would let them see these items.",
        who.join(" and ")
    ))
}

/// One rule's editor. Saves itself (create or update for its scope) and shows the
/// server's 422 fields next to the condition, action or field they name.
#[component]
pub fn RoutingRuleEditor(
    scope: RuleScope,
    /// None: a new rule, pre-filled with the trigger line and a first "Change project" action.
    #[prop(into)]
    rule: Option<RoutingRule>,
    /// After a successful save (create or update), with the saved rule.
    #[prop(into)]
    on_saved: Callback<RoutingRule>,
    #[prop(into)] on_cancel: Callback<()>,
    /// The name a new rule starts with ("ACME routing").
    #[prop(into, optional)]
    suggested_name: Option<String>,
) -> impl IntoView {
    let prefix = match &rule {
        Some(r) => format!("rule-{}", r.id),
        None => "rule-new".to_string(),
    };
    let rule_id = rule.as_ref().map(|r| r.id);
    let suggested_name = StoredValue::new(suggested_name);
    let name = RwSignal::new(String::new());
    let enabled = RwSignal::new(true);
    let include_children = RwSignal::new(false);
    let target_property = RwSignal::new(0_i64);
    let target_value = RwSignal::new(String::new());
    let version = RwSignal::new(0_i64);
    let conditions = RwSignal::new(Vec::<Row<Condition>>::new());
    let actions = RwSignal::new(Vec::<Row<Action>>::new());
    let names = RwSignal::new(NameMap::default());
    let errors = RwSignal::new(FieldErrors::new());
    let general = RwSignal::new(None::<String>);
    let conflict = RwSignal::new(false);
    let saving = RwSignal::new(false);

    let load = move |r: Option<RoutingRule>| {
        match r {
            Some(r) => {
                name.set(r.name.clone());
                enabled.set(r.enabled);
                include_children.set(r.include_children);
                if let Some(t) = &r.target {
                    target_property.set(t.property_id);
                    target_value.set(t.value.clone());
                }
                version.set(r.version);
                names.set(NameMap::from_references(&r.references));
                conditions.set(r.conditions.iter().cloned().map(Row::new).collect());
                actions.set(r.actions.iter().cloned().map(Row::new).collect());
            }
            None => {
                name.set(suggested_name.get_value().unwrap_or_default());
                conditions.set(Vec::new());
                actions.set(vec![Row::new(Action::ChangeProject { project_id: 0 })]);
            }
        }
        errors.set(FieldErrors::new());
        general.set(None);
        conflict.set(false);
    };
    load(rule.clone());
    // The editor replaces the button that opened it: the focus goes to its first field.
    focus_after_render(format!("#{prefix}-name"));

    let agents = LocalResource::new(api::agents::list_agents);
    let properties = LocalResource::new(move || async move {
        if scope == RuleScope::Property {
            api::properties::property_definitions(api::properties::PropertyOwner::Organization).await
        } else {
            Ok(Vec::new())
        }
    });
    let dry_data = LocalResource::new(move || async move {
        match scope {
            RuleScope::Organization(org) => Some(api::routing::dry_run_data(org).await),
            RuleScope::Property => None,
        }
    });
    // Agents' names feed the dry run's lookup.
    Effect::new(move |_| {
        if let Some(Ok(list)) = agents.get() {
            names.update(|n| {
                for a in list.iter().filter(|a| a.active) {
                    n.usable(RefKind::Agent, a.id, a.name.clone());
                }
            });
        }
    });

    let draft = move || RoutingRule {
        id: rule_id.unwrap_or(0),
        name: name.get().trim().to_string(),
        enabled: true,
        organization_id: match scope {
            RuleScope::Organization(o) => Some(o),
            RuleScope::Property => None,
        },
        include_children: include_children.get(),
        target: None,
        conditions: conditions.with(|rows| rows.iter().map(|r| r.value.get()).collect()),
        actions: actions.with(|rows| rows.iter().map(|r| r.value.get()).collect()),
        position: 0,
        version: version.get(),
        references: Vec::new(),
        updated_at: String::new(),
    };

    let err = move |key: String| Signal::derive(move || errors.with(|e| e.get(&key).cloned()));

    let focus_row = |key: u64| {
        focus_after_render(format!(
            "#routing-row-{key} select, #routing-row-{key} input, #routing-row-{key} textarea, #routing-row-{key} .button"
        ))
    };

    // Rows added from the menus belong to the editor (not to the menu that closes as they are added).
    let owner = Owner::current().unwrap_or_default();
    let (owner_c, owner_a) = (owner.clone(), owner);
    let condition_entries = Signal::derive(move || {
        let owner = owner_c.clone();
        new_conditions()
            .into_iter()
            .map(|c| {
                let owner = owner.clone();
                MenuEntry::new(condition_title(&c), move || {
                    if conditions.with_untracked(|v| v.len()) >= MAX_CONDITIONS {
                        general.set(Some(format!("A rule has at most {MAX_CONDITIONS} conditions.")));
                        return;
                    }
                    let row = owner.with(|| Row::new(c.clone()));
                    conditions.update(|v| v.push(row));
                    errors.set(FieldErrors::new());
                    focus_row(row.key);
                })
            })
            .collect::<Vec<_>>()
    });
    let action_entries = Signal::derive(move || {
        let owner = owner_a.clone();
        new_actions()
            .into_iter()
            .map(|a| {
                let owner = owner.clone();
                MenuEntry::new(action_title(&a), move || {
                    if actions.with_untracked(|v| v.len()) >= MAX_ACTIONS {
                        general.set(Some(format!("A rule has at most {MAX_ACTIONS} actions.")));
                        return;
                    }
                    let row = owner.with(|| Row::new(a.clone()));
                    actions.update(|v| v.push(row));
                    errors.set(FieldErrors::new());
                    focus_row(row.key);
                })
            })
            .collect::<Vec<_>>()
    });

    let save = move || {
        if saving.get_untracked() {
            return;
        }
        general.set(None);
        conflict.set(false);
        errors.set(FieldErrors::new());
        let d = draft();
        let target = (scope == RuleScope::Property).then(|| PropertyTarget {
            property_id: target_property.get_untracked(),
            value: target_value.get_untracked(),
        });
        let (n, en, inc) = (name.get_untracked(), enabled.get_untracked(), include_children.get_untracked());
        let ver = version.get_untracked();
        saving.set(true);
        spawn_local(async move {
            let result = match (scope, rule_id) {
                (RuleScope::Organization(org), None) => {
                    let req = CreateRoutingRuleRequest {
                        name: n,
                        enabled: en,
                        include_children: inc,
                        target: None,
                        conditions: d.conditions,
                        actions: d.actions,
                    };
                    api::routing::create_rule(org, &req).await
                }
                (RuleScope::Organization(org), Some(id)) => {
                    let req = UpdateRoutingRuleRequest {
                        version: ver,
                        name: Some(n),
                        enabled: Some(en),
                        include_children: Some(inc),
                        target: None,
                        conditions: Some(d.conditions),
                        actions: Some(d.actions),
                    };
                    api::routing::update_rule(org, id, &req).await
                }
                (RuleScope::Property, None) => {
                    let req = CreateRoutingRuleRequest {
                        name: n,
                        enabled: en,
                        include_children: false,
                        target,
                        conditions: d.conditions,
                        actions: d.actions,
                    };
                    api::routing::create_property_rule(&req).await
                }
                (RuleScope::Property, Some(id)) => {
                    let req = UpdateRoutingRuleRequest {
                        version: ver,
                        name: Some(n),
                        enabled: Some(en),
                        include_children: None,
                        target,
                        conditions: Some(d.conditions),
                        actions: Some(d.actions),
                    };
                    api::routing::update_property_rule(id, &req).await
                }
            };
            saving.set(false);
            match result {
                Ok(saved) => on_saved.run(saved),
                Err(ApiError::Server(body)) if body.code == ErrorCode::Conflict => {
                    conflict.set(true);
                }
                Err(ApiError::Server(body)) if !body.fields.is_empty() => {
                    errors.set(body.fields);
                    focus_after_render(".routing-editor [aria-invalid=true], .routing-editor .field__error".into());
                }
                Err(e) => general.set(Some(e.message())),
            }
        });
    };

    let reload = move || {
        spawn_local(async move {
            let Some(id) = rule_id else { return };
            let fresh = match scope {
                RuleScope::Organization(org) => {
                    api::routing::routing_section(org).await.map(|s| s.own.into_iter().find(|r| r.id == id))
                }
                RuleScope::Property => {
                    api::routing::property_rules().await.map(|list| list.into_iter().find(|r| r.id == id))
                }
            };
            match fresh {
                Ok(Some(r)) => load(Some(r)),
                Ok(None) => general.set(Some("This rule was deleted meanwhile.".into())),
                Err(e) => general.set(Some(e.message())),
            }
        });
    };

    let name_id = format!("{prefix}-name");
    let name_error = err("name".into());
    let name_described = format!("{name_id}-error");
    let title = if rule_id.is_some() { "Edit routing rule" } else { "New routing rule" };
    let heading_id = format!("{prefix}-heading");
    let labelled = heading_id.clone();
    let (p1, p2, p3, p4, p5, p6) =
        (prefix.clone(), prefix.clone(), prefix.clone(), prefix.clone(), prefix.clone(), prefix.clone());

    view! {
        <form
            class="routing-editor"
            aria-labelledby=labelled
            novalidate
            on:submit=move |ev| {
                ev.prevent_default();
                save();
            }
        >
            <h3 class="routing-editor__title" id=heading_id>
                {title}
            </h3>
            <div class="field" class:field--invalid=move || name_error.get().is_some()>
                <label class="field__label" for=name_id.clone()>
                    "Name"
                </label>
                <input
                    class="field__input"
                    id=name_id.clone()
                    type="text"
                    autocomplete="off"
                    bind:value=name
                    aria-invalid=move || if name_error.get().is_some() { "true" } else { "false" }
                    aria-describedby=move || name_error.get().map(|_| name_described.clone())
                />
                {move || {
                    name_error
                        .get()
                        .map(|m| view! { <p class="field__error" id=format!("{name_id}-error")>{m}</p> })
                }}
            </div>
            <div class="routing-editor__switches">
                <label class="checkbox-field">
                    <input type="checkbox" bind:checked=enabled />
                    "Enabled"
                </label>
                {(matches!(scope, RuleScope::Organization(_)))
                    .then(|| {
                        view! {
                            <label class="checkbox-field">
                                <input type="checkbox" bind:checked=include_children />
                                "Also for child organizations"
                            </label>
                        }
                    })}
            </div>
            {(scope == RuleScope::Property)
                .then(|| {
                    view! {
                        <TargetFields
                            prefix=p1.clone()
                            properties=properties
                            property=target_property
                            value=target_value
                            errors=errors
                        />
                    }
                })}
            <p class="routing-editor__trigger">
                <span class="routing-editor__when">{trigger_sentence(scope)}</span>
            </p>

            <fieldset class="routing-editor__group">
                <legend>"Conditions"</legend>
                <p class="routing-editor__hint">
                    {move || {
                        if conditions.with(|c| c.is_empty()) {
                            "No conditions: the rule applies to every such item."
                        } else {
                            "The rule applies when all of these hold."
                        }
                    }}
                </p>
                <ErrorNotice message=err("conditions".into()) />
                <ol class="routing-rows">
                    <For
                        each=move || conditions.get()
                        key=|r| r.key
                        children=move |row| {
                            view! {
                                <ConditionRow prefix=p2.clone() row=row rows=conditions errors=errors />
                            }
                        }
                    />
                </ol>
                <MenuButton id=format!("{p3}-add-condition") label="Add condition" entries=condition_entries />
            </fieldset>

            <fieldset class="routing-editor__group">
                <legend>"Actions"</legend>
                <ErrorNotice message=err("actions".into()) />
                <ol class="routing-rows">
                    <For
                        each=move || actions.get()
                        key=|r| r.key
                        children=move |row| {
                            view! {
                                <ActionRow
                                    prefix=p4.clone()
                                    scope=scope
                                    row=row
                                    rows=actions
                                    errors=errors
                                    names=names
                                    agents=agents
                                />
                            }
                        }
                    />
                </ol>
                <MenuButton id=format!("{p5}-add-action") label="Add action" entries=action_entries />
            </fieldset>

            {move || {
                conflict
                    .get()
                    .then(|| {
                        view! {
                            <div class="notice notice--error routing-editor__conflict" role="alert">
                                <p>"Someone changed this rule: reload it to see their version."</p>
                                <button type="button" class="button button--small" on:click=move |_| reload()>
                                    "Reload"
                                </button>
                            </div>
                        }
                    })
            }}
            <ErrorNotice message=general />
            {move || {
                errors
                    .with(|e| !e.is_empty())
                    .then(|| {
                        view! {
                            <p class="notice notice--error" role="alert">
                                "The rule was not saved: see the marked fields."
                            </p>
                        }
                    })
            }}
            <div class="form__actions">
                <button type="submit" class="button button--primary" disabled=move || saving.get()>
                    {move || if saving.get() { "Saving…" } else { "Save rule" }}
                </button>
                <button type="button" class="button" on:click=move |_| on_cancel.run(())>
                    "Cancel"
                </button>
            </div>

            {matches!(scope, RuleScope::Organization(_))
                .then(|| {
                    view! {
                        <section class="routing-dry-run" aria-labelledby=format!("{p6}-dry-run")>
                            <h4 id=format!("{p6}-dry-run")>"Dry run"</h4>
                            <Transition fallback=|| {
                                view! { <p class="routing-dry-run__note">"Loading recent items…"</p> }
                            }>
                                {move || Suspend::new(async move {
                                    match dry_data.await {
                                        Some(Ok(data)) => {
                                            let items = StoredValue::new(data.items);
                                            view! { <DryRunResult items=items draft=Signal::derive(draft) names=names /> }
                                                .into_any()
                                        }
                                        Some(Err(e)) => {
                                            view! { <p class="notice notice--error" role="alert">{e.message()}</p> }
                                                .into_any()
                                        }
                                        None => ().into_any(),
                                    }
                                })}
                            </Transition>
                        </section>
                    }
                })}
        </form>
    }
}

#[component]
fn DryRunResult(
    items: StoredValue<Vec<ItemFacts>>,
    draft: Signal<RoutingRule>,
    names: RwSignal<NameMap>,
) -> impl IntoView {
    let result = Memo::new(move |_| {
        let d = draft.get();
        names.with(|n| items.with_value(|list| dry_run(&d, list, n)))
    });
    view! {
        <div class="routing-dry-run__result" aria-live="polite">
            {move || {
                let r = result.get();
                if r.total == 0 {
                    return view! {
                        <p class="routing-dry-run__note">
                            "This organization has no items yet: nothing to try the rule on."
                        </p>
                    }
                        .into_any();
                }
                let headline = dry_run_headline(&r);
                let note = r
                    .incomplete
                    .then(|| {
                        view! {
                            <p class="routing-dry-run__note">
                                "Choose what the actions name to see what they would change."
                            </p>
                        }
                    });
                let hits = r
                    .hits
                    .into_iter()
                    .map(|h| {
                        view! {
                            <li class="routing-dry-run__item">
                                <span class="routing-dry-run__title">{format!("#{} {}", h.item_id, h.title)}</span>
                                <ul class="routing-dry-run__lines">
                                    {h.lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}
                                </ul>
                            </li>
                        }
                    })
                    .collect_view();
                view! {
                    <p class="routing-dry-run__headline">{headline}</p>
                    {note}
                    <ul class="routing-dry-run__items">{hits}</ul>
                }
                    .into_any()
            }}
        </div>
    }
}

/// Move up, Move down and Remove for the row at `key` of `rows`.
#[component]
fn RowTools<T: Send + Sync + Clone + 'static>(
    what: &'static str,
    key: u64,
    rows: RwSignal<Vec<Row<T>>>,
    errors: RwSignal<FieldErrors>,
    row_id: String,
) -> impl IntoView {
    let index = Memo::new(move |_| rows.with(|v| v.iter().position(|r| r.key == key).unwrap_or(0)));
    let count = Memo::new(move |_| rows.with(|v| v.len()));
    let up_id = format!("{row_id}-up");
    let down_id = format!("{row_id}-down");
    let ids = StoredValue::new((up_id.clone(), down_id.clone()));
    let shift = move |delta: isize| {
        let i = index.get_untracked();
        let j = i as isize + delta;
        if j < 0 || j as usize >= count.get_untracked() {
            return;
        }
        rows.update(|v| v.swap(i, j as usize));
        errors.set(FieldErrors::new());
        let j = j as usize;
        let n = count.get_untracked();
        // Keep the focus on the button that moved, or its twin once it is at an end.
        let at_end = (delta < 0 && j == 0) || (delta > 0 && j + 1 == n);
        let (up, down) = ids.get_value();
        let target = if (delta < 0) != at_end { up } else { down };
        focus_after_render(format!("#{target}"));
    };
    view! {
        <div class="routing-row__tools">
            <button
                type="button"
                class="button button--small button--ghost"
                id=up_id
                disabled=move || index.get() == 0
                aria-label=move || format!("Move {what} {} up", index.get() + 1)
                on:click=move |_| shift(-1)
            >
                "↑"
            </button>
            <button
                type="button"
                class="button button--small button--ghost"
                id=down_id
                disabled=move || { index.get() + 1 >= count.get() }
                aria-label=move || format!("Move {what} {} down", index.get() + 1)
                on:click=move |_| shift(1)
            >
                "↓"
            </button>
            <button
                type="button"
                class="button button--small button--ghost"
                aria-label=move || format!("Remove {what} {}", index.get() + 1)
                on:click=move |_| {
                    rows.update(|v| v.retain(|r| r.key != key));
                    errors.set(FieldErrors::new());
                }
            >
                "Remove"
            </button>
        </div>
    }
}

fn options<W: Word>(label: impl Fn(W) -> &'static str) -> Vec<(String, String)> {
    W::ALL.iter().map(|w| (w.as_str().to_string(), label(*w).to_string())).collect()
}

#[component]
fn ConditionRow(
    prefix: String,
    row: Row<Condition>,
    rows: RwSignal<Vec<Row<Condition>>>,
    errors: RwSignal<FieldErrors>,
) -> impl IntoView {
    let key = row.key;
    let v = row.value;
    let index = Memo::new(move |_| rows.with(|r| r.iter().position(|x| x.key == key).unwrap_or(0)));
    let field_err = move |name: &'static str| {
        Signal::derive(move || errors.with(|e| e.get(&format!("conditions[{}].{name}", index.get())).cloned()))
    };
    let row_err = Signal::derive(move || errors.with(|e| e.get(&format!("conditions[{}]", index.get())).cloned()));
    let id = format!("routing-row-{key}");
    let tools_id = id.clone();
    let control_id = format!("{prefix}-c{key}");
    let initial = v.get_untracked();
    let body = match initial {
        Condition::ItemType { .. } => {
            let value = Signal::derive(move || match v.get() {
                Condition::ItemType { item_type } => item_type.as_str().to_string(),
                _ => String::new(),
            });
            view! {
                <SelectField
                    id=format!("{control_id}-type")
                    label="Item type is"
                    value=value
                    options=Signal::derive(|| options::<ItemType>(|t| t.label()))
                    on_change=move |s: String| {
                        if let Some(item_type) = ItemType::parse(&s) {
                            v.set(Condition::ItemType { item_type });
                        }
                    }
                />
            }
            .into_any()
        }
        Condition::TextContains { .. } => {
            let part = Signal::derive(move || match v.get() {
                Condition::TextContains { field, .. } => match field {
                    TextPart::Title => "title",
                    TextPart::Description => "description",
                    TextPart::TitleOrDescription => "title_or_description",
                }
                .to_string(),
                _ => String::new(),
            });
            let text_id = format!("{control_id}-text");
            let text_err = field_err("text");
            let described = format!("{text_id}-error");
            let err_id = described.clone();
            view! {
                <SelectField
                    id=format!("{control_id}-field")
                    label="Look in"
                    value=part
                    options=Signal::derive(|| {
                        vec![
                            ("title_or_description".to_string(), "Title or description".to_string()),
                            ("title".to_string(), "Title".to_string()),
                            ("description".to_string(), "Description".to_string()),
                        ]
                    })
                    on_change=move |s: String| {
                        let field = match s.as_str() {
                            "title" => TextPart::Title,
                            "description" => TextPart::Description,
                            _ => TextPart::TitleOrDescription,
                        };
                        v.update(|c| {
                            if let Condition::TextContains { field: f, .. } = c {
                                *f = field;
                            }
                        });
                    }
                />
                <div class="field" class:field--invalid=move || text_err.get().is_some()>
                    <label class="field__label" for=text_id.clone()>
                        "Contains"
                    </label>
                    <input
                        class="field__input"
                        id=text_id.clone()
                        type="text"
                        autocomplete="off"
                        prop:value=move || match v.get() {
                            Condition::TextContains { text, .. } => text,
                            _ => String::new(),
                        }
                        on:input=move |ev| {
                            let t = event_target_value(&ev);
                            v.update(|c| {
                                if let Condition::TextContains { text, .. } = c {
                                    *text = t;
                                }
                            });
                        }
                        aria-invalid=move || if text_err.get().is_some() { "true" } else { "false" }
                        aria-describedby=move || text_err.get().map(|_| described.clone())
                    />
                    {move || text_err.get().map(|m| view! { <p class="field__error" id=err_id.clone()>{m}</p> })}
                </div>
            }
            .into_any()
        }
        Condition::Priority { .. } => {
            let p_err = field_err("priorities");
            let err_id = format!("{control_id}-priorities-error");
            let described = err_id.clone();
            view! {
                <fieldset
                    class="routing-row__choices"
                    aria-describedby=move || p_err.get().map(|_| described.clone())
                >
                    <legend class="field__label">"Priority is one of"</legend>
                    {Priority::ALL
                        .iter()
                        .map(|p| {
                            let p = *p;
                            view! {
                                <label class="checkbox-field">
                                    <input
                                        type="checkbox"
                                        prop:checked=move || {
                                            matches!(v.get(), Condition::Priority { priorities } if priorities.contains(&p))
                                        }
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            v.update(|c| {
                                                if let Condition::Priority { priorities } = c {
                                                    priorities.retain(|x| *x != p);
                                                    if on {
                                                        priorities.push(p);
                                                        priorities.sort();
                                                    }
                                                }
                                            });
                                        }
                                    />
                                    {p.label()}
                                </label>
                            }
                        })
                        .collect_view()}
                    {move || p_err.get().map(|m| view! { <p class="field__error" id=err_id.clone()>{m}</p> })}
                </fieldset>
            }
            .into_any()
        }
        Condition::RequesterIsManager { .. } => {
            let value = Signal::derive(move || match v.get() {
                Condition::RequesterIsManager { is_manager: false } => "no".to_string(),
                _ => "yes".to_string(),
            });
            view! {
                <SelectField
                    id=format!("{control_id}-manager")
                    label="The requester"
                    value=value
                    options=Signal::derive(|| {
                        vec![
                            ("yes".to_string(), "is a manager of the organization".to_string()),
                            ("no".to_string(), "is not a manager".to_string()),
                        ]
                    })
                    on_change=move |s: String| v.set(Condition::RequesterIsManager { is_manager: s == "yes" })
                />
            }
            .into_any()
        }
        Condition::Source { .. } => {
            let value = Signal::derive(move || match v.get() {
                Condition::Source { source } => source.as_str().to_string(),
                _ => String::new(),
            });
            view! {
                <SelectField
                    id=format!("{control_id}-source")
                    label="Created"
                    value=value
                    options=Signal::derive(|| {
                        vec![
                            ("portal".to_string(), "in the customer portal".to_string()),
                            ("agent".to_string(), "by an agent".to_string()),
                        ]
                    })
                    on_change=move |s: String| {
                        if let Some(source) = ItemSource::parse(&s) {
                            v.set(Condition::Source { source });
                        }
                    }
                />
            }
            .into_any()
        }
    };
    let title = condition_title(&v.get_untracked());
    view! {
        <li class="routing-row" id=id>
            <div class="routing-row__head">
                <span class="routing-row__title">
                    {move || format!("{}. ", index.get() + 1)}
                    {title}
                </span>
                <RowTools what="condition" key=key rows=rows errors=errors row_id=tools_id />
            </div>
            <div class="routing-row__body">{body}</div>
            <ErrorNotice message=row_err />
        </li>
    }
}

#[component]
fn ActionRow(
    prefix: String,
    scope: RuleScope,
    row: Row<Action>,
    rows: RwSignal<Vec<Row<Action>>>,
    errors: RwSignal<FieldErrors>,
    names: RwSignal<NameMap>,
    agents: LocalResource<Result<Vec<orgdesk_core::api::Agent>, ApiError>>,
) -> impl IntoView {
    let key = row.key;
    let v = row.value;
    let index = Memo::new(move |_| rows.with(|r| r.iter().position(|x| x.key == key).unwrap_or(0)));
    let field_err = move |name: &'static str| {
        Signal::derive(move || errors.with(|e| e.get(&format!("actions[{}].{name}", index.get())).cloned()))
    };
    let row_err = Signal::derive(move || errors.with(|e| e.get(&format!("actions[{}]", index.get())).cloned()));
    let id = format!("routing-row-{key}");
    let tools_id = id.clone();
    let control_id = format!("{prefix}-a{key}");
    // The reference this row names, and whether it is broken.
    let reference = Memo::new(move |_| {
        let a = v.get();
        references(std::slice::from_ref(&a)).into_iter().next().map(|r| (r.kind, r.id))
    });
    let broken = Signal::derive(move || {
        let (kind, id) = reference.get()?;
        if id <= 0 {
            return None;
        }
        names.with(|n| n.broken(kind, id))
    });
    let initial = v.get_untracked();
    let body = match initial {
        Action::ChangeProject { .. } => {
            let selected = Signal::derive(move || {
                let (kind, id) = reference.get()?;
                let name = names.with(|n| n.name(kind, id))?;
                Some(Pick { id, name, detail: String::new() })
            });
            let exposure = LocalResource::new(move || {
                let project = reference.get().map(|(_, id)| id).unwrap_or(0);
                async move {
                    match scope {
                        RuleScope::Organization(org) if project > 0 => {
                            api::routing::project_exposure(org, project).await.ok()
                        }
                        _ => None,
                    }
                }
            });
            let warning = move || {
                let e = exposure.get().flatten()?;
                let current = reference.get().map(|(_, id)| id).unwrap_or(0);
                if e.project_id != current {
                    return None;
                }
                let project = names.with(|n| n.name(RefKind::Project, current))?;
                exposure_sentence(&project, &e)
            };
            view! {
                <SearchPicker
                    id=format!("{control_id}-project")
                    label="Project"
                    kind=PickerKind::Project
                    selected=selected
                    error=field_err("project_id")
                    on_pick=move |p: Pick| {
                        names.update(|n| n.usable(RefKind::Project, p.id, p.name.clone()));
                        v.set(Action::ChangeProject { project_id: p.id });
                    }
                />
                {move || warning().map(|w| view! { <p class="notice notice--warning routing-row__warning">{w}</p> })}
            }
            .into_any()
        }
        Action::AssignAgent { .. } => {
            let value = Signal::derive(move || match v.get() {
                Action::AssignAgent { agent_id } if agent_id > 0 => agent_id.to_string(),
                _ => String::new(),
            });
            let agent_options = Signal::derive(move || {
                let mut out = vec![(String::new(), "Choose an agent".to_string())];
                if let Some(Ok(list)) = agents.get() {
                    out.extend(list.iter().filter(|a| a.active).map(|a| (a.id.to_string(), a.name.clone())));
                }
                if let Action::AssignAgent { agent_id } = v.get() {
                    if agent_id > 0 && !out.iter().any(|(id, _)| *id == agent_id.to_string()) {
                        let label = names
                            .with(|n| n.get(RefKind::Agent, agent_id).cloned())
                            .map(|r| r.unwrap_or_else(|e| e))
                            .unwrap_or_else(|| format!("Agent #{agent_id}"));
                        out.push((agent_id.to_string(), label));
                    }
                }
                out
            });
            view! {
                <SelectField
                    id=format!("{control_id}-agent")
                    label="Agent"
                    value=value
                    options=agent_options
                    error=field_err("agent_id")
                    on_change=move |s: String| {
                        let agent_id = s.parse().unwrap_or(0);
                        v.set(Action::AssignAgent { agent_id });
                    }
                />
            }
            .into_any()
        }
        Action::SetPriority { .. } => {
            let value = Signal::derive(move || match v.get() {
                Action::SetPriority { priority } => priority.as_str().to_string(),
                _ => String::new(),
            });
            view! {
                <SelectField
                    id=format!("{control_id}-priority")
                    label="Priority"
                    value=value
                    options=Signal::derive(|| options::<Priority>(|p| p.label()))
                    on_change=move |s: String| {
                        if let Some(priority) = Priority::parse(&s) {
                            v.set(Action::SetPriority { priority });
                        }
                    }
                />
            }
            .into_any()
        }
        Action::SetStatus { .. } => {
            let value = Signal::derive(move || match v.get() {
                Action::SetStatus { status } => status.as_str().to_string(),
                _ => String::new(),
            });
            view! {
                <SelectField
                    id=format!("{control_id}-status")
                    label="Status"
                    value=value
                    options=Signal::derive(|| options::<ItemStatus>(|s| s.label()))
                    on_change=move |s: String| {
                        if let Some(status) = ItemStatus::parse(&s) {
                            v.set(Action::SetStatus { status });
                        }
                    }
                />
            }
            .into_any()
        }
        Action::AddFollower { .. } => {
            let follower_kind = Memo::new(move |_| match v.get() {
                Action::AddFollower { follower_kind, .. } => follower_kind,
                _ => FollowerKind::Customer,
            });
            let kind_value = Signal::derive(move || match follower_kind.get() {
                FollowerKind::Customer => "customer".to_string(),
                FollowerKind::Organization => "organization".to_string(),
            });
            let picker_id = format!("{control_id}-follower");
            view! {
                <SelectField
                    id=format!("{control_id}-follower-kind")
                    label="Follower"
                    value=kind_value
                    options=Signal::derive(|| {
                        vec![
                            ("customer".to_string(), "A customer".to_string()),
                            ("organization".to_string(), "The members of an organization".to_string()),
                        ]
                    })
                    on_change=move |s: String| {
                        let follower_kind = if s == "organization" {
                            FollowerKind::Organization
                        } else {
                            FollowerKind::Customer
                        };
                        v.set(Action::AddFollower { follower_kind, id: 0 });
                    }
                />
                {move || {
                    let kind = follower_kind.get();
                    let (picker, ref_kind, label) = match kind {
                        FollowerKind::Customer => (PickerKind::Customer, RefKind::Customer, "Customer"),
                        FollowerKind::Organization => {
                            (PickerKind::Organization, RefKind::Organization, "Organization")
                        }
                    };
                    let rk = ref_kind;
                    let selected = Signal::derive(move || {
                        let (kind, id) = reference.get()?;
                        let name = names.with(|n| n.name(kind, id))?;
                        Some(Pick { id, name, detail: String::new() })
                    });
                    view! {
                        <SearchPicker
                            id=picker_id.clone()
                            label=label
                            kind=picker
                            selected=selected
                            error=field_err("id")
                            on_pick=move |p: Pick| {
                                names.update(|n| n.usable(rk, p.id, p.name.clone()));
                                v.set(Action::AddFollower { follower_kind: kind, id: p.id });
                            }
                        />
                    }
                }}
            }
            .into_any()
        }
        Action::AutoReply { .. } => {
            let area = NodeRef::<html::Textarea>::new();
            let text_id = format!("{control_id}-template");
            let t_err = field_err("template");
            let described = format!("{text_id}-error");
            let err_id = described.clone();
            let insert = move |placeholder: &'static str| {
                let (start, end) = area
                    .get_untracked()
                    .map(|el| {
                        (
                            el.selection_start().ok().flatten().unwrap_or(u32::MAX),
                            el.selection_end().ok().flatten().unwrap_or(u32::MAX),
                        )
                    })
                    .unwrap_or((u32::MAX, u32::MAX));
                let mut caret = 0_u32;
                v.update(|a| {
                    if let Action::AutoReply { template } = a {
                        // Selection offsets count UTF-16 units.
                        let units: Vec<u16> = template.encode_utf16().collect();
                        let s = (start as usize).min(units.len());
                        let e = (end as usize).clamp(s, units.len());
                        let mut out: Vec<u16> = units[..s].to_vec();
                        out.extend(placeholder.encode_utf16());
                        out.extend_from_slice(&units[e..]);
                        caret = (s + placeholder.encode_utf16().count()) as u32;
                        *template = String::from_utf16_lossy(&out);
                    }
                });
                request_animation_frame(move || {
                    if let Some(el) = area.get_untracked() {
                        let _ = el.focus();
                        let _ = el.set_selection_range(caret, caret);
                    }
                });
            };
            let entries = Signal::derive(move || {
                PLACEHOLDERS.iter().map(|p| MenuEntry::new(*p, move || insert(p))).collect::<Vec<_>>()
            });
            view! {
                <div class="field" class:field--invalid=move || t_err.get().is_some()>
                    <label class="field__label" for=text_id.clone()>
                        "Reply to the requester"
                    </label>
                    <textarea
                        class="field__input field__input--multiline"
                        id=text_id.clone()
                        rows=4
                        node_ref=area
                        prop:value=move || match v.get() {
                            Action::AutoReply { template } => template,
                            _ => String::new(),
                        }
                        on:input=move |ev| {
                            let t = event_target_value(&ev);
                            v.update(|a| {
                                if let Action::AutoReply { template } = a {
                                    *template = t;
                                }
                            });
                        }
                        aria-invalid=move || if t_err.get().is_some() { "true" } else { "false" }
                        aria-describedby=move || t_err.get().map(|_| described.clone())
                    ></textarea>
                    {move || t_err.get().map(|m| view! { <p class="field__error" id=err_id.clone()>{m}</p> })}
                </div>
                <MenuButton id=format!("{control_id}-placeholder") label="Insert placeholder" entries=entries />
            }
            .into_any()
        }
        Action::StopRules => view! { <p class="routing-row__note">"No later rule runs for this item."</p> }.into_any(),
    };
    let title = action_title(&v.get_untracked());
    view! {
        <li class="routing-row" class:routing-row--broken=move || broken.get().is_some() id=id>
            <div class="routing-row__head">
                <span class="routing-row__title">
                    {move || format!("{}. ", index.get() + 1)}
                    {title}
                </span>
                <RowTools what="action" key=key rows=rows errors=errors row_id=tools_id />
            </div>
            {move || {
                broken
                    .get()
                    .map(|reason| view! { <p class="notice notice--error routing-row__broken">{broken_sentence(&reason)}</p> })
            }}
            <div class="routing-row__body">{body}</div>
            <ErrorNotice message=row_err />
        </li>
    }
}

/// The property and value a property-targeted rule applies to.
#[component]
fn TargetFields(
    prefix: String,
    properties: LocalResource<Result<Vec<PropertyDefinition>, ApiError>>,
    property: RwSignal<i64>,
    value: RwSignal<String>,
    errors: RwSignal<FieldErrors>,
) -> impl IntoView {
    let defs = Signal::derive(move || match properties.get() {
        Some(Ok(list)) => list,
        _ => Vec::new(),
    });
    let load_error = Signal::derive(move || match properties.get() {
        Some(Err(e)) => Some(e.message()),
        _ => None,
    });
    let current = Memo::new(move |_| {
        let id = property.get();
        defs.with(|d| d.iter().find(|p| p.id == id).cloned())
    });
    let property_options = Signal::derive(move || {
        let mut out = vec![("".to_string(), "Choose a property".to_string())];
        out.extend(defs.get().into_iter().map(|p| (p.id.to_string(), p.label)));
        out
    });
    let value_err = Signal::derive(move || errors.with(|e| e.get("target.value").cloned()));
    let value_id = format!("{prefix}-target-value");
    view! {
        <fieldset class="routing-editor__group routing-editor__target">
            <legend>"Organizations this rule applies to"</legend>
            <ErrorNotice message=load_error />
            <SelectField
                id=format!("{prefix}-target-property")
                label="Property"
                value=Signal::derive(move || {
                    let p = property.get();
                    if p > 0 { p.to_string() } else { String::new() }
                })
                options=property_options
                error=Signal::derive(move || errors.with(|e| e.get("target.property_id").cloned()))
                on_change=move |s: String| {
                    property.set(s.parse().unwrap_or(0));
                    value.set(String::new());
                }
            />
            {move || {
                let def = current.get();
                let choices: Option<Vec<(String, String)>> = def
                    .as_ref()
                    .and_then(|d| match d.kind {
                        PropertyKind::SingleChoice | PropertyKind::MultipleChoice => {
                            let mut o = vec![(String::new(), "Choose a value".to_string())];
                            o.extend(d.options.iter().map(|x| (x.clone(), x.clone())));
                            Some(o)
                        }
                        PropertyKind::Checkbox => {
                            Some(
                                vec![
                                    (String::new(), "Choose a value".to_string()),
                                    ("true".to_string(), "Ticked".to_string()),
                                    ("false".to_string(), "Unticked".to_string()),
                                ],
                            )
                        }
                        _ => None,
                    });
                match choices {
                    Some(opts) => {
                        view! {
                            <SelectField
                                id=value_id.clone()
                                label="Value"
                                value=Signal::derive(move || value.get())
                                options=Signal::derive(move || opts.clone())
                                error=value_err
                                on_change=move |s: String| value.set(s)
                            />
                        }
                            .into_any()
                    }
                    None => {
                        let described = format!("{value_id}-error");
                        let err_id = described.clone();
                        view! {
                            <div class="field" class:field--invalid=move || value_err.get().is_some()>
                                <label class="field__label" for=value_id.clone()>
                                    "Value"
                                </label>
                                <input
                                    class="field__input"
                                    id=value_id.clone()
                                    type="text"
                                    autocomplete="off"
                                    bind:value=value
                                    aria-invalid=move || if value_err.get().is_some() { "true" } else { "false" }
                                    aria-describedby=move || value_err.get().map(|_| described.clone())
                                />
                                {move || {
                                    value_err.get().map(|m| view! { <p class="field__error" id=err_id.clone()>{m}</p> })
                                }}
                            </div>
                        }
                            .into_any()
                    }
                }
            }}
        </fieldset>
    }
}

#[cfg(test)]
mod tests {
    use orgdesk_core::api::routing::{ProjectExposure, ResolvedRef};

    use super::*;

    fn facts(id: i64, title: &str) -> ItemFacts {
        ItemFacts {
            item_id: id,
            item_type: ItemType::Ticket,
            title: title.into(),
            description: String::new(),
            priority: Priority::Normal,
            status: ItemStatus::New,
            project_id: 1,
            project_name: "Support".into(),
            assignee_id: None,
            source: ItemSource::Portal,
            requester_is_manager: false,
            customer_first_name: "Ann".into(),
            customer_name: "Ann Lee".into(),
            organization_name: "ACME".into(),
        }
    }

    fn draft(project_id: i64) -> RoutingRule {
        RoutingRule {
            id: 0,
            name: "ACME tasks".into(),
            enabled: true,
            organization_id: Some(3),
            include_children: false,
            target: None,
            conditions: vec![Condition::TextContains { field: TextPart::Title, text: "printer".into() }],
            actions: vec![Action::ChangeProject { project_id }],
            position: 0,
            version: 1,
            references: vec![ResolvedRef {
                kind: RefKind::Project,
                id: 12,
                name: None,
                broken: Some("Project #12 no longer exists".into()),
            }],
            updated_at: String::new(),
        }
    }

    #[test]
    fn the_dry_run_counts_the_matches_and_says_what_each_would_change() {
        let items = [facts(1, "Printer on fire"), facts(2, "Invoice"), facts(3, "printer jam")];
        let mut names = NameMap::default();
        names.usable(RefKind::Project, 10, "Tasks for ACME Inc.".into());

        let view = dry_run(&draft(10), &items, &names);
        assert_eq!(dry_run_headline(&view), "Would have matched 2 of this organization's last 3 items");
        assert_eq!(view.hits.iter().map(|h| h.item_id).collect::<Vec<_>>(), [1, 3]);
        assert_eq!(view.hits[0].lines, ["Routing rule 'ACME tasks' moved this ticket to project Tasks for ACME Inc."]);

        // No project chosen yet: the matches, without effects.
        let view = dry_run(&draft(0), &items, &names);
        assert!(view.incomplete && view.hits.len() == 2 && view.hits[0].lines.is_empty());

        // A broken reference (from the saved rule): the rule would be skipped.
        let rule = draft(12);
        let view = dry_run(&rule, &items, &NameMap::from_references(&rule.references));
        assert_eq!(view.hits[0].lines, ["Routing rule 'ACME tasks' was skipped: Project #12 no longer exists"]);
    }

    #[test]
    fn the_exposure_warning_names_who_outside_would_see_the_items() {
        let none = ProjectExposure {
            project_id: 1,
            outside_customers: 0,
            outside_organizations: vec![],
            outside_organization_count: 0,
        };
        assert_eq!(exposure_sentence("Tasks", &none), None);
        let some = ProjectExposure {
            outside_customers: 3,
            outside_organizations: vec!["Globex".into(), "Initech".into()],
            outside_organization_count: 12,
            ..none
        };
        assert_eq!(
            exposure_sentence("Tasks", &some).unwrap(),
            "Tasks is shared with 3 customers and 12 organizations (Globex, Initech and 10 more) outside this \
             organization: routing would let them see these items."
        );
    }

    #[test]
    fn broken_reasons_read_as_a_sentence() {
        assert_eq!(
            broken_sentence("Project #12 no longer exists"),
            "Project #12 no longer exists — this rule is skipped."
        );
        assert_eq!(
            broken_sentence("the project Old is archived."),
            "The project Old is archived — this rule is skipped."
        );
    }
}
