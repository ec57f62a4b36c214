//! The summary's list of the customers an import created (first) and changed, as
//! they are now, a page at a time, each with a link to their organization.

use leptos::prelude::*;
use leptos_router::components::A;
use orgdesk_core::api::Customer;

use super::model::thousands;
use crate::api;
use crate::components::error_notice::ErrorNotice;
use crate::components::paged_list::PagedList;

/// Customers fetched per page.
const PAGE: usize = 25;

#[component]
pub fn ImportedCustomers(batch_id: i64) -> impl IntoView {
    let list = PagedList::<Customer>::new();
    let PagedList { items, total, loading, error, .. } = list;
    let load = move |offset: usize| {
        list.load(offset, async move {
            api::import::batch_customers(batch_id, offset, PAGE).await.map(|page| (page.items, page.total))
        })
    };
    load(0);
    let heading = move || match total.get() {
        Some(n) => format!("Imported customers ({})", thousands(n)),
        None => "Imported customers".to_string(),
    };

    view! {
        <section class="import-customers" aria-labelledby="import-customers-title">
            <h3 class="import__subtitle" id="import-customers-title">{heading}</h3>
            <ErrorNotice message=error />
            <ul class="import-customers__list">
                <For
                    each=move || items.get()
                    key=|c| c.id
                    children=move |c| {
                        let name = c.display_name();
                        let email = (name != c.email).then(|| {
                            view! { <span class="import-customers__email">{c.email.clone()}</span> }
                        });
                        let organization = c.organization_id.zip(c.organization_name.clone()).map(|(id, org)| {
                            view! {
                                <A href=format!("/organizations/{id}") attr:class="import-customers__org">{org}</A>
                            }
                        });
                        view! {
                            <li class="import-customers__item">
                                <span class="import-customers__name">{name}</span>
                                {email}
                                {organization}
                            </li>
                        }
                    }
                />
            </ul>
            <Show when=move || total.get() == Some(0)>
                <p class="hint">"None of its customers remain."</p>
            </Show>
            <Show when=move || total.get().is_some_and(|t| (items.with(Vec::len) as i64) < t)>
                <button type="button" class="button button--small" disabled=move || loading.get()
                    on:click=move |_| load(items.with_untracked(Vec::len))>
                    "Show more"
                </button>
            </Show>
        </section>
    }
}
