//! Issue #15, point 1: the customer profile. A person opens it by clicking a
//! customer's name (in the Customers list and in an organization's members),
//! reloads the page on it, changes the customer's organization through the move
//! picker and the consequences dialog, edits a custom property (a bad value is
//! refused next to its field, a colleague's earlier edit is caught), at a phone's
//! and a desktop's width, and opens a profile from the keyboard.

use fantoccini::key::Key;
use orgdesk_browser_tests::*;
use serde_json::json;

const PROFILE: &str = "//aside[contains(@class,'customer-profile')]";

/// Acme (acme.com) with Ann Archer, who asked for an open and a closed item; Globex;
/// the customer properties Tier (a choice) and Seats (a number).
async fn profile_world(server: &Server) -> (i64, i64, i64) {
    let api = Api::sign_in(server).await;
    let acme = api.create_org("Acme", &["acme.com"]).await.id;
    let globex = api.create_org("Globex", &["globex.com"]).await.id;
    let ann = api.create_customer("ann.archer@acme.com", "Ann", "Archer").await.id;
    let project = api.create_project("Support").await.id;
    api.create_ticket(project, "Printer on fire", ann).await;
    let done = api.create_ticket(project, "Old request", ann).await.id;
    api.patch(&format!("/api/items/{done}"), json!({"status": "closed"})).await;
    api.post(
        "/api/customer-properties",
        json!({"label": "Tier", "kind": "single_choice", "options": ["Gold", "Silver"]}),
    )
    .await;
    api.post("/api/customer-properties", json!({"label": "Seats", "kind": "number"})).await;
    (acme, globex, ann)
}

async fn title(browser: &Browser) -> String {
    browser.client.title().await.unwrap()
}

async fn wait_for_profile_of(browser: &Browser, name: &str) {
    let xpath = format!("{PROFILE}//*[@data-testid='customer-name'][normalize-space()={}]", xpath_literal(name));
    browser.element(&xpath).await;
}

#[tokio::test]
async fn a_click_on_a_name_opens_the_profile_which_a_reload_keeps_and_which_changes_the_organization() {
    let server = Server::start().await;
    let (acme, globex, ann) = profile_world(&server).await;
    let api = Api::sign_in(&server).await;
    let browser = Browser::signed_in(&server, "/customers").await;
    browser.set_width(1440).await;

    browser.expand("Acme").await;
    browser.click_link("Ann Archer").await;
    browser.wait_for_path(&format!("/customers/{ann}")).await;
    wait_for_profile_of(&browser, "Ann Archer").await;
    browser.wait_for_text_in(PROFILE, "ann.archer@acme.com").await;
    eventually("the profile's title", || title(&browser), |t| t == "Ann Archer - Orgdesk").await;
    // The list stays beside the profile.
    browser.group("Globex").await;
    browser.assert_fits("the profile at 1440 px").await;
    browser.screenshots("profile").await;
    browser.set_width(1440).await;

    browser.reload().await;
    wait_for_profile_of(&browser, "Ann Archer").await;
    browser.wait_for_path(&format!("/customers/{ann}")).await;
    browser.wait_for_text_in(PROFILE, "Acme").await;

    // Tickets: counts by status, linking to the Tickets app.
    browser.open_tab("Tickets").await;
    browser.wait_for_text_in(PROFILE, "Printer on fire").await;
    // A new ticket is new until someone answers it.
    let new = browser.element(&format!("{PROFILE}//li[@data-status='new']//a")).await;
    assert_eq!(new.attr("aria-label").await.unwrap().as_deref(), Some("1 New"));
    let open = browser.element(&format!("{PROFILE}//li[@data-status='open']//a")).await;
    assert_eq!(open.attr("aria-label").await.unwrap().as_deref(), Some("0 Open"));
    let href = new.attr("href").await.unwrap().unwrap_or_default();
    assert_eq!(href, format!("/tickets?status=new&requester_id={ann}"));
    let closed = browser.element(&format!("{PROFILE}//li[@data-status='closed']//a")).await;
    assert_eq!(closed.attr("aria-label").await.unwrap().as_deref(), Some("1 Closed"));

    // The organization changes with the move picker and the move's consequences dialog.
    browser.open_tab("Overview").await;
    browser.click_button("Change organization").await;
    let search = browser.field("Organization").await;
    search.send_keys("glob").await.unwrap();
    browser.button("Globex, 0 members").await;
    // The search has narrowed the list (Acme was offered before it).
    browser.wait_until_gone("//*[@role='option'][starts-with(@aria-label,'Acme')]").await;
    browser.press(Key::Down).await; // "No organization"
    browser.press(Key::Down).await; // "Globex"
    browser.press(Key::Enter).await;
    browser.wait_for_alert("1 open item will move with them to Globex; 1 closed item stays with Acme.").await;
    browser.click_in(DIALOG, "Move").await;
    browser.wait_until_gone(DIALOG).await;
    browser.wait_for_text("Moved to Globex.").await;
    let shown = browser.element(&format!("{PROFILE}//*[@data-testid='profile-organization']")).await;
    eventually("the profile shows Globex", || async { shown.text().await.unwrap() }, |t| t == "Globex").await;
    assert_eq!(api.customer(ann).await.organization_id, Some(globex));
    // The list beside it follows.
    browser.wait_for_group_count("Globex", "1 member").await;

    browser.open_tab("History").await;
    browser.wait_for_text_in(PROFILE, "Moved from Acme to Globex from the customer's profile").await;
    // The tab is in the URL: a reload opens the profile on it.
    browser.wait_for_path(&format!("/customers/{ann}?tab=history")).await;
    browser.reload().await;
    wait_for_profile_of(&browser, "Ann Archer").await;
    browser.wait_for_text_in(PROFILE, "Created by an agent; joined Acme by the email domain rule").await;
    let selected = browser.element("//button[@role='tab'][@aria-selected='true']").await;
    assert_eq!(selected.text().await.unwrap(), "History");
    browser.screenshots("profile-history").await;
    browser.set_width(1440).await;
    let _ = acme;

    // Escape closes it.
    browser.press(Key::Escape).await;
    browser.wait_for_path("/customers").await;
    browser.wait_until_gone(PROFILE).await;
    browser.close().await;
}

#[tokio::test]
async fn properties_are_edited_in_place_with_errors_at_the_field_and_a_colleagues_edit_caught() {
    let server = Server::start().await;
    let (_, _, ann) = profile_world(&server).await;
    let api = Api::sign_in(&server).await;
    let browser = Browser::signed_in(&server, &format!("/customers/{ann}")).await;
    browser.set_width(390).await;
    wait_for_profile_of(&browser, "Ann Archer").await;
    browser.assert_fits("the profile at 390 px").await;

    browser.click_button("Edit properties").await;
    browser.choose_in(PROFILE, "Tier", "Gold").await;
    browser.fill("Seats", "many").await;
    assert_eq!(browser.field_error("Seats").await, "Enter a number.");
    browser.click_button("Save properties").await;
    browser.wait_for_alert("Some fields need fixing; see the messages next to them.").await;
    assert!(api.get(&format!("/api/customers/{ann}/profile")).await["properties"][0]["value"].is_null());
    browser.fill("Seats", "12").await;
    browser.click_button("Save properties").await;
    browser.wait_until_gone("//form[@aria-label='Properties editor']").await;
    browser.wait_for_text_in(PROFILE, "Gold").await;
    browser.wait_for_text_in(PROFILE, "12").await;
    browser.assert_fits("the profile's properties at 390 px").await;
    let saved = api.get(&format!("/api/customers/{ann}/profile")).await;
    assert_eq!(saved["properties"][0]["value"], "Gold");
    assert_eq!(saved["properties"][1]["value"], 12);

    // A colleague changes them meanwhile: the save is refused and the profile says so.
    browser.click_button("Edit properties").await;
    let version = saved["version"].as_i64().unwrap();
    let tier = saved["properties"][0]["definition"]["id"].as_i64().unwrap();
    api.put(
        &format!("/api/customers/{ann}/properties"),
        json!({"version": version, "values": {tier.to_string(): "Silver"}}),
    )
    .await;
    browser.fill("Seats", "13").await;
    browser.click_button("Save properties").await;
    browser
        .wait_for_alert("This customer was changed by someone else. Reload to see their changes, then edit again.")
        .await;
    browser.click_in(PROFILE, "Reload").await;
    browser.wait_until_gone("//form[@aria-label='Properties editor']").await;
    browser.wait_for_text_in(PROFILE, "Silver").await;
    assert_eq!(api.get(&format!("/api/customers/{ann}/profile")).await["properties"][1]["value"], 12);

    // The contact details are edited with the Customers app's dialog; a bad phone is refused at the field.
    browser.click_button("Edit contact details").await;
    browser.fill_in(DIALOG, "Phone", "call me").await;
    browser.click_in(DIALOG, "Save").await;
    assert!(!browser.field_error("Phone").await.is_empty());
    browser.fill_in(DIALOG, "Phone", "+1 555 0100").await;
    browser.fill_in(DIALOG, "Position", "Buyer").await;
    browser.click_in(DIALOG, "Save").await;
    browser.wait_until_gone(DIALOG).await;
    browser.wait_for_text_in(PROFILE, "+1 555 0100").await;
    browser.wait_for_text_in(PROFILE, "Buyer").await;
    browser.assert_fits("the profile's contact details at 390 px").await;

    // Full screen on a phone: Back returns to the list.
    browser.click_button("Back").await;
    browser.wait_for_path("/customers").await;
    browser.close().await;
}

#[tokio::test]
async fn an_organizations_member_list_and_the_keyboard_open_a_profile_too() {
    let server = Server::start().await;
    let (acme, _, ann) = profile_world(&server).await;
    let browser = Browser::signed_in(&server, &format!("/organizations/{acme}")).await;
    browser.set_width(1440).await;
    browser.wait_for_panel_name("Acme").await;
    browser.open_tab("Members").await;
    browser.click_link("Ann Archer").await;
    browser.wait_for_path(&format!("/customers/{ann}")).await;
    wait_for_profile_of(&browser, "Ann Archer").await;

    // By keyboard: Enter on the focused name in the list.
    browser.press(Key::Escape).await;
    browser.wait_for_path("/customers").await;
    browser.expand("Acme").await;
    let link = browser.element("//a[contains(@class,'customer-row__link')][normalize-space()='Ann Archer']").await;
    link.send_keys(&char::from(Key::Enter).to_string()).await.unwrap();
    browser.wait_for_path(&format!("/customers/{ann}")).await;
    wait_for_profile_of(&browser, "Ann Archer").await;
    // The tabs follow the arrows.
    browser
        .element("//button[@role='tab'][normalize-space()='Overview']")
        .await
        .send_keys(&char::from(Key::Right).to_string())
        .await
        .unwrap();
    browser.wait_for_focus_on("profile-tab-tickets").await;
    browser.wait_for_text_in(PROFILE, "Printer on fire").await;
    browser.close().await;
}

#[tokio::test]
async fn an_admin_defines_a_customer_property_under_administration_and_the_profile_offers_it() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    api.create_org("Acme", &["acme.com"]).await;
    let ann = api.create_customer("ann.archer@acme.com", "Ann", "Archer").await.id;
    let browser = Browser::signed_in(&server, "/admin").await;
    browser.set_width(1440).await;
    browser.wait_for_text("Customer properties").await;
    // Its own form, beside the organization properties' (whose labels stay as they were).
    let form = "//form[@aria-labelledby='add-customer-property-title']";
    browser.fill("Customer property label", "Language").await;
    browser.choose_in(form, "Customer property kind", "Single choice").await;
    browser.click_button("Add customer property").await;
    // A choice needs options: said next to the field, nothing created.
    assert!(!browser.field_error_in(form, "Options (one per line)").await.is_empty());
    assert_eq!(api.get("/api/customer-properties").await, json!([]));
    browser.fill_in(form, "Options (one per line)", "English\nFrench").await;
    browser.click_button("Add customer property").await;
    browser.wait_for_text("Added the property Language.").await;
    browser.wait_for_text_in("//table[@aria-label='Customer properties']", "English, French").await;
    assert_eq!(api.get("/api/organization-properties").await, json!([]), "the organization properties are apart");

    browser.goto(&format!("/customers/{ann}")).await;
    wait_for_profile_of(&browser, "Ann Archer").await;
    browser.click_button("Edit properties").await;
    browser.choose_in(PROFILE, "Language", "French").await;
    browser.click_button("Save properties").await;
    browser.wait_until_gone("//form[@aria-label='Properties editor']").await;
    browser.wait_for_text_in(PROFILE, "French").await;
    browser.open_tab("History").await;
    browser.wait_for_text_in(PROFILE, "Properties changed: Language").await;
    browser.close().await;
}
