//! Browser tests of sharing: the sharing dialog says what a change does before it
//! is saved, by keyboard and mouse, and the change reaches the server.

use fantoccini::key::Key;
use orgdesk_browser_tests::*;

/// The project's followers on the server, as "kind name" (sorted).
async fn followers_on_server(api: &Api, project: i64) -> Vec<String> {
    let list: Vec<Follower> = api.read(&format!("/api/projects/{project}/followers")).await;
    let mut names: Vec<String> = list.into_iter().map(|f| format!("{:?} {}", f.kind, f.name)).collect();
    names.sort();
    names
}

#[tokio::test]
async fn a_project_is_shared_with_an_organization_and_a_follower_removed_in_the_sharing_dialog() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    api.create_org("Acme", &["acme.com"]).await;
    api.create_customer("ann@acme.com", "Ann", "Lee").await;
    api.create_customer("ben@acme.com", "Ben", "Ito").await;
    api.create_customer("cy@acme.com", "Cy", "Ray").await;
    let zed = api.create_customer("zed@globex.com", "Zed", "Moss").await.id;
    let id = api.create_project("Rollout").await.id;
    api.create_ticket(id, "Kick-off", zed).await;
    api.create_ticket(id, "Training", zed).await;
    api.post(&format!("/api/projects/{id}/followers"), serde_json::json!({"customer_id": zed})).await;
    // Ann and Ben have verified their email, Cy has not; the portal shows project items.
    server
        .execute("UPDATE customers SET email_verified_at = created_at WHERE email IN ('ann@acme.com', 'ben@acme.com')")
        .await;
    server.execute("INSERT INTO settings (key, value) VALUES ('portal_project_items', 'true')").await;

    // From the projects list: Share, Organizations tab (by keyboard), pick Acme.
    let browser = Browser::signed_in(&server, "/projects").await;
    browser.click_button("Share Rollout").await;
    browser.wait_for_text_in(DIALOG, "Share Rollout").await;
    browser.wait_for_text_in(DIALOG, "Zed Moss").await;
    browser.element("//button[@role='tab'][normalize-space()='Customers']").await.click().await.unwrap();
    browser.press(Key::Right).await;
    browser.wait_for_focus_on("share-tab-organizations").await;
    browser.fill_in(DIALOG, "Add organization", "acm").await;
    browser.click_button("Acme, 3 members").await;
    browser
        .wait_for_text_in(
            DIALOG,
            "2 customers gain access now, and future members of Acme will too. \
             They will see 2 items under the current portal settings.",
        )
        .await;
    browser.wait_for_text_in(DIALOG, "1 member has not verified their email yet").await;
    browser.wait_for_text_in(DIALOG, "New followers receive the project's customer replies from now on.").await;
    assert_eq!(followers_on_server(&api, id).await, ["Customer Zed Moss"], "nothing saved before Save");
    browser.screenshots("sharing-dialog").await;
    browser.click_in(DIALOG, "Save").await;
    browser.wait_for_text("Saved who Rollout is shared with.").await;
    assert_eq!(followers_on_server(&api, id).await, ["Customer Zed Moss", "Organization Acme"]);

    // From the project panel: who has access, then remove Zed (Cancel first changes nothing).
    browser.goto(&format!("/projects/{id}")).await;
    browser.wait_for_text_in(PANEL, "3 customers have access (2 through their organization).").await;
    browser.click_button("Who has access").await;
    let access = "//ul[@aria-label='Customers with access']";
    browser.wait_for_text_in(access, "Zed Moss").await;
    let rows = browser.texts(&format!("{access}/li")).await;
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(rows[0].contains("Ann Lee") && rows[0].contains("Through Acme"), "{rows:?}");
    assert!(rows[2].contains("Zed Moss") && rows[2].contains("Follows the project"), "{rows:?}");
    browser.click_button("Share project").await;
    browser.click_in(DIALOG, "Remove Zed Moss").await;
    browser.wait_for_text_in(DIALOG, "1 customer loses access.").await;
    browser.click_in(DIALOG, "Cancel").await;
    browser.wait_until_gone(DIALOG).await;
    assert_eq!(followers_on_server(&api, id).await.len(), 2);
    browser.click_button("Share project").await;
    browser.click_in(DIALOG, "Remove Zed Moss").await;
    browser.wait_for_text_in(DIALOG, "1 customer loses access.").await;
    browser.click_in(DIALOG, "Save").await;
    browser.wait_for_text_in(PANEL, "2 customers have access (2 through their organization).").await;
    assert_eq!(followers_on_server(&api, id).await, ["Organization Acme"]);
    browser.close().await;
}

#[tokio::test]
async fn adding_an_item_follower_warns_first_and_who_can_see_this_gives_the_reasons() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    api.create_org("Acme", &["acme.com"]).await;
    let ann = api.create_customer("ann@acme.com", "Ann", "Lee").await.id;
    api.create_customer("ben@acme.com", "Ben", "Ito").await;
    let project = api.create_project("Support").await.id;
    let item = api.create_ticket(project, "Printer on fire", ann).await.id;
    let browser = Browser::signed_in(&server, &format!("/tickets/{item}")).await;

    browser.click_button("Who can see this?").await;
    let list = "//ul[@aria-label='Customers who can see this item']";
    let shown = browser.wait_for_text_in(list, "Ann Lee").await;
    assert!(shown.contains("Requester") && !shown.contains("Ben Ito"), "{shown}");

    // The requester follows already.
    browser.fill_in(PANEL, "Add follower", "ann").await;
    browser.click_button("Ann Lee, ann@acme.com").await;
    browser.wait_for_alert("Ann Lee is the requester and receives the replies already.").await;

    // Picking Ben asks first; Cancel adds nobody, confirming adds him.
    browser.fill_in(PANEL, "Add follower", "ben").await;
    browser.click_button("Ben Ito, ben@acme.com").await;
    browser
        .wait_for_text_in(PANEL, "Ben Ito will see this item and its conversation so far in the customer portal")
        .await;
    browser.wait_for_focus_on("panel-follower-confirm").await;
    browser.click_button("Do not add Ben Ito").await;
    assert!(api.item(item).await.followers.is_empty(), "nobody added on Cancel");
    browser.fill_in(PANEL, "Add follower", "ben").await;
    browser.click_button("Ben Ito, ben@acme.com").await;
    browser.click_button("Add Ben Ito as a follower").await;
    eventually("Ben following, on the server", || api.item(item), |i| i.followers.len() == 1).await;
    let shown = browser.wait_for_text_in(list, "Ben Ito").await;
    assert!(shown.contains("Follower"), "{shown}");
    browser.wait_for_text_in(PANEL, "2 customers see this item in the portal.").await;
    browser.close().await;
}
