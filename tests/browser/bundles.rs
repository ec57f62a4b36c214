//! The agents' app and the customer portal are two separate web apps (two wasm
//! files): each downloads only its own, and a link from one to a page of the other
//! still gets there (the router hands the path to the server, which serves the other app).

use fantoccini::key::Key;
use orgdesk_browser_tests::*;

/// The names of the scripts and wasm files the page downloaded.
async fn downloaded(browser: &Browser) -> Vec<String> {
    let names = browser
        .client
        .execute(
            "return performance.getEntriesByType('resource').map(e => new URL(e.name).pathname)
                .filter(p => p.endsWith('.js') || p.endsWith('.wasm'))",
            vec![],
        )
        .await
        .unwrap();
    serde_json::from_value(names).unwrap()
}

#[tokio::test]
async fn agents_and_customers_each_download_only_their_own_app() {
    let server = Server::start().await;
    let browser = Browser::open(&server).await;

    browser.goto("/login").await;
    browser.button("Sign in").await;
    let agent = downloaded(&browser).await;
    assert!(agent.iter().any(|p| p.starts_with("/orgdesk-web-") && p.ends_with("_bg.wasm")), "{agent:?}");
    assert!(!agent.iter().any(|p| p.contains("portal")), "the agents' app loaded portal code: {agent:?}");

    browser.goto("/portal/sign-in").await;
    browser.wait_for_text("Sign in to the support portal").await;
    let portal = downloaded(&browser).await;
    assert!(portal.iter().any(|p| p.starts_with("/portal/orgdesk-portal-") && p.ends_with("_bg.wasm")), "{portal:?}");
    assert!(!portal.iter().any(|p| p.contains("orgdesk-web")), "the portal loaded the agents' app: {portal:?}");

    // A deep link and a reload inside the portal stay in the portal's app.
    browser.goto("/portal/items/1").await;
    browser.wait_for_path_prefix("/portal/sign-in").await;
    browser.wait_for_text("Sign in to the support portal").await;
    browser.close().await;
}

#[tokio::test]
async fn a_link_from_the_portal_to_the_agents_app_opens_the_agents_app() {
    let server = Server::start().await;
    let browser = Browser::open(&server).await;

    // By click: the portal's "not found" page links to the agents' Customers list.
    browser.goto("/portal/no-such-page").await;
    browser.wait_for_text("Page not found").await;
    browser.click_link("Go to Customers").await;
    browser.wait_for_path_prefix("/login").await;
    browser.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    browser.wait_for_path("/customers").await;
    assert!(downloaded(&browser).await.iter().any(|p| p.starts_with("/orgdesk-web-")));

    // By keyboard: the same link, focused and followed with Enter.
    browser.goto("/portal/no-such-page").await;
    browser.wait_for_text("Page not found").await;
    browser.client.execute("document.querySelector('a[href=\"/customers\"]').focus(); return 0", vec![]).await.unwrap();
    browser.press(Key::Enter).await;
    browser.wait_for_path("/customers").await;
    browser.group("No organization").await;
    browser.close().await;
}

/// How the page fetched `path`: the initiator of each request for it ("link" for a
/// preload, "fetch" for the app's own request).
async fn fetched(browser: &Browser, path: &str) -> Vec<String> {
    let kinds = browser
        .client
        .execute(
            "return performance.getEntriesByType('resource')
                .filter(e => new URL(e.name).pathname === arguments[0]).map(e => e.initiatorType)",
            vec![serde_json::json!(path)],
        )
        .await
        .unwrap();
    serde_json::from_value(kinds).unwrap()
}

#[tokio::test]
async fn the_agents_app_asks_for_its_session_once_while_its_wasm_downloads() {
    let server = Server::start().await;
    let browser = Browser::open(&server).await;
    browser.goto("/login").await;
    browser.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    browser.wait_for_path("/customers").await;

    // A full load: index.html preloads the session check and the app takes that answer
    // (a second request would show as "fetch").
    browser.goto("/customers").await;
    browser.group("No organization").await;
    assert_eq!(fetched(&browser, "/api/auth/me").await, ["link"]);

    browser.close().await;
}
