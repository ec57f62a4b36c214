//! Browser tests of merging organizations: an admin opens "Merge into…" from the
//! organization panel's Actions menu, picks the survivor, chooses a conflicting
//! field in the preview, merges, lands on the survivor, and the merged
//! organization's old link opens the survivor; at a phone's and a desktop's width.

use fantoccini::key::Key;
use fantoccini::Locator;
use orgdesk_browser_tests::*;
use serde_json::json;

#[tokio::test]
async fn an_admin_merges_two_organizations_from_the_preview_and_the_old_link_opens_the_survivor() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    api.patch("/api/settings", json!({ "auto_create_organizations": false })).await;
    let browser = Browser::signed_in(&server, "/customers").await;
    for width in [390u32, 1440] {
        let (merged_name, survivor_name) = (format!("Acme Ltd {width}"), format!("Acme {width}"));
        let ltd = api.create_org(&merged_name, &[&format!("acme{width}.co.uk")]).await.id;
        let acme = api.create_org(&survivor_name, &[&format!("acme{width}.com")]).await.id;
        api.create_customer(&format!("ann@acme{width}.co.uk"), "Ann", "Lee").await;
        api.create_customer(&format!("cy@acme{width}.com"), "Cy", "Young").await;
        browser.set_width(width).await;
        browser.goto(&format!("/organizations/{ltd}")).await;
        browser.wait_for_panel_name(&merged_name).await;

        browser.click_button("Organization actions").await;
        browser.click_xpath("//*[@role='menuitem'][normalize-space()='Merge into…']", "Merge into…").await;
        browser.wait_for_path(&format!("/organizations/{ltd}/merge")).await;
        browser.fill("Merge into", &survivor_name).await;
        let option = format!(
            "//button[@role='option'][starts-with(@aria-label, {})]",
            xpath_literal(&format!("{survivor_name},"))
        );
        browser.click_xpath(&option, "the survivor in the picker").await;
        browser.wait_for_path_prefix(&format!("/organizations/{ltd}/merge?into={acme}")).await;
        browser.wait_for_text("Side by side").await;
        browser.wait_for_text_in("//*[@data-testid='merge-moves']", "1 member").await;

        // The names differ: take the merged organization's.
        let take = format!("Take “{merged_name}” ({merged_name})");
        browser.field(&take).await.click().await.unwrap();
        browser.screenshots("merge-preview").await;
        browser.client.execute("document.querySelector('.merge__actions').scrollIntoView()", vec![]).await.unwrap();
        browser.screenshots("merge-preview-end").await;
        browser.set_width(width).await;
        browser.assert_fits(&format!("the merge preview at {width} px")).await;
        browser.assert_accessible(&format!("the merge preview at {width} px")).await;
        browser.click_button(&format!("Merge {merged_name} into {survivor_name}")).await;

        // The survivor's panel, with the merged name and both members.
        browser.wait_for_path(&format!("/organizations/{acme}")).await;
        browser.wait_for_panel_name(&merged_name).await;
        browser.wait_for_text_in(ORG_PANEL, &format!("acme{width}.co.uk")).await;
        assert_eq!(api.detail(acme).await["member_count"], 2);
        browser.screenshots("merge-survivor").await;
        browser.set_width(width).await;

        // The merged organization's old link opens the survivor.
        browser.goto(&format!("/organizations/{ltd}")).await;
        browser.wait_for_path(&format!("/organizations/{acme}")).await;
        browser.wait_for_panel_name(&merged_name).await;
        browser.open_tab("History").await;
        browser.wait_for_text(&format!("Merged {merged_name} into this organization")).await;
    }
    browser.close().await;
}

#[tokio::test]
async fn a_duplicate_suggestions_link_and_the_keyboard_alone_open_the_preview_and_agents_see_no_merge_action() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    let a = api.create_org("Initech", &[]).await.id;
    let b = api.create_org("Initech Inc.", &[]).await.id;
    let browser = Browser::signed_in(&server, "/customers").await;
    browser.goto(&format!("/organizations/{a}?merge_into={b}")).await;
    browser.wait_for_path(&format!("/organizations/{a}/merge?into={b}")).await;
    browser.wait_for_text("Side by side").await;
    browser.button("Merge Initech into Initech Inc.").await;
    // Cancel goes back to the organization, nothing merged.
    browser.click_link("Cancel").await;
    browser.wait_for_path(&format!("/organizations/{a}")).await;
    browser.wait_for_panel_name("Initech").await;

    // By keyboard alone: the Actions menu, "Merge into…", the picker, then Cancel.
    browser.button("Organization actions").await;
    browser.client.execute("document.getElementById('org-panel-actions').focus()", vec![]).await.unwrap();
    browser.press(Key::Enter).await;
    browser.wait_for_focus_on("org-panel-actions-menu-0").await;
    browser.press(Key::Enter).await;
    browser.wait_for_path(&format!("/organizations/{a}/merge")).await;
    browser.field("Merge into").await.send_keys("Initech Inc").await.unwrap();
    browser.button("Initech Inc., 0 members").await;
    browser.press(Key::Down).await;
    browser.press(Key::Enter).await;
    browser.wait_for_path(&format!("/organizations/{a}/merge?into={b}")).await;
    browser.wait_for_text("Side by side").await;
    browser.close().await;

    // An agent's panel has no Actions menu, and the merge page says why it is closed to them.
    api.create_agent("kim@example.com", "Kim Agent", "agent").await;
    let agent = Browser::open(&server).await;
    agent.goto(&format!("/organizations/{a}")).await;
    agent.sign_in("kim@example.com", AGENT_PASSWORD).await;
    agent.wait_for_path(&format!("/organizations/{a}")).await;
    agent.wait_for_panel_name("Initech").await;
    let actions = agent.client.find_all(Locator::XPath("//button[@aria-label='Organization actions']")).await;
    assert!(actions.unwrap().is_empty(), "an agent gets no merge action");
    agent.goto(&format!("/organizations/{a}/merge?into={b}")).await;
    agent.wait_for_alert("Only administrators can merge organizations.").await;
    agent.close().await;
}
