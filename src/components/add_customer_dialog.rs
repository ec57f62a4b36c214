use leptos::prelude::*;
use orgdesk_core::api::{CreateCustomerRequest, Customer};
use orgdesk_core::customer::validate_new_customer;
use orgdesk_core::FieldErrors;

use crate::api;
use crate::components::dialog::Dialog;
use crate::components::error_notice::ErrorNotice;
use crate::components::text_field::TextField;
use crate::forms::show_save_error;

/// "Add customer": email required, names and phone optional; "Create" or "Create and send invitation".
#[component]
pub fn AddCustomerDialog(
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_created: Callback<Customer>,
) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let first = RwSignal::new(String::new());
    let last = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let errors = RwSignal::new(FieldErrors::new());
    let general = RwSignal::new(None::<String>);
    let create = Action::new_local(move |req: &CreateCustomerRequest| api::customers::create_customer(req.clone()));
    Effect::new(move |_| match create.value().get() {
        Some(Ok(c)) => on_created.run(c),
        Some(Err(e)) => show_save_error(e, errors, general),
        None => {}
    });
    let submit = move |send_invitation: bool| {
        general.set(None);
        let req = CreateCustomerRequest {
            email: email.get_untracked(),
            first_name: first.get_untracked(),
            last_name: last.get_untracked(),
            phone: phone.get_untracked(),
            send_invitation,
        };
        match validate_new_customer(&req) {
            Ok(_) => {
                errors.set(FieldErrors::new());
                create.dispatch(req);
            }
            Err(fields) => errors.set(fields),
        }
    };
    let err = move |f: &'static str| Signal::derive(move || errors.get().get(f).cloned());
    view! {
        <Dialog id="add-customer" title="Add customer".to_string() on_close=on_close>
            <form class="form" novalidate=true on:submit=move |ev| {
                ev.prevent_default();
                submit(false);
            }>
                <TextField id="customer-email" label="Email" value=email error=err("email") input_type="email" />
                <TextField id="customer-first-name" label="First name" value=first error=err("first_name") />
                <TextField id="customer-last-name" label="Last name" value=last error=err("last_name") />
                <TextField id="customer-phone" label="Phone" value=phone error=err("phone") input_type="tel" autocomplete="tel" />
                <p class="hint">"The customer joins the organization that owns their email domain."</p>
                <ErrorNotice message=general />
                <div class="form__actions">
                    <button type="submit" class="button button--primary" disabled=move || create.pending().get()>
                        "Create"
                    </button>
                    <button type="button" class="button" disabled=move || create.pending().get() on:click=move |_| submit(true)>
                        "Create and send invitation"
                    </button>
                </div>
            </form>
        </Dialog>
    }
}
