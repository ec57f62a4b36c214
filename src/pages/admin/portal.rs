//! Administration > Portal: what customers may see and do in the portal
//! (`/admin/portal`). The server enforces these; this page only edits them.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use orgdesk_core::api::portal_policy::UpdatePortalPolicyRequest;
use orgdesk_core::portal::{OrgItemAccess, PortalFields, PortalPolicy};
use orgdesk_core::word::Word;

use crate::api;
use crate::components::error_notice::ErrorNotice;
use crate::state::use_session;

#[component]
pub fn AdminPortalPage() -> impl IntoView {
    crate::hooks::use_title(|| Some("Portal settings".to_string()));
    let session = use_session();
    view! {
        <section class="page portal-settings">
            <p class="audit__back"><A href="/admin">"← Administration"</A></p>
            <h1 class="page__title">"Portal"</h1>
            <Show
                when=move || session.is_admin()
                fallback=|| view! { <ErrorNotice message="Only administrators can change the portal settings." /> }
            >
                <PortalSettingsForm />
            </Show>
        </section>
    }
}

/// What each organization-visibility choice means, for the radio buttons.
fn access_hint(access: OrgItemAccess) -> &'static str {
    match access {
        OrgItemAccess::Own => "Members see the items they requested or follow.",
        OrgItemAccess::Read => "Verified members also see every item of their organization, without replying.",
        OrgItemAccess::Reply => "Verified members also see every item of their organization and may reply.",
    }
}

const FIELD_LABELS: [(&str, &str); 5] = [
    ("status", "Status"),
    ("priority", "Priority"),
    ("assignee", "Assignee's name"),
    ("project", "Project"),
    ("item_type", "Type"),
];

fn field_of<'a>(fields: &'a mut PortalFields, key: &str) -> Option<&'a mut bool> {
    Some(match key {
        "status" => &mut fields.status,
        "priority" => &mut fields.priority,
        "assignee" => &mut fields.assignee,
        "project" => &mut fields.project,
        "item_type" => &mut fields.item_type,
        _ => return None,
    })
}

#[component]
fn PortalSettingsForm() -> impl IntoView {
    let draft = RwSignal::new(None::<PortalPolicy>);
    let status = RwSignal::new(None::<Result<String, String>>);
    let saving = RwSignal::new(false);
    spawn_local(async move {
        match api::portal_policy::get_portal_settings().await {
            Ok(p) => draft.set(Some(p)),
            Err(e) => status.set(Some(Err(e.message()))),
        }
    });
    let edit = move |f: &dyn Fn(&mut PortalPolicy)| {
        status.set(None);
        draft.update(|d| {
            if let Some(d) = d {
                f(d)
            }
        });
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(p) = draft.get_untracked() else { return };
        status.set(None);
        saving.set(true);
        spawn_local(async move {
            let req = UpdatePortalPolicyRequest {
                organization_items: Some(p.organization_items),
                project_items: Some(p.project_items),
                self_registration: Some(p.self_registration),
                fields: Some(p.fields),
            };
            match api::portal_policy::update_portal_settings(&req).await {
                Ok(saved) => {
                    draft.set(Some(saved));
                    status.set(Some(Ok("Saved the portal settings. They apply to every customer now.".into())));
                }
                Err(e) => status.set(Some(Err(e.message()))),
            }
            saving.set(false);
        });
    };
    view! {
        {move || draft.with(Option::is_some).then(|| view! {
            <form class="card settings form portal-settings__form" novalidate=true on:submit=on_submit>
                <fieldset class="portal-settings__group">
                    <legend class="section__title">"Members of an organization see"</legend>
                    {OrgItemAccess::ALL.iter().copied().map(|access| {
                        let id = format!("portal-org-{}", access.as_str());
                        let hint_id = format!("{id}-hint");
                        view! {
                            <div class="portal-settings__choice">
                                <div class="checkbox-field">
                                    <input type="radio" name="organization_items" id=id.clone()
                                        aria-describedby=hint_id.clone()
                                        prop:checked=move || draft.with(|d| d.as_ref().is_some_and(|d| d.organization_items == access))
                                        on:change=move |_| edit(&|d| d.organization_items = access) />
                                    <label for=id>{access.label()}</label>
                                </div>
                                <p class="hint" id=hint_id>{access_hint(access)}</p>
                            </div>
                        }
                    }).collect_view()}
                    <p class="hint">"Managers always see all of their organization's items. An organization can allow more in its panel (Portal), never less."</p>
                </fieldset>
                <fieldset class="portal-settings__group">
                    <legend class="section__title">"Projects and accounts"</legend>
                    <div class="checkbox-field">
                        <input type="checkbox" id="portal-project-items" aria-describedby="portal-project-items-hint"
                            prop:checked=move || draft.with(|d| d.as_ref().is_some_and(|d| d.project_items))
                            on:change=move |ev| { let on = event_target_checked(&ev); edit(&|d| d.project_items = on) } />
                        <label for="portal-project-items">"Show the items of projects shared with a customer"</label>
                    </div>
                    <p class="hint" id="portal-project-items-hint">"Customers see every item of a project they follow, or (email verified) that their organization follows."</p>
                    <div class="checkbox-field">
                        <input type="checkbox" id="portal-self-registration" aria-describedby="portal-self-registration-hint"
                            prop:checked=move || draft.with(|d| d.as_ref().is_some_and(|d| d.self_registration))
                            on:change=move |ev| { let on = event_target_checked(&ev); edit(&|d| d.self_registration = on) } />
                        <label for="portal-self-registration">"Anyone may create a portal account"</label>
                    </div>
                    <p class="hint" id="portal-self-registration-hint">"New accounts must verify their email before their organization's items show."</p>
                </fieldset>
                <fieldset class="portal-settings__group">
                    <legend class="section__title">"Item fields customers see"</legend>
                    <p class="hint">"Title, description, dates and replies always show; internal notes never do."</p>
                    {FIELD_LABELS.iter().map(|&(key, label)| {
                        let id = format!("portal-field-{key}");
                        view! {
                            <div class="checkbox-field">
                                <input type="checkbox" id=id.clone()
                                    prop:checked=move || draft.with(|d| d.as_ref().is_some_and(|d| {
                                        let mut f = d.fields;
                                        field_of(&mut f, key).is_some_and(|v| *v)
                                    }))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        edit(&|d| if let Some(v) = field_of(&mut d.fields, key) { *v = on })
                                    } />
                                <label for=id>{label}</label>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
                <button type="submit" class="button button--primary" disabled=move || saving.get()>
                    {move || if saving.get() { "Saving…" } else { "Save portal settings" }}
                </button>
            </form>
        })}
        {move || status.get().map(|s| match s {
            Ok(t) => view! { <p class="notice" role="status">{t}</p> }.into_any(),
            Err(t) => view! { <ErrorNotice message=t /> }.into_any(),
        })}
    }
}
