//! Custom properties of organizations and of customers: the definitions admins
//! write (a label, a kind, whether it is required, the options of a choice) and each
//! organization's or customer's values. One code for both, by [`Owner`]: each has
//! its own tables (`organization_property_*`, `customer_property_*`).
//!
//! A definition change must leave every stored value valid, so it is refused while
//! values depend on what it removes (a kind, an option in use), and a reordering of
//! a multiple choice's options rewrites the values in the new order. Values are
//! in-place edits of their owner: they check and bump its version and go into
//! its history, in one transaction.

use std::collections::{BTreeMap, HashSet};

use orgdesk_core::api::audit::{AuditAction, AuditTarget};
use orgdesk_core::api::organization::{PropertyDefinition, PropertyValue};
use orgdesk_core::properties::{validate_value, PropertyDefinitionInput, PropertyKind};
use orgdesk_core::FieldErrors;
use serde_json::{json, Value};

use orgdesk_core::word::Word;

use crate::db::audit::Actor;
use crate::db::customers::history as customer_history;
use crate::db::organizations::history::{self, check_and_bump_version, Entry};
use crate::db::{decode_err, decode_word};
use crate::db::{query, Db, OnUnique, Tx};
use crate::error::ApiError;

/// Whose properties: the same rules, different tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Organization,
    Customer,
}

impl Owner {
    fn definitions(self) -> &'static str {
        match self {
            Owner::Organization => "organization_property_definitions",
            Owner::Customer => "customer_property_definitions",
        }
    }

    fn values(self) -> &'static str {
        match self {
            Owner::Organization => "organization_property_values",
            Owner::Customer => "customer_property_values",
        }
    }

    /// The values' column naming their owner.
    fn column(self) -> &'static str {
        match self {
            Owner::Organization => "organization_id",
            Owner::Customer => "customer_id",
        }
    }

    /// "1 organization", "2 customers".
    fn count(self, n: i64) -> String {
        let (one, many) = match self {
            Owner::Organization => ("organization", "organizations"),
            Owner::Customer => ("customer", "customers"),
        };
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {many}")
        }
    }

    fn word(self) -> &'static str {
        match self {
            Owner::Organization => "organization",
            Owner::Customer => "customer",
        }
    }
}

/// A row of `organization_property_definitions` (also read by the panel's detail).
#[derive(sqlx::FromRow)]
pub(crate) struct DefinitionRow {
    id: i64,
    label: String,
    kind: String,
    required: bool,
    options: String,
    position: i64,
}

impl DefinitionRow {
    pub(crate) fn into_api(self) -> Result<PropertyDefinition, sqlx::Error> {
        Ok(PropertyDefinition {
            id: self.id,
            label: self.label,
            kind: decode_word(&self.kind)?,
            required: self.required,
            options: serde_json::from_str(&self.options).map_err(decode_err)?,
            position: self.position,
        })
    }
}

const DEFINITION_COLUMNS: &str = "id, label, kind, required, options, position";

fn label_taken_message(label: &str) -> String {
    format!("A property named {label} already exists.")
}

fn label_taken(label: &str) -> ApiError {
    ApiError::conflict_on("label", label_taken_message(label))
}

fn no_such_property() -> ApiError {
    ApiError::NotFound("There is no such property.".into())
}

/// The options a stored value chose: one for a single choice, any number for a multiple choice.
fn chosen_options(value: &Value) -> Vec<&str> {
    match value {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// What replacing definition `old` by `new` does to its stored `values` (each
/// `(organization, value as JSON text)`): the values to rewrite, as
/// `(organization, new value)`, or the 409 refusing the change: on `kind` when the
/// kind changes while organizations have values, on `options` when a removed option
/// is still chosen. A multiple choice's values follow the new order of its options.
fn value_rewrites(
    owner: Owner,
    old: &PropertyDefinition,
    new: &PropertyDefinitionInput,
    values: &[(i64, String)],
) -> Result<Vec<(i64, String)>, ApiError> {
    if old.kind != new.kind && !values.is_empty() {
        return Err(ApiError::conflict_on(
            "kind",
            format!(
                "{} {} a value for {}, so its kind cannot change. Empty those values first, or add a new property.",
                owner.count(values.len() as i64),
                if values.len() == 1 { "has" } else { "have" },
                old.label
            ),
        ));
    }
    if !(old.kind.has_options() && old.kind == new.kind) {
        return Ok(Vec::new());
    }
    // Sets, so the work is linear in the values and options, not their product.
    let kept: std::collections::HashSet<&str> = new.options.iter().map(String::as_str).collect();
    let removed: std::collections::HashSet<&str> =
        old.options.iter().map(String::as_str).filter(|o| !kept.contains(o)).collect();
    let mut using: BTreeMap<&str, i64> = BTreeMap::new();
    let mut rewrites: Vec<(i64, String)> = Vec::new();
    for (org, raw) in values {
        let value: Value = serde_json::from_str(raw).unwrap_or(Value::Null);
        let chosen = chosen_options(&value);
        let chosen_set: std::collections::HashSet<&str> = chosen.iter().copied().collect();
        for option in &chosen_set {
            if let Some(&option) = removed.get(*option) {
                *using.entry(option).or_default() += 1;
            }
        }
        if new.kind == PropertyKind::MultipleChoice {
            let ordered: Vec<&str> =
                new.options.iter().map(String::as_str).filter(|o| chosen_set.contains(o)).collect();
            if ordered != chosen {
                rewrites.push((*org, json!(ordered).to_string()));
            }
        }
    }
    if !using.is_empty() {
        let parts: Vec<String> =
            using.iter().map(|(option, n)| format!("\"{option}\" is used by {}", owner.count(*n))).collect();
        return Err(ApiError::conflict_on(
            "options",
            format!("{}. Change their values first, or keep the option.", parts.join("; ")),
        ));
    }
    Ok(rewrites)
}

/// Checks that `ids` holds each of the `existing` definition ids exactly once (else 422 `ids`).
fn check_order(existing: &[i64], ids: &[i64]) -> Result<(), ApiError> {
    let wanted: HashSet<i64> = ids.iter().copied().collect();
    let have: HashSet<i64> = existing.iter().copied().collect();
    if wanted.len() != ids.len() || wanted != have {
        return Err(ApiError::invalid(
            "ids",
            "Send every property id exactly once. The properties may have changed: reload and try again.",
        ));
    }
    Ok(())
}

/// Every property definition, in the admins' order.
pub async fn definitions(db: &Db, owner: Owner) -> Result<Vec<PropertyDefinition>, sqlx::Error> {
    let sql = format!("SELECT {DEFINITION_COLUMNS} FROM {} ORDER BY position, id", owner.definitions());
    let rows: Vec<DefinitionRow> = query(sql).fetch_all(db).await?;
    rows.into_iter().map(DefinitionRow::into_api).collect()
}

async fn definition(db: &Db, owner: Owner, id: i64) -> Result<Option<PropertyDefinition>, sqlx::Error> {
    let sql = format!("SELECT {DEFINITION_COLUMNS} FROM {} WHERE id = $1", owner.definitions());
    let row: Option<DefinitionRow> = query(sql).bind(id).fetch_optional(db).await?;
    row.map(DefinitionRow::into_api).transpose()
}

/// Adds a (validated) definition at the end of the order. 409 on `label` when taken.
pub async fn create_definition(
    db: &Db,
    owner: Owner,
    def: &PropertyDefinitionInput,
    now: i64,
) -> Result<PropertyDefinition, ApiError> {
    let key = def.label.to_lowercase();
    let options = serde_json::to_string(&def.options).unwrap_or_else(|_| "[]".into());
    let mut tx = db.begin_write().await?;
    let taken: Option<i64> = query(format!("SELECT id FROM {} WHERE label_key = $1", owner.definitions()))
        .bind(&key)
        .optional_scalar(&mut tx)
        .await?;
    if taken.is_some() {
        return Err(label_taken(&def.label));
    }
    let position: i64 =
        query(format!("SELECT COALESCE(MAX(position), 0) + 1 FROM {}", owner.definitions())).scalar(&mut tx).await?;
    let id: i64 = query(format!(
        "INSERT INTO {} (label, label_key, kind, required, options, position, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        owner.definitions()
    ))
    .bind(&def.label)
    .bind(&key)
    .bind(def.kind.as_str())
    .bind(def.required)
    .bind(&options)
    .bind(position)
    .bind(now)
    .scalar(&mut tx)
    .await
    .on_unique("label", || label_taken_message(&def.label))?;
    tx.commit().await?;
    definition(db, owner, id).await?.ok_or_else(no_such_property)
}

/// Replaces a definition's label, kind, required flag and options. Refused (409) when
/// the kind changes while organizations have values, or when a removed option is in use.
pub async fn update_definition(
    db: &Db,
    owner: Owner,
    id: i64,
    def: &PropertyDefinitionInput,
) -> Result<PropertyDefinition, ApiError> {
    let key = def.label.to_lowercase();
    let options = serde_json::to_string(&def.options).unwrap_or_else(|_| "[]".into());
    // On PostgreSQL the row lock orders this change after (or before) any value write
    // that read the old definition (see `set_properties`); SQLite serializes writers anyway.
    let lock = if matches!(db, Db::Postgres(..)) { " FOR UPDATE" } else { "" };
    let mut tx = db.begin_write().await?;
    let sql = format!("SELECT {DEFINITION_COLUMNS} FROM {} WHERE id = $1{lock}", owner.definitions());
    let row: Option<DefinitionRow> = query(sql).bind(id).fetch_optional(&mut tx).await?;
    let old = row.ok_or_else(no_such_property)?.into_api()?;
    let taken: Option<i64> = query(format!("SELECT id FROM {} WHERE label_key = $1 AND id <> $2", owner.definitions()))
        .bind(&key)
        .bind(id)
        .optional_scalar(&mut tx)
        .await?;
    if taken.is_some() {
        return Err(label_taken(&def.label));
    }
    let values: Vec<(i64, String)> =
        query(format!("SELECT {}, value FROM {} WHERE definition_id = $1", owner.column(), owner.values()))
            .bind(id)
            .fetch_all(&mut tx)
            .await?;
    for (org, value) in value_rewrites(owner, &old, def, &values)? {
        query(format!("UPDATE {} SET value = $1 WHERE {} = $2 AND definition_id = $3", owner.values(), owner.column()))
            .bind(value)
            .bind(org)
            .bind(id)
            .execute(&mut tx)
            .await?;
    }
    query(format!(
        "UPDATE {} SET label = $1, label_key = $2, kind = $3, required = $4, options = $5 WHERE id = $6",
        owner.definitions()
    ))
    .bind(&def.label)
    .bind(&key)
    .bind(def.kind.as_str())
    .bind(def.required)
    .bind(&options)
    .bind(id)
    .execute(&mut tx)
    .await
    .on_unique("label", || label_taken_message(&def.label))?;
    tx.commit().await?;
    definition(db, owner, id).await?.ok_or_else(no_such_property)
}

/// Deletes definition `id` and every value of it, recording it (with how many
/// organizations or customers had a value) in the audit log in the same transaction.
pub async fn delete_definition(db: &Db, owner: Owner, id: i64, actor: &Actor, now: i64) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let found: Option<(String, String)> =
        query(format!("SELECT label, kind FROM {} WHERE id = $1", owner.definitions()))
            .bind(id)
            .fetch_optional(&mut tx)
            .await?;
    let Some((label, kind)) = found else {
        return Ok(false);
    };
    let values: i64 = query(format!("SELECT COUNT(*) FROM {} WHERE definition_id = $1", owner.values()))
        .bind(id)
        .scalar(&mut tx)
        .await?;
    let detail = serde_json::json!({ "kind": kind, "values_erased": values, "of": owner.word() });
    let entry = actor.entry(AuditAction::PropertyDeleted, AuditTarget::Property, Some(id), label, detail);
    crate::db::audit::record(&mut tx, &entry, now).await?;
    query(format!("DELETE FROM {} WHERE definition_id = $1", owner.values())).bind(id).execute(&mut tx).await?;
    let done = query(format!("DELETE FROM {} WHERE id = $1", owner.definitions())).bind(id).execute(&mut tx).await?;
    tx.commit().await?;
    Ok(done > 0)
}

/// Puts the definitions in the order of `ids`, which must hold every id exactly once (else 422 `ids`).
pub async fn reorder_definitions(db: &Db, owner: Owner, ids: &[i64]) -> Result<Vec<PropertyDefinition>, ApiError> {
    let mut tx = db.begin_write().await?;
    let existing: Vec<i64> = query(format!("SELECT id FROM {}", owner.definitions())).scalars(&mut tx).await?;
    check_order(&existing, ids)?;
    for (i, id) in ids.iter().enumerate() {
        query(format!("UPDATE {} SET position = $1 WHERE id = $2", owner.definitions()))
            .bind(i as i64 + 1)
            .bind(*id)
            .execute(&mut tx)
            .await?;
    }
    tx.commit().await?;
    Ok(definitions(db, owner).await?)
}

/// Each of `values` checked against its definition in `defs`: the value to store
/// (`None` to empty it), or the errors by field `values.{id}`.
fn validate_values<'d>(
    defs: &'d BTreeMap<i64, PropertyDefinition>,
    values: &BTreeMap<i64, Value>,
) -> Result<Vec<(&'d PropertyDefinition, Option<Value>)>, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut normalized = Vec::new();
    for (id, raw) in values {
        let field = format!("values.{id}");
        match defs.get(id) {
            None => {
                errors.insert(field, "There is no such property. Reload to see the current properties.".into());
            }
            Some(def) => match validate_value(&def.rules(), raw) {
                Ok(v) => normalized.push((def, v)),
                Err(message) => {
                    errors.insert(field, message);
                }
            },
        }
    }
    if errors.is_empty() {
        Ok(normalized)
    } else {
        Err(errors)
    }
}

/// One property value changed on an organization.
struct ValueChange<'a> {
    label: &'a str,
    from: Option<Value>,
    to: Option<Value>,
}

/// The `properties_changed` history entry of `changes` on organization `org`; `None` when nothing changed.
fn properties_entry(org: i64, agent: i64, changes: &[ValueChange]) -> Option<Entry> {
    if changes.is_empty() {
        return None;
    }
    let labels: Vec<&str> = changes.iter().map(|c| c.label).collect();
    let changed: Vec<Value> = changes
        .iter()
        .map(|c| {
            json!({
                "property": c.label,
                "from": c.from.clone().unwrap_or(Value::Null),
                "to": c.to.clone().unwrap_or(Value::Null),
            })
        })
        .collect();
    Some(Entry {
        organization: org,
        agent: Some(agent),
        action: "properties_changed",
        summary: format!("Properties changed: {}", labels.join(", ")),
        details: json!({ "changed": changed }),
    })
}

/// Every defined property of `owner`'s kind in the admins' order, with the value of
/// the organization or customer `id` (`null` when empty).
pub async fn values_of(db: &Db, owner: Owner, id: i64) -> Result<Vec<PropertyValue>, sqlx::Error> {
    let values: Vec<(i64, String)> =
        query(format!("SELECT definition_id, value FROM {} WHERE {} = $1", owner.values(), owner.column()))
            .bind(id)
            .fetch_all(db)
            .await?;
    let values: BTreeMap<i64, Value> =
        values.into_iter().map(|(d, v)| (d, serde_json::from_str(&v).unwrap_or(Value::Null))).collect();
    Ok(definitions(db, owner)
        .await?
        .into_iter()
        .map(|definition| {
            let value = values.get(&definition.id).cloned().unwrap_or(Value::Null);
            PropertyValue { definition, value }
        })
        .collect())
}

/// Sets (or, with `null` or an empty value, empties) the given properties of
/// organization or customer `id`, each validated against its definition (422
/// `values.{id}`), in one transaction that checks and bumps the owner's version;
/// absent properties stay. What changed goes into the owner's history.
#[allow(clippy::too_many_arguments)]
pub async fn set_properties(
    db: &Db,
    owner: Owner,
    id: i64,
    version: i64,
    values: &BTreeMap<i64, Value>,
    agent: i64,
    now: i64,
) -> Result<(), ApiError> {
    // The definitions are share-locked on PostgreSQL, so an admin's concurrent change
    // (say, removing an option) cannot slip between this validation and the write.
    let lock = if matches!(db, Db::Postgres(..)) { " FOR SHARE" } else { "" };
    let mut tx = db.begin_write().await?;
    let sql = format!("SELECT {DEFINITION_COLUMNS} FROM {}{lock}", owner.definitions());
    let rows: Vec<DefinitionRow> = query(sql).fetch_all(&mut tx).await?;
    let defs: BTreeMap<i64, PropertyDefinition> =
        rows.into_iter().map(|r| r.into_api().map(|d| (d.id, d))).collect::<Result<_, _>>()?;
    let normalized = validate_values(&defs, values).map_err(ApiError::Validation)?;
    match owner {
        Owner::Organization => check_and_bump_version(&mut tx, id, version, now).await?,
        Owner::Customer => customer_history::check_and_bump_version(&mut tx, id, version).await?,
    }
    let (table, column) = (owner.values(), owner.column());
    let current: Vec<(i64, String)> = query(format!("SELECT definition_id, value FROM {table} WHERE {column} = $1"))
        .bind(id)
        .fetch_all(&mut tx)
        .await?;
    let current: BTreeMap<i64, Value> =
        current.into_iter().map(|(d, v)| (d, serde_json::from_str(&v).unwrap_or(Value::Null))).collect();
    let mut changes: Vec<ValueChange> = Vec::new();
    for (def, value) in normalized {
        let before = current.get(&def.id);
        if before == value.as_ref() {
            continue;
        }
        match &value {
            None => {
                query(format!("DELETE FROM {table} WHERE {column} = $1 AND definition_id = $2"))
                    .bind(id)
                    .bind(def.id)
                    .execute(&mut tx)
                    .await?;
            }
            Some(v) => {
                query(format!(
                    "INSERT INTO {table} ({column}, definition_id, value) VALUES ($1, $2, $3) \
                     ON CONFLICT ({column}, definition_id) DO UPDATE SET value = excluded.value"
                ))
                .bind(id)
                .bind(def.id)
                .bind(v.to_string())
                .execute(&mut tx)
                .await?;
            }
        }
        changes.push(ValueChange { label: def.label.as_str(), from: before.cloned(), to: value });
    }
    record_changes(&mut tx, owner, id, agent, &changes, now).await?;
    tx.commit().await?;
    Ok(())
}

/// The `properties_changed` entry of `changes` in the history of organization or customer `id`.
async fn record_changes(
    tx: &mut Tx,
    owner: Owner,
    id: i64,
    agent: i64,
    changes: &[ValueChange<'_>],
    now: i64,
) -> Result<(), sqlx::Error> {
    let Some(entry) = properties_entry(id, agent, changes) else {
        return Ok(());
    };
    match owner {
        Owner::Organization => history::record(tx, &entry, now).await,
        Owner::Customer => {
            let entry = customer_history::Entry {
                customer: id,
                agent: entry.agent,
                action: entry.action,
                summary: entry.summary,
                details: entry.details,
            };
            customer_history::record(tx, &[entry], now).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choice(kind: PropertyKind, options: &[&str]) -> PropertyDefinition {
        PropertyDefinition {
            id: 1,
            label: "Tier".into(),
            kind,
            required: false,
            options: options.iter().map(|o| o.to_string()).collect(),
            position: 1,
        }
    }

    fn input(kind: PropertyKind, options: &[&str]) -> PropertyDefinitionInput {
        PropertyDefinitionInput {
            label: "Tier".into(),
            kind,
            required: false,
            options: options.iter().map(|o| o.to_string()).collect(),
        }
    }

    fn conflict_field(e: ApiError) -> (String, String) {
        match e {
            ApiError::Conflict { fields, .. } => fields.into_iter().next().expect("one field"),
            other => panic!("expected a conflict, got {other:?}"),
        }
    }

    #[test]
    fn the_kind_cannot_change_while_organizations_have_values() {
        let old = choice(PropertyKind::Text, &[]);
        let values = vec![(10, "\"gold\"".to_string()), (11, "\"silver\"".to_string())];
        let (field, message) = conflict_field(
            value_rewrites(Owner::Organization, &old, &input(PropertyKind::Number, &[]), &values).unwrap_err(),
        );
        assert_eq!(field, "kind");
        assert!(message.starts_with("2 organizations have a value for Tier"), "{message}");
        let one = &values[..1];
        let (_, message) = conflict_field(
            value_rewrites(Owner::Organization, &old, &input(PropertyKind::Number, &[]), one).unwrap_err(),
        );
        assert!(message.starts_with("1 organization has a value for Tier"), "{message}");
    }

    #[test]
    fn the_kind_can_change_when_no_organization_has_a_value() {
        let old = choice(PropertyKind::Text, &[]);
        assert_eq!(
            value_rewrites(Owner::Organization, &old, &input(PropertyKind::SingleChoice, &["a"]), &[]).unwrap(),
            []
        );
    }

    #[test]
    fn a_removed_option_still_chosen_is_refused_naming_each_use() {
        let old = choice(PropertyKind::SingleChoice, &["gold", "silver", "bronze"]);
        let values = vec![(10, "\"gold\"".to_string()), (11, "\"gold\"".to_string()), (12, "\"bronze\"".to_string())];
        let new = input(PropertyKind::SingleChoice, &["silver"]);
        let (field, message) = conflict_field(value_rewrites(Owner::Organization, &old, &new, &values).unwrap_err());
        assert_eq!(field, "options");
        assert_eq!(
            message,
            "\"bronze\" is used by 1 organization; \"gold\" is used by 2 organizations. \
             Change their values first, or keep the option."
        );
    }

    #[test]
    fn an_unused_option_can_go_and_single_choices_are_not_rewritten() {
        let old = choice(PropertyKind::SingleChoice, &["gold", "silver"]);
        let values = vec![(10, "\"gold\"".to_string())];
        assert_eq!(
            value_rewrites(Owner::Organization, &old, &input(PropertyKind::SingleChoice, &["silver", "gold"]), &values)
                .unwrap(),
            []
        );
        assert_eq!(
            value_rewrites(Owner::Organization, &old, &input(PropertyKind::SingleChoice, &["gold"]), &values).unwrap(),
            []
        );
    }

    #[test]
    fn multiple_choices_follow_the_new_order_of_their_options() {
        let old = choice(PropertyKind::MultipleChoice, &["a", "b", "c"]);
        let values = vec![(10, "[\"a\",\"c\"]".to_string()), (11, "[\"b\"]".to_string())];
        let rewrites =
            value_rewrites(Owner::Organization, &old, &input(PropertyKind::MultipleChoice, &["c", "b", "a"]), &values)
                .unwrap();
        assert_eq!(rewrites, [(10, "[\"c\",\"a\"]".to_string())]);
    }

    #[test]
    fn an_order_needs_every_id_exactly_once() {
        assert!(check_order(&[1, 2, 3], &[3, 1, 2]).is_ok());
        assert!(check_order(&[], &[]).is_ok());
        for ids in [&[1, 2][..], &[1, 2, 3, 4], &[1, 1, 2, 3], &[1, 2, 2]] {
            match check_order(&[1, 2, 3], ids) {
                Err(ApiError::Validation(fields)) => assert!(fields.contains_key("ids"), "{ids:?}"),
                other => panic!("{ids:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn unknown_and_invalid_values_are_named_by_property() {
        let mut defs = BTreeMap::new();
        defs.insert(1, PropertyDefinition { id: 1, ..choice(PropertyKind::Number, &[]) });
        let values: BTreeMap<i64, Value> = [(1, json!("many")), (9, json!(3))].into_iter().collect();
        let errors = validate_values(&defs, &values).unwrap_err();
        assert_eq!(errors.keys().collect::<Vec<_>>(), ["values.1", "values.9"]);
        let emptied: BTreeMap<i64, Value> = [(1, Value::Null)].into_iter().collect();
        let ok = validate_values(&defs, &emptied).unwrap();
        assert_eq!(ok.len(), 1);
        assert_eq!(ok[0].1, None);
    }

    #[test]
    fn a_values_change_is_summarized_by_label_with_from_and_to() {
        assert_eq!(properties_entry(1, 2, &[]), None);
        let changes = [
            ValueChange { label: "Tier", from: None, to: Some(json!("gold")) },
            ValueChange { label: "Seats", from: Some(json!(5)), to: None },
        ];
        let entry = properties_entry(1, 2, &changes).unwrap();
        assert_eq!(entry.action, "properties_changed");
        assert_eq!(entry.agent, Some(2));
        assert_eq!(entry.summary, "Properties changed: Tier, Seats");
        assert_eq!(
            entry.details,
            json!({ "changed": [
                { "property": "Tier", "from": null, "to": "gold" },
                { "property": "Seats", "from": 5, "to": null },
            ] })
        );
    }
}
