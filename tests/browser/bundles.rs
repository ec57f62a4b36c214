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

/// The decoded size of the wasm file named `prefix…_bg.wasm` the page downloaded.
async fn wasm_size(browser: &Browser, prefix: &str) -> u64 {
    let size = browser
        .client
        .execute(
            "return performance.getEntriesByType('resource')
                .filter(e => { const p = new URL(e.name).pathname; return p.startsWith(arguments[0]) && p.endsWith('_bg.wasm') })
                .map(e => e.decodedBodySize)[0] ?? 0",
            vec![serde_json::json!(prefix)],
        )
        .await
        .unwrap();
    let size = size.as_u64().unwrap_or(0);
    assert!(size > 0, "no {prefix}…_bg.wasm was downloaded");
    size
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

    let agents_wasm = wasm_size(&browser, "/orgdesk-web-").await;

    browser.goto("/portal/sign-in").await;
    browser.wait_for_text("Sign in to the support portal").await;
    // The portal's wasm carries none of the agents' pages: smaller than even the agents'
    // main module, which leaves its lazy areas out (with them in, it was three times larger).
    let portal_wasm = wasm_size(&browser, "/portal/orgdesk-portal-").await;
    assert!(
        portal_wasm < agents_wasm,
        "the portal's wasm is {portal_wasm} bytes, the agents' main module {agents_wasm}"
    );
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

/// Whether the page downloaded a wasm file whose name starts with `prefix`.
async fn has_downloaded(browser: &Browser, prefix: &str) -> bool {
    downloaded(browser).await.iter().any(|p| p.starts_with(prefix) && p.ends_with(".wasm"))
}

#[tokio::test]
async fn each_area_of_the_agents_app_is_downloaded_when_one_of_its_pages_first_opens() {
    let server = Server::start().await;
    let api = Api::sign_in(&server).await;
    let acme = api.create_org("Acme", &["acme.com"]).await.id;
    let browser = Browser::signed_in(&server, "/customers").await;

    // A full load of the Customers list: the main module only, then the customer area
    // (organization panel, profiles) in the background once the list is shown.
    browser.goto("/customers").await;
    browser.group("No organization").await;
    eventually("the customer area downloaded", || has_downloaded(&browser, "/split-customer-area-"), |d| *d).await;
    assert!(!has_downloaded(&browser, "/split-work-area-").await, "{:?}", downloaded(&browser).await);
    assert!(!has_downloaded(&browser, "/split-admin-area-").await, "{:?}", downloaded(&browser).await);

    // The panel opens from that code without another download of it.
    browser.double_click_group("Acme").await;
    browser.wait_for_path(&format!("/organizations/{acme}")).await;
    browser.wait_for_panel_name("Acme").await;
    let customer_area = downloaded(&browser).await.iter().filter(|p| p.starts_with("/split-customer-area-")).count();
    assert_eq!(customer_area, 1);

    // Projects and Tickets: the work area, fetched when the page opens.
    browser.click_link("Projects").await;
    browser.wait_for_text("New project").await;
    assert!(has_downloaded(&browser, "/split-work-area-").await);
    assert!(!has_downloaded(&browser, "/split-admin-area-").await);

    // Administration: the admin area.
    browser.click_link("Administration").await;
    browser.wait_for_path("/admin").await;
    browser.wait_for_text_in("//h1", "Administration").await;
    assert!(has_downloaded(&browser, "/split-admin-area-").await);

    // A deep link into an area works on a full load too.
    browser.goto("/admin/usergroups").await;
    browser.wait_for_text_in("//h1", "Usergroups").await;
    browser.close().await;
}
