//! Browser tests of issue #16's delete and restore: deleting an organization from
//! its panel and moving its members to another one, finding it under
//! Administration > Deleted organizations and restoring it; and the duplicate
//! suggestions page showing a pair. At a phone's width and a desktop's.

use fantoccini::key::Key;
use orgdesk_browser_tests::*;
use serde_json::json;

#[tokio::test]
async fn an_organization_deleted_with_its_members_moved_is_restored_from_administration() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    api.patch("/api/settings", json!({ "auto_create_organizations": false })).await;
    let acme = api.create_org("Acme", &["acme.com"]).await.id;
    let globex = api.create_org("Globex", &["globex.com"]).await.id;
    let ann = api.create_customer("ann@acme.com", "Ann", "Lee").await.id;
    let bo = api.create_customer("bo@acme.com", "Bo", "Stone").await.id;
    let project = api.create_project("Support").await.id;
    api.create_ticket(project, "Printer on fire", ann).await;
    let old = api.create_ticket(project, "Old invoice", bo).await.id;
    api.patch(&format!("/api/items/{old}"), json!({ "status": "closed" })).await;

    let browser = Browser::signed_in(&server, &format!("/organizations/{acme}")).await;
    browser.set_width(1440).await;
    browser.wait_for_panel_name("Acme").await;
    browser.click_button("Organization actions").await;
    browser.click_xpath("//button[@role='menuitem'][normalize-space()='Delete…']", "Delete…").await;
    browser.wait_for_text_in(DIALOG, "Acme has 2 members and 2 items (1 open, 1 closed).").await;
    browser.wait_for_text_in(DIALOG, "for 30 days").await;
    browser.assert_accessible("the delete dialog").await;
    browser.screenshots("delete-dialog").await;
    // Moving needs a target: refused next to the picker until one is chosen.
    browser.click_xpath("//label[normalize-space()='Move them to another organization']", "the move choice").await;
    browser.click_in(DIALOG, "Delete organization").await;
    assert_eq!(browser.field_error_in(DIALOG, "Move members to").await, "Choose the organization its members move to.");
    browser.field("Move members to").await.send_keys("Glob").await.unwrap();
    browser.button("Globex, 0 members").await;
    browser.press(Key::Down).await;
    browser.press(Key::Enter).await;
    browser.wait_for_text_in(DIALOG, "Globex").await;
    browser.click_in(DIALOG, "Delete organization").await;
    browser.wait_for_path("/customers").await;
    browser.wait_for_group_count("Globex", "2 members").await;
    assert_eq!(api.customer(ann).await.organization_id, Some(globex));
    assert_eq!(api.status(&format!("/api/organizations/{acme}")).await, reqwest::StatusCode::NOT_FOUND);
    // The closed item keeps a record of the organization it had.
    browser.goto(&format!("/tickets/{old}")).await;
    browser.wait_for_text_in("//*[@data-testid='item-organization']", "Acme (deleted)").await;

    // Administration > Deleted organizations, at a phone's width.
    browser.set_width(390).await;
    browser.goto("/admin").await;
    browser.click_link("Deleted organizations").await;
    browser.wait_for_path("/admin/deleted-organizations").await;
    browser.wait_for_text("Deleted organizations can be restored for 30 days").await;
    let row = browser.element(&format!("//li[@data-organization-id='{acme}']")).await;
    let text = row.text().await.unwrap();
    assert!(text.contains("acme.com") && text.contains("2 members"), "{text}");
    browser.assert_fits("Deleted organizations at 390 px").await;
    browser.assert_accessible("Deleted organizations").await;
    browser.screenshots("deleted-organizations").await;
    // Bo moves on meanwhile: he stays where he is.
    let initech = api.create_org("Initech", &[]).await.id;
    api.post("/api/customers/move", json!({ "customer_ids": [bo], "organization_id": initech })).await;
    browser.click_button("Restore Acme").await;
    browser.wait_for_text("Restored Acme: 1 member came back, 1 stayed where they moved since.").await;
    browser.wait_for_text("No deleted organizations.").await;
    assert_eq!(api.customer(ann).await.organization_id, Some(acme));
    assert_eq!(api.customer(bo).await.organization_id, Some(initech));

    browser.set_width(1440).await;
    browser.click_link("Open it").await;
    browser.wait_for_path(&format!("/organizations/{acme}")).await;
    browser.wait_for_panel_name("Acme").await;
    browser.wait_for_text_in(ORG_PANEL, "acme.com").await;
    browser.close().await;
}

#[tokio::test]
async fn the_retention_is_set_in_administration_and_a_bad_value_is_refused_next_to_the_field() {
    let server = Server::start().await;
    let browser = Browser::signed_in(&server, "/admin/deleted-organizations").await;
    browser.wait_for_value_in("//form", "Keep deleted organizations for (days)", "30").await;
    browser.fill("Keep deleted organizations for (days)", "400").await;
    browser.click_button("Save retention").await;
    assert_eq!(browser.field_error("Keep deleted organizations for (days)").await, "Choose from 1 to 365 days.");
    browser.fill("Keep deleted organizations for (days)", "7").await;
    browser.click_button("Save retention").await;
    browser.wait_for_text("Deleted organizations are kept for 7 days.").await;
    browser.reload().await;
    browser.wait_for_value_in("//form", "Keep deleted organizations for (days)", "7").await;
    browser.close().await;
}

#[tokio::test]
async fn the_duplicate_suggestions_page_shows_a_pair_with_merge_and_not_duplicates() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    api.patch("/api/settings", json!({ "auto_create_organizations": false })).await;
    let big = api.create_org("Acme Inc.", &["acme.com"]).await.id;
    let small = api.create_org("ACME Ltd", &["acme.co.uk"]).await.id;
    api.create_org("Globex", &["globex.com"]).await;
    api.create_customer("ann@acme.com", "Ann", "Lee").await;

    let browser = Browser::signed_in(&server, "/admin").await;
    for width in [390, 1440] {
        browser.set_width(width).await;
        browser.goto("/admin").await;
        browser.click_link("Duplicate organizations").await;
        browser.wait_for_text("Same name and domain").await;
        let merge = browser.field_by_aria("Merge ACME Ltd into Acme Inc.").await;
        assert_eq!(
            merge.attr("href").await.unwrap().as_deref(),
            Some(format!("/organizations/{small}?merge_into={big}").as_str())
        );
        let row = browser.element("//li[contains(@class,'duplicates__row')]").await;
        let text = row.text().await.unwrap();
        assert!(text.contains("acme.co.uk") && text.contains("1 member") && !text.contains("Globex"), "{text}");
        browser.assert_fits(&format!("Duplicate organizations at {width} px")).await;
        browser.assert_accessible("Duplicate organizations").await;
    }
    browser.screenshots("duplicates").await;
    browser.click_button("ACME Ltd and Acme Inc. are not duplicates").await;
    browser.wait_for_text("No organizations look like duplicates.").await;
    browser.reload().await;
    browser.wait_for_text("No organizations look like duplicates.").await;
    browser.close().await;
}
