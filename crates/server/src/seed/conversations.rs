//! The demo's conversations: one with an organization's members, one with a
//! project's followers, each already delivered (the outbox rows are marked sent).

use super::customers::{Customer, Org};
use crate::db::{query, Tx};

/// One conversation and who received its first message.
#[derive(Debug)]
pub(super) struct DemoConversation<'a> {
    pub organization: Option<i64>,
    pub project: Option<i64>,
    pub subject: &'static str,
    pub body: &'static str,
    pub recipients: Vec<&'a Customer>,
}

/// A maintenance notice to the first organization's members, and the website
/// launch to the followers of the `website` project (those members and the first
/// customer without an organization). None without organizations.
pub(super) fn demo<'a>(orgs: &[Org], customers: &'a [Customer], website: i64) -> Vec<DemoConversation<'a>> {
    let Some(acme) = orgs.first() else {
        return Vec::new();
    };
    let members: Vec<&Customer> = customers.iter().filter(|c| c.org_id() == Some(acme.id)).collect();
    let mut followers = members.clone();
    followers.extend(customers.iter().filter(|c| c.org.is_none()).take(1));
    vec![
        DemoConversation {
            organization: Some(acme.id),
            project: None,
            subject: "Planned maintenance on Saturday",
            body: "Hello,\n\nthe portal will be unavailable on Saturday from 06:00 to 08:00 UTC for maintenance.",
            recipients: members,
        },
        DemoConversation {
            organization: None,
            project: Some(website),
            subject: "The new website goes live next week",
            body: "Hello,\n\nthe relaunched website goes live next Tuesday. Tell us what you think!",
            recipients: followers,
        },
    ]
}

/// Writes `conversations`, started by `author` at `at`, with their first message and
/// one sent outbox row per recipient, inside `tx`.
pub(super) async fn insert(
    tx: &mut Tx,
    conversations: &[DemoConversation<'_>],
    author: Option<i64>,
    at: i64,
) -> Result<(), sqlx::Error> {
    for c in conversations {
        let id: i64 = query(
            "INSERT INTO conversations (subject, organization_id, project_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(c.subject)
        .bind(c.organization)
        .bind(c.project)
        .bind(author)
        .bind(at)
        .scalar(&mut *tx)
        .await?;
        query("INSERT INTO conversation_messages (conversation_id, author_agent_id, body, notified, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(id)
            .bind(author)
            .bind(c.body)
            .bind(c.recipients.len() as i64)
            .bind(at)
            .execute(&mut *tx)
            .await?;
        for r in &c.recipients {
            query(
                "INSERT INTO outbox (kind, recipient, subject, body, customer_id, conversation_id, status, attempts, next_attempt_at, created_at, sent_at) \
                 VALUES ('conversation', $1, $2, $3, $4, $5, 'sent', 1, $6, $6, $6)",
            )
            .bind(&r.email)
            .bind(c.subject)
            .bind(c.body)
            .bind(r.id)
            .bind(id)
            .bind(at)
            .execute(&mut *tx)
            .await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::customers::{demo_customers, demo_organizations};
    use super::*;

    #[test]
    fn the_maintenance_notice_reaches_every_member_of_the_first_organization() {
        let orgs = demo_organizations(1);
        let customers = demo_customers(&orgs, 1);
        let conversations = demo(&orgs, &customers, 2);
        let notice = &conversations[0];
        assert_eq!((notice.organization, notice.project), (Some(1), None));
        let members = customers.iter().filter(|c| c.org_id() == Some(1)).count();
        assert_eq!(notice.recipients.len(), members);
        assert!(notice.recipients.iter().all(|c| c.org_id() == Some(1)));
    }

    #[test]
    fn the_launch_reaches_the_members_and_one_freelancer_following_the_website() {
        let orgs = demo_organizations(1);
        let customers = demo_customers(&orgs, 1);
        let conversations = demo(&orgs, &customers, 2);
        let launch = &conversations[1];
        assert_eq!((launch.organization, launch.project), (None, Some(2)));
        assert_eq!(launch.recipients.len(), conversations[0].recipients.len() + 1);
        assert_eq!(launch.recipients.last().unwrap().email, "pat.morgan@gmail.com");
    }

    #[test]
    fn without_organizations_there_is_no_demo_conversation() {
        assert!(demo(&[], &[], 2).is_empty());
    }
}
