//! Browser tests of usergroups: an admin creates one in Administration >
//! Usergroups, links it to an organization in its panel, and sees on a member's
//! profile that they are in it "Through" the organization; at a phone's and a
//! desktop's width, and by keyboard alone (link with the picker's arrow keys,
//! unlink through the confirm dialog).

use fantoccini::key::Key;
use orgdesk_browser_tests::*;
use serde_json::json;

const LINKED: &str = "//ul[@aria-label='Linked usergroups']";
const PROFILE_GROUPS: &str = "//ul[@aria-label='Usergroups']";

async fn focused_name(browser: &Browser) -> String {
    let script = "const a = document.activeElement; \
        return a ? (a.getAttribute('aria-label') || a.textContent || '').trim() : '';";
    browser.client.execute(script, vec![]).await.unwrap().as_str().unwrap_or_default().to_string()
}

/// Presses Tab until the focus is on the control named `name`.
async fn tab_to(browser: &Browser, name: &str) {
    for _ in 0..80 {
        browser.press(Key::Tab).await;
        if focused_name(browser).await == name {
            return;
        }
    }
    panic!("Tab never reached {name:?}");
}

/// Presses Tab until the focus is on the element with the id `id`.
async fn tab_to_id(browser: &Browser, id: &str) {
    for _ in 0..80 {
        if browser.focused_id().await == id {
            return;
        }
        browser.press(Key::Tab).await;
    }
    panic!("Tab never reached #{id}");
}

/// Types `text` wherever the focus is.
async fn type_text(browser: &Browser, text: &str) {
    browser.client.active_element().await.unwrap().send_keys(text).await.unwrap();
}

#[tokio::test]
async fn an_admin_creates_a_usergroup_links_it_to_an_organization_and_a_member_shows_it_through_the_organization() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    let acme = api.create_org("Acme Corp", &["acme.test"]).await.id;
    let ann = api.create_customer("ann@acme.test", "Ann", "Archer").await.id;
    api.create_project("Launch").await;

    for (width, name) in [(1440, "VIP support"), (390, "Gold partners")] {
        let browser = Browser::signed_in(&server, "/admin").await;
        browser.set_width(width).await;
        browser.click_link("Usergroups").await;
        browser.wait_for_path("/admin/usergroups").await;
        browser.click_button("New usergroup").await;
        // A blank name is refused next to the field, before anything is sent.
        browser.click_button("Add usergroup").await;
        assert_eq!(browser.field_error("Name").await, "Enter a name.");
        browser.fill("Name", name).await;
        browser.fill("Description", "Customers who get more").await;
        browser.field("Reply").await.click().await.unwrap();
        browser.fill("Add a project", "Lau").await;
        browser.click_xpath("//button[@role='option'][starts-with(@aria-label,'Launch')]", "Launch").await;
        browser.wait_for_text_in("//ul[@aria-label='Projects of the group']", "Launch").await;
        browser.click_button("Add usergroup").await;
        browser.wait_for_path_prefix("/admin/usergroups?group=").await;
        browser.wait_for_text_in("//h2[@id='usergroup-detail-title']", name).await;
        browser.wait_for_text_in("//ul[@aria-label='Usergroups']", name).await;
        browser.assert_fits(&format!("Usergroups at {width} px")).await;
        browser.assert_accessible(&format!("Usergroups at {width} px")).await;
        browser.screenshot(&format!("usergroups-admin-{width}.png")).await;

        // The organization's panel links it.
        browser.goto(&format!("/organizations/{acme}")).await;
        browser.wait_for_panel_name("Acme Corp").await;
        browser.click_button("Link usergroup…").await;
        browser.fill_in(ORG_PANEL, "Search usergroups", &name[..3]).await;
        let option = format!("{ORG_PANEL}//button[@role='option'][starts-with(@aria-label,'{name}')]");
        browser.click_xpath(&option, name).await;
        browser.wait_for_text_in(&format!("{ORG_PANEL}{LINKED}"), name).await;
        browser.assert_fits(&format!("the organization's usergroups at {width} px")).await;
        browser.screenshot(&format!("usergroups-org-{width}.png")).await;

        // Her profile shows it, through the organization, with no Remove.
        browser.goto(&format!("/customers/{ann}")).await;
        let row = browser.wait_for_text_in(PROFILE_GROUPS, name).await;
        assert!(row.contains("Through Acme Corp"), "{row}");
        assert!(!row.contains("Remove"), "a membership through the organization is not removed here: {row}");
        browser.assert_fits(&format!("the profile's usergroups at {width} px")).await;
        browser.assert_accessible(&format!("the profile at {width} px")).await;
        browser.screenshot(&format!("usergroups-profile-{width}.png")).await;
        browser.close().await;
    }
    // The server agrees: both groups, through Acme.
    let groups = api.get(&format!("/api/customers/{ann}/usergroups")).await;
    let names: Vec<&str> = groups.as_array().unwrap().iter().map(|g| g["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Gold partners", "VIP support"]);
    assert!(groups.as_array().unwrap().iter().all(|g| g["source"]["through"]["id"] == acme));
}

#[tokio::test]
async fn by_keyboard_alone_an_admin_links_a_usergroup_and_unlinks_it_after_the_confirmation() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    let acme = api.create_org("Acme Corp", &["acme.test"]).await.id;
    let ann = api.create_customer("ann@acme.test", "Ann", "Archer").await.id;
    let vip = api.post("/api/usergroups", json!({"name": "VIP support"})).await["id"].as_i64().unwrap();
    // Bob is in it individually: unlinking Acme keeps him.
    let bob = api.create_customer("bob@acme.test", "Bob", "Baker").await.id;
    api.post(&format!("/api/usergroups/{vip}/members"), json!({"customer_id": bob})).await;

    let browser = Browser::signed_in(&server, &format!("/organizations/{acme}")).await;
    browser.wait_for_panel_name("Acme Corp").await;
    browser.button("Link usergroup…").await;
    tab_to(&browser, "Link usergroup…").await;
    browser.press(Key::Enter).await;
    // The search box follows in the tab order.
    tab_to_id(&browser, "org-usergroup-search").await;
    type_text(&browser, "VIP").await;
    browser.element("//button[@role='option'][starts-with(@aria-label,'VIP support')]").await;
    browser.press(Key::Down).await;
    browser.press(Key::Enter).await;
    browser.wait_for_text_in(LINKED, "VIP support").await;

    tab_to(&browser, "Unlink VIP support").await;
    browser.press(Key::Enter).await;
    let dialog = browser.wait_for_text_in(DIALOG, "Unlink VIP support from Acme Corp?").await;
    assert!(dialog.contains("1 member in VIP support only through Acme Corp will leave it"), "{dialog}");
    browser.assert_accessible("the Unlink dialog").await;
    tab_to(&browser, "Unlink").await;
    browser.press(Key::Enter).await;
    browser.wait_until_gone(DIALOG).await;
    browser.wait_for_text("It is linked to no usergroup.").await;

    let members = api.get(&format!("/api/usergroups/{vip}/members")).await;
    let ids: Vec<i64> =
        members["items"].as_array().unwrap().iter().map(|m| m["customer_id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [bob], "only the individual membership stays; Ann ({ann}) left with the link");
    browser.close().await;
}

#[tokio::test]
async fn an_admin_renames_a_usergroup_and_deletes_it_after_a_confirmation_that_counts_its_members() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    let acme = api.create_org("Acme Corp", &["acme.test"]).await.id;
    api.create_customer("ann@acme.test", "Ann", "Archer").await;
    api.create_customer("bob@acme.test", "Bob", "Baker").await;
    let vip = api.post("/api/usergroups", json!({"name": "VIP support"})).await["id"].as_i64().unwrap();
    api.post(&format!("/api/organizations/{acme}/usergroups"), json!({"usergroup_id": vip})).await;

    let browser = Browser::signed_in(&server, &format!("/admin/usergroups?group={vip}")).await;
    browser.wait_for_text_in("//h2[@id='usergroup-detail-title']", "VIP support").await;
    let members = browser.wait_for_text_in("//ul[@aria-label='Members']", "Bob Baker").await;
    assert!(members.contains("Through Acme Corp"), "{members}");
    browser.click_button("Edit").await;
    browser.fill("Name", " ").await;
    browser.click_button("Save usergroup").await;
    assert_eq!(browser.field_error("Name").await, "Enter a name.");
    browser.fill("Name", "Platinum").await;
    browser.click_button("Save usergroup").await;
    browser.wait_for_text_in("//h2[@id='usergroup-detail-title']", "Platinum").await;
    assert_eq!(api.get(&format!("/api/usergroups/{vip}")).await["name"], "Platinum");

    browser.click_button("Delete…").await;
    let dialog = browser.wait_for_text_in(DIALOG, "Delete Platinum?").await;
    assert!(dialog.contains("2 members will lose what Platinum grants in the portal"), "{dialog}");
    browser.click_button("Delete usergroup").await;
    browser.wait_until_gone(DIALOG).await;
    browser.wait_for_text("No usergroups yet.").await;
    assert_eq!(api.status(&format!("/api/usergroups/{vip}")).await, reqwest::StatusCode::NOT_FOUND);
    browser.close().await;
}
