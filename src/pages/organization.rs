//! The organization detail panel: everything about one organization, beside the
//! Customers list, at `/organizations/{id}`.
//!
//! The panel loads [`OrganizationDetail`] once and shares it with every section
//! through [`OrgPanel`]. Every write that changes the detail goes through
//! [`OrgPanel::save`] (in-place editors through [`editor::Editor`]): the fresh
//! detail (with the new `version`) replaces the panel's, and a 409 on field
//! `version` is shown by [`OrgPanel::conflict`] with a Reload button.

pub mod contacts;
pub mod files;
pub mod members;
pub mod notes;
pub mod properties;

mod actions;
mod domains;
mod editor;
mod header;
mod hierarchy;
mod history;
mod portal;
mod projects;
mod routing;
mod tickets;
mod usergroups;

use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use leptos_router::NavigateOptions;
use orgdesk_core::api::organization::OrganizationDetail;

use crate::api::{self, ApiError};
use crate::components::error_notice::ErrorNotice;
use crate::components::side_panel::SidePanel;
use crate::components::tab_list::{use_url_tab, TabList};
use crate::state::CustomersContext;

/// Shared by every section of one open panel.
#[derive(Clone, Copy)]
pub struct OrgPanel {
    pub id: i64,
    /// The loaded detail (`None` while loading or when it failed).
    pub detail: RwSignal<Option<OrganizationDetail>>,
    /// Bumped after a write that sections showing lists (members, tickets, history)
    /// should reload for.
    pub changed: RwSignal<u64>,
    /// "Changed by someone else" after a 409 on `version`; the panel offers Reload.
    pub conflict: RwSignal<Option<String>>,
}

impl OrgPanel {
    pub fn new(id: i64) -> Self {
        OrgPanel { id, detail: RwSignal::new(None), changed: RwSignal::new(0), conflict: RwSignal::new(None) }
    }

    /// The version to send with the next in-place edit.
    pub fn version(&self) -> i64 {
        self.detail.with_untracked(|d| d.as_ref().map(|d| d.version).unwrap_or(0))
    }

    /// Takes a write's answer: the new detail, and a nudge to list sections.
    pub fn replace(&self, detail: OrganizationDetail) {
        self.detail.set(Some(detail));
        self.conflict.set(None);
        self.changed.update(|n| *n += 1);
    }

    /// Sends a write that answers with the organization's detail: the answer
    /// replaces the panel's, a version conflict goes to the panel's banner, and any
    /// other failure is the caller's to show where the agent was editing.
    pub async fn save(self, write: impl Future<Output = Result<OrganizationDetail, ApiError>>) -> SaveOutcome {
        match write.await {
            Ok(detail) => {
                self.replace(detail);
                SaveOutcome::Saved
            }
            Err(e) => match e.field("version") {
                Some(message) => {
                    self.conflict.set(Some(message));
                    SaveOutcome::Conflict
                }
                None => SaveOutcome::Failed(e),
            },
        }
    }
}

/// How a write through [`OrgPanel::save`] ended, once the panel has taken its part.
pub enum SaveOutcome {
    Saved,
    /// Someone else changed the organization first; the banner says so.
    Conflict,
    Failed(ApiError),
}

impl SaveOutcome {
    pub fn is_saved(&self) -> bool {
        matches!(self, SaveOutcome::Saved)
    }

    /// What to show where the agent was editing: the server's message for `field`
    /// (or its general one) after a failure; nothing once saved or after a conflict
    /// (the banner says it).
    pub fn error_at(&self, field: &str) -> Option<String> {
        match self {
            SaveOutcome::Failed(e) => Some(e.field_or_message(field)),
            SaveOutcome::Saved | SaveOutcome::Conflict => None,
        }
    }
}

/// The tabs of the panel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tab {
    Overview,
    Members,
    Tickets,
    NotesFiles,
    History,
}

impl Tab {
    const ALL: [Tab; 5] = [Tab::Overview, Tab::Members, Tab::Tickets, Tab::NotesFiles, Tab::History];

    fn label(self) -> &'static str {
        match self {
            Tab::Overview => "Overview",
            Tab::Members => "Members",
            Tab::Tickets => "Tickets",
            Tab::NotesFiles => "Notes & files",
            Tab::History => "History",
        }
    }

    fn slug(self) -> &'static str {
        match self {
            Tab::Overview => "overview",
            Tab::Members => "members",
            Tab::Tickets => "tickets",
            Tab::NotesFiles => "notes",
            Tab::History => "history",
        }
    }
}

/// The route `/organizations/{id}`: the panel of that organization, beside the Customers list.
#[component]
pub fn OrganizationRoute() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<i64>().ok())));
    // A new id is a new panel (with its own shared state).
    move || match id.get() {
        Some(id) => view! { <OrganizationPanel id=id /> }.into_any(),
        None => view! { <OrganizationPanel id=0 /> }.into_any(),
    }
}

/// Loads the detail into the panel; `reload` also nudges every section.
fn load_detail(panel: OrgPanel, load_error: RwSignal<Option<String>>, reload: bool) {
    spawn_local(async move {
        match api::organizations::organization_detail(panel.id).await {
            Ok(d) => {
                load_error.set(None);
                if reload {
                    panel.replace(d);
                } else {
                    panel.detail.set(Some(d));
                }
            }
            Err(e) => load_error.set(Some(e.message())),
        }
    });
}

#[component]
fn OrganizationPanel(id: i64) -> impl IntoView {
    let panel = OrgPanel::new(id);
    provide_context(panel);
    crate::hooks::use_title(move || panel.detail.with(|d| d.as_ref().map(|d| d.name.clone())));
    let load_error = RwSignal::new(None::<String>);
    let (tab, select_tab) = use_url_tab(format!("/organizations/{id}"), &Tab::ALL, Tab::slug);
    let navigate = use_navigate();
    let close = Callback::new(move |_| navigate("/customers", Default::default()));
    // Organization merge: an old id of a merged organization answers with the survivor
    // (open its own URL), and `?merge_into=` (the duplicate suggestions' link) opens the preview.
    let to_merge = use_navigate();
    let query = use_query_map();
    let session = crate::state::use_session();
    Effect::new(move |_| {
        let replace = NavigateOptions { replace: true, ..Default::default() };
        if let Some(survivor) = panel.detail.with(|d| d.as_ref().map(|d| d.id)).filter(|s| *s != id) {
            to_merge(&format!("/organizations/{survivor}"), replace);
        } else if let Some(target) = query.with(|q| q.get("merge_into")).filter(|_| session.is_admin()) {
            to_merge(&format!("/organizations/{id}/merge?into={target}"), replace);
        }
    });
    if id > 0 {
        load_detail(panel, load_error, false);
    } else {
        load_error.set(Some("There is no such organization.".into()));
    }

    // The Customers list beside the panel shows names, domains and member counts:
    // when an edit here changed one of them, the list fetches again.
    let list = use_context::<CustomersContext>();
    let seen = StoredValue::new(None::<(String, Vec<String>, i64, usize)>);
    Effect::new(move |_| {
        let Some(now) = panel
            .detail
            .with(|d| d.as_ref().map(|d| (d.name.clone(), d.domains.clone(), d.member_count, d.children.len())))
        else {
            return;
        };
        let before = seen.get_value();
        seen.set_value(Some(now.clone()));
        if before.is_some_and(|b| b != now) {
            if let Some(list) = list {
                list.reload.run(());
            }
        }
    });

    view! {
        <SidePanel label="Organization details" close_label="Close organization" crumb=Some("Organization".to_string())
            on_close=close class="org-panel" attr:data-organization-id=id>
            <ErrorNotice message=load_error />
            {move || panel.conflict.get().map(|message| view! {
                <div class="notice notice--warning org-conflict" role="alert">
                    <p>{message}</p>
                    <button type="button" class="button button--small button--primary"
                        on:click=move |_| load_detail(panel, load_error, true)>
                        "Reload"
                    </button>
                </div>
            })}
            <Show
                when=move || panel.detail.with(Option::is_some)
                fallback=move || load_error.with(Option::is_none).then(|| view! { <p class="app-loading">"Loading…"</p> })
            >
                <header::NameHeader panel=panel />
                <actions::OrganizationActions panel=panel />
                <TabList aria_label="Organization sections" tabs=&Tab::ALL label=Tab::label slug=Tab::slug
                    current=tab id_prefix="org-tab-" controls="org-tabpanel" on_select=select_tab />
                <div class="org-tabpanel" id="org-tabpanel" role="tabpanel"
                    aria-labelledby=move || format!("org-tab-{}", tab.get().slug())>
                    {move || match tab.get() {
                        Tab::Overview => view! {
                            <header::SummarySection panel=panel />
                            <domains::DomainsSection panel=panel />
                            <contacts::ContactsSection panel=panel />
                            <properties::PropertiesSection panel=panel />
                            <hierarchy::HierarchySection panel=panel />
                            <projects::ProjectsSection panel=panel />
                            <portal::PortalSection panel=panel />
                            <routing::RoutingSection panel=panel />
                            <usergroups::UsergroupsSection panel=panel />
                        }.into_any(),
                        Tab::Members => view! { <members::MembersSection panel=panel /> }.into_any(),
                        Tab::Tickets => view! { <tickets::TicketsSection panel=panel /> }.into_any(),
                        Tab::NotesFiles => view! {
                            <notes::NotesSection panel=panel />
                            <files::FilesSection panel=panel />
                        }.into_any(),
                        Tab::History => view! { <history::HistorySection panel=panel /> }.into_any(),
                    }}
                </div>
            </Show>
        </SidePanel>
    }
}
