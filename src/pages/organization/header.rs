//! The panel's head: the organization's name (edited in place) and created date,
//! and the summary (edited in place, in the Overview tab).

use leptos::ev;
use leptos::prelude::*;
use orgdesk_core::api::organization::{UpdateDetailRequest, MAX_SUMMARY};
use orgdesk_core::customer::parse_organization_name;

use super::editor::{at_field, Editor};
use super::OrgPanel;
use crate::api;
use crate::components::timestamp::{local_date, local_time};

/// An editor of the organization's own fields, closed when the agent reloads after a conflict.
fn detail_editor(panel: OrgPanel) -> Editor {
    Editor::new(panel).closing_on_reload()
}

/// Saves one of the organization's own fields; a failure shows next to `field`.
fn save_detail(editor: Editor, req: UpdateDetailRequest, field: &'static str) {
    let panel = editor.panel;
    editor.save(async move { api::organizations::update_detail(panel.id, &req).await }, at_field(field), || {});
}

#[component]
pub fn NameHeader(panel: OrgPanel) -> impl IntoView {
    let editor = detail_editor(panel);
    let Editor { error, busy, .. } = editor;
    let draft = RwSignal::new(String::new());
    let editing = move || editor.is_editing(&());
    let name = move || panel.detail.with(|d| d.as_ref().map(|d| d.name.clone()).unwrap_or_default());
    let created = move || panel.detail.with(|d| d.as_ref().map(|d| local_date(&d.created_at)).unwrap_or_default());
    let created_title =
        move || panel.detail.with(|d| d.as_ref().map(|d| local_time(&d.created_at)).unwrap_or_default());

    let start = move |_| {
        draft.set(name());
        editor.open(());
    };
    let cancel = move || editor.close();
    let save = move || {
        let value = match parse_organization_name(&draft.get_untracked()) {
            Ok(v) => v,
            Err(e) => {
                error.set(Some(e));
                return;
            }
        };
        save_detail(
            editor,
            UpdateDetailRequest { version: panel.version(), name: Some(value), ..Default::default() },
            "name",
        );
    };

    view! {
        <div class="org-head">
            {move || if editing() {
                view! {
                    <form class="org-head__edit" novalidate=true on:submit=move |e: ev::SubmitEvent| { e.prevent_default(); save(); }>
                        <div class="field" class:field--invalid=move || error.with(Option::is_some)>
                            <label class="field__label" for="org-name">"Organization name"</label>
                            <input class="field__input" id="org-name" type="text" autocomplete="off"
                                prop:value=move || draft.get()
                                on:input=move |e| draft.set(event_target_value(&e))
                                on:keydown=move |e: ev::KeyboardEvent| {
                                    if e.key() == "Escape" {
                                        // Escape leaves the field, not the panel.
                                        e.stop_propagation();
                                        cancel();
                                    }
                                }
                                aria-invalid=move || if error.with(Option::is_some) { "true" } else { "false" }
                                aria-describedby=move || error.with(Option::is_some).then_some("org-name-error")
                            />
                            {move || error.get().map(|m| view! { <p class="field__error" id="org-name-error">{m}</p> })}
                        </div>
                        <div class="form__actions">
                            <button type="submit" class="button button--small button--primary" aria-label="Save name"
                                disabled=move || busy.get()>
                                "Save"
                            </button>
                            <button type="button" class="button button--small" aria-label="Cancel name"
                                on:click=move |_| cancel()>
                                "Cancel"
                            </button>
                        </div>
                    </form>
                }.into_any()
            } else {
                view! {
                    <div class="org-head__title">
                        <h2 class="panel__title org-head__name" data-testid="org-name">{name}</h2>
                        <button type="button" class="button button--small button--ghost" aria-label="Edit name" on:click=start>
                            "Edit"
                        </button>
                    </div>
                }.into_any()
            }}
            <p class="org-head__meta">
                <span data-testid="org-created" title=created_title>"Created "{created}</span>
            </p>
        </div>
    }
}

#[component]
pub fn SummarySection(panel: OrgPanel) -> impl IntoView {
    let editor = detail_editor(panel);
    let Editor { error, busy, .. } = editor;
    let draft = RwSignal::new(String::new());
    let editing = move || editor.is_editing(&());
    let summary = move || panel.detail.with(|d| d.as_ref().map(|d| d.summary.clone()).unwrap_or_default());

    let save = move |_| {
        let value = draft.get_untracked().trim().to_string();
        if value.chars().count() > MAX_SUMMARY {
            error.set(Some(format!("A summary has at most {MAX_SUMMARY} characters.")));
            return;
        }
        save_detail(
            editor,
            UpdateDetailRequest { version: panel.version(), summary: Some(value), ..Default::default() },
            "summary",
        );
    };

    view! {
        <section class="panel__section org-section" data-section="summary" aria-labelledby="org-summary-title">
            <div class="panel__section-head">
                <h3 class="panel__heading" id="org-summary-title">"Summary"</h3>
                <Show when=move || !editing()>
                    <button type="button" class="button button--small button--ghost" aria-label="Edit summary"
                        on:click=move |_| {
                            draft.set(summary());
                            editor.open(());
                        }>
                        "Edit"
                    </button>
                </Show>
            </div>
            {move || if editing() {
                view! {
                    <div class="field" class:field--invalid=move || error.with(Option::is_some)>
                        <label class="field__label visually-hidden" for="org-summary">"Summary"</label>
                        <textarea class="field__input field__input--multiline" id="org-summary" rows="5"
                            placeholder="What this organization is, what matters when helping it"
                            prop:value=move || draft.get()
                            on:input=move |e| draft.set(event_target_value(&e))
                            aria-invalid=move || if error.with(Option::is_some) { "true" } else { "false" }
                            aria-describedby=move || error.with(Option::is_some).then_some("org-summary-error")
                        ></textarea>
                        {move || error.get().map(|m| view! { <p class="field__error" id="org-summary-error">{m}</p> })}
                    </div>
                    <div class="form__actions">
                        <button type="button" class="button button--small button--primary" aria-label="Save summary"
                            disabled=move || busy.get() on:click=save>
                            "Save"
                        </button>
                        <button type="button" class="button button--small" aria-label="Cancel summary"
                            on:click=move |_| editor.close()>
                            "Cancel"
                        </button>
                    </div>
                }.into_any()
            } else {
                let text = summary();
                if text.is_empty() {
                    view! { <p class="hint org-summary org-summary--empty">"No summary yet."</p> }.into_any()
                } else {
                    view! { <p class="org-summary" data-testid="org-summary">{text}</p> }.into_any()
                }
            }}
        </section>
    }
}
