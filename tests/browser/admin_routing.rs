//! Browser tests of Administration > Routing (rules for every organization whose
//! property has a value) and of the item panel's history: an admin ordering the
//! rules by keyboard and by dragging, switching one off, deleting one, seeing a
//! broken one flagged; an agent reading them; and a ticket created for a member of a
//! matching organization showing in its history which rule changed what.

use fantoccini::key::Key;
use fantoccini::Locator;
use orgdesk_browser_tests::*;
use serde_json::{json, Value};

const RULES: &str = "//ol[@aria-label='Property-targeted rules']";
const HISTORY: &str = "//section[contains(@class,'item-history')]";

/// A single-choice property Plan (Starter, Enterprise); returns its id.
async fn plan_property(api: &Api) -> i64 {
    let body =
        json!({"label": "Plan", "kind": "single_choice", "required": false, "options": ["Starter", "Enterprise"]});
    api.post("/api/organization-properties", body).await["id"].as_i64().unwrap()
}

/// A property-targeted rule for Plan = Enterprise with these actions; returns it.
async fn enterprise_rule(api: &Api, plan: i64, name: &str, actions: Value) -> Value {
    let body = json!({
        "name": name,
        "target": {"property_id": plan, "value": "Enterprise"},
        "conditions": [],
        "actions": actions,
    });
    api.post("/api/routing-rules", body).await
}

/// The rules' names as the page lists them, in order (without their numbers).
async fn shown_names(browser: &Browser) -> Vec<String> {
    let numbered = browser.texts(&format!("{RULES}/li//span[contains(@class,'rule-card__name')]")).await;
    numbered.into_iter().map(|n| n.split_once(". ").map_or(n.clone(), |(_, name)| name.to_string())).collect()
}

/// The property-targeted rules' names as the server orders them.
async fn stored_names(api: &Api) -> Vec<String> {
    let rules = api.get("/api/routing-rules").await;
    rules.as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap().to_string()).collect()
}

/// With `ORGDESK_SCREENSHOT_DIR` set: `name-390.png` and `name-1280.png` with the
/// element at `xpath` scrolled into view at each width.
async fn screenshots_of(browser: &Browser, xpath: &str, name: &str) {
    if std::env::var_os("ORGDESK_SCREENSHOT_DIR").is_none() {
        return;
    }
    for width in [390, 1280] {
        browser.client.set_window_size(width, 900).await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let el = browser.element(xpath).await;
        browser
            .client
            .execute("arguments[0].scrollIntoView()", vec![serde_json::to_value(&el).unwrap()])
            .await
            .unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        browser.screenshot(&format!("{name}-{width}.png")).await;
    }
}

#[tokio::test]
async fn property_rules_are_ordered_by_keyboard_and_by_dragging_switched_off_deleted_and_flagged_when_broken() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    let plan = plan_property(&api).await;
    let old = api.create_project("Old desk").await.id;
    let urgent =
        enterprise_rule(&api, plan, "Urgent for Enterprise", json!([{"kind": "set_priority", "priority": "urgent"}]))
            .await;
    enterprise_rule(&api, plan, "Enterprise desk", json!([{"kind": "change_project", "project_id": old}])).await;
    let welcome = json!([{"kind": "auto_reply", "template": "Hello {customer.first_name}, we are on it."}]);
    enterprise_rule(&api, plan, "Welcome", welcome).await;
    api.patch(&format!("/api/projects/{old}"), json!({"archived": true})).await;

    // Administration links to it; the rules are listed in order with their target and what they do.
    let browser = Browser::signed_in(&server, "/admin").await;
    browser.click_link("Routing").await;
    browser.wait_for_path("/admin/routing").await;
    browser.wait_for_text_in(RULES, "Welcome").await;
    assert_eq!(shown_names(&browser).await, ["Urgent for Enterprise", "Enterprise desk", "Welcome"]);
    let targets = browser.texts(&format!("{RULES}//*[@data-testid='rule-target']")).await;
    assert_eq!(targets, ["For organizations with Plan = Enterprise"; 3]);
    browser.wait_for_text_in(RULES, "Set priority to Urgent").await;
    browser.wait_for_text_in(RULES, "Send an automatic reply: “Hello {customer.first_name}, we are on it.”").await;
    browser.wait_for_text("then rules for organizations with a property value").await;
    // The archived project breaks its rule: said on the rule.
    let broken = browser.wait_for_text_in(&format!("{RULES}/li[2]"), "this rule is skipped").await;
    assert!(broken.contains("Old desk"), "the broken rule names its project: {broken}");
    browser.screenshots("admin-routing").await;

    // By keyboard: focus "Move … down" and press Enter; the move is announced.
    browser.keys_to_labelled("Move Urgent for Enterprise down", &char::from(Key::Enter).to_string()).await;
    let order = ["Enterprise desk", "Urgent for Enterprise", "Welcome"];
    eventually("the order after Move down", || shown_names(&browser), |n| n == &order).await;
    browser
        .wait_for_text_in("//*[@data-testid='routing-announcement']", "Moved Urgent for Enterprise to position 2 of 3.")
        .await;
    eventually("the stored order", || stored_names(&api), |n| n == &order).await;
    // The list was drawn anew; the focus stays on the button, so Enter moves it on.
    browser.wait_for_focus_on(&format!("rule-{}-down", urgent["id"])).await;
    browser.press(Key::Enter).await;
    let order = ["Enterprise desk", "Welcome", "Urgent for Enterprise"];
    eventually("the order after a second Enter", || shown_names(&browser), |n| n == &order).await;
    // At the bottom, Move down is disabled: the focus goes to Move up.
    browser.wait_for_focus_on(&format!("rule-{}-up", urgent["id"])).await;
    browser.press(Key::Enter).await;
    let order = ["Enterprise desk", "Urgent for Enterprise", "Welcome"];
    eventually("the order after Move up", || shown_names(&browser), |n| n == &order).await;
    eventually("the stored order after Move up", || stored_names(&api), |n| n == &order).await;

    // By mouse: drag Welcome's handle onto the first rule.
    let grip = browser.element(&format!("{RULES}/li[3]//*[contains(@class,'rule-card__grip')]")).await;
    let first = browser.element(&format!("{RULES}/li[1]//span[contains(@class,'rule-card__name')]")).await;
    browser.drag(&grip, &first).await;
    let order = ["Welcome", "Enterprise desk", "Urgent for Enterprise"];
    eventually("the order after the drag", || shown_names(&browser), |n| n == &order).await;
    eventually("the stored order after the drag", || stored_names(&api), |n| n == &order).await;

    // The enabled switch, by keyboard (Space on the checkbox).
    let welcome_enabled = browser
        .element(&format!(
            "{RULES}/li[.//span[contains(@class,'rule-card__name') and contains(.,'Welcome')]]//input[@role='switch']"
        ))
        .await;
    welcome_enabled.send_keys(" ").await.unwrap();
    browser.wait_for_text("Welcome disabled.").await;
    let rules = api.get("/api/routing-rules").await;
    assert_eq!(rules[0]["name"], "Welcome");
    assert_eq!(rules[0]["enabled"], false);
    browser.wait_for_text_in(&format!("{RULES}/li[1]"), "Disabled").await;

    // Delete, after a confirmation.
    browser.click_button("Delete Enterprise desk").await;
    browser.wait_for_text_in(DIALOG, "Delete the rule Enterprise desk?").await;
    browser.click_in(DIALOG, "Delete rule").await;
    browser.wait_for_text("Enterprise desk deleted.").await;
    eventually("the rules after the delete", || shown_names(&browser), |n| n == &["Welcome", "Urgent for Enterprise"])
        .await;
    assert_eq!(stored_names(&api).await, ["Welcome", "Urgent for Enterprise"]);

    // Edit by keyboard: Enter on Edit puts the focus in the editor's name; saving
    // renames the rule in place and the focus goes back to its Edit button.
    let id = urgent["id"].as_i64().unwrap();
    browser.keys_to_labelled("Edit Urgent for Enterprise", &char::from(Key::Enter).to_string()).await;
    browser.wait_for_focus_on(&format!("rule-{id}-name")).await;
    browser.wait_for_value_in(EDITOR, "Name", "Urgent for Enterprise").await;
    browser.fill_in(EDITOR, "Name", "Enterprise is urgent").await;
    browser.click_in(EDITOR, "Save rule").await;
    browser.wait_until_gone(EDITOR).await;
    eventually("the renamed rule", || shown_names(&browser), |n| n == &["Welcome", "Enterprise is urgent"]).await;
    assert_eq!(stored_names(&api).await, ["Welcome", "Enterprise is urgent"]);
    browser.wait_for_focus_on(&format!("rule-{id}-edit")).await;
    browser.close().await;

    // An agent reads them, without the controls.
    api.create_agent("kim@example.com", "Kim Agent", "agent").await;
    let agent = Browser::open(&server).await;
    agent.goto("/admin/routing").await;
    agent.sign_in("kim@example.com", AGENT_PASSWORD).await;
    agent.wait_for_path("/admin/routing").await;
    agent.wait_for_text("Only administrators can change these rules").await;
    agent.wait_for_text_in(RULES, "Enterprise is urgent").await;
    let controls = agent.client.find_all(Locator::XPath(&format!("{RULES}//button | //button[.='Add rule']"))).await;
    assert!(controls.unwrap().is_empty(), "an agent gets no buttons");
    agent.close().await;
}

#[tokio::test]
async fn a_ticket_for_a_member_of_a_matching_organization_shows_the_rule_in_its_history() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    let plan = plan_property(&api).await;
    let acme = api.create_org("Acme", &["acme.com"]).await.id;
    let ann = api.create_customer("ann@acme.com", "Ann", "Lee").await.id;
    let version = api.detail(acme).await["version"].clone();
    api.put(
        &format!("/api/organizations/{acme}/properties"),
        json!({"version": version, "values": {plan.to_string(): "Enterprise"}}),
    )
    .await;
    let support = api.create_project("Support").await.id;
    let desk = api.create_project("Enterprise desk").await.id;
    let actions = json!([
        {"kind": "set_priority", "priority": "urgent"},
        {"kind": "change_project", "project_id": desk},
    ]);
    enterprise_rule(&api, plan, "Enterprise first", actions).await;

    let item = api.create_ticket(support, "Printer on fire", ann).await;
    let browser = Browser::signed_in(&server, &format!("/tickets/{}", item.id)).await;
    browser.wait_for_text_in(HISTORY, "Routing rule 'Enterprise first' set the priority to Urgent.").await;
    browser
        .wait_for_text_in(HISTORY, "Routing rule 'Enterprise first' moved this ticket to project Enterprise desk.")
        .await;
    let lines = browser.texts(&format!("{HISTORY}//li//*[contains(@class,'item-history__summary')]")).await;
    assert_eq!(
        lines,
        [
            "Routing rule 'Enterprise first' set the priority to Urgent.",
            "Routing rule 'Enterprise first' moved this ticket to project Enterprise desk.",
        ],
        "oldest first"
    );
    screenshots_of(&browser, HISTORY, "item-history").await;

    // An item nothing routed says so.
    api.create_org("Globex", &["globex.com"]).await;
    let bob = api.create_customer("bob@globex.com", "Bob", "Stone").await.id;
    let plain = api.create_ticket(support, "Question", bob).await;
    browser.goto(&format!("/tickets/{}", plain.id)).await;
    browser.wait_for_text_in(HISTORY, "Nothing has changed this item automatically.").await;
    browser.close().await;
}

const EDITOR: &str = "//form[contains(@class,'routing-editor')]";
const PROPERTIES: &str = "//section[@data-section='properties']";
const ROUTING: &str = "//section[@data-section='routing']";

#[tokio::test]
async fn an_admin_routes_every_enterprise_organization_and_a_members_new_ticket_follows_the_rule() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    let acme = api.create_org("Acme", &["acme.com"]).await.id;
    api.create_customer("ann@acme.com", "Ann", "Lee").await;
    let support = api.create_project("Support").await.id;
    let desk = api.create_project("Enterprise desk").await.id;
    let browser = Browser::signed_in(&server, "/admin").await;

    // The property Plan, defined in Administration.
    browser.wait_for_text("Organization properties").await;
    browser.fill("Property label", "Plan").await;
    browser.choose_in("//form[@aria-labelledby='add-property-title']", "Property kind", "Single choice").await;
    let enter = char::from(Key::Enter);
    browser.fill("Options (one per line)", &format!("Starter{enter}Enterprise")).await;
    browser.click_button("Add property").await;
    browser.wait_for_text("Added the property Plan.").await;

    // Acme is on Enterprise.
    browser.goto(&format!("/organizations/{acme}")).await;
    browser.click_button("Edit properties").await;
    browser.choose_in(PROPERTIES, "Plan", "Enterprise").await;
    browser.click_button("Save properties").await;
    browser.wait_for_text_in("//dl[@aria-label='Properties']", "Enterprise").await;

    // Administration > Routing: a rule for Plan = Enterprise, made in the editor.
    browser.goto("/admin").await;
    browser.click_link("Routing").await;
    browser.wait_for_path("/admin/routing").await;
    browser.wait_for_text("No property-targeted rules yet.").await;
    browser.click_button("Add rule").await;
    browser.wait_for_focus_on("rule-new-name").await;
    browser.fill_in(EDITOR, "Name", "Enterprise first").await;
    browser.choose_in(EDITOR, "Property", "Plan").await;
    browser.choose_in(EDITOR, "Value", "Enterprise").await;
    browser.fill_in(EDITOR, "Project", "Enterprise").await;
    browser.click_button("Enterprise desk, 0 open").await;
    browser.click_in(EDITOR, "Add action").await;
    browser.click_button("Set priority").await;
    browser.choose_in(EDITOR, "Priority", "Urgent").await;
    screenshots_of(&browser, EDITOR, "admin-routing-editor").await;
    browser.click_in(EDITOR, "Save rule").await;
    browser.wait_until_gone(EDITOR).await;
    browser.wait_for_text("Enterprise first saved.").await;
    assert_eq!(shown_names(&browser).await, ["Enterprise first"]);
    let target = browser.wait_for_text_in(RULES, "Plan = Enterprise").await;
    assert!(target.contains("Change project to Enterprise desk"), "{target}");
    assert!(target.contains("Set priority to Urgent"), "{target}");
    let stored = api.get("/api/routing-rules").await;
    assert_eq!(stored[0]["target"]["value"], "Enterprise");
    assert_eq!(stored[0]["actions"][0], json!({"kind": "change_project", "project_id": desk}));

    // Acme's routing section shows it, read-only, with where it comes from.
    browser.goto(&format!("/organizations/{acme}")).await;
    let section = browser.wait_for_text_in(ROUTING, "Enterprise first").await;
    assert!(section.contains("For organizations with Plan = Enterprise"), "{section}");

    // A ticket for Ann from the Tickets app lands in Enterprise desk, urgent.
    browser.click_link("Tickets").await;
    browser.wait_for_path("/tickets").await;
    browser.click_button("New ticket").await;
    browser.choose_in(DIALOG, "Project", "Support").await;
    browser.fill_in(DIALOG, "Title", "Cannot sign in").await;
    browser.fill_in(DIALOG, "Requester", "ann").await;
    browser.click_button("Ann Lee, ann@acme.com").await;
    browser.click_button("Create ticket").await;
    browser.wait_for_text("Created ticket #").await;
    let path = browser.wait_for_path_prefix("/tickets/").await;
    let id: i64 = path.trim_start_matches("/tickets/").split('?').next().unwrap().parse().unwrap();
    let item = api.item(id).await;
    assert_eq!(item.project_id, desk, "created in Support ({support}), moved by the rule");
    browser
        .wait_for_text_in(HISTORY, "Routing rule 'Enterprise first' moved this ticket to project Enterprise desk.")
        .await;
    browser.wait_for_text_in(HISTORY, "Routing rule 'Enterprise first' set the priority to Urgent.").await;
    browser.wait_for_value_in(PANEL, "Project", &desk.to_string()).await;
    browser.wait_for_value_in(PANEL, "Priority", "urgent").await;
    browser.close().await;
}
