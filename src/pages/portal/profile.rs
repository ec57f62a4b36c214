//! `/portal/profile`: the customer's names, their email's verified state, the phone
//! the helpdesk keeps for them, their organization, and for a manager the choice to
//! follow every new item of it.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use orgdesk_core::api::portal::PortalCustomer;
use orgdesk_core::api::portal_policy::UpdatePortalProfileRequest;
use orgdesk_core::FieldErrors;

use super::{use_portal, PortalAuth, PortalContext};
use crate::api;
use crate::components::error_notice::ErrorNotice;
use crate::components::text_field::TextField;
use crate::forms::{focus_after_render, show_save_error};

/// Takes the saved profile into the portal's session (the header shows the name).
fn take(portal: PortalContext, customer: PortalCustomer) {
    portal.0.update(|auth| {
        if let PortalAuth::SignedIn(s) = auth {
            s.customer = customer;
        }
    });
}

#[component]
pub fn PortalProfilePage() -> impl IntoView {
    crate::hooks::use_title(|| Some("Profile".to_string()));
    let portal = use_portal();
    let customer = move || portal.session().map(|s| s.customer);
    // The role or the verified state may have changed since sign-in: read them now.
    spawn_local(async move {
        if let Ok(c) = api::portal_policy::profile().await {
            take(portal, c);
        }
    });
    view! {
        <section class="portal-profile">
            <h1 class="page__title">"Profile"</h1>
            {move || customer().map(|c| view! { <ProfileDetails customer=c /> })}
            <NamesForm />
            <FollowChoice />
        </section>
    }
}

#[component]
fn ProfileDetails(customer: PortalCustomer) -> impl IntoView {
    let verified = if customer.email_verified { "verified" } else { "not verified yet" };
    view! {
        <dl class="portal-profile__facts">
            <dt>"Email"</dt>
            <dd>{customer.email.clone()} " (" {verified} ")"</dd>
            {(!customer.phone.is_empty()).then(|| view! {
                <dt>"Phone"</dt>
                <dd>{customer.phone.clone()}</dd>
            })}
            <dt>"Organization"</dt>
            <dd>
                {match &customer.organization {
                    Some(o) if o.manager => format!("{} (manager)", o.name),
                    Some(o) => o.name.clone(),
                    None => "None".to_string(),
                }}
            </dd>
        </dl>
    }
}

#[component]
fn NamesForm() -> impl IntoView {
    let portal = use_portal();
    let start = portal.session().map(|s| s.customer);
    let first = RwSignal::new(start.as_ref().map(|c| c.first_name.clone()).unwrap_or_default());
    let last = RwSignal::new(start.map(|c| c.last_name).unwrap_or_default());
    let fields = RwSignal::new(FieldErrors::new());
    let general = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        fields.set(FieldErrors::new());
        general.set(None);
        done.set(None);
        saving.set(true);
        let req = UpdatePortalProfileRequest {
            first_name: Some(first.get_untracked()),
            last_name: Some(last.get_untracked()),
            follow_organization_items: None,
        };
        spawn_local(async move {
            match api::portal_policy::update_profile(&req).await {
                Ok(c) => {
                    first.set(c.first_name.clone());
                    last.set(c.last_name.clone());
                    take(portal, c);
                    done.set(Some("Saved your name.".into()));
                }
                Err(e) => {
                    show_save_error(e, fields, general);
                    focus_after_render(".portal-profile__names [aria-invalid=\"true\"]".into());
                }
            }
            saving.set(false);
        });
    };
    let error = move |name: &'static str| Signal::derive(move || fields.with(|f| f.get(name).cloned()));
    view! {
        <form class="card form portal-profile__names" novalidate=true on:submit=on_submit aria-labelledby="portal-names-title">
            <h2 class="section__title" id="portal-names-title">"Your name"</h2>
            <ErrorNotice message=general />
            <TextField id="profile-first-name" label="First name" value=first error=error("first_name") autocomplete="given-name" />
            <TextField id="profile-last-name" label="Last name" value=last error=error("last_name") autocomplete="family-name" />
            <button type="submit" class="button button--primary" disabled=move || saving.get()>
                {move || if saving.get() { "Saving…" } else { "Save name" }}
            </button>
            {move || done.get().map(|m| view! { <p class="notice" role="status">{m}</p> })}
        </form>
    }
}

/// A manager's "Follow every new item from my organization" (saved when ticked).
#[component]
fn FollowChoice() -> impl IntoView {
    let portal = use_portal();
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    // (organization, verified) of a manager; a Memo, so saving the choice does not
    // redraw the checkbox under the keyboard's focus.
    let manager_of = Memo::new(move |_| {
        portal.session().and_then(|s| {
            let org = s.customer.organization.as_ref().filter(|o| o.manager).map(|o| o.name.clone())?;
            Some((org, s.customer.email_verified))
        })
    });
    let following = move || portal.session().is_some_and(|s| s.customer.follow_organization_items);
    let change = move |on: bool| {
        error.set(None);
        done.set(None);
        spawn_local(async move {
            let req = UpdatePortalProfileRequest { follow_organization_items: Some(on), ..Default::default() };
            match api::portal_policy::update_profile(&req).await {
                Ok(c) => {
                    let org = c.organization.as_ref().map(|o| o.name.clone()).unwrap_or_default();
                    done.set(Some(if c.follow_organization_items {
                        format!("You will follow every new item of {org}.")
                    } else {
                        format!("You no longer follow new items of {org}.")
                    }));
                    take(portal, c);
                }
                Err(e) => error.set(Some(e.field_or_message("follow_organization_items"))),
            }
        });
    };
    move || {
        manager_of.get().map(|(org, verified)| {
            let label = format!("Follow every new item from {org}");
            view! {
                <section class="card portal-profile__follow" aria-labelledby="portal-follow-title">
                    <h2 class="section__title" id="portal-follow-title">"As a manager"</h2>
                    <div class="checkbox-field">
                        <input type="checkbox" id="profile-follow" aria-describedby="profile-follow-hint"
                            prop:checked=following
                            on:change=move |ev| change(event_target_checked(&ev)) />
                        <label for="profile-follow">{label}</label>
                    </div>
                    <p class="hint" id="profile-follow-hint">
                        "You are told about each new item of your organization and follow it. Items that exist now are not affected."
                        {(!verified).then_some(" This starts once your email address is verified.")}
                    </p>
                    <ErrorNotice message=error />
                    {move || done.get().map(|m| view! { <p class="notice" role="status">{m}</p> })}
                </section>
            }
        })
    }
}
