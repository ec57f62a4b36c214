//! Routing a new item: inside the transaction that creates it, the rules that apply
//! to its organization (own, inherited, property-targeted, in precedence order) run
//! once over it with core's `evaluate`; what they change is written, and every
//! effect and every skipped rule becomes a line of the item's history. Nothing an
//! action does triggers rules again.
//!
//! The work is a fixed handful of statements whatever the number of rules: the
//! item's facts, the section (rules and the names they use, in bulk), one UPDATE of
//! the item, the followers, the replies, one INSERT of the history lines.

use orgdesk_core::api::routing::ItemFacts;
use orgdesk_core::api::tickets::FollowerKind;
use orgdesk_core::routing::{self as rules, Effect, Skipped};
use orgdesk_core::word::Word;

use super::insight::{facts_sql, FactsRow};
use super::load_section;
use crate::db::items::messages::{self, Mail};
use crate::db::{access, query, Arg, Tx};
use crate::error::ApiError;

/// An organization whose members all follow an item, at most this many of them;
/// a larger one's "add a follower" is skipped with the reason.
pub const MAX_ORGANIZATION_FOLLOWERS: i64 = 1_000;

/// Runs the routing rules of `organization` (the item's stored organization) over
/// new item `item`, in the creating transaction `tx`.
#[tracing::instrument(skip_all, fields(item_id = item, organization_id = organization))]
pub async fn route_new_item(tx: &mut Tx, item: i64, organization: i64, mail: &Mail, now: i64) -> Result<(), ApiError> {
    let Some(section) = load_section(tx, organization).await? else { return Ok(()) };
    if section.section.effective.is_empty() {
        return Ok(());
    }
    let row: Option<FactsRow> =
        query(format!("{} WHERE i.id = $1", facts_sql("i.description"))).bind(item).fetch_optional(&mut *tx).await?;
    let Some(row) = row else { return Ok(()) };
    let before: ItemFacts = row.into_facts()?;

    // Unreadable rules are passed over (with a history line when they were on).
    let mut skipped: Vec<Skipped> = Vec::new();
    let mut runnable = Vec::new();
    for e in &section.section.effective {
        match section.unreadable.get(&e.rule.id) {
            Some(reason) if e.rule.enabled => skipped.push(Skipped {
                rule_id: e.rule.id,
                rule_name: e.rule.name.clone(),
                reason: format!("{reason}."),
            }),
            Some(_) => {}
            None => runnable.push(&e.rule),
        }
    }
    let outcome = rules::evaluate(runnable, &before, &section.names);
    skipped.extend(outcome.skipped.iter().cloned());

    let after = &outcome.facts;
    if after.project_id != before.project_id
        || after.assignee_id != before.assignee_id
        || after.priority != before.priority
        || after.status != before.status
    {
        query("UPDATE items SET project_id = $2, assignee_id = $3, priority = $4, status = $5 WHERE id = $1")
            .bind(item)
            .bind(after.project_id)
            .bind(after.assignee_id)
            .bind(after.priority.as_str())
            .bind(after.status.as_str())
            .execute(&mut *tx)
            .await?;
    }

    // (rule id, rule name, action word, summary)
    let mut lines: Vec<(i64, String, &'static str, String)> = Vec::new();
    let mut replies: Vec<String> = Vec::new();
    for applied in &outcome.applied {
        let word = match &applied.effect {
            Effect::Project { .. } => "routing_project",
            Effect::Assignee { .. } => "routing_assignee",
            Effect::Priority(_) => "routing_priority",
            Effect::Status(_) => "routing_status",
            Effect::Follower { .. } => "routing_follower",
            Effect::Reply { .. } => "routing_reply",
            Effect::Stop => "routing_stop",
        };
        match &applied.effect {
            Effect::Follower { kind: FollowerKind::Customer, id, .. } => {
                query(
                    "INSERT INTO item_followers (item_id, customer_id) SELECT $1, $2 \
                     WHERE NOT EXISTS (SELECT 1 FROM item_followers WHERE item_id = $1 AND customer_id = $2) \
                     AND NOT EXISTS (SELECT 1 FROM items WHERE id = $1 AND requester_id = $2)",
                )
                .bind(item)
                .bind(*id)
                .execute(&mut *tx)
                .await?;
            }
            Effect::Follower { kind: FollowerKind::Organization, id, name } => {
                let members: i64 = query("SELECT COUNT(*) FROM memberships WHERE organization_id = $1")
                    .bind(*id)
                    .scalar(&mut *tx)
                    .await?;
                if members > MAX_ORGANIZATION_FOLLOWERS {
                    let summary = format!(
                        "Routing rule '{}' did not add the members of {name} as followers: it has {members} members, \
                         more than the {MAX_ORGANIZATION_FOLLOWERS} who can follow an item this way.",
                        applied.rule_name
                    );
                    tracing::warn!(
                        rule_id = applied.rule_id,
                        organization_id = id,
                        members,
                        "routing follower effect skipped"
                    );
                    lines.push((applied.rule_id, applied.rule_name.clone(), "routing_skipped", summary));
                    continue;
                }
                query(
                    "INSERT INTO item_followers (item_id, customer_id) SELECT $1, m.customer_id FROM memberships m \
                     WHERE m.organization_id = $2 \
                     AND NOT EXISTS (SELECT 1 FROM item_followers f WHERE f.item_id = $1 AND f.customer_id = m.customer_id) \
                     AND NOT EXISTS (SELECT 1 FROM items i WHERE i.id = $1 AND i.requester_id = m.customer_id)",
                )
                .bind(item)
                .bind(*id)
                .execute(&mut *tx)
                .await?;
            }
            Effect::Reply { body } => replies.push(body.clone()),
            _ => {}
        }
        lines.push((applied.rule_id, applied.rule_name.clone(), word, applied.summary(after.item_type)));
    }

    if !replies.is_empty() {
        let project_items = access::policy(&mut *tx).await?.project_items;
        for body in &replies {
            messages::add_system_reply(tx, item, body, mail, project_items, now).await?;
        }
    }

    for s in &skipped {
        tracing::warn!(rule_id = s.rule_id, rule = %s.rule_name, reason = %s.reason, "routing rule skipped");
        lines.push((s.rule_id, s.rule_name.clone(), "routing_skipped", s.summary()));
    }
    if !lines.is_empty() {
        let mut q =
            query("INSERT INTO item_history (item_id, rule_id, rule_name, agent_id, action, summary, created_at) ");
        q.push_values(lines, |(rule, name, word, summary)| {
            vec![item.into(), rule.into(), name.into(), Arg::Int(None), word.into(), summary.into(), now.into()]
        });
        q.execute(&mut *tx).await?;
    }
    if outcome.changed() {
        tracing::info!(rules = ?outcome.matched, effects = outcome.applied.len(), "item routed");
    }
    Ok(())
}
