//! The panel's "Manage projects": the projects the organization follows (following
//! is what will grant its members access to the customer portal), with Add and Remove.

use leptos::prelude::*;
use leptos::task::spawn_local;
use orgdesk_core::api::tickets::{AddFollowerRequest, FollowerKind};

use super::OrgPanel;
use crate::api;
use crate::components::error_notice::ErrorNotice;

/// Fetches the detail again and takes only its projects: following a project does
/// not change the organization's version, so an edit in progress keeps its own.
async fn refresh_projects(panel: OrgPanel) -> Result<(), api::ApiError> {
    let fresh = api::organizations::organization_detail(panel.id).await?;
    panel.detail.update(|d| {
        if let Some(d) = d {
            d.projects = fresh.projects;
        }
    });
    Ok(())
}

#[component]
pub fn ProjectsSection(panel: OrgPanel) -> impl IntoView {
    let adding = RwSignal::new(false);
    let query = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let projects = move || panel.detail.with(|d| d.as_ref().map(|d| d.projects.clone()).unwrap_or_default());
    let results = LocalResource::new(move || {
        let q = query.get();
        let open = adding.get();
        async move {
            if !open {
                return Ok(Vec::new());
            }
            api::projects::list_projects("false", q.trim(), 0, 8).await.map(|p| p.items)
        }
    });

    let follow = move |project_id: i64| {
        spawn_local(async move {
            let req = AddFollowerRequest { customer_id: None, organization_id: Some(panel.id) };
            let result = match api::projects::add_project_follower(project_id, req).await {
                Ok(_) => refresh_projects(panel).await,
                Err(e) => Err(e),
            };
            match result {
                Ok(()) => {
                    error.set(None);
                    query.set(String::new());
                    adding.set(false);
                }
                Err(e) => error.set(Some(e.message())),
            }
        });
    };
    let unfollow = move |project_id: i64| {
        spawn_local(async move {
            let result =
                match api::projects::remove_project_follower(project_id, FollowerKind::Organization, panel.id).await {
                    Ok(()) => refresh_projects(panel).await,
                    Err(e) => Err(e),
                };
            match result {
                Ok(()) => error.set(None),
                Err(e) => error.set(Some(e.message())),
            }
        });
    };

    view! {
        <section class="panel__section org-section" data-section="projects" aria-labelledby="org-projects-title">
            <h3 class="panel__heading" id="org-projects-title">"Manage projects"</h3>
            <p class="hint">"The projects this organization follows."</p>
            <ErrorNotice message=error />
            {move || {
                let list = projects();
                if list.is_empty() {
                    view! { <p class="hint">"It follows no project."</p> }.into_any()
                } else {
                    view! {
                        <ul class="chips" aria-label="Followed projects">
                            {list.into_iter().map(|p| {
                                let label = format!("Stop following {}", p.name);
                                let id = p.id;
                                view! {
                                    <li class="chip" class:chip--archived=p.archived>
                                        <a href=format!("/projects/{id}")>{p.name.clone()}</a>
                                        {p.archived.then(|| view! { <span class="chip__detail">"archived"</span> })}
                                        <button type="button" class="chip__remove" aria-label=label on:click=move |_| unfollow(id)>"×"</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            }}
            <Show when=move || !adding.get()>
                <button type="button" class="button button--small" on:click=move |_| adding.set(true)>"Follow a project"</button>
            </Show>
            <Show when=move || adding.get()>
                <div class="field picker">
                    <label class="field__label" for="org-project-search">"Search projects"</label>
                    <div class="org-relative-picker__bar">
                        <input class="field__input" id="org-project-search" type="search" autocomplete="off"
                            placeholder="Type a project name"
                            prop:value=move || query.get()
                            on:input=move |e| query.set(event_target_value(&e)) />
                        <button type="button" class="button button--small" on:click=move |_| adding.set(false)>"Cancel"</button>
                    </div>
                    <ul class="options picker__options" aria-label="Projects to follow">
                        <Transition fallback=|| view! { <li class="picker__empty">"Searching…"</li> }>
                            {move || Suspend::new(async move {
                                let following: Vec<i64> = projects().iter().map(|p| p.id).collect();
                                match results.await {
                                    Ok(list) => {
                                        let list: Vec<_> = list.into_iter().filter(|p| !following.contains(&p.id)).collect();
                                        if list.is_empty() {
                                            view! { <li class="picker__empty">"No projects to add."</li> }.into_any()
                                        } else {
                                            list.into_iter().map(|p| {
                                                let id = p.id;
                                                view! {
                                                    <li><button type="button" class="option" on:click=move |_| follow(id)>{p.name}</button></li>
                                                }
                                            }).collect_view().into_any()
                                        }
                                    }
                                    Err(e) => view! { <li class="picker__empty" role="alert">{e.message()}</li> }.into_any(),
                                }
                            })}
                        </Transition>
                    </ul>
                </div>
            </Show>
        </section>
    }
}
