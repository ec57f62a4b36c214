//! What an import does, decided from the rows and what the database holds: the
//! dry run reports it, the import writes it (planned again inside its write
//! transaction, so nothing changes between the plan and the write).
//!
//! The same rules as creating a customer by hand (`db::customers::insert`): a new
//! customer without an organization on the row joins the organization owning their
//! email domain (exact claim first, else the longest wildcard), or one created for
//! the domain when the admin switch is on and the domain is not a public provider.

use std::collections::{BTreeMap, HashMap, HashSet};

use orgdesk_core::api::import::{
    AccessReport, DryRunReport, ExistingMode, ImportOptions, RowProblem, UnmatchedValues, MAX_REPORTED_PROBLEMS,
    MAX_UNMATCHED_VALUES,
};
use orgdesk_core::customer::organization_name_key;
use orgdesk_core::domain::{best_match, candidate_claims, is_public_email_domain, normalize_host, Domain};
use orgdesk_core::import::row::{Columns, PropertyDef, RowError};
use orgdesk_core::import::RowValues;
use orgdesk_core::portal::OrgItemAccess;
use serde_json::Value;

/// A customer as the import finds them.
#[derive(Debug, Clone, PartialEq)]
pub struct ExistingCustomer {
    pub id: i64,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: String,
    pub organization: Option<i64>,
    pub position: String,
    pub manager: bool,
}

/// An organization as the import finds it.
#[derive(Debug, Clone, PartialEq)]
pub struct ExistingOrg {
    pub id: i64,
    pub name: String,
    pub parent: Option<i64>,
    pub visibility: Option<OrgItemAccess>,
    pub domains: Vec<String>,
    pub version: i64,
}

/// What the database holds that the rows touch.
#[derive(Debug, Default)]
pub struct Context {
    pub properties: Vec<PropertyDef>,
    pub auto_create: bool,
    pub extra_public: Vec<String>,
    /// By email.
    pub customers: HashMap<String, ExistingCustomer>,
    /// By name key.
    pub organizations: HashMap<String, ExistingOrg>,
    /// Name keys by id, of the organizations above.
    pub org_keys: HashMap<i64, String>,
    /// Every claimed domain that a row may meet: domain → organization id.
    pub claims: HashMap<String, i64>,
    /// Owners' names of the claims above (for messages).
    pub claim_owners: HashMap<i64, String>,
    /// (organization, property definition) → stored value.
    pub org_properties: HashMap<(i64, i64), Value>,
    /// Every organization's parent (only loaded when a parent column is mapped).
    pub parents: HashMap<i64, i64>,
    /// Organizations that follow a project (shared with them), when the portal shows project items.
    pub shared: HashSet<i64>,
    pub default_visibility: OrgItemAccess,
}

/// An organization a row refers to: one that exists, or one this import creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OrgRef {
    Existing(i64),
    New(usize),
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewOrg {
    pub name: String,
    pub key: String,
    pub domains: Vec<String>,
    pub parent: Option<OrgRef>,
    /// (definition id, value)
    pub properties: Vec<(i64, Value)>,
    /// Created for an email domain (not named by a row).
    pub auto: bool,
}

/// Changes to an organization that exists.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrgUpdate {
    pub add_domains: Vec<String>,
    /// The new parent, when it changes.
    pub parent: Option<OrgRef>,
    /// (definition id, new value)
    pub properties: Vec<(i64, Value)>,
    /// The organization gains members (for its history), without other changes.
    pub members_added: i64,
}

impl OrgUpdate {
    /// Whether the organization's own fields change (not only its members).
    pub fn changes_fields(&self) -> bool {
        !self.add_domains.is_empty() || self.parent.is_some() || !self.properties.is_empty()
    }
}

/// A membership to set: organization, position, manager.
#[derive(Debug, Clone, PartialEq)]
pub struct Membership {
    pub organization: OrgRef,
    pub position: String,
    pub manager: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewCustomer {
    pub line: i64,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: String,
    pub membership: Option<Membership>,
}

/// Changes to a customer that exists; `None` fields stay.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerUpdate {
    pub before: ExistingCustomer,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    /// The membership to have instead of the current one.
    pub membership: Option<Membership>,
}

/// Everything an import does, and the report about it.
#[derive(Debug, Default)]
pub struct Plan {
    pub new_orgs: Vec<NewOrg>,
    pub org_updates: BTreeMap<i64, OrgUpdate>,
    pub new_customers: Vec<NewCustomer>,
    pub customer_updates: Vec<CustomerUpdate>,
    /// Rows whose record is left as it is.
    pub skipped: i64,
    /// Organizations-file rows that create and update organizations.
    pub org_rows_created: i64,
    pub org_rows_updated: i64,
    /// Every rejected row, by line.
    pub problems: Vec<RowProblem>,
    pub unmatched: Vec<UnmatchedValues>,
    pub access: AccessReport,
    pub rows: i64,
}

/// One parsed row: its line and values, or why it is rejected.
pub struct ParsedRow {
    pub line: i64,
    pub values: Result<RowValues, RowError>,
}

struct Planner<'a> {
    ctx: &'a Context,
    options: &'a ImportOptions,
    columns: &'a Columns,
    headers: &'a [String],
    plan: Plan,
    new_org_keys: HashMap<String, usize>,
    /// Domains claimed by organizations this import creates or extends.
    new_claims: HashMap<String, OrgRef>,
    emails: HashMap<String, i64>,
    org_lines: HashMap<String, i64>,
    /// (organization, definition) already given a value by an earlier row.
    set_properties: HashSet<(OrgRef, i64)>,
    /// Parent names by organization, resolved once every row is read: (org, name, column).
    parent_names: Vec<(OrgRef, String, usize)>,
    unmatched: BTreeMap<usize, (Vec<String>, i64)>,
}

impl Planner<'_> {
    fn unmatched(&mut self, column: usize, value: &str) {
        let entry = self.unmatched.entry(column).or_default();
        if entry.0.len() < MAX_UNMATCHED_VALUES && !entry.0.iter().any(|v| v == value) {
            entry.0.push(value.to_string());
        }
        entry.1 += 1;
    }

    fn owner_name(&self, org: OrgRef) -> String {
        match org {
            OrgRef::Existing(id) => self.ctx.claim_owners.get(&id).cloned().unwrap_or_else(|| format!("#{id}")),
            OrgRef::New(i) => self.plan.new_orgs[i].name.clone(),
        }
    }

    /// Which organization owns `domain`, counting this import's claims.
    fn claim(&self, domain: &str) -> Option<OrgRef> {
        self.new_claims.get(domain).copied().or_else(|| self.ctx.claims.get(domain).map(|&id| OrgRef::Existing(id)))
    }

    /// The organization a row names: existing, created earlier in the file, or to
    /// create (when allowed). `Err` when unknown and creation is off.
    fn named_org(&self, name: &str, create: bool) -> Result<(OrgRef, bool), String> {
        let key = organization_name_key(name);
        if let Some(org) = self.ctx.organizations.get(&key) {
            return Ok((OrgRef::Existing(org.id), false));
        }
        if let Some(&i) = self.new_org_keys.get(&key) {
            return Ok((OrgRef::New(i), false));
        }
        if create {
            Ok((OrgRef::New(self.plan.new_orgs.len()), true))
        } else {
            Err(format!("Unknown organization \"{name}\": tick \"Create unknown organizations\" or create it first."))
        }
    }

    /// Domains of a row that another organization owns: the message for the first.
    fn domain_conflict(&self, org: OrgRef, domains: &[Domain]) -> Option<String> {
        domains.iter().find_map(|d| match self.claim(d.as_str()) {
            Some(owner) if owner != org => {
                Some(format!("{} already belongs to {}.", d.as_str(), self.owner_name(owner)))
            }
            _ => None,
        })
    }

    fn add_new_org(&mut self, name: &str, domains: Vec<String>, auto: bool) -> usize {
        let key = organization_name_key(name);
        let i = self.plan.new_orgs.len();
        for d in &domains {
            self.new_claims.insert(d.clone(), OrgRef::New(i));
        }
        self.plan.new_orgs.push(NewOrg {
            name: name.to_string(),
            key: key.clone(),
            domains,
            parent: None,
            properties: Vec::new(),
            auto,
        });
        self.new_org_keys.insert(key, i);
        i
    }

    /// The organization-level values of a row (domains, parent, properties) applied to
    /// `org` by the mode. Returns whether an existing organization's fields change.
    fn apply_org_values(&mut self, org: OrgRef, v: &RowValues) -> bool {
        let mode = self.options.existing;
        let mut changed = false;
        match org {
            OrgRef::New(i) => {
                if let Some(domains) = &v.domains {
                    for d in domains {
                        if !self.plan.new_orgs[i].domains.iter().any(|x| x == d.as_str()) {
                            self.plan.new_orgs[i].domains.push(d.as_str().to_string());
                            self.new_claims.insert(d.as_str().to_string(), org);
                        }
                    }
                }
            }
            OrgRef::Existing(id) if mode != ExistingMode::Skip => {
                let existing = &self.ctx.organizations[&self.ctx.org_keys[&id]];
                if let Some(domains) = &v.domains {
                    let may = mode == ExistingMode::Overwrite || existing.domains.is_empty();
                    if may {
                        for d in domains {
                            let d = d.as_str().to_string();
                            if self.claim(&d).is_none() {
                                self.new_claims.insert(d.clone(), org);
                                self.plan.org_updates.entry(id).or_default().add_domains.push(d);
                                changed = true;
                            }
                        }
                    }
                }
            }
            OrgRef::Existing(_) => {}
        }
        let may_write_existing = |planner: &Self, id: i64, def: i64| -> bool {
            match mode {
                ExistingMode::Skip => false,
                ExistingMode::FillEmpty => !planner.ctx.org_properties.contains_key(&(id, def)),
                ExistingMode::Overwrite => true,
            }
        };
        for (index, value) in &v.properties {
            let def = self.ctx.properties[*index].id;
            if !self.set_properties.insert((org, def)) {
                continue;
            }
            match org {
                OrgRef::New(i) => self.plan.new_orgs[i].properties.push((def, value.clone())),
                OrgRef::Existing(id) => {
                    if may_write_existing(self, id, def) && self.ctx.org_properties.get(&(id, def)) != Some(value) {
                        self.plan.org_updates.entry(id).or_default().properties.push((def, value.clone()));
                        changed = true;
                    }
                }
            }
        }
        if let (Some(parent), Some(c)) = (&v.parent, self.columns.parent) {
            let wants = match org {
                OrgRef::New(_) => true,
                OrgRef::Existing(id) => match mode {
                    ExistingMode::Skip => false,
                    ExistingMode::FillEmpty => !self.ctx.parents.contains_key(&id),
                    ExistingMode::Overwrite => true,
                },
            };
            if wants && !self.parent_names.iter().any(|(o, _, _)| *o == org) {
                self.parent_names.push((org, parent.clone(), c));
            }
        }
        changed
    }

    fn problem(&mut self, line: i64, reason: impl Into<String>, column: Option<usize>) {
        self.plan.problems.push(RowProblem { line, reason: reason.into(), column });
    }

    fn organization_row(&mut self, line: i64, v: RowValues) {
        let name = v.organization.clone().unwrap_or_default();
        let key = organization_name_key(&name);
        if let Some(first) = self.org_lines.get(&key) {
            let reason = format!("The organization {name} is also on line {first}.");
            return self.problem(line, reason, self.columns.organization);
        }
        self.org_lines.insert(key.clone(), line);
        let existing = self.ctx.organizations.get(&key).map(|o| o.id);
        let org = existing.map_or(OrgRef::New(self.plan.new_orgs.len()), OrgRef::Existing);
        if let Some(message) = v.domains.as_deref().and_then(|d| self.domain_conflict(org, d)) {
            return self.problem(line, message, self.columns.domains);
        }
        for (c, value) in &v.unmatched {
            self.unmatched(*c, value);
        }
        match existing {
            None => {
                let i = self.add_new_org(&name, Vec::new(), false);
                self.apply_org_values(OrgRef::New(i), &v);
                self.plan.org_rows_created += 1;
            }
            Some(_) if self.options.existing == ExistingMode::Skip => self.plan.skipped += 1,
            Some(_) => {
                if self.apply_org_values(org, &v) {
                    self.plan.org_rows_updated += 1;
                } else {
                    self.plan.skipped += 1;
                }
            }
        }
    }

    /// The organization a new customer without one on the row joins (the domain rules).
    fn associate(&mut self, email: &str) -> Option<OrgRef> {
        let host = email.rsplit_once('@').map(|(_, h)| h).unwrap_or("");
        let host = normalize_host(host).unwrap_or_else(|| host.to_string());
        let candidates = candidate_claims(&host);
        let claims: Vec<(Domain, OrgRef)> = candidates
            .iter()
            .filter_map(|c| self.claim(c).and_then(|org| Domain::parse(c).ok().map(|d| (d, org))))
            .collect();
        if let Some(d) = best_match(&host, claims.iter().map(|(d, _)| d)) {
            return claims.iter().find(|(c, _)| c == d).map(|(_, org)| *org);
        }
        if !self.ctx.auto_create || is_public_email_domain(&host, &self.ctx.extra_public) {
            return None;
        }
        let domain = Domain::parse(&host).ok()?;
        if let Some(existing) = self.ctx.organizations.get(&host) {
            // An organization already carries the domain's name: it gets the domain.
            let id = existing.id;
            self.new_claims.insert(domain.as_str().to_string(), OrgRef::Existing(id));
            self.plan.org_updates.entry(id).or_default().add_domains.push(domain.as_str().to_string());
            return Some(OrgRef::Existing(id));
        }
        if let Some(&i) = self.new_org_keys.get(&host) {
            self.new_claims.insert(domain.as_str().to_string(), OrgRef::New(i));
            self.plan.new_orgs[i].domains.push(domain.as_str().to_string());
            return Some(OrgRef::New(i));
        }
        Some(OrgRef::New(self.add_new_org(&host, vec![domain.as_str().to_string()], true)))
    }

    fn visibility(&self, org: OrgRef) -> OrgItemAccess {
        let own = match org {
            OrgRef::Existing(id) => self.ctx.org_keys.get(&id).and_then(|k| self.ctx.organizations[k].visibility),
            OrgRef::New(_) => None,
        };
        OrgItemAccess::effective(self.ctx.default_visibility, own)
    }

    /// Counts the access a customer gains by joining `org` (from `before`), as manager or not.
    fn count_access(&mut self, org: Option<OrgRef>, before: Option<i64>, manager: bool, was_manager: bool) {
        let Some(org) = org else { return };
        let joins = org != before.map_or(OrgRef::New(usize::MAX), OrgRef::Existing);
        if joins {
            if matches!(org, OrgRef::Existing(id) if self.ctx.shared.contains(&id)) {
                self.plan.access.joining_shared_organizations += 1;
            }
            if self.visibility(org) >= OrgItemAccess::Read {
                self.plan.access.joining_org_wide_visibility += 1;
            }
        }
        if manager && (joins || !was_manager) {
            self.plan.access.new_managers += 1;
        }
    }

    fn customer_row(&mut self, line: i64, v: RowValues) {
        let Some(email) = v.email.as_ref().map(|e| e.as_str().to_string()) else { return };
        if let Some(first) = self.emails.get(&email) {
            let reason = format!("{email} is also on line {first}.");
            return self.problem(line, reason, self.columns.email);
        }
        self.emails.insert(email.clone(), line);
        let existing = self.ctx.customers.get(&email);
        if existing.is_some() && self.options.existing == ExistingMode::Skip {
            self.plan.skipped += 1;
            return;
        }
        // The row's organization, checked before anything is planned.
        let named = match &v.organization {
            Some(name) => match self.named_org(name, self.options.create_organizations) {
                Ok(found) => Some(found),
                Err(message) => return self.problem(line, message, self.columns.organization),
            },
            None => None,
        };
        if let (Some((org, _)), Some(domains)) = (named, v.domains.as_deref()) {
            if let Some(message) = self.domain_conflict(org, domains) {
                return self.problem(line, message, self.columns.domains);
            }
        }
        for (c, value) in &v.unmatched {
            self.unmatched(*c, value);
        }
        let mut row_org = None;
        if let Some((org, create)) = named {
            if create {
                self.add_new_org(v.organization.as_deref().unwrap_or_default(), Vec::new(), false);
            }
            self.apply_org_values(org, &v);
            row_org = Some(org);
        }
        let manager = v.manager.unwrap_or(false);
        match existing.cloned() {
            None => {
                let org = row_org.or_else(|| self.associate(&email));
                self.count_access(org, None, manager, false);
                if let Some(OrgRef::Existing(id)) = org {
                    self.plan.org_updates.entry(id).or_default().members_added += 1;
                }
                self.plan.new_customers.push(NewCustomer {
                    line,
                    email,
                    first_name: v.first_name.unwrap_or_default(),
                    last_name: v.last_name.unwrap_or_default(),
                    phone: v.phone.unwrap_or_default(),
                    membership: org.map(|organization| Membership {
                        organization,
                        position: v.position.clone().unwrap_or_default(),
                        manager,
                    }),
                });
            }
            Some(c) => self.update_customer(c, v, row_org),
        }
    }

    fn update_customer(&mut self, c: ExistingCustomer, v: RowValues, row_org: Option<OrgRef>) {
        let fill = self.options.existing == ExistingMode::FillEmpty;
        let pick = |now: &str, new: Option<String>| -> Option<String> {
            let new = new?;
            let wanted = if fill { now.is_empty() } else { now != new };
            wanted.then_some(new)
        };
        let first_name = pick(&c.first_name, v.first_name.clone());
        let last_name = pick(&c.last_name, v.last_name.clone());
        let phone = pick(&c.phone, v.phone.clone());
        let current = c.organization.map(OrgRef::Existing);
        let target = match (fill, row_org, current) {
            // Fill: only a customer in no organization joins the row's.
            (true, Some(org), None) => Some(org),
            (true, _, cur) => cur,
            (false, Some(org), _) => Some(org),
            (false, None, cur) => cur,
        };
        let mut membership = None;
        if let Some(org) = target {
            if Some(org) != current {
                membership = Some(Membership {
                    organization: org,
                    position: v.position.clone().unwrap_or_default(),
                    manager: v.manager.unwrap_or(false),
                });
            } else {
                let position = match &v.position {
                    Some(p) if (fill && c.position.is_empty()) || (!fill && *p != c.position) => p.clone(),
                    _ => c.position.clone(),
                };
                let manager = match v.manager {
                    Some(m) if !fill => m,
                    _ => c.manager,
                };
                if position != c.position || manager != c.manager {
                    membership = Some(Membership { organization: org, position, manager });
                }
            }
        }
        if first_name.is_none() && last_name.is_none() && phone.is_none() && membership.is_none() {
            self.plan.skipped += 1;
            return;
        }
        if let Some(m) = &membership {
            let org = m.organization;
            self.count_access(Some(org), c.organization, m.manager, c.manager);
            if let OrgRef::Existing(id) = org {
                if Some(id) != c.organization {
                    self.plan.org_updates.entry(id).or_default().members_added += 1;
                }
            }
        }
        self.plan.customer_updates.push(CustomerUpdate { before: c, first_name, last_name, phone, membership });
    }

    /// Resolves parents by name once every organization of the file is known; unknown
    /// names and loops are unmatched values (the organization keeps its parent).
    fn resolve_parents(&mut self) {
        let names = std::mem::take(&mut self.parent_names);
        // Planned parents so far, for the loop check.
        let mut planned: HashMap<OrgRef, OrgRef> = HashMap::new();
        for (org, name, column) in names {
            let key = organization_name_key(&name);
            let parent = match self.ctx.organizations.get(&key) {
                Some(o) => OrgRef::Existing(o.id),
                None => match self.new_org_keys.get(&key) {
                    Some(&i) => OrgRef::New(i),
                    None => {
                        self.unmatched(column, &name);
                        continue;
                    }
                },
            };
            // Walk up from the parent: reaching `org` would make a loop.
            let mut at = Some(parent);
            let mut loops = false;
            for _ in 0..=orgdesk_core::hierarchy::MAX_DEPTH {
                let Some(here) = at else { break };
                if here == org {
                    loops = true;
                    break;
                }
                at = planned.get(&here).copied().or_else(|| match here {
                    OrgRef::Existing(id) => self.ctx.parents.get(&id).map(|&p| OrgRef::Existing(p)),
                    OrgRef::New(_) => None,
                });
            }
            if loops {
                self.unmatched(column, &name);
                continue;
            }
            match org {
                OrgRef::New(i) => self.plan.new_orgs[i].parent = Some(parent),
                OrgRef::Existing(id) => {
                    if self.ctx.parents.get(&id).map(|&p| OrgRef::Existing(p)) == Some(parent) {
                        continue;
                    }
                    self.plan.org_updates.entry(id).or_default().parent = Some(parent);
                }
            }
            planned.insert(org, parent);
        }
    }
}

/// Plans an import of `rows` (in file order, read one at a time) with `options` against `ctx`.
pub fn plan(
    rows: impl Iterator<Item = ParsedRow>,
    headers: &[String],
    columns: &Columns,
    options: &ImportOptions,
    ctx: &Context,
) -> Plan {
    let mut p = Planner {
        ctx,
        options,
        columns,
        headers,
        plan: Plan::default(),
        new_org_keys: HashMap::new(),
        new_claims: HashMap::new(),
        emails: HashMap::new(),
        org_lines: HashMap::new(),
        set_properties: HashSet::new(),
        parent_names: Vec::new(),
        unmatched: BTreeMap::new(),
    };
    for row in rows {
        p.plan.rows += 1;
        match row.values {
            Err((reason, column)) => p.problem(row.line, reason, column),
            Ok(v) if columns.is_customers() => p.customer_row(row.line, v),
            Ok(v) => p.organization_row(row.line, v),
        }
    }
    p.resolve_parents();
    let unmatched = std::mem::take(&mut p.unmatched);
    p.plan.unmatched = unmatched
        .into_iter()
        .map(|(column, (values, rows))| UnmatchedValues {
            column,
            header: p.headers.get(column).cloned().unwrap_or_default(),
            values,
            rows,
        })
        .collect();
    // Organizations whose only change was a domain claimed by auto-association keep it.
    p.plan.org_updates.retain(|_, u| u.changes_fields() || u.members_added > 0);
    p.plan.problems.sort_by_key(|p| p.line);
    p.plan
}

impl Plan {
    /// The dry run's report of this plan.
    pub fn report(&self, headers: &[String], columns: &Columns, customers_file: bool) -> DryRunReport {
        let (create, update) = if customers_file {
            (self.new_customers.len() as i64, self.customer_updates.len() as i64)
        } else {
            (self.org_rows_created, self.org_rows_updated)
        };
        DryRunReport {
            rows: self.rows,
            create,
            update,
            skip: self.skipped,
            organizations_to_create: self.new_orgs.len() as i64,
            invalid: self.problems.iter().take(MAX_REPORTED_PROBLEMS).cloned().collect(),
            invalid_total: self.problems.len() as i64,
            ignored_columns: columns
                .ignored
                .iter()
                .map(|&c| {
                    let h = headers.get(c).map(|h| h.trim()).unwrap_or("");
                    if h.is_empty() {
                        format!("Column {}", c + 1)
                    } else {
                        h.to_string()
                    }
                })
                .collect(),
            unmatched_values: self.unmatched.clone(),
            access: self.access.clone(),
        }
    }
}
