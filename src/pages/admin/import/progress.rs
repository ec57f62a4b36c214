//! Step 4: the import runs on the server in one transaction; the page polls the
//! batch for the progress bar, then shows what was done (or that nothing was
//! written, when it failed) with the imported customers and a link to the Customers app.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use orgdesk_core::api::import::BatchStatus;

use super::imported::ImportedCustomers;
use super::model::{counts_text, percent, progress, thousands};
use super::{Step, Wizard};
use crate::api::{self, ApiError};
use crate::components::error_notice::ErrorNotice;

/// How often a running import is read again.
const POLL_EVERY: Duration = Duration::from_millis(400);

/// Reads batch `id` into the wizard until it is no longer running (or the page is gone).
pub fn follow(wizard: Wizard, id: i64) {
    spawn_local(async move {
        match api::import::batch(id).await {
            Ok(batch) => {
                let running = progress(&batch.status).is_some();
                if wizard.batch.try_set(Some(batch)).is_some() {
                    return; // The page was left.
                }
                if running {
                    set_timeout(move || follow(wizard, id), POLL_EVERY);
                } else {
                    wizard.history_version.update(|v| *v += 1);
                }
            }
            // Unreachable: try again, a hiccup must not leave the bar hanging.
            Err(ApiError::Unreachable) => {
                if !wizard.batch.is_disposed() {
                    set_timeout(move || follow(wizard, id), POLL_EVERY * 5);
                }
            }
            // No such import (an old address): back to step 1, saying so.
            Err(e) => {
                if wizard.batch.is_disposed() {
                    return;
                }
                super::remember_in_url("");
                wizard.file_error.set(Some(format!("That import cannot be shown: {}", e.message())));
                wizard.go(Step::Choose);
            }
        }
    });
}

#[component]
pub fn ImportStep(wizard: Wizard) -> impl IntoView {
    view! {
        {move || match wizard.batch.get() {
            None => view! { <ProgressBar done=0 total=0 /> }.into_any(),
            Some(batch) => match batch.status {
                BatchStatus::Running { done, total } => view! { <ProgressBar done=done total=total /> }.into_any(),
                BatchStatus::Done | BatchStatus::Undone => view! {
                    <div class="notice import__summary" role="status">
                        <p class="import__summary-title">{format!("Imported {}.", batch.file_name)}</p>
                        <p>{counts_text(&batch.counts)}</p>
                    </div>
                    <div class="form__actions">
                        <A href="/customers" attr:class="button button--primary">"Open the Customers app"</A>
                        <button type="button" class="button" on:click=move |_| wizard.restart()>"Import another file"</button>
                    </div>
                    <p class="hint import__after">"Changed your mind? Undo it from the history below."</p>
                    <ImportedCustomers batch_id=batch.id />
                }.into_any(),
                BatchStatus::Failed { reason } => view! {
                    <ErrorNotice message=format!("The import failed and nothing was written: {reason}") />
                    <div class="form__actions">
                        <button type="button" class="button" on:click=move |_| wizard.go(Step::Review)>"Back to the dry run"</button>
                        <button type="button" class="button" on:click=move |_| wizard.restart()>"Start again"</button>
                    </div>
                }.into_any(),
            },
        }}
    }
}

/// The server's progress as a bar a screen reader can read.
#[component]
fn ProgressBar(done: i64, total: i64) -> impl IntoView {
    let p = percent(done, total);
    let text = if total > 0 {
        format!("Importing… {} of {} rows", thousands(done), thousands(total))
    } else {
        "Starting the import…".to_string()
    };
    view! {
        <div class="import__progress">
            <div class="import__bar" role="progressbar" aria-label="Import progress"
                aria-valuemin="0" aria-valuemax="100" aria-valuenow=p.to_string() aria-valuetext=text.clone()>
                <div class="import__bar-fill" style:width=format!("{p}%")></div>
            </div>
            <p class="hint" aria-live="polite">{text}</p>
        </div>
    }
}
