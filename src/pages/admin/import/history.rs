//! Import history: every import, newest first (who, when, file, counts, status),
//! with Undo for the importing agent or an admin. Undo asks first, then says what
//! it removed and restored and names the records it kept because they were edited
//! since the import.

use leptos::prelude::*;
use leptos::task::spawn_local;
use orgdesk_core::api::import::{BatchStatus, ImportBatch, ImportBatchPage, UndoReport};

use super::model::{counts_text, status_text};
use crate::api;
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::error_notice::ErrorNotice;
use crate::components::pager::Pager;
use crate::components::timestamp::Timestamp;
use crate::text::{count_of, newest_first_summary};

const HISTORY_PAGE: usize = 20;
const UNDONE_ID: &str = "import-undone";
/// How often the history is read again while one of its imports runs.
const RUNNING_POLL: std::time::Duration = std::time::Duration::from_secs(1);

#[component]
pub fn ImportHistory(version: RwSignal<u32>) -> impl IntoView {
    let offset = RwSignal::new(0usize);
    let page = LocalResource::new(move || {
        version.get();
        api::import::history(offset.get(), HISTORY_PAGE)
    });
    let undoing = RwSignal::new(None::<ImportBatch>);
    let busy = RwSignal::new(false);
    let undo_error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<(String, UndoReport)>);
    let confirm = move |_| {
        let Some(batch) = undoing.get_untracked() else { return };
        busy.set(true);
        undo_error.set(None);
        spawn_local(async move {
            let result = api::import::undo(batch.id).await;
            busy.set(false);
            match result {
                Ok(report) => {
                    undoing.set(None);
                    done.set(Some((batch.file_name, report)));
                    version.update(|v| *v += 1);
                    // The Undo button is gone with the undone batch: the focus goes to what undo did.
                    super::focus_soon(UNDONE_ID);
                }
                Err(e) => undo_error.set(Some(e.message())),
            }
        });
    };
    view! {
        <section class="import-history" aria-labelledby="import-history-title">
            <h2 class="section__title" id="import-history-title">"Import history"</h2>
            {move || done.get().map(|(file, report)| view! { <UndoDone file=file report=report /> })}
            <Transition fallback=|| view! { <p class="hint">"Loading the history…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(p) => {
                            // An import running (from another tab or agent): read again until it ends.
                            if p.items.iter().any(|b| matches!(b.status, BatchStatus::Running { .. })) {
                                set_timeout(move || { version.try_update(|v| *v += 1); }, RUNNING_POLL);
                            }
                            view! { <HistoryTable page=p offset=offset on_undo=Callback::new(move |b| { undo_error.set(None); undoing.set(Some(b)) }) /> }.into_any()
                        }
                        Err(e) => view! { <ErrorNotice message=e.message() /> }.into_any(),
                    }
                })}
            </Transition>
            {move || undoing.get().map(|b| {
                let message = format!(
                    "Undoing {} removes the customers and organizations it created ({} and {}) and sets back the fields it changed. Records edited since the import are kept and named.",
                    b.file_name,
                    count_of(b.counts.created_customers, "customer", "customers"),
                    count_of(b.counts.created_organizations, "organization", "organizations"),
                );
                view! {
                    <ConfirmDialog id="undo-import" title=format!("Undo the import of {}?", b.file_name) message=message
                        confirm_label="Undo import" on_confirm=confirm on_close=move || undoing.set(None)
                        busy=busy error=undo_error />
                }
            })}
        </section>
    }
}

/// What an undo did, named.
#[component]
fn UndoDone(file: String, report: UndoReport) -> impl IntoView {
    let kept = report.kept_edited.clone();
    view! {
        <div class="notice import__undone" role="status" id=UNDONE_ID tabindex="-1">
            <p>{format!(
                "Undid the import of {file}: removed {} and {}; restored {}.",
                count_of(report.removed_customers, "customer", "customers"),
                count_of(report.removed_organizations, "organization", "organizations"),
                count_of(report.restored, "record", "records"),
            )}</p>
            {(!kept.is_empty()).then(|| view! {
                <p>"Kept because they were edited since the import:"</p>
                <ul class="import__list" aria-label="Kept records">
                    {kept.into_iter().map(|k| view! { <li>{k}</li> }).collect_view()}
                </ul>
            })}
        </div>
    }
}

#[component]
fn HistoryTable(page: ImportBatchPage, offset: RwSignal<usize>, on_undo: Callback<ImportBatch>) -> impl IntoView {
    if page.total == 0 {
        return view! { <p class="empty-state">"No imports yet. Finished imports appear here, with Undo."</p> }
            .into_any();
    }
    let start = offset.get_untracked();
    let shown = page.items.len();
    let total = usize::try_from(page.total).unwrap_or(0);
    view! {
        <p class="hint">{newest_first_summary("Imports", start, shown, total)}</p>
        <table class="table import-history__table" aria-label="Import history">
            <thead>
                <tr>
                    <th scope="col">"When"</th>
                    <th scope="col">"Who"</th>
                    <th scope="col">"File"</th>
                    <th scope="col">"Counts"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>
                {page.items.into_iter().map(|b| {
                    let undo = b.clone();
                    let aria = format!("Undo the import of {}", b.file_name);
                    let undone = matches!(b.status, BatchStatus::Undone);
                    let status = match (&b.status, &b.undone_by) {
                        (BatchStatus::Undone, Some(by)) => format!("Undone by {by}"),
                        (s, _) => status_text(s),
                    };
                    view! {
                        <tr class:table__row--inactive=undone>
                            <td data-label="When" class="table__nowrap"><Timestamp at=b.created_at.clone() /></td>
                            <td data-label="Who">{b.agent.clone()}</td>
                            <td data-label="File" class="import-history__file">{b.file_name.clone()}</td>
                            <td data-label="Counts">{counts_text(&b.counts)}</td>
                            <td data-label="Status">{status}</td>
                            <td data-label="">
                                {b.can_undo.then(|| view! {
                                    <button type="button" class="button button--small" aria-label=aria
                                        on:click=move |_| on_undo.run(undo.clone())>
                                        "Undo"
                                    </button>
                                })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        {(total > HISTORY_PAGE).then(|| view! {
            <Pager label="Import history pages" offset=offset page=HISTORY_PAGE start=start shown=shown total=total />
        })}
    }
    .into_any()
}
