//! Writing a planned import inside its one transaction: organizations, their
//! domains, parents and properties, customers and memberships in multi-row
//! statements of [`CHUNK`] rows; updates of existing records one by one; the change
//! log undo reads; a history entry for each affected organization; invitations only
//! when asked. Progress is reported after each chunk.

use crate::db::customers::history::{self as customer_history, CreatedBy};
use crate::db::customers::moves::Move;
use orgdesk_core::api::customer_profile::MoveVia;
use std::collections::{BTreeMap, HashMap};

use orgdesk_core::api::import::BatchCounts;
use orgdesk_core::customer::customer_sort_name;
use serde_json::{json, Value};

use super::plan::{Membership, OrgRef, Plan};
use super::{role_word, CHUNK};
use crate::db::{placeholders, query, Arg, Tx};
use crate::error::ApiError;

/// The body of an invitation for a first name and a token.
pub type InvitationBody = Box<dyn Fn(&str, &str) -> String + Send + Sync>;

/// The invitation each new customer gets, when the import sends them.
pub struct InvitationText {
    pub subject: String,
    pub body: InvitationBody,
}

/// Who imports what, and where progress goes.
pub struct Batch<'a> {
    pub id: i64,
    pub agent: i64,
    pub file_name: &'a str,
    pub now: i64,
    pub invitations: Option<InvitationText>,
    pub progress: &'a (dyn Fn(i64, i64) + Send + Sync),
    /// Test-only fault: fail after writing everything, before the commit.
    pub fail_at_end: bool,
}

fn text(s: &str) -> Arg {
    Arg::Text(Some(s.to_string()))
}

fn int(v: i64) -> Arg {
    Arg::Int(Some(v))
}

/// One row of `import_changes`, its values already JSON text (a parsed `Value` per
/// row would hold several times the memory for 100,000 rows).
struct Change {
    kind: &'static str,
    target: i64,
    before: String,
    after: String,
}

impl Change {
    fn new(kind: &'static str, target: i64, before: Value, after: Value) -> Change {
        Change { kind, target, before: before.to_string(), after: after.to_string() }
    }
}

/// The change log undo reads, written [`CHUNK`] rows at a time as the import goes
/// (not held for the whole file).
struct ChangeLog {
    batch: i64,
    pending: Vec<Change>,
}

impl ChangeLog {
    async fn push(&mut self, tx: &mut Tx, change: Change) -> Result<(), sqlx::Error> {
        self.pending.push(change);
        if self.pending.len() >= CHUNK {
            self.flush(tx).await?;
        }
        Ok(())
    }

    async fn flush(&mut self, tx: &mut Tx) -> Result<(), sqlx::Error> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let mut q = query("INSERT INTO import_changes (batch_id, kind, target_id, before, after) ");
        q.push_values(&self.pending, |c| {
            vec![int(self.batch), text(c.kind), int(c.target), text(&c.before), text(&c.after)]
        });
        q.execute(&mut *tx).await?;
        self.pending.clear();
        Ok(())
    }
}

/// The follows the manager role made for these customers, and their "follow every new
/// item of my organization" switch: what undo gives back with the role.
async fn manager_follows(tx: &mut Tx, ids: &[i64]) -> Result<HashMap<i64, (Vec<i64>, bool)>, sqlx::Error> {
    let mut out: HashMap<i64, (Vec<i64>, bool)> = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let sql = format!(
            "SELECT customer_id, item_id FROM item_followers WHERE source = 'manager' AND customer_id IN ({}) \
             ORDER BY customer_id, item_id",
            placeholders(1, chunk.len())
        );
        let rows: Vec<(i64, i64)> = query(sql).bind_all(chunk.iter().copied()).fetch_all(&mut *tx).await?;
        for (customer, item) in rows {
            out.entry(customer).or_default().0.push(item);
        }
        let sql = format!(
            "SELECT id FROM customers WHERE follow_organization_items = $1 AND id IN ({})",
            placeholders(2, chunk.len())
        );
        let following: Vec<i64> = query(sql).bind(true).bind_all(chunk.iter().copied()).scalars(&mut *tx).await?;
        for id in following {
            out.entry(id).or_default().1 = true;
        }
    }
    Ok(out)
}

/// Writes the plan; the caller commits. Returns the counts.
pub async fn write(tx: &mut Tx, plan: &Plan, batch: &Batch<'_>) -> Result<BatchCounts, ApiError> {
    let now = batch.now;
    let org_updates = plan.org_updates.values().filter(|u| u.changes_fields()).count();
    let total = (plan.new_orgs.len() + plan.new_customers.len() + plan.customer_updates.len() + org_updates) as i64;
    let mut done = 0i64;
    (batch.progress)(done, total);
    let mut changes = ChangeLog { batch: batch.id, pending: Vec::new() };

    // Organizations.
    let mut new_ids: Vec<i64> = Vec::with_capacity(plan.new_orgs.len());
    for chunk in plan.new_orgs.chunks(CHUNK) {
        let mut q = query("INSERT INTO organizations (name, name_key, created_at, updated_at, duplicate_key) ");
        q.push_values(chunk, |o| {
            vec![text(&o.name), text(&o.key), int(now), int(now), text(&orgdesk_core::duplicates::name_key(&o.name))]
        });
        q.push(" RETURNING id, name_key");
        let rows: Vec<(i64, String)> = q.fetch_all(&mut *tx).await?;
        let ids: HashMap<String, i64> = rows.into_iter().map(|(id, key)| (key, id)).collect();
        for o in chunk {
            let id = *ids.get(&o.key).ok_or_else(|| ApiError::Internal("organization not returned".into()))?;
            new_ids.push(id);
            changes.push(tx, Change::new("organization_created", id, json!({}), json!({"version": 1}))).await?;
        }
        done += chunk.len() as i64;
        (batch.progress)(done, total);
    }
    let org_id = |r: OrgRef| match r {
        OrgRef::Existing(id) => id,
        OrgRef::New(i) => new_ids[i],
    };
    let mut domains: Vec<(String, i64)> = Vec::new();
    let mut properties: Vec<(i64, i64, String)> = Vec::new();
    for (i, o) in plan.new_orgs.iter().enumerate() {
        domains.extend(o.domains.iter().map(|d| (d.clone(), new_ids[i])));
        properties.extend(o.properties.iter().map(|(def, v)| (new_ids[i], *def, v.to_string())));
        if let Some(parent) = o.parent {
            query("UPDATE organizations SET parent_id = $1 WHERE id = $2")
                .bind(org_id(parent))
                .bind(new_ids[i])
                .execute(&mut *tx)
                .await?;
        }
    }
    // Existing organizations: their previous values first, for undo.
    for (&id, u) in &plan.org_updates {
        domains.extend(u.add_domains.iter().map(|d| (d.clone(), id)));
        if !u.changes_fields() {
            continue;
        }
        let mut before = serde_json::Map::new();
        let mut after = serde_json::Map::new();
        if !u.add_domains.is_empty() {
            after.insert("domains_added".into(), json!(u.add_domains));
        }
        if let Some(parent) = u.parent {
            let old: Option<i64> =
                query("SELECT parent_id FROM organizations WHERE id = $1").bind(id).scalar(&mut *tx).await?;
            before.insert("parent_id".into(), json!(old));
            query("UPDATE organizations SET parent_id = $1 WHERE id = $2")
                .bind(org_id(parent))
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        let mut old_props = serde_json::Map::new();
        for (def, value) in &u.properties {
            let old: Option<String> = query(
                "SELECT value FROM organization_property_values WHERE organization_id = $1 AND definition_id = $2",
            )
            .bind(id)
            .bind(*def)
            .optional_scalar(&mut *tx)
            .await?;
            let old: Value = old.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or(Value::Null);
            old_props.insert(def.to_string(), old);
            properties.push((id, *def, value.to_string()));
        }
        if !old_props.is_empty() {
            before.insert("properties".into(), Value::Object(old_props));
        }
        let version: i64 =
            query("UPDATE organizations SET version = version + 1, updated_at = $1 WHERE id = $2 RETURNING version")
                .bind(now)
                .bind(id)
                .scalar(&mut *tx)
                .await?;
        after.insert("version".into(), json!(version));
        changes.push(tx, Change::new("organization_updated", id, before.into(), after.into())).await?;
        done += 1;
    }
    for chunk in domains.chunks(CHUNK) {
        let mut q = query("INSERT INTO organization_domains (domain, organization_id, root) ");
        q.push_values(chunk, |(d, org)| {
            vec![text(d), int(*org), text(&orgdesk_core::duplicates::domain_root(d).unwrap_or_default())]
        });
        q.execute(&mut *tx).await.map_err(domain_taken)?;
    }
    for chunk in properties.chunks(CHUNK) {
        let mut q = query("INSERT INTO organization_property_values (organization_id, definition_id, value) ");
        q.push_values(chunk, |(org, def, v)| vec![int(*org), int(*def), text(v)]);
        q.push(" ON CONFLICT (organization_id, definition_id) DO UPDATE SET value = excluded.value");
        q.execute(&mut *tx).await?;
    }
    (batch.progress)(done, total);

    // New customers and their memberships.
    let mut created = 0i64;
    let mut invitations_sent = 0i64;
    let mut members_added: BTreeMap<i64, i64> = BTreeMap::new();
    // Organizations existing customers left for another one of the file.
    let mut members_left: BTreeMap<i64, i64> = BTreeMap::new();
    // The customers' own history: created, invited, and organization changes by target.
    let mut customer_entries: Vec<customer_history::Entry> = Vec::new();
    let mut customer_moves: BTreeMap<Option<i64>, Vec<Move>> = BTreeMap::new();
    for chunk in plan.new_customers.chunks(CHUNK) {
        let mut q = query(
            "INSERT INTO customers (email, first_name, last_name, first_key, last_key, sort_name, phone, created_at) ",
        );
        q.push_values(chunk, |c| {
            vec![
                text(&c.email),
                text(&c.first_name),
                text(&c.last_name),
                text(&c.first_name.to_lowercase()),
                text(&c.last_name.to_lowercase()),
                text(&customer_sort_name(&c.first_name, &c.last_name, &c.email)),
                text(&c.phone),
                int(now),
            ]
        });
        q.push(" RETURNING id, email");
        let rows: Vec<(i64, String)> = q.fetch_all(&mut *tx).await.map_err(email_taken)?;
        let ids: HashMap<String, i64> = rows.into_iter().map(|(id, e)| (e, id)).collect();
        let mut memberships: Vec<(i64, i64, &str, bool)> = Vec::new();
        for c in chunk {
            let id = *ids.get(&c.email).ok_or_else(|| ApiError::Internal("customer not returned".into()))?;
            let after = match &c.membership {
                Some(m) => {
                    let org = org_id(m.organization);
                    memberships.push((id, org, &m.position, m.manager));
                    *members_added.entry(org).or_default() += 1;
                    json!({"first_name": c.first_name, "last_name": c.last_name, "phone": c.phone,
                        "organization_id": org, "position": m.position, "manager": m.manager})
                }
                None => json!({"first_name": c.first_name, "last_name": c.last_name, "phone": c.phone,
                    "organization_id": null, "position": "", "manager": false}),
            };
            changes.push(tx, Change::new("customer_created", id, json!({}), after)).await?;
            customer_entries.push(customer_history::created(id, CreatedBy::Import(Some(batch.agent)), None));
            let to = c.membership.as_ref().map(|m| org_id(m.organization));
            if to.is_some() {
                customer_moves.entry(to).or_default().push((id, None));
            }
        }
        if !memberships.is_empty() {
            let mut q = query("INSERT INTO memberships (customer_id, organization_id, position, role) ");
            q.push_values(&memberships, |(c, o, p, m)| vec![int(*c), int(*o), text(p), text(role_word(*m))]);
            q.execute(&mut *tx).await?;
        }
        if let Some(inv) = &batch.invitations {
            invitations_sent += invite(tx, chunk.iter().map(|c| (ids[&c.email], c)), inv, now).await?;
            customer_entries.extend(
                chunk.iter().map(|c| customer_history::invitation_sent(ids[&c.email], Some(batch.agent), &c.email)),
            );
        }
        created += chunk.len() as i64;
        done += chunk.len() as i64;
        (batch.progress)(done, total);
    }

    // Existing customers, one by one. Whoever moves or stops being a manager loses the
    // follows the manager role made (the rule of every other path).
    let demoted: Vec<i64> = plan
        .customer_updates
        .iter()
        .filter(|u| {
            u.before.manager
                && u.membership.as_ref().is_some_and(|m| {
                    !m.manager || m.organization != OrgRef::Existing(u.before.organization.unwrap_or(-1))
                })
        })
        .map(|u| u.before.id)
        .collect();
    let mut dropped_follows = manager_follows(tx, &demoted).await?;
    crate::db::portal_policy::drop_manager_follows(tx, &demoted).await?;
    for u in &plan.customer_updates {
        let c = &u.before;
        let first = u.first_name.as_deref().unwrap_or(&c.first_name);
        let last = u.last_name.as_deref().unwrap_or(&c.last_name);
        let phone = u.phone.as_deref().unwrap_or(&c.phone);
        query(
            "UPDATE customers SET first_name = $1, last_name = $2, first_key = $3, last_key = $4, sort_name = $5, \
             phone = $6 WHERE id = $7",
        )
        .bind(first)
        .bind(last)
        .bind(first.to_lowercase())
        .bind(last.to_lowercase())
        .bind(customer_sort_name(first, last, &c.email))
        .bind(phone)
        .bind(c.id)
        .execute(&mut *tx)
        .await?;
        let (org, position, manager) = match &u.membership {
            Some(Membership { organization, position, manager }) => {
                let org = org_id(*organization);
                if Some(org) == c.organization {
                    query("UPDATE memberships SET position = $1, role = $2 WHERE customer_id = $3")
                        .bind(position.as_str())
                        .bind(role_word(*manager))
                        .bind(c.id)
                        .execute(&mut *tx)
                        .await?;
                } else {
                    query("DELETE FROM memberships WHERE customer_id = $1").bind(c.id).execute(&mut *tx).await?;
                    query("INSERT INTO memberships (customer_id, organization_id, position, role) VALUES ($1, $2, $3, $4)")
                        .bind(c.id)
                        .bind(org)
                        .bind(position.as_str())
                        .bind(role_word(*manager))
                        .execute(&mut *tx)
                        .await?;
                    *members_added.entry(org).or_default() += 1;
                    customer_moves.entry(Some(org)).or_default().push((c.id, c.organization));
                    if let Some(old) = c.organization {
                        *members_left.entry(old).or_default() += 1;
                    }
                }
                (Some(org), position.clone(), *manager)
            }
            None => (c.organization, c.position.clone(), c.manager),
        };
        let mut before = json!({"first_name": c.first_name, "last_name": c.last_name, "phone": c.phone,
            "organization_id": c.organization, "position": c.position, "manager": c.manager});
        if let Some((items, switch)) = dropped_follows.remove(&c.id) {
            before["manager_follows"] = json!(items);
            before["follow_organization_items"] = json!(switch);
        }
        let after = json!({"first_name": first, "last_name": last, "phone": phone,
            "organization_id": org, "position": position, "manager": manager});
        changes.push(tx, Change::new("customer_updated", c.id, before, after)).await?;
        done += 1;
        if done % CHUNK as i64 == 0 {
            (batch.progress)(done, total);
        }
    }
    (batch.progress)(done, total);

    // The rest of the change log, the customers' and organizations' history, the batch.
    changes.flush(tx).await?;
    customer_history::record(tx, &customer_entries, now).await?;
    for (to, moves) in &customer_moves {
        customer_history::record_moves(tx, moves, *to, Some(batch.agent), MoveVia::Import, now).await?;
    }
    let mut history: Vec<(i64, String, String)> = Vec::new();
    for (i, o) in plan.new_orgs.iter().enumerate() {
        let n = members_added.remove(&new_ids[i]).unwrap_or(0);
        let how = if o.auto { " for its email domain" } else { "" };
        let summary = format!("Created by the import of {}{how}, with {n} {}", batch.file_name, members(n));
        history.push((new_ids[i], summary, json!({"batch_id": batch.id, "members_added": n}).to_string()));
    }
    for (&id, u) in &plan.org_updates {
        let n = members_added.remove(&id).unwrap_or(0);
        let mut parts = Vec::new();
        if n > 0 {
            parts.push(format!("{n} {} added", members(n)));
        }
        if !u.add_domains.is_empty() {
            parts.push(format!("domains {} added", u.add_domains.join(", ")));
        }
        if u.parent.is_some() {
            parts.push("parent set".into());
        }
        if !u.properties.is_empty() {
            parts.push("properties changed".into());
        }
        if parts.is_empty() {
            continue;
        }
        let summary = format!("Import of {}: {}", batch.file_name, parts.join("; "));
        history.push((id, summary, json!({"batch_id": batch.id, "members_added": n}).to_string()));
    }
    // Members moved into organizations the plan did not list (an existing customer's move).
    for (id, n) in members_added {
        let summary = format!("Import of {}: {n} {} added", batch.file_name, members(n));
        history.push((id, summary, json!({"batch_id": batch.id, "members_added": n}).to_string()));
    }
    for (id, n) in members_left {
        let summary = format!("Import of {}: {n} {} moved to another organization", batch.file_name, members(n));
        history.push((id, summary, json!({"batch_id": batch.id, "members_moved_out": n}).to_string()));
    }
    for chunk in history.chunks(CHUNK) {
        let mut q = query(
            "INSERT INTO organization_history (organization_id, agent_id, action, summary, details, created_at) ",
        );
        q.push_values(chunk, |(org, summary, details)| {
            vec![int(*org), int(batch.agent), text("imported"), text(summary), text(details), int(now)]
        });
        q.execute(&mut *tx).await?;
    }
    let counts = BatchCounts {
        created_customers: created,
        updated_customers: plan.customer_updates.len() as i64,
        skipped: plan.skipped,
        invalid: plan.problems.len() as i64,
        created_organizations: plan.new_orgs.len() as i64,
        updated_organizations: plan.org_updates.values().filter(|u| u.changes_fields()).count() as i64,
        invitations_sent,
    };
    if batch.fail_at_end {
        // A constraint violation at write time, after every row was written.
        query("INSERT INTO customers (email, created_at) VALUES ($1, $2)")
            .bind(plan.new_customers.last().map_or("nobody@example.invalid", |c| c.email.as_str()))
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(email_taken)?;
    }
    query("UPDATE import_batches SET status = 'done', counts = $1, finished_at = $2 WHERE id = $3")
        .bind(serde_json::to_string(&counts).unwrap_or_default())
        .bind(now)
        .bind(batch.id)
        .execute(&mut *tx)
        .await?;
    Ok(counts)
}

fn members(n: i64) -> &'static str {
    if n == 1 {
        "member"
    } else {
        "members"
    }
}

fn domain_taken(e: sqlx::Error) -> ApiError {
    if crate::db::is_unique_violation(&e) {
        ApiError::conflict_on(
            "file",
            "A domain of the file was just claimed by another organization. Run the dry run again.",
        )
    } else {
        e.into()
    }
}

fn email_taken(e: sqlx::Error) -> ApiError {
    if crate::db::is_unique_violation(&e) {
        ApiError::conflict_on("file", "A customer with an email of the file was just created. Run the dry run again.")
    } else {
        e.into()
    }
}

/// Queues an invitation for each new customer: (id, customer).
async fn invite<'a>(
    tx: &mut Tx,
    customers: impl Iterator<Item = (i64, &'a super::plan::NewCustomer)>,
    inv: &InvitationText,
    now: i64,
) -> Result<i64, ApiError> {
    let expires = now + 7 * 24 * 3600 * 1000;
    let mut tokens: Vec<Vec<Arg>> = Vec::new();
    let mut outbox: Vec<Vec<Arg>> = Vec::new();
    for (id, c) in customers {
        let token = crate::auth::random_token(32);
        tokens.push(vec![text(&crate::auth::token_hash(&token)), int(id), int(now), int(expires)]);
        let body = (inv.body)(&c.first_name, &token);
        outbox.push(vec![
            text("invitation"),
            text(&c.email),
            text(&inv.subject),
            text(&body),
            int(id),
            text("pending"),
            int(0),
            int(now),
            int(now),
        ]);
    }
    if tokens.is_empty() {
        return Ok(0);
    }
    let n = tokens.len() as i64;
    let mut q = query("INSERT INTO invitations (token_hash, customer_id, created_at, expires_at) ");
    q.push_values(tokens, |t| t);
    q.execute(&mut *tx).await?;
    let mut q = query(
        "INSERT INTO outbox (kind, recipient, subject, body, customer_id, status, attempts, next_attempt_at, created_at) ",
    );
    q.push_values(outbox, |t| t);
    q.execute(&mut *tx).await?;
    Ok(n)
}
