//! `/portal/new`: a customer opens a ticket: title, description, and one of the
//! projects they may submit to (or the portal's default). Errors show next to the
//! fields; on success the new ticket opens.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use orgdesk_core::api::portal_items::CreatePortalItemRequest;
use orgdesk_core::tickets::parse_item_title;
use orgdesk_core::FieldErrors;

use crate::api;
use crate::components::error_notice::ErrorNotice;
use crate::components::select_field::SelectField;
use crate::components::text_area::TextArea;
use crate::components::text_field::TextField;
use crate::forms::{focus_after_render, show_save_error};

const FIRST_INVALID: &str = ".portal-new [aria-invalid='true']";

#[component]
pub fn PortalNewTicketPage() -> impl IntoView {
    crate::hooks::use_title(|| Some("New ticket".to_string()));
    let navigate = use_navigate();
    let title = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let project = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::new());
    let general = RwSignal::new(None::<String>);
    let projects = LocalResource::new(api::portal_items::projects);
    let options = Signal::derive(move || {
        let mut out = vec![(String::new(), "General support".to_string())];
        if let Some(Ok(list)) = projects.get() {
            out.extend(list.into_iter().map(|p| (p.id.to_string(), p.name)));
        }
        out
    });
    let has_projects = move || matches!(projects.get(), Some(Ok(list)) if !list.is_empty());
    let create = Action::new_local(move |req: &CreatePortalItemRequest| api::portal_items::create_item(req.clone()));
    Effect::new(move |_| match create.value().get() {
        Some(Ok(d)) => navigate(&format!("/portal/items/{}", d.item.id), Default::default()),
        Some(Err(e)) => {
            show_save_error(e, errors, general);
            focus_after_render(FIRST_INVALID.into());
        }
        None => {}
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        general.set(None);
        if let Err(message) = parse_item_title(&title.get_untracked()) {
            errors.set(FieldErrors::from([("title".to_string(), message)]));
            focus_after_render(FIRST_INVALID.into());
            return;
        }
        errors.set(FieldErrors::new());
        create.dispatch(CreatePortalItemRequest {
            title: title.get_untracked(),
            description: description.get_untracked(),
            project_id: project.get_untracked().parse().ok(),
        });
    };
    let err = move |f: &'static str| Signal::derive(move || errors.get().get(f).cloned());
    view! {
        <section class="portal-new">
            <h1 class="page__title">"New ticket"</h1>
            <form class="form portal-new__form" novalidate=true on:submit=on_submit>
                <TextField id="ticket-title" label="Title" value=title error=err("title") />
                <TextArea id="ticket-description" label="Describe what you need" value=description
                    error=err("description") rows=6 />
                <Show when=has_projects>
                    <SelectField id="ticket-project" label="Project" value=project options=options
                        on_change=move |v| project.set(v) error=err("project_id") />
                </Show>
                <ErrorNotice message=general />
                <div class="form__actions">
                    <button type="submit" class="button button--primary" disabled=move || create.pending().get()>
                        {move || if create.pending().get() { "Sending…" } else { "Send ticket" }}
                    </button>
                </div>
            </form>
        </section>
    }
}
