//! The panel's "Routing" section: the organization's own rules in order (enabled
//! switch, Edit, Delete, reorder by dragging or with Move up/Move down), the editor
//! for a new or changed rule, and, read-only, the rules that apply from elsewhere
//! (parents with "also for child organizations", property-targeted rules).

use leptos::prelude::*;
use leptos::task::spawn_local;
use orgdesk_core::api::routing::{
    EffectiveRule, RoutingRule, RoutingSection as Section, RuleOrigin, UpdateRoutingRuleRequest,
};
use orgdesk_core::error::ErrorCode;

use super::OrgPanel;
use crate::api::{self, ApiError};
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::error_notice::ErrorNotice;
use crate::components::routing_rule_editor::{broken_sentence, trigger_sentence, RoutingRuleEditor, RuleScope};
use crate::components::routing_rule_summary::RuleSummary;
use crate::components::rule_drag::{moved_onto, use_rule_drag};
use crate::forms::focus_after_render;

/// The documented precedence, said once on the section and on Administration > Routing.
pub const PRECEDENCE: &str = "Rules run in this order: the organization's own rules, then rules inherited from its \
     parents (nearest first), then rules for organizations with a property value, each group in its order. A rule \
     with \"Stop further rules\" ends the walk.";

/// Why a rule is skipped now, one line per broken reference.
pub fn broken_lines(rule: &RoutingRule) -> Vec<String> {
    rule.references.iter().filter_map(|r| r.broken.as_deref().map(broken_sentence)).collect()
}

fn origin_text(origin: &RuleOrigin) -> Option<String> {
    match origin {
        RuleOrigin::Own => None,
        RuleOrigin::Inherited { organization_name, depth, .. } => Some(if *depth <= 1 {
            format!("From parent {organization_name}")
        } else {
            format!("From {organization_name} ({depth} levels up)")
        }),
        RuleOrigin::Property { property_label, value } => {
            Some(format!("For organizations with {property_label} = {value} (Administration > Routing)"))
        }
    }
}

/// Which rule the editor is open on.
#[derive(Clone, Debug, PartialEq)]
enum Editing {
    New,
    Rule(RoutingRule),
}

#[component]
pub fn RoutingSection(panel: OrgPanel) -> impl IntoView {
    let org = panel.id;
    let section = RwSignal::new(None::<Section>);
    let error = RwSignal::new(None::<String>);
    let announce = RwSignal::new(String::new());
    let editing = RwSignal::new(None::<Editing>);
    let deleting = RwSignal::new(None::<RoutingRule>);
    let delete_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // Where the focus goes once the list is drawn anew (it is replaced on every load).
    let focus_next = StoredValue::new(None::<String>);
    let show = move |s: Section| {
        section.set(Some(s));
        let next = focus_next.get_value();
        focus_next.set_value(None);
        if let Some(selector) = next {
            focus_after_render(selector);
        }
    };

    let load = move || {
        spawn_local(async move {
            match api::routing::routing_section(org).await {
                Ok(s) => {
                    show(s);
                    error.set(None);
                }
                Err(e) => error.set(Some(e.message())),
            }
        });
    };
    load();

    let own = move || section.with(|s| s.as_ref().map(|s| s.own.clone()).unwrap_or_default());
    let elsewhere = move || {
        section.with(|s| {
            s.as_ref()
                .map(|s| s.effective.iter().filter(|e| e.origin != RuleOrigin::Own).cloned().collect::<Vec<_>>())
                .unwrap_or_default()
        })
    };
    let org_name = move || panel.detail.with(|d| d.as_ref().map(|d| d.name.clone()).unwrap_or_default());

    let reorder = move |ids: Vec<i64>, moved_id: i64| {
        spawn_local(async move {
            match api::routing::reorder_rules(org, ids).await {
                Ok(s) => {
                    let n = s.own.len();
                    if let Some((i, r)) = s.own.iter().enumerate().find(|(_, r)| r.id == moved_id) {
                        announce.set(format!("{} moved to position {} of {n}.", r.name, i + 1));
                    }
                    show(s);
                    error.set(None);
                }
                Err(e) => {
                    error.set(Some(e.message()));
                    load();
                }
            }
        });
    };
    let shift = move |id: i64, delta: isize| {
        let ids: Vec<i64> = own().iter().map(|r| r.id).collect();
        let Some(i) = ids.iter().position(|x| *x == id) else { return };
        let j = i as isize + delta;
        if j < 0 || j as usize >= ids.len() {
            return;
        }
        let Some(next) = moved_onto(&ids, id, ids[j as usize]) else { return };
        // Keep the focus on the moved rule's button (or its twin at an end).
        let at_end = (delta < 0 && j == 0) || (delta > 0 && j as usize + 1 == ids.len());
        let which = if (delta < 0) != at_end { "up" } else { "down" };
        focus_next.set_value(Some(format!("#org-rule-{id}-{which}")));
        reorder(next, id);
    };

    let toggle = move |rule: RoutingRule, on: bool| {
        focus_next.set_value(Some(format!("#org-rule-{}-enabled", rule.id)));
        spawn_local(async move {
            let req = UpdateRoutingRuleRequest { version: rule.version, enabled: Some(on), ..Default::default() };
            match api::routing::update_rule(org, rule.id, &req).await {
                Ok(_) => {
                    announce.set(format!("{} {}.", rule.name, if on { "enabled" } else { "disabled" }));
                    error.set(None);
                }
                Err(ApiError::Server(b)) if b.code == ErrorCode::Conflict => {
                    error.set(Some("Someone changed this rule: the list was reloaded.".into()));
                }
                Err(e) => error.set(Some(e.message())),
            }
            load();
        });
    };

    let confirm_delete = move |()| {
        let Some(rule) = deleting.get_untracked() else { return };
        busy.set(true);
        spawn_local(async move {
            let result = api::routing::delete_rule(org, rule.id).await;
            busy.set(false);
            match result {
                Ok(()) => {
                    deleting.set(None);
                    delete_error.set(None);
                    announce.set(format!("{} deleted.", rule.name));
                    focus_next.set_value(Some("#routing-add".into()));
                    load();
                }
                Err(e) => delete_error.set(Some(e.message())),
            }
        });
    };

    let saved = move |rule: RoutingRule| {
        editing.set(None);
        announce.set(format!("{} saved.", rule.name));
        focus_next.set_value(Some(format!("#org-rule-{}-edit", rule.id)));
        load();
    };

    // Dragging a rule by its handle with the mouse.
    let drag = use_rule_drag(Callback::new(move |(moving, target): (i64, i64)| {
        let ids: Vec<i64> = own().iter().map(|r| r.id).collect();
        if let Some(next) = moved_onto(&ids, moving, target) {
            reorder(next, moving);
        }
    }));

    let rule_row = move |rule: RoutingRule, index: usize, count: usize| {
        let id = rule.id;
        let name = rule.name.clone();
        let summary = rule.clone();
        let broken = broken_lines(&rule);
        let (r_toggle, r_edit, r_delete) = (rule.clone(), rule.clone(), rule.clone());
        let enabled = rule.enabled;
        view! {
            <li
                class="org-rule"
                class:org-rule--disabled=!enabled
                class:org-rule--moving=move || drag.is_dragged(id)
                class:org-rule--drop=move || drag.is_over(id)
                data-rule-id=id.to_string()
            >
                <span class="org-rule__grip" aria-hidden="true" on:pointerdown=move |e| drag.press(&e, id)>
                    "⠿"
                </span>
                <div class="org-rule__main">
                    <span class="org-rule__name">{format!("{}. {name}", index + 1)}</span>
                    {(!enabled).then(|| view! { <span class="org-rule__badge">"Disabled"</span> })}
                    {rule.include_children.then(|| view! { <span class="org-rule__badge">"Also for child organizations"</span> })}
                    <RuleSummary rule=summary />
                    {broken
                        .into_iter()
                        .map(|b| view! { <p class="notice notice--error org-rule__broken">{b}</p> })
                        .collect_view()}
                </div>
                <div class="org-rule__tools">
                    <label class="switch">
                        <input
                            type="checkbox"
                            role="switch"
                            id=format!("org-rule-{id}-enabled")
                            aria-label=format!("Enabled: {}", rule.name)
                            checked=enabled
                            on:change=move |ev| toggle(r_toggle.clone(), event_target_checked(&ev))
                        />
                        <span>"Enabled"</span>
                    </label>
                    <button
                        type="button"
                        class="button button--small button--ghost"
                        id=format!("org-rule-{id}-up")
                        aria-label=format!("Move {} up", rule.name)
                        disabled=index == 0
                        on:click=move |_| shift(id, -1)
                    >
                        "↑"
                    </button>
                    <button
                        type="button"
                        class="button button--small button--ghost"
                        id=format!("org-rule-{id}-down")
                        aria-label=format!("Move {} down", rule.name)
                        disabled=index + 1 == count
                        on:click=move |_| shift(id, 1)
                    >
                        "↓"
                    </button>
                    <button
                        type="button"
                        class="button button--small"
                        id=format!("org-rule-{id}-edit")
                        aria-label=format!("Edit {}", rule.name)
                        on:click=move |_| editing.set(Some(Editing::Rule(r_edit.clone())))
                    >
                        "Edit"
                    </button>
                    <button
                        type="button"
                        class="button button--small button--ghost"
                        aria-label=format!("Delete {}", rule.name)
                        on:click=move |_| {
                            delete_error.set(None);
                            deleting.set(Some(r_delete.clone()));
                        }
                    >
                        "Delete"
                    </button>
                </div>
            </li>
        }
    };

    let inherited_row = move |e: EffectiveRule| {
        let origin = origin_text(&e.origin).unwrap_or_default();
        let link = matches!(e.origin, RuleOrigin::Property { .. });
        let broken = broken_lines(&e.rule);
        view! {
            <li class="org-rule org-rule--readonly" class:org-rule--disabled=!e.rule.enabled>
                <div class="org-rule__main">
                    <span class="org-rule__name">{e.rule.name.clone()}</span>
                    {(!e.rule.enabled).then(|| view! { <span class="org-rule__badge">"Disabled"</span> })}
                    <p class="org-rule__origin">
                        {origin}
                        {link.then(|| view! { " " <a href="/admin/routing">"Open Administration > Routing"</a> })}
                    </p>
                    <RuleSummary rule=e.rule.clone() />
                    {broken
                        .into_iter()
                        .map(|b| view! { <p class="notice notice--error org-rule__broken">{b}</p> })
                        .collect_view()}
                </div>
            </li>
        }
    };

    view! {
        <section class="panel__section org-section routing" data-section="routing" aria-labelledby="org-routing-title">
            <h3 class="panel__heading" id="org-routing-title">"Routing"</h3>
            <p class="hint">{trigger_sentence(RuleScope::Organization(org))}", these rules route it."</p>
            <ErrorNotice message=error />
            <p class="visually-hidden" aria-live="polite">{move || announce.get()}</p>
            {move || {
                let Some(_) = section.with(|s| s.as_ref().map(|_| ())) else {
                    return view! { <p class="hint">"Loading routing rules…"</p> }.into_any();
                };
                let list = own();
                let count = list.len();
                if count == 0 {
                    view! { <p class="hint">"No routing rule of its own yet."</p> }.into_any()
                } else {
                    view! {
                        <p class="hint">"Drag a rule by its handle, or use its arrow buttons, to change the order."</p>
                        <ol class="org-rules" aria-label="Routing rules of this organization">
                            {list.into_iter().enumerate().map(|(i, r)| rule_row(r, i, count)).collect_view()}
                        </ol>
                    }
                        .into_any()
                }
            }}
            {move || match editing.get() {
                None => {
                    let first = section.with(|s| s.as_ref().is_some_and(|s| s.own.is_empty()));
                    view! {
                        <button
                            type="button"
                            class="button button--small"
                            id="routing-add"
                            disabled=move || section.with(Option::is_none)
                            on:click=move |_| editing.set(Some(Editing::New))
                        >
                            {if first { "Add routing section" } else { "Add rule" }}
                        </button>
                    }
                        .into_any()
                }
                Some(Editing::New) => {
                    let fresh: Option<RoutingRule> = None;
                    view! {
                        <RoutingRuleEditor
                            scope=RuleScope::Organization(org)
                            rule=fresh
                            suggested_name=format!("{} routing", org_name())
                            on_saved=saved
                            on_cancel=move |()| {
                                editing.set(None);
                                focus_after_render("#routing-add".into());
                            }
                        />
                    }
                        .into_any()
                }
                Some(Editing::Rule(r)) => {
                    let id = r.id;
                    view! {
                        <RoutingRuleEditor
                            scope=RuleScope::Organization(org)
                            rule=Some(r)
                            on_saved=saved
                            on_cancel=move |()| {
                                editing.set(None);
                                focus_after_render(format!("#org-rule-{id}-edit"));
                            }
                        />
                    }
                        .into_any()
                }
            }}
            {move || {
                let list = elsewhere();
                (!list.is_empty())
                    .then(|| {
                        view! {
                            <h4 class="routing__subheading">"Rules from elsewhere"</h4>
                            <p class="hint">"They also apply to this organization's items; change them where they come from."</p>
                            <ul class="org-rules" aria-label="Rules from elsewhere">
                                {list.into_iter().map(inherited_row).collect_view()}
                            </ul>
                        }
                    })
            }}
            <p class="routing__precedence">{PRECEDENCE}</p>
            {move || {
                deleting
                    .get()
                    .map(|r| {
                        view! {
                            <ConfirmDialog
                                id="routing-delete"
                                title=format!("Delete {}?", r.name)
                                message="The rule stops routing new items. Items it already routed stay where they are."
                                confirm_label="Delete rule"
                                on_confirm=confirm_delete
                                on_close=move |()| deleting.set(None)
                                busy=busy
                                error=delete_error
                            />
                        }
                    })
            }}
        </section>
    }
}
