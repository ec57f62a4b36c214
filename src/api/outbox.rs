//! The outbox: mail the server sent or will send (administrators only).

use orgdesk_core::api::outbox::OutboxPage;

use super::{get, ApiError};

/// One page of the outbox (admins only), newest first.
pub async fn list_outbox(offset: usize, limit: usize) -> Result<OutboxPage, ApiError> {
    get(&format!("/api/outbox?offset={offset}&limit={limit}")).await
}
