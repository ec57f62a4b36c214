//! Saved mappings: "Use preset" applies one to this file by its header names
//! (with its options), "Save mapping as preset…" names the current mapping, and
//! "Delete preset" deletes the chosen one after asking.

use leptos::prelude::*;
use leptos::task::spawn_local;
use orgdesk_core::api::import::{CreateImportPresetRequest, ImportField, ImportPreset, PresetColumn};

use super::model::fields_of;
use super::Wizard;
use crate::api;
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::dialog::Dialog;
use crate::components::error_notice::ErrorNotice;
use crate::components::text_field::TextField;

/// The id of the "Use preset" dropdown.
const PRESET_SELECT: &str = "import-preset";

#[component]
pub fn Presets(wizard: Wizard, headers: Vec<String>) -> impl IntoView {
    let presets = RwSignal::new(Vec::<ImportPreset>::new());
    let chosen = RwSignal::new(String::new());
    let notice = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let load = move || {
        spawn_local(async move {
            match api::import::presets().await {
                Ok(list) => presets.set(list),
                Err(e) => error.set(Some(e.message())),
            }
        })
    };
    load();
    let headers = StoredValue::new(headers);
    let apply = move |id: String| {
        chosen.set(id.clone());
        notice.set(None);
        let Some(preset) = presets.with_untracked(|list| list.iter().find(|p| p.id.to_string() == id).cloned()) else {
            return;
        };
        let columns = headers.with_value(|h| h.len());
        let mapping = headers.with_value(|h| preset.mapping_for(h));
        wizard.fields.set(fields_of(&mapping, columns));
        wizard.existing.set(preset.existing);
        wizard.create_organizations.set(preset.create_organizations);
        let matched = mapping.iter().filter(|m| m.field != ImportField::Ignore).count();
        notice.set(Some(format!("Applied {}: {matched} of {columns} columns mapped.", preset.name)));
    };
    // "Delete preset" asks first; the dialog holds the preset it would delete.
    let deleting = RwSignal::new(None::<ImportPreset>);
    let delete_busy = RwSignal::new(false);
    let delete_error = RwSignal::new(None::<String>);
    let ask_delete = move |_| {
        delete_error.set(None);
        deleting.set(
            presets.with_untracked(|list| list.iter().find(|p| p.id.to_string() == chosen.get_untracked()).cloned()),
        );
    };
    let confirm_delete = move |_| {
        let Some(preset) = deleting.get_untracked() else { return };
        delete_busy.set(true);
        spawn_local(async move {
            let result = api::import::delete_preset(preset.id).await;
            delete_busy.set(false);
            match result {
                Ok(()) => {
                    deleting.set(None);
                    chosen.set(String::new());
                    notice.set(Some(format!("Deleted the preset {}.", preset.name)));
                    load();
                    // "Delete preset" went with the choice: the focus goes back to the list of presets.
                    super::focus_soon(PRESET_SELECT);
                }
                Err(e) => delete_error.set(Some(e.message())),
            }
        });
    };
    view! {
        <div class="import__presets">
            <div class="field import__preset-field">
                <label class="field__label" for=PRESET_SELECT>"Use preset"</label>
                <select id=PRESET_SELECT class="field__input" on:change=move |ev| apply(event_target_value(&ev))>
                    <option value="" selected=move || chosen.get().is_empty()>
                        {move || if presets.with(Vec::is_empty) { "No presets yet" } else { "Choose a preset" }}
                    </option>
                    {move || presets.get().into_iter().map(|p| {
                        let value = p.id.to_string();
                        let selected = value == chosen.get();
                        view! { <option value=value selected=selected>{p.name}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="form__actions import__preset-actions">
                <button type="button" class="button" on:click=move |_| saving.set(true)>"Save mapping as preset…"</button>
                <Show when=move || !chosen.get().is_empty()>
                    <button type="button" class="button button--danger" on:click=ask_delete>"Delete preset"</button>
                </Show>
            </div>
        </div>
        {move || notice.get().map(|n| view! { <p class="notice" role="status">{n}</p> })}
        <ErrorNotice message=error />
        {move || deleting.get().map(|p| view! {
            <ConfirmDialog id="delete-preset" title=format!("Delete the preset {}?", p.name)
                message=format!(
                    "The preset {} is deleted for every agent. Its mapping can no longer be chosen; imports made with it stay as they are.",
                    p.name,
                )
                confirm_label="Delete" on_confirm=confirm_delete on_close=move || deleting.set(None)
                busy=delete_busy error=delete_error />
        })}
        {move || saving.get().then(|| view! {
            <SavePresetDialog
                wizard=wizard
                headers=headers.get_value()
                on_close=move || saving.set(false)
                on_saved=move |p: ImportPreset| {
                    saving.set(false);
                    notice.set(Some(format!("Saved the preset {}.", p.name)));
                    chosen.set(p.id.to_string());
                    presets.update(|list| {
                        list.push(p);
                        list.sort_by_key(|p| p.name.to_lowercase());
                    });
                }
            />
        })}
    }
}

#[component]
fn SavePresetDialog(
    wizard: Wizard,
    headers: Vec<String>,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_saved: Callback<ImportPreset>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let name_error = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        name_error.set(None);
        error.set(None);
        let n = name.get_untracked().trim().to_string();
        if n.is_empty() {
            name_error.set(Some("Enter a name.".into()));
            return;
        }
        let columns = wizard
            .fields
            .get_untracked()
            .into_iter()
            .enumerate()
            .filter(|(_, f)| *f != ImportField::Ignore)
            .filter_map(|(i, field)| headers.get(i).map(|h| PresetColumn { header: h.clone(), field }))
            .collect();
        let req = CreateImportPresetRequest {
            name: n,
            columns,
            existing: wizard.existing.get_untracked(),
            create_organizations: wizard.create_organizations.get_untracked(),
        };
        busy.set(true);
        spawn_local(async move {
            let result = api::import::create_preset(&req).await;
            busy.set(false);
            match result {
                Ok(p) => on_saved.run(p),
                Err(e) => match e.field("name") {
                    Some(m) => name_error.set(Some(m)),
                    None => error.set(Some(e.message())),
                },
            }
        });
    };
    view! {
        <Dialog id="save-preset" title="Save mapping as preset".to_string() on_close=on_close>
            <form class="form" on:submit=save novalidate=true>
                <p class="hint">"The preset maps columns by their header names, so it fits other files with the same headers. It keeps the choice for existing customers and for unknown organizations."</p>
                <TextField id="import-preset-name" label="Preset name" value=name error=name_error />
                <ErrorNotice message=error />
                <div class="form__actions">
                    <button type="submit" class="button button--primary" disabled=move || busy.get()>"Save preset"</button>
                    <button type="button" class="button" on:click=move |_| on_close.run(())>"Cancel"</button>
                </div>
            </form>
        </Dialog>
    }
}
