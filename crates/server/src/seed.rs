//! Demo data (`orgdesk --demo`) and large generated data sets for benchmarks
//! (`orgdesk seed`). Both write in one transaction with batched inserts.

use orgdesk_core::agent::Role;
use orgdesk_core::customer::customer_sort_name;

use crate::db::{self, Db};
use crate::time_fmt::now_ms;
use crate::{auth, in_write_tx, on_db};

/// The password of the demo agents (the admin's comes from the configuration).
pub const DEMO_AGENT_PASSWORD: &str = "orgdesk-demo";

const FIRST: &[&str] = &[
    "Ava", "Ben", "Chloe", "Daniel", "Elena", "Farid", "Grace", "Hiro", "Isla", "Jonas", "Kemi", "Liam", "Maya",
    "Noah", "Olga", "Priya", "Quinn", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wen", "Yusuf", "Zoe",
];
const LAST: &[&str] = &[
    "Adams", "Baker", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Hughes", "Ito", "Jensen", "Kowalski", "Lopez",
    "Moreau", "Nakamura", "Okafor", "Patel", "Quiroga", "Rossi", "Silva", "Tanaka", "Ueda", "Varga", "Weber", "Young",
];
const POSITIONS: &[&str] =
    &["Office Manager", "IT Lead", "Accountant", "Head of Operations", "Developer", "Support Coordinator", "", ""];

struct Org {
    id: i64,
    name: String,
    domains: Vec<String>,
}

struct Customer {
    id: i64,
    email: String,
    first: String,
    last: String,
    org: Option<(i64, String)>,
}

pub struct SeedStats {
    pub organizations: u32,
    pub customers: u32,
}

/// Seeds the demo data set when there are no organizations yet; true if it did.
pub async fn demo(db: &Db) -> Result<bool, String> {
    let orgs: i64 = on_db!(db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM organizations").fetch_one(pool).await)
        .map_err(|e| e.to_string())?;
    if orgs > 0 {
        return Ok(false);
    }
    let hash = auth::hash_password(DEMO_AGENT_PASSWORD.into()).await.map_err(|e| e.to_string())?;
    for (email, name) in [("sam@orgdesk.local", "Sam Rivera"), ("kim@orgdesk.local", "Kim Okoye")] {
        if db::agents::find_for_login(db, email).await.map_err(|e| e.to_string())?.is_none() {
            db::agents::insert(db, email, name, Role::Agent, &hash, now_ms()).await.map_err(|e| e.to_string())?;
        }
    }
    let names: &[(&str, &[&str])] = &[
        ("Acme Corporation", &["acme.com", "acme.co.uk"]),
        ("Globex", &["globex.com"]),
        ("Initech", &["initech.com"]),
        ("Umbrella Health", &["umbrella-health.com"]),
        ("Stark Industries", &["starkindustries.com"]),
        ("Wayne Enterprises", &["wayne-ent.com"]),
        ("Hooli", &["hooli.xyz"]),
        ("Vandelay Industries", &["vandelay.com"]),
        ("Cyberdyne Systems", &["cyberdyne.io"]),
        ("Soylent Foods", &["soylent.co"]),
        ("Pied Piper", &["piedpiper.com"]),
        ("Tyrell Corporation", &[]),
        ("Acme Europe", &["acme.eu"]),
    ];
    let base = next_id(db, "organizations").await?;
    let orgs: Vec<Org> = names
        .iter()
        .enumerate()
        .map(|(i, (name, domains))| Org {
            id: base + i as i64,
            name: name.to_string(),
            domains: domains.iter().map(|d| d.to_string()).collect(),
        })
        .collect();
    let mut customers = Vec::new();
    let cbase = next_id(db, "customers").await?;
    let mut n = 0usize;
    for (oi, org) in orgs.iter().enumerate() {
        let Some(domain) = org.domains.first() else {
            continue;
        };
        for k in 0..(3 + (oi * 7) % 6) {
            let first = FIRST[(n * 7 + k) % FIRST.len()];
            let last = LAST[(n * 11 + oi) % LAST.len()];
            let position = POSITIONS[(n + k) % POSITIONS.len()];
            customers.push(Customer {
                id: cbase + n as i64,
                email: format!("{}.{}@{domain}", first.to_lowercase(), last.to_lowercase()),
                first: first.into(),
                last: last.into(),
                org: Some((org.id, position.into())),
            });
            n += 1;
        }
    }
    for (first, last, email) in [
        ("Pat", "Morgan", "pat.morgan@gmail.com"),
        ("Lee", "Harper", "lee.harper@outlook.com"),
        ("Robin", "Shaw", "robin@freelance-design.net"),
    ] {
        customers.push(Customer {
            id: cbase + n as i64,
            email: email.into(),
            first: first.into(),
            last: last.into(),
            org: None,
        });
        n += 1;
    }
    insert_all(db, &orgs, &customers).await.map_err(|e| format!("seeding demo data failed: {e}"))?;
    demo_work(db, &orgs, &customers).await.map_err(|e| format!("seeding demo projects failed: {e}"))?;
    demo_panel(db, &orgs).await.map_err(|e| format!("seeding demo organization details failed: {e}"))?;
    Ok(true)
}

/// What the organization panel shows: a parent link, managers, contact information,
/// custom properties with values, a summary, a note and a first history entry.
async fn demo_panel(db: &Db, orgs: &[Org]) -> Result<(), sqlx::Error> {
    let now = now_ms();
    let by_name = |name: &str| orgs.iter().find(|o| o.name == name).map(|o| o.id).unwrap_or_default();
    let acme = by_name("Acme Corporation");
    let definitions: &[(&str, &str, bool, &str)] = &[
        ("Plan", "single_choice", true, r#"["Free","Team","Enterprise"]"#),
        ("Seats", "number", false, "[]"),
        ("Renewal date", "date", false, "[]"),
        ("Products", "multiple_choice", false, r#"["Helpdesk","Portal","Reporting"]"#),
        ("Priority support", "checkbox", false, "[]"),
        ("Account notes", "long_text", false, "[]"),
    ];
    let plans = ["Free", "Team", "Enterprise"];
    let sam: Option<i64> = on_db!(db, pool => sqlx::query_scalar("SELECT id FROM agents WHERE email = 'sam@orgdesk.local'").fetch_optional(pool).await)?;
    in_write_tx!(db, tx => async {
        sqlx::query("UPDATE organizations SET parent_id = $1 WHERE id = $2").bind(acme).bind(by_name("Acme Europe")).execute(&mut *tx).await?;
        sqlx::query(
            "UPDATE organizations SET summary = 'Long-standing customer since 2019. Two offices (Springfield and London); invoices go to the London office.' WHERE id = $1",
        )
        .bind(acme)
        .execute(&mut *tx)
        .await?;
        // The first member of each organization manages it.
        sqlx::query(
            "UPDATE memberships SET role = 'manager' WHERE customer_id IN \
             (SELECT MIN(customer_id) FROM memberships GROUP BY organization_id)",
        )
        .execute(&mut *tx)
        .await?;
        let contacts: &[(&str, &str, &str)] = &[
            ("phone", "Main", "+1 555 0100"),
            ("email", "Billing", "billing@acme.com"),
            ("website", "", "https://acme.com"),
            ("address", "Head office", "1 Acme Way\nSpringfield 01101\nUSA"),
            ("social", "LinkedIn", "https://www.linkedin.com/company/acme"),
        ];
        for (i, (kind, label, value)) in contacts.iter().enumerate() {
            sqlx::query("INSERT INTO organization_contacts (organization_id, position, kind, label, value) VALUES ($1, $2, $3, $4, $5)")
                .bind(acme).bind(i as i64).bind(*kind).bind(*label).bind(*value).execute(&mut *tx).await?;
        }
        let mut ids = Vec::new();
        for (i, (label, kind, required, options)) in definitions.iter().enumerate() {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO organization_property_definitions (label, label_key, kind, required, options, position, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(*label).bind(label.to_lowercase()).bind(*kind).bind(*required).bind(*options).bind(i as i64).bind(now)
            .fetch_one(&mut *tx).await?;
            ids.push(id);
        }
        for (i, org) in orgs.iter().enumerate() {
            let mut values = vec![(ids[0], format!("\"{}\"", plans[i % plans.len()]))];
            if i % 3 != 0 {
                values.push((ids[1], format!("{}", 5 + i * 15)));
                values.push((ids[2], format!("\"2027-{:02}-01\"", 1 + i % 12)));
            }
            if i % 4 == 0 {
                values.push((ids[3], r#"["Helpdesk","Portal"]"#.to_string()));
                values.push((ids[4], "true".to_string()));
            }
            if org.id == acme {
                values.push((ids[5], "\"Prefers email over phone. Quarterly review with their IT lead.\"".to_string()));
            }
            for (definition, value) in values {
                sqlx::query("INSERT INTO organization_property_values (organization_id, definition_id, value) VALUES ($1, $2, $3)")
                    .bind(org.id).bind(definition).bind(value).execute(&mut *tx).await?;
            }
            sqlx::query(
                "INSERT INTO organization_history (organization_id, agent_id, action, summary, details, created_at) \
                 VALUES ($1, NULL, 'created', 'Created with the demo data', '{}', $2)",
            )
            .bind(org.id).bind(now).execute(&mut *tx).await?;
        }
        sqlx::query("INSERT INTO organization_notes (organization_id, agent_id, body, created_at) VALUES ($1, $2, $3, $4)")
            .bind(acme)
            .bind(sam)
            .bind("Renewal call booked for next month; they are asking about the Enterprise plan.")
            .bind(now)
            .execute(&mut *tx)
            .await?;
        Ok::<(), sqlx::Error>(())
    }.await)
}

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

/// Demo projects with tickets and tasks across the organizations, replies and notes,
/// and conversations with an organization and a project, in one transaction. Replies and
/// notices are recorded in the outbox as already sent, so nothing goes out for demo data.
async fn demo_work(db: &Db, orgs: &[Org], customers: &[Customer]) -> Result<(), sqlx::Error> {
    let now = now_ms();
    let agents: Vec<(i64, String)> = on_db!(db, pool => sqlx::query_as(
        "SELECT id, name FROM agents WHERE active = TRUE ORDER BY id").fetch_all(pool).await)?;
    let sam = agents.iter().find(|(_, n)| n.starts_with("Sam")).or(agents.first()).map(|(id, _)| *id);
    let kim = agents.iter().find(|(_, n)| n.starts_with("Kim")).or(agents.first()).map(|(id, _)| *id);
    let projects: &[(&str, &str, bool)] = &[
        ("Customer Support", "Questions and problems customers report.", false),
        ("Website Relaunch", "The new public website and customer portal.", false),
        ("Network Upgrade", "Wi-Fi and VPN improvements for on-site customers.", false),
        ("Legacy Migration", "Moving the old ticket archive (done).", true),
    ];
    in_write_tx!(db, tx => async {
        let mut project_ids = Vec::new();
        for (name, description, archived) in projects {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO projects (name, name_key, description, archived, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
                .bind(*name).bind(name.to_lowercase()).bind(*description).bind(*archived).bind(now - 90 * DAY)
                .fetch_one(&mut *tx).await?;
            project_ids.push(id);
        }
        let statuses = ["new", "open", "waiting", "open", "resolved", "closed", "new", "waiting", "closed"];
        let priorities = ["normal", "high", "normal", "low", "urgent", "normal"];
        let members: Vec<&Customer> = customers.iter().collect();
        let total = 48usize;
        for n in 0..total {
            // Oldest first, so ids ascend with creation time.
            let created = now - ((total - n) as i64) * 13 * HOUR;
            let is_task = n % 6 == 5;
            let requester = (!is_task || n % 12 == 5).then(|| members[(n * 7) % members.len()]);
            let (title, description) = if is_task {
                (DEMO_TASKS[(n / 6) % DEMO_TASKS.len()].to_string(), String::new())
            } else {
                let (t, d) = DEMO_TITLES[n % DEMO_TITLES.len()];
                (t.to_string(), d.to_string())
            };
            let project = if n < 6 { project_ids[3] } else { project_ids[n % 3] };
            let status = if n < 6 { "closed" } else { statuses[n % statuses.len()] };
            let assignee = match n % 3 { 0 => sam, 1 => kim, _ => None };
            let organization = requester.and_then(|c| c.org.as_ref().map(|(o, _)| *o));
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO items (project_id, item_type, title, description, status, priority, assignee_id, requester_id, \
                 organization_id, reply_count, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $10) RETURNING id")
                .bind(project)
                .bind(if is_task { "task" } else { "ticket" })
                .bind(&title)
                .bind(&description)
                .bind(status)
                .bind(priorities[n % priorities.len()])
                .bind(assignee)
                .bind(requester.map(|c| c.id))
                .bind(organization)
                .bind(created)
                .fetch_one(&mut *tx).await?;
            let Some(requester) = requester else { continue };
            if n % 4 == 0 {
                // A colleague follows the ticket.
                if let Some(colleague) = members.iter().find(|c| c.id != requester.id && c.org.is_some() && c.org.as_ref().map(|o| o.0) == requester.org.as_ref().map(|o| o.0)) {
                    sqlx::query("INSERT INTO item_followers (item_id, customer_id) VALUES ($1, $2)")
                        .bind(id).bind(colleague.id).execute(&mut *tx).await?;
                }
            }
            if status == "new" {
                continue;
            }
            let replies = 1 + n % 2;
            for r in 0..replies {
                let at = created + (r as i64 + 1) * HOUR;
                let body = DEMO_REPLIES[(n + r) % DEMO_REPLIES.len()];
                sqlx::query("INSERT INTO messages (item_id, kind, author_agent_id, body, recipients, created_at) VALUES ($1, 'reply', $2, $3, $4, $5)")
                    .bind(id).bind(assignee.or(sam)).bind(body).bind(&requester.email).bind(at).execute(&mut *tx).await?;
                sqlx::query(
                    "INSERT INTO outbox (kind, recipient, subject, body, customer_id, item_id, status, attempts, next_attempt_at, created_at, sent_at) \
                     VALUES ('item_reply', $1, $2, $3, $4, $5, 'sent', 1, $6, $6, $6)")
                    .bind(&requester.email).bind(format!("[#{id}] {title}")).bind(body).bind(requester.id).bind(id).bind(at)
                    .execute(&mut *tx).await?;
            }
            sqlx::query("INSERT INTO messages (item_id, kind, author_agent_id, body, recipients, created_at) VALUES ($1, 'note', $2, $3, '', $4)")
                .bind(id).bind(kim.or(sam)).bind(DEMO_NOTES[n % DEMO_NOTES.len()]).bind(created + 30 * MINUTE).execute(&mut *tx).await?;
            sqlx::query("UPDATE items SET reply_count = $2, updated_at = $3 WHERE id = $1")
                .bind(id).bind(replies as i64).bind(created + replies as i64 * HOUR).execute(&mut *tx).await?;
        }
        // The website project is followed by its pilot customer organization and a freelancer.
        if let Some(acme) = orgs.first() {
            sqlx::query("INSERT INTO project_followers (project_id, organization_id, created_at) VALUES ($1, $2, $3)")
                .bind(project_ids[1]).bind(acme.id).bind(now).execute(&mut *tx).await?;
        }
        if let Some(free) = customers.iter().find(|c| c.org.is_none()) {
            sqlx::query("INSERT INTO project_followers (project_id, customer_id, created_at) VALUES ($1, $2, $3)")
                .bind(project_ids[1]).bind(free.id).bind(now).execute(&mut *tx).await?;
        }
        // Conversations: one with an organization, one with the website project's followers.
        let mut conversations: Vec<DemoConversation> = Vec::new();
        if let Some(acme) = orgs.first() {
            let members: Vec<&Customer> = customers.iter().filter(|c| c.org.as_ref().map(|o| o.0) == Some(acme.id)).collect();
            conversations.push((Some(acme.id), None, "Planned maintenance on Saturday",
                "Hello,\n\nthe portal will be unavailable on Saturday from 06:00 to 08:00 UTC for maintenance.", members.clone()));
            let mut followers = members;
            followers.extend(customers.iter().filter(|c| c.org.is_none()).take(1));
            conversations.push((None, Some(project_ids[1]), "The new website goes live next week",
                "Hello,\n\nthe relaunched website goes live next Tuesday. Tell us what you think!", followers));
        }
        for (org, project, subject, body, recipients) in conversations {
            let at = now - 2 * DAY;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO conversations (subject, organization_id, project_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
                .bind(subject).bind(org).bind(project).bind(sam).bind(at).fetch_one(&mut *tx).await?;
            sqlx::query("INSERT INTO conversation_messages (conversation_id, author_agent_id, body, notified, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(id).bind(sam).bind(body).bind(recipients.len() as i64).bind(at).execute(&mut *tx).await?;
            for c in recipients {
                sqlx::query(
                    "INSERT INTO outbox (kind, recipient, subject, body, customer_id, conversation_id, status, attempts, next_attempt_at, created_at, sent_at) \
                     VALUES ('conversation', $1, $2, $3, $4, $5, 'sent', 1, $6, $6, $6)")
                    .bind(&c.email).bind(subject).bind(body).bind(c.id).bind(id).bind(at).execute(&mut *tx).await?;
            }
        }
        Ok::<_, sqlx::Error>(())
    }.await)
}

/// (organization, project, subject, body, recipients)
type DemoConversation<'a> = (Option<i64>, Option<i64>, &'a str, &'a str, Vec<&'a Customer>);

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// Generates `organizations` organizations (one domain each) and `customers`
/// customers, nine in ten of them members, in one transaction.
pub async fn bulk(db: &Db, organizations: u32, customers: u32) -> Result<SeedStats, String> {
    let obase = next_id(db, "organizations").await?;
    let cbase = next_id(db, "customers").await?;
    let orgs: Vec<Org> = (0..organizations as i64)
        .map(|i| {
            let id = obase + i;
            Org {
                id,
                name: format!(
                    "{} {} {id}",
                    LAST[(id as usize) % LAST.len()],
                    ["Ltd", "Group", "Inc", "GmbH", "Labs"][(id as usize / 7) % 5]
                ),
                domains: vec![format!("org{id}.example")],
            }
        })
        .collect();
    let people: Vec<Customer> = (0..customers as i64)
        .map(|i| {
            let id = cbase + i;
            let org = (!orgs.is_empty() && i % 10 != 9).then(|| &orgs[(i as usize * 7919) % orgs.len()]);
            let first = FIRST[(id as usize * 13) % FIRST.len()];
            let last = LAST[(id as usize * 17) % LAST.len()];
            let domain = org.map(|o| o.domains[0].clone()).unwrap_or_else(|| "gmail.com".into());
            Customer {
                id,
                email: format!("{}.{}.{id}@{domain}", first.to_lowercase(), last.to_lowercase()),
                first: first.into(),
                last: last.into(),
                org: org.map(|o| (o.id, POSITIONS[(id as usize) % POSITIONS.len()].to_string())),
            }
        })
        .collect();
    insert_all(db, &orgs, &people).await.map_err(|e| format!("seeding failed: {e}"))?;
    Ok(SeedStats { organizations, customers })
}

/// Generates `projects` projects and `items` items spread over them, over the customers
/// (so over their organizations: each item takes its requester's) and over the active
/// agents, in one transaction. The rows are made by the database from a number series,
/// so a million items take seconds. Status, priority and assignee come from a
/// multiplicative hash of the row number (so they do not line up with requesters):
/// half the items are open (new, open, waiting); one in twelve is a task, every other
/// task without a requester.
pub async fn bulk_items(db: &Db, items: u32, projects: u32) -> Result<(), String> {
    if items == 0 {
        return Ok(());
    }
    let projects = i64::from(projects.max(1));
    let pbase = next_id(db, "projects").await?;
    let ibase = next_id(db, "items").await? - 1;
    let (cmin, ccount): (i64, i64) = on_db!(db, pool => sqlx::query_as(
        "SELECT COALESCE(MIN(id), 0), COUNT(*) FROM customers").fetch_one(pool).await)
    .map_err(|e| e.to_string())?;
    let (cmax,): (i64,) =
        on_db!(db, pool => sqlx::query_as("SELECT COALESCE(MAX(id), 0) FROM customers").fetch_one(pool).await)
            .map_err(|e| e.to_string())?;
    // Requesters are picked from the id range; gaps (deleted customers) become tasks without one.
    let span = if ccount == 0 { 0 } else { cmax - cmin + 1 };
    let agents: Vec<i64> = on_db!(db, pool => sqlx::query_scalar(
        "SELECT id FROM agents WHERE active = TRUE ORDER BY id").fetch_all(pool).await)
    .map_err(|e| e.to_string())?;
    let now = now_ms();
    let n = i64::from(items);
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
    let titles = [
        "Cannot sign in",
        "Invoice question",
        "Printer jam",
        "New user accounts",
        "VPN disconnects",
        "Export missing columns",
        "Slow dashboard",
        "Certificate renewal",
    ];
    let title_case: String = titles.iter().enumerate().map(|(i, t)| format!(" WHEN {i} THEN '{t}'")).collect();
    let sql = format!(
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
        nt = titles.len()
    );
    insert_items(db, pbase, projects, &sql, now).await.map_err(|e| format!("seeding items failed: {e}"))
}

/// The projects `pbase..pbase + projects` and the items `sql` generates, in one transaction.
async fn insert_items(db: &Db, pbase: i64, projects: i64, sql: &str, now: i64) -> Result<(), sqlx::Error> {
    let postgres = matches!(db, Db::Postgres(_));
    let ids: Vec<i64> = (0..projects).map(|i| pbase + i).collect();
    in_write_tx!(db, tx => async {
        let mut qb = sqlx::QueryBuilder::new("INSERT INTO projects (id, name, name_key, description, archived, created_at) ");
        qb.push_values(&ids, |mut b, id| {
            let key = format!("project {id}");
            b.push_bind(*id).push_bind(format!("Project {id}")).push_bind(key).push_bind("").push_bind(false).push_bind(now);
        });
        qb.build().execute(&mut *tx).await?;
        sqlx::query(sql).execute(&mut *tx).await?;
        if postgres {
            for table in ["projects", "items"] {
                let sql = format!("SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))");
                sqlx::query(&sql).execute(&mut *tx).await?;
            }
            // Fresh statistics, so the planner sees a million rows before autovacuum does.
            sqlx::query("ANALYZE").execute(&mut *tx).await?;
        }
        Ok::<_, sqlx::Error>(())
    }.await)
}

async fn next_id(db: &Db, table: &str) -> Result<i64, String> {
    let sql = format!("SELECT COALESCE(MAX(id), 0) + 1 FROM {table}");
    on_db!(db, pool => sqlx::query_scalar::<_, i64>(&sql).fetch_one(pool).await).map_err(|e| e.to_string())
}

const BATCH: usize = 1000;

async fn insert_all(db: &Db, orgs: &[Org], customers: &[Customer]) -> Result<(), sqlx::Error> {
    let now = now_ms();
    let domains: Vec<(&str, i64)> =
        orgs.iter().flat_map(|o| o.domains.iter().map(move |d| (d.as_str(), o.id))).collect();
    let members: Vec<(i64, i64, &str)> =
        customers.iter().filter_map(|c| c.org.as_ref().map(|(org, pos)| (c.id, *org, pos.as_str()))).collect();
    let postgres = matches!(db, Db::Postgres(_));
    in_write_tx!(db, tx => async {
        for chunk in orgs.chunks(BATCH) {
            let mut qb = sqlx::QueryBuilder::new("INSERT INTO organizations (id, name, name_key, created_at) ");
            qb.push_values(chunk, |mut b, o| {
                b.push_bind(o.id).push_bind(&o.name).push_bind(o.name.to_lowercase()).push_bind(now);
            });
            qb.build().execute(&mut *tx).await?;
        }
        for chunk in domains.chunks(BATCH) {
            let mut qb = sqlx::QueryBuilder::new("INSERT INTO organization_domains (domain, organization_id) ");
            qb.push_values(chunk, |mut b, (d, o)| {
                b.push_bind(*d).push_bind(*o);
            });
            qb.build().execute(&mut *tx).await?;
        }
        for chunk in customers.chunks(BATCH) {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO customers (id, email, first_name, last_name, first_key, last_key, sort_name, created_at) ",
            );
            qb.push_values(chunk, |mut b, c| {
                b.push_bind(c.id)
                    .push_bind(&c.email)
                    .push_bind(&c.first)
                    .push_bind(&c.last)
                    .push_bind(c.first.to_lowercase())
                    .push_bind(c.last.to_lowercase())
                    .push_bind(customer_sort_name(&c.first, &c.last, &c.email))
                    .push_bind(now);
            });
            qb.build().execute(&mut *tx).await?;
        }
        for chunk in members.chunks(BATCH) {
            let mut qb = sqlx::QueryBuilder::new("INSERT INTO memberships (customer_id, organization_id, position) ");
            qb.push_values(chunk, |mut b, (c, o, p)| {
                b.push_bind(*c).push_bind(*o).push_bind(*p);
            });
            qb.build().execute(&mut *tx).await?;
        }
        if postgres {
            // Explicit ids do not advance PostgreSQL's identity sequences.
            for table in ["organizations", "customers"] {
                let sql = format!("SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))");
                sqlx::query(&sql).execute(&mut *tx).await?;
            }
        }
        Ok::<_, sqlx::Error>(())
    }.await)
}
