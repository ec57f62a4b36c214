//! Merging organizations (admins): the organization panel's "Merge into…" action, and
//! the preview page `/organizations/{id}/merge?into={target}`: pick the survivor, see
//! both side by side, choose each conflicting field, see what moves and who gains
//! sight of what, then merge (one transaction on the server). The merged
//! organization's old links open the survivor (the panel follows the id the server
//! answers with).

use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use leptos_router::NavigateOptions;
use orgdesk_core::api::merge::{AccessGain, MergeConflict, MergePreview, MergeRequest, MergeSide};
use serde_json::Value;

use crate::api;
use crate::components::error_notice::ErrorNotice;
use crate::components::search_picker::{Pick, PickerKind, SearchPicker};
use crate::state::use_session;
use crate::text::count_of;

/// The route `/organizations/{id}/merge`.
#[component]
pub fn MergePage() -> impl IntoView {
    crate::hooks::use_title(|| Some("Merge organizations".to_string()));
    let session = use_session();
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<i64>().ok())).unwrap_or(0));
    view! {
        <section class="page merge">
            <p class="merge__back">
                <A href=move || format!("/organizations/{}", id.get())>"← Back to the organization"</A>
            </p>
            <h1 class="page__title">"Merge organizations"</h1>
            <Show
                when=move || session.is_admin()
                fallback=|| view! { <ErrorNotice message="Only administrators can merge organizations." /> }
            >
                {move || view! { <MergeView id=id.get() /> }}
            </Show>
        </section>
    }
}

#[component]
fn MergeView(id: i64) -> impl IntoView {
    let query = use_query_map();
    let target = Memo::new(move |_| query.with(|q| q.get("into").and_then(|s| s.parse::<i64>().ok())));
    let navigate = use_navigate();
    let merged_name = LocalResource::new(move || async move { api::organizations::organization_detail(id).await });
    let reload = RwSignal::new(0u32);
    let preview = LocalResource::new(move || {
        let target = target.get();
        reload.track();
        async move {
            match target {
                Some(t) => api::merge::merge_preview(id, t).await.map(Some),
                None => Ok(None),
            }
        }
    });
    let to_target = navigate.clone();
    let pick = Callback::new(move |p: Pick| {
        to_target(
            &format!("/organizations/{id}/merge?into={}", p.id),
            NavigateOptions { replace: true, scroll: false, ..Default::default() },
        )
    });
    let selected = Signal::derive(move || {
        preview.get().and_then(|r| r.ok().flatten()).map(|p| Pick {
            id: p.survivor.id,
            name: p.survivor.name.clone(),
            detail: String::new(),
        })
    });
    let name = move || {
        merged_name.get().and_then(|r| r.ok()).map(|d| d.name).unwrap_or_else(|| "this organization".to_string())
    };
    let on_clear = Callback::new(move |()| {
        navigate(&format!("/organizations/{id}/merge"), NavigateOptions { replace: true, ..Default::default() })
    });

    view! {
        <p class="merge__intro">
            "Merge "<strong>{name}</strong>" into another organization: everything of it moves to that one "
            "(the survivor), and its old links open the survivor. Nothing changes until you confirm below."
        </p>
        <div class="merge__picker">
            <SearchPicker id="merge-target" label="Merge into" kind=PickerKind::Organization
                placeholder="Type to search organizations" on_pick=pick selected=selected on_clear=on_clear
                exclude=Signal::stored(vec![id]) />
        </div>
        <Suspense fallback=|| view! { <p class="app-loading">"Loading the preview…"</p> }>
            {move || preview.get().map(|r| match r {
                Ok(Some(p)) => view! { <PreviewView id=id preview=p reload=reload /> }.into_any(),
                Ok(None) => ().into_any(),
                Err(e) => view! { <ErrorNotice message=e.message() /> }.into_any(),
            })}
        </Suspense>
    }
}

/// A property's value as people read it.
fn shown(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Bool(true) => "Yes".into(),
        Value::Bool(false) => "No".into(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(shown).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

/// The first names of a list and how many more there are.
fn listed(names: &[String], total: i64) -> String {
    let mut text = if names.is_empty() { "None".to_string() } else { names.join(", ") };
    let more = total - names.len() as i64;
    if more > 0 {
        text.push_str(&format!(" and {more} more"));
    }
    text
}

/// The rows of the side-by-side table: (field, the merged side's value, the survivor's).
fn rows(m: &MergeSide, s: &MergeSide) -> Vec<(&'static str, String, String)> {
    let domains = |x: &MergeSide| if x.domains.is_empty() { "None".into() } else { x.domains.join(", ") };
    let contacts = |x: &MergeSide| {
        if x.contacts.is_empty() {
            "None".into()
        } else {
            x.contacts.iter().map(|c| c.value.clone()).collect::<Vec<_>>().join(", ")
        }
    };
    let properties = |x: &MergeSide| {
        if x.properties.is_empty() {
            "None".into()
        } else {
            x.properties
                .iter()
                .map(|p| format!("{}: {}", p.definition.label, shown(&p.value)))
                .collect::<Vec<_>>()
                .join("; ")
        }
    };
    let parent = |x: &MergeSide| x.parent.as_ref().map(|p| p.name.clone()).unwrap_or_else(|| "None".into());
    let summary = |x: &MergeSide| if x.summary.is_empty() { "None".into() } else { x.summary.clone() };
    let projects = |x: &MergeSide| {
        let names: Vec<String> = x.projects.iter().map(|p| p.name.clone()).collect();
        listed(&names, x.project_count)
    };
    let n = |v: i64| v.to_string();
    vec![
        ("Name", m.name.clone(), s.name.clone()),
        ("Summary", summary(m), summary(s)),
        ("Domains", domains(m), domains(s)),
        ("Contacts", contacts(m), contacts(s)),
        ("Custom properties", properties(m), properties(s)),
        ("Parent", parent(m), parent(s)),
        ("Managers", listed(&m.managers, m.manager_count), listed(&s.managers, s.manager_count)),
        (
            "Routing rules",
            listed(&m.routing_rules, m.routing_rule_count),
            listed(&s.routing_rules, s.routing_rule_count),
        ),
        ("Shared projects", projects(m), projects(s)),
        ("Usergroups", listed(&m.usergroups, m.usergroup_count), listed(&s.usergroups, s.usergroup_count)),
        ("Members", n(m.members), n(s.members)),
        ("Open items", n(m.open_items), n(s.open_items)),
        ("Closed items", n(m.closed_items), n(s.closed_items)),
        ("Notes", n(m.notes), n(s.notes)),
        ("Files", n(m.files), n(s.files)),
        ("History entries", n(m.history_entries), n(s.history_entries)),
        ("Conversations", n(m.conversations), n(s.conversations)),
        ("Sub-organizations", n(m.children), n(s.children)),
    ]
}

/// "1 customer of Acme Ltd will see 4 items of Acme."
fn gain_sentence(gain: AccessGain, whose: &str, other: &str) -> String {
    if gain.customers == 0 || gain.items == 0 {
        format!("No customer of {whose} gains sight of an item of {other}.")
    } else {
        format!(
            "{} of {whose} will see {} of {other} in the portal.",
            count_of(gain.customers, "customer", "customers"),
            count_of(gain.items, "item", "items")
        )
    }
}

#[component]
fn PreviewView(id: i64, preview: MergePreview, reload: RwSignal<u32>) -> impl IntoView {
    let navigate = use_navigate();
    let take = RwSignal::new(BTreeSet::<String>::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let stale = RwSignal::new(false);
    let m = preview.merged.clone();
    let s = preview.survivor.clone();
    let (merged_name, survivor_name) = (m.name.clone(), s.name.clone());
    let request = StoredValue::new((s.id, m.version, s.version));
    let confirm = move |_| {
        let (target, version, target_version) = request.get_value();
        let req = MergeRequest {
            target_id: target,
            version,
            target_version,
            take_merged: take.get_untracked().into_iter().collect(),
        };
        busy.set(true);
        error.set(None);
        let navigate = navigate.clone();
        spawn_local(async move {
            match api::merge::merge(id, &req).await {
                Ok(outcome) => navigate(&format!("/organizations/{}", outcome.survivor.id), Default::default()),
                Err(e) => {
                    stale.set(e.field("version").is_some());
                    error.set(Some(e.field_or_message("take_merged")));
                    busy.set(false);
                }
            }
        });
    };
    let moves = [
        count_of(m.members, "member", "members"),
        format!("{} open and {} closed", m.open_items, m.closed_items)
            + if m.open_items + m.closed_items == 1 { " item" } else { " items" },
        count_of(m.history_entries, "history entry", "history entries"),
        count_of(m.notes, "note", "notes"),
        count_of(m.files, "file", "files"),
        count_of(m.domains.len() as i64, "domain", "domains"),
        count_of(m.contacts.len() as i64, "contact entry", "contact entries"),
        count_of(m.routing_rule_count, "routing rule", "routing rules"),
        count_of(m.project_count, "shared project", "shared projects"),
        count_of(m.usergroup_count, "usergroup link", "usergroup links"),
        count_of(m.conversations, "conversation", "conversations"),
        count_of(m.children, "sub-organization", "sub-organizations"),
    ];
    let conflicts = preview.conflicts.clone();
    let refused = preview.refused.clone();
    let may_merge = refused.is_none();
    let access = preview.access;
    let table = rows(&m, &s);
    let button_label = format!("Merge {merged_name} into {survivor_name}");

    view! {
        <div class="merge__preview" data-testid="merge-preview">
            {refused.map(|r| view! { <p class="notice notice--error" role="alert">{r}</p> })}
            <h2 class="merge__heading">"Side by side"</h2>
            <div class="merge__table-wrap">
                <table class="merge-table">
                    <caption class="visually-hidden">"Both organizations, field by field"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Field"</th>
                            <th scope="col">{merged_name.clone()}<span class="merge-table__role">" (merged, goes away)"</span></th>
                            <th scope="col">{survivor_name.clone()}<span class="merge-table__role">" (survives)"</span></th>
                        </tr>
                    </thead>
                    <tbody>
                        {table.into_iter().map(|(field, merged, survivor)| view! {
                            <tr>
                                <th scope="row">{field}</th>
                                <td>{merged}</td>
                                <td>{survivor}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>

            <h2 class="merge__heading">"Choose where they differ"</h2>
            {if conflicts.is_empty() {
                view! { <p>"No field differs: nothing to choose."</p> }.into_any()
            } else {
                view! {
                    <p class="hint">"Domains, contacts, notes, files, members, items and history are united, not chosen. \
                        A field only "{merged_name.clone()}" fills is taken from it."</p>
                    {conflicts.into_iter().map(|c| view! {
                        <ConflictChoice conflict=c take=take merged_name=merged_name.clone() survivor_name=survivor_name.clone() />
                    }).collect_view()}
                }.into_any()
            }}

            <h2 class="merge__heading">"What moves to "{survivor_name.clone()}</h2>
            <p data-testid="merge-moves">{moves.join(", ")}"."</p>

            <h2 class="merge__heading">"Who gains sight of what"</h2>
            <ul class="merge__access" data-testid="merge-access">
                <li>{gain_sentence(access.merged_members, &merged_name, &survivor_name)}</li>
                <li>{gain_sentence(access.survivor_members, &survivor_name, &merged_name)}</li>
            </ul>
            <p class="hint">"Members keep their roles; every member gets "{survivor_name.clone()}"'s portal visibility: "
                {access.visibility.label()}"."</p>

            <ErrorNotice message=error />
            <div class="form__actions merge__actions">
                {move || stale.get().then(|| view! {
                    <button type="button" class="button" on:click=move |_| reload.update(|n| *n += 1)>"Reload the preview"</button>
                })}
                <button type="button" class="button button--primary" disabled=move || busy.get() || !may_merge
                    on:click=confirm>
                    {button_label}
                </button>
                <A href=format!("/organizations/{id}") attr:class="button">"Cancel"</A>
            </div>
        </div>
    }
}

/// Keep the survivor's value, or take the merged organization's.
#[component]
fn ConflictChoice(
    conflict: MergeConflict,
    take: RwSignal<BTreeSet<String>>,
    merged_name: String,
    survivor_name: String,
) -> impl IntoView {
    let key = conflict.key.clone();
    let base = format!("merge-choice-{}", key.replace(':', "-"));
    let (keep_id, take_id, hint_id) = (format!("{base}-keep"), format!("{base}-take"), format!("{base}-hint"));
    let disabled = conflict.merged_disabled_reason.is_some();
    let (k1, k2, k3, k4) = (key.clone(), key.clone(), key.clone(), key.clone());
    view! {
        <fieldset class="merge-choice" data-key=key.clone()>
            <legend>{conflict.label.clone()}</legend>
            <div class="checkbox-field">
                <input type="radio" name=base.clone() id=keep_id.clone()
                    prop:checked=move || take.with(|t| !t.contains(&k1))
                    on:change=move |_| take.update(|t| { t.remove(&k2); }) />
                <label for=keep_id>"Keep “"{conflict.survivor.clone()}"” ("{survivor_name}")"</label>
            </div>
            <div class="checkbox-field">
                <input type="radio" name=base.clone() id=take_id.clone() disabled=disabled
                    aria-describedby=disabled.then(|| hint_id.clone())
                    prop:checked=move || take.with(|t| t.contains(&k3))
                    on:change=move |_| take.update(|t| { t.insert(k4.clone()); }) />
                <label for=take_id>"Take “"{conflict.merged.clone()}"” ("{merged_name}")"</label>
            </div>
            {conflict.merged_disabled_reason.map(|r| view! { <p class="hint" id=hint_id>{r}</p> })}
        </fieldset>
    }
}
