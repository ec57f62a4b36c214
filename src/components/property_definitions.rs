use leptos::prelude::*;
use leptos::task::spawn_local;
use orgdesk_core::api::organization::PropertyDefinition;
use orgdesk_core::properties::{validate_definition, PropertyDefinitionInput, PropertyKind};
use orgdesk_core::word::Word;
use orgdesk_core::FieldErrors;

use crate::api::properties::PropertyOwner;
use crate::api::{self, ApiError};
use crate::components::confirm_dialog::ConfirmDialog;
use crate::components::dialog::Dialog;
use crate::components::error_notice::ErrorNotice;

/// What the admin screen says and names for each owner (ids differ, so both sections fit one page).
#[derive(Clone, Copy)]
struct Words {
    title: &'static str,
    title_id: &'static str,
    hint: &'static str,
    empty: &'static str,
    add_title: &'static str,
    add_title_id: &'static str,
    add_button: &'static str,
    new_prefix: &'static str,
    edit_prefix: &'static str,
    edit_dialog: &'static str,
    kind_hint: &'static str,
    delete_dialog: &'static str,
    delete_message: &'static str,
    /// "Property" or "Customer property": the start of each field's label.
    noun: &'static str,
}

fn words(owner: PropertyOwner) -> Words {
    match owner {
        PropertyOwner::Organization => Words {
            title: "Organization properties",
            title_id: "property-admin-title",
            hint: "Custom fields every organization has, in the order its panel shows them. Agents fill them in on the organization.",
            empty: "No organization properties yet. Add the first one below.",
            add_title: "Add organization property",
            add_title_id: "add-property-title",
            add_button: "Add property",
            new_prefix: "new-property",
            edit_prefix: "edit-property",
            edit_dialog: "edit-property",
            kind_hint: "The kind can change only while no organization has a value for this property.",
            delete_dialog: "confirm-delete-property",
            delete_message: "Its values on every organization are deleted. This cannot be undone.",
            noun: "Property",
        },
        PropertyOwner::Customer => Words {
            title: "Customer properties",
            title_id: "customer-property-admin-title",
            hint: "Custom fields every customer has, in the order their profile shows them. Agents fill them in on the customer's profile.",
            empty: "No customer properties yet. Add the first one below.",
            add_title: "Add customer property",
            add_title_id: "add-customer-property-title",
            add_button: "Add customer property",
            new_prefix: "new-customer-property",
            edit_prefix: "edit-customer-property",
            edit_dialog: "edit-customer-property",
            kind_hint: "The kind can change only while no customer has a value for this property.",
            delete_dialog: "confirm-delete-customer-property",
            delete_message: "Its values on every customer are deleted. This cannot be undone.",
            noun: "Customer property",
        },
    }
}

fn kind_from(value: &str) -> PropertyKind {
    PropertyKind::parse(value).unwrap_or(PropertyKind::Text)
}

/// A definition being written, in the add form or the edit dialog.
#[derive(Clone, Copy)]
struct Draft {
    label: RwSignal<String>,
    kind: RwSignal<PropertyKind>,
    required: RwSignal<bool>,
    /// One option per line.
    options: RwSignal<String>,
    /// Errors show for touched fields, and for all after a save attempt.
    label_touched: RwSignal<bool>,
    options_touched: RwSignal<bool>,
    attempted: RwSignal<bool>,
    /// The server's errors by field.
    server: RwSignal<FieldErrors>,
    general: RwSignal<Option<String>>,
    busy: RwSignal<bool>,
}

impl Draft {
    fn new(from: Option<&PropertyDefinition>) -> Draft {
        Draft {
            label: RwSignal::new(from.map(|d| d.label.clone()).unwrap_or_default()),
            kind: RwSignal::new(from.map(|d| d.kind).unwrap_or(PropertyKind::Text)),
            required: RwSignal::new(from.is_some_and(|d| d.required)),
            options: RwSignal::new(from.map(|d| d.options.join("\n")).unwrap_or_default()),
            label_touched: RwSignal::new(false),
            options_touched: RwSignal::new(false),
            attempted: RwSignal::new(false),
            server: RwSignal::new(FieldErrors::new()),
            general: RwSignal::new(None),
            busy: RwSignal::new(false),
        }
    }

    fn reset(&self) {
        self.label.set(String::new());
        self.kind.set(PropertyKind::Text);
        self.required.set(false);
        self.options.set(String::new());
        self.label_touched.set(false);
        self.options_touched.set(false);
        self.attempted.set(false);
        self.server.set(FieldErrors::new());
        self.general.set(None);
    }

    /// The request as typed (reactive); blank option lines are left out.
    fn request(&self) -> PropertyDefinitionInput {
        let kind = self.kind.get();
        let options = if kind.has_options() {
            self.options.with(|o| o.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect())
        } else {
            Vec::new()
        };
        PropertyDefinitionInput { label: self.label.get(), kind, required: self.required.get(), options }
    }

    /// The message for `field`, if it should show now.
    fn error(&self, field: &str) -> Option<String> {
        if let Some(e) = self.server.with(|s| s.get(field).cloned()) {
            return Some(e);
        }
        let shown = self.attempted.get()
            || match field {
                "label" => self.label_touched.get(),
                "options" => self.options_touched.get(),
                _ => false,
            };
        if !shown {
            return None;
        }
        validate_definition(&self.request()).err().and_then(|e| e.get(field).cloned())
    }

    /// Checks before saving; `Some(request)` when it may go to the server.
    fn submit(&self) -> Option<PropertyDefinitionInput> {
        self.attempted.set(true);
        self.server.set(FieldErrors::new());
        self.general.set(None);
        let req = self.request();
        validate_definition(&req).ok().map(|_| req)
    }

    /// A refused save: fields the form shows go next to them, the rest to the alert.
    fn failed(&self, e: ApiError) {
        match &e {
            ApiError::Server(body) if !body.fields.is_empty() => {
                let known = ["label", "kind", "required", "options"];
                let rest: Vec<String> =
                    body.fields.iter().filter(|(k, _)| !known.contains(&k.as_str())).map(|(_, v)| v.clone()).collect();
                self.server.set(body.fields.clone());
                if !rest.is_empty() {
                    self.general.set(Some(rest.join(" ")));
                }
            }
            _ => self.general.set(Some(e.message())),
        }
    }
}

/// The fields of a definition; ids start with `prefix` so the add form and the edit dialog can coexist.
#[component]
fn DefinitionFields(prefix: &'static str, noun: &'static str, draft: Draft) -> impl IntoView {
    let id = move |part: &str| format!("{prefix}-{part}");
    let err = move |field: &'static str| Memo::new(move |_| draft.error(field));
    let (label_err, kind_err, options_err) = (err("label"), err("kind"), err("options"));
    let (label_id, kind_id, req_id, options_id) = (id("label"), id("kind"), id("required"), id("options"));
    let (label_err_id, kind_err_id, options_err_id) =
        (format!("{label_id}-error"), format!("{kind_id}-error"), format!("{options_id}-error"));
    let (l_desc, k_desc, o_desc) = (label_err_id.clone(), kind_err_id.clone(), options_err_id.clone());
    let (label_for, kind_for, req_for) = (label_id.clone(), kind_id.clone(), req_id.clone());
    view! {
        <div class="field" class:field--invalid=move || label_err.get().is_some()>
            <label class="field__label" for=label_for>{format!("{noun} label")}</label>
            <input class="field__input" id=label_id type="text" autocomplete="off"
                prop:value=move || draft.label.get()
                on:input=move |ev| {
                    draft.label.set(event_target_value(&ev));
                    draft.label_touched.set(true);
                    draft.server.update(|s| { s.remove("label"); });
                }
                aria-invalid=move || if label_err.get().is_some() { "true" } else { "false" }
                aria-describedby=move || label_err.get().map(|_| l_desc.clone())
            />
            {move || label_err.get().map(|e| view! { <p class="field__error" id=label_err_id.clone()>{e}</p> })}
        </div>
        <div class="field" class:field--invalid=move || kind_err.get().is_some()>
            <label class="field__label" for=kind_for>{format!("{noun} kind")}</label>
            <select class="field__input" id=kind_id
                on:change=move |ev| {
                    draft.kind.set(kind_from(&event_target_value(&ev)));
                    draft.server.update(|s| { s.remove("kind"); s.remove("options"); });
                }
                aria-invalid=move || if kind_err.get().is_some() { "true" } else { "false" }
                aria-describedby=move || kind_err.get().map(|_| k_desc.clone())>
                {PropertyKind::ALL.iter().copied().map(|k| view! {
                    <option value=k.as_str() selected=move || draft.kind.get() == k>{k.label()}</option>
                }).collect_view()}
            </select>
            {move || kind_err.get().map(|e| view! { <p class="field__error" id=kind_err_id.clone()>{e}</p> })}
        </div>
        <Show when=move || draft.kind.get().has_options()>
            {
                let (options_id, options_err_id, o_desc) = (options_id.clone(), options_err_id.clone(), o_desc.clone());
                view! {
                    <div class="field" class:field--invalid=move || options_err.get().is_some()>
                        <label class="field__label" for=options_id.clone()>"Options (one per line)"</label>
                        <textarea class="field__input field__input--multiline" id=options_id rows=4
                            prop:value=move || draft.options.get()
                            on:input=move |ev| {
                                draft.options.set(event_target_value(&ev));
                                draft.options_touched.set(true);
                                draft.server.update(|s| { s.remove("options"); });
                            }
                            aria-invalid=move || if options_err.get().is_some() { "true" } else { "false" }
                            aria-describedby={
                                let o_desc = o_desc.clone();
                                move || options_err.get().map(|_| o_desc.clone())
                            }
                        ></textarea>
                        {
                            let options_err_id = options_err_id.clone();
                            move || options_err.get().map(|e| view! { <p class="field__error" id=options_err_id.clone()>{e}</p> })
                        }
                    </div>
                }
            }
        </Show>
        <div class="field">
            <label class="checkbox-field" for=req_for>
                <input type="checkbox" id=req_id prop:checked=move || draft.required.get()
                    on:change=move |ev| draft.required.set(event_target_checked(&ev)) />
                "Required"
            </label>
        </div>
        <ErrorNotice message=draft.general />
    }
}

/// Administration → Organization properties (or Customer properties): the custom
/// fields of every organization (customer), in the order the panel (profile) shows them.
#[component]
pub fn PropertyDefinitions(#[prop(optional)] owner: PropertyOwner) -> impl IntoView {
    let w = words(owner);
    let defs = RwSignal::new(None::<Vec<PropertyDefinition>>);
    let load_error = RwSignal::new(None::<String>);
    let action_error = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<String>);
    let editing = RwSignal::new(None::<(PropertyDefinition, Draft)>);
    let deleting = RwSignal::new(None::<PropertyDefinition>);
    let delete_busy = RwSignal::new(false);
    let delete_error = RwSignal::new(None::<String>);
    let add = Draft::new(None);
    // Drafts made by an Edit button belong here, not to the table row that made them.
    let reactive_owner = StoredValue::new(Owner::current().expect("a reactive owner"));

    let reload = move || {
        spawn_local(async move {
            match api::properties::property_definitions(owner).await {
                Ok(list) => {
                    load_error.set(None);
                    defs.set(Some(list));
                }
                Err(e) => load_error.set(Some(e.message())),
            }
        });
    };
    reload();

    let move_by = move |id: i64, delta: isize| {
        let Some(mut list) = defs.get_untracked() else { return };
        let Some(at) = list.iter().position(|d| d.id == id) else { return };
        let to = at as isize + delta;
        if to < 0 || to as usize >= list.len() {
            return;
        }
        list.swap(at, to as usize);
        let ids: Vec<i64> = list.iter().map(|d| d.id).collect();
        action_error.set(None);
        spawn_local(async move {
            match api::properties::reorder_property_definitions(owner, ids).await {
                Ok(list) => defs.set(Some(list)),
                Err(e) => {
                    action_error.set(Some(e.message()));
                    reload();
                }
            }
        });
    };

    let on_add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        notice.set(None);
        let Some(req) = add.submit() else { return };
        add.busy.set(true);
        spawn_local(async move {
            let result = api::properties::create_property_definition(owner, &req).await;
            add.busy.set(false);
            match result {
                Ok(def) => {
                    notice.set(Some(format!("Added the property {}.", def.label)));
                    add.reset();
                    defs.update(|d| d.get_or_insert_with(Vec::new).push(def));
                }
                Err(e) => add.failed(e),
            }
        });
    };

    let on_save_edit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some((def, draft)) = editing.get_untracked() else { return };
        let Some(req) = draft.submit() else { return };
        draft.busy.set(true);
        spawn_local(async move {
            let result = api::properties::update_property_definition(owner, def.id, &req).await;
            draft.busy.set(false);
            match result {
                Ok(saved) => {
                    editing.set(None);
                    notice.set(Some(format!("Saved the property {}.", saved.label)));
                    defs.update(|d| {
                        if let Some(d) = d {
                            if let Some(x) = d.iter_mut().find(|x| x.id == saved.id) {
                                *x = saved;
                            }
                        }
                    });
                }
                Err(e) => draft.failed(e),
            }
        });
    };

    let confirm_delete = move |()| {
        let Some(def) = deleting.get_untracked() else { return };
        delete_busy.set(true);
        delete_error.set(None);
        spawn_local(async move {
            let result = api::properties::delete_property_definition(owner, def.id).await;
            delete_busy.set(false);
            match result {
                Ok(()) => {
                    deleting.set(None);
                    notice.set(Some(format!("Deleted the property {}.", def.label)));
                    defs.update(|d| {
                        if let Some(d) = d {
                            d.retain(|x| x.id != def.id);
                        }
                    });
                }
                Err(e) => delete_error.set(Some(e.message())),
            }
        });
    };

    view! {
        <section class="property-admin" aria-labelledby=w.title_id>
            <h2 class="section__title" id=w.title_id>{w.title}</h2>
            <p class="hint">{w.hint}</p>
            <ErrorNotice message=load_error />
            <ErrorNotice message=action_error />
            {move || notice.get().map(|n| view! { <p class="notice" role="status">{n}</p> })}
            {move || match defs.get() {
                None => view! { <p class="hint">"Loading properties…"</p> }.into_any(),
                Some(list) if list.is_empty() => view! {
                    <p class="empty-state">{w.empty}</p>
                }.into_any(),
                Some(list) => {
                    let last = list.len() - 1;
                    view! {
                        <table class="table" aria-label=w.title>
                            <thead>
                                <tr>
                                    <th scope="col">"Label"</th>
                                    <th scope="col">"Kind"</th>
                                    <th scope="col">"Required"</th>
                                    <th scope="col">"Options"</th>
                                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                </tr>
                            </thead>
                            <tbody>
                                {list.into_iter().enumerate().map(|(i, def)| {
                                    let id = def.id;
                                    let label = def.label.clone();
                                    let for_edit = def.clone();
                                    let for_delete = def.clone();
                                    view! {
                                        <tr data-property-id=id.to_string()>
                                            <td>{def.label.clone()}</td>
                                            <td>{def.kind.label()}</td>
                                            <td>{if def.required { "Required" } else { "Optional" }}</td>
                                            <td class="table__muted">{def.options.join(", ")}</td>
                                            <td class="table__actions">
                                                <button type="button" class="button button--ghost button--small"
                                                    aria-label=format!("Move {label} up") disabled=i == 0
                                                    on:click=move |_| move_by(id, -1)>"↑"</button>
                                                <button type="button" class="button button--ghost button--small"
                                                    aria-label=format!("Move {label} down") disabled=i == last
                                                    on:click=move |_| move_by(id, 1)>"↓"</button>
                                                <button type="button" class="button button--small"
                                                    aria-label=format!("Edit {label}")
                                                    on:click=move |_| {
                                                        let d = reactive_owner.get_value().with(|| Draft::new(Some(&for_edit)));
                                                        editing.set(Some((for_edit.clone(), d)));
                                                    }>"Edit"</button>
                                                <button type="button" class="button button--small button--danger"
                                                    aria-label=format!("Delete {label}")
                                                    on:click=move |_| { delete_error.set(None); deleting.set(Some(for_delete.clone())); }>
                                                    "Delete"
                                                </button>
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }
            }}
            <form class="card form" novalidate=true on:submit=on_add aria-labelledby=w.add_title_id>
                <h3 class="section__title" id=w.add_title_id>{w.add_title}</h3>
                <DefinitionFields prefix=w.new_prefix noun=w.noun draft=add />
                <button type="submit" class="button button--primary" disabled=move || add.busy.get()>{w.add_button}</button>
            </form>
            {move || editing.get().map(|(def, draft)| view! {
                <Dialog id=w.edit_dialog title=format!("Edit the property {}", def.label)
                    on_close=move |()| editing.set(None)>
                    <form class="form" novalidate=true on:submit=on_save_edit>
                        <p class="hint">{w.kind_hint}</p>
                        <DefinitionFields prefix=w.edit_prefix noun=w.noun draft=draft />
                        <div class="form__actions">
                            <button type="submit" class="button button--primary" disabled=move || draft.busy.get()>"Save property"</button>
                            <button type="button" class="button" on:click=move |_| editing.set(None)>"Cancel"</button>
                        </div>
                    </form>
                </Dialog>
            })}
            {move || deleting.get().map(|def| view! {
                <ConfirmDialog
                    id=w.delete_dialog
                    title=format!("Delete the property {}?", def.label)
                    message=w.delete_message
                    confirm_label="Delete property"
                    on_confirm=confirm_delete
                    on_close=move |()| deleting.set(None)
                    busy=delete_busy
                    error=delete_error
                />
            })}
        </section>
    }
}
