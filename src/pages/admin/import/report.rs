//! Step 3: the dry run's report — what will be created, updated and skipped, the
//! organizations to create, every rejected row (a page at a time), the ignored
//! columns, the unmatched values, and the access the import grants — with
//! "Download rejected rows" and "Import".

use leptos::prelude::*;
use leptos::task::spawn_local;
use orgdesk_core::api::import::{DryRunReport, ImportUpload, RowProblem};

use super::model::{self, column_name, thousands};
use super::{Step, Wizard};
use crate::api;
use crate::components::error_notice::ErrorNotice;
use crate::components::pager::Pager;
use crate::text::{count_of, range_of};

/// How many rejected rows one page of the report lists.
const PROBLEMS_PAGE: usize = 50;

#[component]
pub fn ReviewStep(wizard: Wizard) -> impl IntoView {
    let (Some(upload), Some((options, report))) = (wizard.upload.get_untracked(), wizard.report.get_untracked()) else {
        return view! { <ErrorNotice message="Run the dry run first." /> }.into_any();
    };
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let downloading = RwSignal::new(false);
    let options = StoredValue::new(options);
    let upload_id = upload.id;
    let file_name = StoredValue::new(upload.file_name.clone());

    let start = move |_| {
        error.set(None);
        busy.set(true);
        let options = options.get_value();
        spawn_local(async move {
            let started = api::import::start(upload_id, &options).await;
            busy.set(false);
            match started {
                Ok(s) => {
                    super::remember_in_url(&format!("batch={}", s.batch_id));
                    wizard.batch.set(None);
                    wizard.go(Step::Import);
                    super::progress::follow(wizard, s.batch_id);
                }
                Err(e) => error.set(Some(e.message())),
            }
        });
    };
    let download = move |_| {
        error.set(None);
        downloading.set(true);
        let options = options.get_value();
        spawn_local(async move {
            let result = api::import::download_rejected(upload_id, &options, &file_name.get_value()).await;
            downloading.set(false);
            if let Err(e) = result {
                error.set(Some(e.message()));
            }
        });
    };
    let has_rejected = report.invalid_total > 0;
    let nothing = report.create == 0 && report.update == 0 && report.organizations_to_create == 0;
    view! {
        <p class="import__file"><strong>{upload.file_name.clone()}</strong>
            <span class="hint">{format!(" — {} read. Nothing has been written yet.", model::rows_text(report.rows))}</span>
        </p>
        <p class="import__headline" role="status">{model::report_headline(&report)}</p>
        <dl class="import__counts" aria-label="Dry run counts">
            <div><dt>"Customers to create"</dt><dd>{thousands(report.create)}</dd></div>
            <div><dt>"To update"</dt><dd>{thousands(report.update)}</dd></div>
            <div><dt>"To skip (exist already)"</dt><dd>{thousands(report.skip)}</dd></div>
            <div><dt>"Organizations to create"</dt><dd>{thousands(report.organizations_to_create)}</dd></div>
            <div><dt>"Invalid rows"</dt><dd>{thousands(report.invalid_total)}</dd></div>
        </dl>
        <h3 class="import__subtitle">"Access"</h3>
        <p class="import__access" class:import__access--grants=report.access.sentence().is_some()>{model::access_text(&report)}</p>
        <Unmatched report=report.clone() />
        <Problems report=report.clone() upload=upload />
        <ErrorNotice message=error />
        <div class="form__actions">
            <button type="button" class="button" on:click=move |_| wizard.go(Step::Map)>"Back to mapping"</button>
            {has_rejected.then(|| view! {
                <button type="button" class="button" disabled=move || downloading.get() on:click=download>
                    "Download rejected rows"
                </button>
            })}
            <button type="button" class="button button--primary" disabled=move || busy.get() || nothing on:click=start>
                "Import"
            </button>
        </div>
        {nothing.then(|| view! { <p class="hint">"Nothing to import with this mapping and these options."</p> })}
    }
    .into_any()
}

/// The ignored columns and the values that matched nothing.
#[component]
fn Unmatched(report: DryRunReport) -> impl IntoView {
    view! {
        <h3 class="import__subtitle">"Ignored columns"</h3>
        {if report.ignored_columns.is_empty() {
            view! { <p class="hint">"None: every column is imported."</p> }.into_any()
        } else {
            view! {
                <ul class="import__list" aria-label="Ignored columns">
                    {report.ignored_columns.iter().map(|h| {
                        let name = if h.trim().is_empty() { "(a column without a header)".to_string() } else { h.clone() };
                        view! { <li>{name}</li> }
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
        <h3 class="import__subtitle">"Unmatched values"</h3>
        {if report.unmatched_values.is_empty() {
            view! { <p class="hint">"None."</p> }.into_any()
        } else {
            view! {
                <p class="hint">"These values match nothing in Orgdesk; their rows are imported without them."</p>
                <ul class="import__list" aria-label="Unmatched values">
                    {report.unmatched_values.into_iter().map(|u| view! {
                        <li>
                            <strong>{column_name(&u.header, u.column)}</strong>
                            {format!(" ({}): ", count_of(u.rows, "row", "rows"))}
                            {u.values.join(", ")}
                        </li>
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
    }
}

/// Every rejected row with its line and reason, a page at a time.
#[component]
fn Problems(report: DryRunReport, upload: ImportUpload) -> impl IntoView {
    let offset = RwSignal::new(0usize);
    let total_listed = report.invalid.len();
    let problems = StoredValue::new(report.invalid);
    let headers = StoredValue::new(upload.headers);
    let invalid_total = report.invalid_total;
    view! {
        <h3 class="import__subtitle" id="import-problems-title">"Invalid rows"</h3>
        {if total_listed == 0 {
            view! { <p class="hint">"None: every row can be imported."</p> }.into_any()
        } else {
            view! {
                <p class="hint">
                    {if (total_listed as i64) < invalid_total {
                        format!("{invalid_total} rows are rejected; the first {total_listed} are listed. Download the rejected rows for all of them.")
                    } else {
                        rejected_text(invalid_total)
                    }}
                </p>
                {move || {
                    let start = offset.get();
                    let rows: Vec<RowProblem> = problems.with_value(|p| p.iter().skip(start).take(PROBLEMS_PAGE).cloned().collect());
                    let shown = rows.len();
                    view! {
                        // A scroll box of its own, so the actions stay near; focusable, so the keyboard scrolls it.
                        <div class="table-scroll import__problems-box" tabindex="0" role="region" aria-labelledby="import-problems-title">
                            <table class="table import__problems" aria-labelledby="import-problems-title">
                                <thead><tr><th scope="col">"Line"</th><th scope="col">"Column"</th><th scope="col">"Reason"</th></tr></thead>
                                <tbody>
                                    {rows.into_iter().map(|p| {
                                        let column = p.column.map(|c| headers.with_value(|h| column_name(h.get(c).map(String::as_str).unwrap_or(""), c))).unwrap_or_default();
                                        view! {
                                            <tr>
                                                <td data-label="Line">{p.line}</td>
                                                <td data-label="Column">{column}</td>
                                                <td data-label="Reason">{p.reason}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        {(total_listed > PROBLEMS_PAGE).then(|| view! {
                            <Pager label="Invalid rows pages" offset=offset page=PROBLEMS_PAGE start=start shown=shown total=total_listed>
                                <span class="hint">{range_of("Rows", start, shown, total_listed)}</span>
                            </Pager>
                        })}
                    }
                }}
            }.into_any()
        }}
    }
}

/// "1 row is rejected…" / "3 rows are rejected…".
fn rejected_text(n: i64) -> String {
    if n == 1 {
        "1 row is rejected and will not be imported. Download it to fix it and import it again.".into()
    } else {
        format!("{n} rows are rejected and will not be imported. Download them to fix them and import them again.")
    }
}
