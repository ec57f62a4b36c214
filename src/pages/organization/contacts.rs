//! The panel's contact information: phones, emails, websites, addresses
//! and social profiles, several of each with a label. Edit shows one row per entry;
//! each row is checked as it is typed with the rules the server applies.

use leptos::prelude::*;
use orgdesk_core::api::organization::ReplaceContactsRequest;
use orgdesk_core::contact::{validate_entry, ContactEntry, ContactKind, MAX_ENTRIES};
use orgdesk_core::word::Word;

use super::editor::Editor;
use super::OrgPanel;
use crate::api::{self, ApiError};
use crate::components::error_notice::ErrorNotice;
use crate::forms::focus_after_render;

/// The heading of a group of entries.
fn group_title(kind: ContactKind) -> &'static str {
    match kind {
        ContactKind::Phone => "Phones",
        ContactKind::Email => "Emails",
        ContactKind::Website => "Websites",
        ContactKind::Address => "Addresses",
        ContactKind::Social => "Social profiles",
    }
}

fn kind_from(value: &str) -> ContactKind {
    ContactKind::parse(value).unwrap_or(ContactKind::Phone)
}

/// `tel:` link of a phone number: the leading `+` and the digits (an extension after a comma).
pub fn tel_href(phone: &str) -> String {
    let lower = phone.to_ascii_lowercase();
    let (main, ext) = match lower.find("ext").or_else(|| lower.find('x')) {
        Some(at) => (&phone[..at], Some(&phone[at..])),
        None => (phone, None),
    };
    let mut out = String::from("tel:");
    out.extend(
        main.trim().chars().enumerate().filter(|(i, c)| c.is_ascii_digit() || (*c == '+' && *i == 0)).map(|(_, c)| c),
    );
    if let Some(ext) = ext {
        let digits: String = ext.chars().filter(char::is_ascii_digit).collect();
        if !digits.is_empty() {
            out.push(',');
            out.push_str(&digits);
        }
    }
    out
}

/// One entry as shown (not edited): a link that fits its kind.
fn entry_view(entry: ContactEntry) -> impl IntoView {
    let value = entry.value.clone();
    let shown = match entry.kind {
        ContactKind::Phone => view! { <a href=tel_href(&value)>{value.clone()}</a> }.into_any(),
        ContactKind::Email => view! { <a href=format!("mailto:{value}")>{value.clone()}</a> }.into_any(),
        ContactKind::Website => {
            view! { <a href=value.clone() target="_blank" rel="noopener noreferrer">{value.clone()}</a> }.into_any()
        }
        ContactKind::Address => view! { <address class="contact__address">{value.clone()}</address> }.into_any(),
        ContactKind::Social if value.starts_with('@') => view! { <span>{value.clone()}</span> }.into_any(),
        ContactKind::Social => {
            view! { <a href=value.clone() target="_blank" rel="noopener noreferrer">{value.clone()}</a> }.into_any()
        }
    };
    let label = entry.label;
    view! {
        <li class="contact">
            {(!label.is_empty()).then(|| view! { <span class="contact__label">{label}</span> })}
            <span class="contact__value">{shown}</span>
        </li>
    }
}

/// One row of the editor.
#[derive(Clone, Copy)]
struct Row {
    key: u64,
    kind: RwSignal<ContactKind>,
    label: RwSignal<String>,
    value: RwSignal<String>,
    /// Errors show once the row was typed in, or after a save attempt.
    touched: RwSignal<bool>,
    /// The server's word on this row: (`label` or `value`, message).
    server: RwSignal<Option<(String, String)>>,
}

impl Row {
    fn new(key: u64, entry: &ContactEntry) -> Row {
        Row {
            key,
            kind: RwSignal::new(entry.kind),
            label: RwSignal::new(entry.label.clone()),
            value: RwSignal::new(entry.value.clone()),
            touched: RwSignal::new(false),
            server: RwSignal::new(None),
        }
    }

    fn entry(&self) -> ContactEntry {
        ContactEntry { kind: self.kind.get(), label: self.label.get(), value: self.value.get() }
    }

    fn entry_untracked(&self) -> ContactEntry {
        ContactEntry {
            kind: self.kind.get_untracked(),
            label: self.label.get_untracked(),
            value: self.value.get_untracked(),
        }
    }

    /// The message for `part` (`label` or `value`), if it should show now.
    fn error(&self, part: &str) -> Option<String> {
        if let Some((field, message)) = self.server.get() {
            if field == part {
                return Some(message);
            }
        }
        if !self.touched.get() {
            return None;
        }
        match validate_entry(&self.entry()) {
            Err(e) if e.field == part => Some(e.message),
            _ => None,
        }
    }
}

#[component]
pub fn ContactsSection(panel: OrgPanel) -> impl IntoView {
    let editor = Editor::new(panel);
    let Editor { error: general, busy, .. } = editor;
    let editing = move || editor.is_editing(&());
    let rows = RwSignal::new(Vec::<Row>::new());
    let next_key = StoredValue::new(0u64);
    // The rows' signals belong to the section, not to the button that made them.
    let owner = StoredValue::new(Owner::current().expect("a reactive owner"));

    let new_key = move || {
        let k = next_key.get_value();
        next_key.set_value(k + 1);
        k
    };
    let start = move |_| {
        let entries = panel.detail.with_untracked(|d| d.as_ref().map(|d| d.contacts.clone()).unwrap_or_default());
        rows.set(owner.get_value().with(|| entries.iter().map(|e| Row::new(new_key(), e)).collect()));
        editor.open(());
    };
    let add_row = move |_| {
        let kind = rows.with_untracked(|r| r.last().map(|r| r.kind.get_untracked())).unwrap_or(ContactKind::Phone);
        let row = owner
            .get_value()
            .with(|| Row::new(new_key(), &ContactEntry { kind, label: String::new(), value: String::new() }));
        rows.update(|r| r.push(row));
        // The new row's kind box takes the focus, as a person would expect.
        focus_after_render(format!("#contact-{}-kind", row.key));
    };
    let cancel = move |_| {
        editor.close();
        rows.set(Vec::new());
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        general.set(None);
        let current = rows.get_untracked();
        for r in &current {
            r.touched.set(true);
            r.server.set(None);
        }
        let entries: Vec<ContactEntry> = current.iter().map(Row::entry_untracked).collect();
        if entries.len() > MAX_ENTRIES {
            general.set(Some(format!("At most {MAX_ENTRIES} entries.")));
            return;
        }
        if entries.iter().any(|e| validate_entry(e).is_err()) {
            general.set(Some("Some entries need fixing; see the messages next to them.".into()));
            return;
        }
        let req = ReplaceContactsRequest { version: panel.version(), entries };
        // The server names a failed entry `entries.{i}.{label|value}`: the message goes to that row.
        let place = move |e: &ApiError| {
            let mut placed = false;
            if let ApiError::Server(body) = e {
                for (key, message) in &body.fields {
                    let mut parts = key.split('.');
                    let (Some("entries"), Some(i), Some(part)) = (parts.next(), parts.next(), parts.next()) else {
                        continue;
                    };
                    if let Some(row) = i.parse::<usize>().ok().and_then(|i| current.get(i)) {
                        row.server.set(Some((part.to_string(), message.clone())));
                        placed = true;
                    }
                }
            }
            (!placed).then(|| e.field_or_message("entries"))
        };
        editor.save(async move { api::organizations::replace_contacts(panel.id, &req).await }, place, move || {
            rows.set(Vec::new())
        });
    };

    let view_mode = move || {
        let contacts = panel.detail.with(|d| d.as_ref().map(|d| d.contacts.clone()).unwrap_or_default());
        if contacts.is_empty() {
            return view! { <p class="hint">"No contact information yet."</p> }.into_any();
        }
        ContactKind::ALL
            .iter()
            .copied()
            .filter_map(|kind| {
                let of_kind: Vec<ContactEntry> = contacts.iter().filter(|e| e.kind == kind).cloned().collect();
                (!of_kind.is_empty()).then(|| {
                    view! {
                        <div class="contact-group" data-kind=kind.as_str()>
                            <h3 class="contact-group__title">{group_title(kind)}</h3>
                            <ul class="contact-group__list">{of_kind.into_iter().map(entry_view).collect_view()}</ul>
                        </div>
                    }
                })
            })
            .collect_view()
            .into_any()
    };

    view! {
        <section class="org-section panel__section" data-section="contacts" aria-labelledby="org-contacts-title">
            <div class="panel__section-head">
                <h2 class="panel__heading" id="org-contacts-title">"Contact information"</h2>
                <Show when=move || !editing()>
                    <button type="button" class="button button--small" aria-label="Edit contact information" on:click=start>
                        "Edit"
                    </button>
                </Show>
            </div>
            <Show when=editing fallback=view_mode>
                <form class="contact-editor" novalidate=true on:submit=save aria-label="Contact information editor">
                    <For each=move || rows.get() key=|r| r.key let:row>
                        <ContactRow row=row rows=rows />
                    </For>
                    {move || rows.with(|r| r.is_empty()).then(|| view! { <p class="hint">"No entries. Add one below."</p> })}
                    <ErrorNotice message=general />
                    <div class="form__actions">
                        <button type="button" class="button button--small" on:click=add_row>"Add contact"</button>
                        <span class="contact-editor__spacer"></span>
                        <button type="submit" class="button button--primary button--small" aria-label="Save contact information"
                            disabled=move || busy.get()>
                            "Save"
                        </button>
                        <button type="button" class="button button--small" aria-label="Cancel editing contact information"
                            on:click=cancel>
                            "Cancel"
                        </button>
                    </div>
                </form>
            </Show>
        </section>
    }
}

#[component]
fn ContactRow(row: Row, rows: RwSignal<Vec<Row>>) -> impl IntoView {
    let key = row.key;
    let number = Memo::new(move |_| rows.with(|r| r.iter().position(|x| x.key == key).map(|i| i + 1).unwrap_or(0)));
    let kind_id = format!("contact-{key}-kind");
    let label_id = format!("contact-{key}-label");
    let value_id = format!("contact-{key}-value");
    let label_error = Memo::new(move |_| row.error("label"));
    let value_error = Memo::new(move |_| row.error("value"));
    let touch = move || {
        row.touched.set(true);
        row.server.set(None);
    };

    let label_err_id = format!("{label_id}-error");
    let value_err_id = format!("{value_id}-error");
    let (label_described, value_described) = (label_err_id.clone(), value_err_id.clone());
    let value_input = {
        let value_id = value_id.clone();
        move || {
            let described = value_described.clone();
            let kind = row.kind.get();
            let invalid = move || if value_error.get().is_some() { "true" } else { "false" };
            let described_by = move || value_error.get().map(|_| described.clone());
            if kind == ContactKind::Address {
                view! {
                    <textarea class="field__input field__input--multiline" id=value_id.clone() rows=3
                        placeholder="Street and number\nPostcode and city"
                        prop:value=move || row.value.get()
                        on:input=move |ev| { row.value.set(event_target_value(&ev)); touch(); }
                        aria-invalid=invalid aria-describedby=described_by
                    ></textarea>
                }
                .into_any()
            } else {
                let (input_type, placeholder) = match kind {
                    ContactKind::Phone => ("tel", "+1 555 0100"),
                    ContactKind::Email => ("email", "support@example.com"),
                    ContactKind::Website => ("text", "https://example.com"),
                    _ => ("text", "https://linkedin.com/company/… or @name"),
                };
                view! {
                    <input class="field__input" id=value_id.clone() type=input_type autocomplete="off" placeholder=placeholder
                        prop:value=move || row.value.get()
                        on:input=move |ev| { row.value.set(event_target_value(&ev)); touch(); }
                        aria-invalid=invalid aria-describedby=described_by
                    />
                }
                .into_any()
            }
        }
    };

    view! {
        <fieldset class="contact-row" data-row=move || number.get().to_string()>
            <legend class="visually-hidden">{move || format!("Contact {}", number.get())}</legend>
            <div class="field contact-row__kind">
                <label class="field__label" for=kind_id.clone()>{move || format!("Contact {} kind", number.get())}</label>
                <select class="field__input" id=kind_id
                    on:change=move |ev| {
                        row.kind.set(kind_from(&event_target_value(&ev)));
                        row.server.set(None);
                    }>
                    {ContactKind::ALL
                        .iter()
                        .copied()
                        .map(|k| view! { <option value=k.as_str() selected=move || row.kind.get() == k>{k.label()}</option> })
                        .collect_view()}
                </select>
            </div>
            <div class="field contact-row__label" class:field--invalid=move || label_error.get().is_some()>
                <label class="field__label" for=label_id.clone()>{move || format!("Contact {} label", number.get())}</label>
                <input class="field__input" id=label_id type="text" autocomplete="off" placeholder="Main, Support, Billing…"
                    prop:value=move || row.label.get()
                    on:input=move |ev| { row.label.set(event_target_value(&ev)); touch(); }
                    aria-invalid=move || if label_error.get().is_some() { "true" } else { "false" }
                    aria-describedby=move || label_error.get().map(|_| label_described.clone())
                />
                {move || label_error.get().map(|e| view! { <p class="field__error" id=label_err_id.clone()>{e}</p> })}
            </div>
            <div class="field contact-row__value" class:field--invalid=move || value_error.get().is_some()>
                <label class="field__label" for=value_id.clone()>{move || format!("Contact {} value", number.get())}</label>
                {value_input}
                {move || value_error.get().map(|e| view! { <p class="field__error" id=value_err_id.clone()>{e}</p> })}
            </div>
            <button type="button" class="button button--ghost button--small contact-row__remove"
                aria-label=move || format!("Remove contact {}", number.get())
                on:click=move |_| rows.update(|r| r.retain(|x| x.key != key))>
                "Remove"
            </button>
        </fieldset>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_links_keep_the_plus_the_digits_and_the_extension() {
        assert_eq!(tel_href("+49 30 1234567"), "tel:+49301234567");
        assert_eq!(tel_href("(555) 010-9999 ext. 12"), "tel:5550109999,12");
        assert_eq!(tel_href("555.010.9999 x7"), "tel:5550109999,7");
    }
}
