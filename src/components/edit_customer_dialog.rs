use leptos::prelude::*;
use orgdesk_core::api::{Customer, UpdateCustomerRequest};
use orgdesk_core::FieldErrors;

use crate::api;
use crate::components::dialog::Dialog;
use crate::components::error_notice::ErrorNotice;
use crate::components::shared_projects::SharedProjects;
use crate::components::text_field::TextField;
use crate::forms::show_save_error;

/// What happened to the customer being edited.
#[derive(Clone, Debug)]
pub enum CustomerEdit {
    Saved(Customer),
    Deleted(Customer),
}

/// Edit a customer's email, names, phone and position; or delete them (asks first).
#[component]
pub fn EditCustomerDialog(
    customer: Customer,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_done: Callback<CustomerEdit>,
) -> impl IntoView {
    let id = customer.id;
    let has_org = customer.organization_id.is_some();
    let email = RwSignal::new(customer.email.clone());
    let first = RwSignal::new(customer.first_name.clone());
    let last = RwSignal::new(customer.last_name.clone());
    let position = RwSignal::new(customer.position.clone());
    let phone = RwSignal::new(customer.phone.clone());
    let errors = RwSignal::new(FieldErrors::new());
    let general = RwSignal::new(None::<String>);
    let confirming = RwSignal::new(false);
    let original = StoredValue::new(customer.clone());
    let save = Action::new_local(move |req: &UpdateCustomerRequest| api::customers::update_customer(id, req.clone()));
    Effect::new(move |_| match save.value().get() {
        Some(Ok(c)) => on_done.run(CustomerEdit::Saved(c)),
        Some(Err(e)) => show_save_error(e, errors, general),
        None => {}
    });
    let remove = Action::new_local(move |_: &()| api::customers::delete_customer(id));
    Effect::new(move |_| match remove.value().get() {
        Some(Ok(())) => on_done.run(CustomerEdit::Deleted(original.get_value())),
        Some(Err(e)) => general.set(Some(e.message())),
        None => {}
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        general.set(None);
        save.dispatch(UpdateCustomerRequest {
            email: Some(email.get_untracked()),
            first_name: Some(first.get_untracked()),
            last_name: Some(last.get_untracked()),
            position: has_org.then(|| position.get_untracked()),
            // Sent only when changed: a stored phone that today's rule would refuse (an older import's) is kept.
            phone: Some(phone.get_untracked()).filter(|p| original.with_value(|c| *p != c.phone)),
        });
    };
    let err = move |f: &'static str| Signal::derive(move || errors.get().get(f).cloned());
    let title = format!("Edit {}", customer.display_name());
    let name = customer.display_name();
    view! {
        <Dialog id="edit-customer" title=title on_close=on_close>
            <form class="form" novalidate=true on:submit=on_submit>
                <p class="customer-portal-state">
                    "Portal: "
                    <span class="customer-portal-state__value" class:customer-portal-state__value--ok=customer.email_verified>
                        {customer.portal_state()}
                    </span>
                </p>
                <TextField id="edit-email" label="Email" value=email error=err("email") input_type="email" />
                <TextField id="edit-first-name" label="First name" value=first error=err("first_name") />
                <TextField id="edit-last-name" label="Last name" value=last error=err("last_name") />
                <TextField id="edit-phone" label="Phone" value=phone error=err("phone") input_type="tel" autocomplete="tel" />
                {has_org.then(|| view! { <TextField id="edit-position" label="Position" value=position error=err("position") /> })}
                <ErrorNotice message=general />
                <div class="form__actions">
                    <button type="submit" class="button button--primary" disabled=move || save.pending().get()>
                        "Save"
                    </button>
                    <Show
                        when=move || confirming.get()
                        fallback=move || view! {
                            <button type="button" class="button button--danger" on:click=move |_| confirming.set(true)>
                                "Delete customer"
                            </button>
                        }
                    >
                        <button type="button" class="button button--danger" on:click=move |_| { remove.dispatch(()); }>
                            "Yes, delete this customer"
                        </button>
                    </Show>
                </div>
            </form>
            <SharedProjects customer_id=id name=name />
        </Dialog>
    }
}
