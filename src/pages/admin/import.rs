//! Administration > Import (`/admin/import`; also "Import" in the Customers app):
//! a wizard that imports customers and organizations from a CSV file, and the
//! import history with Undo. Any agent may import (the server decides); undo is
//! for the importing agent or an admin.
//!
//! The steps, on one page with a stepper ([`Step`]): choose the file ([`choose`]),
//! map its columns and choose the options ([`mapping`], with [`presets`]), read
//! the dry run ([`report`]), then import with a progress bar and a summary
//! ([`progress`]). Below: the history ([`history`]). The pure parts with their
//! tests are in [`model`].

mod choose;
mod history;
mod imported;
mod mapping;
pub(crate) mod model;
mod presets;
mod progress;
mod report;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use orgdesk_core::api::import::{
    DryRunReport, ExistingMode, ImportBatch, ImportField, ImportOptions, ImportUpload, MAX_IMPORT_BYTES,
};
use orgdesk_core::api::organization::PropertyDefinition;

use crate::api;
use crate::pages::organization::files::human_size;
use crate::state::use_session;
use choose::FileChooser;
use history::ImportHistory;
use mapping::MapStep;
use progress::ImportStep;
use report::ReviewStep;

/// Where the wizard is. Each step's data lives in [`Wizard`]; going back keeps it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Choose,
    Map,
    Review,
    Import,
}

impl Step {
    const ALL: [Step; 4] = [Step::Choose, Step::Map, Step::Review, Step::Import];

    fn label(self) -> &'static str {
        match self {
            Step::Choose => "Choose a file",
            Step::Map => "Map columns",
            Step::Review => "Dry run",
            Step::Import => "Import",
        }
    }

    fn number(self) -> usize {
        Step::ALL.iter().position(|s| *s == self).map_or(1, |i| i + 1)
    }
}

/// What the steps share.
#[derive(Clone, Copy)]
pub struct Wizard {
    pub step: RwSignal<Step>,
    pub upload: RwSignal<Option<ImportUpload>>,
    /// One field per column of the upload.
    pub fields: RwSignal<Vec<ImportField>>,
    pub existing: RwSignal<ExistingMode>,
    pub create_organizations: RwSignal<bool>,
    pub send_invitations: RwSignal<bool>,
    /// The last dry run and the options it ran with (the import sends the same).
    pub report: RwSignal<Option<(ImportOptions, DryRunReport)>>,
    /// The running or finished import.
    pub batch: RwSignal<Option<ImportBatch>>,
    pub properties: RwSignal<Vec<PropertyDefinition>>,
    /// Bumped when the history should be read again.
    pub history_version: RwSignal<u32>,
    /// Why the file was refused (or could not be found again), under the file field.
    pub file_error: RwSignal<Option<String>>,
}

impl Wizard {
    fn new() -> Self {
        Wizard {
            step: RwSignal::new(Step::Choose),
            upload: RwSignal::new(None),
            fields: RwSignal::new(Vec::new()),
            existing: RwSignal::new(ExistingMode::Skip),
            create_organizations: RwSignal::new(false),
            send_invitations: RwSignal::new(false),
            report: RwSignal::new(None),
            batch: RwSignal::new(None),
            properties: RwSignal::new(Vec::new()),
            history_version: RwSignal::new(0),
            file_error: RwSignal::new(None),
        }
    }

    /// The options as chosen now.
    pub fn options(&self) -> ImportOptions {
        model::options(
            &self.fields.get_untracked(),
            self.existing.get_untracked(),
            self.create_organizations.get_untracked(),
            self.send_invitations.get_untracked(),
        )
    }

    /// Moves to `step` and puts the focus on its heading, so a keyboard or screen
    /// reader user starts reading the new step.
    pub fn go(&self, step: Step) {
        self.step.set(step);
        focus_soon(STEP_TITLE_ID);
    }

    /// Back to an empty step 1, for another file.
    pub fn restart(&self) {
        remember_in_url("");
        self.upload.set(None);
        self.fields.set(Vec::new());
        self.existing.set(ExistingMode::Skip);
        self.create_organizations.set(false);
        self.send_invitations.set(false);
        self.report.set(None);
        self.batch.set(None);
        self.go(Step::Choose);
    }
}

const STEP_TITLE_ID: &str = "import-step-title";

/// Keeps the upload or the batch in the address (`?upload=7`, `?batch=3`), so a reload
/// (or a link) comes back to the same file or the same import. The router need not
/// know: the page reads the address only when it opens.
pub fn remember_in_url(query: &str) {
    let url = if query.is_empty() { "/admin/import".to_string() } else { format!("/admin/import?{query}") };
    if let Ok(history) = window().history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// Puts the focus on the element `id` once it is on screen (after this render).
fn focus_soon(id: &'static str) {
    request_animation_frame(move || {
        use wasm_bindgen::JsCast;
        if let Some(el) = document().get_element_by_id(id).and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = el.focus();
        }
    });
}

#[component]
pub fn ImportPage() -> impl IntoView {
    crate::hooks::use_title(|| Some("Import".to_string()));
    let session = use_session();
    let wizard = Wizard::new();
    spawn_local(async move {
        if let Ok(list) = api::properties::property_definitions(api::properties::PropertyOwner::Organization).await {
            wizard.properties.set(list);
        }
    });
    let query = use_query_map();
    let (upload_id, batch_id) = query.with_untracked(|q| {
        (q.get("upload").and_then(|v| v.parse::<i64>().ok()), q.get("batch").and_then(|v| v.parse::<i64>().ok()))
    });
    if let Some(id) = batch_id {
        wizard.step.set(Step::Import);
        progress::follow(wizard, id);
    } else if let Some(id) = upload_id {
        spawn_local(async move {
            match api::import::get_upload(id).await {
                Ok(upload) => {
                    wizard.fields.set(model::guessed_fields(&upload));
                    wizard.upload.set(Some(upload));
                    wizard.go(Step::Map);
                }
                Err(_) => {
                    remember_in_url("");
                    wizard.file_error.set(Some(
                        "That file is no longer on the server (files are kept for 24 hours). Choose it again.".into(),
                    ));
                }
            }
        });
    }
    view! {
        <section class="page import">
            <p class="audit__back">
                {move || if session.is_admin() {
                    view! { <A href="/admin">"← Administration"</A> }.into_any()
                } else {
                    view! { <A href="/customers">"← Customers"</A> }.into_any()
                }}
            </p>
            <h1 class="page__title">"Import customers and organizations"</h1>
            <p class="hint">
                "Nothing is written until you have read the dry run and chosen Import. The import is one transaction: all of it or nothing. It sends no email unless you ask for invitations. Every import can be undone from the history below."
            </p>
            <Stepper step=wizard.step />
            <h2 class="section__title import__step-title" id=STEP_TITLE_ID tabindex="-1">
                {move || {
                    let step = wizard.step.get();
                    format!("Step {} of {}: {}", step.number(), Step::ALL.len(), step.label())
                }}
            </h2>
            {move || match wizard.step.get() {
                Step::Choose => view! { <ChooseStep wizard=wizard /> }.into_any(),
                Step::Map => view! { <MapStep wizard=wizard /> }.into_any(),
                Step::Review => view! { <ReviewStep wizard=wizard /> }.into_any(),
                Step::Import => view! { <ImportStep wizard=wizard /> }.into_any(),
            }}
            <ImportHistory version=wizard.history_version />
        </section>
    }
}

/// Step 1: the file chooser; a chosen file is uploaded at once and read by the
/// server, which answers with its first rows and its guesses for the mapping.
#[component]
fn ChooseStep(wizard: Wizard) -> impl IntoView {
    let error = wizard.file_error;
    let progress = RwSignal::new(None::<(String, f64)>);
    let busy = Signal::derive(move || progress.get().is_some());
    let on_file = Callback::new(move |file: web_sys::File| {
        error.set(None);
        if file.size() > MAX_IMPORT_BYTES as f64 {
            error.set(Some(format!(
                "{} is {}; the limit is {} MB. Split the file and import the parts one after the other.",
                file.name(),
                human_size(file.size() as i64),
                MAX_IMPORT_BYTES / (1024 * 1024)
            )));
            return;
        }
        let name = file.name();
        progress.set(Some((name.clone(), 0.0)));
        spawn_local(async move {
            let shown = name.clone();
            let result = api::import::upload(file, move |p| progress.set(Some((shown.clone(), p)))).await;
            progress.set(None);
            match result {
                Ok(upload) => {
                    remember_in_url(&format!("upload={}", upload.id));
                    wizard.fields.set(model::guessed_fields(&upload));
                    wizard.upload.set(Some(upload));
                    wizard.report.set(None);
                    wizard.go(Step::Map);
                }
                Err(e) => error.set(Some(e.field_or_message("file"))),
            }
        });
    });
    view! {
        <FileChooser on_file=on_file error=error busy=busy />
        {move || progress.get().map(|(name, p)| {
            let percent = (p * 100.0).round() as u32;
            let text = if percent >= 100 { format!("Reading {name}…") } else { format!("Uploading {name}… {percent}%") };
            view! {
                <div class="org-files__progress" role="status">
                    <progress aria-label="Upload progress" max="100" value=percent.to_string()></progress>
                    <span>{text}</span>
                </div>
            }
        })}
        {move || wizard.upload.get().map(|u| view! {
            <p class="hint">
                {format!("{} is still loaded. ", u.file_name)}
                <button type="button" class="button button--small" on:click=move |_| wizard.go(Step::Map)>
                    "Continue with it"
                </button>
            </p>
        })}
    }
}

/// The steps in order, the current one marked with `aria-current="step"`.
#[component]
fn Stepper(step: RwSignal<Step>) -> impl IntoView {
    view! {
        <ol class="import-steps" aria-label="Import steps">
            {Step::ALL
                .into_iter()
                .map(|s| {
                    let current = move || step.get() == s;
                    let done = move || step.get().number() > s.number();
                    view! {
                        <li
                            class="import-steps__step"
                            class:import-steps__step--current=current
                            class:import-steps__step--done=done
                            aria-current=move || current().then_some("step")
                        >
                            <span class="import-steps__number" aria-hidden="true">{s.number()}</span>
                            <span class="import-steps__label">{s.label()}</span>
                            {move || done().then(|| view! { <span class="visually-hidden">" (done)"</span> })}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}
