//! Browser tests of the Customers app's search and project filter (issue #15): a
//! person types part of an email domain or a name without its accent, and sees the
//! groups with matches open and the matches marked.

use fantoccini::Locator;
use orgdesk_browser_tests::*;

/// The texts of the marked matches in the list, now.
async fn marks(browser: &Browser) -> Vec<String> {
    browser.texts("//div[contains(@class,'customers__list')]//mark").await
}

#[tokio::test]
async fn typing_a_domain_part_opens_its_group_and_marks_the_matches() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    api.create_org("Acme Corporation", &["acme.com"]).await;
    api.create_org("Globex", &["globex.com"]).await;
    api.create_customer("ann@acme.com", "Ann", "Lee").await;
    api.create_customer("zoe@acme.com", "Zoë", "Ström").await;
    api.create_customer("zed@globex.com", "Zed", "Moss").await;
    api.create_customer("pat@gmail.com", "Pat", "Kay").await;
    let browser = Browser::signed_in(&server, "/customers").await;
    browser.group("No organization").await;

    browser.keys_to_labelled("Search customers", "acme.com").await;
    browser.wait_for_text("2 customers match “acme.com” · 1 organization").await;
    // The group opened by itself: its members are there without a click.
    browser.button("Collapse Acme Corporation").await;
    browser.customer_row("Ann Lee").await;
    browser.customer_row("Zoë Ström").await;
    // The organization's domain in its header, and both addresses.
    let marked = eventually("the marked matches", || marks(&browser), |m| m.len() == 3).await;
    assert_eq!(marked, ["acme.com", "acme.com", "acme.com"]);
    // Nobody without an organization matches: that group is hidden, and so is Globex.
    browser.wait_until_gone("//div[@data-testid='org-group'][contains(normalize-space(),'No organization')]").await;
    assert!(browser.client.find(Locator::XPath("//span[normalize-space()='Globex']")).await.is_err());
    browser.screenshots("search-acme-com").await;

    // Without its accent, in capitals, in the middle of a name.
    let search = browser.field_by_aria("Search customers").await;
    search.clear().await.unwrap();
    browser.keys_to_labelled("Search customers", "ZOE STR").await;
    browser.wait_for_text("1 customer matches “ZOE STR”").await;
    let marked = eventually("the marked name", || marks(&browser), |m| m.len() == 1).await;
    assert_eq!(marked, ["Zoë Str"]);

    // Only someone without an organization: that group opens.
    let search = browser.field_by_aria("Search customers").await;
    search.clear().await.unwrap();
    browser.keys_to_labelled("Search customers", "gmail").await;
    browser.wait_for_text("1 customer matches “gmail” · 0 organizations").await;
    browser.button("Collapse No organization").await;
    browser.customer_row("Pat Kay").await;
    browser.close().await;
}

#[tokio::test]
async fn the_project_filter_shows_who_follows_the_project() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    api.create_org("Acme Corporation", &["acme.com"]).await;
    let globex = api.create_org("Globex", &["globex.com"]).await;
    api.create_customer("ann@acme.com", "Ann", "Lee").await;
    api.create_customer("zed@globex.com", "Zed", "Moss").await;
    let pat = api.create_customer("pat@gmail.com", "Pat", "Kay").await;
    let launch = api.create_project("Launch").await;
    api.post(&format!("/api/projects/{}/followers", launch.id), serde_json::json!({ "organization_id": globex.id }))
        .await;
    api.post(&format!("/api/projects/{}/followers", launch.id), serde_json::json!({ "customer_id": pat.id })).await;
    let browser = Browser::signed_in(&server, "/customers").await;
    browser.group("No organization").await;

    let mut chosen = false;
    for _ in 0..20 {
        // The projects may still be loading.
        if browser.field("Show").await.select_by_label("Following Launch").await.is_ok() {
            chosen = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    }
    assert!(chosen, "the project filter offers Launch");
    browser.wait_for_text("2 customers follow Launch · 1 organization").await;
    browser.wait_for_group_count("Globex", "1 following").await;
    browser.customer_row("Zed Moss").await;
    browser.customer_row("Pat Kay").await;
    assert!(browser.client.find(Locator::XPath("//span[normalize-space()='Acme Corporation']")).await.is_err());
    browser.screenshots("customers-project-filter").await;

    // A search narrows the followers further.
    browser.keys_to_labelled("Search customers", "kay").await;
    browser.wait_for_text("1 customer follows Launch and matches “kay” · 0 organizations").await;
    browser.close().await;
}
