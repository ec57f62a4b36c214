//! Destructive actions in the browser: an admin deletes an organization and finds
//! it in Administration > Audit log (filtered by action and by agent, readable as
//! stacked cards at phone width); an agent gets no enabled delete action until an
//! admin allows it.

use fantoccini::Locator;
use orgdesk_browser_tests::*;

const AUDIT_TABLE: &str = "//table[@aria-label='Audit log']";

/// The audit log's rows as their text, now.
async fn audit_rows(browser: &Browser) -> Vec<String> {
    browser.texts(&format!("{AUDIT_TABLE}//tbody/tr")).await
}

#[tokio::test]
async fn an_admin_deletes_an_organization_and_finds_it_in_the_audit_log() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    let kim = api.create_agent("kim@example.com", "Kim Agent", "agent").await;
    api.create_org("Acme", &["acme.com"]).await;
    api.create_customer("ann@acme.com", "Ann", "Lee").await;
    api.create_org("Globex", &[]).await;

    let browser = Browser::signed_in(&server, "/customers").await;
    browser.wait_for_group_count("Acme", "1 member").await;
    browser.click_button("Delete Acme").await;
    browser.wait_for_text_in(DIALOG, "Acme has 1 member").await;
    browser.wait_for_text_in(DIALOG, "Leave them without an organization").await;
    browser.click_in(DIALOG, "Delete organization").await;
    browser.wait_for_text("Deleted Acme.").await;

    browser.click_link("Administration").await;
    browser.wait_for_path("/admin").await;
    browser.click_link("Audit log").await;
    browser.wait_for_path("/admin/audit").await;
    browser.wait_for_text_in(AUDIT_TABLE, "Deleted organization").await;
    let rows = audit_rows(&browser).await;
    let deleted = rows.iter().find(|r| r.contains("Deleted organization")).expect("the deletion is listed");
    assert!(deleted.contains("Organization Acme"), "{deleted}");
    assert!(deleted.contains(ADMIN_EMAIL), "{deleted}");
    assert!(deleted.contains("127.0.0.1"), "{deleted}");
    assert!(rows.iter().any(|r| r.contains("Signed in")), "the admin's sign-in is there too: {rows:?}");
    assert!(rows.iter().any(|r| r.contains("Added agent") && r.contains("kim@example.com")), "{rows:?}");

    // Only deletions of organizations.
    browser.choose_in("//main", "Action", "Deleted organization").await;
    browser.wait_for_text("Entries 1–1 of 1, newest first.").await;
    let rows = audit_rows(&browser).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    // Its details say what the organization had: the domains and the member count.
    browser.click_xpath(&format!("{AUDIT_TABLE}//summary[normalize-space()='Show']"), "the entry's details").await;
    let details = browser.wait_for_text_in(&format!("{AUDIT_TABLE}//pre"), "acme.com").await;
    assert!(details.contains("\"members\": 1"), "{details}");
    browser.screenshot("audit-desktop.png").await;

    // By an agent who did nothing of the kind: nothing.
    browser.choose_in("//main", "Agent", "Kim Agent (kim@example.com)").await;
    browser.wait_for_text("No entries match these filters.").await;
    browser.choose_in("//main", "Action", "All actions").await;
    browser.wait_for_text("No entries match these filters.").await;
    assert!(kim > 0);

    // At phone width each entry is a stacked card and nothing scrolls sideways.
    browser.choose_in("//main", "Agent", "All agents").await;
    browser.wait_for_text_in(AUDIT_TABLE, "Deleted organization").await;
    browser.client.set_window_size(390, 844).await.unwrap();
    let layout = eventually(
        "the phone layout",
        || async {
            browser
                .client
                .execute(
                    "const td = document.querySelector('table[aria-label=\"Audit log\"] tbody td'); \
                     return [getComputedStyle(td).display, document.documentElement.scrollWidth, window.innerWidth];",
                    vec![],
                )
                .await
                .unwrap()
        },
        |v| v[0] == "grid",
    )
    .await;
    browser.screenshot("audit-390.png").await;
    let wide = browser
        .client
        .execute(
            "return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1) \
               .slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right));",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        layout[1].as_i64().unwrap() <= layout[2].as_i64().unwrap(),
        "no sideways scrolling: {layout}; wider: {wide}"
    );
    browser.close().await;
}

#[tokio::test]
async fn an_agent_sees_no_enabled_delete_action_until_an_admin_allows_it() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    api.create_agent("kim@example.com", "Kim Agent", "agent").await;
    let acme = api.create_org("Acme", &[]).await.id;

    let browser = Browser::open(&server).await;
    browser.goto("/customers").await;
    browser.sign_in("kim@example.com", AGENT_PASSWORD).await;
    browser.wait_for_path("/customers").await;
    browser.group("Acme").await;
    let delete = browser.button("Delete Acme").await;
    let disabled = eventually(
        "the delete action disabled",
        || async { delete.attr("aria-disabled").await.unwrap() },
        |v| v.as_deref() == Some("true"),
    )
    .await;
    assert_eq!(disabled.as_deref(), Some("true"));
    browser.click_button("Delete Acme").await;
    browser.wait_for_text("Only administrators can delete organizations.").await;
    assert!(browser.client.find_all(Locator::XPath(DIALOG)).await.unwrap().is_empty(), "no delete dialog opens");
    assert_eq!(api.status(&format!("/api/organizations/{acme}")).await, reqwest::StatusCode::OK);
    let links = browser.texts("//a").await;
    assert!(!links.iter().any(|l| l == "Administration"), "{links:?}");

    // An admin allows agents to delete organizations: the action works for them.
    api.patch("/api/settings", serde_json::json!({ "agents_may_delete_organizations": true })).await;
    browser.reload().await;
    browser.group("Acme").await;
    eventually(
        "the delete action enabled",
        || async { browser.button("Delete Acme").await.attr("aria-disabled").await.unwrap() },
        |v| v.is_none(),
    )
    .await;
    browser.click_button("Delete Acme").await;
    browser.click_in(DIALOG, "Delete organization").await;
    browser.wait_for_text("Deleted Acme.").await;
    assert_eq!(api.status(&format!("/api/organizations/{acme}")).await, reqwest::StatusCode::NOT_FOUND);
    browser.close().await;
}
