//! An item's attached files, for agents (the item panel) and for customers (the
//! portal's item page): the list with download links, and an upload with progress.
//! A file over the limit is refused before anything is sent.

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use orgdesk_core::api::organization::{FileInfo, MAX_FILE_BYTES};

use crate::api;
use crate::components::error_notice::ErrorNotice;
use crate::components::timestamp::Timestamp;
use crate::pages::organization::files::{human_size, too_large};

const INPUT_ID: &str = "item-file-input";

/// `portal`: through the customer's portal API (else the agents'). `can_upload`:
/// offer the upload (customers who may only read the item get none). `nested`: the
/// heading is an `h3` (inside a panel whose sections use them).
#[component]
pub fn ItemFiles(
    item_id: i64,
    portal: bool,
    #[prop(into)] can_upload: Signal<bool>,
    #[prop(optional)] nested: bool,
) -> impl IntoView {
    let files = RwSignal::new(None::<Vec<FileInfo>>);
    let load_error = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);
    let progress = RwSignal::new(None::<(String, f64)>);
    let input = NodeRef::<html::Input>::new();

    spawn_local(async move {
        let result =
            if portal { api::portal_items::item_files(item_id).await } else { api::files::item_files(item_id).await };
        match result {
            Ok(list) => files.set(Some(list)),
            Err(e) => load_error.set(Some(e.message())),
        }
    });
    let url = move |id: i64| if portal { api::portal_items::file_url(id) } else { api::files::item_file_url(id) };
    let clear_input = move || {
        if let Some(el) = input.try_get_untracked().flatten() {
            el.set_value("");
        }
    };
    let on_change = move |_| {
        notice.set(None);
        error.set(None);
        let Some(file) = input.get_untracked().and_then(|el| el.files()).and_then(|list| list.get(0)) else {
            return;
        };
        if let Some(message) = too_large(file.size()) {
            error.set(Some(message));
            clear_input();
            return;
        }
        let name = file.name();
        progress.set(Some((name.clone(), 0.0)));
        spawn_local(async move {
            let shown = name.clone();
            let on_progress = move |p| progress.set(Some((shown.clone(), p)));
            let result = if portal {
                api::portal_items::upload_file(item_id, file, on_progress).await
            } else {
                api::files::upload_to(&format!("/api/items/{item_id}/files"), file, on_progress).await
            };
            progress.set(None);
            clear_input();
            match result {
                Ok(info) => {
                    notice.set(Some(format!("Attached {}.", info.name)));
                    files.update(|f| f.get_or_insert_with(Vec::new).insert(0, info));
                }
                Err(e) => error.set(Some(e.field_or_message("file"))),
            }
        });
    };
    let error_id = format!("{INPUT_ID}-error");
    view! {
        <section class="panel__section item-files" aria-labelledby="item-files-title">
            {if nested {
                view! { <h3 class="panel__heading" id="item-files-title">"Files"</h3> }.into_any()
            } else {
                view! { <h2 class="panel__heading" id="item-files-title">"Files"</h2> }.into_any()
            }}
            <ErrorNotice message=load_error />
            {move || match files.get() {
                None => view! { <p class="hint">"Loading files…"</p> }.into_any(),
                Some(list) if list.is_empty() => view! { <p class="hint">"No files yet."</p> }.into_any(),
                Some(list) => view! {
                    <ul class="item-files__list" aria-label="Files">
                        {list.into_iter().map(|f| view! {
                            <li class="item-files__file" data-file-id=f.id.to_string()>
                                <a href=url(f.id) download=f.name.clone()>{f.name.clone()}</a>
                                <span class="hint">
                                    {format!("{} · {} · ", human_size(f.size), f.uploaded_by)}
                                    <Timestamp at=f.created_at.clone() />
                                </span>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
            <Show when=move || can_upload.get()>
                <div class="field item-files__upload" class:field--invalid=move || error.get().is_some()>
                    <label class="field__label" for=INPUT_ID>"Attach a file"</label>
                    <input type="file" id=INPUT_ID class="field__input" node_ref=input on:change=on_change
                        disabled=move || progress.get().is_some()
                        aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                        aria-describedby={
                            let error_id = error_id.clone();
                            move || error.get().map(|_| error_id.clone())
                        }
                    />
                    <p class="hint">{format!("At most {} MB per file.", MAX_FILE_BYTES / (1024 * 1024))}</p>
                    {move || error.get().map(|e| view! { <p class="field__error" id=format!("{INPUT_ID}-error")>{e}</p> })}
                </div>
            </Show>
            {move || progress.get().map(|(name, p)| {
                let percent = (p * 100.0).round() as u32;
                view! {
                    <div class="org-files__progress" role="status">
                        <progress aria-label="Upload progress" max="100" value=percent.to_string()></progress>
                        <span>{format!("Uploading {name}… {percent}%")}</span>
                    </div>
                }
            })}
            {move || notice.get().map(|n| view! { <p class="notice" role="status">{n}</p> })}
        </section>
    }
}
