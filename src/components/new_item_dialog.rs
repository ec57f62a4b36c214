use leptos::prelude::*;
use orgdesk_core::api::tickets::{CreateItemRequest, Item, ItemType, Priority};
use orgdesk_core::word::Word;
use orgdesk_core::FieldErrors;

use crate::api;
use crate::components::dialog::Dialog;
use crate::components::error_notice::ErrorNotice;
use crate::components::search_picker::{Pick, PickerKind, SearchPicker};
use crate::components::select_field::SelectField;
use crate::components::text_area::TextArea;
use crate::components::text_field::TextField;
use crate::forms::show_save_error;

/// The longest title the form accepts (the server decides finally).
const MAX_TITLE: usize = 200;

/// Checks a new ticket or task before it is sent; messages go next to the fields.
pub fn validate_new_item(req: &CreateItemRequest) -> FieldErrors {
    let mut fields = FieldErrors::new();
    if req.project_id <= 0 {
        fields.insert("project_id".into(), "Choose a project.".into());
    }
    let title = req.title.trim();
    if title.is_empty() {
        fields.insert("title".into(), "Enter a title.".into());
    } else if title.chars().count() > MAX_TITLE {
        fields.insert("title".into(), format!("Use at most {MAX_TITLE} characters."));
    }
    if req.item_type == ItemType::Ticket && req.requester_id.is_none() {
        fields.insert("requester_id".into(), "Choose the customer who requested this ticket.".into());
    }
    fields
}

/// "New ticket" / "New task": project, type, title, description, requester,
/// assignee and priority.
#[component]
pub fn NewItemDialog(
    /// The project to put it in, when known (from a project's panel).
    #[prop(optional)]
    project_id: Option<i64>,
    #[prop(default = ItemType::Ticket)] item_type: ItemType,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_created: Callback<Item>,
) -> impl IntoView {
    let project = RwSignal::new(project_id.map(|id| id.to_string()).unwrap_or_default());
    let kind = RwSignal::new(item_type);
    let title = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let requester = RwSignal::new(None::<Pick>);
    let assignee = RwSignal::new(String::new());
    let priority = RwSignal::new(Priority::Normal);
    let errors = RwSignal::new(FieldErrors::new());
    let general = RwSignal::new(None::<String>);

    let projects = LocalResource::new(|| api::projects::list_projects("false", "", 0, 200));
    let agents = LocalResource::new(api::agents::list_agents);
    let project_options = Signal::derive(move || {
        let mut options = vec![(String::new(), "Choose a project".to_string())];
        if let Some(Ok(page)) = projects.get() {
            options.extend(page.items.into_iter().map(|p| (p.id.to_string(), p.name)));
        }
        options
    });
    let agent_options = Signal::derive(move || {
        let mut options = vec![(String::new(), "Unassigned".to_string())];
        if let Some(Ok(list)) = agents.get() {
            options.extend(list.into_iter().filter(|a| a.active).map(|a| (a.id.to_string(), a.name)));
        }
        options
    });
    let type_options =
        Signal::derive(|| ItemType::ALL.iter().map(|t| (t.as_str().to_string(), t.label().to_string())).collect());
    let priority_options =
        Signal::derive(|| Priority::ALL.iter().map(|p| (p.as_str().to_string(), p.label().to_string())).collect());

    let create = Action::new_local(move |req: &CreateItemRequest| api::tickets::create_item(req.clone()));
    Effect::new(move |_| match create.value().get() {
        Some(Ok(item)) => on_created.run(item),
        Some(Err(e)) => show_save_error(e, errors, general),
        None => {}
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        general.set(None);
        let req = CreateItemRequest {
            project_id: project.get_untracked().parse().unwrap_or(0),
            item_type: kind.get_untracked(),
            title: title.get_untracked().trim().to_string(),
            description: description.get_untracked().trim().to_string(),
            status: None,
            priority: Some(priority.get_untracked()),
            assignee_id: assignee.get_untracked().parse().ok(),
            requester_id: requester.get_untracked().map(|p| p.id),
        };
        let fields = validate_new_item(&req);
        errors.set(fields.clone());
        if fields.is_empty() {
            create.dispatch(req);
        }
    };
    let err = move |f: &'static str| Signal::derive(move || errors.get().get(f).cloned());
    let dialog_title = Signal::derive(move || format!("New {}", kind.get().as_str()));
    view! {
        <Dialog id="new-item" title=dialog_title on_close=on_close>
            <form class="form" novalidate=true on:submit=on_submit>
                <SelectField id="item-project" label="Project" value=project options=project_options
                    on_change=move |v: String| project.set(v) error=err("project_id") />
                <SelectField id="item-type" label="Type" value=Signal::derive(move || kind.get().as_str().to_string())
                    options=type_options on_change=move |v: String| kind.set(ItemType::parse(&v).unwrap_or(ItemType::Ticket))
                    error=err("item_type") />
                <TextField id="item-title" label="Title" value=title error=err("title") />
                <TextArea id="item-description" label="Description" value=description error=err("description") rows=4 />
                <SearchPicker
                    id="item-requester"
                    label="Requester"
                    kind=PickerKind::Customer
                    selected=Signal::derive(move || requester.get())
                    on_pick=move |p: Pick| requester.set(Some(p))
                    on_clear=Callback::new(move |_| requester.set(None))
                    error=err("requester_id")
                />
                <SelectField id="item-assignee" label="Assignee" value=assignee options=agent_options
                    on_change=move |v: String| assignee.set(v) error=err("assignee_id") />
                <SelectField id="item-priority" label="Priority"
                    value=Signal::derive(move || priority.get().as_str().to_string()) options=priority_options
                    on_change=move |v: String| priority.set(Priority::parse(&v).unwrap_or(Priority::Normal))
                    error=err("priority") />
                <ErrorNotice message=general />
                <div class="form__actions">
                    <button type="submit" class="button button--primary" disabled=move || create.pending().get()>
                        {move || format!("Create {}", kind.get().as_str())}
                    </button>
                </div>
            </form>
        </Dialog>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(item_type: ItemType, requester_id: Option<i64>) -> CreateItemRequest {
        CreateItemRequest {
            project_id: 1,
            item_type,
            title: "Printer on fire".into(),
            description: String::new(),
            status: None,
            priority: None,
            assignee_id: None,
            requester_id,
        }
    }

    #[test]
    fn a_ticket_needs_a_requester_and_a_task_does_not() {
        assert!(validate_new_item(&req(ItemType::Ticket, None)).contains_key("requester_id"));
        assert!(validate_new_item(&req(ItemType::Ticket, Some(3))).is_empty());
        assert!(validate_new_item(&req(ItemType::Task, None)).is_empty());
    }

    #[test]
    fn project_and_title_are_required() {
        let mut r = req(ItemType::Task, None);
        r.project_id = 0;
        r.title = "  ".into();
        let fields = validate_new_item(&r);
        assert_eq!(fields.get("project_id").map(String::as_str), Some("Choose a project."));
        assert_eq!(fields.get("title").map(String::as_str), Some("Enter a title."));
    }
}
