//! Key/value settings (administration switches).

use crate::db::Db;
use crate::on_db;

pub async fn get(db: &Db, key: &str) -> Result<Option<String>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_scalar("SELECT value FROM settings WHERE key = $1").bind(key).fetch_optional(pool).await)
}

/// Writes several settings in one transaction.
pub async fn set_many(db: &Db, pairs: &[(&str, String)]) -> Result<(), sqlx::Error> {
    crate::in_write_tx!(db, tx => async {
        for (key, value) in pairs {
            sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
                .bind(key)
                .bind(value)
                .execute(&mut *tx)
                .await?;
        }
        Ok::<(), sqlx::Error>(())
    }.await)
}
