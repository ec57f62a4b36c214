//! The audit log (migration 0009): who did what, to what, when and from where.
//!
//! [`record`] runs on the pool (`&Db`) or inside the caller's write transaction
//! (`&mut Tx`): a deletion, a role change or a settings change records its entry in
//! its own transaction, so the entry commits or rolls back with the change. Every
//! text is cut to its limit and stripped of control characters on the way in, and
//! the detail is bounded JSON ([`bounded_detail`]), so no entry is unbounded.
//! Entries are kept; nothing deletes them.
//!
//! ```text
//! let entry = actor.entry(AuditAction::NoteDeleted, AuditTarget::Note, Some(id), label, json!({..}));
//! audit::record(&mut tx, &entry, now).await?;
//! ```

use orgdesk_core::api::audit::{
    AuditAction, AuditEntry as ApiEntry, AuditFilter, AuditPage, AuditTarget, MAX_AUDIT_DETAIL, MAX_AUDIT_EMAIL,
    MAX_AUDIT_LABEL, MAX_AUDIT_SOURCE,
};
use orgdesk_core::paging::Paging;
use orgdesk_core::word::Word;
use serde_json::{json, Value};

use crate::db::tx::Exec;
use crate::db::{decode_word, query, Db};
use crate::time_fmt::rfc3339;

/// Who acts, as an entry remembers it: the agent (none for a failed sign-in), their
/// email at the time, and the client address the request came from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Actor {
    pub id: Option<i64>,
    pub email: String,
    pub source: String,
}

impl Actor {
    /// An entry by this actor about `target` (kind, id, label).
    pub fn entry(
        &self,
        action: AuditAction,
        kind: AuditTarget,
        id: Option<i64>,
        label: impl Into<String>,
        detail: Value,
    ) -> AuditEntry {
        AuditEntry {
            actor: self.clone(),
            action,
            target_kind: Some(kind),
            target_id: id,
            target_label: label.into(),
            detail,
        }
    }

    /// An entry by this actor about no particular thing (a sign-in, a sign-out).
    pub fn plain(&self, action: AuditAction, detail: Value) -> AuditEntry {
        AuditEntry {
            actor: self.clone(),
            action,
            target_kind: None,
            target_id: None,
            target_label: String::new(),
            detail,
        }
    }
}

/// One entry to record.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub actor: Actor,
    pub action: AuditAction,
    pub target_kind: Option<AuditTarget>,
    pub target_id: Option<i64>,
    /// The target's name or email now (a snapshot).
    pub target_label: String,
    /// Anything else worth keeping; cut to [`MAX_AUDIT_DETAIL`] bytes by [`bounded_detail`].
    pub detail: Value,
}

/// `text` on one line without control characters, at most `max` characters.
pub fn clean(text: &str, max: usize) -> String {
    text.chars().filter(|c| !c.is_control()).take(max).collect()
}

/// `detail` as JSON text of at most `max` bytes. A larger value keeps what fits:
/// a list under `history` loses its oldest (last) entries first; anything still too
/// large is replaced by `{"truncated": true}` with its top-level scalar fields.
pub fn bounded_detail(detail: &Value, max: usize) -> String {
    let text = detail.to_string();
    if text.len() <= max {
        return text;
    }
    let mut value = detail.clone();
    if let Some(history) = value.get_mut("history").and_then(Value::as_array_mut) {
        // Halve until it fits, then add back one at a time: O(n log n) serializations at worst.
        let full = history.clone();
        let mut keep = full.len();
        while keep > 0 {
            keep /= 2;
            if let Some(h) = value.get_mut("history").and_then(Value::as_array_mut) {
                *h = full[..keep].to_vec();
            }
            if value.to_string().len() <= max {
                break;
            }
        }
        let mut best = value.to_string();
        while keep < full.len() {
            if let Some(h) = value.get_mut("history").and_then(Value::as_array_mut) {
                h.push(full[keep].clone());
            }
            let text = value.to_string();
            if text.len() > max {
                break;
            }
            best = text;
            keep += 1;
        }
        if best.len() <= max {
            return best;
        }
    }
    let mut small = serde_json::Map::new();
    small.insert("truncated".into(), Value::Bool(true));
    if let Value::Object(fields) = detail {
        for (k, v) in fields {
            let scalar = matches!(v, Value::Bool(_) | Value::Number(_)) || v.as_str().is_some_and(|s| s.len() <= 200);
            if scalar {
                small.insert(k.clone(), v.clone());
            }
        }
    }
    let text = Value::Object(small).to_string();
    if text.len() <= max {
        text
    } else {
        json!({ "truncated": true }).to_string()
    }
}

/// Appends `entry` at time `now`, on the pool or inside the caller's transaction.
pub async fn record<'c>(on: impl Into<Exec<'c>>, entry: &AuditEntry, now: i64) -> Result<(), sqlx::Error> {
    query(
        "INSERT INTO audit_log (created_at, actor_id, actor_email, action, target_kind, target_id, target_label, \
         source, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(now)
    .bind(entry.actor.id)
    .bind(clean(&entry.actor.email, MAX_AUDIT_EMAIL))
    .bind(entry.action.as_str())
    .bind(entry.target_kind.map(AuditTarget::as_str))
    .bind(entry.target_id)
    .bind(clean(&entry.target_label, MAX_AUDIT_LABEL))
    .bind(clean(&entry.actor.source, MAX_AUDIT_SOURCE))
    .bind(bounded_detail(&entry.detail, MAX_AUDIT_DETAIL))
    .execute(on)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    created_at: i64,
    actor_id: Option<i64>,
    actor_email: String,
    action: String,
    target_kind: Option<String>,
    target_id: Option<i64>,
    target_label: String,
    source: String,
    detail: String,
}

impl Row {
    fn into_api(self) -> Result<ApiEntry, sqlx::Error> {
        Ok(ApiEntry {
            id: self.id,
            created_at: rfc3339(self.created_at),
            action: decode_word(&self.action)?,
            actor_id: self.actor_id,
            actor_email: self.actor_email,
            target_kind: self.target_kind.as_deref().map(decode_word).transpose()?,
            target_id: self.target_id,
            target_label: self.target_label,
            source: self.source,
            detail: serde_json::from_str(&self.detail).unwrap_or(Value::Null),
        })
    }
}

/// `select` (up to its FROM) with the filters' conditions appended.
fn filtered(select: &str, filter: AuditFilter) -> crate::db::Query {
    let mut q = query(format!("{select} FROM audit_log"));
    let mut conditions = Vec::new();
    if let Some(action) = filter.action {
        conditions.push(format!("action = {}", q.param(action.as_str())));
    }
    if let Some(actor) = filter.actor {
        conditions.push(format!("actor_id = {}", q.param(actor)));
    }
    if !conditions.is_empty() {
        q.push(" WHERE ").push(&conditions.join(" AND "));
    }
    q
}

/// One page of the log, newest first, with the number of entries the filters keep.
/// Each filter, and both together, is answered by an index (`audit_log_action`,
/// `audit_log_actor`, `audit_log_actor_action`).
pub async fn list(db: &Db, filter: AuditFilter, page: Paging) -> Result<AuditPage, sqlx::Error> {
    let total: i64 = filtered("SELECT COUNT(*)", filter).scalar(db).await?;
    let mut q = filtered(
        "SELECT id, created_at, actor_id, actor_email, action, target_kind, target_id, target_label, source, detail",
        filter,
    );
    q.push(" ORDER BY id DESC LIMIT ").push_bind(page.limit).push(" OFFSET ").push_bind(page.offset);
    let rows: Vec<Row> = q.fetch_all(db).await?;
    let items = rows.into_iter().map(Row::into_api).collect::<Result<_, _>>()?;
    Ok(AuditPage { items, total })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_lose_control_characters_and_are_cut() {
        assert_eq!(clean("a\u{0}b\nc", 10), "abc");
        assert_eq!(clean("äöüäöü", 3), "äöü");
    }

    #[test]
    fn a_small_detail_is_kept_as_it_is() {
        let d = json!({ "name": "Acme", "members": 3 });
        assert_eq!(bounded_detail(&d, 1000), d.to_string());
    }

    #[test]
    fn a_large_history_keeps_its_newest_entries_that_fit() {
        let history: Vec<Value> =
            (0..500).map(|i| json!({ "summary": format!("entry {i:03} {}", "x".repeat(90)) })).collect();
        let d = json!({ "name": "Acme", "history": history });
        let text = bounded_detail(&d, 10_000);
        assert!(text.len() <= 10_000, "{}", text.len());
        let kept: Value = serde_json::from_str(&text).unwrap();
        let kept = kept["history"].as_array().unwrap();
        assert!(kept.len() > 50 && kept.len() < 500, "{}", kept.len());
        assert_eq!(kept[0], history[0], "the newest entry comes first and stays");
        assert_eq!(kept[kept.len() - 1], history[kept.len() - 1], "a prefix is kept");
    }

    #[test]
    fn anything_else_too_large_keeps_only_small_fields() {
        let d = json!({ "name": "Acme", "big": "x".repeat(5000), "count": 2 });
        let kept: Value = serde_json::from_str(&bounded_detail(&d, 1000)).unwrap();
        assert_eq!(kept, json!({ "truncated": true, "name": "Acme", "count": 2 }));
    }
}
