//! The panel's properties section: the custom fields admins define in
//! Administration, in their order. Empty ones stay hidden until the agent edits
//! (or asks to see them); each input is checked as it is typed with the rules the
//! server applies, and Save sends only what changed. (The created date is in the
//! panel's header.) The fields and the list are shared with the customer profile
//! (`components::property_values`).

use leptos::prelude::*;
use orgdesk_core::api::organization::SetPropertiesRequest;

use super::editor::Editor;
use super::OrgPanel;
use crate::api::{self, ApiError};
use crate::components::error_notice::ErrorNotice;
use crate::components::property_values::{changed_values, place_errors, Field, PropertyInput, PropertyList};

#[component]
pub fn PropertiesSection(panel: OrgPanel) -> impl IntoView {
    let editor = Editor::new(panel);
    let Editor { error: general, busy, .. } = editor;
    let editing = move || editor.is_editing(&());
    let fields = RwSignal::new(Vec::<Field>::new());
    // The editor's signals belong to the section, not to the Edit button that goes away.
    let owner = StoredValue::new(Owner::current().expect("a reactive owner"));

    let properties = move || panel.detail.with(|d| d.as_ref().map(|d| d.properties.clone()).unwrap_or_default());

    let start = move |_| {
        let list = panel.detail.with_untracked(|d| d.as_ref().map(|d| d.properties.clone()).unwrap_or_default());
        fields.set(owner.get_value().with(|| list.iter().map(Field::new).collect()));
        editor.open(());
    };
    let cancel = move |_| {
        editor.close();
        fields.set(Vec::new());
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        general.set(None);
        let current = fields.get_untracked();
        let Some(values) = changed_values(&current) else {
            general.set(Some("Some fields need fixing; see the messages next to them.".into()));
            return;
        };
        if values.is_empty() {
            editor.close();
            fields.set(Vec::new());
            return;
        }
        let req = SetPropertiesRequest { version: panel.version(), values };
        // The server names a failed value `values.{definition id}`: the message goes to that field.
        let place = move |e: &ApiError| place_errors(&current, e);
        editor.save(async move { api::organizations::set_properties(panel.id, &req).await }, place, move || {
            fields.set(Vec::new())
        });
    };

    view! {
        <section class="org-section panel__section" data-section="properties" aria-labelledby="org-properties-title">
            <div class="panel__section-head">
                <h2 class="panel__heading" id="org-properties-title">"Properties"</h2>
                <Show when=move || !editing() && !properties().is_empty()>
                    <button type="button" class="button button--small" aria-label="Edit properties" on:click=start>
                        "Edit"
                    </button>
                </Show>
            </div>
            <Show when=editing fallback=move || view! { <PropertyList properties=Signal::derive(properties) /> }>
                <form class="properties-editor" novalidate=true on:submit=save aria-label="Properties editor">
                    {move || fields.get().into_iter().map(|f| view! { <PropertyInput field=f /> }).collect_view()}
                    <ErrorNotice message=general />
                    <div class="form__actions">
                        <button type="submit" class="button button--primary button--small" aria-label="Save properties"
                            disabled=move || busy.get()>
                            "Save"
                        </button>
                        <button type="button" class="button button--small" aria-label="Cancel editing properties" on:click=cancel>
                            "Cancel"
                        </button>
                    </div>
                </form>
            </Show>
        </section>
    }
}
