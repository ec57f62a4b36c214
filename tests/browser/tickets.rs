//! Browser tests of projects, tickets and conversations: a person creating a
//! project and a ticket for a customer, finding it under the customer's
//! organization, answering the customer and noting things for colleagues, and
//! messaging a whole organization; what reaches customers is checked in the
//! Administration outbox.

use fantoccini::Locator;
use orgdesk_browser_tests::*;
use serde_json::json;

/// How many emails the Administration outbox lists, read from its summary.
async fn outbox_total(browser: &Browser) -> usize {
    browser.click_link("Administration").await;
    browser.wait_for_path("/admin").await;
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let body = browser.body_text().await;
        if body.contains("No emails yet.") {
            return 0;
        }
        if let Some(rest) = body.split("Emails 1–").nth(1) {
            let total = rest.split(" of ").nth(1).and_then(|t| t.split(',').next()).and_then(|t| t.parse().ok());
            if let Some(total) = total {
                return total;
            }
        }
        assert!(tokio::time::Instant::now() < deadline, "the outbox shows no summary:\n{body}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The outbox rows shown now, as their cells' texts.
async fn outbox_rows(browser: &Browser) -> Vec<Vec<String>> {
    browser.wait_for_text("newest first").await;
    let mut rows = Vec::new();
    for row in browser.client.find_all(Locator::XPath("//table[@aria-label='Outbox']/tbody/tr")).await.unwrap() {
        let mut cells = Vec::new();
        for cell in row.find_all(Locator::Css("td")).await.unwrap() {
            cells.push(cell.text().await.unwrap());
        }
        rows.push(cells);
    }
    rows
}

/// The id in a path like `/tickets/12?status=new`.
fn id_in(path: &str, prefix: &str) -> i64 {
    let rest = path.strip_prefix(prefix).unwrap_or_else(|| panic!("{path} does not start with {prefix}"));
    rest.split('?').next().unwrap().parse().unwrap_or_else(|_| panic!("no id in {path}"))
}

#[tokio::test]
async fn a_ticket_for_a_customer_is_grouped_under_their_organization_and_only_replies_reach_the_outbox() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    api.create_org("Acme", &["acme.com"]).await;
    api.create_customer("ann@acme.com", "Ann", "Lee").await;
    let browser = Browser::signed_in(&server, "/projects").await;

    // A project, created as a person does.
    browser.click_button("New project").await;
    browser.fill_in(DIALOG, "Project name", "Website relaunch").await;
    browser.fill_in(DIALOG, "Description", "The new public website").await;
    browser.click_button("Create project").await;
    browser.wait_for_text("Created Website relaunch.").await;
    browser.click_link("Website relaunch").await;
    let project_path = browser.wait_for_path_prefix("/projects/").await;
    browser.wait_for_text_in(PANEL, "The new public website").await;

    // A ticket in it: the form says what is missing next to the fields.
    browser.click_button("New ticket").await;
    browser.click_button("Create ticket").await;
    assert_eq!(browser.field_error_in(DIALOG, "Title").await, "Enter a title.");
    assert_eq!(browser.field_error_in(DIALOG, "Requester").await, "Choose the customer who requested this ticket.");
    browser.fill_in(DIALOG, "Title", "Checkout page is blank").await;
    browser.fill_in(DIALOG, "Requester", "ann").await;
    browser.click_button("Ann Lee, ann@acme.com").await;
    browser.choose_in(DIALOG, "Priority", "High").await;
    browser.click_button("Create ticket").await;
    browser.wait_for_text("Created ticket #").await;
    browser.wait_for_text_in(PANEL, "Checkout page is blank").await;

    // The panel survives a reload.
    browser.reload().await;
    browser.wait_for_text_in(PANEL, "Checkout page is blank").await;
    assert_eq!(browser.path().await, project_path);
    let before = outbox_total(&browser).await;

    // In Tickets, grouped by organization: under Acme, with its count.
    browser.click_link("Tickets").await;
    browser.wait_for_path("/tickets").await;
    browser.choose_in("", "Group by", "Organization").await;
    browser.wait_for_path("/tickets?group=organization").await;
    browser.wait_for_text_in("//div[@data-testid='item-group'][.//span[normalize-space()='Acme']]", "1 item").await;
    browser.click_button("Expand Acme").await;
    browser.click_link("Checkout page is blank").await;
    let item_path = browser.wait_for_path_prefix("/tickets/").await;
    let item_id = id_in(&item_path, "/tickets/");
    browser.wait_for_text_in(PANEL, "Ann Lee <ann@acme.com>").await;
    browser.wait_for_text_in("//*[@data-testid='item-organization']", "Acme").await;

    // A customer reply says who receives it; an internal note says nobody outside does.
    browser.wait_for_text_in(PANEL, "Emailed to Ann Lee <ann@acme.com>.").await;
    browser.fill_in(PANEL, "Message", "We are looking into it.").await;
    browser.click_button("Send reply").await;
    browser
        .wait_for_text_in("//li[@data-testid='message'][contains(@class,'message--reply')]", "We are looking into it.")
        .await;
    browser.field_in(PANEL, "Internal note").await.click().await.unwrap();
    browser.wait_for_text_in(PANEL, "Only agents see internal notes.").await;
    browser.fill_in(PANEL, "Message", "Probably the CDN again.").await;
    browser.click_button("Add internal note").await;
    let note = browser
        .wait_for_text_in("//li[@data-testid='message'][contains(@class,'message--note')]", "Probably the CDN again.")
        .await;
    assert!(note.contains("Internal"), "the note is marked internal: {note}");

    // Both stay after a reload, in order.
    browser.reload().await;
    browser.wait_for_text_in(PANEL, "Probably the CDN again.").await;
    let messages = browser.texts("//li[@data-testid='message']").await;
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(messages[0].contains("We are looking into it.") && messages[0].contains("Customer reply"));
    assert!(messages[1].contains("Probably the CDN again.") && messages[1].contains("Internal"));

    // Only the reply became an email, to Ann, about this item.
    let after = outbox_total(&browser).await;
    assert_eq!(after, before + 1, "one email for the reply, none for the note");
    let rows = outbox_rows(&browser).await;
    let newest = &rows[0];
    assert_eq!(newest[0], "ann@acme.com", "{rows:?}");
    assert!(newest.iter().any(|c| c == &format!("Item #{item_id}")), "the row links the item: {newest:?}");
    assert!(!browser.body_text().await.contains("Probably the CDN"), "the note never reaches the outbox");
    browser.close().await;
}

#[tokio::test]
async fn messaging_an_organization_notifies_each_member_and_nobody_else() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    api.create_org("Acme", &["acme.com"]).await;
    api.create_org("Globex", &["globex.com"]).await;
    for (email, first) in [("ann@acme.com", "Ann"), ("ben@acme.com", "Ben"), ("cy@acme.com", "Cy")] {
        api.create_customer(email, first, "Acme").await;
    }
    api.create_customer("zed@globex.com", "Zed", "Globex").await;
    let browser = Browser::signed_in(&server, "/customers").await;
    browser.wait_for_group_count("Acme", "3 members").await;

    browser.click_button("Message Acme").await;
    browser.click_button("Send to all members").await;
    assert_eq!(browser.field_error_in(DIALOG, "Subject").await, "Enter a subject.");
    browser.fill_in(DIALOG, "Subject", "Planned maintenance").await;
    browser.fill_in(DIALOG, "Message", "The portal is down on Sunday from 6 to 8.").await;
    browser.click_button("Send to all members").await;
    browser.wait_for_text("Sent to 3 members.").await;

    let total = outbox_total(&browser).await;
    let rows = outbox_rows(&browser).await;
    assert_eq!(rows.len(), total);
    let mut recipients: Vec<String> =
        rows.iter().filter(|r| r.iter().any(|c| c.contains("Planned maintenance"))).map(|r| r[0].clone()).collect();
    recipients.sort();
    assert_eq!(recipients, ["ann@acme.com", "ben@acme.com", "cy@acme.com"]);
    assert!(rows.iter().all(|r| r[0] != "zed@globex.com"), "no email to another organization: {rows:?}");
    browser.close().await;
}

#[tokio::test]
async fn moving_a_customer_with_an_open_ticket_asks_first_with_the_counts() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    api.create_org("Acme", &["acme.com"]).await;
    api.create_org("Globex", &["globex.com"]).await;
    let ann = api.create_customer("ann@acme.com", "Ann", "Lee").await.id;
    let project = api.create_project("Support").await.id;
    api.create_ticket(project, "Invoice is wrong", ann).await;
    let done = api.create_ticket(project, "Password reset", ann).await.id;
    api.patch(&format!("/api/items/{done}"), json!({ "status": "closed" })).await;

    let browser = Browser::signed_in(&server, "/customers").await;
    browser.expand("Acme").await;
    browser.drag_to_group("Ann Lee", "Globex").await;
    browser.wait_for_alert("1 open item will move with them to Globex; 1 closed item stays with Acme.").await;

    // Cancel changes nothing.
    browser.click_button("Cancel").await;
    browser.wait_for_group_count("Acme", "1 member").await;
    browser.wait_for_group_count("Globex", "0 members").await;

    // The keyboard's "Move to organization…" asks the same.
    browser.keys_to_labelled("Select Ann Lee", " ").await;
    browser.click_button("Move to organization…").await;
    browser.field("Organization").await.send_keys("glob").await.unwrap();
    browser.click_button("Globex, 0 members").await;
    browser.wait_for_alert("1 open item will move with them to Globex; 1 closed item stays with Acme.").await;
    browser.click_button("Move").await;
    browser.wait_for_text("Moved 1 customer to Globex.").await;
    browser.wait_for_group_count("Globex", "1 member").await;

    // The open ticket went along; the closed one stayed with Acme (every status, by organization).
    browser.goto("/tickets?status=all&group=organization").await;
    let globex = "//div[@data-testid='item-group'][.//span[normalize-space()='Globex']]";
    let acme = "//div[@data-testid='item-group'][.//span[normalize-space()='Acme']]";
    browser.wait_for_text_in(globex, "1 item").await;
    browser.wait_for_text_in(acme, "1 item").await;
    browser.click_button("Expand Globex").await;
    browser.wait_for_text_in(globex, "Invoice is wrong").await;
    browser.close().await;
}

#[tokio::test]
async fn filters_live_in_the_url_and_a_new_requester_is_warned_about_earlier_replies() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    api.create_org("Acme", &["acme.com"]).await;
    let ann = api.create_customer("ann@acme.com", "Ann", "Lee").await.id;
    api.create_customer("ben@acme.com", "Ben", "Ito").await;
    let project = api.create_project("Support").await.id;
    let id = api.create_ticket(project, "Invoice is wrong", ann).await.id;
    api.create_ticket(project, "Printer jammed", ann).await;
    api.patch(&format!("/api/items/{id}"), json!({ "status": "waiting" })).await;
    api.post(&format!("/api/items/{id}/messages"), json!({ "kind": "reply", "body": "We sent a new invoice." })).await;

    let browser = Browser::signed_in(&server, "/tickets").await;
    // The open statuses are ticked to start with; unticking New and Open leaves Waiting.
    browser.field("New").await.click().await.unwrap();
    browser.wait_for_path("/tickets?status=open,waiting").await;
    browser.field("Open").await.click().await.unwrap();
    browser.wait_for_path("/tickets?status=waiting").await;
    browser.keys_to_labelled("Search tickets", "invoice").await;
    browser.wait_for_path("/tickets?status=waiting&q=invoice").await;
    browser.reload().await;
    browser.wait_for_text_in("//div[@aria-label='Tickets']", "1 item").await;
    let waiting = browser.field("Waiting").await;
    assert_eq!(waiting.prop("checked").await.unwrap().as_deref(), Some("true"));
    browser.choose_in("", "Group by", "Status").await;
    browser.wait_for_path("/tickets?status=waiting&q=invoice&group=status").await;
    browser.click_button("Expand Waiting").await;
    browser.click_link("Invoice is wrong").await;
    browser.wait_for_path(&format!("/tickets/{id}?status=waiting&q=invoice&group=status")).await;

    // Ben would receive the reply Ann got: the panel says so before saving.
    browser.click_button("Change requester").await;
    browser.fill_in(PANEL, "New requester", "ben").await;
    browser.click_button("Ben Ito, ben@acme.com").await;
    browser.wait_for_alert("Ben Ito will receive the 1 earlier reply.").await;
    browser.click_button("Save requester").await;
    browser.wait_for_text_in("//*[@data-testid='item-requester']", "Ben Ito <ben@acme.com>").await;
    browser.reload().await;
    browser.wait_for_text_in("//*[@data-testid='item-requester']", "Ben Ito <ben@acme.com>").await;

    // Without grouping and filters: one list of the open items, newest first.
    browser.click_button("Close item").await;
    browser.click_button("Clear filters").await;
    browser.wait_for_path("/tickets?group=status").await;
    browser.choose_in("", "Group by", "No grouping").await;
    browser.wait_for_path("/tickets").await;
    let list = browser.wait_for_text_in("//div[@aria-label='Tickets']", "2 items").await;
    let (printer, invoice) = (list.find("Printer jammed").unwrap(), list.find("Invoice is wrong").unwrap());
    assert!(printer < invoice, "newest first: {list}");
    browser.close().await;
}

#[tokio::test]
async fn an_items_status_priority_and_assignee_are_changed_in_its_panel_for_good() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    api.create_org("Acme", &["acme.com"]).await;
    let ann = api.create_customer("ann@acme.com", "Ann", "Lee").await.id;
    let sam = api.create_agent("sam@example.com", "Sam Rivera", "agent").await;
    let project = api.create_project("Support").await.id;
    let id = api.create_ticket(project, "Printer jammed", ann).await.id;
    let browser = Browser::signed_in(&server, &format!("/tickets/{id}")).await;
    browser.wait_for_value_in(PANEL, "Title", "Printer jammed").await;

    browser.choose_in(PANEL, "Status", "Waiting").await;
    eventually("the status on the server", || api.item(id), |i| i.status == ItemStatus::Waiting).await;
    browser.choose_in(PANEL, "Priority", "High").await;
    eventually("the priority on the server", || api.item(id), |i| i.priority == Priority::High).await;
    browser.choose_in(PANEL, "Assignee", "Sam Rivera").await;
    let item = eventually("the assignee on the server", || api.item(id), |i| i.assignee_id == Some(sam)).await;
    assert_eq!((item.status, item.priority), (ItemStatus::Waiting, Priority::High), "each change kept the others");

    browser.reload().await;
    browser.wait_for_value_in(PANEL, "Status", "waiting").await;
    browser.wait_for_value_in(PANEL, "Priority", "high").await;
    browser.wait_for_value_in(PANEL, "Assignee", &sam.to_string()).await;

    // Unassigning clears it again.
    browser.choose_in(PANEL, "Assignee", "Unassigned").await;
    eventually("no assignee on the server", || api.item(id), |i| i.assignee_id.is_none()).await;
    browser.reload().await;
    browser.wait_for_value_in(PANEL, "Assignee", "").await;
    browser.close().await;
}

#[tokio::test]
async fn show_more_brings_the_next_groups_and_the_next_items_of_a_group() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    // 51 projects, one more than a page of groups; "Busy" has 26 items, one more than a page.
    let busy = api.create_project("Busy").await.id;
    for n in 1..=26 {
        api.post(
            "/api/items",
            json!({ "project_id": busy, "item_type": "task", "title": format!("Busy task {n:02}") }),
        )
        .await;
    }
    for n in 1..=50 {
        let p = api.create_project(&format!("Project {n:02}")).await.id;
        api.post("/api/items", json!({ "project_id": p, "item_type": "task", "title": format!("Task {n:02}") })).await;
    }
    // Signed in first: a deep link's query does not survive sign-in yet (the return address
    // loses its "?": /tickets?group=project comes back as /ticketsgroup=project).
    let browser = Browser::signed_in(&server, "/tickets").await;
    browser.goto("/tickets?group=project").await;
    browser.button("Expand Project 49").await;
    assert!(browser.client.find(Locator::XPath("//button[@aria-label='Expand Project 50']")).await.is_err());
    browser.click_button("Show more groups (1 more)").await;
    browser.button("Expand Project 50").await;

    browser.click_button("Expand Busy").await;
    let busy_group = "//div[@data-testid='item-group'][.//button[@aria-label='Collapse Busy']]";
    browser.wait_for_text_in(busy_group, "Busy task 02").await;
    assert!(!browser.texts(busy_group).await.concat().contains("Busy task 01"), "newest first, the oldest later");
    browser.click_button("Show more (1 more)").await;
    browser.wait_for_text_in(busy_group, "Busy task 01").await;

    // The pages come from the server: after a reload the same buttons bring the same rest.
    browser.reload().await;
    browser.click_button("Show more groups (1 more)").await;
    browser.button("Expand Project 50").await;
    browser.close().await;
}

/// The admin's agent id.
async fn admin_id(api: &Api) -> i64 {
    let agents = api.get("/api/agents").await;
    agents.as_array().unwrap().iter().find(|a| a["email"] == ADMIN_EMAIL).unwrap()["id"].as_i64().unwrap()
}

/// The item titles the list shows, in order.
async fn listed_titles(browser: &Browser) -> Vec<String> {
    browser.texts("//div[@aria-label='Tickets']//a[contains(@class,'item-row__title')]").await
}

#[tokio::test]
async fn the_app_opens_on_the_open_items_with_assigned_to_me_one_click_away_and_local_times() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    api.create_org("Acme", &["acme.com"]).await;
    let ann = api.create_customer("ann@acme.com", "Ann", "Lee").await.id;
    let me = admin_id(&api).await;
    let sam = api.create_agent("sam@example.com", "Sam Rivera", "agent").await;
    let project = api.create_project("Support").await.id;
    let fresh = api.create_ticket(project, "Fresh question", ann).await.id;
    let mine = api.create_ticket(project, "My waiting ticket", ann).await.id;
    api.patch(&format!("/api/items/{mine}"), json!({ "status": "waiting", "assignee_id": me })).await;
    let sams = api.create_ticket(project, "Sam's open ticket", ann).await.id;
    api.patch(&format!("/api/items/{sams}"), json!({ "status": "open", "assignee_id": sam })).await;
    let done = api.create_ticket(project, "Closed long ago", ann).await.id;
    api.patch(&format!("/api/items/{done}"), json!({ "status": "closed", "assignee_id": me })).await;

    // An agent in India: the hover shows their own clock, not UTC.
    let browser = Browser::signed_in_at(&server, "/tickets", Some("Asia/Kolkata")).await;
    browser.wait_for_text("Fresh question").await;
    assert_eq!(listed_titles(&browser).await, ["Sam's open ticket", "My waiting ticket", "Fresh question"]);
    assert!(!browser.body_text().await.contains("Closed long ago"), "closed items are not in the first view");
    let open_chip = browser.button("Open items").await;
    assert_eq!(open_chip.attr("aria-pressed").await.unwrap().as_deref(), Some("true"));

    let item = api.item(fresh).await;
    let time = browser.element(&format!("//li[@data-item-id='{fresh}']//time")).await;
    assert_eq!(time.attr("datetime").await.unwrap().as_deref(), Some(item.updated_at.as_str()));
    assert_eq!(time.text().await.unwrap(), "just now");
    let title = time.attr("title").await.unwrap().unwrap_or_default();
    assert!(title.contains("GMT+5:30") || title.contains("IST"), "the exact time in the agent's zone: {title}");
    assert!(!title.contains("UTC"), "{title}");

    // Assigned to me: one click, kept in the URL.
    browser.click_button("Assigned to me").await;
    browser.wait_for_path("/tickets?assignee=me").await;
    eventually("only my open items", || listed_titles(&browser), |t| t == &["My waiting ticket"]).await;
    browser.reload().await;
    eventually("still mine after a reload", || listed_titles(&browser), |t| t == &["My waiting ticket"]).await;
    let mine_chip = browser.button("Assigned to me").await;
    assert_eq!(mine_chip.attr("aria-pressed").await.unwrap().as_deref(), Some("true"));
    // Every status: the closed one of mine too.
    browser.click_button("Open items").await;
    browser.wait_for_path("/tickets?status=all&assignee=me").await;
    eventually("mine in every status", || listed_titles(&browser), |t| t == &["Closed long ago", "My waiting ticket"])
        .await;
    browser.click_button("Assigned to me").await;
    browser.wait_for_path("/tickets?status=all").await;
    eventually("everything", || listed_titles(&browser), |t| t.len() == 4).await;
    browser.close().await;
}

/// Presses Tab until the focused element is named `name` (aria-label or text), at most 40 times.
async fn tab_to(browser: &Browser, name: &str) {
    let script = "const a = document.activeElement; \
        return a ? (a.getAttribute('aria-label') || a.textContent || '').trim() : '';";
    for _ in 0..40 {
        browser.press(fantoccini::key::Key::Tab).await;
        let focused = browser.client.execute(script, vec![]).await.unwrap();
        if focused.as_str() == Some(name) {
            return;
        }
    }
    panic!("Tab never reached {name:?}");
}

#[tokio::test]
async fn items_are_changed_in_bulk_by_mouse_and_by_keyboard_and_a_stale_one_changes_none() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    api.create_org("Acme", &["acme.com"]).await;
    let ann = api.create_customer("ann@acme.com", "Ann", "Lee").await.id;
    let sam = api.create_agent("sam@example.com", "Sam Rivera", "agent").await;
    let project = api.create_project("Support").await.id;
    let a = api.create_ticket(project, "Alpha", ann).await.id;
    let b = api.create_ticket(project, "Bravo", ann).await.id;
    let c = api.create_ticket(project, "Charlie", ann).await.id;
    let browser = Browser::signed_in(&server, "/tickets").await;
    browser.wait_for_text("Charlie").await;
    let bar = "//*[@role='group'][@aria-label='Change the selected items']";
    assert!(browser.client.find(Locator::XPath(bar)).await.is_err(), "no bar before a selection");

    // By mouse: two rows, then the status and the assignee.
    browser.click_labelled(&format!("Select #{a} Alpha")).await;
    browser.click_labelled(&format!("Select #{b} Bravo")).await;
    browser.wait_for_text_in(bar, "2 items selected").await;
    browser.choose_in(bar, "Status", "Waiting").await;
    browser.choose_in(bar, "Assignee", "Sam Rivera").await;
    browser.click_button("Apply to 2 items").await;
    browser.wait_for_text("Changed 2 items.").await;
    for id in [a, b] {
        let item = eventually("the change on the server", || api.item(id), |i| i.status == ItemStatus::Waiting).await;
        assert_eq!(item.assignee_id, Some(sam));
    }
    let untouched = api.item(c).await;
    assert_eq!((untouched.status, untouched.assignee_id), (ItemStatus::New, None));
    browser.wait_for_text_in(&format!("//li[@data-item-id='{a}']"), "Sam Rivera").await;
    browser.wait_until_gone(bar).await;
    let history = api.get(&format!("/api/items/{a}/history")).await;
    assert!(history.to_string().contains("set the status to Waiting and the assignee to Sam Rivera"), "{history}");

    // By keyboard: Space ticks "select all on this page", Tab reaches the bar, a letter picks a priority.
    browser.keys_to_labelled(&format!("Select #{c} Charlie"), " ").await;
    browser.wait_for_text_in(bar, "1 item selected").await;
    let all = browser.element("//label[contains(normalize-space(),'Select all 3 on this page')]/input").await;
    all.send_keys(" ").await.unwrap();
    browser.wait_for_text_in(bar, "3 items selected").await;
    browser.field_in(bar, "Priority").await.send_keys("u").await.unwrap();
    tab_to(&browser, "Apply to 3 items").await;
    browser.press(fantoccini::key::Key::Enter).await;
    browser.wait_for_text("Changed 3 items.").await;
    for id in [a, b, c] {
        eventually("urgent on the server", || api.item(id), |i| i.priority == Priority::Urgent).await;
    }
    assert_eq!(api.item(a).await.status, ItemStatus::Waiting, "only the priority changed");

    // Someone else changes Bravo after the list showed it: nothing changes, the bar says why.
    browser.click_labelled(&format!("Select #{a} Alpha")).await;
    browser.click_labelled(&format!("Select #{b} Bravo")).await;
    api.patch(&format!("/api/items/{b}"), json!({ "title": "Bravo (edited)" })).await;
    browser.choose_in(bar, "Status", "Closed").await;
    browser.click_button("Apply to 2 items").await;
    browser.wait_for_text_in(bar, "changed or disappeared since the list was loaded; nothing was changed").await;
    assert_eq!(api.item(a).await.status, ItemStatus::Waiting, "Alpha did not change either");
    browser.wait_for_text("Bravo (edited)").await;
    browser.close().await;
}

#[tokio::test]
async fn the_list_fits_a_phone_and_keeps_its_key_columns_beside_the_panel_on_a_desktop() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    api.create_org("Acme Corporation", &["acme.com"]).await;
    let ann = api.create_customer("ann.lee@acme.com", "Ann", "Lee").await.id;
    let sam = api.create_agent("sam@example.com", "Sam Rivera", "agent").await;
    let project = api.create_project("Network Upgrade").await.id;
    let first = api.create_ticket(project, "VPN drops every hour", ann).await.id;
    let item = api.create_ticket(project, "The printer on the third floor is on fire", ann).await.id;
    api.patch(&format!("/api/items/{first}"), json!({ "assignee_id": sam })).await;
    let browser = Browser::signed_in(&server, "/tickets").await;

    browser.set_width(390).await;
    browser.wait_for_text("VPN drops every hour").await;
    browser.click_labelled(&format!("Select #{first} VPN drops every hour")).await;
    browser.wait_for_text("1 item selected").await;
    browser.assert_fits("Tickets with the bulk bar at 390 px").await;
    browser.assert_accessible("Tickets with the bulk bar").await;
    browser.screenshot("tickets-bulk-390.png").await;
    browser.click_button("Clear selection").await;

    browser.set_width(1440).await;
    browser.assert_fits("Tickets at 1440 px").await;
    browser.goto(&format!("/tickets/{item}")).await;
    browser.wait_for_text_in(PANEL, "Network Upgrade").await;
    browser.assert_fits("Tickets with an item open at 1440 px").await;
    let row = format!("//div[@aria-label='Tickets']//li[@data-item-id='{first}']");
    for (what, part) in [
        ("title", "//a[contains(@class,'item-row__title')]"),
        ("assignee", "//*[@data-testid='item-assignee']"),
        ("status", "//span[contains(@class,'badge--status')]"),
        ("updated", "//span[contains(@class,'item-row__updated')]"),
    ] {
        assert!(browser.shows_whole(&format!("{row}{part}")).await, "the {what} shows whole beside the panel");
        let right = browser.element(&format!("{row}{part}")).await.rectangle().await.unwrap();
        let panel_left = browser.element(PANEL).await.rectangle().await.unwrap().0;
        assert!(right.0 + right.2 <= panel_left + 1.0, "the {what} ends left of the panel");
    }
    browser.screenshot("tickets-panel-1440.png").await;
    browser.close().await;
}
