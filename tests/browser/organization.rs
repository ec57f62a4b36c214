//! Browser tests of the organization detail panel: a person opening an
//! organization from the Customers app, adding a domain and moving the existing
//! customers that match it, setting a parent (and seeing an invalid one greyed out
//! with its reason), and meeting a colleague's concurrent edit.

use std::time::Duration;

use fantoccini::key::Key;
use fantoccini::Locator;
use orgdesk_browser_tests::*;
use serde_json::json;

#[tokio::test]
async fn double_click_or_enter_opens_an_organization_beside_the_list_and_its_link_survives_a_reload() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    let acme = api.create_org("Acme", &["acme.com"]).await.id;
    let globex = api.create_org("Globex", &["globex.com"]).await.id;
    let browser = Browser::signed_in(&server, "/customers").await;

    browser.double_click_group("Acme").await;
    browser.wait_for_path(&format!("/organizations/{acme}")).await;
    browser.wait_for_panel_name("Acme").await;
    browser.wait_for_text_in(ORG_PANEL, "acme.com").await;
    // The list stays beside the panel.
    browser.group("Globex").await;

    browser.reload().await;
    browser.wait_for_panel_name("Acme").await;
    browser.group("Globex").await;
    browser.wait_for_path(&format!("/organizations/{acme}")).await;

    // Another organization switches the panel; the list keeps its state (its search).
    browser.keys_to_labelled("Search customers", "Glo").await;
    browser.wait_for_text("1 organization").await;
    browser.double_click_group("Globex").await;
    browser.wait_for_path(&format!("/organizations/{globex}")).await;
    browser.wait_for_panel_name("Globex").await;
    assert_eq!(browser.field_by_aria("Search customers").await.prop("value").await.unwrap().as_deref(), Some("Glo"));
    let (ctrl, null, backspace) = (char::from(Key::Control), char::from(Key::Null), char::from(Key::Backspace));
    browser.keys_to_labelled("Search customers", &format!("{ctrl}a{null}{backspace}")).await;
    browser.wait_for_text("2 organizations").await;

    // Escape closes it.
    browser.press(Key::Escape).await;
    browser.wait_for_path("/customers").await;
    browser.wait_until_gone(ORG_PANEL).await;

    // Enter on the list's active group opens it too (the list is one Tab stop, a tree).
    let focus_search = "document.querySelector('[aria-label=\"Search customers\"]').focus()";
    browser.client.execute(focus_search, vec![]).await.unwrap();
    browser.tab_until("Customers by organization", false).await;
    browser.press(Key::Home).await;
    browser.arrow_to(Key::Down, "Acme, 0 members").await;
    browser.press(Key::Enter).await;
    browser.wait_for_path(&format!("/organizations/{acme}")).await;
    browser.wait_for_panel_name("Acme").await;

    // The close button returns to the list alone.
    browser.click_button("Close organization").await;
    browser.wait_for_path("/customers").await;
    browser.wait_until_gone(ORG_PANEL).await;
    browser.close().await;
}

#[tokio::test]
async fn adding_a_domain_offers_to_move_the_matching_customers_split_by_where_they_are() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    // No organization is made up from the customers' domain while seeding.
    api.patch("/api/settings", json!({ "auto_create_organizations": false })).await;
    let initech = api.create_org("Initech", &[]).await.id;
    let globex = api.create_org("Globex", &["globex.com"]).await.id;
    api.create_customer("ann@initech.net", "Ann", "Alone").await;
    let bob = api.create_customer("bob@initech.net", "Bob", "Elsewhere").await.id;
    let cat = api.create_customer("cat@initech.net", "Cat", "Elsewhere").await.id;
    api.create_customer("dan@other.net", "Dan", "Unrelated").await;
    api.post("/api/customers/move", json!({ "customer_ids": [bob, cat], "organization_id": globex })).await;

    let browser = Browser::signed_in(&server, &format!("/organizations/{initech}")).await;
    browser.wait_for_panel_name("Initech").await;
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
    assert_eq!(api.detail(initech).await["member_count"], 0);
    browser.wait_for_text_in(DIALOG, "Add domain, move nobody").await;

    browser.field_in(DIALOG, "Move the 1 customer with no organization").await.click().await.unwrap();
    browser.field_in(DIALOG, "Move 2 from Globex").await.click().await.unwrap();
    browser.click_button("Add domain and move 3").await;

    browser.wait_for_text_in(ORG_PANEL, "initech.net").await;
    browser.wait_until_gone(DIALOG).await;
    // The list beside the panel follows.
    browser.wait_for_group_count("Initech", "3 members").await;
    browser.wait_for_group_count("Globex", "0 members").await;
    browser.wait_for_group_count("No organization", "1 member").await;

    browser.open_tab("Members").await;
    let members = format!("{ORG_PANEL}//*[@data-section='members']");
    for name in ["Ann Alone", "Bob Elsewhere", "Cat Elsewhere"] {
        browser.wait_for_text_in(&members, name).await;
    }
    browser.open_tab("History").await;
    let history =
        browser.wait_for_text_in(&format!("{ORG_PANEL}//ol[@aria-label='Organization history']"), "initech.net").await;
    assert!(history.contains("Admin") || history.contains("admin"), "the entry names who: {history}");
    // The move names the customers; the disclosure lists them all; the creation is there too.
    let list = format!("{ORG_PANEL}//ol[@aria-label='Organization history']");
    let moved = browser.wait_for_text_in(&list, "and 1 more moved in").await;
    assert!(moved.contains("Created"), "the creation is recorded: {moved}");
    let toggle = browser.button("Show all 3 customers").await;
    assert_eq!(toggle.attr("aria-expanded").await.unwrap().as_deref(), Some("false"));
    toggle.click().await.unwrap();
    let names = browser
        .wait_for_text_in(&format!("{list}//ul[contains(@class,'org-history__customers')]"), "Cat Elsewhere")
        .await;
    for name in ["Ann Alone", "Bob Elsewhere", "Cat Elsewhere"] {
        assert!(names.contains(name), "{name} is listed: {names}");
    }
    browser.button("Hide the customers").await;
    browser.screenshot("organization-history-moved-1280.png").await;

    browser.reload().await;
    browser.wait_for_panel_name("Initech").await;
    // The reload kept the History tab (it is in the URL); the domains are on Overview.
    browser.wait_for_path(&format!("/organizations/{initech}?tab=history")).await;
    browser.open_tab("Overview").await;
    browser.wait_for_text_in(&format!("{ORG_PANEL}//ul[@aria-label='Email domains']"), "initech.net").await;
    browser.wait_for_group_count("Initech", "3 members").await;
    let d = api.detail(initech).await;
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
    assert_eq!(api.detail(initech).await["member_count"], 0);
    browser.close().await;
}

#[tokio::test]
async fn the_parent_picker_greys_out_an_organization_that_would_close_a_loop_and_says_why() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    let holding = api.create_org("Initrode Holding", &[]).await.id;
    let initech = api.create_org("Initech", &[]).await.id;
    let eu = api.create_org("Initech EU", &[]).await.id;
    let v = api.detail(eu).await["version"].as_i64().unwrap();
    api.patch(&format!("/api/organizations/{eu}/detail"), json!({ "version": v, "parent_id": initech })).await;

    let browser = Browser::signed_in(&server, &format!("/organizations/{initech}")).await;
    browser.wait_for_panel_name("Initech").await;
    browser.wait_for_text_in(&format!("{ORG_PANEL}//ul[@aria-label='Child organizations']"), "Initech EU").await;

    browser.click_button("Set parent").await;
    browser.fill_in(ORG_PANEL, "Search parent organization", "Initech EU").await;
    // A disabled option of the combobox, its reason inside it (and in its accessible name).
    let greyed = format!(
        "{ORG_PANEL}//*[@role='listbox']//button[@role='option'][@aria-disabled='true'][starts-with(@aria-label,'Initech EU, ')]"
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
    // Clicking it is refused by the page itself: the click lands, and the picker stays open
    // with the choice still greyed out and its reason shown (no request is made: the history
    // below shows a single parent change, the valid one made next).
    browser.click_xpath(&greyed, "the greyed-out Initech EU").await;
    browser.wait_for_text_in(&format!("{greyed}/span[contains(@class,'option__reason')]"), &reason).await;
    assert!(browser.field_in(ORG_PANEL, "Search parent organization").await.is_displayed().await.unwrap());
    browser.wait_for_text_in(&format!("{ORG_PANEL}//*[@data-testid='org-parent']"), "None").await;

    browser.fill_in(ORG_PANEL, "Search parent organization", "Initrode").await;
    let choice =
        format!("{ORG_PANEL}//ul[@role='listbox']//button[normalize-space()='Initrode Holding'][not(@aria-disabled)]");
    // The answers to "I", "In", ... redraw the list while it is typed: click_xpath finds it again.
    browser.click_xpath(&choice, "Initrode Holding").await;
    let parent = format!("{ORG_PANEL}//*[@data-testid='org-parent']//a[normalize-space()='Initrode Holding']");
    browser.client.wait().at_most(WAIT).for_element(Locator::XPath(&parent)).await.unwrap();

    browser.reload().await;
    browser.wait_for_panel_name("Initech").await;
    let link = browser.client.wait().at_most(WAIT).for_element(Locator::XPath(&parent)).await.unwrap();
    assert_eq!(link.attr("href").await.unwrap(), Some(format!("/organizations/{holding}")));
    assert_eq!(api.detail(initech).await["parent"]["id"], holding);
    let history = api.get(&format!("/api/organizations/{initech}/history")).await;
    let parent_changes: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["summary"].as_str())
        .filter(|s| s.starts_with("Parent"))
        .collect();
    assert_eq!(parent_changes, ["Parent set to Initrode Holding"], "the greyed-out click changed nothing");

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
    assert!(api.detail(eu).await["parent"].is_null());
    browser.group("Initech EU").await;

    // The parent link opens the parent's panel.
    let link = browser.client.wait().at_most(WAIT).for_element(Locator::XPath(&parent)).await.unwrap();
    link.click().await.unwrap();
    browser.wait_for_path(&format!("/organizations/{holding}")).await;
    browser.wait_for_panel_name("Initrode Holding").await;
    browser.close().await;
}

#[tokio::test]
async fn a_name_saved_over_a_colleagues_edit_is_refused_until_the_agent_reloads() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    let acme = api.create_org("Acme", &["acme.com"]).await.id;
    let browser = Browser::signed_in(&server, &format!("/organizations/{acme}")).await;
    browser.wait_for_panel_name("Acme").await;

    browser.click_button("Edit name").await;
    browser.fill_in(ORG_PANEL, "Organization name", "Acme from the browser").await;
    // Meanwhile a colleague renames it, from the same version.
    let v = api.detail(acme).await["version"].as_i64().unwrap();
    api.patch(&format!("/api/organizations/{acme}/detail"), json!({ "version": v, "name": "Acme Corporation" })).await;

    browser.click_button("Save name").await;
    browser.wait_for_alert("changed by someone else").await;
    assert_eq!(api.detail(acme).await["name"], "Acme Corporation", "nothing was overwritten");

    browser.click_button("Reload").await;
    browser.wait_for_panel_name("Acme Corporation").await;
    assert!(browser.texts("//*[@role='alert']").await.iter().all(|t| !t.contains("changed by someone else")));
    browser.wait_for_group_count("Acme Corporation", "0 members").await;

    // Saved again on the fresh version, the name goes through.
    browser.click_button("Edit name").await;
    browser.fill_in(ORG_PANEL, "Organization name", "Acme Worldwide").await;
    browser.click_button("Save name").await;
    browser.wait_for_panel_name("Acme Worldwide").await;
    assert_eq!(api.detail(acme).await["name"], "Acme Worldwide");
    browser.close().await;
}

#[tokio::test]
async fn the_tickets_tab_lists_the_members_items_with_filters_and_projects_can_be_followed() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    let initech = api.create_org("Initech", &["initech.com"]).await.id;
    let eu = api.create_org("Initech EU", &["initech.eu"]).await.id;
    let v = api.detail(eu).await["version"].as_i64().unwrap();
    api.patch(&format!("/api/organizations/{eu}/detail"), json!({ "version": v, "parent_id": initech })).await;
    let ann = api.create_customer("ann@initech.com", "Ann", "Lee").await.id;
    let eve = api.create_customer("eve@initech.eu", "Eve", "Roth").await.id;
    let project =
        api.post("/api/projects", json!({ "name": "Website", "description": "" })).await["id"].as_i64().unwrap();
    let ticket = |title: &str, requester: i64| json!({ "project_id": project, "item_type": "ticket", "title": title, "requester_id": requester });
    let printer = api.post("/api/items", ticket("Printer on fire", ann)).await["id"].as_i64().unwrap();
    api.post("/api/items", ticket("VPN drops in Berlin", eve)).await;

    let browser = Browser::signed_in(&server, &format!("/organizations/{initech}")).await;
    browser.wait_for_panel_name("Initech").await;
    browser.open_tab("Tickets").await;
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
    browser.wait_for_panel_name("Initech").await;
    browser.click_button("Manage projects").await;
    browser.fill_in(ORG_PANEL, "Search projects", "Web").await;
    let option =
        format!("{ORG_PANEL}//ul[@role='listbox']//button[@role='option'][starts-with(@aria-label,'Website, ')]");
    browser.click_xpath(&option, "Website").await;
    // The sharing dialog opens with Initech to add, and says what that does before saving.
    browser.wait_for_text("future members of Initech will too").await;
    browser.click_button("Save").await;
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

#[tokio::test]
async fn the_summary_is_edited_in_place_kept_after_a_reload_and_a_cancelled_edit_changes_nothing() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    let acme = api.create_org("Acme", &["acme.com"]).await.id;
    let browser = Browser::signed_in(&server, &format!("/organizations/{acme}")).await;
    browser.wait_for_panel_name("Acme").await;
    browser.wait_for_text_in(ORG_PANEL, "No summary yet.").await;

    browser.click_button("Edit summary").await;
    browser.fill_in(ORG_PANEL, "Summary", "Our best customer since 2019.").await;
    browser.click_button("Save summary").await;
    let shown = format!("{ORG_PANEL}//*[@data-testid='org-summary']");
    browser.wait_for_text_in(&shown, "Our best customer since 2019.").await;
    assert_eq!(api.detail(acme).await["summary"], "Our best customer since 2019.");

    browser.reload().await;
    browser.wait_for_panel_name("Acme").await;
    browser.wait_for_text_in(&shown, "Our best customer since 2019.").await;

    // Cancel puts the saved text back and sends nothing.
    let version = api.detail(acme).await["version"].clone();
    browser.click_button("Edit summary").await;
    browser.fill_in(ORG_PANEL, "Summary", "Something else").await;
    browser.click_button("Cancel summary").await;
    browser.wait_for_text_in(&shown, "Our best customer since 2019.").await;
    let after = api.detail(acme).await;
    assert_eq!((after["summary"].clone(), after["version"].clone()), (json!("Our best customer since 2019."), version));
    let history = api.get(&format!("/api/organizations/{acme}/history")).await;
    assert_eq!(history["total"], 2, "one summary change recorded after the creation: {history}");
    assert_eq!(history["items"][0]["action"], "summary_changed");
    assert_eq!(history["items"][1]["action"], "created");
    browser.close().await;
}

#[tokio::test]
async fn show_more_brings_the_older_notes_and_history_entries() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    let acme = api.create_org("Acme", &["acme.com"]).await.id;
    // 21 notes, one page and one more; each also writes a history entry.
    for n in 1..=21 {
        api.post(&format!("/api/organizations/{acme}/notes"), json!({ "body": format!("Call number {n:02}") })).await;
    }
    let browser = Browser::signed_in(&server, &format!("/organizations/{acme}")).await;
    browser.wait_for_panel_name("Acme").await;

    browser.open_tab("Notes & files").await;
    let notes = format!("{ORG_PANEL}//ul[@aria-label='Notes']");
    browser.wait_for_text_in(&notes, "Call number 21").await;
    browser.wait_for_text_in(&notes, "Call number 02").await;
    assert!(!browser.texts(&notes).await.concat().contains("Call number 01"), "the oldest is on the next page");
    browser.click_button("Show more notes (1 more)").await;
    browser.wait_for_text_in(&notes, "Call number 01").await;
    assert_eq!(browser.client.find_all(Locator::XPath(&format!("{notes}/li"))).await.unwrap().len(), 21);

    browser.open_tab("History").await;
    let history = format!("{ORG_PANEL}//ol[@aria-label='Organization history']");
    browser.wait_for_text_in(&history, "Call number 21").await;
    browser.wait_for_text_in(&history, "Call number 02").await;
    assert!(!browser.texts(&history).await.concat().contains("Call number 01"));
    browser.click_in(ORG_PANEL, "Show more").await;
    browser.wait_for_text_in(&history, "Call number 01").await;
    assert_eq!(
        browser.client.find_all(Locator::XPath(&format!("{history}/li"))).await.unwrap().len(),
        22,
        "21 notes and the creation"
    );

    // A reload starts again from the newest page, and Show more again brings the rest.
    browser.reload().await;
    browser.wait_for_panel_name("Acme").await;
    browser.open_tab("History").await;
    browser.wait_for_text_in(&history, "Call number 02").await;
    browser.click_in(ORG_PANEL, "Show more").await;
    browser.wait_for_text_in(&history, "Call number 01").await;
    browser.close().await;
}
