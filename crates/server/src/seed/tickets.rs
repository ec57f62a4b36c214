//! Projects with tickets and tasks: the demo's conversations with requesters
//! (replies, internal notes, followers) and the generator of large item sets.

use super::customers::{Customer, Org};
use super::{advance_sequences, next_id, DAY, HOUR, MINUTE};
use crate::db::{query, Db, Query, Tx};
use crate::time_fmt::now_ms;

/// The demo projects: (name, description, archived). The last one holds the oldest,
/// closed items; the website project has followers and a conversation.
const DEMO_PROJECTS: &[(&str, &str, bool)] = &[
    ("Customer Support", "Questions and problems customers report.", false),
    ("Website Relaunch", "The new public website and customer portal.", false),
    ("Network Upgrade", "Wi-Fi and VPN improvements for on-site customers.", false),
    ("Legacy Migration", "Moving the old ticket archive (done).", true),
];
const WEBSITE: usize = 1;
const ARCHIVED: usize = 3;

/// How many demo items there are, one every 13 hours up to now.
const DEMO_ITEMS: usize = 48;

const DEMO_TITLES: &[(&str, &str)] = &[
    (
        "Cannot sign in to the portal",
        "Since this morning the portal answers \"invalid password\" for everyone in our office.",
    ),
    ("Invoice shows the wrong VAT rate", "Our March invoice uses 19% instead of 7%. Could you correct it?"),
    ("Printer on floor 2 jams", "The shared printer jams on every double-sided job."),
    ("Request: add three new user accounts", "New colleagues start on Monday and need accounts."),
    ("VPN disconnects every hour", "The VPN drops roughly every 60 minutes, mostly on laptops."),
    ("Export to CSV is missing columns", "The customer export leaves out the phone number column."),
    ("Slow page loads on the dashboard", "The dashboard takes over ten seconds to load since the last update."),
    ("Please renew our SSL certificate", "The certificate for our shop expires at the end of the month."),
    ("Email notifications arrive twice", "Each notification reaches us twice, a minute apart."),
    ("Question about the annual contract", "Can we move from monthly to annual billing?"),
    ("Mobile app crashes on start", "Since the last update the Android app closes right after the splash screen."),
    ("Wi-Fi coverage in the warehouse", "Scanners lose the connection at the back of the warehouse."),
];

const DEMO_TASKS: &[&str] = &[
    "Rotate the backup encryption keys",
    "Update the onboarding checklist",
    "Migrate the staging database",
    "Review firewall rules",
    "Write the release notes",
    "Clean up unused DNS records",
];

const DEMO_REPLIES: &[&str] = &[
    "Thanks for letting us know. We are looking into it and will get back to you today.",
    "We found the cause and rolled out a fix. Could you check whether it works for you now?",
    "Could you send us a screenshot of the message you see?",
];

const DEMO_NOTES: &[&str] = &[
    "Same issue as last month; see the runbook.",
    "Waiting for the vendor to confirm the fix.",
    "Customer is on the premium plan: answer within four hours.",
];

const STATUSES: [&str; 9] = ["new", "open", "waiting", "open", "resolved", "closed", "new", "waiting", "closed"];
const PRIORITIES: [&str; 6] = ["normal", "high", "normal", "low", "urgent", "normal"];

/// The titles of generated items (each followed by its number).
const BULK_TITLES: [&str; 8] = [
    "Cannot sign in",
    "Invoice question",
    "Printer jam",
    "New user accounts",
    "VPN disconnects",
    "Export missing columns",
    "Slow dashboard",
    "Certificate renewal",
];

/// The agents the demo items are assigned to and written by.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct DemoAgents {
    pub sam: Option<i64>,
    pub kim: Option<i64>,
}

impl DemoAgents {
    /// Sam and Kim among the active `(id, name)` agents; the first agent stands in for a missing one.
    pub fn pick(agents: &[(i64, String)]) -> DemoAgents {
        let find =
            |prefix: &str| agents.iter().find(|(_, n)| n.starts_with(prefix)).or(agents.first()).map(|(id, _)| *id);
        DemoAgents { sam: find("Sam"), kim: find("Kim") }
    }
}

/// One demo ticket or task and what happened on it.
#[derive(Debug)]
pub(super) struct DemoItem<'a> {
    /// Index into [`DEMO_PROJECTS`].
    pub project: usize,
    pub item_type: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub status: &'static str,
    pub priority: &'static str,
    pub assignee: Option<i64>,
    pub requester: Option<&'a Customer>,
    pub created: i64,
    /// A colleague of the requester (same organization) who follows the item.
    pub follower: Option<&'a Customer>,
    /// The agents' answers, when the item has been picked up.
    pub thread: Option<Thread>,
}

/// The replies to the requester and an internal note on a demo item.
#[derive(Debug, PartialEq)]
pub(super) struct Thread {
    /// (sent at, body), one or two an hour apart after creation.
    pub replies: Vec<(i64, &'static str)>,
    pub note: &'static str,
    pub note_at: i64,
}

/// The demo items, oldest first (so ids ascend with creation time): one every 13 hours
/// up to `now`; every sixth a task, half of the tasks without a requester; the first six
/// closed in the archived project; items that are not new have replies and a note.
pub(super) fn demo_items<'a>(customers: &'a [Customer], agents: DemoAgents, now: i64) -> Vec<DemoItem<'a>> {
    (0..DEMO_ITEMS)
        .map(|n| {
            let created = now - ((DEMO_ITEMS - n) as i64) * 13 * HOUR;
            let is_task = n % 6 == 5;
            let requester =
                (!customers.is_empty() && (!is_task || n % 12 == 5)).then(|| &customers[(n * 7) % customers.len()]);
            let (title, description) =
                if is_task { (DEMO_TASKS[(n / 6) % DEMO_TASKS.len()], "") } else { DEMO_TITLES[n % DEMO_TITLES.len()] };
            let status = if n < 6 { "closed" } else { STATUSES[n % STATUSES.len()] };
            let follower = requester
                .filter(|_| n % 4 == 0)
                .and_then(|r| customers.iter().find(|c| c.id != r.id && c.org.is_some() && c.org_id() == r.org_id()));
            let thread = requester.filter(|_| status != "new").map(|_| {
                let replies = (0..1 + n % 2)
                    .map(|r| (created + (r as i64 + 1) * HOUR, DEMO_REPLIES[(n + r) % DEMO_REPLIES.len()]))
                    .collect();
                Thread { replies, note: DEMO_NOTES[n % DEMO_NOTES.len()], note_at: created + 30 * MINUTE }
            });
            DemoItem {
                project: if n < 6 { ARCHIVED } else { n % 3 },
                item_type: if is_task { "task" } else { "ticket" },
                title,
                description,
                status,
                priority: PRIORITIES[n % PRIORITIES.len()],
                assignee: match n % 3 {
                    0 => agents.sam,
                    1 => agents.kim,
                    _ => None,
                },
                requester,
                created,
                follower,
                thread,
            }
        })
        .collect()
}

/// Writes the demo projects, their items with replies, notes and followers, and the
/// website project's followers (Acme and the first freelancer) inside `tx`. Replies
/// are recorded in the outbox as already sent. Returns the website project's id.
pub(super) async fn insert_demo(
    tx: &mut Tx,
    orgs: &[Org],
    customers: &[Customer],
    agents: DemoAgents,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let mut project_ids = Vec::new();
    for (name, description, archived) in DEMO_PROJECTS {
        let id: i64 = query(
            "INSERT INTO projects (name, name_key, description, archived, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(*name)
        .bind(name.to_lowercase())
        .bind(*description)
        .bind(*archived)
        .bind(now - 90 * DAY)
        .scalar(&mut *tx)
        .await?;
        project_ids.push(id);
    }
    for item in demo_items(customers, agents, now) {
        insert_demo_item(tx, &item, project_ids[item.project], agents).await?;
    }
    if let Some(acme) = orgs.first() {
        query("INSERT INTO project_followers (project_id, organization_id, created_at) VALUES ($1, $2, $3)")
            .bind(project_ids[WEBSITE])
            .bind(acme.id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
    }
    if let Some(free) = customers.iter().find(|c| c.org.is_none()) {
        query("INSERT INTO project_followers (project_id, customer_id, created_at) VALUES ($1, $2, $3)")
            .bind(project_ids[WEBSITE])
            .bind(free.id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
    }
    Ok(project_ids[WEBSITE])
}

async fn insert_demo_item(
    tx: &mut Tx,
    item: &DemoItem<'_>,
    project: i64,
    agents: DemoAgents,
) -> Result<(), sqlx::Error> {
    let id: i64 = query(
        "INSERT INTO items (project_id, item_type, title, description, status, priority, assignee_id, requester_id, \
         organization_id, reply_count, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $10) RETURNING id",
    )
    .bind(project)
    .bind(item.item_type)
    .bind(item.title)
    .bind(item.description)
    .bind(item.status)
    .bind(item.priority)
    .bind(item.assignee)
    .bind(item.requester.map(|c| c.id))
    .bind(item.requester.and_then(Customer::org_id))
    .bind(item.created)
    .scalar(&mut *tx)
    .await?;
    if let Some(follower) = item.follower {
        query("INSERT INTO item_followers (item_id, customer_id) VALUES ($1, $2)")
            .bind(id)
            .bind(follower.id)
            .execute(&mut *tx)
            .await?;
    }
    // As `db::items::create` does: managers who chose to follow their organization's items.
    if let Some(org) = item.requester.and_then(Customer::org_id) {
        crate::db::portal_policy::follow_as_managers(tx, id, org).await?;
    }
    let (Some(requester), Some(thread)) = (item.requester, &item.thread) else {
        return Ok(());
    };
    for (at, body) in &thread.replies {
        query("INSERT INTO messages (item_id, kind, author_agent_id, body, recipients, created_at) VALUES ($1, 'reply', $2, $3, $4, $5)")
            .bind(id)
            .bind(item.assignee.or(agents.sam))
            .bind(*body)
            .bind(&requester.email)
            .bind(*at)
            .execute(&mut *tx)
            .await?;
        query(
            "INSERT INTO outbox (kind, recipient, subject, body, customer_id, item_id, status, attempts, next_attempt_at, created_at, sent_at) \
             VALUES ('item_reply', $1, $2, $3, $4, $5, 'sent', 1, $6, $6, $6)",
        )
        .bind(&requester.email)
        .bind(format!("[#{id}] {}", item.title))
        .bind(*body)
        .bind(requester.id)
        .bind(id)
        .bind(*at)
        .execute(&mut *tx)
        .await?;
    }
    query("INSERT INTO messages (item_id, kind, author_agent_id, body, recipients, created_at) VALUES ($1, 'note', $2, $3, '', $4)")
        .bind(id)
        .bind(agents.kim.or(agents.sam))
        .bind(thread.note)
        .bind(thread.note_at)
        .execute(&mut *tx)
        .await?;
    let replies = thread.replies.len() as i64;
    query("UPDATE items SET reply_count = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(replies)
        .bind(item.created + replies * HOUR)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// What the item generator makes: `items` items with ids from `first_item`, over
/// `projects` new projects with ids from `first_project`.
#[derive(Debug, Clone)]
struct BulkItems<'a> {
    items: i64,
    first_item: i64,
    projects: i64,
    first_project: i64,
    /// The smallest customer id and the width of the id range (0 without customers).
    first_customer: i64,
    customer_span: i64,
    /// The active agents' ids.
    agents: &'a [i64],
    now: i64,
}

/// Generates `items` items over `projects` new projects; see [`super::bulk_items`].
pub(super) async fn bulk(db: &Db, items: u32, projects: u32) -> Result<(), String> {
    if items == 0 {
        return Ok(());
    }
    let first_project = next_id(db, "projects").await?;
    let first_item = next_id(db, "items").await?;
    let (cmin, ccount): (i64, i64) =
        query("SELECT COALESCE(MIN(id), 0), COUNT(*) FROM customers").fetch_one(db).await.map_err(|e| e.to_string())?;
    let cmax: i64 = query("SELECT COALESCE(MAX(id), 0) FROM customers").scalar(db).await.map_err(|e| e.to_string())?;
    let agents: Vec<i64> =
        query("SELECT id FROM agents WHERE active = TRUE ORDER BY id").scalars(db).await.map_err(|e| e.to_string())?;
    let plan = BulkItems {
        items: i64::from(items),
        first_item,
        projects: i64::from(projects.max(1)),
        first_project,
        first_customer: cmin,
        customer_span: if ccount == 0 { 0 } else { cmax - cmin + 1 },
        agents: &agents,
        now: now_ms(),
    };
    insert_bulk(db, &plan).await.map_err(|e| format!("seeding items failed: {e}"))
}

/// The generated projects, one `INSERT`.
fn bulk_projects(plan: &BulkItems) -> Query {
    let mut q = query("INSERT INTO projects (id, name, name_key, description, archived, created_at) ");
    q.push_values(plan.first_project..plan.first_project + plan.projects, |id| {
        vec![
            id.into(),
            format!("Project {id}").into(),
            format!("project {id}").into(),
            "".into(),
            false.into(),
            plan.now.into(),
        ]
    });
    q
}

/// One `INSERT ... SELECT` that makes every generated item from a number series, so a
/// million items take seconds. Requesters are picked from the customer id range (gaps,
/// deleted customers, become tasks without one; so is every 24th item) and each item
/// takes its requester's organization. Status, priority and assignee come from a
/// multiplicative hash of the row number, so they do not line up with requesters:
/// half the items are open (new, open, waiting); one in twelve is a task.
fn bulk_items_sql(plan: &BulkItems) -> String {
    let BulkItems {
        items: n,
        first_item,
        projects,
        first_project: pbase,
        first_customer: cmin,
        customer_span: span,
        agents,
        now,
    } = *plan;
    let ibase = first_item - 1;
    let assignee = if agents.is_empty() {
        "NULL".to_string()
    } else {
        let arms: String = agents.iter().enumerate().map(|(i, id)| format!(" WHEN {i} THEN {id}")).collect();
        format!("CASE (h / 70) % {}{arms} ELSE NULL END", agents.len() + 1)
    };
    let requester = if span == 0 {
        "CAST(NULL AS BIGINT)".to_string()
    } else {
        format!("CASE WHEN n % 24 = 0 THEN NULL ELSE (SELECT c.id FROM customers c WHERE c.id = {cmin} + (n * 7919) % {span}) END")
    };
    let title_case: String = BULK_TITLES.iter().enumerate().map(|(i, t)| format!(" WHEN {i} THEN '{t}'")).collect();
    format!(
        "WITH RECURSIVE g(n) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT n + 1 FROM g WHERE n < {n}), \
         r AS (SELECT n, (n * 48271) % 2147483647 AS h, {requester} AS requester FROM g) \
         INSERT INTO items (id, project_id, item_type, title, description, status, priority, assignee_id, requester_id, \
           organization_id, reply_count, created_at, updated_at) \
         SELECT {ibase} + n, {pbase} + n % {projects}, \
           CASE WHEN requester IS NULL OR n % 12 = 0 THEN 'task' ELSE 'ticket' END, \
           (CASE n % {nt}{title_case} END) || ' ' || CAST(n AS TEXT), 'Generated for benchmarks.', \
           CASE h % 10 WHEN 0 THEN 'new' WHEN 1 THEN 'new' WHEN 2 THEN 'open' WHEN 3 THEN 'open' WHEN 4 THEN 'waiting' \
             WHEN 5 THEN 'resolved' WHEN 6 THEN 'resolved' ELSE 'closed' END, \
           CASE (h / 10) % 7 WHEN 4 THEN 'low' WHEN 5 THEN 'high' WHEN 6 THEN 'urgent' ELSE 'normal' END, \
           {assignee}, requester, \
           (SELECT m.organization_id FROM memberships m WHERE m.customer_id = requester), \
           0, {now} - ({n} - n) * 30000, {now} - ({n} - n) * 30000 \
         FROM r",
        nt = BULK_TITLES.len()
    )
}

/// The generated projects and items in one transaction.
async fn insert_bulk(db: &Db, plan: &BulkItems<'_>) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    bulk_projects(plan).execute(&mut tx).await?;
    query(bulk_items_sql(plan)).execute(&mut tx).await?;
    advance_sequences(&mut tx, &["projects", "items"]).await?;
    if tx.dialect() == "postgres" {
        // Fresh statistics, so the planner sees a million rows before autovacuum does.
        query("ANALYZE").execute(&mut tx).await?;
    }
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::super::customers::{demo_customers, demo_organizations};
    use super::*;
    use crate::db::Arg;

    const NOW: i64 = 1_800_000_000_000;
    const AGENTS: DemoAgents = DemoAgents { sam: Some(2), kim: Some(3) };

    #[test]
    fn sam_and_kim_are_found_by_name_and_the_first_agent_stands_in() {
        let agents = [(1, "Admin".to_string()), (2, "Sam Rivera".to_string()), (3, "Kim Okoye".to_string())];
        assert_eq!(DemoAgents::pick(&agents), AGENTS);
        assert_eq!(DemoAgents::pick(&agents[..1]), DemoAgents { sam: Some(1), kim: Some(1) });
        assert_eq!(DemoAgents::pick(&[]), DemoAgents { sam: None, kim: None });
    }

    #[test]
    fn demo_items_are_created_oldest_first_up_to_now() {
        let customers = demo_customers(&demo_organizations(1), 1);
        let items = demo_items(&customers, AGENTS, NOW);
        assert_eq!(items.len(), DEMO_ITEMS);
        assert!(items.windows(2).all(|w| w[1].created - w[0].created == 13 * HOUR));
        assert_eq!(items.last().unwrap().created, NOW - 13 * HOUR);
    }

    #[test]
    fn the_first_six_demo_items_are_closed_in_the_archived_project() {
        let customers = demo_customers(&demo_organizations(1), 1);
        let items = demo_items(&customers, AGENTS, NOW);
        assert!(items[..6].iter().all(|i| i.status == "closed" && i.project == ARCHIVED));
        assert!(items[6..].iter().all(|i| i.project != ARCHIVED));
    }

    #[test]
    fn every_sixth_demo_item_is_a_task_and_half_of_them_have_no_requester() {
        let customers = demo_customers(&demo_organizations(1), 1);
        let items = demo_items(&customers, AGENTS, NOW);
        let tasks: Vec<&DemoItem> = items.iter().filter(|i| i.item_type == "task").collect();
        assert_eq!(tasks.len(), DEMO_ITEMS / 6);
        assert_eq!(tasks.iter().filter(|t| t.requester.is_none()).count(), tasks.len() / 2);
        assert!(tasks.iter().all(|t| t.description.is_empty()));
        assert!(items.iter().filter(|i| i.item_type == "ticket").all(|i| i.requester.is_some()));
    }

    #[test]
    fn picked_up_demo_items_have_one_or_two_replies_after_creation_and_a_note() {
        let customers = demo_customers(&demo_organizations(1), 1);
        for item in demo_items(&customers, AGENTS, NOW) {
            match &item.thread {
                None => assert!(item.status == "new" || item.requester.is_none(), "{}", item.title),
                Some(thread) => {
                    assert_ne!(item.status, "new");
                    assert!((1..=2).contains(&thread.replies.len()));
                    assert!(thread.replies.iter().all(|(at, _)| *at > item.created && *at <= NOW));
                    assert_eq!(thread.note_at, item.created + 30 * MINUTE);
                }
            }
        }
    }

    #[test]
    fn a_demo_follower_is_a_colleague_of_the_requester() {
        let customers = demo_customers(&demo_organizations(1), 1);
        let items = demo_items(&customers, AGENTS, NOW);
        assert!(items.iter().any(|i| i.follower.is_some()));
        for item in items.iter().filter(|i| i.follower.is_some()) {
            let (follower, requester) = (item.follower.unwrap(), item.requester.unwrap());
            assert_ne!(follower.id, requester.id);
            assert!(follower.org_id().is_some());
            assert_eq!(follower.org_id(), requester.org_id());
        }
    }

    #[test]
    fn demo_items_are_assigned_to_sam_kim_and_nobody_in_turn() {
        let customers = demo_customers(&demo_organizations(1), 1);
        let assignees: Vec<Option<i64>> =
            demo_items(&customers, AGENTS, NOW).iter().take(4).map(|i| i.assignee).collect();
        assert_eq!(assignees, [Some(2), Some(3), None, Some(2)]);
    }

    fn plan(agents: &[i64], span: i64) -> BulkItems<'_> {
        BulkItems {
            items: 1_000,
            first_item: 51,
            projects: 3,
            first_project: 5,
            first_customer: 10,
            customer_span: span,
            agents,
            now: NOW,
        }
    }

    #[test]
    fn generated_items_are_assigned_by_hash_to_each_agent_or_nobody() {
        let sql = bulk_items_sql(&plan(&[4, 9], 100));
        assert!(sql.contains("CASE (h / 70) % 3 WHEN 0 THEN 4 WHEN 1 THEN 9 ELSE NULL END, requester"), "{sql}");
        let sql = bulk_items_sql(&plan(&[], 100));
        assert!(sql.contains("'normal' END, NULL, requester"), "{sql}");
    }

    #[test]
    fn generated_items_draw_requesters_from_the_customer_id_range() {
        let sql = bulk_items_sql(&plan(&[], 100));
        assert!(sql.contains("WHERE c.id = 10 + (n * 7919) % 100) END AS requester"), "{sql}");
        let sql = bulk_items_sql(&plan(&[], 0));
        assert!(sql.contains("CAST(NULL AS BIGINT) AS requester"), "{sql}");
    }

    #[test]
    fn generated_items_are_numbered_after_the_existing_ones_over_the_new_projects() {
        let sql = bulk_items_sql(&plan(&[], 0));
        assert!(sql.contains("WHERE n < 1000)"), "{sql}");
        assert!(sql.contains("SELECT 50 + n, 5 + n % 3,"), "{sql}");
        assert!(sql.contains(" WHEN 7 THEN 'Certificate renewal' END) || ' ' || CAST(n AS TEXT)"), "{sql}");
    }

    #[test]
    fn generated_projects_are_named_after_their_ids() {
        let q = bulk_projects(&plan(&[], 0));
        assert_eq!(
            q.sql(),
            "INSERT INTO projects (id, name, name_key, description, archived, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6), ($7, $8, $9, $10, $11, $12), ($13, $14, $15, $16, $17, $18)"
        );
        assert_eq!(
            &q.args()[..6],
            &[
                Arg::Int(Some(5)),
                Arg::Text(Some("Project 5".into())),
                Arg::Text(Some("project 5".into())),
                Arg::Text(Some(String::new())),
                Arg::Bool(Some(false)),
                Arg::Int(Some(NOW)),
            ]
        );
    }
}
