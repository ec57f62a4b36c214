//! The profile's Overview: the customer's name and contact details, their
//! organization (changed with the Customers app's move picker and consequences
//! dialog), their custom properties (edited in place with the version check) and
//! the projects they follow.

use leptos::prelude::*;
use leptos::task::spawn_local;
use orgdesk_core::api::customer_profile::{MoveVia, SetPropertiesRequest};
use orgdesk_core::api::MoveCustomersRequest;

use super::ProfilePanel;
use crate::api;
use crate::components::edit_customer_dialog::{CustomerEdit, EditCustomerDialog};
use crate::components::error_notice::ErrorNotice;
use crate::components::move_dialog::MoveDialog;
use crate::components::property_values::{changed_values, place_errors, Field, PropertyInput, PropertyList};
use crate::components::timestamp::local_date;
use crate::pages::customers::confirm_move::ConfirmMove;
use crate::pages::customers::model::GroupKey;
use crate::pages::customers::moves::PendingMove;

#[component]
pub fn ProfileHeader(panel: ProfilePanel) -> impl IntoView {
    let name = move || panel.profile.with(|p| p.as_ref().map(|p| p.customer.display_name()).unwrap_or_default());
    let created =
        move || panel.profile.with(|p| p.as_ref().map(|p| local_date(&p.customer.created_at)).unwrap_or_default());
    view! {
        <div class="org-head">
            <div class="org-head__title">
                <h2 class="panel__title org-head__name" data-testid="customer-name">{name}</h2>
            </div>
            <p class="org-head__meta"><span data-testid="customer-created">"Created "{created}</span></p>
        </div>
    }
}

/// The customer's contact details; Edit opens the Customers app's edit dialog (names,
/// email, phone, position; or delete).
#[component]
pub fn DetailsSection(panel: ProfilePanel) -> impl IntoView {
    let editing = RwSignal::new(false);
    let navigate = leptos_router::hooks::use_navigate();
    let on_done = Callback::new(move |done: CustomerEdit| {
        editing.set(false);
        panel.reload_list();
        match done {
            CustomerEdit::Saved(_) => panel.reload(true),
            CustomerEdit::Deleted(_) => navigate("/customers", Default::default()),
        }
    });
    let rows = move || {
        panel.profile.with(|p| {
            let Some(p) = p else { return Vec::new() };
            let c = &p.customer;
            let or_none = |s: &str| if s.is_empty() { "—".to_string() } else { s.to_string() };
            vec![
                ("Email", c.email.clone(), Some(format!("mailto:{}", c.email))),
                ("Phone", or_none(&c.phone), (!c.phone.is_empty()).then(|| format!("tel:{}", c.phone))),
                ("Position", or_none(&c.position), None),
                ("Portal", c.portal_state().to_string(), None),
            ]
        })
    };
    view! {
        <section class="panel__section org-section" data-section="details" aria-labelledby="profile-details-title">
            <div class="panel__section-head">
                <h3 class="panel__heading" id="profile-details-title">"Contact"</h3>
                <button type="button" class="button button--small" aria-label="Edit contact details"
                    on:click=move |_| editing.set(true)>
                    "Edit"
                </button>
            </div>
            <dl class="properties" aria-label="Contact">
                {move || rows().into_iter().map(|(label, value, href)| view! {
                    <div class="properties__row" data-field=label.to_lowercase()>
                        <dt>{label}</dt>
                        <dd>{match href {
                            Some(href) => view! { <a href=href>{value}</a> }.into_any(),
                            None => view! { {value} }.into_any(),
                        }}</dd>
                    </div>
                }).collect_view()}
            </dl>
            {move || editing.get().then(|| panel.profile.get_untracked()).flatten().map(|p| view! {
                <EditCustomerDialog customer=p.customer on_close=move |()| editing.set(false) on_done=on_done />
            })}
        </section>
    }
}

/// The profile's organization, and the change of it: the move picker, then (when the
/// customer's items would follow or stay) the consequences dialog, as in the Customers app.
#[component]
pub fn OrganizationSection(panel: ProfilePanel) -> impl IntoView {
    let picking = RwSignal::new(false);
    let pending = RwSignal::new(None::<PendingMove>);
    let error = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let current = move || {
        panel.profile.with(|p| {
            p.as_ref().map(|p| (p.customer.organization_id, p.customer.organization_name.clone(), p.role.clone()))
        })
    };

    let perform = move |target: Option<i64>, target_name: String| {
        busy.set(true);
        error.set(None);
        notice.set(None);
        spawn_local(async move {
            let req = MoveCustomersRequest {
                customer_ids: vec![panel.id],
                organization_id: target,
                via: Some(MoveVia::Profile),
            };
            let result = api::customers::move_customers(req).await;
            busy.set(false);
            match result {
                Ok(_) => {
                    notice.set(Some(format!("Moved to {target_name}.")));
                    panel.reload(true);
                    panel.reload_list();
                }
                Err(e) => error.set(Some(format!("Could not change the organization: {}", e.message()))),
            }
        });
    };

    let on_pick = move |(target, target_name): (Option<i64>, String)| {
        picking.set(false);
        let Some((from, from_name, _)) = current() else { return };
        if target == from {
            notice.set(Some(format!("Already in {target_name}.")));
            return;
        }
        let from_name = from_name.unwrap_or_else(|| "No organization".into());
        spawn_local(async move {
            match api::customers::move_preview(vec![panel.id]).await {
                Ok(preview) if preview.open_items > 0 || preview.closed_items > 0 => pending.set(Some(PendingMove {
                    moves: vec![(panel.id, GroupKey::from_organization_id(from))],
                    target: GroupKey::from_organization_id(target),
                    target_name,
                    from_name: Some(from_name),
                    preview,
                    via: MoveVia::Profile,
                })),
                // Nothing to say, or the preview failed: the move itself decides.
                _ => perform(target, target_name),
            }
        });
    };

    view! {
        <section class="panel__section org-section" data-section="organization" aria-labelledby="profile-organization-title">
            <div class="panel__section-head">
                <h3 class="panel__heading" id="profile-organization-title">"Organization"</h3>
                <button type="button" class="button button--small" disabled=move || busy.get()
                    on:click=move |_| { error.set(None); picking.set(true); }>
                    "Change organization"
                </button>
            </div>
            {move || current().map(|(id, name, role)| match (id, name) {
                (Some(id), Some(name)) => view! {
                    <p class="profile-organization">
                        <a href=format!("/organizations/{id}") data-testid="profile-organization">{name}</a>
                        {role.map(|r| view! { <span class="badge">{r}</span> })}
                    </p>
                }.into_any(),
                _ => view! { <p class="hint" data-testid="profile-organization">"No organization"</p> }.into_any(),
            })}
            <ErrorNotice message=error />
            {move || notice.get().map(|n| view! { <p class="notice" role="status">{n}</p> })}
            <Show when=move || picking.get()>
                <MoveDialog count=1usize on_close=move |()| picking.set(false) on_pick=on_pick />
            </Show>
            {move || pending.get().map(|p| view! {
                <ConfirmMove pending=p on_close=move |()| pending.set(None)
                    on_confirm=move |p: PendingMove| {
                        pending.set(None);
                        perform(p.target.organization_id(), p.target_name);
                    } />
            })}
        </section>
    }
}

/// The customer's custom properties: read as a list, edited in place (Save sends
/// what changed, with the version; errors stand next to their field).
#[component]
pub fn PropertiesSection(panel: ProfilePanel) -> impl IntoView {
    let editing = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let general = RwSignal::new(None::<String>);
    let fields = RwSignal::new(Vec::<Field>::new());
    // The editor's signals belong to the section, not to the Edit button that goes away.
    let owner = StoredValue::new(Owner::current().expect("a reactive owner"));
    let properties = move || panel.profile.with(|p| p.as_ref().map(|p| p.properties.clone()).unwrap_or_default());

    let close = move || {
        editing.set(false);
        general.set(None);
        fields.set(Vec::new());
    };
    let start = move |_| {
        let list = panel.profile.with_untracked(|p| p.as_ref().map(|p| p.properties.clone()).unwrap_or_default());
        fields.set(owner.get_value().with(|| list.iter().map(Field::new).collect()));
        general.set(None);
        editing.set(true);
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        general.set(None);
        let current = fields.get_untracked();
        let Some(values) = changed_values(&current) else {
            general.set(Some("Some fields need fixing; see the messages next to them.".into()));
            return;
        };
        if values.is_empty() {
            close();
            return;
        }
        let req = SetPropertiesRequest { version: panel.version(), values };
        busy.set(true);
        spawn_local(async move {
            let result = api::customer_profile::set_customer_properties(panel.id, &req).await;
            busy.set(false);
            match result {
                Ok(p) => {
                    close();
                    panel.replace(p);
                }
                Err(e) => match e.field("version") {
                    Some(message) => panel.conflict.set(Some(message)),
                    None => general.set(place_errors(&current, &e)),
                },
            }
        });
    };
    // After Reload (the conflict resolved), the editor closes on the fresh values.
    Effect::new(move |previous: Option<bool>| {
        let conflict = panel.conflict.with(Option::is_some);
        if previous == Some(true) && !conflict {
            close();
        }
        conflict
    });

    view! {
        <section class="org-section panel__section" data-section="properties" aria-labelledby="profile-properties-title">
            <div class="panel__section-head">
                <h3 class="panel__heading" id="profile-properties-title">"Properties"</h3>
                <Show when=move || !editing.get() && !properties().is_empty()>
                    <button type="button" class="button button--small" aria-label="Edit properties" on:click=start>
                        "Edit"
                    </button>
                </Show>
            </div>
            <Show when=move || editing.get() fallback=move || view! { <PropertyList properties=Signal::derive(properties) /> }>
                <form class="properties-editor" novalidate=true on:submit=save aria-label="Properties editor">
                    {move || fields.get().into_iter().map(|f| view! { <PropertyInput field=f /> }).collect_view()}
                    <ErrorNotice message=general />
                    <div class="form__actions">
                        <button type="submit" class="button button--primary button--small" aria-label="Save properties"
                            disabled=move || busy.get()>
                            "Save"
                        </button>
                        <button type="button" class="button button--small" aria-label="Cancel editing properties"
                            on:click=move |_| close()>
                            "Cancel"
                        </button>
                    </div>
                </form>
            </Show>
        </section>
    }
}

#[component]
pub fn ProjectsSection(panel: ProfilePanel) -> impl IntoView {
    let projects = move || panel.profile.with(|p| p.as_ref().map(|p| p.projects.clone()).unwrap_or_default());
    view! {
        <section class="panel__section org-section" data-section="projects" aria-labelledby="profile-projects-title">
            <h3 class="panel__heading" id="profile-projects-title">"Projects followed"</h3>
            {move || {
                let list = projects();
                if list.is_empty() {
                    return view! { <p class="hint">"Follows no project."</p> }.into_any();
                }
                view! {
                    <ul class="profile-projects" aria-label="Projects followed">
                        {list.into_iter().map(|f| view! {
                            <li>
                                <a href=format!("/projects/{}", f.project.id)>{f.project.name.clone()}</a>
                                {f.project.archived.then(|| view! { <span class="badge">"Archived"</span> })}
                                {f.through_organization.then(|| view! {
                                    <span class="hint">" (through their organization)"</span>
                                })}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

/// The usergroups the customer is in, each with its source ("Individually",
/// "Through Acme Corp"); admins add them individually and remove individual
/// memberships (one through the organization goes with the organization's link).
#[component]
pub fn UsergroupsSection(panel: ProfilePanel) -> impl IntoView {
    use orgdesk_core::api::usergroups::CustomerUsergroup;

    use crate::components::add_picker::AddPicker;
    use crate::components::search_picker::{Pick, PickerKind};

    let is_admin = crate::state::use_session().is_admin();
    let groups = RwSignal::new(None::<Vec<CustomerUsergroup>>);
    let error = RwSignal::new(None::<String>);
    let adding = RwSignal::new(false);
    let load = move || {
        spawn_local(async move {
            match api::usergroups::customer_usergroups(panel.id).await {
                Ok(list) => {
                    groups.set(Some(list));
                    error.set(None);
                }
                Err(e) => error.set(Some(e.message())),
            }
        })
    };
    Effect::new(move |_| {
        panel.changed.track();
        load();
    });
    let add = move |p: Pick| {
        spawn_local(async move {
            match api::usergroups::add_member(p.id, panel.id).await {
                Ok(_) => {
                    adding.set(false);
                    load();
                }
                Err(e) => error.set(Some(e.message())),
            }
        });
    };
    let remove = move |group: i64| {
        spawn_local(async move {
            match api::usergroups::remove_member(group, panel.id).await {
                Ok(()) => load(),
                Err(e) => error.set(Some(e.message())),
            }
        });
    };
    let individual_ids = Signal::derive(move || {
        groups.with(|g| {
            g.as_ref()
                .map(|g| g.iter().filter(|g| g.source.individual).map(|g| g.usergroup_id).collect())
                .unwrap_or_default()
        })
    });
    view! {
        <section class="panel__section org-section" data-section="usergroups" aria-labelledby="profile-usergroups-title">
            <h3 class="panel__heading" id="profile-usergroups-title">"Usergroups"</h3>
            <ErrorNotice message=error />
            {move || groups.get().map(|list| {
                if list.is_empty() {
                    return view! { <p class="hint">"In no usergroup."</p> }.into_any();
                }
                view! {
                    <ul class="profile-usergroups" aria-label="Usergroups">
                        {list.into_iter().map(|g| {
                            let id = g.usergroup_id;
                            let label = format!("Remove from {}", g.name);
                            view! {
                                <li class="profile-usergroups__item">
                                    <a href=format!("/admin/usergroups?group={id}")>{g.name.clone()}</a>
                                    <span class="hint profile-usergroups__source">{g.source.label()}</span>
                                    {(is_admin && g.source.individual).then(|| view! {
                                        <button type="button" class="button button--small" aria-label=label
                                            on:click=move |_| remove(id)>"Remove"</button>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            })}
            {is_admin.then(|| view! {
                <AddPicker button_label="Add to usergroup…" open=adding id="profile-usergroup-search" label="Search usergroups"
                    kind=PickerKind::Usergroup exclude=individual_ids on_pick=add />
            })}
        </section>
    }
}
