//! Administration > Import (`/admin/import`; also "Import" in the Customers app):
//! a wizard that imports customers and organizations from a CSV file, and the
//! import history with Undo.
//!
//! The steps, on one page with a stepper ([`Step`]): choose the file
//! ([`choose`]), map its columns and choose the options, read the dry run, then
//! import with a progress bar and a summary.

mod choose;

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::error_notice::ErrorNotice;
use choose::FileChooser;

/// Where the wizard is. Each step's data lives in the page; going back keeps it.
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

#[component]
pub fn ImportPage() -> impl IntoView {
    let step = RwSignal::new(Step::Choose);
    let file_error = RwSignal::new(None::<String>);
    let uploading = RwSignal::new(false);
    let on_file = Callback::new(move |file: web_sys::File| {
        file_error.set(None);
        let _ = file;
        file_error.set(Some("Uploading is not available yet.".into()));
    });
    view! {
        <section class="page import">
            <p class="audit__back"><A href="/admin">"← Administration"</A></p>
            <h1 class="page__title">"Import customers and organizations"</h1>
            <Stepper step=step />
            <h2 class="section__title" id="import-step-title">
                {move || format!("Step {} of {}: {}", step.get().number(), Step::ALL.len(), step.get().label())}
            </h2>
            {move || match step.get() {
                Step::Choose => view! {
                    <FileChooser on_file=on_file error=file_error busy=uploading />
                }.into_any(),
                _ => view! { <ErrorNotice message="This step is not available yet." /> }.into_any(),
            }}
        </section>
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
