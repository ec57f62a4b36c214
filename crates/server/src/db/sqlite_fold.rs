//! `orgdesk_fold(text)` on SQLite: the text folded as [`orgdesk_core::search::fold`]
//! folds it (lower case, Latin accents removed), as PostgreSQL's `orgdesk_fold`
//! (migration 0013) does. A search that asks the trigram index for part of itself
//! checks each row found with it (`search_stats.rs`). Registered on every connection
//! of the pool; the schema never uses it, so the file stays readable by any SQLite.
//!
//! The only unsafe code of the workspace (which denies it elsewhere): sqlx has no safe
//! way to add a function, so this does what sqlx's own `regexp` function does.
#![allow(unsafe_code)]

use std::ffi::c_int;
use std::ptr::NonNull;

use libsqlite3_sys as ffi;

const NAME: &[u8] = b"orgdesk_fold\0";

/// Adds the function to the connection `db`; SQLite's result code on failure.
pub fn register(mut db: NonNull<ffi::sqlite3>) -> Result<(), c_int> {
    // SAFETY: `db` is an open connection the caller holds locked (sqlx's
    // `LockedSqliteHandle`); the name is NUL-terminated and static; the function takes
    // no user data, so there is nothing to free.
    let rc = unsafe {
        ffi::sqlite3_create_function_v2(
            db.as_mut(),
            NAME.as_ptr().cast(),
            1,
            ffi::SQLITE_UTF8 | ffi::SQLITE_DETERMINISTIC | ffi::SQLITE_INNOCUOUS,
            std::ptr::null_mut(),
            Some(fold),
            None,
            None,
            None,
        )
    };
    if rc == ffi::SQLITE_OK {
        Ok(())
    } else {
        Err(rc)
    }
}

/// The function's body: NULL stays NULL; other values are read as UTF-8 text.
unsafe extern "C" fn fold(ctx: *mut ffi::sqlite3_context, argc: c_int, argv: *mut *mut ffi::sqlite3_value) {
    if argc != 1 {
        ffi::sqlite3_result_error_code(ctx, ffi::SQLITE_MISUSE);
        return;
    }
    let value = *argv;
    if ffi::sqlite3_value_type(value) == ffi::SQLITE_NULL {
        ffi::sqlite3_result_null(ctx);
        return;
    }
    // sqlite3_value_text first, then sqlite3_value_bytes: the length of that text.
    let text = ffi::sqlite3_value_text(value);
    let len = ffi::sqlite3_value_bytes(value);
    if text.is_null() || len < 0 {
        ffi::sqlite3_result_error_nomem(ctx);
        return;
    }
    let bytes = std::slice::from_raw_parts(text, len as usize);
    let folded = match std::panic::catch_unwind(|| orgdesk_core::search::fold(&String::from_utf8_lossy(bytes))) {
        Ok(folded) => folded,
        Err(_) => {
            ffi::sqlite3_result_error_code(ctx, ffi::SQLITE_INTERNAL);
            return;
        }
    };
    // SQLITE_TRANSIENT makes SQLite copy the text before `folded` is dropped.
    match c_int::try_from(folded.len()) {
        Ok(n) => ffi::sqlite3_result_text(ctx, folded.as_ptr().cast(), n, ffi::SQLITE_TRANSIENT()),
        Err(_) => ffi::sqlite3_result_error_toobig(ctx),
    }
}

#[cfg(test)]
mod tests {
    use crate::db::{query, Db};

    #[tokio::test]
    async fn every_connection_folds_as_the_core_does() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(&format!("sqlite://{}/fold.db", dir.path().display())).await.unwrap();
        for text in ["Zoë ADAMS", "Ærø Łódź ŞİŞLİ", "ȺBC 100%", "", "plain ascii"] {
            let folded: String = query("SELECT orgdesk_fold($1)").bind(text).scalar(&db).await.unwrap();
            assert_eq!(folded, orgdesk_core::search::fold(text), "{text}");
        }
        let null: Option<String> = query("SELECT orgdesk_fold(NULL)").scalar(&db).await.unwrap();
        assert_eq!(null, None);
        let number: String = query("SELECT orgdesk_fold(42)").scalar(&db).await.unwrap();
        assert_eq!(number, "42");
    }
}
