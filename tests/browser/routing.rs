//! Browser tests of the organization panel's Routing section: an agent adds a
//! routing section with "Change project", reads the dry run, saves, and a ticket
//! created for a member in the Tickets app lands in the chosen project with the rule
//! named in its history; rules reordered by keyboard; a refused rule shows the
//! server's message next to the condition it is about.

use fantoccini::key::Key;
use orgdesk_browser_tests::*;
use serde_json::{json, Value};

const ROUTING: &str = "//section[@data-section='routing']";
const EDITOR: &str = "//form[contains(@class,'routing-editor')]";

/// With `ORGDESK_SCREENSHOT_DIR` set: `name-390.png` and `name-1280.png` with the
/// element at `xpath` scrolled to the top of the panel (the section is far down).
async fn look_at(browser: &Browser, xpath: &str, name: &str) {
    if std::env::var_os("ORGDESK_SCREENSHOT_DIR").is_none() {
        return;
    }
    for width in [390, 1280] {
        browser.client.set_window_size(width, 900).await.unwrap();
        let element = browser.element(xpath).await;
        browser
            .client
            .execute("arguments[0].scrollIntoView({block: 'start'})", vec![serde_json::to_value(&element).unwrap()])
            .await
            .unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        browser.screenshot(&format!("{name}-{width}.png")).await;
    }
}

/// The names of the organization's own rules, as listed, top to bottom.
async fn rule_names(browser: &Browser) -> Vec<String> {
    browser
        .texts(&format!("{ROUTING}//ol[contains(@class,'rule-list__rules')]//span[contains(@class,'rule-card__name')]"))
        .await
}

/// The organization's own rules' names, in order, from the API.
async fn rule_order(api: &Api, org: i64) -> Vec<String> {
    let section: Value = api.get(&format!("/api/organizations/{org}/routing-rules")).await;
    section["own"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn a_routing_section_moves_a_members_new_ticket_into_the_chosen_project_and_says_so() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    let acme = api.create_org("ACME Inc.", &["acme.com"]).await.id;
    let ann = api.create_customer("ann@acme.com", "Ann", "Lee").await.id;
    let support = api.create_project("Support").await.id;
    let tasks = api.create_project("Tasks for ACME Inc.").await.id;
    // Two earlier tickets of ACME: what the dry run tries the rule on.
    api.create_ticket(support, "Printer on fire", ann).await;
    api.create_ticket(support, "Invoice missing", ann).await;

    let browser = Browser::signed_in(&server, &format!("/organizations/{acme}")).await;
    browser.wait_for_text_in(ROUTING, "No routing rule of its own yet.").await;
    browser.click_in(ROUTING, "Add routing section").await;

    // Pre-filled: the suggested name, the trigger line, a first "Change project".
    browser.wait_for_value_in(EDITOR, "Name", "ACME Inc. routing").await;
    browser.wait_for_text_in(EDITOR, "When an item is created by a member of this organization").await;
    browser.wait_for_text_in(EDITOR, "Change project").await;
    // Before a project is chosen the dry run counts the matches only.
    browser.wait_for_text_in(EDITOR, "Would have matched 2 of this organization's last 2 items").await;
    look_at(&browser, EDITOR, "routing-editor-new").await;

    // The project, from the search picker.
    browser.fill_in(EDITOR, "Project", "Tasks").await;
    browser.click_button("Tasks for ACME Inc., 0 open").await;
    browser
        .wait_for_text_in(EDITOR, "Routing rule 'ACME Inc. routing' moved this ticket to project Tasks for ACME Inc.")
        .await;
    let dry = browser.texts(&format!("{EDITOR}//li[contains(@class,'routing-dry-run__item')]")).await;
    assert_eq!(dry.len(), 2, "{dry:?}");
    assert!(dry.iter().any(|d| d.contains("Printer on fire")), "{dry:?}");

    // A condition narrows it, and the dry run follows the draft.
    browser.click_in(EDITOR, "Add condition").await;
    browser.click_button("Title or description contains").await;
    browser.fill_in(EDITOR, "Contains", "printer").await;
    browser.wait_for_text_in(EDITOR, "Would have matched 1 of this organization's last 2 items").await;
    look_at(&browser, &format!("{EDITOR}//fieldset[2]"), "routing-editor-actions").await;
    look_at(&browser, &format!("{EDITOR}//section"), "routing-editor-dry-run").await;

    browser.click_in(EDITOR, "Save rule").await;
    browser.wait_until_gone(EDITOR).await;
    assert_eq!(eventually("the saved rule", || rule_names(&browser), |n| n.len() == 1).await, ["1. ACME Inc. routing"]);
    browser.wait_for_text_in(ROUTING, "Change project to Tasks for ACME Inc.").await;
    look_at(&browser, ROUTING, "routing-section").await;

    // A ticket for Ann, created as a person does in the Tickets app.
    browser.click_link("Tickets").await;
    browser.wait_for_path("/tickets").await;
    browser.click_button("New ticket").await;
    browser.choose_in(DIALOG, "Project", "Support").await;
    browser.fill_in(DIALOG, "Title", "The printer is smoking again").await;
    browser.fill_in(DIALOG, "Requester", "ann").await;
    browser.click_button("Ann Lee, ann@acme.com").await;
    browser.click_button("Create ticket").await;
    browser.wait_for_text("Created ticket #").await;
    let path = browser.wait_for_path_prefix("/tickets/").await;
    let item_id: i64 = path.trim_start_matches("/tickets/").parse().unwrap();

    // It landed in Tasks for ACME Inc., and its history names the rule.
    assert_eq!(api.item(item_id).await.project_id, tasks);
    browser
        .wait_for_text_in(PANEL, "Routing rule 'ACME Inc. routing' moved this ticket to project Tasks for ACME Inc.")
        .await;

    // A ticket that does not match stays where it was created.
    let other: Value = api
        .post(
            "/api/items",
            json!({"item_type": "ticket", "project_id": support, "title": "Password reset", "requester_id": ann}),
        )
        .await;
    assert_eq!(other["project_id"].as_i64(), Some(support));
    browser.close().await;
}

#[tokio::test]
async fn rules_are_reordered_by_keyboard_and_a_refused_rule_says_why_next_to_the_condition() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    let acme = api.create_org("Acme", &["acme.com"]).await.id;
    let support = api.create_project("Support").await.id;
    for name in ["First rule", "Second rule"] {
        api.post(
            &format!("/api/organizations/{acme}/routing-rules"),
            json!({"name": name, "conditions": [], "actions": [{"kind": "change_project", "project_id": support}]}),
        )
        .await;
    }
    let browser = Browser::signed_in(&server, &format!("/organizations/{acme}")).await;
    let names = eventually("the rules", || rule_names(&browser), |n| n.len() == 2).await;
    assert_eq!(names, ["1. First rule", "2. Second rule"]);
    look_at(&browser, ROUTING, "routing-list").await;

    // Keyboard only: Enter on "Move Second rule up"; the focus stays on that rule.
    browser.keys_to_labelled("Move Second rule up", &char::from(Key::Enter).to_string()).await;
    eventually("the new order", || rule_names(&browser), |n| n.first().is_some_and(|f| f.contains("Second rule")))
        .await;
    // The list moves at once; the server's answer may still be on its way.
    eventually("the new order saved", || rule_order(&api, acme), |o| o == &["Second rule", "First rule"]).await;
    let second_id =
        api.get(&format!("/api/organizations/{acme}/routing-rules")).await["own"][0]["id"].as_i64().unwrap();
    // At the top, the focus goes to its Move down.
    browser.wait_for_focus_on(&format!("rule-{second_id}-down")).await;
    browser.wait_for_text("Moved Second rule to position 1 of 2.").await;

    // A new rule with an empty "contains" condition, added from the menu by keyboard.
    browser.click_in(ROUTING, "Add rule").await;
    browser.button("Add condition").await.send_keys(&char::from(Key::Enter).to_string()).await.unwrap();
    // The menu opens with the focus on its first item; Arrow Down moves to the second.
    browser.wait_for_focus_on("rule-new-add-condition-menu-0").await;
    browser.press(Key::Down).await;
    browser.wait_for_focus_on("rule-new-add-condition-menu-1").await;
    browser.press(Key::Enter).await;
    browser.wait_for_text_in(EDITOR, "1. Title or description contains").await;
    browser.fill_in(EDITOR, "Name", "Printers").await;
    browser.fill_in(EDITOR, "Project", "Supp").await;
    browser.click_button("Support, 0 open").await;
    browser.click_in(EDITOR, "Save rule").await;
    // The server refuses it; the message is next to the text box of that condition.
    assert_eq!(browser.field_error_in(EDITOR, "Contains").await, "Enter the text to look for.");
    browser.wait_for_alert("The rule was not saved").await;
    look_at(&browser, &format!("{EDITOR}//fieldset[1]"), "routing-editor-error").await;
    browser.fill_in(EDITOR, "Contains", "printer").await;
    browser.click_in(EDITOR, "Save rule").await;
    browser.wait_until_gone(EDITOR).await;
    let names = eventually("three rules", || rule_names(&browser), |n| n.len() == 3).await;
    assert_eq!(names[2], "3. Printers");

    // With the mouse: Printers dragged by its grip onto the first rule takes its place.
    let grip =
        browser.element(&format!("{ROUTING}//li[@data-rule-id][3]//span[contains(@class,'rule-card__grip')]")).await;
    let first =
        browser.element(&format!("{ROUTING}//li[@data-rule-id][1]//span[contains(@class,'rule-card__name')]")).await;
    browser.drag(&grip, &first).await;
    eventually("Printers first", || rule_names(&browser), |n| n.first().is_some_and(|f| f.contains("Printers"))).await;
    let saved = |o: &Vec<String>| o == &["Printers", "Second rule", "First rule"];
    eventually("the dragged order saved", || rule_order(&api, acme), saved).await;

    // The switch disables a rule; Delete asks first.
    browser.click_labelled("Enabled: First rule").await;
    eventually(
        "First rule disabled",
        || async { api.get(&format!("/api/organizations/{acme}/routing-rules")).await["own"][2]["enabled"].clone() },
        |v| v == &json!(false),
    )
    .await;
    browser.wait_for_text_in(&format!("{ROUTING}//li[@data-rule-id][3]"), "Disabled").await;
    browser.click_button("Delete Second rule").await;
    browser.wait_for_text_in(DIALOG, "Delete the rule Second rule?").await;
    browser.click_in(DIALOG, "Delete rule").await;
    eventually("two rules", || rule_names(&browser), |n| n.len() == 2).await;
    assert_eq!(rule_order(&api, acme).await, ["Printers", "First rule"]);

    // Someone else changes a rule while it is open here: saving says so, Reload shows theirs.
    browser.click_button("Edit First rule").await;
    browser.wait_for_value_in(EDITOR, "Name", "First rule").await;
    let rule = api.get(&format!("/api/organizations/{acme}/routing-rules")).await["own"][1].clone();
    api.patch(
        &format!("/api/organizations/{acme}/routing-rules/{}", rule["id"]),
        json!({"version": rule["version"], "name": "First rule (theirs)"}),
    )
    .await;
    browser.fill_in(EDITOR, "Name", "First rule (mine)").await;
    browser.click_in(EDITOR, "Save rule").await;
    browser.wait_for_alert("Someone changed this rule").await;
    browser.click_in(EDITOR, "Reload").await;
    browser.wait_for_value_in(EDITOR, "Name", "First rule (theirs)").await;
    browser.click_in(EDITOR, "Cancel").await;
    browser.wait_until_gone(EDITOR).await;
    browser.close().await;
}

#[tokio::test]
async fn inherited_rules_are_shown_read_only_broken_references_are_flagged_and_sharing_is_warned_about() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    let holdings = api.create_org("Acme Holdings", &[]).await.id;
    let acme = api.create_org("Acme", &["acme.com"]).await.id;
    api.set_parent(acme, holdings).await;
    let globex = api.create_org("Globex", &["globex.com"]).await.id;
    let old = api.create_project("Old desk").await.id;
    let tasks = api.create_project("Tasks").await.id;
    api.post(&format!("/api/projects/{tasks}/followers"), json!({"organization_id": globex})).await;
    api.post(
        &format!("/api/organizations/{holdings}/routing-rules"),
        json!({"name": "Holdings tasks", "include_children": true, "conditions": [],
               "actions": [{"kind": "change_project", "project_id": tasks}]}),
    )
    .await;
    api.post(
        &format!("/api/organizations/{acme}/routing-rules"),
        json!({"name": "Old route", "conditions": [], "actions": [{"kind": "change_project", "project_id": old}]}),
    )
    .await;
    api.patch(&format!("/api/projects/{old}"), json!({"archived": true})).await;

    let browser = Browser::signed_in(&server, &format!("/organizations/{acme}")).await;
    // The parent's rule, read-only, with where it comes from.
    browser.wait_for_text_in(ROUTING, "From parent Acme Holdings").await;
    browser.wait_for_text_in(ROUTING, "Holdings tasks").await;
    browser.wait_for_text_in(ROUTING, "Rules run in this order: the organization's own rules").await;
    // The own rule names an archived project: it says the rule is skipped.
    browser.wait_for_text_in(ROUTING, "The project Old desk is archived — this rule is skipped.").await;
    look_at(&browser, ROUTING, "routing-inherited").await;

    // Its editor marks the broken action.
    browser.click_button("Edit Old route").await;
    browser
        .wait_for_text_in(
            &format!("{EDITOR}//li[contains(@class,'routing-row--broken')]"),
            "The project Old desk is archived — this rule is skipped.",
        )
        .await;

    // Tasks is followed by Globex: choosing it warns that routing would expose the items.
    browser.fill_in(EDITOR, "Project", "Tasks").await;
    browser.click_button("Tasks, 0 open").await;
    browser
        .wait_for_text_in(
            EDITOR,
            "Tasks is shared with 1 organization (Globex) outside this organization: routing would let them see these items.",
        )
        .await;
    assert!(browser.texts(&format!("{EDITOR}//li[contains(@class,'routing-row--broken')]")).await.is_empty());

    // Every action from the menu; a placeholder inserted from its own menu.
    for action in ["Assign to an agent", "Set priority", "Set status", "Add a follower", "Send an automatic reply"] {
        browser.click_in(EDITOR, "Add action").await;
        browser.click_button(action).await;
    }
    browser.fill_in(EDITOR, "Reply to the requester", "Hello from ").await;
    browser.click_in(EDITOR, "Insert placeholder").await;
    browser.click_button("{organization.name}").await;
    browser.wait_for_value_in(EDITOR, "Reply to the requester", "Hello from {organization.name}").await;
    browser.choose_in(EDITOR, "Agent", "Administrator").await;
    browser.choose_in(EDITOR, "Follower", "The members of an organization").await;
    browser.fill_in(EDITOR, "Organization", "Glob").await;
    browser.click_button("Globex, 0 members").await;
    look_at(&browser, &format!("{EDITOR}//fieldset[2]"), "routing-editor-every-action").await;
    // And every condition.
    for condition in ["Item type", "Priority", "Requester is a manager", "Created from the portal or by an agent"] {
        browser.click_in(EDITOR, "Add condition").await;
        browser.click_button(condition).await;
    }
    browser.choose_in(EDITOR, "Created", "by an agent").await;
    look_at(&browser, &format!("{EDITOR}//fieldset[1]"), "routing-editor-every-condition").await;
    browser.click_in(EDITOR, "Save rule").await;
    browser.wait_until_gone(EDITOR).await;
    browser.wait_for_text_in(ROUTING, "Add the members of Globex as followers").await;
    let own = api.get(&format!("/api/organizations/{acme}/routing-rules")).await["own"].clone();
    assert_eq!(own[0]["actions"].as_array().unwrap().len(), 6, "{own}");
    assert_eq!(own[0]["actions"][0], json!({"kind": "change_project", "project_id": tasks}));
    assert_eq!(own[0]["conditions"].as_array().unwrap().len(), 4, "{own}");
    assert_eq!(own[0]["conditions"][3], json!({"kind": "source", "source": "agent"}));
    browser.close().await;
}
