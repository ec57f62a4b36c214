use leptos::prelude::*;
use orgdesk_core::api::{CreateOrganizationRequest, Organization, UpdateOrganizationRequest};
use orgdesk_core::customer::validate_new_organization;
use orgdesk_core::FieldErrors;

use crate::api;
use crate::components::dialog::Dialog;
use crate::components::error_notice::ErrorNotice;
use crate::components::text_field::TextField;
use crate::forms::show_save_error;

/// Splits "acme.com, acme.co.uk  @acme.de" into entries.
pub fn split_domains(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// Adds an organization, or (with `existing`) renames one and edits its domains.
#[component]
pub fn OrganizationDialog(
    #[prop(optional)] existing: Option<Organization>,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_saved: Callback<Organization>,
) -> impl IntoView {
    let editing = existing.as_ref().map(|o| o.id);
    let name = RwSignal::new(existing.as_ref().map(|o| o.name.clone()).unwrap_or_default());
    let domains = RwSignal::new(existing.as_ref().map(|o| o.domains.join(", ")).unwrap_or_default());
    let errors = RwSignal::new(FieldErrors::new());
    let general = RwSignal::new(None::<String>);
    let save = Action::new_local(move |req: &CreateOrganizationRequest| {
        let req = req.clone();
        async move {
            match editing {
                Some(id) => {
                    let update = UpdateOrganizationRequest { name: Some(req.name), domains: Some(req.domains) };
                    api::organizations::update_organization(id, update).await
                }
                None => api::organizations::create_organization(req).await,
            }
        }
    });
    Effect::new(move |_| match save.value().get() {
        Some(Ok(org)) => on_saved.run(org),
        Some(Err(e)) => show_save_error(e, errors, general),
        None => {}
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        general.set(None);
        let req =
            CreateOrganizationRequest { name: name.get_untracked(), domains: split_domains(&domains.get_untracked()) };
        match validate_new_organization(&req) {
            Ok(_) => {
                errors.set(FieldErrors::new());
                save.dispatch(req);
            }
            Err(fields) => errors.set(fields),
        }
    };
    let err = move |f: &'static str| Signal::derive(move || errors.get().get(f).cloned());
    let title = if editing.is_some() { "Edit organization" } else { "Add organization" };
    view! {
        <Dialog id="organization" title=title.to_string() on_close=on_close>
            <form class="form" novalidate=true on:submit=on_submit>
                <TextField id="organization-name" label="Organization name" value=name error=err("name") />
                <TextField id="organization-domains" label="Email domains" value=domains error=err("domains") />
                <p class="hint">"Separate domains with commas, e.g. acme.com, acme.co.uk. *.acme.com covers every subdomain."</p>
                <ErrorNotice message=general />
                <div class="form__actions">
                    <button type="submit" class="button button--primary" disabled=move || save.pending().get()>
                        {if editing.is_some() { "Save" } else { "Create organization" }}
                    </button>
                </div>
            </form>
        </Dialog>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn domains_split_on_commas_and_spaces() {
        assert_eq!(super::split_domains(" acme.com, acme.co.uk;@ACME.de  "), ["acme.com", "acme.co.uk", "@ACME.de"]);
        assert!(super::split_domains("  ").is_empty());
    }
}
