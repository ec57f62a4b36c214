//! The panel's "Projects shared with Acme": the projects the organization follows
//! (following is what grants its verified members access in the customer portal),
//! with Remove, and "Manage projects": pick a project and the sharing dialog opens
//! with this organization to add, saying what that does before it is saved.

use leptos::prelude::*;
use leptos::task::spawn_local;
use orgdesk_core::api::tickets::FollowerKind;

use super::OrgPanel;
use crate::api;
use crate::components::add_picker::AddPicker;
use crate::components::error_notice::ErrorNotice;
use crate::components::search_picker::{Pick, PickerKind};
use crate::components::share_dialog::{ShareDialog, ShareTab};

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
    let error = RwSignal::new(None::<String>);
    let projects = move || panel.detail.with(|d| d.as_ref().map(|d| d.projects.clone()).unwrap_or_default());
    // The project being shared with this organization, in the sharing dialog.
    let sharing = RwSignal::new(None::<Pick>);
    let shared = move |_| {
        sharing.set(None);
        spawn_local(async move {
            match refresh_projects(panel).await {
                Ok(()) => {
                    error.set(None);
                    adding.set(false);
                }
                Err(e) => error.set(Some(e.message())),
            }
        });
    };
    let org_pick = move || {
        panel.detail.with_untracked(|d| {
            d.as_ref().map(|d| {
                let members =
                    if d.member_count == 1 { "1 member".into() } else { format!("{} members", d.member_count) };
                Pick { id: d.id, name: d.name.clone(), detail: members }
            })
        })
    };
    let heading = move || {
        panel.detail.with(|d| d.as_ref().map(|d| format!("Projects shared with {}", d.name)).unwrap_or_default())
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
            <h3 class="panel__heading" id="org-projects-title">{heading}</h3>
            <p class="hint">"The projects this organization follows: its members with a verified email see their items in the portal when Administration > Portal shows project items."</p>
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
            <AddPicker button_label="Manage projects" open=adding id="org-project-search" label="Search projects"
                kind=PickerKind::Project exclude=Signal::derive(move || projects().iter().map(|p| p.id).collect::<Vec<_>>())
                on_pick=move |p: Pick| sharing.set(Some(p)) />
            {move || sharing.get().map(|p| view! {
                <ShareDialog project_id=p.id project_name=p.name.clone() initial_tab=ShareTab::Organizations
                    organization=org_pick().unwrap_or(Pick { id: panel.id, name: String::new(), detail: String::new() })
                    on_close=move |_| sharing.set(None) on_saved=shared />
            })}
        </section>
    }
}
