use leptos::prelude::*;
use leptos::task::spawn_local;
use orgdesk_core::api::{Settings, UpdateSettingsRequest};

use crate::api::{self, ApiError};
use crate::components::error_notice::ErrorNotice;
use crate::components::organization_dialog::split_domains;
use crate::components::text_field::TextField;

/// Administration » Customers: automatic organizations by domain, whether agents
/// may delete organizations, and the public email providers that never get an
/// organization of their own.
#[component]
pub fn CustomerSettings() -> impl IntoView {
    let settings = RwSignal::new(None::<Settings>);
    let extra = RwSignal::new(String::new());
    let status = RwSignal::new(None::<Result<String, String>>);
    let extra_error = RwSignal::new(None::<String>);
    spawn_local(async move {
        match api::settings::get_settings().await {
            Ok(s) => {
                extra.set(s.extra_public_domains.join(", "));
                settings.set(Some(s));
            }
            Err(e) => status.set(Some(Err(e.message()))),
        }
    });
    let save = move |req: UpdateSettingsRequest| {
        status.set(None);
        extra_error.set(None);
        spawn_local(async move {
            match api::settings::update_settings(req).await {
                Ok(s) => {
                    extra.set(s.extra_public_domains.join(", "));
                    settings.set(Some(s));
                    status.set(Some(Ok("Saved the Customers settings.".into())));
                }
                Err(ApiError::Server(body)) if body.fields.contains_key("extra_public_domains") => {
                    extra_error.set(body.fields.get("extra_public_domains").cloned())
                }
                Err(e) => status.set(Some(Err(e.message()))),
            }
        });
    };
    view! {
        <section class="card settings" aria-labelledby="customer-settings-title">
            <h2 class="section__title" id="customer-settings-title">"Customers"</h2>
            {move || settings.get().map(|s| {
                let builtin = s.builtin_public_domains.join(", ");
                view! {
                    <div class="checkbox-field">
                        <input
                            type="checkbox"
                            id="auto-create"
                            prop:checked=s.auto_create_organizations
                            on:change=move |ev| save(UpdateSettingsRequest {
                                auto_create_organizations: Some(event_target_checked(&ev)),
                                ..Default::default()
                            })
                        />
                        <label for="auto-create">"Automatically create customer organization based on domain"</label>
                    </div>
                    <p class="hint">
                        "New customers always join the organization that owns their email domain. With this on, a customer at an unknown domain gets a new organization named after it, except at public email providers."
                    </p>
                    <div class="checkbox-field">
                        <input
                            type="checkbox"
                            id="agents-delete-organizations"
                            aria-describedby="agents-delete-organizations-hint"
                            prop:checked=s.agents_may_delete_organizations
                            on:change=move |ev| save(UpdateSettingsRequest {
                                agents_may_delete_organizations: Some(event_target_checked(&ev)),
                                ..Default::default()
                            })
                        />
                        <label for="agents-delete-organizations">"Agents may delete organizations"</label>
                    </div>
                    <p class="hint" id="agents-delete-organizations-hint">
                        "Deleting an organization also erases its notes, files, conversations and history (the audit log keeps a summary). Off: only administrators may."
                    </p>
                    <form class="form form--inline" novalidate=true on:submit=move |ev| {
                        ev.prevent_default();
                        save(UpdateSettingsRequest {
                            extra_public_domains: Some(split_domains(&extra.get_untracked())),
                            ..Default::default()
                        });
                    }>
                        <TextField id="extra-public" label="More public email providers" value=extra error=extra_error />
                        <button type="submit" class="button">"Save providers"</button>
                    </form>
                    <details class="hint">
                        <summary>"Built-in public email providers"</summary>
                        <p>{builtin}</p>
                    </details>
                }
            })}
            {move || status.get().map(|s| match s {
                Ok(t) => view! { <p class="notice" role="status">{t}</p> }.into_any(),
                Err(t) => view! { <ErrorNotice message=t /> }.into_any(),
            })}
        </section>
    }
}
