//! The panel's hierarchy: the parent (set through a picker that greys out the
//! organizations that would close a loop, saying why) and the children (linked,
//! unlinked, or created by name).

use leptos::prelude::*;
use leptos::task::spawn_local;
use orgdesk_core::api::organization::{AddChildRequest, ParentCandidate, Relation, UpdateDetailRequest};
use orgdesk_core::customer::parse_organization_name;

use super::OrgPanel;
use crate::api;
use crate::components::error_notice::ErrorNotice;

/// Is `name` (typed) the name of one of `candidates`, ignoring case and spaces around it?
pub fn names_an_existing(name: &str, candidates: &[ParentCandidate]) -> bool {
    let name = name.trim().to_lowercase();
    candidates.iter().any(|c| c.name.trim().to_lowercase() == name)
}

#[component]
pub fn HierarchySection(panel: OrgPanel) -> impl IntoView {
    let picking_parent = RwSignal::new(false);
    let adding_child = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let parent = move || panel.detail.with(|d| d.as_ref().and_then(|d| d.parent.clone()));
    let children = move || panel.detail.with(|d| d.as_ref().map(|d| d.children.clone()).unwrap_or_default());

    let set_parent = move |parent_id: Option<i64>| {
        let req = UpdateDetailRequest { version: panel.version(), parent_id: Some(parent_id), ..Default::default() };
        spawn_local(async move {
            let outcome = panel.save(api::organizations::update_detail(panel.id, &req)).await;
            error.set(outcome.error_at("parent_id"));
            if outcome.is_saved() {
                picking_parent.set(false);
            }
        });
    };
    let add_child = move |req: AddChildRequest| {
        spawn_local(async move {
            let outcome = panel.save(api::organizations::add_child(panel.id, &req)).await;
            error.set(outcome.error_at(if req.child_id.is_some() { "child_id" } else { "create_name" }));
            if outcome.is_saved() {
                adding_child.set(false);
            }
        });
    };
    let remove_child = move |child_id: i64| {
        spawn_local(async move {
            let outcome = panel.save(api::organizations::remove_child(panel.id, child_id, panel.version())).await;
            error.set(outcome.error_at("child_id"));
        });
    };

    view! {
        <section class="panel__section org-section" data-section="hierarchy" aria-labelledby="org-hierarchy-title">
            <h3 class="panel__heading" id="org-hierarchy-title">"Hierarchy"</h3>
            <ErrorNotice message=error />
            <div class="org-hierarchy__parent">
                <span class="field__label">"Parent organization"</span>
                <div class="org-hierarchy__row" data-testid="org-parent">
                    {move || match parent() {
                        Some(p) => view! {
                            <a href=format!("/organizations/{}", p.id)>{p.name.clone()}</a>
                            <button type="button" class="button button--small button--ghost"
                                on:click=move |_| set_parent(None)>
                                "Remove parent"
                            </button>
                        }.into_any(),
                        None => view! { <span class="hint org-hierarchy__none">"None"</span> }.into_any(),
                    }}
                    <Show when=move || !picking_parent.get()>
                        <button type="button" class="button button--small" on:click=move |_| picking_parent.set(true)>
                            {move || if parent().is_some() { "Change parent" } else { "Set parent" }}
                        </button>
                    </Show>
                </div>
                <Show when=move || picking_parent.get()>
                    <RelativePicker panel=panel relation=Relation::Parent id="org-parent-search" label="Search parent organization"
                        on_pick=Callback::new(move |id: i64| set_parent(Some(id)))
                        on_create=None
                        on_cancel=Callback::new(move |_| picking_parent.set(false)) />
                </Show>
            </div>
            <div class="org-hierarchy__children">
                <span class="field__label">"Child organizations"</span>
                {move || {
                    let list = children();
                    if list.is_empty() {
                        view! { <p class="hint org-hierarchy__none">"None"</p> }.into_any()
                    } else {
                        view! {
                            <ul class="org-hierarchy__list" aria-label="Child organizations">
                                {list.into_iter().map(|c| {
                                    let label = format!("Remove link to {}", c.name);
                                    let id = c.id;
                                    view! {
                                        <li class="org-hierarchy__row">
                                            <a href=format!("/organizations/{id}")>{c.name.clone()}</a>
                                            <button type="button" class="button button--small button--ghost" aria-label=label
                                                title="Unlinks the child; deletes nothing"
                                                on:click=move |_| remove_child(id)>
                                                "Remove link"
                                            </button>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }
                }}
                <Show when=move || !adding_child.get()>
                    <button type="button" class="button button--small" on:click=move |_| adding_child.set(true)>"Add child"</button>
                </Show>
                <Show when=move || adding_child.get()>
                    <RelativePicker panel=panel relation=Relation::Child id="org-child-search" label="Search child organization"
                        on_pick=Callback::new(move |id: i64| {
                            add_child(AddChildRequest { version: panel.version(), child_id: Some(id), create_name: None })
                        })
                        on_create=Some(Callback::new(move |name: String| {
                            add_child(AddChildRequest { version: panel.version(), child_id: None, create_name: Some(name) })
                        }))
                        on_cancel=Callback::new(move |_| adding_child.set(false)) />
                </Show>
            </div>
        </section>
    }
}

/// A search over the organizations that could be the parent (or a child), from the
/// server: those that would make an organization its own ancestor are greyed out,
/// not clickable, with the reason beside them.
#[component]
fn RelativePicker(
    panel: OrgPanel,
    relation: Relation,
    id: &'static str,
    label: &'static str,
    on_pick: Callback<i64>,
    on_create: Option<Callback<String>>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let create_error = RwSignal::new(None::<String>);
    let results = LocalResource::new(move || {
        let q = query.get();
        async move { api::organizations::relatives(panel.id, relation, q.trim()).await }
    });
    let list_label = format!("{label}: results");
    let create = move |name: String| {
        if let Some(cb) = on_create {
            match parse_organization_name(&name) {
                Ok(name) => {
                    create_error.set(None);
                    cb.run(name);
                }
                Err(e) => create_error.set(Some(e)),
            }
        }
    };
    view! {
        <div class="field picker org-relative-picker">
            <label class="field__label" for=id>{label}</label>
            <div class="org-relative-picker__bar">
                <input class="field__input" id=id type="search" autocomplete="off" placeholder="Type an organization name"
                    prop:value=move || query.get()
                    on:input=move |e| query.set(event_target_value(&e))
                    on:keydown=move |e: leptos::ev::KeyboardEvent| {
                        if e.key() == "Escape" {
                            e.stop_propagation();
                            on_cancel.run(());
                        }
                    } />
                <button type="button" class="button button--small" on:click=move |_| on_cancel.run(())>"Cancel"</button>
            </div>
            {move || create_error.get().map(|m| view! { <p class="field__error">{m}</p> })}
            <ul class="options picker__options org-relative-picker__options" aria-label=list_label>
                <Transition fallback=|| view! { <li class="picker__empty">"Searching…"</li> }>
                    {move || Suspend::new(async move {
                        let typed = query.get_untracked().trim().to_string();
                        match results.await {
                            Ok(list) => {
                                let offer = (on_create.is_some() && !typed.is_empty() && !names_an_existing(&typed, &list))
                                    .then(|| {
                                        let name = typed.clone();
                                        view! {
                                            <li>
                                                <button type="button" class="option org-relative-picker__create"
                                                    on:click=move |_| create(name.clone())>
                                                    {format!("Create organization “{typed}” as a child")}
                                                </button>
                                            </li>
                                        }
                                    });
                                let empty = (list.is_empty() && offer.is_none())
                                    .then(|| view! { <li class="picker__empty">"No matches."</li> });
                                view! {
                                    {list.into_iter().map(|c| candidate(c, on_pick)).collect_view()}
                                    {offer}
                                    {empty}
                                }.into_any()
                            }
                            Err(e) => view! { <li class="picker__empty" role="alert">{e.message()}</li> }.into_any(),
                        }
                    })}
                </Transition>
            </ul>
        </div>
    }
}

/// One organization in the picker: a button, or greyed out with its reason.
fn candidate(c: ParentCandidate, on_pick: Callback<i64>) -> impl IntoView {
    let id = c.id;
    match c.disabled_reason {
        None => view! {
            <li>
                <button type="button" class="option" on:click=move |_| on_pick.run(id)>{c.name}</button>
            </li>
        }
        .into_any(),
        Some(reason) => {
            let reason_id = format!("org-candidate-{id}-reason");
            view! {
                <li class="org-candidate--disabled">
                    <button type="button" class="option option--disabled" aria-disabled="true" aria-describedby=reason_id.clone()>
                        {c.name}
                    </button>
                    <span class="option__reason" id=reason_id>{reason}</span>
                </li>
            }
            .into_any()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_name_matches_an_existing_organization_ignoring_case() {
        let list = vec![ParentCandidate { id: 1, name: "Acme EU".into(), disabled_reason: None }];
        assert!(names_an_existing(" acme eu ", &list));
        assert!(!names_an_existing("Acme", &list));
    }
}
