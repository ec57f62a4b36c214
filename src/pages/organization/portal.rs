//! The panel's "Portal" section: what this organization's members see in the
//! customer portal (the portal setting, or this organization's own choice when it
//! allows more), and the sentence that says what that comes to.

use leptos::prelude::*;
use leptos::task::spawn_local;
use orgdesk_core::api::portal_policy::PortalVisibility;
use orgdesk_core::portal::OrgItemAccess;
use orgdesk_core::word::Word;

use super::OrgPanel;
use crate::api;
use crate::components::select_field::SelectField;

/// The choices, as (value, label): "" is the portal default.
fn options(global: OrgItemAccess) -> Vec<(String, String)> {
    let mut out = vec![(String::new(), format!("Portal default ({})", global.label().to_lowercase()))];
    out.extend(OrgItemAccess::ALL.iter().map(|a| (a.as_str().to_string(), a.label().to_string())));
    out
}

#[component]
pub fn PortalSection(panel: OrgPanel) -> impl IntoView {
    let visibility = RwSignal::new(None::<PortalVisibility>);
    let error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(false);
    spawn_local(async move {
        match api::portal_policy::portal_visibility(panel.id).await {
            Ok(v) => visibility.set(Some(v)),
            Err(e) => error.set(Some(e.message())),
        }
    });
    let name = move || panel.detail.with(|d| d.as_ref().map(|d| d.name.clone()).unwrap_or_default());
    let change = Callback::new(move |value: String| {
        error.set(None);
        saved.set(false);
        let choice = OrgItemAccess::parse(&value);
        spawn_local(async move {
            match api::portal_policy::set_portal_visibility(panel.id, choice).await {
                Ok(v) => {
                    visibility.set(Some(v));
                    saved.set(true);
                    // The change moved the organization's version on: take the fresh detail.
                    if let Ok(d) = api::organizations::organization_detail(panel.id).await {
                        panel.replace(d);
                    }
                }
                Err(e) => error.set(Some(e.field_or_message("organization_items"))),
            }
        });
    });
    view! {
        <section class="panel__section org-section" data-section="portal" aria-labelledby="org-portal-title">
            <h3 class="panel__heading" id="org-portal-title">"Portal"</h3>
            // Drawn once loaded (not per answer), so a change keeps the keyboard's focus on the select.
            <Show when=move || visibility.with(Option::is_some)>
                <SelectField
                    id="org-portal-visibility"
                    label="Members see"
                    value=Signal::derive(move || visibility.with(|v| {
                        v.and_then(|v| v.organization_override).map(|a| a.as_str().to_string()).unwrap_or_default()
                    }))
                    options=Signal::derive(move || options(visibility.with(|v| v.map(|v| v.global).unwrap_or_default())))
                    on_change=change
                    error=error
                />
                <p class="org-portal__effective" data-testid="portal-effective" aria-live="polite">
                    {move || visibility.get().map(|v| v.explain(&name()))}
                    {move || saved.get().then_some(" Saved.")}
                </p>
            </Show>
            {move || (visibility.with(Option::is_none) && error.get().is_some()).then(|| view! {
                <p class="field__error" role="alert">{error.get()}</p>
            })}
        </section>
    }
}
