//! The panel's notes section: notes for colleagues, newest first, with
//! author and time; the author (or an admin) may delete one.

use leptos::prelude::*;
use leptos::task::spawn_local;
use orgdesk_core::api::organization::{Note, MAX_NOTE};

use super::OrgPanel;
use crate::api;
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::error_notice::ErrorNotice;
use crate::components::text_area::TextArea;
use crate::components::timestamp::{local_time, Timestamp};
use crate::state::use_session;

/// Notes fetched at a time.
const PAGE: usize = 20;

/// A note's body as the server takes it, or why not.
pub fn check_note(body: &str) -> Result<String, String> {
    let s = body.trim();
    if s.is_empty() {
        Err("Write the note first.".into())
    } else if s.chars().count() > MAX_NOTE {
        Err(format!("A note has at most {} characters.", MAX_NOTE))
    } else {
        Ok(s.to_string())
    }
}

#[component]
pub fn NotesSection(panel: OrgPanel) -> impl IntoView {
    let session = use_session();
    let notes = RwSignal::new(Vec::<Note>::new());
    let total = RwSignal::new(0i64);
    let loading = RwSignal::new(true);
    let load_error = RwSignal::new(None::<String>);
    let body = RwSignal::new(String::new());
    let body_error = RwSignal::new(None::<String>);
    let adding = RwSignal::new(false);
    let deleting = RwSignal::new(None::<Note>);
    let delete_busy = RwSignal::new(false);
    let delete_error = RwSignal::new(None::<String>);

    let load = move |offset: usize| {
        loading.set(true);
        spawn_local(async move {
            let result = api::organizations::organization_notes(panel.id, offset, PAGE).await;
            loading.set(false);
            match result {
                Ok(page) => {
                    load_error.set(None);
                    total.set(page.total);
                    notes.update(|n| {
                        if offset == 0 {
                            n.clear();
                        }
                        for note in page.items {
                            if !n.iter().any(|x| x.id == note.id) {
                                n.push(note);
                            }
                        }
                    });
                }
                Err(e) => load_error.set(Some(e.message())),
            }
        });
    };
    load(0);

    // Long notes are refused while typing, empty ones only on Add.
    Effect::new(move |_| {
        let b = body.get();
        if b.chars().count() > MAX_NOTE {
            body_error.set(check_note(&b).err());
        } else if body_error.get_untracked().is_some() && !b.trim().is_empty() {
            body_error.set(None);
        }
    });

    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = match check_note(&body.get_untracked()) {
            Ok(t) => t,
            Err(e) => {
                body_error.set(Some(e));
                return;
            }
        };
        adding.set(true);
        spawn_local(async move {
            let result = api::organizations::add_note(panel.id, text).await;
            adding.set(false);
            match result {
                Ok(note) => {
                    body.set(String::new());
                    body_error.set(None);
                    notes.update(|n| n.insert(0, note));
                    total.update(|t| *t += 1);
                    panel.changed.update(|n| *n += 1);
                }
                Err(e) => body_error.set(Some(e.field_or_message("body"))),
            }
        });
    };

    let confirm_delete = move |()| {
        let Some(note) = deleting.get_untracked() else { return };
        delete_busy.set(true);
        delete_error.set(None);
        spawn_local(async move {
            let result = api::organizations::delete_note(panel.id, note.id).await;
            delete_busy.set(false);
            match result {
                Ok(()) => {
                    deleting.set(None);
                    notes.update(|n| n.retain(|x| x.id != note.id));
                    total.update(|t| *t = (*t - 1).max(0));
                    panel.changed.update(|n| *n += 1);
                }
                Err(e) => delete_error.set(Some(e.message())),
            }
        });
    };

    let may_delete = move |note: &Note| {
        let me = session.session().map(|s| s.agent.id);
        session.is_admin() || (note.author_id.is_some() && note.author_id == me)
    };

    view! {
        <section class="org-section panel__section" data-section="notes" aria-labelledby="org-notes-title">
            <h2 class="panel__heading" id="org-notes-title">"Notes"</h2>
            <form class="form note-form" novalidate=true on:submit=add>
                <TextArea id="org-note-body" label="New note" value=body error=Signal::derive(move || body_error.get()) rows=3
                    placeholder="Anything colleagues should know about this organization" />
                <button type="submit" class="button button--primary button--small" disabled=move || adding.get()>
                    "Add note"
                </button>
            </form>
            <ErrorNotice message=load_error />
            <ul class="timeline org-notes" aria-label="Notes">
                <For each=move || notes.get() key=|n| n.id let:note>
                    {
                        let deletable = may_delete(&note);
                        let delete_label = format!("Delete the note of {} by {}", local_time(&note.created_at), note.author_name);
                        let for_delete = note.clone();
                        view! {
                            <li class="message message--note">
                                <div class="message__header">
                                    <span class="message__author">{note.author_name.clone()}</span>
                                    <span class="message__time"><Timestamp at=note.created_at.clone() /></span>
                                    {deletable.then(|| view! {
                                        <button type="button" class="button button--ghost button--small" aria-label=delete_label
                                            on:click=move |_| { delete_error.set(None); deleting.set(Some(for_delete.clone())); }>
                                            "Delete"
                                        </button>
                                    })}
                                </div>
                                <p class="message__body">{note.body.clone()}</p>
                            </li>
                        }
                    }
                </For>
            </ul>
            {move || (!loading.get() && total.get() == 0 && load_error.get().is_none())
                .then(|| view! { <p class="hint">"No notes yet."</p> })}
            {move || {
                let shown = notes.with(Vec::len) as i64;
                (shown < total.get()).then(|| view! {
                    <button type="button" class="button button--small" disabled=move || loading.get()
                        on:click=move |_| load(notes.with_untracked(Vec::len))>
                        {format!("Show more notes ({} more)", total.get_untracked() - shown)}
                    </button>
                })
            }}
            {move || deleting.get().map(|note| view! {
                <ConfirmDialog
                    id="confirm-delete-note"
                    title="Delete this note?"
                    message=format!("The note by {} of {} is deleted for everyone.", note.author_name, local_time(&note.created_at))
                    confirm_label="Delete note"
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
    fn notes_need_text_within_the_limit() {
        assert_eq!(check_note("  hi "), Ok("hi".into()));
        assert!(check_note("   ").is_err());
        assert!(check_note(&"x".repeat(MAX_NOTE + 1)).is_err());
    }
}
