//! The panel's "Routing" section: the organization's own rules in order, changed
//! in place ([`RoutingRuleList`]: enabled switch, Edit, Delete, reorder by dragging
//! or with Move up/Move down, the editor for a new or changed rule), and, read-only,
//! the rules that apply from elsewhere (parents with "also for child
//! organizations", property-targeted rules), then the precedence.

use leptos::prelude::*;
use leptos::task::spawn_local;
use orgdesk_core::api::routing::{EffectiveRule, RuleOrigin};
use orgdesk_core::routing::PRECEDENCE;

use super::OrgPanel;
use crate::api;
use crate::components::error_notice::ErrorNotice;
use crate::components::routing_rule_editor::{trigger_sentence, RuleScope};
use crate::components::routing_rule_list::RoutingRuleList;
use crate::components::routing_rule_summary::{broken_sentences, RuleSummary};

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

#[component]
pub fn RoutingSection(panel: OrgPanel) -> impl IntoView {
    let org = panel.id;
    let elsewhere = RwSignal::new(Vec::<EffectiveRule>::new());
    let error = RwSignal::new(None::<String>);
    let load_elsewhere = move || {
        spawn_local(async move {
            match api::routing::routing_section(org).await {
                Ok(s) => {
                    elsewhere.set(s.effective.into_iter().filter(|e| e.origin != RuleOrigin::Own).collect());
                    error.set(None);
                }
                Err(e) => error.set(Some(e.message())),
            }
        });
    };
    load_elsewhere();
    let suggested = Signal::derive(move || {
        panel.detail.with(|d| d.as_ref().map(|d| format!("{} routing", d.name)).unwrap_or_default())
    });

    let inherited_row = move |e: EffectiveRule| {
        let origin = origin_text(&e.origin).unwrap_or_default();
        let link = matches!(e.origin, RuleOrigin::Property { .. });
        let broken = broken_sentences(&e.rule);
        view! {
            <li class="rule-card rule-card--readonly" class:rule-card--disabled=!e.rule.enabled>
                <div class="rule-card__head">
                    <span class="rule-card__name">{e.rule.name.clone()}</span>
                    {(!e.rule.enabled).then(|| view! { <span class="rule-card__badge">"Disabled"</span> })}
                </div>
                <p class="rule-card__origin">
                    {origin}
                    {link.then(|| view! { " " <a href="/admin/routing">"Open Administration > Routing"</a> })}
                </p>
                <RuleSummary rule=e.rule.clone() />
                {broken.into_iter().map(|b| view! { <p class="notice notice--error rule-card__broken">{b}</p> }).collect_view()}
            </li>
        }
    };

    view! {
        <section class="panel__section org-section routing" data-section="routing" aria-labelledby="org-routing-title">
            <h3 class="panel__heading" id="org-routing-title">"Routing"</h3>
            <p class="hint">{trigger_sentence(RuleScope::Organization(org))}", these rules route it."</p>
            <RoutingRuleList
                scope=RuleScope::Organization(org)
                editable=true
                label="Routing rules of this organization"
                empty="No routing rule of its own yet."
                add_first="Add routing section"
                suggested_name=suggested
                on_change=move |()| load_elsewhere()
            />
            <ErrorNotice message=error />
            {move || {
                let list = elsewhere.get();
                (!list.is_empty())
                    .then(|| {
                        view! {
                            <h4 class="routing__subheading">"Rules from elsewhere"</h4>
                            <p class="hint">"They also apply to this organization's items; change them where they come from."</p>
                            <ul class="rule-list__rules" aria-label="Rules from elsewhere">
                                {list.into_iter().map(inherited_row).collect_view()}
                            </ul>
                        }
                    })
            }}
            <p class="routing__precedence">{PRECEDENCE}</p>
        </section>
    }
}
