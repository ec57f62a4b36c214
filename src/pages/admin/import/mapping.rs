//! Step 2: the first rows of the file in a table, a field dropdown above each
//! column (labelled by the column's header), the presets, and the options; then
//! the dry run. Nothing is written here.

use leptos::prelude::*;
use leptos::task::spawn_local;
use orgdesk_core::api::import::{ExistingMode, ImportUpload, PREVIEW_ROWS};

use super::model::{self, column_name, field_options, field_value, parse_field};
use super::presets::Presets;
use super::{Step, Wizard};
use crate::api::{self, ApiError};
use crate::components::error_notice::ErrorNotice;
use crate::pages::organization::files::human_size;

#[component]
pub fn MapStep(wizard: Wizard) -> impl IntoView {
    let Some(upload) = wizard.upload.get_untracked() else {
        return view! { <ErrorNotice message="Choose a file first." /> }.into_any();
    };
    let error = RwSignal::new(None::<String>);
    let mapping_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let upload_id = upload.id;
    let headers = upload.headers.clone();

    let run = move |_| {
        error.set(None);
        mapping_error.set(None);
        let fields = wizard.fields.get_untracked();
        if let Some(problem) = model::mapping_problem(&fields) {
            mapping_error.set(Some(problem.to_string()));
            return;
        }
        let options = wizard.options();
        busy.set(true);
        spawn_local(async move {
            let result = api::import::dry_run(upload_id, &options).await;
            busy.set(false);
            match result {
                Ok(report) => {
                    wizard.report.set(Some((options, report)));
                    wizard.go(Step::Review);
                }
                Err(e @ ApiError::Server(_)) if e.field("mapping").is_some() => mapping_error.set(e.field("mapping")),
                Err(e) => error.set(Some(e.message())),
            }
        });
    };

    let summary = model::upload_summary(&upload, &human_size(upload.size));
    view! {
        <p class="import__file">
            <strong>{upload.file_name.clone()}</strong>
            <span class="hint">{format!(" — {summary}")}</span>
        </p>
        <Presets wizard=wizard headers=headers.clone() />
        <h3 class="import__subtitle" id="import-mapping-title">"Columns"</h3>
        <p class="hint" id="import-mapping-hint">
            {format!(
                "The first {} rows of the file. Choose what each column holds; the guesses come from the headers. Ignored columns are listed in the dry run.",
                upload.preview.len().min(PREVIEW_ROWS)
            )}
        </p>
        <ErrorNotice message=mapping_error />
        <PreviewTable wizard=wizard upload=upload />
        <fieldset class="import__options">
            <legend class="field__label">"Customers who exist already (same email, in any letter case)"</legend>
            {ExistingMode::ALL.into_iter().map(|mode| {
                let id = format!("import-existing-{}", field_id(mode));
                view! {
                    <div class="checkbox-field import__radio">
                        <input type="radio" name="import-existing" id=id.clone() aria-describedby=format!("{id}-hint")
                            prop:checked=move || wizard.existing.get() == mode
                            on:change=move |_| wizard.existing.set(mode) />
                        <label for=id.clone()>{mode.label()}</label>
                        <span class="hint import__radio-hint" id=format!("{id}-hint")>{existing_hint(mode)}</span>
                    </div>
                }
            }).collect_view()}
        </fieldset>
        <div class="checkbox-field">
            <input type="checkbox" id="import-create-organizations" aria-describedby="import-create-organizations-hint"
                prop:checked=move || wizard.create_organizations.get()
                on:change=move |ev| wizard.create_organizations.set(event_target_checked(&ev)) />
            <label for="import-create-organizations">"Create unknown organizations"</label>
        </div>
        <p class="hint" id="import-create-organizations-hint">
            "Off: a row naming an organization that does not exist is rejected. Domain association still follows the Customers settings."
        </p>
        <div class="checkbox-field">
            <input type="checkbox" id="import-send-invitations" aria-describedby="import-send-invitations-hint"
                prop:checked=move || wizard.send_invitations.get()
                on:change=move |ev| wizard.send_invitations.set(event_target_checked(&ev)) />
            <label for="import-send-invitations">"Send invitations"</label>
        </div>
        <p class="hint" id="import-send-invitations-hint">"New customers get a portal invitation by email. Off: the import sends no email."</p>
        <ErrorNotice message=error />
        <div class="form__actions">
            <button type="button" class="button" on:click=move |_| wizard.go(Step::Choose)>"Back"</button>
            <button type="button" class="button button--primary" disabled=move || busy.get() on:click=run>
                {move || if busy.get() { "Running the dry run…" } else { "Run the dry run" }}
            </button>
        </div>
    }
    .into_any()
}

fn field_id(mode: ExistingMode) -> &'static str {
    match mode {
        ExistingMode::Skip => "skip",
        ExistingMode::FillEmpty => "fill-empty",
        ExistingMode::Overwrite => "overwrite",
    }
}

fn existing_hint(mode: ExistingMode) -> &'static str {
    match mode {
        ExistingMode::Skip => "Leave them as they are.",
        ExistingMode::FillEmpty => "Set only the mapped fields that are empty now.",
        ExistingMode::Overwrite => "Set every mapped field the file has a value for; empty cells change nothing.",
    }
}

/// The preview rows under one dropdown per column. Scrolls sideways when the file
/// is wider than the screen; each dropdown is labelled by its column's header.
#[component]
fn PreviewTable(wizard: Wizard, upload: ImportUpload) -> impl IntoView {
    let headers = upload.headers.clone();
    let options = Signal::derive(move || field_options(&wizard.properties.get()));
    let duplicates = {
        let headers = headers.clone();
        Memo::new(move |_| model::duplicate_columns(&wizard.fields.get(), &headers))
    };
    let columns = headers.len();
    view! {
        <div class="table-scroll import__preview" role="group" aria-labelledby="import-mapping-title" aria-describedby="import-mapping-hint">
            <table class="table import__table">
                <thead>
                    <tr>
                        {headers.iter().enumerate().map(|(column, header)| {
                            let id = format!("import-column-{column}");
                            let error_id = format!("{id}-error");
                            let name = column_name(header, column);
                            let duplicate = move || duplicates.with(|d| d.iter().find(|(c, _)| *c == column).map(|(_, m)| m.clone()));
                            let described = error_id.clone();
                            view! {
                                <th scope="col" class="import__column" class:field--invalid=move || duplicate().is_some()>
                                    <label class="import__header" for=id.clone()>{name}</label>
                                    <select id=id class="field__input import__select"
                                        aria-invalid=move || if duplicate().is_some() { "true" } else { "false" }
                                        aria-describedby=move || duplicate().map(|_| described.clone())
                                        on:change=move |ev| {
                                            let field = parse_field(&event_target_value(&ev));
                                            wizard.fields.update(|f| if let Some(slot) = f.get_mut(column) { *slot = field });
                                        }>
                                        {move || {
                                            let current = wizard.fields.with(|f| f.get(column).copied().map(field_value)).unwrap_or_default();
                                            options.get().into_iter().map(|(value, label)| {
                                                let selected = value == current;
                                                view! { <option value=value selected=selected>{label}</option> }
                                            }).collect_view()
                                        }}
                                    </select>
                                    {move || duplicate().map(|m| view! { <p class="field__error" id=error_id.clone()>{m}</p> })}
                                </th>
                            }
                        }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {upload.preview.into_iter().map(|row| view! {
                        <tr>
                            {(0..columns).map(|c| view! { <td>{row.get(c).cloned().unwrap_or_default()}</td> }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
