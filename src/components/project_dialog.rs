use leptos::prelude::*;
use orgdesk_core::api::tickets::{CreateProjectRequest, Project, UpdateProjectRequest};
use orgdesk_core::FieldErrors;

use crate::api;
use crate::components::dialog::Dialog;
use crate::components::error_notice::ErrorNotice;
use crate::components::text_area::TextArea;
use crate::components::text_field::TextField;
use crate::forms::show_save_error;

/// The longest project name the form accepts (the server decides finally).
const MAX_NAME: usize = 200;

/// Creates a project, or (with `existing`) renames one and edits its description.
#[component]
pub fn ProjectDialog(
    #[prop(optional)] existing: Option<Project>,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_saved: Callback<Project>,
) -> impl IntoView {
    let editing = existing.as_ref().map(|p| p.id);
    let name = RwSignal::new(existing.as_ref().map(|p| p.name.clone()).unwrap_or_default());
    let description = RwSignal::new(existing.as_ref().map(|p| p.description.clone()).unwrap_or_default());
    let errors = RwSignal::new(FieldErrors::new());
    let general = RwSignal::new(None::<String>);
    let save = Action::new_local(move |req: &CreateProjectRequest| {
        let req = req.clone();
        async move {
            match editing {
                Some(id) => {
                    let update = UpdateProjectRequest {
                        name: Some(req.name),
                        description: Some(req.description),
                        ..Default::default()
                    };
                    api::projects::update_project(id, update).await
                }
                None => api::projects::create_project(req).await,
            }
        }
    });
    Effect::new(move |_| match save.value().get() {
        Some(Ok(p)) => on_saved.run(p),
        Some(Err(e)) => show_save_error(e, errors, general),
        None => {}
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        general.set(None);
        let req = CreateProjectRequest {
            name: name.get_untracked().trim().to_string(),
            description: description.get_untracked().trim().to_string(),
        };
        let mut fields = FieldErrors::new();
        if req.name.is_empty() {
            fields.insert("name".into(), "Enter a project name.".into());
        } else if req.name.chars().count() > MAX_NAME {
            fields.insert("name".into(), format!("Use at most {MAX_NAME} characters."));
        }
        errors.set(fields.clone());
        if fields.is_empty() {
            save.dispatch(req);
        }
    };
    let err = move |f: &'static str| Signal::derive(move || errors.get().get(f).cloned());
    let title = if editing.is_some() { "Edit project" } else { "New project" };
    view! {
        <Dialog id="project" title=title.to_string() on_close=on_close>
            <form class="form" novalidate=true on:submit=on_submit>
                <TextField id="project-name" label="Project name" value=name error=err("name") />
                <TextArea id="project-description" label="Description" value=description error=err("description") rows=3 />
                <ErrorNotice message=general />
                <div class="form__actions">
                    <button type="submit" class="button button--primary" disabled=move || save.pending().get()>
                        {if editing.is_some() { "Save" } else { "Create project" }}
                    </button>
                </div>
            </form>
        </Dialog>
    }
}
