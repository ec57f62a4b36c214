//! The customer profile: everything about one customer, beside the Customers list,
//! at `/customers/{id}` (a side panel like the organization's, with the same tabs
//! pattern, full screen with Back below 900 px).
//!
//! The panel loads [`CustomerProfile`] once and shares it with its sections through
//! [`ProfilePanel`]. The organization changes through the Customers app's move
//! picker and, when items would follow, the same consequences dialog as a move;
//! property edits carry the version the agent saw (a 409 shows "changed by someone
//! else" with Reload).

mod history;
mod overview;
mod tickets;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};
use orgdesk_core::api::customer_profile::CustomerProfile;

use crate::api;
use crate::components::error_notice::ErrorNotice;
use crate::components::side_panel::SidePanel;
use crate::components::tab_list::{use_url_tab, TabList};
use crate::state::CustomersContext;

/// Shared by every section of one open profile.
#[derive(Clone, Copy)]
pub struct ProfilePanel {
    pub id: i64,
    /// The loaded profile (`None` while loading or when it failed).
    pub profile: RwSignal<Option<CustomerProfile>>,
    /// Bumped after a write that list sections (tickets, history) should reload for.
    pub changed: RwSignal<u64>,
    /// "Changed by someone else" after a 409 on `version`; the panel offers Reload.
    pub conflict: RwSignal<Option<String>>,
    pub load_error: RwSignal<Option<String>>,
    /// The Customers list beside the panel, to refresh after a change it shows.
    list: Option<CustomersContext>,
}

impl ProfilePanel {
    fn new(id: i64) -> Self {
        ProfilePanel {
            id,
            profile: RwSignal::new(None),
            changed: RwSignal::new(0),
            conflict: RwSignal::new(None),
            load_error: RwSignal::new(None),
            list: use_context::<CustomersContext>(),
        }
    }

    /// The version to send with the next in-place edit.
    pub fn version(&self) -> i64 {
        self.profile.with_untracked(|p| p.as_ref().map(|p| p.version).unwrap_or(0))
    }

    /// Takes a write's answer (or a fresh load): the new profile, and a nudge to list sections.
    pub fn replace(&self, profile: CustomerProfile) {
        self.profile.set(Some(profile));
        self.conflict.set(None);
        self.changed.update(|n| *n += 1);
    }

    /// Has the Customers list beside the panel fetch again (after a change it shows).
    pub fn reload_list(&self) {
        if let Some(list) = self.list {
            list.reload.run(());
        }
    }

    /// Loads the profile again; `nudge` also reloads the sections and the list.
    pub fn reload(self, nudge: bool) {
        spawn_local(async move {
            match api::customer_profile::customer_profile(self.id).await {
                Ok(p) => {
                    self.load_error.set(None);
                    if nudge {
                        self.replace(p);
                    } else {
                        self.profile.set(Some(p));
                    }
                }
                Err(e) => self.load_error.set(Some(e.message())),
            }
        });
    }
}

/// The tabs of the profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tab {
    Overview,
    Tickets,
    History,
}

impl Tab {
    const ALL: [Tab; 3] = [Tab::Overview, Tab::Tickets, Tab::History];

    fn label(self) -> &'static str {
        match self {
            Tab::Overview => "Overview",
            Tab::Tickets => "Tickets",
            Tab::History => "History",
        }
    }

    fn slug(self) -> &'static str {
        match self {
            Tab::Overview => "overview",
            Tab::Tickets => "tickets",
            Tab::History => "history",
        }
    }
}

/// The route `/customers/{id}`: that customer's profile, beside the Customers list.
#[component]
pub fn CustomerProfileRoute() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<i64>().ok())));
    // A new id is a new panel (with its own shared state).
    move || view! { <CustomerProfilePanel id=id.get().unwrap_or(0) /> }
}

#[component]
fn CustomerProfilePanel(id: i64) -> impl IntoView {
    let panel = ProfilePanel::new(id);
    provide_context(panel);
    crate::hooks::use_title(move || panel.profile.with(|p| p.as_ref().map(|p| p.customer.display_name())));
    let (tab, select_tab) = use_url_tab(format!("/customers/{id}"), &Tab::ALL, Tab::slug);
    let navigate = use_navigate();
    let close = Callback::new(move |_| navigate("/customers", Default::default()));
    if id > 0 {
        panel.reload(false);
    } else {
        panel.load_error.set(Some("There is no such customer.".into()));
    }

    view! {
        <SidePanel label="Customer profile" close_label="Close customer profile" crumb=Some("Customer".to_string())
            on_close=close class="org-panel customer-profile" attr:data-customer-id=id>
            <ErrorNotice message=panel.load_error />
            {move || panel.conflict.get().map(|message| view! {
                <div class="notice notice--warning org-conflict" role="alert">
                    <p>{message}</p>
                    <button type="button" class="button button--small button--primary"
                        on:click=move |_| panel.reload(true)>
                        "Reload"
                    </button>
                </div>
            })}
            <Show
                when=move || panel.profile.with(Option::is_some)
                fallback=move || panel.load_error.with(Option::is_none).then(|| view! { <p class="app-loading">"Loading…"</p> })
            >
                <overview::ProfileHeader panel=panel />
                <TabList aria_label="Customer sections" tabs=&Tab::ALL label=Tab::label slug=Tab::slug
                    current=tab id_prefix="profile-tab-" controls="profile-tabpanel" on_select=select_tab />
                <div class="org-tabpanel" id="profile-tabpanel" role="tabpanel"
                    aria-labelledby=move || format!("profile-tab-{}", tab.get().slug())>
                    {move || match tab.get() {
                        Tab::Overview => view! {
                            <overview::DetailsSection panel=panel />
                            <overview::OrganizationSection panel=panel />
                            <overview::PropertiesSection panel=panel />
                            <overview::ProjectsSection panel=panel />
                            <overview::UsergroupsSection panel=panel />
                        }.into_any(),
                        Tab::Tickets => view! { <tickets::TicketsSection panel=panel /> }.into_any(),
                        Tab::History => view! { <history::HistorySection panel=panel /> }.into_any(),
                    }}
                </div>
            </Show>
        </SidePanel>
    }
}
