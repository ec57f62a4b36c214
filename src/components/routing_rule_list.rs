//! A list of routing rules in their order, and what may be done to them: the
//! organization panel's own rules and Administration > Routing's property-targeted
//! rules. Each rule reads as sentences ([`RuleSummary`]) and flags its broken
//! references. Who may change the rules gets, per rule, an Enabled switch, Move
//! up/Move down (the keyboard way), a drag handle (the mouse way, [`use_rule_drag`]),
//! Edit ([`RoutingRuleEditor`] in place) and Delete (confirmed), and an add button
//! under the list. Moves are announced, and the focus stays on the control that was
//! used while the list is drawn anew.

use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;
use orgdesk_core::api::routing::{RoutingRule, UpdateRoutingRuleRequest};
use orgdesk_core::error::ErrorCode;
use wasm_bindgen::JsCast;

use crate::api::{self, ApiError};
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::error_notice::ErrorNotice;
use crate::components::routing_rule_editor::{RoutingRuleEditor, RuleScope};
use crate::components::routing_rule_summary::{broken_sentences, target_text, RuleSummary};
use crate::components::rule_drag::{moved_onto, use_rule_drag};

/// The rules of `scope`, in order.
async fn load(scope: RuleScope) -> Result<Vec<RoutingRule>, ApiError> {
    match scope {
        RuleScope::Organization(org) => api::routing::routing_section(org).await.map(|s| s.own),
        RuleScope::Property => api::routing::property_rules().await,
    }
}

async fn reorder(scope: RuleScope, ids: Vec<i64>) -> Result<Vec<RoutingRule>, ApiError> {
    match scope {
        RuleScope::Organization(org) => api::routing::reorder_rules(org, ids).await.map(|s| s.own),
        RuleScope::Property => api::routing::reorder_property_rules(ids).await,
    }
}

async fn update(scope: RuleScope, id: i64, req: &UpdateRoutingRuleRequest) -> Result<RoutingRule, ApiError> {
    match scope {
        RuleScope::Organization(org) => api::routing::update_rule(org, id, req).await,
        RuleScope::Property => api::routing::update_property_rule(id, req).await,
    }
}

async fn delete(scope: RuleScope, id: i64) -> Result<(), ApiError> {
    match scope {
        RuleScope::Organization(org) => api::routing::delete_rule(org, id).await,
        RuleScope::Property => api::routing::delete_property_rule(id).await,
    }
}

/// Which rule the editor is open on.
#[derive(Clone, Debug, PartialEq)]
enum Editing {
    New,
    Rule(RoutingRule),
}

/// Focuses the first of `ids` that takes it when the focus fell to the page (its
/// control was drawn anew); else leaves it where the person put it.
fn restore_focus(ids: &[String]) {
    let doc = document();
    let lost = doc.active_element().is_none_or(|el| Some(&el) == doc.body().as_ref().map(|b| b.unchecked_ref()));
    if !lost {
        return;
    }
    for id in ids {
        let Some(el) = doc.get_element_by_id(id).and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok()) else {
            continue;
        };
        let _ = el.focus();
        if doc.active_element().is_some_and(|a| a == *el.unchecked_ref::<web_sys::Element>()) {
            return;
        }
    }
}

/// The rules of `scope` with their tools. `on_change` runs after every change the
/// server took (the organization's section then reloads the rules from elsewhere).
#[component]
pub fn RoutingRuleList(
    scope: RuleScope,
    /// Whether the viewer may change the rules (every agent for an organization's,
    /// admins for property-targeted ones; the server decides too).
    #[prop(into)]
    editable: Signal<bool>,
    /// The list's accessible name.
    label: &'static str,
    /// What an empty list says.
    empty: &'static str,
    /// The add button's label while there is no rule ("Add routing section").
    add_first: &'static str,
    /// A new rule's suggested name.
    #[prop(optional, into)]
    suggested_name: Signal<String>,
    #[prop(optional, into)] on_change: Option<Callback<()>>,
) -> impl IntoView {
    let rules = RwSignal::new(None::<Vec<RoutingRule>>);
    let error = RwSignal::new(None::<String>);
    let announcement = RwSignal::new(String::new());
    let editing = RwSignal::new(None::<Editing>);
    let deleting = RwSignal::new(None::<RoutingRule>);
    let delete_busy = RwSignal::new(false);
    let delete_error = RwSignal::new(None::<String>);
    let changed = move || {
        if let Some(cb) = on_change {
            cb.run(());
        }
    };

    // The list is drawn anew when it changes: the control a person used (or its
    // twin) gets the focus back if it fell to the page.
    let keep_focus = StoredValue::new(Vec::<String>::new());
    Effect::new(move |_| {
        rules.track();
        editing.track();
        request_animation_frame(move || restore_focus(&keep_focus.get_value()));
    });

    let reload = move || {
        spawn_local(async move {
            match load(scope).await {
                Ok(list) => rules.set(Some(list)),
                Err(e) => error.set(Some(e.message())),
            }
        });
    };
    reload();

    let failed = move |e: ApiError| {
        if matches!(&e, ApiError::Server(b) if b.code == ErrorCode::Conflict) {
            error.set(Some("Someone changed these rules meanwhile; the list was reloaded.".into()));
        } else {
            error.set(Some(e.message()));
        }
        reload();
    };

    let apply_order = move |ids: Vec<i64>, moved: i64| {
        error.set(None);
        // Shown at once; the server's answer replaces it.
        rules.update(|list| {
            if let Some(list) = list {
                list.sort_by_key(|r| ids.iter().position(|i| *i == r.id));
            }
        });
        spawn_local(async move {
            match reorder(scope, ids).await {
                Ok(list) => {
                    if let Some(at) = list.iter().position(|r| r.id == moved) {
                        announcement.set(format!("Moved {} to position {} of {}.", list[at].name, at + 1, list.len()));
                    }
                    rules.set(Some(list));
                    changed();
                }
                Err(e) => failed(e),
            }
        });
    };
    let ids = move || rules.with_untracked(|l| l.as_ref().map(|l| l.iter().map(|r| r.id).collect::<Vec<_>>()));
    let move_by = move |id: i64, delta: isize| {
        let (first, second) = if delta < 0 { ("up", "down") } else { ("down", "up") };
        keep_focus.set_value(vec![format!("rule-{id}-{first}"), format!("rule-{id}-{second}")]);
        let Some(list) = ids() else { return };
        let Some(at) = list.iter().position(|i| *i == id) else { return };
        let to = at as isize + delta;
        if to < 0 || to as usize >= list.len() {
            return;
        }
        if let Some(new) = moved_onto(&list, id, list[to as usize]) {
            apply_order(new, id);
        }
    };

    let set_enabled = move |rule: RoutingRule, enabled: bool| {
        keep_focus.set_value(vec![format!("rule-{}-enabled", rule.id)]);
        error.set(None);
        let req = UpdateRoutingRuleRequest { version: rule.version, enabled: Some(enabled), ..Default::default() };
        spawn_local(async move {
            match update(scope, rule.id, &req).await {
                Ok(saved) => {
                    announcement.set(format!("{} {}.", saved.name, if saved.enabled { "enabled" } else { "disabled" }));
                    rules.update(|l| {
                        if let Some(r) = l.iter_mut().flatten().find(|r| r.id == saved.id) {
                            *r = saved;
                        }
                    });
                    changed();
                }
                Err(e) => failed(e),
            }
        });
    };

    let confirm_delete = move |()| {
        let Some(rule) = deleting.get_untracked() else { return };
        delete_busy.set(true);
        delete_error.set(None);
        spawn_local(async move {
            let result = delete(scope, rule.id).await;
            delete_busy.set(false);
            match result {
                Ok(()) => {
                    keep_focus.set_value(vec!["routing-add".into()]);
                    deleting.set(None);
                    announcement.set(format!("{} deleted.", rule.name));
                    rules.update(|l| {
                        if let Some(l) = l {
                            l.retain(|r| r.id != rule.id);
                        }
                    });
                    changed();
                }
                Err(e) => delete_error.set(Some(e.message())),
            }
        });
    };

    let on_saved = Callback::new(move |saved: RoutingRule| {
        keep_focus.set_value(vec![format!("rule-{}-edit", saved.id), "routing-add".into()]);
        editing.set(None);
        announcement.set(format!("{} saved.", saved.name));
        rules.update(|l| {
            let l = l.get_or_insert_with(Vec::new);
            match l.iter_mut().find(|r| r.id == saved.id) {
                Some(r) => *r = saved,
                None => l.push(saved),
            }
        });
        changed();
    });
    let on_cancel = Callback::new(move |()| {
        let back = match editing.get_untracked() {
            Some(Editing::Rule(r)) => format!("rule-{}-edit", r.id),
            _ => "routing-add".into(),
        };
        keep_focus.set_value(vec![back, "routing-add".into()]);
        editing.set(None);
    });

    // Dragging a rule by its handle; the rule under the pointer is where it goes.
    let drag = use_rule_drag(Callback::new(move |(moved, target)| {
        if let Some(new) = ids().and_then(|list| moved_onto(&list, moved, target)) {
            apply_order(new, moved);
        }
    }));

    let row = move |rule: RoutingRule, index: usize, count: usize| {
        let id = rule.id;
        let name = rule.name.clone();
        let title_id = format!("rule-{id}-title");
        let labelled_by = title_id.clone();
        let broken = broken_sentences(&rule);
        let target = (scope == RuleScope::Property).then(|| target_text(&rule));
        let tools = {
            let (for_enable, for_edit, for_delete) = (rule.clone(), rule.clone(), rule.clone());
            let name = name.clone();
            move || {
                let (for_enable, for_edit, for_delete) = (for_enable.clone(), for_edit.clone(), for_delete.clone());
                view! {
                    <div class="rule-card__tools">
                        <label class="switch">
                            <input
                                type="checkbox"
                                role="switch"
                                id=format!("rule-{id}-enabled")
                                aria-label=format!("Enabled: {name}")
                                prop:checked=for_enable.enabled
                                on:change=move |ev| set_enabled(for_enable.clone(), event_target_checked(&ev))
                            />
                            <span>"Enabled"</span>
                        </label>
                        <button type="button" class="button button--small button--ghost" id=format!("rule-{id}-up")
                            aria-label=format!("Move {name} up") disabled=index == 0
                            on:click=move |_| move_by(id, -1)>"↑ Move up"</button>
                        <button type="button" class="button button--small button--ghost" id=format!("rule-{id}-down")
                            aria-label=format!("Move {name} down") disabled=index + 1 == count
                            on:click=move |_| move_by(id, 1)>"↓ Move down"</button>
                        <button type="button" class="button button--small" id=format!("rule-{id}-edit")
                            aria-label=format!("Edit {name}")
                            on:click=move |_| {
                                keep_focus.set_value(vec![format!("rule-{id}-name")]);
                                editing.set(Some(Editing::Rule(for_edit.clone())));
                            }>"Edit"</button>
                        <button type="button" class="button button--small button--ghost" aria-label=format!("Delete {name}")
                            on:click=move |_| {
                                delete_error.set(None);
                                deleting.set(Some(for_delete.clone()));
                            }>"Delete"</button>
                    </div>
                }
            }
        };
        view! {
            <li
                class="rule-card"
                aria-labelledby=labelled_by
                class:rule-card--disabled=!rule.enabled
                class:rule-card--dragged=move || drag.is_dragged(id)
                class:rule-card--over=move || drag.is_over(id)
                data-rule-id=id.to_string()
            >
                <div class="rule-card__head">
                    <Show when=move || editable.get()>
                        <span class="rule-card__grip" aria-hidden="true" title="Drag to reorder"
                            on:pointerdown=move |e: ev::PointerEvent| drag.press(&e, id)>"⠿"</span>
                    </Show>
                    <span class="rule-card__name" id=title_id>{format!("{}. {name}", index + 1)}</span>
                    {(!rule.enabled).then(|| view! { <span class="rule-card__badge">"Disabled"</span> })}
                    {rule.include_children.then(|| view! { <span class="rule-card__badge">"Also for child organizations"</span> })}
                </div>
                {target.map(|t| view! {
                    <p class="rule-card__target" data-testid="rule-target">"For organizations with " <strong>{t}</strong></p>
                })}
                <RuleSummary rule=rule.clone() />
                {broken.into_iter().map(|b| view! { <p class="notice notice--error rule-card__broken">{b}</p> }).collect_view()}
                <Show when=move || editable.get()>{tools.clone()}</Show>
            </li>
        }
    };

    view! {
        <div class="rule-list">
            <ErrorNotice message=error />
            <p class="visually-hidden" aria-live="polite" data-testid="routing-announcement">{move || announcement.get()}</p>
            {move || match rules.get() {
                None => view! { <p class="hint">"Loading routing rules…"</p> }.into_any(),
                Some(list) if list.is_empty() => view! { <p class="hint">{empty}</p> }.into_any(),
                Some(list) => {
                    let count = list.len();
                    view! {
                        <Show when=move || editable.get()>
                            <p class="hint">"Drag a rule by its handle, or use Move up and Move down, to change the order."</p>
                        </Show>
                        <ol class="rule-list__rules" aria-label=label
                            class:rule-list__rules--dragging=move || drag.dragging.get().is_some()>
                            {list.into_iter().enumerate().map(|(i, r)| row(r, i, count)).collect_view()}
                        </ol>
                    }
                        .into_any()
                }
            }}
            <Show when=move || editable.get()>
                {move || match editing.get() {
                    None => {
                        let first = rules.with(|l| l.as_ref().is_some_and(Vec::is_empty));
                        view! {
                            <button type="button" class="button button--small" id="routing-add"
                                disabled=move || rules.with(Option::is_none)
                                on:click=move |_| {
                                    keep_focus.set_value(vec!["rule-new-name".into()]);
                                    editing.set(Some(Editing::New));
                                }>
                                {if first { add_first } else { "Add rule" }}
                            </button>
                        }
                            .into_any()
                    }
                    Some(Editing::New) => {
                        let fresh: Option<RoutingRule> = None;
                        view! {
                            <RoutingRuleEditor scope=scope rule=fresh
                                suggested_name=suggested_name.get_untracked()
                                on_saved=on_saved on_cancel=on_cancel />
                        }
                            .into_any()
                    }
                    Some(Editing::Rule(r)) => view! {
                        <RoutingRuleEditor scope=scope rule=Some(r) on_saved=on_saved on_cancel=on_cancel />
                    }
                        .into_any(),
                }}
            </Show>
            {move || deleting.get().map(|rule| view! {
                <ConfirmDialog
                    id="routing-delete"
                    title=format!("Delete the rule {}?", rule.name)
                    message="It stops routing new items. Items it already routed stay as they are, and their history keeps what it did."
                    confirm_label="Delete rule"
                    on_confirm=confirm_delete
                    on_close=move |()| deleting.set(None)
                    busy=delete_busy
                    error=delete_error
                />
            })}
        </div>
    }
}
