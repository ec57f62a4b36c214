//! The panel's hierarchy: the parent (set through a picker that greys out the
//! organizations that would close a loop, saying why) and the children (linked,
//! unlinked, or created by name).

use leptos::prelude::*;
use leptos::task::spawn_local;
use orgdesk_core::api::organization::{AddChildRequest, Relation, UpdateDetailRequest};
use orgdesk_core::customer::parse_organization_name;

use super::OrgPanel;
use crate::api;
use crate::components::error_notice::ErrorNotice;
use crate::components::search_picker::{Pick, PickerKind, SearchPicker};

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
/// server: the search picker's combobox, where those that would make an organization
/// its own ancestor are disabled, with the reason beside them; for a child, the last
/// option creates the typed name. Escape on an empty search (or Cancel) closes it.
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
    let create_error = RwSignal::new(None::<String>);
    let create = on_create.map(|cb| {
        Callback::new(move |name: String| match parse_organization_name(&name) {
            Ok(name) => {
                create_error.set(None);
                cb.run(name);
            }
            Err(e) => create_error.set(Some(e)),
        })
    });
    view! {
        <div class="org-relative-picker" on:keydown=move |e: leptos::ev::KeyboardEvent| {
            // The picker keeps an Escape that clears its search; one that reaches here cancels.
            if e.key() == "Escape" {
                e.stop_propagation();
                on_cancel.run(());
            }
        }>
            <SearchPicker
                id=id
                label=label
                kind=PickerKind::Relatives { organization: panel.id, relation }
                inline=true
                on_pick=move |p: Pick| on_pick.run(p.id)
                on_create=create
                create_label="Create organization “{}” as a child"
                error=create_error
            />
            <button type="button" class="button button--small" on:click=move |_| on_cancel.run(())>"Cancel"</button>
        </div>
    }
}
