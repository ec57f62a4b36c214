//! Routing rules (migration 0011): an organization's own rules, the rules its
//! parents pass down ("also for child organizations"), and the property-targeted
//! rules of Administration > Routing; what they are read as (their references
//! resolved, broken ones explained), their changes (checked, versioned, audited),
//! and their evaluation when an item is created ([`apply::route_new_item`]).
//!
//! What a rule checks and does is stored as JSON (`RuleDefinition` with its format
//! number). A stored definition that does not parse, or has a format this build
//! does not know, never fails a request: the rule is shown with a broken reference
//! saying so, and evaluation skips it with a logged reason. Matching, precedence
//! and evaluation are core's (`orgdesk_core::routing`), the same code the editor's
//! dry run runs in the browser.

pub mod apply;
pub mod insight;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use orgdesk_core::api::audit::{AuditAction, AuditTarget};
use orgdesk_core::api::routing::{
    Action, Condition, CreateRoutingRuleRequest, EffectiveRule, PropertyTarget, RefKind, ResolvedRef, RoutingRule,
    RoutingSection, RuleDefinition, RuleOrigin, UpdateRoutingRuleRequest, MAX_PROPERTY_RULES,
    MAX_RULES_PER_ORGANIZATION, RULE_FORMAT_VERSION,
};
use orgdesk_core::hierarchy::MAX_DEPTH;
use orgdesk_core::properties::{PropertyDefinitionInput, PropertyKind};
use orgdesk_core::routing::{self as rules, Lookup, NameMap};
use orgdesk_core::FieldErrors;
use serde_json::{json, Value};

use crate::db::audit::{self, Actor};
use crate::db::organizations::history::{self, Entry};
use crate::db::projects::CUSTOMER_NAME;
use crate::db::tx::Exec;
use crate::db::{decode_word, query, Db, Tx};
use crate::error::ApiError;
use crate::time_fmt::rfc3339;

/// Where statements run: the pool (reads) or a write transaction; one function
/// serves both (the section read by the panel, and by item creation in its transaction).
pub trait Conn: Send {
    fn on(&mut self) -> Exec<'_>;
}

impl Conn for &Db {
    fn on(&mut self) -> Exec<'_> {
        Exec::from(*self)
    }
}

impl Conn for Tx {
    fn on(&mut self) -> Exec<'_> {
        Exec::from(self)
    }
}

/// Which list of rules a request is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Organization(i64),
    /// The property-targeted rules (Administration > Routing).
    Property,
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct RuleRow {
    id: i64,
    organization_id: Option<i64>,
    property_id: Option<i64>,
    target_value: Option<String>,
    name: String,
    enabled: bool,
    include_children: bool,
    position: i64,
    version: i64,
    definition: String,
    updated_at: i64,
}

const RULE_COLUMNS: &str = "id, organization_id, property_id, target_value, name, enabled, include_children, \
                            position, version, definition, updated_at";

/// A stored definition, or why it cannot be read.
fn parse_definition(text: &str) -> Result<RuleDefinition, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("its stored definition is not JSON ({e})"))?;
    let format = value.get("format").and_then(Value::as_u64);
    if format != Some(u64::from(RULE_FORMAT_VERSION)) {
        let shown = format.map_or_else(|| "none".to_string(), |f| f.to_string());
        return Err(format!("its stored definition has format {shown}, which this version does not know"));
    }
    serde_json::from_value(value).map_err(|e| format!("its stored definition cannot be read ({e})"))
}

fn definition_json(conditions: &[Condition], actions: &[Action]) -> String {
    let def =
        RuleDefinition { format: RULE_FORMAT_VERSION, conditions: conditions.to_vec(), actions: actions.to_vec() };
    serde_json::to_string(&def).unwrap_or_default()
}

/// A rule as read: the API shape (references not yet resolved) and, when its
/// definition is unreadable, why.
#[derive(Debug, Clone)]
struct Loaded {
    rule: RoutingRule,
    unreadable: Option<String>,
}

impl RuleRow {
    fn load(self) -> Loaded {
        let (conditions, actions, unreadable) = match parse_definition(&self.definition) {
            Ok(def) => (def.conditions, def.actions, None),
            Err(reason) => {
                tracing::debug!(rule_id = self.id, %reason, "routing rule definition unreadable");
                (Vec::new(), Vec::new(), Some(reason))
            }
        };
        let target = self
            .property_id
            .map(|property_id| PropertyTarget { property_id, value: self.target_value.clone().unwrap_or_default() });
        Loaded {
            rule: RoutingRule {
                id: self.id,
                name: self.name,
                enabled: self.enabled,
                organization_id: self.organization_id,
                include_children: self.include_children,
                target,
                conditions,
                actions,
                position: self.position,
                version: self.version,
                references: Vec::new(),
                updated_at: rfc3339(self.updated_at),
            },
            unreadable,
        }
    }
}

/// A property definition as rules need it.
#[derive(Debug, Clone)]
pub(crate) struct PropertyInfo {
    label: String,
    kind: PropertyKind,
    options: Vec<String>,
}

/// Every project, agent, customer, organization and property some rules name,
/// resolved in bulk: a name, or why it cannot be used. Core's [`Lookup`].
#[derive(Debug, Default)]
pub(crate) struct Names {
    map: NameMap,
    properties: HashMap<i64, PropertyInfo>,
}

impl Lookup for Names {
    fn resolve(&self, kind: RefKind, id: i64) -> Result<String, String> {
        self.map.resolve(kind, id)
    }
}

impl Names {
    /// Loads the names of everything `wanted` lists (kind, id): one query per kind.
    async fn load(c: &mut impl Conn, wanted: impl IntoIterator<Item = (RefKind, i64)>) -> Result<Names, sqlx::Error> {
        let mut by_kind: BTreeMap<RefKind, BTreeSet<i64>> = BTreeMap::new();
        for (kind, id) in wanted {
            by_kind.entry(kind).or_default().insert(id);
        }
        let ids = |kind| by_kind.get(&kind).cloned().unwrap_or_default();
        let mut names = Names::default();
        let wanted = ids(RefKind::Project);
        if !wanted.is_empty() {
            let mut q = query("SELECT id, name, archived FROM projects WHERE id IN (");
            q.push_list(wanted.iter().copied()).push(")");
            for (id, name, archived) in q.fetch_all::<(i64, String, bool)>(c.on()).await? {
                match archived {
                    true => names.map.unusable(RefKind::Project, id, format!("The project {name} is archived")),
                    false => names.map.usable(RefKind::Project, id, name),
                }
            }
        }
        let wanted = ids(RefKind::Agent);
        if !wanted.is_empty() {
            let mut q = query("SELECT id, name, active FROM agents WHERE id IN (");
            q.push_list(wanted.iter().copied()).push(")");
            for (id, name, active) in q.fetch_all::<(i64, String, bool)>(c.on()).await? {
                match active {
                    true => names.map.usable(RefKind::Agent, id, name),
                    false => names.map.unusable(RefKind::Agent, id, format!("{name} is deactivated")),
                }
            }
        }
        let wanted = ids(RefKind::Customer);
        if !wanted.is_empty() {
            let mut q = query(format!("SELECT c.id, {CUSTOMER_NAME} FROM customers c WHERE c.id IN ("));
            q.push_list(wanted.iter().copied()).push(")");
            for (id, name) in q.fetch_all::<(i64, String)>(c.on()).await? {
                names.map.usable(RefKind::Customer, id, name);
            }
        }
        let wanted = ids(RefKind::Organization);
        if !wanted.is_empty() {
            let mut q = query("SELECT id, name FROM organizations WHERE id IN (");
            q.push_list(wanted.iter().copied()).push(")");
            for (id, name) in q.fetch_all::<(i64, String)>(c.on()).await? {
                names.map.usable(RefKind::Organization, id, name);
            }
        }
        let wanted = ids(RefKind::Property);
        if !wanted.is_empty() {
            let mut q = query("SELECT id, label, kind, options FROM organization_property_definitions WHERE id IN (");
            q.push_list(wanted.iter().copied()).push(")");
            for (id, label, kind, options) in q.fetch_all::<(i64, String, String, String)>(c.on()).await? {
                let kind: PropertyKind = decode_word(&kind)?;
                let options: Vec<String> = serde_json::from_str(&options).unwrap_or_default();
                names.map.usable(RefKind::Property, id, label.clone());
                names.properties.insert(id, PropertyInfo { label, kind, options });
            }
        }
        Ok(names)
    }

    /// The references of `rule` resolved: its actions', its target's property, and
    /// an unreadable definition as a broken reference to its owner.
    fn resolve_rule(&self, loaded: &Loaded) -> Vec<ResolvedRef> {
        let rule = &loaded.rule;
        let mut out = Vec::new();
        if let Some(reason) = &loaded.unreadable {
            let (kind, id) = match (&rule.target, rule.organization_id) {
                (Some(t), _) => (RefKind::Property, t.property_id),
                (None, org) => (RefKind::Organization, org.unwrap_or_default()),
            };
            out.push(ResolvedRef { kind, id, name: None, broken: Some(format!("This rule is skipped: {reason}.")) });
        }
        if let Some(t) = &rule.target {
            let r = self.resolve(RefKind::Property, t.property_id);
            out.push(ResolvedRef { kind: RefKind::Property, id: t.property_id, name: r.clone().ok(), broken: r.err() });
        }
        for reference in rules::references(&rule.actions) {
            let r = self.resolve(reference.kind, reference.id);
            out.push(ResolvedRef { kind: reference.kind, id: reference.id, name: r.clone().ok(), broken: r.err() });
        }
        out
    }
}

/// Everything the rules `loaded` name.
fn wanted(loaded: &[&Loaded]) -> Vec<(RefKind, i64)> {
    let mut out = Vec::new();
    for l in loaded {
        if let Some(t) = &l.rule.target {
            out.push((RefKind::Property, t.property_id));
        }
        out.extend(rules::references(&l.rule.actions).into_iter().map(|r| (r.kind, r.id)));
    }
    out
}

/// An organization's routing as evaluation and the panel need it.
pub(crate) struct Section {
    pub section: RoutingSection,
    /// Rules (by id) whose stored definition cannot be read, with why.
    pub unreadable: HashMap<i64, String>,
    pub names: Names,
}

/// `$1`'s ancestors with their names, nearest first, at most `$2` levels.
const ANCESTORS: &str = "WITH RECURSIVE up(id, depth) AS ( \
      SELECT parent_id, CAST(1 AS BIGINT) FROM organizations WHERE id = $1 AND parent_id IS NOT NULL \
      UNION ALL SELECT o.parent_id, up.depth + 1 FROM up JOIN organizations o ON o.id = up.id \
      WHERE o.parent_id IS NOT NULL AND up.depth < $2) \
    SELECT up.id, o.name, up.depth FROM up JOIN organizations o ON o.id = up.id ORDER BY up.depth";

/// The property-targeted rules, in order (at most [`MAX_PROPERTY_RULES`] exist).
async fn property_rows(c: &mut impl Conn) -> Result<Vec<RuleRow>, sqlx::Error> {
    query(format!(
        "SELECT {RULE_COLUMNS} FROM routing_rules WHERE property_id IS NOT NULL ORDER BY position, id LIMIT $1"
    ))
    .bind(MAX_PROPERTY_RULES as i64 * 2)
    .fetch_all(c.on())
    .await
}

/// Organization `org`'s routing: its own rules, and every rule that applies to its
/// items in precedence order; `None` when there is no such organization. A fixed
/// handful of queries, whatever the number of rules.
pub(crate) async fn load_section(c: &mut impl Conn, org: i64) -> Result<Option<Section>, sqlx::Error> {
    let name: Option<String> = query("SELECT name FROM organizations WHERE id = $1 AND deleted_at IS NULL")
        .bind(org)
        .optional_scalar(c.on())
        .await?;
    if name.is_none() {
        return Ok(None);
    }
    let ancestors: Vec<(i64, String, i64)> =
        query(ANCESTORS).bind(org).bind(MAX_DEPTH as i64).fetch_all(c.on()).await?;
    let mut seen = HashSet::from([org]);
    let ancestors: Vec<(i64, String, i64)> = ancestors.into_iter().filter(|(id, _, _)| seen.insert(*id)).collect();
    let mut q = query(format!("SELECT {RULE_COLUMNS} FROM routing_rules WHERE organization_id IN ("));
    q.push_list(std::iter::once(org).chain(ancestors.iter().map(|a| a.0))).push(") ORDER BY position, id");
    let org_rows: Vec<RuleRow> = q.fetch_all(c.on()).await?;
    let property_rows = property_rows(c).await?;
    let values: Vec<(i64, String)> = if property_rows.is_empty() {
        Vec::new()
    } else {
        query("SELECT definition_id, value FROM organization_property_values WHERE organization_id = $1")
            .bind(org)
            .fetch_all(c.on())
            .await?
    };
    let values: HashMap<i64, Value> =
        values.into_iter().filter_map(|(d, v)| serde_json::from_str(&v).ok().map(|v| (d, v))).collect();

    let own: Vec<Loaded> =
        org_rows.iter().filter(|r| r.organization_id == Some(org)).cloned().map(RuleRow::load).collect();
    let inherited: Vec<(RuleOrigin, Loaded)> = org_rows
        .iter()
        .filter(|r| r.include_children && r.organization_id != Some(org))
        .filter_map(|r| {
            let (id, name, depth) = ancestors.iter().find(|a| Some(a.0) == r.organization_id)?;
            let origin =
                RuleOrigin::Inherited { organization_id: *id, organization_name: name.clone(), depth: *depth as u32 };
            Some((origin, r.clone().load()))
        })
        .collect();
    let property: Vec<Loaded> = property_rows.into_iter().map(RuleRow::load).collect();
    let mut all: Vec<&Loaded> = own.iter().chain(inherited.iter().map(|(_, l)| l)).collect();
    all.extend(property.iter());
    let names = Names::load(c, wanted(&all)).await?;

    let mut unreadable = HashMap::new();
    let mut finish = |l: &Loaded| {
        if let Some(reason) = &l.unreadable {
            unreadable.insert(l.rule.id, reason.clone());
        }
        let mut rule = l.rule.clone();
        rule.references = names.resolve_rule(l);
        rule
    };
    let own_rules: Vec<RoutingRule> = own.iter().map(&mut finish).collect();
    let mut effective: Vec<EffectiveRule> =
        own_rules.iter().map(|r| EffectiveRule { origin: RuleOrigin::Own, rule: r.clone() }).collect();
    for (origin, l) in &inherited {
        effective.push(EffectiveRule { origin: origin.clone(), rule: finish(l) });
    }
    for l in &property {
        let Some(target) = &l.rule.target else { continue };
        let Some(info) = names.properties.get(&target.property_id) else { continue };
        if rules::target_matches(target, info.kind, values.get(&target.property_id)) {
            let origin = RuleOrigin::Property { property_label: info.label.clone(), value: target.value.clone() };
            effective.push(EffectiveRule { origin, rule: finish(l) });
        }
    }
    rules::sort_by_precedence(&mut effective);
    Ok(Some(Section { section: RoutingSection { own: own_rules, effective }, unreadable, names }))
}

/// The panel's routing section; `None` when there is no such organization.
pub async fn section(db: &Db, org: i64) -> Result<Option<RoutingSection>, sqlx::Error> {
    let mut c = db;
    Ok(load_section(&mut c, org).await?.map(|s| s.section))
}

/// Every property-targeted rule, in order, references resolved.
pub async fn property_rules(db: &Db) -> Result<Vec<RoutingRule>, sqlx::Error> {
    let mut c = db;
    let loaded: Vec<Loaded> = property_rows(&mut c).await?.into_iter().map(RuleRow::load).collect();
    let names = Names::load(&mut c, wanted(&loaded.iter().collect::<Vec<_>>())).await?;
    Ok(loaded
        .iter()
        .map(|l| {
            let mut rule = l.rule.clone();
            rule.references = names.resolve_rule(l);
            rule
        })
        .collect())
}

/// One rule, read back after a change.
async fn read_rule(c: &mut impl Conn, id: i64) -> Result<Option<RoutingRule>, sqlx::Error> {
    let row: Option<RuleRow> = query(format!("SELECT {RULE_COLUMNS} FROM routing_rules WHERE id = $1"))
        .bind(id)
        .fetch_optional(c.on())
        .await?;
    let Some(loaded) = row.map(RuleRow::load) else { return Ok(None) };
    let names = Names::load(c, wanted(&[&loaded])).await?;
    let mut rule = loaded.rule.clone();
    rule.references = names.resolve_rule(&loaded);
    Ok(Some(rule))
}

/// The rule `id` in `scope`, in the transaction; `None` when it is not there.
async fn row_in_scope(tx: &mut Tx, scope: Scope, id: i64) -> Result<Option<RuleRow>, sqlx::Error> {
    let q = match scope {
        Scope::Organization(org) => {
            query(format!("SELECT {RULE_COLUMNS} FROM routing_rules WHERE id = $1 AND organization_id = $2"))
                .bind(id)
                .bind(org)
        }
        Scope::Property => {
            query(format!("SELECT {RULE_COLUMNS} FROM routing_rules WHERE id = $1 AND property_id IS NOT NULL"))
                .bind(id)
        }
    };
    q.fetch_optional(tx).await
}

/// Checks every reference of `actions` (each unusable one a 422 on its field).
async fn check_references(tx: &mut Tx, actions: &[Action], errors: &mut FieldErrors) -> Result<(), sqlx::Error> {
    let refs = rules::references(actions);
    if refs.is_empty() {
        return Ok(());
    }
    let names = Names::load(tx, refs.iter().map(|r| (r.kind, r.id))).await?;
    for r in refs {
        match names.map.get(r.kind, r.id) {
            None => {
                errors.insert(r.field, format!("No such {}.", r.kind.word()));
            }
            Some(Err(reason)) => {
                errors.insert(r.field, format!("{reason}: choose another."));
            }
            Some(Ok(_)) => {}
        }
    }
    Ok(())
}

/// Checks a property target against its definition; the value normalized.
async fn check_target(tx: &mut Tx, target: &PropertyTarget, errors: &mut FieldErrors) -> Result<String, sqlx::Error> {
    let names = Names::load(tx, [(RefKind::Property, target.property_id)]).await?;
    match names.properties.get(&target.property_id) {
        None => {
            errors.insert("target.property_id".into(), "No such property.".into());
            Ok(String::new())
        }
        Some(info) => {
            let def = PropertyDefinitionInput {
                label: info.label.clone(),
                kind: info.kind,
                required: false,
                options: info.options.clone(),
            };
            match rules::check_target_value(&def, &target.value) {
                Ok(v) => Ok(v),
                Err(e) => {
                    errors.insert("target.value".into(), e);
                    Ok(String::new())
                }
            }
        }
    }
}

fn rule_not_found() -> ApiError {
    ApiError::NotFound("There is no such routing rule.".into())
}

fn stale_rule() -> ApiError {
    ApiError::conflict_on("version", "Someone changed this rule: reload to see their changes, then edit again.")
}

/// The audit entry's words for a rule's place: its organization or its target.
fn place(scope: Scope, target: Option<&PropertyTarget>) -> Value {
    match (scope, target) {
        (Scope::Organization(org), _) => json!({ "organization_id": org }),
        (Scope::Property, Some(t)) => json!({ "property_id": t.property_id, "value": t.value }),
        (Scope::Property, None) => Value::Null,
    }
}

fn history_entry(org: i64, agent: Option<i64>, action: &'static str, summary: String, details: Value) -> Entry {
    Entry { organization: org, agent, action, summary, details }
}

/// Creates a rule at the end of its list: checked (core's rules, then every
/// reference and the target in the transaction), audited, and in the
/// organization's history. `Ok(None)` when the organization does not exist.
pub async fn create(
    db: &Db,
    scope: Scope,
    req: &CreateRoutingRuleRequest,
    actor: &Actor,
    now: i64,
) -> Result<Option<RoutingRule>, ApiError> {
    let (valid, mut errors) = match rules::validate_create(req) {
        Ok(v) => (Some(v), FieldErrors::new()),
        Err(e) => (None, e),
    };
    match (scope, &req.target) {
        (Scope::Organization(_), Some(_)) => {
            errors.insert(
                "target".into(),
                "An organization's rule has no property target; add property-targeted rules under Administration > Routing."
                    .into(),
            );
        }
        (Scope::Property, None) => {
            errors.insert("target.property_id".into(), "Choose the property organizations must match.".into());
        }
        _ => {}
    }
    let mut tx = db.begin_write().await?;
    let count: i64 = match scope {
        Scope::Organization(org) => {
            let exists: Option<i64> = query("SELECT id FROM organizations WHERE id = $1 AND deleted_at IS NULL")
                .bind(org)
                .optional_scalar(&mut tx)
                .await?;
            if exists.is_none() {
                return Ok(None);
            }
            query("SELECT COUNT(*) FROM routing_rules WHERE organization_id = $1").bind(org).scalar(&mut tx).await?
        }
        Scope::Property => {
            query("SELECT COUNT(*) FROM routing_rules WHERE property_id IS NOT NULL").scalar(&mut tx).await?
        }
    };
    let max = match scope {
        Scope::Organization(_) => MAX_RULES_PER_ORGANIZATION,
        Scope::Property => MAX_PROPERTY_RULES,
    };
    if count >= max as i64 {
        errors.insert(
            "name".into(),
            format!("There are already {max} rules here, the most there can be: remove one first."),
        );
    }
    if let Some(v) = &valid {
        check_references(&mut tx, &v.actions, &mut errors).await?;
    }
    let target_value = match (&req.target, scope) {
        (Some(t), Scope::Property) => Some(check_target(&mut tx, t, &mut errors).await?),
        _ => None,
    };
    let Some(valid) = valid.filter(|_| errors.is_empty()) else {
        return Err(ApiError::Validation(errors));
    };
    let (org, property_id) = match scope {
        Scope::Organization(org) => (Some(org), None),
        Scope::Property => (None, req.target.as_ref().map(|t| t.property_id)),
    };
    let position = match org {
        Some(org) => {
            query("SELECT COALESCE(MAX(position) + 1, 0) FROM routing_rules WHERE organization_id = $1").bind(org)
        }
        None => query("SELECT COALESCE(MAX(position) + 1, 0) FROM routing_rules WHERE property_id IS NOT NULL"),
    };
    let position: i64 = position.scalar(&mut tx).await?;
    let definition = definition_json(&valid.conditions, &valid.actions);
    let id: i64 = query(
        "INSERT INTO routing_rules (organization_id, property_id, target_value, name, enabled, include_children, \
         position, version, definition, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9, $10, $10) RETURNING id",
    )
    .bind(org)
    .bind(property_id)
    .bind(target_value.clone())
    .bind(&valid.name)
    .bind(req.enabled)
    .bind(req.include_children && org.is_some())
    .bind(position)
    .bind(&definition)
    .bind(actor.id)
    .bind(now)
    .scalar(&mut tx)
    .await?;
    let target = property_id.map(|p| PropertyTarget { property_id: p, value: target_value.unwrap_or_default() });
    let mut detail = place(scope, target.as_ref());
    if let Value::Object(map) = &mut detail {
        map.insert("definition".into(), serde_json::from_str(&definition).unwrap_or(Value::Null));
        map.insert("enabled".into(), json!(req.enabled));
    }
    let entry = actor.entry(AuditAction::RoutingRuleCreated, AuditTarget::RoutingRule, Some(id), &valid.name, detail);
    audit::record(&mut tx, &entry, now).await?;
    if let Some(org) = org {
        let e = history_entry(
            org,
            actor.id,
            "routing_rule_added",
            format!("Routing rule '{}' added", valid.name),
            json!({ "rule_id": id, "name": valid.name }),
        );
        history::record(&mut tx, &e, now).await?;
    }
    tx.commit().await?;
    let mut c = db;
    Ok(read_rule(&mut c, id).await?)
}

/// Applies a partial change to rule `id` in `scope` when it is still at
/// `req.version` (else 409 on `version`); the version goes up by one. Only the
/// actions and target sent are checked against what exists now, so a rule with a
/// broken reference can still be renamed or switched off.
pub async fn update(
    db: &Db,
    scope: Scope,
    id: i64,
    req: &UpdateRoutingRuleRequest,
    actor: &Actor,
    now: i64,
) -> Result<RoutingRule, ApiError> {
    let mut tx = db.begin_write().await?;
    if let Scope::Organization(org) = scope {
        let exists: Option<i64> = query("SELECT id FROM organizations WHERE id = $1 AND deleted_at IS NULL")
            .bind(org)
            .optional_scalar(&mut tx)
            .await?;
        if exists.is_none() {
            return Err(history::not_found());
        }
    }
    let Some(row) = row_in_scope(&mut tx, scope, id).await? else { return Err(rule_not_found()) };
    if row.version != req.version {
        return Err(stale_rule());
    }
    let before = row.clone().load();
    let name = req.name.as_deref().unwrap_or(&row.name);
    let conditions = req.conditions.as_deref().unwrap_or(&before.rule.conditions);
    let actions = req.actions.as_deref().unwrap_or(&before.rule.actions);
    let mut errors = FieldErrors::new();
    // A rule whose stored definition cannot be read keeps it unless the change
    // brings both its conditions and its actions (its name and switches still change).
    let keep_definition = before.unreadable.is_some() && req.conditions.is_none() && req.actions.is_none();
    if before.unreadable.is_some() && (req.conditions.is_none() != req.actions.is_none()) {
        return Err(ApiError::invalid(
            "actions",
            "This rule's stored definition cannot be read: send its conditions and actions together.",
        ));
    }
    let valid = if keep_definition {
        match rules::parse_rule_name(name) {
            Ok(name) => Some(rules::ValidRule { name, conditions: Vec::new(), actions: Vec::new() }),
            Err(e) => {
                errors.insert("name".into(), e);
                None
            }
        }
    } else {
        match rules::validate_rule(name, conditions, actions) {
            Ok(v) => Some(v),
            Err(e) => {
                errors.extend(e);
                None
            }
        }
    };
    if let (Some(v), Some(_)) = (&valid, &req.actions) {
        check_references(&mut tx, &v.actions, &mut errors).await?;
    }
    let target_value = match (scope, &req.target) {
        (Scope::Organization(_), Some(_)) => {
            errors.insert("target".into(), "An organization's rule has no property target.".into());
            None
        }
        (Scope::Property, Some(t)) => Some((t.property_id, check_target(&mut tx, t, &mut errors).await?)),
        _ => None,
    };
    let Some(valid) = valid.filter(|_| errors.is_empty()) else {
        return Err(ApiError::Validation(errors));
    };
    let enabled = req.enabled.unwrap_or(row.enabled);
    let include_children =
        matches!(scope, Scope::Organization(_)) && req.include_children.unwrap_or(row.include_children);
    let (property_id, value) = match target_value {
        Some((p, v)) => (row.property_id.map(|_| p), row.target_value.as_ref().map(|_| v)),
        None => (row.property_id, row.target_value.clone()),
    };
    let definition =
        if keep_definition { row.definition.clone() } else { definition_json(&valid.conditions, &valid.actions) };
    let done = query(
        "UPDATE routing_rules SET name = $3, enabled = $4, include_children = $5, property_id = $6, target_value = $7, \
         definition = $8, version = version + 1, updated_at = $9 WHERE id = $1 AND version = $2",
    )
    .bind(id)
    .bind(req.version)
    .bind(&valid.name)
    .bind(enabled)
    .bind(include_children)
    .bind(property_id)
    .bind(value.clone())
    .bind(&definition)
    .bind(now)
    .execute(&mut tx)
    .await?;
    if done != 1 {
        return Err(stale_rule());
    }
    let old_target =
        row.property_id.map(|p| PropertyTarget { property_id: p, value: row.target_value.clone().unwrap_or_default() });
    let new_target = property_id.map(|p| PropertyTarget { property_id: p, value: value.clone().unwrap_or_default() });
    let mut detail = place(scope, new_target.as_ref());
    if let Value::Object(map) = &mut detail {
        map.insert(
            "before".into(),
            json!({
                "name": row.name,
                "enabled": row.enabled,
                "include_children": row.include_children,
                "target": old_target,
                "definition": serde_json::from_str::<Value>(&row.definition).unwrap_or(Value::Null),
            }),
        );
        map.insert(
            "after".into(),
            json!({
                "name": valid.name,
                "enabled": enabled,
                "include_children": include_children,
                "target": new_target,
                "definition": serde_json::from_str::<Value>(&definition).unwrap_or(Value::Null),
            }),
        );
    }
    let entry = actor.entry(AuditAction::RoutingRuleChanged, AuditTarget::RoutingRule, Some(id), &valid.name, detail);
    audit::record(&mut tx, &entry, now).await?;
    if let Scope::Organization(org) = scope {
        let summary = if req.enabled.is_some_and(|e| e != row.enabled) && req.name.is_none() && req.actions.is_none() {
            format!("Routing rule '{}' {}", valid.name, if enabled { "enabled" } else { "disabled" })
        } else {
            format!("Routing rule '{}' changed", valid.name)
        };
        let e = history_entry(org, actor.id, "routing_rule_changed", summary, json!({ "rule_id": id }));
        history::record(&mut tx, &e, now).await?;
    }
    tx.commit().await?;
    let mut c = db;
    read_rule(&mut c, id).await?.ok_or_else(rule_not_found)
}

/// Deletes rule `id` of `scope`; false when it is not there. Its history lines stay
/// (they keep the rule's name).
pub async fn delete(db: &Db, scope: Scope, id: i64, actor: &Actor, now: i64) -> Result<bool, ApiError> {
    let mut tx = db.begin_write().await?;
    let Some(row) = row_in_scope(&mut tx, scope, id).await? else { return Ok(false) };
    query("DELETE FROM routing_rules WHERE id = $1").bind(id).execute(&mut tx).await?;
    let target =
        row.property_id.map(|p| PropertyTarget { property_id: p, value: row.target_value.clone().unwrap_or_default() });
    let mut detail = place(scope, target.as_ref());
    if let Value::Object(map) = &mut detail {
        map.insert("definition".into(), serde_json::from_str::<Value>(&row.definition).unwrap_or(Value::Null));
    }
    let entry = actor.entry(AuditAction::RoutingRuleDeleted, AuditTarget::RoutingRule, Some(id), &row.name, detail);
    audit::record(&mut tx, &entry, now).await?;
    if let Scope::Organization(org) = scope {
        let e = history_entry(
            org,
            actor.id,
            "routing_rule_deleted",
            format!("Routing rule '{}' deleted", row.name),
            json!({ "rule_id": id, "name": row.name }),
        );
        history::record(&mut tx, &e, now).await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// Puts the rules of `scope` in the order of `ids`, which must be exactly the
/// current set (else 422 on `ids`). `Ok(false)` when the organization does not exist.
pub async fn reorder(db: &Db, scope: Scope, ids: &[i64], actor: &Actor, now: i64) -> Result<bool, ApiError> {
    let mut tx = db.begin_write().await?;
    let current: Vec<(i64, String)> = match scope {
        Scope::Organization(org) => {
            let exists: Option<i64> = query("SELECT id FROM organizations WHERE id = $1 AND deleted_at IS NULL")
                .bind(org)
                .optional_scalar(&mut tx)
                .await?;
            if exists.is_none() {
                return Ok(false);
            }
            query("SELECT id, name FROM routing_rules WHERE organization_id = $1 ORDER BY position, id")
                .bind(org)
                .fetch_all(&mut tx)
                .await?
        }
        Scope::Property => {
            query("SELECT id, name FROM routing_rules WHERE property_id IS NOT NULL ORDER BY position, id")
                .fetch_all(&mut tx)
                .await?
        }
    };
    let wanted: HashSet<i64> = ids.iter().copied().collect();
    let have: HashSet<i64> = current.iter().map(|(id, _)| *id).collect();
    if wanted.len() != ids.len() || wanted != have {
        return Err(ApiError::invalid(
            "ids",
            "Send every rule id of this list exactly once. The rules may have changed: reload and try again.",
        ));
    }
    let before: Vec<i64> = current.iter().map(|(id, _)| *id).collect();
    if before != ids {
        for (position, id) in ids.iter().enumerate() {
            query("UPDATE routing_rules SET position = $2 WHERE id = $1")
                .bind(*id)
                .bind(position as i64)
                .execute(&mut tx)
                .await?;
        }
        let names: HashMap<i64, &str> = current.iter().map(|(id, n)| (*id, n.as_str())).collect();
        let order: Vec<&str> = ids.iter().filter_map(|id| names.get(id).copied()).collect();
        let label = match scope {
            Scope::Organization(_) => "Organization routing rules",
            Scope::Property => "Property-targeted routing rules",
        };
        let mut detail = place(scope, None);
        let d = json!({ "before": before, "after": ids, "names": order });
        match &mut detail {
            Value::Object(map) => {
                if let Value::Object(more) = d {
                    map.extend(more);
                }
            }
            other => *other = d,
        }
        let entry = actor.entry(AuditAction::RoutingRulesReordered, AuditTarget::RoutingRule, None, label, detail);
        audit::record(&mut tx, &entry, now).await?;
        if let Scope::Organization(org) = scope {
            let e = history_entry(
                org,
                actor.id,
                "routing_rules_reordered",
                format!("Routing rules reordered: {}", order.join(", ")),
                json!({ "ids": ids }),
            );
            history::record(&mut tx, &e, now).await?;
        }
    }
    tx.commit().await?;
    Ok(true)
}
