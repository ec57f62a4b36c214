//! Portal policy in the browser: an admin sets Administration > Portal; an
//! organization's panel overrides what its members see and says what that comes
//! to; a manager turns on "follow every new item" in their portal profile.

use fantoccini::key::Key;
use orgdesk_browser_tests::*;
use serde_json::json;

/// Picks the option whose value is `value` in the drop-down labelled `label` inside `scope`
/// (the options' labels hold apostrophes, which WebDriver's by-label XPath cannot quote).
async fn choose_value(browser: &Browser, scope: &str, label: &str, value: &str) {
    let mut last = None;
    for _ in 0..20 {
        match browser.field_in(scope, label).await.select_by_value(value).await {
            Ok(()) => return,
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    }
    panic!("could not choose {value:?} in {label:?}: {last:?}");
}

/// Nothing in `root` (a CSS selector) reaches past the window's right edge.
async fn assert_fits(browser: &Browser, root: &str, what: &str) {
    let wide = browser
        .client
        .execute(
            "return [...document.querySelectorAll(arguments[0] + ' *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1) \
               .slice(0, 8).map(e => e.tagName + '.' + e.className);",
            vec![json!(root)],
        )
        .await
        .unwrap();
    assert_eq!(wide, json!([]), "{what} fits 390 px");
}

#[tokio::test]
async fn an_admin_sets_what_customers_see_in_administration_portal() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    let browser = Browser::signed_in(&server, "/admin").await;
    browser.click_link("Portal").await;
    browser.wait_for_path("/admin/portal").await;
    browser.field("The organization's items, read only").await.click().await.unwrap();
    browser.field("Show the items of projects shared with a customer").await.click().await.unwrap();
    browser.field("Assignee's name").await.click().await.unwrap();
    browser.screenshot("portal-settings-desktop.png").await;
    browser.click_button("Save portal settings").await;
    browser.wait_for_text("Saved the portal settings.").await;
    let saved = api.get("/api/settings/portal").await;
    assert_eq!(saved["organization_items"], "read");
    assert_eq!(saved["project_items"], true);
    assert_eq!(saved["self_registration"], false);
    assert_eq!(saved["fields"]["assignee"], true);

    // After a reload the page shows what was saved; by keyboard, Space turns registration on.
    browser.client.set_window_size(390, 844).await.unwrap();
    browser.reload().await;
    let read = browser.field("The organization's items, read only").await;
    assert_eq!(read.prop("checked").await.unwrap().as_deref(), Some("true"));
    let registration = browser.field("Anyone may create a portal account").await;
    registration.send_keys(" ").await.unwrap();
    browser.button("Save portal settings").await.send_keys(&char::from(Key::Enter).to_string()).await.unwrap();
    browser.wait_for_text("Saved the portal settings.").await;
    assert_eq!(api.get("/api/settings/portal").await["self_registration"], true);
    assert_fits(&browser, "body", "Administration > Portal").await;
    browser.screenshot("portal-settings-390.png").await;
}

#[tokio::test]
async fn the_organization_panel_overrides_the_portal_setting_and_says_what_members_see() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    let acme = api.create_org("Acme", &["acme.com"]).await;
    api.patch("/api/settings/portal", json!({"organization_items": "read"})).await;

    let browser = Browser::signed_in(&server, &format!("/organizations/{}", acme.id)).await;
    browser.wait_for_panel_name("Acme").await;
    browser
        .wait_for_text_in(ORG_PANEL, "Members of Acme see the organization's items, read only (the portal setting).")
        .await;
    choose_value(&browser, ORG_PANEL, "Members see", "reply").await;
    browser
        .wait_for_text_in(
            ORG_PANEL,
            "Members of Acme see the organization's items and may reply to them (this organization's choice).",
        )
        .await;
    let v = api.get(&format!("/api/organizations/{}/portal-visibility", acme.id)).await;
    assert_eq!(v, json!({"override": "reply", "global": "read", "effective": "reply"}));

    choose_value(&browser, ORG_PANEL, "Members see", "own").await;
    browser
        .wait_for_text_in(ORG_PANEL, "read only (the portal setting; this organization's choice is less permissive)")
        .await;
    assert_eq!(api.get(&format!("/api/organizations/{}/portal-visibility", acme.id)).await["override"], "own");

    browser.open_tab("History").await;
    browser
        .wait_for_text_in(
            ORG_PANEL,
            "Portal: members see their own items (was the organization's items, and may reply)",
        )
        .await;
    browser.client.set_window_size(390, 844).await.unwrap();
    browser.open_tab("Overview").await;
    browser.wait_for_text_in(ORG_PANEL, "this organization's choice is less permissive").await;
    browser.client.execute("document.querySelector('[data-section=portal]').scrollIntoView()", vec![]).await.unwrap();
    assert_fits(&browser, "[data-section=portal]", "the panel's Portal section").await;
    browser.screenshot("org-portal-390.png").await;
}

#[tokio::test]
async fn a_manager_turns_on_following_every_new_item_in_the_portal_profile() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    let acme = api.create_org("Acme", &["acme.com"]).await;
    let mia = api.create_customer("mia@acme.com", "Mia", "Manager").await;
    let ann = api.create_customer("ann@acme.com", "Ann", "Lee").await;
    let version = api.detail(acme.id).await["version"].clone();
    api.patch(
        &format!("/api/organizations/{}/members/{}", acme.id, mia.id),
        json!({"version": version, "role": "manager"}),
    )
    .await;
    server.portal_account(mia.id, "mia-portal-password", true).await;
    api.patch(&format!("/api/customers/{}", mia.id), json!({"phone": "+1 555 0100 ext. 7"})).await;
    let project = api.create_project("Support").await;

    let browser = Browser::open(&server).await;
    browser.client.set_window_size(390, 844).await.unwrap();
    browser.goto("/portal/profile").await;
    browser.wait_for_path_prefix("/portal/sign-in").await;
    browser.sign_in("mia@acme.com", "mia-portal-password").await;
    browser.wait_for_path("/portal/profile").await;
    browser.wait_for_text("Acme (manager)").await;
    browser.wait_for_text_in("//dl[contains(@class,'portal-profile__facts')]", "+1 555 0100 ext. 7").await;
    let follow = browser.field("Follow every new item from Acme").await;
    follow.send_keys(" ").await.unwrap();
    browser.wait_for_text("You will follow every new item of Acme.").await;
    assert_eq!(browser.focused_id().await, "profile-follow", "the keyboard stays on the checkbox");
    assert_fits(&browser, "body", "the portal profile").await;
    browser.screenshot("portal-profile-390.png").await;

    let item = api.create_ticket(project.id, "Ann's printer", ann.id).await;
    let followers: Vec<i64> = api.item(item.id).await.followers.iter().map(|f| f.id).collect();
    assert_eq!(followers, vec![mia.id], "the manager follows the new item");

    // A name change shows in the portal's header at once.
    browser.fill("First name", "Mira").await;
    browser.click_button("Save name").await;
    browser.wait_for_text("Saved your name.").await;
    browser.wait_for_text_in("//header", "Mira Manager").await;
    assert_eq!(api.customer(mia.id).await.first_name, "Mira");
}
