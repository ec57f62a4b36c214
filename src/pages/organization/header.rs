//! The panel's head: the organization's name (edited in place) and created date,
//! and the summary (edited in place, in the Overview tab).

use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;
use orgdesk_core::api::organization::{UpdateDetailRequest, MAX_SUMMARY};
use orgdesk_core::customer::parse_organization_name;

use super::OrgPanel;
use crate::api;
use crate::components::timestamp::long_date;

/// Closes an in-place editor once a conflict is resolved (the agent pressed Reload):
/// the panel then shows the other agent's edit, which the agent can edit again.
pub fn close_on_reload(panel: OrgPanel, editing: RwSignal<bool>) {
    Effect::new(move |previous: Option<bool>| {
        let conflict = panel.conflict.with(Option::is_some);
        if previous == Some(true) && !conflict {
            editing.set(false);
        }
        conflict
    });
}

/// Where a failed in-place save goes: a version conflict to the panel's banner,
/// else the message for `field` (or the general message) next to the field.
pub fn field_error(panel: &OrgPanel, error: &api::ApiError, field: &str) -> Option<String> {
    if panel.conflict_from(error) {
        None
    } else {
        Some(error.field(field).unwrap_or_else(|| error.message()))
    }
}

/// One in-place editor of the organization's own fields (the name, the summary).
#[derive(Clone, Copy)]
struct DetailEditor {
    panel: OrgPanel,
    editing: RwSignal<bool>,
    draft: RwSignal<String>,
    error: RwSignal<Option<String>>,
    saving: RwSignal<bool>,
}

impl DetailEditor {
    fn new(panel: OrgPanel) -> Self {
        let editing = RwSignal::new(false);
        close_on_reload(panel, editing);
        DetailEditor {
            panel,
            editing,
            draft: RwSignal::new(String::new()),
            error: RwSignal::new(None),
            saving: RwSignal::new(false),
        }
    }

    /// Sends the edit: on success the panel takes the new detail and the editor
    /// closes; a failure shows next to `field` (a conflict goes to the banner).
    fn save(self, req: UpdateDetailRequest, field: &'static str) {
        let DetailEditor { panel, editing, error, saving, .. } = self;
        saving.set(true);
        spawn_local(async move {
            let result = api::organizations::update_detail(panel.id, &req).await;
            saving.set(false);
            match result {
                Ok(d) => {
                    panel.replace(d);
                    editing.set(false);
                    error.set(None);
                }
                Err(e) => error.set(field_error(&panel, &e, field)),
            }
        });
    }
}

#[component]
pub fn NameHeader(panel: OrgPanel) -> impl IntoView {
    let editor = DetailEditor::new(panel);
    let DetailEditor { editing, draft, error, saving, .. } = editor;
    let name = move || panel.detail.with(|d| d.as_ref().map(|d| d.name.clone()).unwrap_or_default());
    let created = move || panel.detail.with(|d| d.as_ref().map(|d| long_date(&d.created_at)).unwrap_or_default());
    let created_title = move || panel.detail.with(|d| d.as_ref().map(|d| d.created_at.clone()).unwrap_or_default());

    let start = move |_| {
        draft.set(name());
        error.set(None);
        editing.set(true);
    };
    let cancel = move || {
        editing.set(false);
        error.set(None);
    };
    let save = move || {
        let value = match parse_organization_name(&draft.get_untracked()) {
            Ok(v) => v,
            Err(e) => {
                error.set(Some(e));
                return;
            }
        };
        editor.save(UpdateDetailRequest { version: panel.version(), name: Some(value), ..Default::default() }, "name");
    };

    view! {
        <div class="org-head">
            {move || if editing.get() {
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
                                disabled=move || saving.get()>
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
    let editor = DetailEditor::new(panel);
    let DetailEditor { editing, draft, error, saving, .. } = editor;
    let summary = move || panel.detail.with(|d| d.as_ref().map(|d| d.summary.clone()).unwrap_or_default());

    let save = move |_| {
        let value = draft.get_untracked().trim().to_string();
        if value.chars().count() > MAX_SUMMARY {
            error.set(Some(format!("A summary has at most {MAX_SUMMARY} characters.")));
            return;
        }
        editor.save(
            UpdateDetailRequest { version: panel.version(), summary: Some(value), ..Default::default() },
            "summary",
        );
    };

    view! {
        <section class="panel__section org-section" data-section="summary" aria-labelledby="org-summary-title">
            <div class="panel__section-head">
                <h3 class="panel__heading" id="org-summary-title">"Summary"</h3>
                <Show when=move || !editing.get()>
                    <button type="button" class="button button--small button--ghost" aria-label="Edit summary"
                        on:click=move |_| {
                            draft.set(summary());
                            error.set(None);
                            editing.set(true);
                        }>
                        "Edit"
                    </button>
                </Show>
            </div>
            {move || if editing.get() {
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
                            disabled=move || saving.get() on:click=save>
                            "Save"
                        </button>
                        <button type="button" class="button button--small" aria-label="Cancel summary"
                            on:click=move |_| { editing.set(false); error.set(None); }>
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
