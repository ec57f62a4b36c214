//! Requests checked against the OpenAPI document before a handler sees them, so the
//! document is the contract both ways: what it states (types, `maxLength`, `maxItems`,
//! `minimum`, `maximum`, enums) the server enforces, and new routes and fields get
//! the checks without code of their own. The limits come from core's
//! [`orgdesk_core::limits`], written into the document by [`apply_limits`].
//!
//! On top of the document every string is bounded ([`limits::MAX_ANY_TEXT`] in bodies,
//! [`limits::MAX_PARAM`] in paths and query strings), every list and object too
//! ([`limits::MAX_ANY_LIST`] items or keys), and NUL and the other control characters are refused
//! (free text, bounded at [`limits::MULTILINE_FROM`] characters or more, keeps line
//! breaks and tabs). A violation is a 422 naming the field and the limit.

use std::collections::HashMap;
use std::sync::LazyLock;

use orgdesk_core::limits::{self, Bound};
use orgdesk_core::FieldErrors;
use serde_json::{json, Map, Value};

/// The request parts of every documented operation, keyed by method and path template.
struct Contract {
    operations: HashMap<(String, String), Operation>,
    schemas: Map<String, Value>,
}

#[derive(Default)]
struct Operation {
    body: Option<Value>,
    query: Vec<(String, Value)>,
    path: Vec<(String, Value)>,
}

static CONTRACT: LazyLock<Contract> = LazyLock::new(|| {
    let doc = serde_json::to_value(crate::openapi::document()).unwrap_or(Value::Null);
    Contract::from_document(&doc)
});

impl Contract {
    fn from_document(doc: &Value) -> Self {
        let schemas = doc.pointer("/components/schemas").and_then(Value::as_object).cloned().unwrap_or_default();
        let mut operations = HashMap::new();
        for (path, item) in doc.get("paths").and_then(Value::as_object).into_iter().flatten() {
            for (method, op) in item.as_object().into_iter().flatten() {
                let mut operation = Operation {
                    body: op.pointer("/requestBody/content/application~1json/schema").cloned(),
                    ..Operation::default()
                };
                for param in op.get("parameters").and_then(Value::as_array).into_iter().flatten() {
                    let name = param.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
                    let schema = param.get("schema").cloned().unwrap_or(Value::Null);
                    match param.get("in").and_then(Value::as_str) {
                        Some("query") => operation.query.push((name, schema)),
                        Some("path") => operation.path.push((name, schema)),
                        _ => {}
                    }
                }
                operations.insert((method.to_ascii_uppercase(), path.clone()), operation);
            }
        }
        Contract { operations, schemas }
    }

    fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        let mut schema = schema;
        for _ in 0..8 {
            match schema.get("$ref").and_then(Value::as_str) {
                Some(r) => match r.strip_prefix("#/components/schemas/").and_then(|name| self.schemas.get(name)) {
                    Some(target) => schema = target,
                    None => return schema,
                },
                None => return schema,
            }
        }
        schema
    }

    /// Checks a JSON value against a schema, adding one message per offending field.
    fn check(&self, value: &Value, schema: &Value, field: &str, errors: &mut FieldErrors) {
        let schema = self.resolve(schema);
        for key in ["oneOf", "anyOf"] {
            if let Some(variants) = schema.get(key).and_then(Value::as_array) {
                let mut best: Option<FieldErrors> = None;
                for variant in variants {
                    let mut errs = FieldErrors::new();
                    self.check(value, variant, field, &mut errs);
                    if errs.is_empty() {
                        return;
                    }
                    if best.as_ref().is_none_or(|b| errs.len() < b.len()) {
                        best = Some(errs);
                    }
                }
                errors.extend(best.unwrap_or_default());
                return;
            }
        }
        if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
            for part in all {
                self.check(value, part, field, errors);
            }
        }
        if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
            if !allowed.contains(value) {
                let words: Vec<String> =
                    allowed.iter().map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())).collect();
                errors.insert(field.into(), format!("Use one of: {}.", words.join(", ")));
                return;
            }
        }
        if !type_matches(schema.get("type"), value) {
            errors.insert(field.into(), format!("Expected {}.", type_name(schema.get("type"))));
            return;
        }
        match value {
            Value::String(s) => check_string(s, schema, field, limits::MAX_ANY_TEXT, errors),
            Value::Number(n) => check_number(n.as_f64().unwrap_or(0.0), schema, field, errors),
            Value::Array(items) => {
                let max = schema.get("maxItems").and_then(Value::as_u64).map_or(limits::MAX_ANY_LIST, |m| m as usize);
                if items.len() > max {
                    errors.insert(field.into(), limits::too_many_message(max));
                    return;
                }
                let item_schema = schema.get("items").cloned().unwrap_or(json!({}));
                for (i, item) in items.iter().enumerate() {
                    self.check(item, &item_schema, &join(field, &i.to_string()), errors);
                }
            }
            Value::Object(fields) => {
                if fields.len() > limits::MAX_ANY_LIST {
                    errors.insert(field.into(), limits::too_many_message(limits::MAX_ANY_LIST));
                    return;
                }
                let properties = schema.get("properties").and_then(Value::as_object);
                let extra = schema.get("additionalProperties").filter(|v| v.is_object()).cloned();
                for (name, v) in fields {
                    let sub = join(field, name);
                    if let Some(err) = check_text(name, false, limits::MAX_PARAM) {
                        errors.insert(sub.clone(), err);
                        continue;
                    }
                    match properties.and_then(|p| p.get(name)).or(extra.as_ref()) {
                        Some(prop) => self.check(v, prop, &sub, errors),
                        None => self.check(v, &json!({}), &sub, errors),
                    }
                }
            }
            Value::Bool(_) | Value::Null => {}
        }
    }
}

fn join(field: &str, name: &str) -> String {
    if field.is_empty() {
        name.to_string()
    } else {
        format!("{field}.{name}")
    }
}

fn types_of(t: Option<&Value>) -> Vec<&str> {
    match t {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    }
}

fn type_matches(t: Option<&Value>, value: &Value) -> bool {
    let types = types_of(t);
    types.is_empty()
        || types.iter().any(|t| match *t {
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            "array" => value.is_array(),
            "object" => value.is_object(),
            "null" => value.is_null(),
            _ => true,
        })
}

fn type_name(t: Option<&Value>) -> String {
    let types = types_of(t);
    let words: Vec<&str> = types
        .iter()
        .map(|t| match *t {
            "string" => "text",
            "integer" => "a whole number",
            "number" => "a number",
            "boolean" => "true or false",
            "array" => "a list",
            "object" => "an object",
            other => other,
        })
        .collect();
    words.join(" or ")
}

/// The message for text over `max` characters or with a forbidden character.
fn check_text(s: &str, multiline: bool, max: usize) -> Option<String> {
    if !limits::within_chars(s, max) {
        return Some(limits::too_long_message(max));
    }
    limits::forbidden_character(s, multiline).map(limits::forbidden_character_message)
}

fn check_string(s: &str, schema: &Value, field: &str, default_max: usize, errors: &mut FieldErrors) {
    let max = schema.get("maxLength").and_then(Value::as_u64).map_or(default_max, |m| m as usize);
    let multiline = max >= limits::MULTILINE_FROM;
    if let Some(err) = check_text(s, multiline, max) {
        errors.insert(field.into(), err);
        return;
    }
    if let Some(min) = schema.get("minLength").and_then(Value::as_u64) {
        if s.chars().count() < min as usize {
            errors.insert(field.into(), format!("Use at least {min} characters."));
        }
    }
}

fn check_number(n: f64, schema: &Value, field: &str, errors: &mut FieldErrors) {
    if let Some(min) = schema.get("minimum").and_then(Value::as_f64) {
        if n < min {
            errors.insert(field.into(), format!("Use {min} or more."));
        }
    }
    if let Some(max) = schema.get("maximum").and_then(Value::as_f64) {
        if n > max {
            errors.insert(field.into(), format!("Use {max} or less."));
        }
    }
}

/// Checks a JSON body for the operation `method path` (the route's path template).
/// Bodies of undocumented operations get the generic bounds only.
pub fn check_body(method: &str, path: Option<&str>, body: &Value) -> FieldErrors {
    let contract = &*CONTRACT;
    let mut errors = FieldErrors::new();
    let schema = path
        .and_then(|p| contract.operations.get(&(method.to_string(), p.to_string())))
        .and_then(|op| op.body.clone())
        .unwrap_or(json!({}));
    contract.check(body, &schema, "", &mut errors);
    if let Some(message) = errors.remove("") {
        errors.insert("body".into(), message);
    }
    errors
}

/// Checks the decoded query-string pairs: documented parameters against their schema,
/// every value for length and control characters.
pub fn check_query(method: &str, path: Option<&str>, pairs: &[(String, String)]) -> FieldErrors {
    let op = path.and_then(|p| CONTRACT.operations.get(&(method.to_string(), p.to_string())));
    check_params(op.map(|o| o.query.as_slice()).unwrap_or_default(), pairs, true)
}

/// Checks the decoded path parameters like [`check_query`], but leaves a value of the
/// wrong type to the path extractor (a 400: the URL names no such resource).
pub fn check_path(method: &str, path: Option<&str>, pairs: &[(String, String)]) -> FieldErrors {
    let op = path.and_then(|p| CONTRACT.operations.get(&(method.to_string(), p.to_string())));
    check_params(op.map(|o| o.path.as_slice()).unwrap_or_default(), pairs, false)
}

fn check_params(documented: &[(String, Value)], pairs: &[(String, String)], typed: bool) -> FieldErrors {
    let mut errors = FieldErrors::new();
    for (name, value) in pairs {
        let field = if limits::forbidden_character(name, false).is_some() || name.len() > 100 {
            "query".to_string()
        } else {
            name.clone()
        };
        if field != *name {
            errors.insert(field, "A parameter name contains a control character or is too long.".into());
            continue;
        }
        let schema = documented.iter().find(|(n, _)| n == name).map(|(_, s)| CONTRACT.resolve(s));
        let schema = schema.cloned().unwrap_or(json!({}));
        let types = types_of(schema.get("type"));
        if let Some(err) = check_text(value, false, limits::MAX_PARAM) {
            errors.insert(field, err);
            continue;
        }
        let mut errs = FieldErrors::new();
        if types.contains(&"integer") && typed {
            match value.parse::<i64>() {
                Ok(n) => check_number(n as f64, &schema, &field, &mut errs),
                Err(_) => {
                    errs.insert(field.clone(), "Use a whole number.".into());
                }
            }
        } else if types.contains(&"string") {
            if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
                if !allowed.iter().any(|a| a.as_str() == Some(value)) {
                    let words: Vec<&str> = allowed.iter().filter_map(Value::as_str).collect();
                    errs.insert(field.clone(), format!("Use one of: {}.", words.join(", ")));
                }
            }
            check_string(value, &schema, &field, limits::MAX_PARAM, &mut errs);
        }
        errors.extend(errs);
    }
    errors
}

/// Writes core's [`limits::SCHEMA_LIMITS`] into the document's component schemas.
pub fn apply_limits(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::{ArrayItems, Schema};
    use utoipa::openapi::RefOr;
    let Some(components) = api.components.as_mut() else { return };
    for (schema, field, bound) in limits::SCHEMA_LIMITS {
        let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(*schema) else { continue };
        let Some(RefOr::T(prop)) = object.properties.get_mut(*field) else { continue };
        match (prop, *bound) {
            (Schema::Object(o), Bound::Length(max)) => o.max_length = Some(max),
            (Schema::Object(o), Bound::LengthRange(min, max)) => {
                o.min_length = Some(min);
                o.max_length = Some(max);
            }
            (Schema::Array(a), Bound::Items(max)) => a.max_items = Some(max),
            (Schema::Array(a), Bound::ItemsOfLength(max, len)) => {
                a.max_items = Some(max);
                if let ArrayItems::RefOrSchema(items) = &mut a.items {
                    if let RefOr::T(Schema::Object(o)) = items.as_mut() {
                        o.max_length = Some(len);
                    }
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_schema_limit_names_a_documented_property() {
        let doc = serde_json::to_value(crate::openapi::document()).unwrap();
        for (schema, field, _) in limits::SCHEMA_LIMITS {
            let prop = doc.pointer(&format!("/components/schemas/{schema}/properties/{field}"));
            assert!(prop.is_some(), "{schema}.{field} is not in the document");
        }
    }

    #[test]
    fn every_request_string_and_list_states_its_limit() {
        let doc = serde_json::to_value(crate::openapi::document()).unwrap();
        let contract = Contract::from_document(&doc);
        let mut unbounded = Vec::new();
        for ((method, path), op) in &contract.operations {
            if let Some(body) = &op.body {
                collect_unbounded(&contract, body, &format!("{method} {path}"), &mut unbounded, 0);
            }
        }
        unbounded.sort();
        unbounded.dedup();
        assert!(unbounded.is_empty(), "no maxLength/maxItems in the document: {unbounded:#?}");
    }

    fn collect_unbounded(c: &Contract, schema: &Value, at: &str, out: &mut Vec<String>, depth: usize) {
        if depth > 6 {
            return;
        }
        let s = c.resolve(schema);
        for key in ["oneOf", "anyOf", "allOf"] {
            for v in s.get(key).and_then(Value::as_array).into_iter().flatten() {
                collect_unbounded(c, v, at, out, depth + 1);
            }
        }
        let types = types_of(s.get("type"));
        if types.contains(&"string") && s.get("maxLength").is_none() && s.get("enum").is_none() {
            out.push(at.to_string());
        }
        if types.contains(&"array") {
            if s.get("maxItems").is_none() {
                out.push(at.to_string());
            }
            if let Some(items) = s.get("items") {
                collect_unbounded(c, items, &format!("{at}[]"), out, depth + 1);
            }
        }
        for (name, prop) in s.get("properties").and_then(Value::as_object).into_iter().flatten() {
            collect_unbounded(c, prop, &format!("{at}.{name}"), out, depth + 1);
        }
    }

    #[test]
    fn a_nul_in_a_body_string_is_named_by_its_path() {
        let errors = check_body("POST", None, &json!({"a": [{"b": "x\u{0}y"}]}));
        assert_eq!(errors.keys().collect::<Vec<_>>(), ["a.0.b"]);
    }

    #[test]
    fn a_body_of_the_wrong_type_is_refused() {
        let errors = check_body("PATCH", Some("/api/customers/{id}"), &json!([null, null]));
        assert!(errors.contains_key("body"), "{errors:?}");
    }

    #[test]
    fn too_many_domains_are_refused_naming_the_field_and_limit() {
        let domains: Vec<String> = (0..101).map(|i| format!("d{i}.example")).collect();
        let errors = check_body("POST", Some("/api/organizations"), &json!({"name": "A", "domains": domains}));
        assert_eq!(errors.get("domains").map(String::as_str), Some("Send at most 100 items."));
    }

    #[test]
    fn a_query_value_with_a_control_character_is_refused() {
        let errors = check_query("GET", Some("/api/customers"), &[("q".into(), "a\u{0}".into())]);
        assert!(errors.contains_key("q"));
    }
}
