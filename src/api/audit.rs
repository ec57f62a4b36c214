//! The audit log (administrators only).

use orgdesk_core::api::audit::{AuditFilter, AuditPage};

use super::{get, ApiError};

/// One page of the audit log (admins only), newest first, with `filter` applied.
pub async fn list_audit(filter: AuditFilter, offset: usize, limit: usize) -> Result<AuditPage, ApiError> {
    let filters = filter.to_query();
    let and = if filters.is_empty() { "" } else { "&" };
    get(&format!("/api/audit?offset={offset}&limit={limit}{and}{filters}")).await
}
