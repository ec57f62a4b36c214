//! The outbox: every email Orgdesk sends is recorded here first, then delivered.

use serde::{Deserialize, Serialize};

use crate::word::Word;

/// Where a message is in its delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum OutboxStatus {
    /// Not delivered yet: waiting for its next attempt (or for SMTP to be configured).
    Pending,
    /// Accepted by the SMTP server.
    Sent,
    /// Given up after repeated failures.
    Failed,
}

impl Word for OutboxStatus {
    const ALL: &'static [OutboxStatus] = &[OutboxStatus::Pending, OutboxStatus::Sent, OutboxStatus::Failed];

    fn as_str(self) -> &'static str {
        match self {
            OutboxStatus::Pending => "pending",
            OutboxStatus::Sent => "sent",
            OutboxStatus::Failed => "failed",
        }
    }
}

impl OutboxStatus {
    /// The word shown to a person.
    pub fn label(self) -> &'static str {
        match self {
            OutboxStatus::Pending => "Pending",
            OutboxStatus::Sent => "Sent",
            OutboxStatus::Failed => "Failed",
        }
    }
}

/// One outgoing email.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutboxMessage {
    pub id: i64,
    /// What the email is for, e.g. `invitation`.
    pub kind: String,
    pub recipient: String,
    pub subject: String,
    /// Plain text.
    pub body: String,
    pub status: OutboxStatus,
    /// Delivery attempts so far.
    pub attempts: i64,
    /// Why the last attempt failed, if it did.
    pub last_error: Option<String>,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// RFC 3339, UTC; set once the SMTP server accepted the message.
    pub sent_at: Option<String>,
    /// The item (ticket or task) the message is about, if any.
    #[serde(default)]
    pub item_id: Option<i64>,
    /// The organization or project conversation the message is about, if any.
    #[serde(default)]
    pub conversation_id: Option<i64>,
}

/// One page of the outbox, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutboxPage {
    pub items: Vec<OutboxMessage>,
    /// All messages in the outbox.
    pub total: i64,
}
