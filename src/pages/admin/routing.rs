//! Administration > Routing (`/admin/routing`): the property-targeted routing rules,
//! which apply to every organization whose custom property has a value ("Plan =
//! Enterprise"). Admins add, edit, enable, delete and reorder them (by dragging a
//! rule's handle, or with its Move up/Move down buttons); other agents read them.

use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use orgdesk_core::api::routing::{RoutingRule, UpdateRoutingRuleRequest};
use orgdesk_core::error::ErrorCode;
use wasm_bindgen::JsCast;

use crate::api::{self, ApiError};
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::error_notice::ErrorNotice;
use crate::components::routing_rule_editor::{RoutingRuleEditor, RuleScope};
use crate::components::routing_rule_summary::{broken_reasons, target_text, RuleSummary};
use crate::components::rule_drag::{moved_onto, use_rule_drag};
use crate::forms::focus_after_render;
use crate::state::use_session;

/// The documented order in which rules apply to an item.
pub const PRECEDENCE: &str = "Rules apply in this order: the organization's own rules, then rules inherited from its \
     parent organizations (nearest first), then these property-targeted rules, each group in its order. \
     \"Stop further rules\" ends the walk.";

/// What the editor is open for: a new rule, or an existing one.
#[derive(Clone)]
enum Editing {
    New,
    Rule(RoutingRule),
}

#[component]
pub fn AdminRoutingPage() -> impl IntoView {
    let session = use_session();
    let is_admin = Signal::derive(move || session.is_admin());
    let rules = RwSignal::new(None::<Vec<RoutingRule>>);
    let load_error = RwSignal::new(None::<String>);
    let action_error = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);
    let announcement = RwSignal::new(String::new());
    let editing = RwSignal::new(None::<Editing>);
    let deleting = RwSignal::new(None::<RoutingRule>);
    let delete_busy = RwSignal::new(false);
    let delete_error = RwSignal::new(None::<String>);

    // The list is drawn anew when it changes: the control a person used (or its
    // neighbour) gets the focus back if it fell to the page.
    let keep_focus = StoredValue::new(Vec::<String>::new());
    Effect::new(move |_| {
        rules.track();
        editing.track();
        request_animation_frame(move || restore_focus(&keep_focus.get_value()));
    });

    let reload = move || {
        spawn_local(async move {
            match api::routing::property_rules().await {
                Ok(list) => {
                    load_error.set(None);
                    rules.set(Some(list));
                }
                Err(e) => load_error.set(Some(e.message())),
            }
        });
    };
    reload();

    let failed = move |e: ApiError| {
        if matches!(&e, ApiError::Server(b) if b.code == ErrorCode::Conflict) {
            action_error.set(Some("Someone changed these rules meanwhile; the list is reloaded.".into()));
        } else {
            action_error.set(Some(e.message()));
        }
        reload();
    };

    let reorder = move |ids: Vec<i64>, moved: i64| {
        action_error.set(None);
        notice.set(None);
        // Shown at once; the server's answer replaces it.
        rules.update(|list| {
            if let Some(list) = list {
                list.sort_by_key(|r| ids.iter().position(|i| *i == r.id));
            }
        });
        spawn_local(async move {
            match api::routing::reorder_property_rules(ids).await {
                Ok(list) => {
                    if let Some(at) = list.iter().position(|r| r.id == moved) {
                        announcement.set(format!("Moved {} to position {} of {}.", list[at].name, at + 1, list.len()));
                    }
                    rules.set(Some(list));
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
            reorder(new, id);
        }
    };

    let set_enabled = move |rule: RoutingRule, enabled: bool| {
        keep_focus.set_value(vec![format!("rule-enabled-{}", rule.id)]);
        action_error.set(None);
        let req = UpdateRoutingRuleRequest { version: rule.version, enabled: Some(enabled), ..Default::default() };
        spawn_local(async move {
            match api::routing::update_property_rule(rule.id, &req).await {
                Ok(saved) => {
                    notice.set(Some(format!("{} {}.", if saved.enabled { "Enabled" } else { "Disabled" }, saved.name)));
                    rules.update(|l| {
                        if let Some(r) = l.iter_mut().flatten().find(|r| r.id == saved.id) {
                            *r = saved;
                        }
                    });
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
            let result = api::routing::delete_property_rule(rule.id).await;
            delete_busy.set(false);
            match result {
                Ok(()) => {
                    keep_focus.set_value(vec!["routing-add".into()]);
                    deleting.set(None);
                    notice.set(Some(format!("Deleted the rule {}.", rule.name)));
                    rules.update(|l| {
                        if let Some(l) = l {
                            l.retain(|r| r.id != rule.id);
                        }
                    });
                }
                Err(e) => delete_error.set(Some(e.message())),
            }
        });
    };

    let on_saved = Callback::new(move |saved: RoutingRule| {
        keep_focus.set_value(vec![format!("rule-{}-edit", saved.id), "routing-add".into()]);
        editing.set(None);
        notice.set(Some(format!("Saved the rule {}.", saved.name)));
        rules.update(|l| {
            let l = l.get_or_insert_with(Vec::new);
            match l.iter_mut().find(|r| r.id == saved.id) {
                Some(r) => *r = saved,
                None => l.push(saved),
            }
        });
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
            reorder(new, moved);
        }
    }));

    view! {
        <section class="page admin-routing">
            <p class="audit__back"><A href="/admin">"← Administration"</A></p>
            <h1 class="page__title">"Routing"</h1>
            <p class="admin-routing__intro">
                "Rules for every organization whose property has a value, for example Plan = Enterprise. \
                 Each organization's routing section shows the ones that reach it."
            </p>
            <p class="hint admin-routing__precedence" data-testid="routing-precedence">{PRECEDENCE}</p>
            <Show when=move || !is_admin.get()>
                <p class="notice">"Only administrators can change these rules; you can read them."</p>
            </Show>
            <ErrorNotice message=load_error />
            <ErrorNotice message=action_error />
            {move || notice.get().map(|n| view! { <p class="notice" role="status">{n}</p> })}
            <p class="visually-hidden" aria-live="polite" data-testid="routing-announcement">{move || announcement.get()}</p>
            {move || match rules.get() {
                None => view! { <p class="hint">"Loading rules…"</p> }.into_any(),
                Some(list) if list.is_empty() => view! {
                    <p class="empty-state">"No property-targeted rules yet."</p>
                }.into_any(),
                Some(list) => {
                    let last = list.len() - 1;
                    view! {
                        <ol class="admin-routing__rules" aria-label="Property-targeted rules"
                            class:admin-routing__rules--dragging=move || drag.dragging.get().is_some()>
                            {list.into_iter().enumerate().map(|(i, rule)| {
                                let id = rule.id;
                                let name = rule.name.clone();
                                let broken = broken_reasons(&rule);
                                let target = target_text(&rule);
                                let for_enable = rule.clone();
                                let for_edit = rule.clone();
                                let for_delete = rule.clone();
                                let enabled_id = format!("rule-enabled-{id}");
                                let title_id = format!("rule-title-{id}");
                                let labelled_by = title_id.clone();
                                view! {
                                    <li class="card routing-rule" data-rule-id=id.to_string()
                                        aria-labelledby=labelled_by
                                        class:routing-rule--disabled=!rule.enabled
                                        class:routing-rule--dragged=move || drag.is_dragged(id)
                                        class:routing-rule--over=move || drag.is_over(id)>
                                        <div class="routing-rule__head">
                                            <Show when=move || is_admin.get()>
                                                <span class="routing-rule__grip" aria-hidden="true" title="Drag to reorder"
                                                    on:pointerdown=move |e: ev::PointerEvent| drag.press(&e, id)>"⠿"</span>
                                            </Show>
                                            <span class="routing-rule__position">{format!("{}.", i + 1)}</span>
                                            <h2 class="routing-rule__name" id=title_id>{rule.name.clone()}</h2>
                                            {(!rule.enabled).then(|| view! { <span class="routing-rule__state">"Disabled"</span> })}
                                        </div>
                                        <p class="routing-rule__target" data-testid="rule-target">
                                            "For organizations with " <strong>{target}</strong>
                                        </p>
                                        <RuleSummary rule=rule.clone() />
                                        {(!broken.is_empty()).then(|| view! {
                                            <div class="notice notice--error routing-rule__broken" role="note">
                                                {broken.into_iter().map(|b| view! { <p>{format!("{b} — this rule is skipped.")}</p> }).collect_view()}
                                            </div>
                                        })}
                                        <Show when=move || is_admin.get()>
                                            {
                                                let for_enable = for_enable.clone();
                                                let for_edit = for_edit.clone();
                                                let for_delete = for_delete.clone();
                                                let enabled_id = enabled_id.clone();
                                                let enabled_for = enabled_id.clone();
                                                let name = name.clone();
                                                view! {
                                                    <div class="routing-rule__actions">
                                                        <label class="checkbox-field routing-rule__enabled" for=enabled_for>
                                                            <input type="checkbox" id=enabled_id role="switch"
                                                                prop:checked=for_enable.enabled
                                                                on:change={
                                                                    let r = for_enable.clone();
                                                                    move |ev| set_enabled(r.clone(), event_target_checked(&ev))
                                                                } />
                                                            "Enabled"
                                                        </label>
                                                        <button type="button" class="button button--ghost button--small"
                                                            id=format!("rule-{id}-up") aria-label=format!("Move {name} up") disabled=i == 0
                                                            on:click=move |_| move_by(id, -1)>"↑ Move up"</button>
                                                        <button type="button" class="button button--ghost button--small"
                                                            id=format!("rule-{id}-down") aria-label=format!("Move {name} down") disabled=i == last
                                                            on:click=move |_| move_by(id, 1)>"↓ Move down"</button>
                                                        <button type="button" class="button button--small"
                                                            id=format!("rule-{id}-edit") aria-label=format!("Edit {name}")
                                                            on:click={
                                                                let r = for_edit.clone();
                                                                move |_| {
                                                                    keep_focus.set_value(vec![format!("rule-{}-name", r.id)]);
                                                                    focus_after_render(format!("#rule-{}-name", r.id));
                                                                    editing.set(Some(Editing::Rule(r.clone())));
                                                                }
                                                            }>"Edit"</button>
                                                        <button type="button" class="button button--small button--danger"
                                                            aria-label=format!("Delete {name}")
                                                            on:click={
                                                                let r = for_delete.clone();
                                                                move |_| { delete_error.set(None); deleting.set(Some(r.clone())); }
                                                            }>"Delete"</button>
                                                    </div>
                                                }
                                            }
                                        </Show>
                                    </li>
                                }
                            }).collect_view()}
                        </ol>
                    }.into_any()
                }
            }}
            <Show when=move || is_admin.get()>
                {move || match editing.get() {
                    None => view! {
                        <button type="button" class="button button--primary admin-routing__add" id="routing-add"
                            on:click=move |_| {
                                keep_focus.set_value(vec!["rule-new-name".into()]);
                                focus_after_render("#rule-new-name".into());
                                editing.set(Some(Editing::New));
                            }>"Add rule"</button>
                    }.into_any(),
                    Some(Editing::New) => view! { <RuleEditor rule=None on_saved=on_saved on_cancel=on_cancel /> }.into_any(),
                    Some(Editing::Rule(r)) => view! { <RuleEditor rule=Some(r) on_saved=on_saved on_cancel=on_cancel /> }.into_any(),
                }}
            </Show>
            {move || deleting.get().map(|rule| view! {
                <ConfirmDialog
                    id="confirm-delete-routing-rule"
                    title=format!("Delete the rule {}?", rule.name)
                    message="It no longer applies to new items of any organization. Item histories keep what it did."
                    confirm_label="Delete rule"
                    on_confirm=confirm_delete
                    on_close=move |()| deleting.set(None)
                    busy=delete_busy
                    error=delete_error
                />
            })}
        </section>
    }
}

/// Focuses the first of `ids` that takes it, when the focus fell to the page (its
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

/// The editor of a property-targeted rule, in a card under the list.
#[component]
fn RuleEditor(rule: Option<RoutingRule>, on_saved: Callback<RoutingRule>, on_cancel: Callback<()>) -> impl IntoView {
    view! {
        <div class="admin-routing__editor">
            <RoutingRuleEditor scope=RuleScope::Property rule=rule on_saved=on_saved on_cancel=on_cancel />
        </div>
    }
}
