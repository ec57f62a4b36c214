use leptos::prelude::*;
use orgdesk_core::api::tickets::{StartConversationRequest, StartedConversation};
use orgdesk_core::FieldErrors;

use crate::api;
use crate::components::error_notice::ErrorNotice;
use crate::components::text_area::TextArea;
use crate::components::text_field::TextField;
use crate::forms::show_save_error;

/// Whom a new conversation goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConversationTarget {
    /// Every member of the organization.
    Organization(i64),
    /// The project's followers.
    Project(i64),
}

/// Subject and first message of a new conversation; sends it and reports the result.
#[component]
pub fn ConversationForm(
    target: ConversationTarget,
    /// Ids of the subject and message fields (unique on the page).
    subject_id: &'static str,
    body_id: &'static str,
    #[prop(into)] on_sent: Callback<StartedConversation>,
    #[prop(default = "Send")] submit_label: &'static str,
) -> impl IntoView {
    let subject = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::new());
    let general = RwSignal::new(None::<String>);
    let send = Action::new_local(move |req: &StartConversationRequest| {
        let req = req.clone();
        async move {
            match target {
                ConversationTarget::Organization(id) => {
                    api::organizations::start_organization_conversation(id, req).await
                }
                ConversationTarget::Project(id) => api::projects::start_project_conversation(id, req).await,
            }
        }
    });
    Effect::new(move |_| match send.value().get() {
        Some(Ok(started)) => {
            subject.set(String::new());
            body.set(String::new());
            on_sent.run(started);
        }
        Some(Err(e)) => show_save_error(e, errors, general),
        None => {}
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        general.set(None);
        let req = StartConversationRequest {
            subject: subject.get_untracked().trim().to_string(),
            body: body.get_untracked().trim().to_string(),
        };
        let mut fields = FieldErrors::new();
        if req.subject.is_empty() {
            fields.insert("subject".into(), "Enter a subject.".into());
        }
        if req.body.is_empty() {
            fields.insert("body".into(), "Write a message.".into());
        }
        errors.set(fields.clone());
        if fields.is_empty() {
            send.dispatch(req);
        }
    };
    let err = move |f: &'static str| Signal::derive(move || errors.get().get(f).cloned());
    view! {
        <form class="form conversation-form" novalidate=true on:submit=on_submit>
            <TextField id=subject_id label="Subject" value=subject error=err("subject") />
            <TextArea id=body_id label="Message" value=body error=err("body") rows=4 />
            <ErrorNotice message=general />
            <div class="form__actions">
                <button type="submit" class="button button--primary" disabled=move || send.pending().get()>
                    {submit_label}
                </button>
            </div>
        </form>
    }
}
