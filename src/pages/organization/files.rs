//! The panel's files section: attachments of the organization. Upload
//! shows its progress; a file over the limit is refused before anything is sent;
//! names download the file; Delete (for the uploader or an admin) asks first.

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use orgdesk_core::api::organization::{FileInfo, MAX_FILE_BYTES};

use super::OrgPanel;
use crate::api;
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::error_notice::ErrorNotice;
use crate::components::timestamp::Timestamp;
use crate::state::use_session;

const INPUT_ID: &str = "org-file-input";

/// `532 bytes`, `12.4 KB`, `3.1 MB` (1 KB = 1,024 bytes, as the limit is counted).
pub fn human_size(bytes: i64) -> String {
    const KB: f64 = 1024.0;
    let b = bytes.max(0) as f64;
    if bytes == 1 {
        "1 byte".into()
    } else if b < KB {
        format!("{bytes} bytes")
    } else if b < KB * KB {
        format!("{:.1} KB", b / KB)
    } else {
        format!("{:.1} MB", b / (KB * KB))
    }
}

/// The message for a file over the limit, or `None` when it fits.
pub fn too_large(size: f64) -> Option<String> {
    (size > MAX_FILE_BYTES as f64).then(|| {
        format!(
            "The file is larger than {} MB. Choose a smaller file, or share a link to it in a note.",
            MAX_FILE_BYTES / (1024 * 1024)
        )
    })
}

#[component]
pub fn FilesSection(panel: OrgPanel) -> impl IntoView {
    let files = RwSignal::new(None::<Vec<FileInfo>>);
    let load_error = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);
    let progress = RwSignal::new(None::<(String, f64)>);
    let deleting = RwSignal::new(None::<FileInfo>);
    let delete_busy = RwSignal::new(false);
    let delete_error = RwSignal::new(None::<String>);
    let input = NodeRef::<html::Input>::new();
    // As with notes: the uploader or an admin (the server decides too).
    let session = use_session();
    let may_delete = move |file: &FileInfo| {
        let me = session.session().map(|s| s.agent.id);
        session.is_admin() || (file.uploader_id.is_some() && file.uploader_id == me)
    };

    spawn_local(async move {
        match api::files::organization_files(panel.id).await {
            Ok(list) => files.set(Some(list)),
            Err(e) => load_error.set(Some(e.message())),
        }
    });

    let clear_input = move || {
        // The panel may have closed while an upload ran.
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
            let result = api::files::upload_file(panel.id, file, move |p| progress.set(Some((shown.clone(), p)))).await;
            progress.set(None);
            clear_input();
            match result {
                Ok(info) => {
                    notice.set(Some(format!("Attached {}.", info.name)));
                    files.update(|f| f.get_or_insert_with(Vec::new).insert(0, info));
                    panel.changed.update(|n| *n += 1);
                }
                Err(e) => error.set(Some(e.field_or_message("file"))),
            }
        });
    };

    let confirm_delete = move |()| {
        let Some(file) = deleting.get_untracked() else { return };
        delete_busy.set(true);
        delete_error.set(None);
        spawn_local(async move {
            let result = api::files::delete_file(file.id).await;
            delete_busy.set(false);
            match result {
                Ok(()) => {
                    deleting.set(None);
                    notice.set(Some(format!("Deleted {}.", file.name)));
                    files.update(|f| {
                        if let Some(f) = f {
                            f.retain(|x| x.id != file.id);
                        }
                    });
                    panel.changed.update(|n| *n += 1);
                }
                Err(e) => delete_error.set(Some(e.message())),
            }
        });
    };

    let error_id = format!("{INPUT_ID}-error");
    view! {
        <section class="org-section panel__section" data-section="files" aria-labelledby="org-files-title">
            <h2 class="panel__heading" id="org-files-title">"Files"</h2>
            <ErrorNotice message=load_error />
            {move || match files.get() {
                None => view! { <p class="hint">"Loading files…"</p> }.into_any(),
                Some(list) if list.is_empty() => view! { <p class="hint">"No files yet."</p> }.into_any(),
                Some(list) => view! {
                    <table class="table org-files" aria-label="Files">
                        <thead>
                            <tr>
                                <th scope="col">"Name"</th>
                                <th scope="col">"Size"</th>
                                <th scope="col">"Uploaded by"</th>
                                <th scope="col">"Date"</th>
                                <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                            </tr>
                        </thead>
                        <tbody>
                            {list.into_iter().map(|f| {
                                let for_delete = f.clone();
                                let deletable = may_delete(&f);
                                view! {
                                    <tr data-file-id=f.id.to_string()>
                                        <td><a href=api::files::file_url(f.id) download=f.name.clone()>{f.name.clone()}</a></td>
                                        <td class="org-files__size">{human_size(f.size)}</td>
                                        <td>{f.uploaded_by.clone()}</td>
                                        <td><Timestamp at=f.created_at.clone() /></td>
                                        <td class="table__actions">
                                            {deletable.then(|| view! {
                                                <button type="button" class="button button--ghost button--small"
                                                    aria-label=format!("Delete {}", f.name)
                                                    on:click=move |_| { delete_error.set(None); deleting.set(Some(for_delete.clone())); }>
                                                    "Delete"
                                                </button>
                                            })}
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            }}
            <div class="field org-files__upload" class:field--invalid=move || error.get().is_some()>
                <label class="field__label" for=INPUT_ID>"Attach a file"</label>
                <input type="file" id=INPUT_ID class="field__input" node_ref=input on:change=on_change
                    disabled=move || progress.get().is_some()
                    aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                    aria-describedby=move || error.get().map(|_| error_id.clone())
                />
                <p class="hint org-files__limit">{format!("At most {} MB per file.", MAX_FILE_BYTES / (1024 * 1024))}</p>
                {move || error.get().map(|e| view! { <p class="field__error" id=format!("{INPUT_ID}-error")>{e}</p> })}
            </div>
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
            {move || deleting.get().map(|f| view! {
                <ConfirmDialog
                    id="confirm-delete-file"
                    title=format!("Delete {}?", f.name)
                    message="The file is deleted for everyone. This cannot be undone."
                    confirm_label="Delete file"
                    on_confirm=confirm_delete
                    on_close=move |()| deleting.set(None)
                    busy=delete_busy
                    error=delete_error
                />
            })}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_naturally_and_the_limit_is_checked() {
        assert_eq!(human_size(532), "532 bytes");
        assert_eq!(human_size(12_700), "12.4 KB");
        assert_eq!(human_size(3 * 1024 * 1024), "3.0 MB");
        assert!(too_large(MAX_FILE_BYTES as f64).is_none());
        assert!(too_large(MAX_FILE_BYTES as f64 + 1.0).unwrap().starts_with("The file is larger than 10 MB"));
    }
}
