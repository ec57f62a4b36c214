//! Browser tests of the organization detail panel (issue #5): a person opening an
//! organization from the Customers app, adding a domain and moving the existing
//! customers that match it, setting a parent (and seeing an invalid one greyed out
//! with its reason), and meeting a colleague's concurrent edit.

use std::time::Duration;

use fantoccini::actions::{InputSource, KeyAction, KeyActions, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
use fantoccini::key::Key;
use fantoccini::Locator;
use orgdesk_browser_tests::*;
use serde_json::json;

/// The organization panel.
const ORG_PANEL: &str = "//aside[contains(@class,'org-panel')]";

async fn add_org(api: &Api, name: &str, domains: &[&str]) -> i64 {
    api.post("/api/organizations", json!({ "name": name, "domains": domains })).await["id"].as_i64().unwrap()
}

async fn add_customer(api: &Api, email: &str, first: &str, last: &str) -> i64 {
    api.post("/api/customers", json!({ "email": email, "first_name": first, "last_name": last })).await["id"]
        .as_i64()
        .unwrap()
}

async fn detail(api: &Api, id: i64) -> serde_json::Value {
    api.get(&format!("/api/organizations/{id}/detail")).await
}

async fn signed_in(server: &Server, path: &str) -> Browser {
    let browser = Browser::open(server).await;
    browser.goto(path).await;
    browser.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    browser.wait_for_path(path).await;
    browser
}

/// Double-clicks the name of the group `name` in the Customers list, as a hand does
/// (two presses in quick succession at the same place).
async fn double_click_group(browser: &Browser, name: &str) {
    let mut last = None;
    for _ in 0..5 {
        let group = browser.group(name).await;
        let Ok(target) = group.find(Locator::Css(".org-group__name")).await else { continue };
        let actions = MouseActions::new("mouse".into())
            .then(PointerAction::MoveToElement { element: target, duration: None, x: 0.0, y: 0.0 })
            .then(PointerAction::Down { button: MOUSE_BUTTON_LEFT })
            .then(PointerAction::Up { button: MOUSE_BUTTON_LEFT })
            .then(PointerAction::Down { button: MOUSE_BUTTON_LEFT })
            .then(PointerAction::Up { button: MOUSE_BUTTON_LEFT });
        let done = browser.client.perform_actions(actions).await;
        browser.client.release_actions().await.unwrap();
        match done {
            Ok(()) => return,
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("could not double-click {name:?}: {last:?}");
}

/// Presses one key wherever the focus is.
async fn press(browser: &Browser, key: Key) {
    let key = char::from(key);
    let actions =
        KeyActions::new("keys".into()).then(KeyAction::Down { value: key }).then(KeyAction::Up { value: key });
    browser.client.perform_actions(actions).await.unwrap();
    browser.client.release_actions().await.unwrap();
}

/// Waits until the panel's heading shows `name`.
async fn wait_for_panel_name(browser: &Browser, name: &str) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let shown = browser.texts(&format!("{ORG_PANEL}//*[@data-testid='org-name']")).await;
        if shown.iter().any(|s| s == name) {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "the panel should be named {name:?}; it shows {shown:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn open_tab(browser: &Browser, tab: &str) {
    let xpath = format!("{ORG_PANEL}//button[@role='tab'][normalize-space()={}]", xpath_literal(tab));
    browser.client.wait().at_most(WAIT).for_element(Locator::XPath(&xpath)).await.unwrap().click().await.unwrap();
}

async fn panel_gone(browser: &Browser) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !browser.client.find_all(Locator::XPath(ORG_PANEL)).await.unwrap().is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "the panel should have closed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn double_click_or_enter_opens_an_organization_beside_the_list_and_its_link_survives_a_reload() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    let acme = add_org(&api, "Acme", &["acme.com"]).await;
    let globex = add_org(&api, "Globex", &["globex.com"]).await;
    let browser = signed_in(&server, "/customers").await;

    double_click_group(&browser, "Acme").await;
    browser.wait_for_path(&format!("/organizations/{acme}")).await;
    wait_for_panel_name(&browser, "Acme").await;
    browser.wait_for_text_in(ORG_PANEL, "acme.com").await;
    // The list stays beside the panel.
    browser.group("Globex").await;

    browser.reload().await;
    wait_for_panel_name(&browser, "Acme").await;
    browser.group("Globex").await;
    browser.wait_for_path(&format!("/organizations/{acme}")).await;

    // Another organization switches the panel; the list keeps its state (its search).
    browser.keys_to_labelled("Search customers", "Glo").await;
    browser.wait_for_text("1 organization").await;
    double_click_group(&browser, "Globex").await;
    browser.wait_for_path(&format!("/organizations/{globex}")).await;
    wait_for_panel_name(&browser, "Globex").await;
    assert_eq!(browser.field_by_aria("Search customers").await.prop("value").await.unwrap().as_deref(), Some("Glo"));
    let (ctrl, null, backspace) = (char::from(Key::Control), char::from(Key::Null), char::from(Key::Backspace));
    browser.keys_to_labelled("Search customers", &format!("{ctrl}a{null}{backspace}")).await;
    browser.wait_for_text("2 organizations").await;

    // Escape closes it.
    press(&browser, Key::Escape).await;
    browser.wait_for_path("/customers").await;
    panel_gone(&browser).await;

    // Enter on a focused group opens it too.
    let mut opened = false;
    for _ in 0..5 {
        if browser.group("Acme").await.send_keys(&char::from(Key::Enter).to_string()).await.is_ok() {
            opened = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(opened, "could not press Enter on the Acme group");
    browser.wait_for_path(&format!("/organizations/{acme}")).await;
    wait_for_panel_name(&browser, "Acme").await;

    // The close button returns to the list alone.
    browser.click_button("Close organization").await;
    browser.wait_for_path("/customers").await;
    panel_gone(&browser).await;
    browser.close().await;
}

#[tokio::test]
async fn adding_a_domain_offers_to_move_the_matching_customers_split_by_where_they_are() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    // No organization is made up from the customers' domain while seeding.
    api.patch("/api/settings", json!({ "auto_create_organizations": false })).await;
    let initech = add_org(&api, "Initech", &[]).await;
    let globex = add_org(&api, "Globex", &["globex.com"]).await;
    add_customer(&api, "ann@initech.net", "Ann", "Alone").await;
    let bob = add_customer(&api, "bob@initech.net", "Bob", "Elsewhere").await;
    let cat = add_customer(&api, "cat@initech.net", "Cat", "Elsewhere").await;
    add_customer(&api, "dan@other.net", "Dan", "Unrelated").await;
    api.post("/api/customers/move", json!({ "customer_ids": [bob, cat], "organization_id": globex })).await;

    let browser = signed_in(&server, &format!("/organizations/{initech}")).await;
    wait_for_panel_name(&browser, "Initech").await;
    browser.wait_for_group_count("Globex", "2 members").await;
    browser.wait_for_group_count("No organization", "2 members").await;

    // A bad domain is refused at once, next to the field.
    browser.fill_in(ORG_PANEL, "New email domain", "ann@initech.net").await;
    browser.click_button("Add domain").await;
    assert!(browser.field_error_in(ORG_PANEL, "New email domain").await.contains("after @"));

    browser.fill_in(ORG_PANEL, "New email domain", "Initech.NET").await;
    browser.click_button("Add domain").await;
    browser.wait_for_text("3 customers match initech.net").await;
    browser.wait_for_text_in(DIALOG, "1 customer with no organization").await;
    browser.wait_for_text_in(DIALOG, "2 customers in Globex").await;
    browser.wait_for_text_in(DIALOG, "Ann Alone").await;
    let dialog = browser.wait_for_text_in(DIALOG, "Bob Elsewhere").await;
    assert!(!dialog.contains("Dan"), "Dan's email is elsewhere: {dialog}");
    // Nothing moved before the agent confirms.
    assert_eq!(detail(&api, initech).await["member_count"], 0);
    browser.wait_for_text_in(DIALOG, "Add domain, move nobody").await;

    browser.field_in(DIALOG, "Move the 1 customer with no organization").await.click().await.unwrap();
    browser.field_in(DIALOG, "Move 2 from Globex").await.click().await.unwrap();
    browser.click_button("Add domain and move 3").await;

    browser.wait_for_text_in(ORG_PANEL, "initech.net").await;
    assert!(browser.client.find_all(Locator::XPath(DIALOG)).await.unwrap().is_empty(), "the dialog closed");
    // The list beside the panel follows.
    browser.wait_for_group_count("Initech", "3 members").await;
    browser.wait_for_group_count("Globex", "0 members").await;
    browser.wait_for_group_count("No organization", "1 member").await;

    open_tab(&browser, "Members").await;
    let members = format!("{ORG_PANEL}//*[@data-section='members']");
    for name in ["Ann Alone", "Bob Elsewhere", "Cat Elsewhere"] {
        browser.wait_for_text_in(&members, name).await;
    }
    open_tab(&browser, "History").await;
    let history =
        browser.wait_for_text_in(&format!("{ORG_PANEL}//ol[@aria-label='Organization history']"), "initech.net").await;
    assert!(history.contains("Admin") || history.contains("admin"), "the entry names who: {history}");

    browser.reload().await;
    wait_for_panel_name(&browser, "Initech").await;
    browser.wait_for_text_in(&format!("{ORG_PANEL}//ul[@aria-label='Email domains']"), "initech.net").await;
    browser.wait_for_group_count("Initech", "3 members").await;
    let d = detail(&api, initech).await;
    assert_eq!(d["member_count"], 3);
    assert_eq!(d["domains"], json!(["initech.net"]));

    // Removing the domain asks whether its members stay; here they leave.
    browser.click_button("Remove domain initech.net").await;
    browser.wait_for_text_in(DIALOG, "Members with this domain").await;
    browser.field_in(DIALOG, "Leave the organization").await.click().await.unwrap();
    browser.click_button("Remove domain").await;
    browser.wait_for_text_in(ORG_PANEL, "No domains yet.").await;
    browser.wait_for_group_count("Initech", "0 members").await;
    browser.wait_for_group_count("No organization", "4 members").await;
    assert_eq!(detail(&api, initech).await["member_count"], 0);
    browser.close().await;
}

#[tokio::test]
async fn the_parent_picker_greys_out_an_organization_that_would_close_a_loop_and_says_why() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    let holding = add_org(&api, "Initrode Holding", &[]).await;
    let initech = add_org(&api, "Initech", &[]).await;
    let eu = add_org(&api, "Initech EU", &[]).await;
    let v = detail(&api, eu).await["version"].as_i64().unwrap();
    api.patch(&format!("/api/organizations/{eu}/detail"), json!({ "version": v, "parent_id": initech })).await;

    let browser = signed_in(&server, &format!("/organizations/{initech}")).await;
    wait_for_panel_name(&browser, "Initech").await;
    browser.wait_for_text_in(&format!("{ORG_PANEL}//ul[@aria-label='Child organizations']"), "Initech EU").await;

    browser.click_button("Set parent").await;
    browser.fill_in(ORG_PANEL, "Search parent organization", "Initech EU").await;
    let greyed = format!(
        "{ORG_PANEL}//li[contains(@class,'org-candidate--disabled')][.//button[@aria-disabled='true'][normalize-space()='Initech EU']]"
    );
    // The results follow the typing: read them once they have settled.
    let reason = format!("{greyed}/span[contains(@class,'option__reason')]");
    let reason = browser.wait_for_text_in(&reason, " ").await;
    assert!(reason.len() > 5, "the greyed-out choice says why: {reason:?}");
    // Results of earlier keystrokes may still replace the list: look again when it did.
    let mut displayed = None;
    for _ in 0..10 {
        match browser.client.find(Locator::XPath(&greyed)).await.unwrap().is_displayed().await {
            Ok(shown) => {
                displayed = Some(shown);
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    assert_eq!(displayed, Some(true), "the greyed-out choice is shown");
    // Clicking it does nothing.
    let _ = browser.client.find(Locator::XPath(&format!("{greyed}//button"))).await.unwrap().click().await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(detail(&api, initech).await["parent"].is_null());
    browser.wait_for_text_in(&format!("{ORG_PANEL}//*[@data-testid='org-parent']"), "None").await;

    browser.fill_in(ORG_PANEL, "Search parent organization", "Initrode").await;
    let choice = format!("{ORG_PANEL}//ul[contains(@class,'org-relative-picker__options')]//button[normalize-space()='Initrode Holding'][not(@aria-disabled)]");
    browser.client.wait().at_most(WAIT).for_element(Locator::XPath(&choice)).await.unwrap().click().await.unwrap();
    let parent = format!("{ORG_PANEL}//*[@data-testid='org-parent']//a[normalize-space()='Initrode Holding']");
    browser.client.wait().at_most(WAIT).for_element(Locator::XPath(&parent)).await.unwrap();

    browser.reload().await;
    wait_for_panel_name(&browser, "Initech").await;
    let link = browser.client.wait().at_most(WAIT).for_element(Locator::XPath(&parent)).await.unwrap();
    assert_eq!(link.attr("href").await.unwrap(), Some(format!("/organizations/{holding}")));
    assert_eq!(detail(&api, initech).await["parent"]["id"], holding);

    // A child by a name no organization has: the picker offers to create it.
    browser.click_button("Add child").await;
    browser.fill_in(ORG_PANEL, "Search child organization", "Initech Labs").await;
    browser.click_button("Create organization “Initech Labs” as a child").await;
    let children = format!("{ORG_PANEL}//ul[@aria-label='Child organizations']");
    browser.wait_for_text_in(&children, "Initech Labs").await;
    browser.group("Initech Labs").await;
    // Removing a child link deletes nothing.
    browser.click_button("Remove link to Initech EU").await;
    let deadline = tokio::time::Instant::now() + WAIT;
    while browser.texts(&children).await.iter().any(|t| t.contains("Initech EU")) {
        assert!(tokio::time::Instant::now() < deadline, "Initech EU is still listed as a child");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(detail(&api, eu).await["parent"].is_null());
    browser.group("Initech EU").await;

    // The parent link opens the parent's panel.
    let link = browser.client.wait().at_most(WAIT).for_element(Locator::XPath(&parent)).await.unwrap();
    link.click().await.unwrap();
    browser.wait_for_path(&format!("/organizations/{holding}")).await;
    wait_for_panel_name(&browser, "Initrode Holding").await;
    browser.close().await;
}

#[tokio::test]
async fn a_name_saved_over_a_colleagues_edit_is_refused_until_the_agent_reloads() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    let acme = add_org(&api, "Acme", &["acme.com"]).await;
    let browser = signed_in(&server, &format!("/organizations/{acme}")).await;
    wait_for_panel_name(&browser, "Acme").await;

    browser.click_button("Edit name").await;
    browser.fill_in(ORG_PANEL, "Organization name", "Acme from the browser").await;
    // Meanwhile a colleague renames it, from the same version.
    let v = detail(&api, acme).await["version"].as_i64().unwrap();
    api.patch(&format!("/api/organizations/{acme}/detail"), json!({ "version": v, "name": "Acme Corporation" })).await;

    browser.click_button("Save name").await;
    browser.wait_for_alert("changed by someone else").await;
    assert_eq!(detail(&api, acme).await["name"], "Acme Corporation", "nothing was overwritten");

    browser.click_button("Reload").await;
    wait_for_panel_name(&browser, "Acme Corporation").await;
    assert!(browser.texts("//*[@role='alert']").await.iter().all(|t| !t.contains("changed by someone else")));
    browser.wait_for_group_count("Acme Corporation", "0 members").await;

    // Saved again on the fresh version, the name goes through.
    browser.click_button("Edit name").await;
    browser.fill_in(ORG_PANEL, "Organization name", "Acme Worldwide").await;
    browser.click_button("Save name").await;
    wait_for_panel_name(&browser, "Acme Worldwide").await;
    assert_eq!(detail(&api, acme).await["name"], "Acme Worldwide");
    browser.close().await;
}

#[tokio::test]
async fn the_tickets_tab_lists_the_members_items_with_filters_and_projects_can_be_followed() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    let initech = add_org(&api, "Initech", &["initech.com"]).await;
    let eu = add_org(&api, "Initech EU", &["initech.eu"]).await;
    let v = detail(&api, eu).await["version"].as_i64().unwrap();
    api.patch(&format!("/api/organizations/{eu}/detail"), json!({ "version": v, "parent_id": initech })).await;
    let ann = add_customer(&api, "ann@initech.com", "Ann", "Lee").await;
    let eve = add_customer(&api, "eve@initech.eu", "Eve", "Roth").await;
    let project =
        api.post("/api/projects", json!({ "name": "Website", "description": "" })).await["id"].as_i64().unwrap();
    let ticket = |title: &str, requester: i64| json!({ "project_id": project, "item_type": "ticket", "title": title, "requester_id": requester });
    let printer = api.post("/api/items", ticket("Printer on fire", ann)).await["id"].as_i64().unwrap();
    api.post("/api/items", ticket("VPN drops in Berlin", eve)).await;

    let browser = signed_in(&server, &format!("/organizations/{initech}")).await;
    wait_for_panel_name(&browser, "Initech").await;
    open_tab(&browser, "Tickets").await;
    let list = format!("{ORG_PANEL}//ul[@aria-label='Organization items']");
    browser.wait_for_text_in(&list, "Printer on fire").await;
    let counts = browser.wait_for_text_in(&format!("{ORG_PANEL}//ul[@aria-label='Items by status']"), "New").await;
    assert!(counts.contains("1\nNew") || counts.contains("1 New"), "one new item: {counts:?}");
    assert!(!browser.texts(&list).await.concat().contains("VPN"), "the child's items only on request");

    browser.field_in(ORG_PANEL, "Include child organizations").await.click().await.unwrap();
    browser.wait_for_text_in(&list, "VPN drops in Berlin").await;
    browser.field_in(ORG_PANEL, "Closed").await.click().await.unwrap();
    browser.wait_for_text_in(ORG_PANEL, "No items match these filters.").await;
    browser.field_in(ORG_PANEL, "Closed").await.click().await.unwrap();
    browser.wait_for_text_in(&list, "Printer on fire").await;
    browser.click_link("Printer on fire").await;
    browser.wait_for_path(&format!("/tickets/{printer}")).await;

    browser.goto(&format!("/organizations/{initech}")).await;
    wait_for_panel_name(&browser, "Initech").await;
    browser.click_button("Follow a project").await;
    browser.fill_in(ORG_PANEL, "Search projects", "Web").await;
    let option = format!("{ORG_PANEL}//ul[@aria-label='Projects to follow']//button[normalize-space()='Website']");
    browser.client.wait().at_most(WAIT).for_element(Locator::XPath(&option)).await.unwrap().click().await.unwrap();
    let followed = format!("{ORG_PANEL}//ul[@aria-label='Followed projects']");
    browser.wait_for_text_in(&followed, "Website").await;
    let followers = api.get(&format!("/api/projects/{project}/followers")).await;
    assert!(followers.as_array().unwrap().iter().any(|f| f["kind"] == "organization" && f["id"] == initech));

    browser.reload().await;
    browser.wait_for_text_in(&followed, "Website").await;
    browser.click_button("Stop following Website").await;
    browser.wait_for_text_in(ORG_PANEL, "It follows no project.").await;
    assert!(api.get(&format!("/api/projects/{project}/followers")).await.as_array().unwrap().is_empty());
    browser.close().await;
}
