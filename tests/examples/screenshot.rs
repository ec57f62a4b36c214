//! Takes the README screenshot: starts Orgdesk with the demo data, signs in in
//! headless Chromium, opens two organizations of the Customers app and saves
//! `docs/screenshot.png`, then the Tickets app on its open items with the first
//! ticket open (`docs/tickets.png`), then Acme Corporation's detail
//! panel (`docs/organization.png`) and its members (`docs/organization-members.png`),
//! then its routing section with a rule open in the editor and its dry run
//! (`docs/routing.png`; the rule is made through the API first).
//!
//! `cargo run -p orgdesk-browser-tests --example screenshot` (after `trunk build --release`).

use orgdesk_browser_tests::*;

#[tokio::main]
async fn main() {
    let server = Server::start().await;
    orgdesk_server::seed::demo(&server.db).await.expect("demo data");
    let browser = Browser::open(&server).await;
    browser.goto("/customers").await;
    browser.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    browser.expand("Acme Corporation").await;
    browser.expand("Globex").await;
    browser.wait_for_text("acme.co.uk, acme.com").await;
    browser.click_labelled("Select Ava Adams").await;
    let png = browser.client.screenshot().await.expect("screenshot");
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/screenshot.png");
    std::fs::write(&out, png).expect("write screenshot");
    println!("wrote {}", out.display());

    browser.click_link("Tickets").await;
    browser.wait_for_path("/tickets").await;
    browser.wait_for_text("Assigned to me").await;
    let first = browser
        .client
        .wait()
        .for_element(fantoccini::Locator::Css("a[href^='/tickets/']"))
        .await
        .expect("an open ticket");
    first.click().await.expect("open the ticket");
    browser.wait_for_text("Followers").await;
    let png = browser.client.screenshot().await.expect("screenshot");
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/tickets.png");
    std::fs::write(&out, png).expect("write screenshot");
    println!("wrote {}", out.display());

    browser.goto("/customers").await;
    browser.wait_for_text("Acme Corporation").await;
    browser.click_labelled("Open Acme Corporation").await;
    browser.wait_for_text("Long-standing customer").await;
    save(&browser, "organization.png").await;
    browser.click_button("Members").await;
    browser.wait_for_text("Manager").await;
    save(&browser, "organization-members.png").await;

    let api = Api::sign_in(&server).await;
    let acme = browser.path().await;
    // `/organizations/{id}?tab=members`
    let acme: i64 = acme
        .split('?')
        .next()
        .and_then(|path| path.rsplit('/').next())
        .and_then(|id| id.parse().ok())
        .expect("the panel's organization id");
    let projects = api.get("/api/projects?q=Network").await;
    let network = projects["items"][0]["id"].as_i64().expect("the demo project Network Upgrade");
    let rule = serde_json::json!({
        "name": "Acme tickets to the network team",
        "conditions": [{"kind": "item_type", "item_type": "ticket"}],
        "actions": [
            {"kind": "change_project", "project_id": network},
            {"kind": "set_priority", "priority": "high"},
            {"kind": "auto_reply", "template": "Hello {customer.first_name}, our network team has ticket #{item.id}."}
        ]
    });
    api.post(&format!("/api/organizations/{acme}/routing-rules"), rule).await;
    browser.click_button("Overview").await;
    browser.wait_for_text("Acme tickets to the network team").await;
    browser.click_in("//section[@data-section='routing']", "Edit").await;
    browser.wait_for_text("Would have matched").await;
    let editor = browser.element("//form[contains(@class,'routing-editor')]").await;
    browser
        .client
        .execute("arguments[0].scrollIntoView({block: 'start'})", vec![serde_json::to_value(&editor).unwrap()])
        .await
        .expect("scroll to the editor");
    // Tall enough for the whole editor and its dry run.
    browser.client.set_window_size(1280, 1700).await.expect("window size");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    save(&browser, "routing.png").await;
    browser.close().await;
}

async fn save(browser: &Browser, name: &str) {
    let png = browser.client.screenshot().await.expect("screenshot");
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs").join(name);
    std::fs::write(&out, png).expect("write screenshot");
    println!("wrote {}", out.display());
}
