//! The Customers app: every customer under their organization, in collapsible
//! groups, virtualized (only the rows in view are in the DOM; groups and members
//! are fetched a page at a time). Customers move between organizations by
//! dragging with the mouse (pointer events), or with "Move to organization…".
//!
//! The page owns the state ([`CustomersState`]) and its dialogs; the list
//! ([`list`]) shows the rows ([`group_header`], [`customer_row`]); dragging is
//! [`drag`]; moving, asking first and undoing is [`moves`]; the pure view model
//! with its tests is [`model`].

pub(crate) mod confirm_move;
mod customer_row;
pub mod delete_organization;
mod drag;
mod group_header;
mod list;
pub(crate) mod model;
pub(crate) mod moves;
mod row_menu;

use std::collections::BTreeMap;

use leptos::html;
use leptos::prelude::*;
use leptos_router::components::{Outlet, A};
use leptos_router::hooks::{use_location, use_navigate};
use orgdesk_core::api::customer_profile::MoveVia;
use orgdesk_core::api::tickets::StartedConversation;
use orgdesk_core::api::{Customer, Organization};

use crate::components::add_customer_dialog::AddCustomerDialog;
use crate::components::conversation_form::{ConversationForm, ConversationTarget};
use crate::components::dialog::Dialog;
use crate::components::edit_customer_dialog::{CustomerEdit, EditCustomerDialog};
use crate::components::move_dialog::MoveDialog;
use crate::components::organization_dialog::OrganizationDialog;
use crate::components::search_box::SearchBox;
use crate::components::select_field::SelectField;
use crate::components::toast::{Toast, ToastView};
use crate::state::CustomersContext;
use crate::text::{count_of, notified_text};
use confirm_move::ConfirmMove;
use delete_organization::DeleteOrganization;
use drag::use_pointer_drag;
use list::CustomerList;
use model::{GroupIndex, GroupKey, Model, RowId};
use moves::PendingMove;
use row_menu::{RowMenu, RowMenuView};

#[derive(Clone, Debug)]
enum Dialogs {
    AddCustomer,
    AddOrganization,
    EditOrganization(Organization),
    DeleteOrganization(Organization, i64),
    EditCustomer(Customer),
    Move,
    /// A move that takes items along: asks first.
    ConfirmMove(PendingMove),
    MessageOrganization(Organization),
}

/// What the page's parts share: the loaded rows, the selection, the open dialog
/// and the toast.
#[derive(Clone, Copy)]
struct CustomersState {
    model: RwSignal<Model>,
    /// Selected customers and the group each is in.
    selection: RwSignal<BTreeMap<i64, GroupKey>>,
    /// The last checkbox clicked, where a shift-click range starts.
    anchor: StoredValue<Option<(GroupIndex, usize)>>,
    dialog: RwSignal<Option<Dialogs>>,
    toast: RwSignal<Option<Toast>>,
    /// Whether this agent may delete organizations: admins, and agents when an
    /// admin turned on "Agents may delete organizations".
    may_delete_organizations: RwSignal<bool>,
    /// The tree's active row (`aria-activedescendant`): where it was, and which row it is.
    active: RwSignal<Option<(usize, RowId)>>,
    /// The active row's menu of actions (Shift+F10 or the context menu key), when open.
    row_menu: RwSignal<Option<RowMenu>>,
}

impl CustomersState {
    fn new() -> Self {
        CustomersState {
            model: RwSignal::new(Model::default()),
            selection: RwSignal::new(BTreeMap::new()),
            anchor: StoredValue::new(None),
            dialog: RwSignal::new(None),
            toast: RwSignal::new(None),
            may_delete_organizations: RwSignal::new(false),
            active: RwSignal::new(None),
            row_menu: RwSignal::new(None),
        }
    }

    fn show(&self, text: String, error: bool, undo: Option<Callback<()>>) {
        self.toast.set(Some(Toast { text, error, undo }));
    }

    /// Fetches the list again, with the same search. The rows shown stay until the
    /// answers replace them, so the open groups, the scroll position, the active row
    /// and the selection stay too.
    fn reload(&self) {
        self.model.update(|m| m.refresh());
    }
}

/// The organization whose panel is open, from the URL (`/organizations/{id}`).
fn open_organization(path: &str) -> Option<i64> {
    path.strip_prefix("/organizations/")?.trim_end_matches('/').parse().ok()
}

#[component]
pub fn CustomersPage() -> impl IntoView {
    crate::hooks::use_title(|| Some("Customers".to_string()));
    let location = use_location();
    let open_org = Memo::new(move |_| location.pathname.with(|p| open_organization(p)));
    let navigate = use_navigate();
    // Double-click or Enter on a group opens its panel beside the list.
    let to_panel = navigate.clone();
    let open_panel = Callback::new(move |id: i64| to_panel(&format!("/organizations/{id}"), Default::default()));
    // Enter on a customer opens their profile.
    let open_customer = Callback::new(move |id: i64| navigate(&format!("/customers/{id}"), Default::default()));
    let state = CustomersState::new();
    let CustomersState { model, selection, dialog, .. } = state;
    let search = RwSignal::new(String::new());
    let list = NodeRef::<html::Div>::new();
    provide_context(CustomersContext {
        reload: Callback::new(move |_| state.reload()),
        may_delete_organizations: state.may_delete_organizations.into(),
    });
    let session = crate::state::use_session();
    if session.is_admin() {
        state.may_delete_organizations.set(true);
    } else {
        leptos::task::spawn_local(async move {
            if let Ok(settings) = crate::api::settings::get_settings().await {
                state.may_delete_organizations.set(settings.agents_may_delete_organizations);
            }
        });
    }

    // Once the first page is shown, the organization panel's and the profiles' code (a lazy
    // chunk) is fetched in the background, so the first one opened does not wait for it.
    Effect::new(move |done: Option<bool>| {
        if done == Some(true) {
            return true;
        }
        let shown = model.with(|m| m.total_orgs.is_some());
        if shown {
            crate::app::preload_customer_area();
        }
        shown
    });

    let drag = use_pointer_drag(
        list,
        state,
        Callback::new(move |(moves, target): (Vec<(i64, GroupKey)>, GroupKey)| {
            let name = model.with_untracked(|m| m.org_name(target));
            state.request_move(moves, target, name, MoveVia::Drag);
        }),
    );

    // A new search or filter starts at the top; the selection stays. The unfiltered
    // list's scroll position is kept while filtering and comes back when it ends.
    let restore_scroll = StoredValue::new(None::<i32>);
    let unfiltered_scroll = StoredValue::new(None::<i32>);
    let refilter = move |change: &dyn Fn(&mut Model)| {
        let was_filtering = model.with_untracked(|m| m.filtering());
        let top = list.get_untracked().map(|el| el.scroll_top()).unwrap_or(0);
        model.update(|m| change(m));
        let filtering = model.with_untracked(|m| m.filtering());
        if !was_filtering && filtering {
            unfiltered_scroll.set_value(Some(top));
        }
        if was_filtering && !filtering {
            restore_scroll.set_value(unfiltered_scroll.try_update_value(Option::take).flatten());
        }
        state.active.set(None);
        if let Some(el) = list.get_untracked() {
            el.set_scroll_top(0);
        }
    };
    let on_search = move |value: String| refilter(&move |m: &mut Model| m.reset(value.clone()));

    // The project filter: active projects to pick from.
    let projects = RwSignal::new(Vec::<(i64, String)>::new());
    leptos::task::spawn_local(async move {
        match crate::api::projects::list_projects("false", "", 0, 200).await {
            Ok(page) => projects.set(page.items.into_iter().map(|p| (p.id, p.name)).collect()),
            Err(e) => state.show(e.message(), true, None),
        }
    });
    let project_options = Signal::derive(move || {
        let mut options = vec![(String::new(), "All customers".to_string())];
        options.extend(projects.get().into_iter().map(|(id, name)| (id.to_string(), format!("Following {name}"))));
        options
    });
    let project_value = Signal::derive(move || model.with(|m| m.project.map(|id| id.to_string()).unwrap_or_default()));
    let on_project =
        Callback::new(move |value: String| refilter(&move |m: &mut Model| m.set_project(value.parse().ok())));
    let project_name = move || {
        let id = model.with(|m| m.project)?;
        projects.with(|ps| ps.iter().find(|(p, _)| *p == id).map(|(_, name)| name.clone()))
    };

    let selected_count = Signal::derive(move || selection.with(|s| s.len()));
    let close = Callback::new(move |_| dialog.set(None));

    view! {
        <section class="page customers" class:customers--with-panel=move || open_org.get().is_some()>
            <div class="customers__toolbar">
                <h1 class="page__title">"Customers"</h1>
                <SearchBox text=search on_search=on_search delay_ms=250 class="field__input customers__search"
                    label="Search customers" placeholder="Search by name, email or organization" />
                <div class="customers__project">
                    <SelectField id="customers-project" label="Show" value=project_value options=project_options
                        on_change=on_project />
                </div>
                <button type="button" class="button" disabled=move || selected_count.get() == 0
                    on:click=move |_| dialog.set(Some(Dialogs::Move))>
                    "Move to organization…"
                </button>
                <A href="/admin/import" attr:class="button">"Import"</A>
                <button type="button" class="button" on:click=move |_| dialog.set(Some(Dialogs::AddOrganization))>
                    "Add organization"
                </button>
                <button type="button" class="button button--primary" on:click=move |_| dialog.set(Some(Dialogs::AddCustomer))>
                    "Add customer"
                </button>
            </div>
            <p class="customers__summary" aria-live="polite">
                {move || {
                    let n = selected_count.get();
                    let base = match model.with(|m| m.total_orgs) {
                        Some(orgs) => {
                            let orgs = count_of(orgs as i64, "organization", "organizations");
                            match model.with(|m| m.filter_summary(project_name().as_deref())) {
                                Some(found) => format!("{found} · {orgs}"),
                                None => orgs,
                            }
                        }
                        None => "Loading…".to_string(),
                    };
                    if n > 0 { format!("{base} · {n} selected (drag them, or use Move to organization…)") } else { base }
                }}
            </p>
            <CustomerList state=state drag=drag list=list open_org=open_org open_panel=open_panel
                open_customer=open_customer restore_scroll=restore_scroll />
            <RowMenuView state=state list=list open_panel=open_panel open_customer=open_customer />
            {move || drag.drag.get().map(|d| {
                let (left, top) = (format!("{}px", d.x + 14.0), format!("{}px", d.y + 10.0));
                view! {
                    <div class="drag-ghost" style:left=left style:top=top aria-hidden="true">
                        {format!("Moving {}", d.label)}
                    </div>
                }
            })}
            <Outlet />
            <ToastView toast=state.toast />
            {move || dialog.get().map(|d| match d {
                Dialogs::AddCustomer => view! {
                    <AddCustomerDialog on_close=close on_created=move |c: Customer| {
                        dialog.set(None);
                        let place = c.organization_name.clone().map(|o| format!("to {o}")).unwrap_or_else(|| "with no organization".into());
                        state.show(format!("Added {} {place}.", c.display_name()), false, None);
                        state.reload();
                    } />
                }.into_any(),
                Dialogs::AddOrganization => view! {
                    <OrganizationDialog on_close=close on_saved=move |o: Organization| {
                        dialog.set(None);
                        state.show(format!("Created {}.", o.name), false, None);
                        state.reload();
                    } />
                }.into_any(),
                Dialogs::EditOrganization(org) => view! {
                    <OrganizationDialog existing=org on_close=close on_saved=move |o: Organization| {
                        dialog.set(None);
                        state.show(format!("Saved {}.", o.name), false, None);
                        state.reload();
                    } />
                }.into_any(),
                Dialogs::DeleteOrganization(org, members) => view! {
                    <DeleteOrganization id=org.id name=org.name.clone() on_close=close on_deleted=move |message: String| {
                        let _ = members;
                        dialog.set(None);
                        state.show(message, false, None);
                        state.reload();
                    } />
                }.into_any(),
                Dialogs::EditCustomer(c) => view! {
                    <EditCustomerDialog customer=c on_close=close on_done=move |done: CustomerEdit| {
                        dialog.set(None);
                        match done {
                            CustomerEdit::Saved(c) => state.show(format!("Saved {}.", c.display_name()), false, None),
                            CustomerEdit::Deleted(c) => {
                                selection.update(|s| { s.remove(&c.id); });
                                state.show(format!("Deleted {}.", c.display_name()), false, None)
                            }
                        }
                        state.reload();
                    } />
                }.into_any(),
                Dialogs::Move => view! {
                    <MoveDialog count=selected_count on_close=close on_pick=move |(org, name): (Option<i64>, String)| {
                        dialog.set(None);
                        let moves: Vec<(i64, GroupKey)> = selection.get_untracked().into_iter().collect();
                        state.request_move(moves, GroupKey::from_organization_id(org), name, MoveVia::Picker);
                    } />
                }.into_any(),
                Dialogs::ConfirmMove(pending) => view! {
                    <ConfirmMove pending=pending on_close=close on_confirm=move |p: PendingMove| {
                        dialog.set(None);
                        state.perform_move(p.moves, p.target, p.target_name, p.via);
                    } />
                }.into_any(),
                Dialogs::MessageOrganization(org) => {
                    let title = format!("Message {}", org.name);
                    let members = org.member_count;
                    view! {
                        <Dialog id="message-organization" title=title on_close=close>
                            <p class="hint">
                                {if members == 1 { "Its 1 member receives this message by email.".to_string() } else { format!("Each of its {members} members receives this message by email.") }}
                            </p>
                            <ConversationForm
                                target=ConversationTarget::Organization(org.id)
                                subject_id="org-conversation-subject"
                                body_id="org-conversation-body"
                                submit_label="Send to all members"
                                on_sent=move |started: StartedConversation| {
                                    dialog.set(None);
                                    state.show(notified_text(started.notified, "member"), false, None);
                                }
                            />
                        </Dialog>
                    }.into_any()
                }
            })}
        </section>
    }
}
