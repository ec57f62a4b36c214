//! Custom property values (organizations' and customers'): how a value reads, the
//! in-place editor's fields (each checked as it is typed with the rules the server
//! applies) and the read-only list with "Show empty fields". The organization panel
//! and the customer profile both use these; only where they save differs.

use std::collections::BTreeMap;

use leptos::prelude::*;
use orgdesk_core::api::organization::{PropertyDefinition, PropertyValue};
use orgdesk_core::properties::{validate_value, PropertyKind};
use serde_json::Value;

use crate::api::ApiError;

/// A stored value as people read it; `None` when empty.
pub fn display_value(kind: PropertyKind, value: &Value) -> Option<String> {
    match (kind, value) {
        (_, Value::Null) => None,
        (PropertyKind::Checkbox, Value::Bool(b)) => Some(if *b { "Yes" } else { "No" }.into()),
        (_, Value::String(s)) if s.is_empty() => None,
        (_, Value::String(s)) => Some(s.clone()),
        (_, Value::Number(n)) => Some(n.to_string()),
        (_, Value::Array(items)) if items.is_empty() => None,
        (_, Value::Array(items)) => Some(
            items
                .iter()
                .map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        (_, other) => Some(other.to_string()),
    }
}

/// What a number box holds, as JSON: empty is `null`; whole numbers stay whole.
pub fn parse_number(text: &str) -> Result<Value, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(Value::Null);
    }
    if let Ok(i) = t.parse::<i64>() {
        return Ok(Value::from(i));
    }
    match t.parse::<f64>() {
        Ok(f) if f.is_finite() && !t.contains(['i', 'I', 'n', 'N']) => {
            serde_json::Number::from_f64(f).map(Value::Number).ok_or_else(|| "Enter a number.".to_string())
        }
        _ => Err("Enter a number.".into()),
    }
}

/// One property in the editor.
#[derive(Clone, Copy)]
pub struct Field {
    def: StoredValue<PropertyDefinition>,
    original: StoredValue<Value>,
    /// Text, long text, number, date and single choice.
    text: RwSignal<String>,
    /// Checkbox.
    flag: RwSignal<bool>,
    /// Multiple choice.
    chosen: RwSignal<Vec<String>>,
    touched: RwSignal<bool>,
    server: RwSignal<Option<String>>,
}

impl Field {
    pub fn new(p: &PropertyValue) -> Field {
        let text = match (&p.definition.kind, &p.value) {
            (_, Value::String(s)) => s.clone(),
            (_, Value::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        let chosen = match &p.value {
            Value::Array(items) => items.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
            _ => Vec::new(),
        };
        Field {
            def: StoredValue::new(p.definition.clone()),
            original: StoredValue::new(p.value.clone()),
            text: RwSignal::new(text),
            flag: RwSignal::new(p.value == Value::Bool(true)),
            chosen: RwSignal::new(chosen),
            touched: RwSignal::new(false),
            server: RwSignal::new(None),
        }
    }

    /// The draft as JSON (reactive).
    fn raw(&self) -> Result<Value, String> {
        let def = self.def.get_value();
        Ok(match def.kind {
            PropertyKind::Number => parse_number(&self.text.get())?,
            PropertyKind::Checkbox => {
                let ticked = self.flag.get();
                // An unticked box that was never set stays unset (unless the field is required).
                if !ticked && self.original.with_value(Value::is_null) && !def.required {
                    Value::Null
                } else {
                    Value::Bool(ticked)
                }
            }
            PropertyKind::MultipleChoice => Value::Array(self.chosen.get().into_iter().map(Value::String).collect()),
            _ => Value::String(self.text.get()),
        })
    }

    /// The value to store (`Value::Null` when empty), or why it cannot be.
    fn checked(&self) -> Result<Value, String> {
        let raw = self.raw()?;
        let rules = self.def.with_value(PropertyDefinition::rules);
        validate_value(&rules, &raw).map(|v| v.unwrap_or(Value::Null))
    }

    fn error(&self) -> Option<String> {
        if let Some(e) = self.server.get() {
            return Some(e);
        }
        if !self.touched.get() {
            return None;
        }
        self.checked().err()
    }

    fn touch(&self) {
        self.touched.set(true);
        self.server.set(None);
    }
}

/// What changed in `fields` (by definition id; `null` empties), every field marked
/// touched; `None` when a field is invalid (its message shows next to it).
pub fn changed_values(fields: &[Field]) -> Option<BTreeMap<i64, Value>> {
    let mut values = BTreeMap::new();
    let mut bad = false;
    for f in fields {
        f.touched.set(true);
        f.server.set(None);
        match f.checked() {
            Ok(v) => {
                if f.original.with_value(|o| *o != v) {
                    values.insert(f.def.with_value(|d| d.id), v);
                }
            }
            Err(_) => bad = true,
        }
    }
    (!bad).then_some(values)
}

/// Puts the server's refusal of a save next to the fields it names (`values.{id}`);
/// the general message when it names none of them.
pub fn place_errors(fields: &[Field], e: &ApiError) -> Option<String> {
    let mut placed = false;
    for f in fields {
        let id = f.def.with_value(|d| d.id);
        if let Some(message) = e.field(&format!("values.{id}")) {
            f.server.set(Some(message));
            placed = true;
        }
    }
    (!placed).then(|| e.field_or_message("values"))
}

/// The values as read (empty ones hidden until "Show empty fields").
#[component]
pub fn PropertyList(#[prop(into)] properties: Signal<Vec<PropertyValue>>) -> impl IntoView {
    let show_empty = RwSignal::new(false);
    let view_mode = move || {
        let list = properties.get();
        if list.is_empty() {
            return view! {
                <p class="hint">"No properties are defined yet. Administrators define them in Administration."</p>
            }
            .into_any();
        }
        let all = show_empty.get();
        let shown: Vec<(String, Option<String>, bool)> = list
            .iter()
            .map(|p| {
                (
                    p.definition.label.clone(),
                    display_value(p.definition.kind, &p.value),
                    p.definition.kind == PropertyKind::LongText,
                )
            })
            .filter(|(_, v, _)| all || v.is_some())
            .collect();
        let empty_count = list.iter().filter(|p| display_value(p.definition.kind, &p.value).is_none()).count();
        view! {
            {if shown.is_empty() {
                view! { <p class="hint">"No properties filled in yet."</p> }.into_any()
            } else {
                view! {
                    <dl class="properties" aria-label="Properties">
                        {shown.into_iter().map(|(label, value, long)| {
                            let empty = value.is_none();
                            view! {
                                <div class="properties__row" class:properties__row--empty=empty>
                                    <dt>{label}</dt>
                                    <dd class:properties__long=long>{value.unwrap_or_else(|| "—".into())}</dd>
                                </div>
                            }
                        }).collect_view()}
                    </dl>
                }.into_any()
            }}
            {(empty_count > 0).then(|| view! {
                <button type="button" class="button button--ghost button--small"
                    on:click=move |_| show_empty.update(|s| *s = !*s)>
                    {move || if show_empty.get() {
                        "Hide empty fields".to_string()
                    } else {
                        format!("Show empty fields ({empty_count})")
                    }}
                </button>
            })}
        }
        .into_any()
    };

    view_mode
}

#[component]
pub fn PropertyInput(field: Field) -> impl IntoView {
    let def = field.def.get_value();
    let id = format!("property-{}", def.id);
    let error_id = format!("{id}-error");
    let error = Memo::new(move |_| field.error());
    let described = {
        let error_id = error_id.clone();
        move || error.get().map(|_| error_id.clone())
    };
    let invalid = move || if error.get().is_some() { "true" } else { "false" };
    let required = def.required;
    let required_mark = required.then(|| view! { <span class="field__required">"Required"</span> });
    let label = def.label.clone();
    let error_view = {
        let error_id = error_id.clone();
        move || error.get().map(|e| view! { <p class="field__error" id=error_id.clone()>{e}</p> })
    };
    let on_text = move |ev: leptos::ev::Event| {
        field.text.set(event_target_value(&ev));
        field.touch();
    };

    let control = match def.kind {
        PropertyKind::Checkbox => {
            return view! {
                <div class="field" class:field--invalid=move || error.get().is_some()>
                    <label class="checkbox-field" for=id.clone()>
                        <input type="checkbox" id=id.clone()
                            prop:checked=move || field.flag.get()
                            on:change=move |ev| { field.flag.set(event_target_checked(&ev)); field.touch(); }
                            aria-invalid=invalid aria-describedby=described
                        />
                        {label}
                    </label>
                    {required_mark}
                    {error_view}
                </div>
            }
            .into_any();
        }
        PropertyKind::MultipleChoice => {
            let options = def.options.clone();
            return view! {
                <fieldset class="field properties__choices" class:field--invalid=move || error.get().is_some()
                    aria-describedby=described>
                    <legend class="field__label">{label}</legend>
                    {required_mark}
                    {options.into_iter().enumerate().map(|(i, option)| {
                        let opt_id = format!("{id}-option-{i}");
                        let opt_for = opt_id.clone();
                        let o1 = option.clone();
                        let o2 = option.clone();
                        view! {
                            <label class="checkbox-field checkbox-field--light" for=opt_for>
                                <input type="checkbox" id=opt_id
                                    prop:checked=move || field.chosen.with(|c| c.contains(&o1))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        field.chosen.update(|c| {
                                            c.retain(|x| x != &o2);
                                            if on { c.push(o2.clone()); }
                                        });
                                        field.touch();
                                    }
                                />
                                {option}
                            </label>
                        }
                    }).collect_view()}
                    {error_view}
                </fieldset>
            }
            .into_any();
        }
        PropertyKind::LongText => view! {
            <textarea class="field__input field__input--multiline" id=id.clone() rows=4 required=required
                prop:value=move || field.text.get() on:input=on_text
                aria-invalid=invalid aria-describedby=described
            ></textarea>
        }
        .into_any(),
        PropertyKind::SingleChoice => {
            let options = def.options.clone();
            view! {
                <select class="field__input" id=id.clone() required=required
                    on:change=move |ev| { field.text.set(event_target_value(&ev)); field.touch(); }
                    aria-invalid=invalid aria-describedby=described>
                    <option value="" selected=move || field.text.with(String::is_empty)>"— None —"</option>
                    {options.into_iter().map(|o| {
                        let (o1, value) = (o.clone(), o.clone());
                        view! { <option value=value selected=move || field.text.with(|t| *t == o1)>{o}</option> }
                    }).collect_view()}
                </select>
            }
            .into_any()
        }
        kind => {
            let (input_type, inputmode) = match kind {
                PropertyKind::Number => ("text", "decimal"),
                PropertyKind::Date => ("date", "numeric"),
                _ => ("text", "text"),
            };
            view! {
                <input class="field__input" id=id.clone() type=input_type inputmode=inputmode autocomplete="off"
                    required=required
                    prop:value=move || field.text.get() on:input=on_text
                    aria-invalid=invalid aria-describedby=described
                />
            }
            .into_any()
        }
    };
    view! {
        <div class="field" class:field--invalid=move || error.get().is_some()>
            <div class="field__label-row">
                <label class="field__label" for=id.clone()>{label}</label>
                {required_mark}
            </div>
            {control}
            {error_view}
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_parse_whole_or_decimal_and_refuse_words() {
        assert_eq!(parse_number(" 42 "), Ok(json!(42)));
        assert_eq!(parse_number("-1.5"), Ok(json!(-1.5)));
        assert_eq!(parse_number(""), Ok(Value::Null));
        assert!(parse_number("12abc").is_err());
        assert!(parse_number("NaN").is_err());
        assert!(parse_number("inf").is_err());
    }

    #[test]
    fn values_show_as_people_read_them() {
        assert_eq!(display_value(PropertyKind::Checkbox, &json!(false)), Some("No".into()));
        assert_eq!(display_value(PropertyKind::MultipleChoice, &json!(["A", "B"])), Some("A, B".into()));
        assert_eq!(display_value(PropertyKind::Number, &json!(7)), Some("7".into()));
        assert_eq!(display_value(PropertyKind::Text, &Value::Null), None);
    }
}
