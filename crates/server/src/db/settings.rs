//! Key/value settings (administration switches).

use crate::db::audit::{self, AuditEntry};
use crate::db::{query, Db};

pub async fn get(db: &Db, key: &str) -> Result<Option<String>, sqlx::Error> {
    query("SELECT value FROM settings WHERE key = $1").bind(key).optional_scalar(db).await
}

/// Writes several settings in one transaction, with the audit entry that records the change.
pub async fn set_many(db: &Db, pairs: &[(&str, String)], entry: &AuditEntry, now: i64) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    for (key, value) in pairs {
        query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(*key)
        .bind(value)
        .execute(&mut tx)
        .await?;
    }
    audit::record(&mut tx, entry, now).await?;
    tx.commit().await
}
